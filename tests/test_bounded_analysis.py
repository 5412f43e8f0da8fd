"""The engine under a hard bound (server.bounded): same results, its errors, and every way a
call can overrun — CPU, memory, wall clock, a dead child — ending in a clean error while the
next call still works."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import bounded
from server.analysis import FrameDocument, InvalidSite, analyze
from server.bounded import wire
from server.bounded.pool import Budget, Overrun, ProcessPool

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
URL = "https://blog.example.com/post"
SLOW_PAGE = "<b><div></b>" * 100_000  # minutes of parser work
HUNGRY_PAGE = "".join(f"<b id={i}><p>x" for i in range(20_000))  # gigabytes of elements


@pytest.fixture
def pool() -> Iterator[ProcessPool]:
    made = ProcessPool(Budget(cpu_seconds=1, memory_mb=256, wall_seconds=5, processes=2))
    yield made
    made.close()


def spin(seconds: float) -> float:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        pass
    return seconds


def test_results_equal_the_engines_and_cross_over_by_marshal() -> None:
    pages = sorted(CORPUS.glob("*.html"))[::13]
    frame = FrameDocument("https://ads.example.net/f", "<a href=/ad>ad</a>")
    for path in pages:
        html = path.read_text(errors="replace")
        kwargs = {"sites": ["example.com"], "competitors": ["https://rival.org/"]}
        inline = analyze(html, URL, frames=(frame,), **kwargs)  # type: ignore[arg-type]
        assert bounded.analyze(html, URL, frames=(frame,), **kwargs) == inline, path.name
        data = wire.dumps(inline)
        assert data[:1] == b"m", path.name  # not the slower pickle
        assert wire.loads(data) == inline


def test_the_engines_own_errors_are_raised_as_they_are() -> None:
    with pytest.raises(ValueError):
        bounded.analyze("<a href=/x>x</a>", "not a url")
    with pytest.raises(InvalidSite):
        bounded.analyze("<a href=/x>x</a>", URL, sites=["http://"])


def test_a_page_over_the_cpu_budget_is_too_complex_and_the_next_one_is_fine() -> None:
    bounded.configure(Budget(cpu_seconds=1))
    try:
        started = time.monotonic()
        with pytest.raises(bounded.PageTooComplex) as caught:
            bounded.analyze(SLOW_PAGE, URL)
        assert caught.value.reason == "cpu"
        assert "1 s of CPU time" in caught.value.message
        assert time.monotonic() - started < 8
        assert bounded.analyze("<a href=/x>x</a>", URL).summary.total == 1
    finally:
        bounded.configure(Budget())


def test_a_page_over_the_memory_budget_is_too_complex(pool: ProcessPool) -> None:
    started = time.monotonic()
    with pytest.raises(Overrun) as caught:
        pool.call(analyze, HUNGRY_PAGE, URL)
    assert caught.value.reason == "memory"
    assert time.monotonic() - started < 5
    assert pool.call(analyze, "<a href=/x>x</a>", URL).summary.total == 1


def test_a_call_past_the_wall_clock_budget_is_killed(pool: ProcessPool) -> None:
    slow = ProcessPool(Budget(cpu_seconds=30, wall_seconds=0.5, processes=1))
    try:
        with pytest.raises(Overrun) as caught:
            slow.call(time.sleep, 5)
        assert caught.value.reason == "wall"
        assert slow.call(len, "abc") == 3
    finally:
        slow.close()


def test_a_caller_waits_for_a_free_process() -> None:
    single = ProcessPool(Budget(cpu_seconds=30, wall_seconds=3, processes=1))
    try:
        holder = threading.Thread(target=lambda: single.call(spin, 1.0))
        holder.start()
        time.sleep(0.2)
        started = time.monotonic()
        assert single.call(len, "ab") == 2  # ran once the first call had ended
        assert time.monotonic() - started > 0.5
        holder.join()
    finally:
        single.close()


def test_processes_outlive_the_threads_that_started_them(pool: ProcessPool) -> None:
    # Request threads come and go (a CLI's thread pool ends); the processes they forked serve on.
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(pool.call(len, "x"))) for _ in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.2)
    assert [pool.call(len, "abcd") for _ in range(6)] == [4] * 6


def test_a_process_killed_while_idle_is_replaced(pool: ProcessPool) -> None:
    assert pool.call(os.getpid) != os.getpid()
    for child in list(pool._idle):
        os.kill(child.pid, signal.SIGKILL)
    time.sleep(0.2)
    assert pool.call(len, "abc") == 3


def test_a_process_does_not_keep_the_parents_sockets_open(pool: ProcessPool) -> None:
    # A forked process holding a client's connection would keep it open after the server
    # closed it: the client would wait for an answer that never comes.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    assert pool.call(len, "x") == 1  # forks while the connection is open
    accepted.close()
    listener.close()
    client.settimeout(2)
    assert client.recv(10) == b""  # the server's close reached the client
    client.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
