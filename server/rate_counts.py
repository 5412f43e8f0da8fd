"""Rate-limit counters that every worker of a server shares: a small SQLite file.

Flask-Limiter's `memory://` counts in each process, so five gunicorn workers let five times
the limit through (507 requests passed a 120/minute limit). Redis shares counts but is one
more server to run. This `limits` storage keeps fixed-window counters in a SQLite file (the
instance folder's `rate-limits.sqlite3` by default, URI `linkinspector-sqlite:///path`), which
every process on the host opens: one upsert per counted request, atomic in SQLite.

Privacy: a row holds a keyed hash of Flask-Limiter's key (the limit and the client address),
never the address itself, and the end of its window; a row is dead once its window ends and
is swept from time to time. The hash key is random, made when the app is created; gunicorn
loads the app once in its master (`preload_app`), so every worker forked from it shares it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from typing import Any

from limits.storage import Storage

SCHEME = "linkinspector-sqlite"
_SWEEP_EVERY = 1000  # increments between deletions of ended windows


class SQLiteStorage(Storage):  # type: ignore[misc]
    """Fixed-window counters in a SQLite file shared by processes on one host."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        path = (uri or "").partition("://")[2]
        if not path:
            raise ValueError(f"{SCHEME}:// needs a file path: {SCHEME}:///var/lib/x.sqlite3")
        self.path = path
        self._local = threading.local()
        self._increments = 0
        self._secret = os.urandom(16)
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and process: gunicorn forks workers after the app loads.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # counters, not records: no fsync per request
            db.execute(
                "CREATE TABLE IF NOT EXISTS counters "
                "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"
            )
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def _row(self, key: str) -> str:
        return hashlib.blake2b(key.encode("utf-8"), key=self._secret, digest_size=16).hexdigest()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = self._row(key)
        now = time.time()
        db = self._db()
        (value,) = db.execute(
            "INSERT INTO counters (key, value, expires) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (key) DO UPDATE SET "
            "value = CASE WHEN expires <= ?4 THEN ?2 ELSE value + ?2 END, "
            "expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END "
            "RETURNING value",
            (key, amount, now + expiry, now),
        ).fetchone()
        self._increments += 1
        if self._increments % _SWEEP_EVERY == 0:
            db.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._db()
            .execute(
                "SELECT value FROM counters WHERE key = ? AND expires > ?",
                (self._row(key), time.time()),
            )
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._db()
            .execute("SELECT expires FROM counters WHERE key = ?", (self._row(key),))
            .fetchone()
        )
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return int(self._db().execute("DELETE FROM counters").rowcount)

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (self._row(key),))
