"""The measured answer to "why not the dev server": ``flask run`` next to ``flask-preflight serve``, in one run.

Same app, same machine, same load, side by side. ``benchmarks/serve_app.py`` (a JSON endpoint and a Jinja
page with a base template, security headers, SECRET_KEY from the environment) is served two ways, each as
its own process group on 127.0.0.1 and a free port:

- **dev**: ``python -m flask --app benchmarks/serve_app.py:app run --host 127.0.0.1 --port P`` - Werkzeug's
  development server, not in debug, threaded (a thread per connection), which is what people deploy when
  they deploy ``app.run()``;
- **serve**: ``python -m flask_preflight serve benchmarks/serve_app.py:app --bind 127.0.0.1:P`` with its
  defaults (gunicorn, gthread workers, 2 x cores + 1 workers, 4 threads, JSON access log on stdout).
  ``--workers N`` changes the worker count; ``--serve-arg`` passes any other flag, for experiments.

Both get the same random SECRET_KEY and an environment stripped of FLASK_*, PREFLIGHT_*, WEB_CONCURRENCY,
PORT and GUNICORN_CMD_ARGS, so each runs with its own defaults. Both log every request (Werkzeug to stderr,
serve to stdout), into files, as they would in production. A server counts as ready when ``GET /`` answers
200; it gets ``--ready-timeout`` seconds (serve imports and checks the app first), after which the script
stops with the server's stderr tail.

**Load.** For each concurrency C (default 1, 16, 64) each server gets exactly C HTTP/1.1 connections, each
sending its next request as soon as the previous response has been read (a closed loop, no pipelining),
alternating ``GET /api/items?page=2`` and ``GET /``. Connections are kept alive when the server allows it:
gunicorn does, Werkzeug's dev server never does (it answers every request with ``Connection: close``,
because http.server cannot drain a request body before the next request line), so against the dev server
every request pays a new TCP connection and a new thread - that is part of what is measured. A warm-up
(``--warmup``, 1 s) is discarded, then ``--duration`` seconds (5 s) are measured: requests/s is the 200
responses completed inside that window divided by its length, p50/p99 are taken (nearest rank) over their
latencies, from writing the request to reading the last body byte. The servers take turns going first at
each concurrency. serve is measured only once all its workers are up (its process group has stopped
changing), not as soon as the first worker answers.

The generator is ``wrk --latency`` (with a Lua script rotating the paths; wrk's own p50/p99, its CPU from
rusage) when ``wrk`` is on PATH (Debian: ``apt-get install wrk``), else a Python generator: ``--load-procs``
separate processes of this script (``--load-worker`` mode; by default one per CPU, at most C) started with
a common start time, each an asyncio event loop driving its share of the connections through raw-socket
protocols - callbacks, no task per request - so a response's arrival sends the next request without a
scheduler round trip. ``--loadgen`` forces either one.

**Errors.** A non-200 status, a connection refused or reset, a response cut short or no response within
``--timeout`` (10 s), at any time during warm-up or measurement, is an error; a row with errors is marked
``!`` and its errors are listed. One thing is not an error but is counted and shown as *retried*: a
keep-alive connection that the server closes before answering a request sent on it after an earlier
response (a gunicorn worker that exits after ``max_requests`` can do this); as HTTP clients and proxies
do for an idempotent GET, the request is sent once more on a new connection, and its latency includes the
reconnect. wrk counts such closes as socket errors.

**Honest limits.** The load generator runs on the same machine and shares its cores with the server (2
on the reference machine): every CPU-second it spends is one the server does not get, and that hurts the
server that can use every core (serve, several processes) more than the dev server (one process, one
GIL). So the generator's own CPU over the window is measured and shown ("gen CPU", in cores; for the Python
generator it includes the kernel's loopback TCP work done in its system calls), and, before the servers,
the Python generator is calibrated against a trivial asyncio server that answers every request with a
canned 200 (``--no-calibrate`` skips it): its CPU cost per request and the rate it can drive at all,
printed as headroom over the fastest rate measured against the Flask app. On the reference machine (2
cores) it costs about 35-50 us of CPU per keep-alive request and reaches about 15,000-20,000 req/s against
the trivial server at C=64 (which is then the bottleneck, one process), some 10x the fastest Flask rate, so
it is not what limits either server; but a new connection per request (the dev server) costs it about
0.35 ms of CPU, so during dev runs it takes about 0.25-0.3 of a core, and during serve runs about 0.1-0.15.
Both servers also write an access-log line per request. Loopback has no network latency, so p99 here is
queueing and CPU, not round trips. serve's p99 can come out above the dev server's: a kept-alive connection
stays with the worker that accepted it, so workers get uneven shares of the C connections, and workers are
recycled after ``max_requests`` (1000 + jitter); on the reference machine turning recycling off
(``--serve-arg=--max-requests --serve-arg=0``) raised throughput but left p99 above the dev server's, so
the table reports what the defaults do, not an explanation. Absolute numbers mean
little across machines and a busy machine lowers them (the 1-minute load average is recorded and a warning
printed when it is high); the ratios (same app, same machine, same run) are the point.

Run: ``python benchmarks/bench_serve.py [--duration 5] [--warmup 1] [--concurrency 1,16,64] [--workers N]
[--loadgen auto|wrk|python] [--load-procs N] [--json OUT]``. Exit status: 0 when both servers were measured
at every concurrency (rows with errors are marked, not failed: errors under load are part of the answer);
1 when a server did not start or died, or the load generator failed; 2 for bad arguments or when
``flask-preflight serve`` is not available. POSIX only (process groups).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
APP_TARGET = "benchmarks/serve_app.py:app"  # resolved from ROOT, the servers' working directory
PATHS = ("/api/items?page=2", "/")
HOST = "127.0.0.1"
MAX_HEADER = 64 * 1024


# ---- statistics ------------------------------------------------------------------------------------
def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values: an observed latency, never an interpolation.

    p99 of 100 values is the 99th smallest, of 1000 values the 990th. Raises ValueError on no values
    (a rate with no requests has no latency, and pretending 0 would read as "fast").
    """
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not within 0..100")
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def split_connections(connections: int, procs: int) -> List[int]:
    """Share C connections among at most ``procs`` generator processes, as evenly as possible, none empty."""
    if connections < 1 or procs < 1:
        raise ValueError("connections and procs must be >= 1")
    procs = min(procs, connections)
    base, extra = divmod(connections, procs)
    return [base + (1 if i < extra else 0) for i in range(procs)]


