"""Load test: gunicorn on loopback, wrk posting a real 100 KB page to POST /api/v1/analyze.

    python bench/load.py                  # full speed, paced at --rate, bare-decode baseline
    python bench/load.py --soak 600       # then 10 minutes paced at --rate, sampling worker RSS

Three runs of --seconds each against the analyze endpoint:
- full speed (closed loop, --connections): the throughput, requests/s. Its latency is set by
  queueing (Little's law: 8 connections at 340 req/s wait 23 ms on average), so it is shown,
  not judged.
- paced at --rate (default the 300 req/s target): wrk starts requests on a fixed schedule
  (LuaJIT's clock, through ffi), and that run's p50/p99 is the latency at the target rate.
  A request delayed by a slow one starts late and is timed from when it starts, so the
  tail is understated when the server falls behind; the achieved rate shows if it did.
- the same full-speed run against a bench-only Flask app that only decodes the JSON body
  (bench/bare_decode.py: the framework's ceiling), and the ratio of the two.
The soak holds the paced rate, prints RSS every 10 s and its trend (least-squares slope,
MB/min). Targets on a 2-core machine, load generator included: >= 300 analyses/s, p99 <= 40
ms at that rate, 0 errors, RSS flat in the soak.

Needs Debian's `wrk` (apt-get install wrk). Loopback only; every run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAGE = ROOT.parent / "shared" / "corpus" / "iab-1.html"
TARGET_RPS = 300
TARGET_P99_MS = 40.0

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("LOAD_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
-- Paced runs: this thread starts a request every LOAD_INTERVAL_MS, whichever of its
-- connections is free (wrk's delay() runs before each request after the first).
local interval = tonumber(os.getenv("LOAD_INTERVAL_MS") or "0")
if interval > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } li_timespec;
    int clock_gettime(int clock, li_timespec *now);
  ]]
  local ts = ffi.new("li_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local due = nil
  function delay()
    local now = now_ms()
    due = due == nil and now or due + interval
    -- Behind schedule (all connections were busy): start now, no burst to catch up.
    if due < now then due = now end
    return math.floor(due - now)
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    app: str,
    port: int,
    workers: int | None,
    extra: list[str],
    env_extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """gunicorn with the project's gunicorn.conf.py, on 127.0.0.1:port, rate limit off."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--chdir", str(ROOT), "--pythonpath", str(ROOT / "bench")]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    command += ["--log-level", "warning", *extra, app]
    env = {
        **os.environ,
        "LINKINSPECTOR_BIND": "127.0.0.1",
        "PORT": str(port),
        # One client address sends everything: the per-client limit would answer 429s.
        "LINKINSPECTOR_RATELIMIT_ENABLED": "false",
        **(env_extra or {}),
    }
    # The JSON access log (one line per request) still runs; its lines go nowhere.
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                pass
            break
        except OSError as exc:  # HTTPError (404) is an OSError too: the server is up
            if getattr(exc, "code", None):
                break
            time.sleep(0.2)
    else:
        server.terminate()
        raise SystemExit(f"gunicorn did not start on port {port}")
    return server


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (workers, and the analysis processes of each worker)."""
    found: list[int] = []
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.exists():
        return found
    for task in tasks.iterdir():
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def pss_mb(pid: int) -> float:
    """Proportional set size: shared pages (a worker and its forked analysis processes share
    most of theirs) divided among the processes sharing them, so a sum over processes is fair."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, PermissionError):
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used (from /proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        # utime, stime, and cutime, cstime: the analysis processes a worker replaced.
        total += sum(int(f) for f in fields[11:15])
    return total / ticks


def run_wrk(
    port: int, body: Path, seconds: int, connections: int, threads: int, rate: float = 0
) -> Run:
    """A wrk run: as fast as `connections` allow, or paced at `rate` requests/s."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    pace = interval_ms(rate, threads)
    env = {**os.environ, "LOAD_BODY": str(body), "LOAD_INTERVAL_MS": str(pace)}
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        f"http://127.0.0.1:{port}/api/v1/analyze",
    ]
    try:
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    data = json.loads(line[len("RESULT ") :])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=errors,
    )


def interval_ms(rate: float, threads: int) -> float:
    """Milliseconds between request starts in each wrk thread for `rate` requests/s overall."""
    return threads * 1000 / rate if rate else 0


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per minute."""
    n = len(samples)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return 60 * cov / var if var else 0.0


def describe(name: str, run: Run) -> str:
    return (
        f"{name:<12} {run.rps:8.1f} req/s  p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms  "
        f"max {run.max_ms:7.1f} ms  errors {run.errors}  ({run.requests} requests)"
    )


def soak(port: int, master: int, body: Path, args: argparse.Namespace) -> None:
    """Hold about --rate req/s for --soak seconds, sampling worker RSS every 10 s."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "wrk.out"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        pace = interval_ms(args.rate, args.threads)
        env = {**os.environ, "LOAD_BODY": str(body), "LOAD_INTERVAL_MS": str(pace)}
        command = ["wrk", f"-t{args.threads}", f"-c{args.paced_connections}", f"-d{args.soak}s"]
        command += ["--timeout", "10s", "-s", script.name]
        command += [f"http://127.0.0.1:{port}/api/v1/analyze"]
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        with out_path.open("w") as out:
            wrk = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
            print(f"soak: {args.soak} s paced at {args.rate} req/s")
            while wrk.poll() is None:
                elapsed = time.monotonic() - started
                pids = worker_pids(master)
                total = sum(rss_mb(p) for p in pids)
                samples.append((elapsed, total))
                print(f"  t={elapsed:6.0f}s  workers={len(pids)}  RSS total {total:7.1f} MB")
                sys.stdout.flush()
                time.sleep(10)
        os.unlink(script.name)
        text = out_path.read_text()
    line = next(x for x in text.splitlines() if x.startswith("RESULT "))
    data = json.loads(line[len("RESULT ") :])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    run = Run(
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        data["max_us"] / 1000,
        errors,
    )
    print(describe("soak", run))
    # The first minute includes warm-up (imports, caches filling): the trend is taken after it.
    steady = [s for s in samples if s[0] >= 60] or samples
    slope = slope_mb_per_min(steady)
    first, last = steady[0][1], steady[-1][1]
    verdict = "flat" if abs(slope) < 1.0 else "GROWING" if slope > 0 else "shrinking"
    print(
        f"soak RSS: {first:.1f} MB -> {last:.1f} MB, slope {slope:+.2f} MB/min after "
        f"the first minute ({verdict})"
    )


SETUPS = {
    # name: (extra gunicorn arguments, extra environment)
    "bounded (default)": ([], {}),
    "unbounded, same worker": ([], {"LINKINSPECTOR_ANALYSIS_PROCESSES": "0"}),
    "before: sync workers": (
        ["--worker-class", "sync"],
        {"LINKINSPECTOR_ANALYSIS_PROCESSES": "0"},
    ),
}


def compare_isolation(args: argparse.Namespace, body: Path) -> None:
    """Throughput of the bounded analysis against the same server with the engine in the
    worker, and against sync workers (the set-up before the bound): all three servers run at
    once, and full-speed runs take turns, `--rounds` times."""
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    setups = {name: SETUPS[name] for name in SETUPS if not args.skip_sync or "sync" not in name}
    try:
        for name, (extra, env) in setups.items():
            port = free_port()
            server = start_gunicorn(
                "server:create_app()", port, args.workers, ["--max-requests", "0", *extra], env
            )
            servers[name] = (server, port)
            run_wrk(port, body, 3, args.connections, args.threads)  # warm-up
        runs: dict[str, list[Run]] = {name: [] for name in servers}
        cpu_ms: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (server, port) in servers.items():
                tree = descendants(server.pid)
                before = cpu_seconds(tree)
                run = run_wrk(port, body, args.seconds, args.connections, args.threads)
                tree = sorted(set(tree) | set(descendants(server.pid)))
                runs[name].append(run)
                cpu_ms[name].append(1000 * (cpu_seconds(tree) - before) / max(run.requests, 1))
        print(f"full speed, {args.rounds} rounds of {args.seconds} s taken in turns:")
        best = {name: max(r.rps for r in rs) for name, rs in runs.items()}
        for name, rs in runs.items():
            server, _ = servers[name]
            tree = descendants(server.pid)
            rss = sum(rss_mb(p) for p in tree)
            pss = sum(pss_mb(p) for p in tree)
            errors = sum(r.errors for r in rs)
            print(
                f"  {name:<24} best {best[name]:6.1f} req/s  (runs: "
                + ", ".join(f"{r.rps:.0f}" for r in rs)
                + f")  CPU/request {min(cpu_ms[name]):.2f} ms  PSS {pss:.0f} MB (RSS {rss:.0f})"
                f" in {len(tree)} processes  errors {errors}"
            )
        ratio = best["bounded (default)"] / best["unbounded, same worker"]
        print(f"bounded / unbounded: {ratio:.3f} (target >= 0.90)")
        if "before: sync workers" in best:
            before = best["bounded (default)"] / best["before: sync workers"]
            print(f"bounded / sync workers before: {before:.3f}")
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", type=Path, default=DEFAULT_PAGE)
    parser.add_argument("--seconds", type=int, default=20, help="length of each full-speed run")
    parser.add_argument(
        "--workers", type=int, default=None, help="default: gunicorn.conf.py's (2 x cores + 1)"
    )
    parser.add_argument("--connections", type=int, default=8, help="full-speed connections")
    parser.add_argument(
        "--paced-connections",
        type=int,
        default=16,
        help="connections of the paced runs: enough that one is free at each start",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--soak", type=int, default=0, help="seconds of soak after the runs")
    parser.add_argument("--rate", type=int, default=TARGET_RPS, help="paced requests/s")
    parser.add_argument("--skip-bare", action="store_true", help="no bare-decode baseline")
    parser.add_argument(
        "--isolation",
        action="store_true",
        help="only compare bounded analysis, unbounded, and sync workers (see compare_isolation)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --isolation")
    parser.add_argument("--skip-sync", action="store_true", help="--isolation without sync")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/load.py needs wrk: apt-get install wrk")

    html = args.page.read_text(encoding="utf-8", errors="replace")
    body = Path(tempfile.mkstemp(suffix=".json")[1])
    body.write_text(json.dumps({"url": "https://www.iab.com/guidelines/", "html": html}))
    if args.isolation:
        try:
            compare_isolation(args, body)
        finally:
            body.unlink()
        return
    load1, load5, _ = os.getloadavg()
    print(f"machine load average before the run: {load1:.2f} (1 min), {load5:.2f} (5 min)")
    print(
        f"page {args.page.name}: {len(html) // 1024} KB; "
        f"{args.workers or 'gunicorn.conf.py'} workers, "
        f"wrk {args.threads} thread(s) x {args.connections} connections, {os.cpu_count()} CPUs"
    )
    # The soak measures growth, so workers are never recycled (max_requests 0) there.
    extra = ["--max-requests", "0"]
    try:
        port = free_port()
        server = start_gunicorn("server:create_app()", port, args.workers, extra)
        try:
            run_wrk(port, body, 3, args.connections, args.threads)  # warm-up
            workers = worker_pids(server.pid)
            cpu_before = cpu_seconds(workers)
            analyze = run_wrk(port, body, args.seconds, args.connections, args.threads)
            cpu_ms = 1000 * (cpu_seconds(workers) - cpu_before) / max(analyze.requests, 1)
            rss = [rss_mb(p) for p in worker_pids(server.pid)]
            print(describe("analyze", analyze))
            # CPU per request does not depend on what else runs on the machine: with C cores
            # free of other work, the ceiling is about C * 1000 / cpu_ms requests/s.
            cores = os.cpu_count() or 1
            print(
                f"worker CPU per request: {cpu_ms:.2f} ms "
                f"(ceiling ~{cores * 1000 / cpu_ms:.0f} req/s on {cores} idle cores, "
                "load generator excluded)"
            )
            print("worker RSS MB: " + ", ".join(f"{r:.1f}" for r in rss))
            paced = run_wrk(
                port, body, args.seconds, args.paced_connections, args.threads, args.rate
            )
            print(describe(f"at {args.rate}/s", paced))
            if args.soak:
                soak(port, server.pid, body, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
        if not args.skip_bare:
            port = free_port()
            bare_server = start_gunicorn("bare_decode:create_app()", port, args.workers, extra)
            try:
                run_wrk(port, body, 3, args.connections, args.threads)
                bare_workers = worker_pids(bare_server.pid)
                bare_before = cpu_seconds(bare_workers)
                bare = run_wrk(port, body, args.seconds, args.connections, args.threads)
                bare_cpu_ms = 1000 * (cpu_seconds(bare_workers) - bare_before) / bare.requests
            finally:
                bare_server.terminate()
                bare_server.wait(timeout=30)
            print(describe("bare decode", bare))
            print(f"bare decode worker CPU per request: {bare_cpu_ms:.2f} ms")
            print(f"analyze / bare decode: {analyze.rps / bare.rps:.2f} of the framework ceiling")
        ok = (
            analyze.rps >= TARGET_RPS
            and paced.p99_ms <= TARGET_P99_MS
            and paced.rps >= 0.97 * args.rate >= 0.97 * TARGET_RPS
            and not analyze.errors + paced.errors
        )
        print(
            f"targets (>= {TARGET_RPS} req/s at full speed; at {TARGET_RPS} req/s, p99 <= "
            f"{TARGET_P99_MS:.0f} ms; 0 errors): " + ("met" if ok else "MISSED")
        )
    finally:
        body.unlink()


if __name__ == "__main__":
    main()
