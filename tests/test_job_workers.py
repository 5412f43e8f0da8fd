"""Real worker processes (`flask --app server worker`) on the embedded default queue (SQLite)
and on the distributed one (a real Redis server that scripts/start-redis runs on loopback):
a job survives a worker's restart, a worker killed with SIGKILL mid-job loses no finished
item and the job resumes, and two workers share one job without doing any item twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from simulated_web import SimulatedWeb
from sqlalchemy import select

from server import create_app
from server.store.db import session_scope
from server.store.job_claims import live_workers
from server.store.job_models import JobItem
from server.store.models import utcnow

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("LINKINSPECTOR_TEST_REDIS_URL")
LEASE = 2


class Worker:
    """`flask --app server worker` in its own process group, its output kept in a file."""

    def __init__(self, env: dict[str, str], log: Path, threads: int = 2) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "server", "worker"]
                + ["--threads", str(threads)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM, as systemd or docker would; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def setup(tmp_path: Path, database_url: str) -> Iterator[Callable[..., tuple[Flask, Any]]]:
    """Make (app, start_worker) for a queue URL; every worker is stopped at the end."""
    workers: list[Worker] = []
    apps: list[Flask] = []

    def make(queue_url: str, **settings: Any) -> tuple[Flask, Callable[..., Worker]]:
        config = {
            "DATABASE_URL": database_url,
            "QUEUE_URL": queue_url,
            "ALLOW_PRIVATE_FETCH": True,
            "JOB_LEASE_SECONDS": LEASE,
            "JOB_LAP_SECONDS": 2,
            **settings,
        }
        app = create_app({"TESTING": True, **config})
        app.instance_path = str(tmp_path)
        apps.append(app)
        env = dict(os.environ)
        env.pop("LINKINSPECTOR_API_TOKEN", None)
        env.update(
            {
                f"LINKINSPECTOR_{k}": str(v).lower() if v is True else str(v)
                for k, v in config.items()
            }
        )

        def start(threads: int = 2) -> Worker:
            worker = Worker(env, tmp_path / f"worker-{len(workers)}.log", threads)
            workers.append(worker)
            return worker

        return app, start

    yield make
    for worker in workers:
        worker.stop()
    for app in apps:
        store = app.extensions.get("linkinspector.store")
        if store is not None:
            store.engine.dispose()


def wait_for(
    client: FlaskClient, job_id: int, until: Callable[[dict[str, Any]], bool], timeout: float = 60
) -> dict[str, Any]:
    ends = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").get_json()
        if until(body):
            return body
        assert time.monotonic() < ends, f"job stuck at {body['status']} {body['done']}"
        time.sleep(0.1)


def owners(app: Flask, job_id: int) -> dict[int, str]:
    with session_scope(app) as session:
        rows = session.execute(
            select(JobItem.position, JobItem.claimed_by).where(JobItem.job_id == job_id)
        ).all()
    return {position: owner.rsplit(":", 1)[0] for position, owner in rows}


def both_running(app: Flask, timeout: float = 90) -> None:
    """Wait until two workers have shown a heartbeat (a busy machine starts them slowly)."""
    ends = time.monotonic() + timeout
    while True:
        with session_scope(app) as session:
            if len(live_workers(session, utcnow() - timedelta(minutes=1))) >= 2:
                return
        assert time.monotonic() < ends, "the workers did not start"
        time.sleep(0.2)


def start_check(client: FlaskClient, urls: list[str]) -> int:
    response = client.post("/api/v1/link-checks", json={"urls": urls})
    assert response.status_code == 202
    job_id: int = response.get_json()["id"]
    return job_id


def test_a_job_survives_a_worker_restart_and_no_item_is_done_twice(
    setup: Callable[..., Any], tmp_path: Path
) -> None:
    app, start_worker = setup(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    client = app.test_client()
    with SimulatedWeb(3, delay=0.15) as web:
        urls = [host.url(f"/ok/{i}") for host in web.hosts for i in range(24)]
        job_id = start_check(client, urls)  # queued before any worker runs
        first = start_worker()
        wait_for(client, job_id, lambda b: b["done"] >= 12)
        assert first.stop() == 0, first.output()
        stopped = client.get(f"/api/v1/jobs/{job_id}").get_json()
        assert stopped["status"] == "running" and stopped["done"] < len(urls)
        start_worker()
        body = wait_for(client, job_id, lambda b: b["status"] == "done")
        assert body["done"] == len(urls) == len(body["results"])
        assert all(r["result"] == "ok" for r in body["results"])
        # Stopped gracefully, the first worker handed its items back: nothing asked twice.
        assert all(host.times(f"/ok/{i}") == 1 for host in web.hosts for i in range(24))
        assert web.peak() <= 2
    assert len(set(owners(app, job_id).values())) == 2


def test_a_worker_killed_mid_job_loses_nothing_finished_and_the_job_resumes(
    setup: Callable[..., Any], tmp_path: Path
) -> None:
    app, start_worker = setup(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    client = app.test_client()
    with SimulatedWeb(3, delay=0.15) as web:
        urls = [host.url(f"/ok/{i}") for host in web.hosts for i in range(24)]
        job_id = start_check(client, urls)
        doomed = start_worker()
        before = wait_for(client, job_id, lambda b: b["done"] >= 12)
        doomed.kill()
        kept = client.get(f"/api/v1/jobs/{job_id}").get_json()
        assert kept["status"] == "running" and kept["done"] >= before["done"]
        start_worker()
        body = wait_for(client, job_id, lambda b: b["status"] == "done")
        assert body["done"] == len(urls)
        after = {r["index"]: r for r in body["results"]}
        for result in kept["results"]:  # every finished item is there, unchanged
            assert after[result["index"]] == result
        # Only what was in flight at the kill (at most 2 per host), or answered in the last
        # tenth of a second and not yet written, was asked again.
        asked = [host.times(f"/ok/{i}") for host in web.hosts for i in range(24)]
        assert min(asked) == 1 and sum(asked) <= len(urls) + 4 * len(web.hosts)


@pytest.fixture
def redis_url() -> str:
    if REDIS_URL is None:
        pytest.fail(
            "LINKINSPECTOR_TEST_REDIS_URL is unset: run scripts/test, or export "
            'LINKINSPECTOR_TEST_REDIS_URL="$(bash scripts/start-redis)"'
        )
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()
    return REDIS_URL


# Each worker can keep 2 hosts busy (4 threads, 2 requests per host): the other hosts are
# left to the other worker, and no host is ever asked by both at once. One consumer thread
# each: Redis hands a job's two first laps to the threads that waited longest, and two
# threads of the worker started first would take both.
SMALL_WORKERS = {"JOB_LAP_SECONDS": 1, "FETCH_THREADS": 4, "PER_HOST_LIMIT": 2}


def test_two_workers_on_redis_share_one_job_and_do_no_item_twice(
    setup: Callable[..., Any], redis_url: str
) -> None:
    app, start_worker = setup(redis_url, **SMALL_WORKERS)
    client = app.test_client()
    with SimulatedWeb(4, delay=0.15) as web:
        urls = [host.url(f"/ok/{i}") for host in web.hosts for i in range(24)]
        start_worker(threads=1)
        start_worker(threads=1)
        both_running(app)
        job_id = start_check(client, urls)
        body = wait_for(client, job_id, lambda b: b["status"] == "done")
        assert body["done"] == len(urls) == len(body["results"])
        assert all(host.times(f"/ok/{i}") == 1 for host in web.hosts for i in range(24))
        assert web.peak() <= 2  # the per-host limit held across both workers
    share = list(owners(app, job_id).values())
    assert len(set(share)) == 2, "both workers took part"
    # How evenly depends on the machine's load (one worker may start its laps late): each
    # did real work, and no URL was asked twice (above).
    assert min(share.count(worker) for worker in set(share)) >= 2


def test_when_one_of_two_redis_workers_is_killed_the_other_finishes_the_job(
    setup: Callable[..., Any], redis_url: str
) -> None:
    app, start_worker = setup(redis_url, **SMALL_WORKERS)
    client = app.test_client()
    with SimulatedWeb(4, delay=0.15) as web:
        urls = [host.url(f"/ok/{i}") for host in web.hosts for i in range(24)]
        doomed = start_worker(threads=1)
        survivor = start_worker(threads=1)
        both_running(app)
        job_id = start_check(client, urls)
        kept = wait_for(client, job_id, lambda b: b["done"] >= 24)
        doomed.kill()
        body = wait_for(client, job_id, lambda b: b["status"] == "done")
        assert body["done"] == len(urls)
        after = {r["index"]: r for r in body["results"]}
        for result in kept["results"]:
            assert after[result["index"]] == result
        asked = [host.times(f"/ok/{i}") for host in web.hosts for i in range(24)]
        assert min(asked) == 1 and sum(asked) <= len(urls) + 4 * len(web.hosts)
    assert survivor.process.poll() is None


def test_a_worker_checks_due_backlinks_by_itself_and_delivers_the_alert(
    setup: Callable[..., Any], tmp_path: Path
) -> None:
    """No button, no cron: a real worker finds a due backlink, checks it in a job, holds the
    bad news for its re-check, confirms it, and sends the alert to a webhook."""
    from monitor_web import webhook_receiver

    from server.store.models import Backlink

    with SimulatedWeb(1, delay=0.0) as web, webhook_receiver() as hook:
        host = web.hosts[0]
        url = host.page("/html/post", '<a href="https://mysite.com/">me</a>')
        app, start_worker = setup(
            f"sqlite:///{tmp_path / 'queue.sqlite3'}",
            MONITOR_CONFIRM_SECONDS=0,
            RENDER="never",
            ALERT_WEBHOOK_URL=hook.url,
            ALERT_WEBHOOK_SECRET="s" * 20,
        )
        client = app.test_client()
        backlink_id = client.post(
            "/api/v1/backlinks", json={"source_url": url, "target": "mysite.com"}
        ).get_json()["id"]
        client.post(f"/api/v1/backlinks/{backlink_id}/check")
        host.page("/html/post", "<p>gone</p>")
        with session_scope(app) as session:
            backlink = session.get(Backlink, backlink_id)
            assert backlink is not None
            backlink.next_check_at = utcnow() - timedelta(seconds=1)
        worker = start_worker()
        # The worker schedules what is due at start; the bad news it finds wakes its
        # scheduler again when the re-check is due (at once here), not a minute later.
        ends = time.monotonic() + 30
        while time.monotonic() < ends and not hook.requests:
            time.sleep(0.25)
        assert hook.requests, worker.output()[-2000:]
        body = client.get(f"/api/v1/backlinks/{backlink_id}").get_json()
        assert body["last_result"] == "missing"
        assert [c["trigger"] for c in body["history"][:2]] == ["scheduled", "scheduled"]
        assert hook.bodies()[0]["event"] == "backlink.lost"