def summarize(parts: Iterable[Dict[str, Any]], duration: float) -> Dict[str, Any]:
    """Merge the load workers' results of one run into the numbers the table shows.

    Each part has ``latencies_us`` (one per 200 response completed inside the measured window), ``errors``
    (kind -> count), ``retries`` and ``cpu_s`` (the worker's CPU over the window). Latencies are merged
    before taking percentiles: a p99 of per-worker p99s would be wrong.
    """
    if duration <= 0:
        raise ValueError("duration must be > 0")
    latencies: List[int] = []
    errors: Counter = Counter()
    retries = 0
    cpu = 0.0
    for part in parts:
        latencies.extend(part["latencies_us"])
        errors.update(part.get("errors", {}))
        retries += int(part.get("retries", 0))
        cpu += float(part.get("cpu_s", 0.0))
    latencies.sort()
    out: Dict[str, Any] = {"requests": len(latencies), "duration_s": duration,
                           "rps": len(latencies) / duration, "errors": dict(errors),
                           "error_count": sum(errors.values()), "retries": retries, "gen_cpu_cores": cpu / duration}
    if latencies:
        out.update(p50_ms=percentile(latencies, 50) / 1000.0, p99_ms=percentile(latencies, 99) / 1000.0,
                   max_ms=latencies[-1] / 1000.0, mean_ms=sum(latencies) / len(latencies) / 1000.0)
    else:
        out.update(p50_ms=None, p99_ms=None, max_ms=None, mean_ms=None)
    return out


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """a / b, or None when either is missing or b is 0 (no ratio is better than an infinite one)."""
    if a is None or b is None or b == 0:
        return None
    return a / b


# ---- wrk -------------------------------------------------------------------------------------------
_WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def wrk_time_ms(text: str) -> float:
    """wrk's human latency ("812.00us", "1.52ms", "2.01s") in milliseconds."""
    m = re.fullmatch(r"\s*([0-9.]+)(us|ms|s|m|h)\s*", text)
    if not m:
        raise ValueError(f"not a wrk time: {text!r}")
    return float(m.group(1)) * _WRK_UNITS_MS[m.group(2)]


