"""A small pool of forked child processes that run one call at a time under hard limits.

Why processes: the HTML parser is C. Some ~1 MB pages keep it busy for minutes (160k
attributes on one element, 150k `<option>`s, misnested formatting tags repeated), and a thread
cannot be stopped while C code runs. A child process can: the kernel ends it when its CPU time
passes the budget (RLIMIT_CPU sends SIGXCPU), its allocations fail past the memory budget
(RLIMIT_AS), and the parent kills it (SIGKILL) when the wall-clock budget passes. A replacement
is forked on the next call.

Children are forked from the calling process, so they start in a millisecond and share its
memory (the engine, the Public Suffix List) copy-on-write. Right after the fork a child closes
every inherited file descriptor but its socket (it must not keep a client's connection or the
listening socket open), restores default signal handlers, and sets its memory cap. It then
serves calls until its socket closes (its parent closed it, or died: a child outlives it by
at most one call, itself bounded by the CPU budget): each call is a pickled `(function, args,
kwargs)`, each answer a pickled result or exception. (No PR_SET_PDEATHSIG: it fires when
the *thread* that forked the child ends, and children outlive the request threads that
happen to start them.)
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pickle
import resource
import select
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.bounded import wire

_LENGTH = struct.Struct("!Q")
_SOCKET_BUFFER = 4 * 1024 * 1024
# Signals gunicorn (or asyncio) handles in the parent; a child must not run those handlers.
_RESET_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGCHLD")
    if hasattr(signal, name)
) + ((signal.SIGWINCH,) if hasattr(signal, "SIGWINCH") else ())


@dataclass(frozen=True, slots=True)
class Budget:
    """What one call may use. Up to `processes` children serve calls at once in each process,
    forked as calls need them and kept for the next ones."""

    cpu_seconds: int = 3
    memory_mb: int = 512
    wall_seconds: float = 10.0
    processes: int = 4
    # A child is replaced after this many calls, or once its resident memory passes this.
    max_calls: int = 2000
    max_rss_mb: int = 400


class Overrun(Exception):
    """The call did not finish within its budget; `reason` is cpu, memory, wall or crash."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Busy(Exception):
    """Every child stayed busy for the whole wall-clock budget: no call was started."""


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                raise TimeoutError
        count = sock.recv_into(view[got:])
        if not count:
            raise EOFError
        got += count
    return buffer


def _recv(sock: socket.socket, deadline: float | None = None) -> bytearray:
    (size,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size, deadline))
    return _recv_exactly(sock, size, deadline)


def _vm_bytes(field: str = "VmSize") -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def _hit_memory_cap() -> bool:
    """Whether this process's address space came within 5 % of its cap: C code that finds no
    memory raises its own error (selectolax: "Can't parse HTML"), not a MemoryError."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    return limit != resource.RLIM_INFINITY and _vm_bytes("VmPeak") >= 0.95 * limit


def _peak_rss_mb() -> float:
    # The high-water mark: memory a big page made the allocator take is rarely given back.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _become_child(sock: socket.socket, budget: Budget) -> None:
    """Cut the child loose from its parent's files, signals and lifetime; set its memory cap."""
    keep = sock.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    signal.set_wakeup_fd(-1)
    for signum in _RESET_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    # The address space already holds the parent's mappings (thread stacks included); the
    # budget is what the call may add to them.
    limit = _vm_bytes() + budget.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # What the parent built stays out of the child's garbage collections: they would walk it
    # on every full collection, and write to its pages (which then stop being shared).
    gc.freeze()


