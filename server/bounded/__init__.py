"""The engine under a hard bound: every analysis the server runs goes through `analyze` here.

`analyze(html, url, **kwargs)` takes exactly what `server.analysis.analyze` takes and returns
its `Analysis`, but runs it in a child process (see `pool.py`) with a CPU-time, memory and
wall-clock budget. A page over budget raises `PageTooComplex`; the caller's process and its
other requests are untouched. The engine itself stays importable and usable on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from server.analysis import Analysis
from server.analysis import analyze as engine_analyze
from server.bounded.pool import Budget, Busy, Overrun, ProcessPool

__all__ = [
    "AnalysisBusy",
    "Budget",
    "PageTooComplex",
    "analyze",
    "budget_from",
    "configure",
    "current_budget",
]

_REASONS = {
    "cpu": "it needed more than {cpu} s of CPU time",
    "memory": "it needed more than {memory} MB of memory",
    "wall": "it took longer than {wall:g} s",
    "crash": "the parser stopped on it",
}


class PageTooComplex(Exception):
    """The page's markup makes the parser work past the analysis budget."""

    def __init__(self, reason: str, budget: Budget) -> None:
        why = _REASONS.get(reason, _REASONS["crash"]).format(
            cpu=budget.cpu_seconds, memory=budget.memory_mb, wall=budget.wall_seconds
        )
        super().__init__(
            f"This page is too complex to analyse: {why}. Its markup makes the HTML parser do "
            "far more work than its size suggests (for example hundreds of thousands of "
            "attributes on one element, or misnested tags repeated)."
        )
        self.reason = reason
        self.message = str(self)


class AnalysisBusy(Exception):
    """Every analysis process stayed busy for the whole budget; try again shortly."""


_lock = threading.Lock()
_budget = Budget()
# One pool per budget: apps created with other budgets in one process (tests, benchmarks)
# each keep their processes instead of replacing everyone's.
_pools: dict[Budget, ProcessPool] = {}


def configure(budget: Budget) -> None:
    """Set this process's budget (from the app's settings); the next analysis uses it."""
    global _budget
    _budget = budget


def budget_from(config: Mapping[str, Any]) -> Budget:
    """The budget the ANALYSIS_* settings describe (already checked by server.config)."""
    return Budget(
        cpu_seconds=int(config["ANALYSIS_CPU_SECONDS"]),
        memory_mb=int(config["ANALYSIS_MEMORY_MB"]),
        wall_seconds=float(config["ANALYSIS_TIMEOUT"]),
        processes=int(config["ANALYSIS_PROCESSES"]),
    )


def current_budget() -> Budget:
    return _budget


def _current_pool() -> ProcessPool:
    with _lock:
        pool = _pools.get(_budget)
        if pool is None:
            pool = _pools[_budget] = ProcessPool(_budget)
        return pool


def analyze(html: str, url: str, **kwargs: Any) -> Analysis:
    """`server.analysis.analyze(html, url, **kwargs)` within this process's budget.

    Raises what the engine raises (ValueError, InvalidSite), PageTooComplex past the budget,
    AnalysisBusy when no analysis process came free in time. With `processes=0` the engine
    runs in the calling thread, unbounded (benchmarks compare the two)."""
    budget = _budget
    if budget.processes == 0:
        return engine_analyze(html, url, **kwargs)
    pool = _current_pool()
    try:
        result: Analysis = pool.call(engine_analyze, html, url, **kwargs)
    except Overrun as exc:
        raise PageTooComplex(exc.reason, pool.budget) from None
    except Busy:
        raise AnalysisBusy(
            "Every analysis process is busy with other pages; try again in a few seconds."
        ) from None
    return result