def parse_wrk(text: str) -> Dict[str, Any]:
    """The numbers of one ``wrk --latency`` report: requests, seconds, req/s, p50/p99 (ms) and errors.

    wrk counts a non-2xx/3xx response as a request and reports it separately; socket errors are
    connect/read/write/timeout counts. Both become errors here, like the Python generator's.
    """
    m = re.search(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h)", text, re.M)
    rps = re.search(r"^Requests/sec:\s*([0-9.]+)", text, re.M)
    if not m or not rps:
        raise ValueError("not a wrk report:\n" + text)
    dist = dict((p, wrk_time_ms(v)) for p, v in re.findall(r"^\s*(50|75|90|99)%\s+(\S+)\s*$", text, re.M))
    if "50" not in dist or "99" not in dist:
        raise ValueError("wrk report without --latency distribution:\n" + text)
    errors: Dict[str, int] = {}
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        for kind, value in zip(("connect", "read", "write", "timeout"), sock.groups()):
            if int(value):
                errors[f"socket {kind}"] = int(value)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx and int(non2xx.group(1)):
        errors["non-2xx/3xx"] = int(non2xx.group(1))
    total = int(m.group(1))
    bad = errors.get("non-2xx/3xx", 0)
    return {"requests": total - bad, "duration_s": wrk_time_ms(m.group(2) + m.group(3)) / 1000.0,
            "rps": float(rps.group(1)) * (total - bad) / total if total else 0.0,
            "p50_ms": dist["50"], "p99_ms": dist["99"], "errors": errors, "error_count": sum(errors.values()),
            "retries": 0}


WRK_SCRIPT = """-- written by bench_serve.py: rotate the request paths, as the Python generator does
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def run_wrk(wrk: str, port: int, connections: int, duration: float, warmup: float, timeout: float,
            script: str) -> Dict[str, Any]:
    """One wrk run (after an unmeasured warm-up run); wrk's CPU comes from its rusage (os.wait4)."""
    threads = min(connections, max(1, available_cpus()))
    url = f"http://{HOST}:{port}/"
    base = [wrk, "-t", str(threads), "-c", str(connections), "--timeout", f"{max(1, math.ceil(timeout))}s",
            "-s", script]
    if warmup > 0:  # wrk takes whole seconds
        subprocess.run(base + ["-d", f"{max(1, math.ceil(warmup))}s", url], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=warmup + timeout + 30, check=False)
    seconds = max(1, round(duration))
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(base + ["-d", f"{seconds}s", "--latency", url], stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited {proc.returncode}:\n{text}")
    result = parse_wrk(text)
    result["gen_cpu_cores"] = (usage.ru_utime + usage.ru_stime) / result["duration_s"]
    return result


# ---- the Python load generator (runs in --load-worker processes) -------------------------------------
class _Conn(asyncio.Protocol):
    """One keep-alive connection: a tiny HTTP/1.1 response parser driven by data_received callbacks."""

    def __init__(self, gen: "_Generator") -> None:
        self.gen = gen
        self.transport: Optional[asyncio.Transport] = None
        self.buf = bytearray()
        self.need = -1  # bytes of the whole response once the header is parsed
        self.status = 0
        self.close_after = False
        self.sent_at: Optional[float] = None  # when the in-flight request was first sent
        self.request = b""
        self.served = 0  # responses read on this connection
        self.got_bytes = False  # any byte of the in-flight response seen
        self.retry = False  # the in-flight request is already a retry
        self.dead = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, request: bytes, sent_at: float, retry: bool = False) -> None:
        self.request, self.sent_at, self.retry, self.got_bytes = request, sent_at, retry, False
        assert self.transport is not None
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        self.buf += data
        while self.sent_at is not None:
            if self.need < 0:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buf) > MAX_HEADER:
                        self.fail("header too large")
                    return
                if not self._parse_header(bytes(self.buf[:end]), end + 4):
                    return
            if len(self.buf) < self.need:
                return
            del self.buf[:self.need]
            self.need = -1
            self.served += 1
            self.gen.done(self, self.status, self.close_after)
            return

    def _parse_header(self, head: bytes, header_len: int) -> bool:
        lines = head.split(b"\r\n")
        parts = lines[0].split(None, 2)
        try:
            self.status = int(parts[1])
        except (IndexError, ValueError):
            self.fail("bad status line")
            return False
        length = None
        connection = b""
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection":
                connection = value.strip().lower()
            elif name == b"transfer-encoding":
                self.fail("chunked response (not expected from this app)")
                return False
        if length is None:
            self.fail("response without Content-Length")
            return False
        self.close_after = connection == b"close" or (parts[0] == b"HTTP/1.0" and connection != b"keep-alive")
        self.need = header_len + length
        return True

    def fail(self, kind: str) -> None:
        """An error on this connection: count it once, drop the connection, open a new one."""
        if self.dead:
            return
        self.dead = True
        self.gen.error(kind)
        if self.transport is not None:
            self.transport.abort()
        self.gen.reconnect()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        if self.dead:
            return
        self.dead = True
        self.gen.lost(self, exc)


