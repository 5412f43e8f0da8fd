"""Gunicorn settings for Link Inspector: gunicorn -c gunicorn.conf.py "server:create_app()".

Binds LINKINSPECTOR_BIND (default 127.0.0.1) on PORT (default 8750) and refuses to listen
beyond loopback unless LINKINSPECTOR_API_TOKEN is set. Every setting can still be overridden
on the command line (--bind, --workers, ...) or in GUNICORN_CMD_ARGS; the token check sees
the final bind whichever way it was given. docs/deploy.md explains each choice.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server.config import refuse_exposure_without_token, serve_addresses  # noqa: E402

bind = serve_addresses(os.environ.get("LINKINSPECTOR_BIND"), os.environ.get("PORT"))

# Analysis is CPU-bound and short: gunicorn's 2 x cores + 1, capped so a big host does not
# start dozens of ~60 MB workers. WEB_CONCURRENCY overrides (the PaaS convention).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 9))
# gunicorn's asyncio worker reads every request in its event loop, so slow clients hold no
# worker (a request head must arrive within 10 s, a body within 60 s); complete requests run
# in `threads` threads of the Flask app; each analysis runs in a child process within its
# budget (server/bounded). See server/serving/worker.py.
worker_class = "server.serving.worker.Worker"
threads = 16
# Workers tell the master they are alive from their event loop, which never runs a request:
# a worker that misses this is really stuck.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle each worker after ~1000 requests (jittered so they do not all restart at once):
# bounds the cost of any slow leak in a parser.
max_requests = 1000
max_requests_jitter = 100
# Load the app once in the master: a bad setting fails at start, and workers share memory.
preload_app = True
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn's own access log would print the raw request line, query string included; the
# app writes its own JSON access lines (route, status, duration, size) on stdout instead.
accesslog = None
errorlog = "-"
# Error lines without client addresses, request targets or exception messages.
logger_class = "server.serving.log.PrivateLogger"
loglevel = "info"
proc_name = "link-inspector"
# gunicorn's runtime control socket (~/.gunicorn/gunicorn.ctl) is one fixed path per user:
# two servers would fight over it, and nothing here needs runtime management.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Refuse, before any socket is opened, to listen beyond loopback without an API token."""
    token = os.environ.get("LINKINSPECTOR_API_TOKEN", "").strip()
    refuse_exposure_without_token(server.cfg.bind, token)


def pre_fork(server: Any, worker: Any) -> None:
    """Move everything the master has loaded (the app, SQLAlchemy, the Public Suffix List...)
    out of the garbage collector's sight before a worker forks from it: a worker's full
    collection then no longer walks those objects (under load, the slowest request fell from
    160-216 ms to 50-56 ms), nor writes to their pages, which stay shared with the master."""
    gc.freeze()