def _serve(sock: socket.socket, budget: Budget) -> None:
    """The child's loop: one call at a time until the parent closes the socket."""
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            function, args, kwargs = pickle.loads(_recv(sock))
        except (EOFError, OSError):
            return
        # RLIMIT_CPU counts the process's whole life: the budget starts from what is used.
        soft = math.ceil(_cpu_seconds()) + budget.cpu_seconds
        if cpu_hard != resource.RLIM_INFINITY:
            soft = min(soft, cpu_hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
        try:
            answer: tuple[str, Any] = ("ok", wire.dumps(function(*args, **kwargs)))
            payload = pickle.dumps((answer, _peak_rss_mb()), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            _send(sock, pickle.dumps((("overrun", "memory"), 0.0)))
            return
        except Exception as exc:  # the caller's error (ValueError, InvalidSite...), re-raised there
            if _hit_memory_cap():
                _send(sock, pickle.dumps((("overrun", "memory"), 0.0)))
                return  # the heap may be in any state: this child ends, a fresh one follows
            try:
                payload = pickle.dumps((("raised", exc), _peak_rss_mb()))
            except Exception:
                payload = pickle.dumps((("raised", RuntimeError(type(exc).__name__)), 0.0))
        try:
            _send(sock, payload)
        except OSError:
            return


class _Child:
    """The parent's handle on one child: its pid, its socket, how much it has served."""

    def __init__(self, budget: Budget) -> None:
        parent_end, child_end = socket.socketpair()
        for end in (parent_end, child_end):
            # Room for a whole page or result in one send: no waiting on the other side.
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SOCKET_BUFFER)
            end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SOCKET_BUFFER)
        pid = os.fork()
        if pid == 0:  # the child never returns from here
            code = 0
            try:
                parent_end.close()
                _become_child(child_end, budget)
                _serve(child_end, budget)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child_end.close()
        self.pid = pid
        self.sock = parent_end
        self.calls = 0
        self.rss_mb = 0.0
        self.killed = False

    def kill(self) -> None:
        if not self.killed:
            self.killed = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def reap(self) -> int | None:
        """Close the socket and wait for the (dead or killed) child; its wait status."""
        self.sock.close()
        self.kill()
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        return status

    def retire(self) -> None:
        """End a healthy child: closing its socket ends its loop."""
        self.sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _reason(status: int | None, reported: str | None) -> str:
    if reported:
        return reported
    if status is not None and os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        if signum == signal.SIGXCPU:
            return "cpu"
        if signum in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            return "memory"  # C code that found no memory left usually ends this way
    return "crash"


class ProcessPool:
    """Runs `function(*args, **kwargs)` in a child process, within `budget`."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._lock = threading.Condition()
        self._idle: list[_Child] = []
        self._running = 0
        self._owner = os.getpid()

    def _check_owner(self) -> None:
        # After a fork (gunicorn's workers are forked from the master) the children belong
        # to the parent process: start afresh without touching them.
        if self._owner != os.getpid():
            self._idle = []
            self._running = 0
            self._owner = os.getpid()

    def _acquire(self, deadline: float) -> _Child:
        with self._lock:
            self._check_owner()
            while not self._idle and self._running >= self.budget.processes:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Busy
                self._lock.wait(left)
            self._running += 1
            if self._idle:
                return self._idle.pop()
        try:
            return _Child(self.budget)
        except BaseException:
            self._release(None)
            raise

    def _release(self, child: _Child | None) -> None:
        retire = None
        with self._lock:
            self._running -= 1
            if child is not None:
                budget = self.budget
                if child.calls >= budget.max_calls or child.rss_mb >= budget.max_rss_mb:
                    retire = child
                else:
                    self._idle.append(child)
            self._lock.notify()
        if retire is not None:
            retire.retire()

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The function's result; its exception re-raised; Overrun past the budget; Busy if
        no child became free within the wall-clock budget."""
        request = pickle.dumps((function, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        deadline = time.monotonic() + self.budget.wall_seconds
        for attempt in (1, 2):
            child = self._acquire(deadline)
            try:
                _send(child.sock, request)
            except OSError:
                # A child that died while idle (killed from outside): one more try, fresh.
                child.reap()
                self._release(None)
                if attempt == 2:
                    raise Overrun("crash") from None
                continue
            try:
                (kind, value), rss_mb = pickle.loads(
                    _recv(child.sock, time.monotonic() + self.budget.wall_seconds)
                )
            except TimeoutError:
                child.kill()
                child.reap()
                self._release(None)
                raise Overrun("wall") from None
            except (EOFError, OSError):
                status = child.reap()
                self._release(None)
                raise Overrun(_reason(status, None)) from None
            if kind == "overrun":
                child.reap()
                self._release(None)
                raise Overrun(_reason(None, value))
            child.calls += 1
            child.rss_mb = rss_mb
            self._release(child)
            if kind == "raised":
                raise value
            return wire.loads(value)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """End the idle children (running calls finish first)."""
        with self._lock:
            self._check_owner()
            idle, self._idle = self._idle, []
        for child in idle:
            child.retire()