class _Generator:
    """C connections in one process, closed loop, measuring only what completes inside the window."""

    def __init__(self, port: int, connections: int, begin: float, warmup: float, duration: float,
                 timeout: float, offset: int) -> None:
        self.loop = asyncio.get_event_loop()
        self.port = port
        self.connections = connections
        self.begin = begin
        self.m_start = begin + warmup
        self.m_end = self.m_start + duration
        self.timeout = timeout
        self.requests = [f"GET {p} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: bench_serve\r\n"
                         f"Accept: */*\r\n\r\n".encode("ascii") for p in PATHS]
        self.next_request = offset
        self.conns: List[_Conn] = []
        self.latencies: List[int] = []
        self.errors: Counter = Counter()
        self.retries = 0
        self.reconnects = 0
        self.cpu_start = 0.0
        self.cpu_end = 0.0
        self.stopping = False

    def now(self) -> float:
        return time.perf_counter()

    def error(self, kind: str) -> None:
        if self.now() < self.m_end and not self.stopping:
            self.errors[kind] += 1

    def issue(self, conn: _Conn) -> None:
        if self.stopping or conn.dead:
            return
        request = self.requests[self.next_request % len(self.requests)]
        self.next_request += 1
        conn.send(request, self.now())

    def done(self, conn: _Conn, status: int, close: bool) -> None:
        t = self.now()
        if conn.sent_at is not None and t < self.m_end:
            if status != 200:
                self.error(f"status {status}")
            elif t >= self.m_start:
                self.latencies.append(int((t - conn.sent_at) * 1e6))
        conn.sent_at = None
        if close:
            conn.dead = True
            if conn.transport is not None:
                conn.transport.close()
            self.reconnect()
        else:
            self.issue(conn)

    def lost(self, conn: _Conn, exc: Optional[Exception]) -> None:
        if self.stopping:
            return
        if conn.sent_at is not None:
            if conn.served > 0 and not conn.got_bytes and not conn.retry:
                # the server closed a reused keep-alive connection without answering: resend once
                self.retries += 1
                self.reconnect(conn.request, conn.sent_at)
                return
            self.error("reset" if exc is not None else "closed mid-response")
        self.reconnect()

    def reconnect(self, request: Optional[bytes] = None, sent_at: Optional[float] = None) -> None:
        if not self.stopping:
            self.reconnects += 1
            self.loop.create_task(self.connect(request, sent_at))

    async def connect(self, request: Optional[bytes] = None, sent_at: Optional[float] = None) -> None:
        while not self.stopping:
            try:
                _, conn = await self.loop.create_connection(lambda: _Conn(self), HOST, self.port)
            except OSError as exc:
                self.error(f"connect: {exc.__class__.__name__}")
                await asyncio.sleep(0.05)
                continue
            self.conns.append(conn)
            if request is not None and sent_at is not None:
                conn.send(request, sent_at, retry=True)
            elif self.now() >= self.begin:
                self.issue(conn)
            return

    def _cpu(self) -> float:
        t = os.times()
        return t.user + t.system

    def _mark_start(self) -> None:
        self.cpu_start = self._cpu()

    async def run(self) -> Dict[str, Any]:
        await asyncio.gather(*(self.connect() for _ in range(self.connections)))
        await asyncio.sleep(max(0.0, self.begin - self.now()))
        late = self.now() - self.begin
        self.loop.call_later(max(0.0, self.m_start - self.now()), self._mark_start)
        for conn in list(self.conns):
            if conn.sent_at is None and not conn.dead:
                self.issue(conn)
        while self.now() < self.m_end:
            await asyncio.sleep(min(0.05, max(0.0, self.m_end - self.now())))
            limit = self.now() - self.timeout
            for conn in self.conns:
                if not conn.dead and conn.sent_at is not None and conn.sent_at < limit:
                    conn.fail("timeout")
            self.conns = [c for c in self.conns if not c.dead]
        self.cpu_end = self._cpu()
        self.stopping = True
        for conn in self.conns:
            if conn.transport is not None:
                conn.transport.abort()
        await asyncio.sleep(0)
        return {"latencies_us": self.latencies, "errors": dict(self.errors), "retries": self.retries,
                "reconnects": self.reconnects - self.retries, "cpu_s": self.cpu_end - self.cpu_start,
                "late_s": max(0.0, late)}


def load_worker_main(spec: Dict[str, Any]) -> int:
    """--load-worker: run one share of the connections and print the result as JSON on stdout."""
    begin = time.perf_counter() + max(0.0, spec["start_at"] - time.time())

    async def go() -> Dict[str, Any]:
        gen = _Generator(spec["port"], spec["connections"], begin, spec["warmup"], spec["duration"],
                         spec["timeout"], spec["offset"])
        return await gen.run()

    result = asyncio.run(go())
    json.dump(result, sys.stdout)
    return 0


