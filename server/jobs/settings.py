"""The job system's settings, read once from the app's configuration (server/config.py)."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.fetch.politeness import DEFAULT_ACTION_REGEXES, compile_patterns
from server.linkcheck import CheckSettings
from server.monitor import private_fetch_allowed


@dataclass(frozen=True, slots=True)
class JobSettings:
    worker_threads: int
    fetch_threads: int
    per_host: int
    lease: timedelta
    lap_seconds: float
    parallelism: int
    max_urls: int
    cache_age: timedelta
    max_links: int
    retention: timedelta
    check: CheckSettings

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> JobSettings:
        patterns = config.get("ACTION_URL_PATTERNS")
        timeout = float(config["LINK_CHECK_TIMEOUT"])
        return cls(
            worker_threads=int(config["WORKER_THREADS"]),
            fetch_threads=int(config["FETCH_THREADS"]),
            per_host=int(config["PER_HOST_LIMIT"]),
            lease=timedelta(seconds=int(config["JOB_LEASE_SECONDS"])),
            lap_seconds=float(config["JOB_LAP_SECONDS"]),
            parallelism=int(config["JOB_PARALLELISM"]),
            max_urls=int(config["MAX_JOB_URLS"]),
            cache_age=timedelta(seconds=int(config["LINK_CHECK_CACHE_SECONDS"])),
            max_links=int(config["MAX_LINKS"]),
            retention=timedelta(days=int(config["JOB_RETENTION_DAYS"])),
            check=CheckSettings(
                allow_private=private_fetch_allowed(config),
                connect_timeout=min(5.0, timeout),
                read_timeout=timeout,
                total_timeout=timeout,
                max_retry_after=float(config["MAX_RETRY_AFTER"]),
                action_patterns=(
                    compile_patterns(patterns) if patterns else DEFAULT_ACTION_REGEXES
                ),
            ),
        )


_IDENTITY: dict[int, str] = {}
_IDENTITY_LOCK = threading.Lock()


def worker_id() -> str:
    """This process's name as a job worker: host, pid and a random part (pids get reused)."""
    pid = os.getpid()
    with _IDENTITY_LOCK:
        if pid not in _IDENTITY:
            _IDENTITY[pid] = f"{socket.gethostname()[:60]}:{pid}:{uuid.uuid4().hex[:8]}"
        return _IDENTITY[pid]