def run_python_load(port: int, connections: int, duration: float, warmup: float, timeout: float,
                    procs: int) -> Dict[str, Any]:
    """Start the --load-worker processes with a common start time, collect and merge their results."""
    shares = split_connections(connections, procs)
    start_at = time.time() + 0.3 + 0.1 * len(shares)  # after every worker's interpreter has started
    workers: List[subprocess.Popen] = []
    try:
        for i, share in enumerate(shares):
            spec = {"port": port, "connections": share, "start_at": start_at, "warmup": warmup,
                    "duration": duration, "timeout": timeout, "offset": i}
            workers.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), "--load-worker",
                                             json.dumps(spec)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            text=True))
        parts = []
        deadline = start_at - time.time() + warmup + duration + timeout + 30
        for w in workers:
            out, err = w.communicate(timeout=max(1.0, deadline))
            if w.returncode != 0:
                raise RuntimeError(f"load worker exited {w.returncode}:\n{err[-2000:]}")
            parts.append(json.loads(out))
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
    result = summarize(parts, duration)
    result["late_s"] = max(p["late_s"] for p in parts)
    result["reconnects"] = sum(p["reconnects"] for p in parts)
    result["load_procs"] = len(shares)
    return result


# ---- a trivial server, to calibrate the Python generator ----------------------------------------------
class _Trivial(asyncio.Protocol):
    BODY = b'{"ok": true}'
    RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % len(BODY)) + BODY

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        n = self.buf.count(b"\r\n\r\n")
        if n:
            self.buf = self.buf[self.buf.rfind(b"\r\n\r\n") + 4:]
            self.transport.write(self.RESPONSE * n)  # type: ignore[attr-defined]


def trivial_server_main(port: int) -> int:
    """--trivial-server: answer every request with a canned 200 (no parsing, no app) until killed."""
    async def serve() -> None:
        server = await asyncio.get_event_loop().create_server(_Trivial, HOST, port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())
    return 0


# ---- server processes --------------------------------------------------------------------------------
def free_port() -> int:
    """A port nobody listens on right now (the kernel picks it; the tiny race is acceptable on loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def group_pids(pgid: int) -> List[int]:
    """Live processes of a process group, from /proc (Linux); empty list elsewhere or when none is left."""
    pids = []
    proc = Path("/proc")
    if not proc.is_dir():
        return pids
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class Server:
    """A server started in its own session (so its whole process group can be signalled) with logs in files."""

    def __init__(self, name: str, cmd: List[str], env: Dict[str, str], port: int, logdir: Path) -> None:
        self.name, self.cmd, self.env, self.port = name, cmd, env, port
        self.out_path = logdir / f"{name}.stdout.log"
        self.err_path = logdir / f"{name}.stderr.log"
        self.proc: Optional[subprocess.Popen] = None
        self.pgid = 0
        self.started = 0.0

    def start(self) -> None:
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.started = time.monotonic()
        self.pgid = self.proc.pid  # a new session's leader: pgid == pid

    def tail(self, n: int = 25) -> str:
        try:
            with open(self.err_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 8192))
                lines = fh.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def wait_ready(self, timeout: float) -> float:
        """Poll ``GET /`` until it answers 200; raise with the stderr tail if the server dies or times out.

        Returns the seconds since start. ``timeout`` counts from the start too, so servers started together
        and waited for one after the other each get the whole of it.
        """
        assert self.proc is not None
        start = self.started
        last = "no answer"
        while time.monotonic() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited {self.proc.returncode} before it was ready "
                                   f"({' '.join(self.cmd)}); stderr tail:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.monotonic() - start
                last = f"status {status}"
            except OSError as exc:
                last = f"{exc.__class__.__name__}: {exc}"
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} server not ready after {timeout:.0f}s ({last}) "
                           f"({' '.join(self.cmd)}); stderr tail:\n{self.tail()}")

    def settle(self, quiet: float = 1.0, limit: float = 30.0) -> int:
        """Wait until the process group has had the same members for ``quiet`` seconds; return their number.

        gunicorn answers as soon as its first worker is up, while the others are still booting: measuring
        then would hand serve a head start in warm-up (or a handicap). Without /proc this returns 0 at once.
        """
        if not Path("/proc").is_dir():
            return 0
        deadline = time.monotonic() + limit
        members = sorted(group_pids(self.pgid))
        since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = sorted(group_pids(self.pgid))
            if now != members:
                members, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return len(members)

    def check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} server died (exit {self.proc.returncode}); stderr tail:\n"
                               f"{self.tail()}")

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the whole group, wait, then SIGKILL whatever is left (workers included). Idempotent."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pgid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self.proc.poll() is not None and not group_alive(self.pgid):
                    break
                time.sleep(0.05)
            if self.proc.poll() is not None and not group_alive(self.pgid):
                break
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def server_env(secret: str) -> Dict[str, str]:
    """This environment without anything that would change either server's defaults, plus the secret."""
    drop = ("FLASK_", "PREFLIGHT_", "WERKZEUG_")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(drop) and k not in ("WEB_CONCURRENCY", "PORT", "GUNICORN_CMD_ARGS",
                                                    "FORWARDED_ALLOW_IPS")}
    env.update(SECRET_KEY=secret, FLASK_SKIP_DOTENV="1", NO_COLOR="1", PYTHONUNBUFFERED="1")
    return env


def dev_command(port: int) -> List[str]:
    return [sys.executable, "-m", "flask", "--app", APP_TARGET, "run", "--host", HOST, "--port", str(port)]


def serve_command(port: int, workers: Optional[int], extra: Sequence[str] = ()) -> List[str]:
    cmd = [sys.executable, "-m", "flask_preflight", "serve", APP_TARGET, "--bind", f"{HOST}:{port}"]
    if workers:
        cmd += ["--workers", str(workers)]
    return cmd + list(extra)


def serve_available() -> Tuple[bool, str]:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "serve", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    return proc.returncode == 0, (proc.stderr or proc.stdout).strip()


def serve_print_config(env: Dict[str, str], port: int, workers: Optional[int], extra: Sequence[str]) -> str:
    """serve's own account of its effective settings (``--print-config``), for the record; "" if it fails."""
    try:
        proc = subprocess.run(serve_command(port, workers, extra) + ["--print-config"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout if proc.returncode == 0 else ""


# ---- machine -----------------------------------------------------------------------------------------
def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def version_of(dist: str) -> str:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # not installed, or metadata broken: say so rather than fail the benchmark
        return "not installed"


def machine_info(wrk: Optional[str]) -> Dict[str, Any]:
    info: Dict[str, Any] = {
        "cpus": os.cpu_count(), "cpus_available": available_cpus(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(), "machine": platform.machine(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "versions": {d: version_of(d) for d in ("flask", "werkzeug", "jinja2", "gunicorn", "waitress",
                                                "flask-preflight")},
    }
    if wrk:
        proc = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        info["wrk"] = (proc.stdout or proc.stderr).strip().splitlines()[0] if (proc.stdout or proc.stderr) else wrk
    return info


# ---- driver ------------------------------------------------------------------------------------------
def parse_concurrency(text: str) -> List[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("concurrency values must be >= 1")
    return values


def positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--duration", type=positive, default=5.0, help="measured seconds per run [5]")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each run [1]")
    p.add_argument("--concurrency", type=parse_concurrency, default=[1, 16, 64],
                   help="comma-separated connection counts [1,16,64]")
    p.add_argument("--workers", type=int, default=None,
                   help="passed to flask-preflight serve as --workers N (default: serve's own default)")
    p.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for flask-preflight serve, repeatable, for experiments (e.g. "
                        "--serve-arg=--max-requests --serve-arg=0); the reported defaults are without it")
    p.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto",
                   help="load generator: wrk if on PATH (auto), or the Python one [auto]")
    p.add_argument("--load-procs", type=int, default=0,
                   help="Python generator processes per run (default: one per CPU, at most C)")
    p.add_argument("--timeout", type=positive, default=10.0, help="per-request timeout, an error after [10]")
    p.add_argument("--ready-timeout", type=positive, default=60.0, help="seconds a server may take to start [60]")
    p.add_argument("--no-calibrate", action="store_true", help="skip the generator's calibration run")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="also write every number to OUT as JSON")
    p.add_argument("--load-worker", metavar="SPEC", help=argparse.SUPPRESS)
    p.add_argument("--trivial-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.warmup < 0:
        p.error("--warmup must be >= 0")
    if args.workers is not None and args.workers < 1:
        p.error("--workers must be >= 1")
    if args.load_procs < 0:
        p.error("--load-procs must be >= 0")
    return args


def fmt(value: Optional[float], spec: str) -> str:
    return "-" if value is None else format(value, spec)


def calibrate(args: argparse.Namespace, procs: int, logdir: Path) -> Dict[str, Any]:
    """The Python generator against a canned-response server: its CPU per request and its ceiling here."""
    conc = max(args.concurrency)
    port = free_port()
    trivial = Server("trivial", [sys.executable, os.path.abspath(__file__), "--trivial-server", str(port)],
                     dict(os.environ), port, logdir)
    trivial.start()
    try:
        trivial.wait_ready(args.ready_timeout)
        duration = min(args.duration, 2.0)
        r = run_python_load(port, conc, duration, min(args.warmup, 0.5), args.timeout,
                            procs or min(conc, available_cpus()))
    finally:
        trivial.stop()
    r["concurrency"] = conc
    r["cpu_us_per_request"] = r["gen_cpu_cores"] * r["duration_s"] / r["requests"] * 1e6 if r["requests"] else None
    return r


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.load_worker:
        return load_worker_main(json.loads(args.load_worker))
    if args.trivial_server:
        return trivial_server_main(args.trivial_server)
    if os.name != "posix":
        print("bench_serve: POSIX only (process groups, gunicorn)", file=sys.stderr)
        return 2

    wrk = shutil.which("wrk") if args.loadgen in ("auto", "wrk") else None
    if args.loadgen == "wrk" and not wrk:
        print("bench_serve: --loadgen wrk but wrk is not on PATH (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    ok, why = serve_available()
    if not ok:
        print(f"bench_serve: `flask-preflight serve` is not available:\n{why}", file=sys.stderr)
        return 2

    # SIGTERM/SIGHUP become an exception, so the finally below tears the servers down (SIGINT already is)
    def _raise(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise)

    info = machine_info(wrk)
    cpus = available_cpus()
    gen_name = "wrk" if wrk else "python"
    print(f"dev server vs flask-preflight serve - {info['python']}, {info['machine']}, {info['cpus']} CPUs "
          f"({cpus} available); " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(f"load: {gen_name}{' (' + info['wrk'] + ')' if wrk else ''}, keep-alive, paths {', '.join(PATHS)}; "
          f"warm-up {args.warmup:g}s, measured {args.duration:g}s per run; concurrency "
          f"{','.join(map(str, args.concurrency))}")
    load = info["loadavg"]
    if load and load[0] > 0.5 * cpus:
        print(f"warning: the machine is busy (1-minute load average {load[0]:.2f} on {cpus} CPUs): other "
              f"processes take CPU from the servers, so the numbers will be low and noisy")
    if wrk and (args.duration != round(args.duration) or args.duration < 1):
        print(f"note: wrk takes whole seconds: each run measures {max(1, round(args.duration))}s")
    sys.stdout.flush()

    secret = secrets.token_hex(32)
    env = server_env(secret)
    report: Dict[str, Any] = {"machine": info, "loadgen": gen_name, "paths": list(PATHS),
                              "settings": {"duration_s": args.duration, "warmup_s": args.warmup,
                                           "concurrency": args.concurrency, "workers": args.workers,
                                           "timeout_s": args.timeout, "load_procs": args.load_procs,
                                           "serve_args": args.serve_arg},
                              "servers": {}, "results": []}
    servers: List[Server] = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="bench_serve-") as tmp:
        logdir = Path(tmp)
        script = logdir / "paths.lua"
        script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in PATHS), encoding="utf-8")
        try:
            if not wrk and not args.no_calibrate:
                cal = calibrate(args, args.load_procs, logdir)
                report["calibration"] = cal
                print(f"generator calibration (trivial canned-response server, C={cal['concurrency']}): "
                      f"{cal['rps']:,.0f} req/s, {fmt(cal['cpu_us_per_request'], '.1f')} us of generator CPU "
                      f"per request, {cal['error_count']} errors")
            dev_port, serve_port = free_port(), free_port()
            while serve_port == dev_port:
                serve_port = free_port()
            report["serve_print_config"] = serve_print_config(env, serve_port, args.workers, args.serve_arg)
            servers = [Server("dev", dev_command(dev_port), env, dev_port, logdir),
                       Server("serve", serve_command(serve_port, args.workers, args.serve_arg), env, serve_port, logdir)]
            for s in servers:
                s.start()
            for s in servers:
                ready = s.wait_ready(args.ready_timeout)
                procs = s.settle()
                report["servers"][s.name] = {"cmd": s.cmd, "port": s.port, "pid": s.proc.pid if s.proc else None,
                                             "pgid": s.pgid, "processes": procs, "ready_s": ready}
                print(f"{s.name:>5}: ready in {ready:.1f}s, pid {s.pgid} (process group, {procs} processes), "
                      f"{HOST}:{s.port}: {' '.join(s.cmd[1:])}")
            sys.stdout.flush()

            by_name = {s.name: s for s in servers}
            for i, conc in enumerate(args.concurrency):
                row: Dict[str, Any] = {"concurrency": conc}
                for name in (("dev", "serve") if i % 2 == 0 else ("serve", "dev")):
                    srv = by_name[name]
                    srv.check_alive()
                    if wrk:
                        row[name] = run_wrk(wrk, srv.port, conc, args.duration, args.warmup, args.timeout,
                                            str(script))
                    else:
                        row[name] = run_python_load(srv.port, conc, args.duration, args.warmup, args.timeout,
                                                    args.load_procs or min(conc, cpus))
                    srv.check_alive()
                row["rps_ratio"] = ratio(row["serve"]["rps"], row["dev"]["rps"])
                row["p99_ratio"] = ratio(row["serve"]["p99_ms"], row["dev"]["p99_ms"])
                report["results"].append(row)
                print(f"  C={conc}: dev {row['dev']['rps']:,.0f} req/s, serve {row['serve']['rps']:,.0f} req/s")
                sys.stdout.flush()
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"bench_serve: {exc}", file=sys.stderr)
            status = 1
        except KeyboardInterrupt as exc:
            print(f"bench_serve: interrupted ({exc or 'SIGINT'}), stopping the servers", file=sys.stderr)
            status = 130
        finally:
            for s in servers:
                s.stop()
            report["servers_stopped"] = {s.name: not group_alive(s.pgid) for s in servers}
            report["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None

    if report["results"]:
        print_table(report)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)
    return status


def verdict(results: List[Dict[str, Any]]) -> List[str]:
    lines = []
    for row in results:
        r, p = row["rps_ratio"], row["p99_ratio"]
        lines.append(f"C={row['concurrency']}: serve {fmt(r, '.2f')}x the dev server's requests/s, "
                     f"p99 {fmt(p, '.2f')}x the dev server's"
                     + (" (errors: results marked !)" if row["dev"]["error_count"] or row["serve"]["error_count"]
                        else ""))
    faster = [row for row in results if row["rps_ratio"] is not None and row["rps_ratio"] > 1]
    lines.append(f"serve has the higher throughput at {len(faster)} of {len(results)} concurrencies")
    return lines


def print_table(report: Dict[str, Any]) -> None:
    rows = report["results"]
    print()
    header = (f"{'C':>4} | {'dev req/s':>10} {'serve req/s':>12} {'serve/dev':>9} | {'dev p50':>8} "
              f"{'serve p50':>9} | {'dev p99':>8} {'serve p99':>9} {'serve/dev':>9} | {'errors d/s':>10} "
              f"{'retried d/s':>11} | {'gen CPU d/s':>11}")
    print(header)
    print("-" * len(header))
    notes = []
    for row in rows:
        d, s = row["dev"], row["serve"]
        md = "!" if d["error_count"] else " "
        ms = "!" if s["error_count"] else " "
        print(f"{row['concurrency']:>4} | {d['rps']:>9,.0f}{md} {s['rps']:>11,.0f}{ms} {fmt(row['rps_ratio'], '.2f'):>8}x"
              f" | {fmt(d['p50_ms'], '.2f'):>8} {fmt(s['p50_ms'], '.2f'):>9} | {fmt(d['p99_ms'], '.2f'):>8} "
              f"{fmt(s['p99_ms'], '.2f'):>9} {fmt(row['p99_ratio'], '.2f'):>8}x | "
              f"{d['error_count']:>4} / {s['error_count']:<3} {d['retries']:>5} / {s['retries']:<4}"
              f" | {d['gen_cpu_cores']:>4.2f} / {s['gen_cpu_cores']:<4.2f}")
        for name, r in (("dev", d), ("serve", s)):
            if r["error_count"]:
                notes.append(f"! C={row['concurrency']} {name}: " + ", ".join(f"{k}: {v}" for k, v in
                                                                                 sorted(r["errors"].items())))
    print("latencies in ms; req/s serve/dev > 1 and p99 serve/dev < 1 favour serve; gen CPU = load generator "
          "cores used during the window (dev / serve)")
    for note in notes:
        print(note)
    cal = report.get("calibration")
    best = max((row[n]["rps"] for row in rows for n in ("dev", "serve")), default=0.0)
    if cal and best:
        print(f"generator headroom: {cal['rps']:,.0f} req/s against a trivial server = "
              f"{cal['rps'] / best:.1f}x the fastest rate measured here ({best:,.0f} req/s)")
    print()
    lines = verdict(rows)
    for line in lines:
        print(line)
    report["verdict"] = lines


if __name__ == "__main__":
    sys.exit(main())
