"""What slow-header clients do to ``flask-preflight serve``, measured: is an ordinary request still answered
while K connections are sending their headers one byte a second?

For each server configuration (default: gunicorn gthread 1 worker × 4 threads, gunicorn sync 2 workers,
gunicorn gevent 1 worker, waitress with 4 threads) the script starts ``python -m flask_preflight serve
benchmarks/serve_app.py:app --bind 127.0.0.1:PORT`` as its own process group, then for each K (default
1, 2, 3, 4, 8, 60, 96, 100):

1. opens K connections that each send ``GET / HTTP/1.1``, a Host header and the start of an ``X-Slow``
   header, then one more byte every second (never the blank line that ends the headers);
2. after ``--settle`` seconds (1.5) sends an ordinary ``GET /`` on a new connection and records whether
   its status line arrives within ``--wait`` seconds (5), and how long it took;
3. closes the K connections and waits until an ordinary request is answered again before the next K.

Loopback only; at most 150 slow connections; every wait is bounded. The answer is a table of "answered in
N s" or "no answer in 5 s" per configuration and K. On the 2-core reference machine (gunicorn 27.0.1,
waitress 3.0.2, gevent 26.9.0) gthread stalled at K = 4 (its 4 threads), sync at K = 2 (its 2 workers),
waitress at K = 98 (its connection_limit, 100, counts two sockets of its own; K = 97 was
answered) and gevent was answered at every K up to 100.

Run: ``python benchmarks/bench_slow_clients.py [--slow 1,2,3,4,8,60,96,100] [--wait 5] [--settle 1.5]
[--config gthread,sync,gevent,waitress]``. Exit status 0 when every configuration was measured, 1 when a
server did not start, 2 for bad arguments. POSIX only (process groups).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
MAX_SLOW = 150
MAX_DRIP_S = 120.0
CONFIGS: Dict[str, Tuple[str, ...]] = {
    "gthread": ("--workers", "1", "--threads", "4"),
    "sync": ("--workers", "2", "--worker-class", "sync"),
    "gevent": ("--workers", "1", "--worker-class", "gevent"),
    "waitress": ("--server", "waitress", "--threads", "4"),
}
SLOW_START = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Slow: "
NORMAL = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def timed_get(port: int, wait: float) -> Optional[float]:
    """Seconds until an ordinary request's status line arrived, None if nothing came within ``wait``."""
    start = time.monotonic()
    try:
        with socket.create_connection((HOST, port), timeout=wait) as s:
            s.sendall(NORMAL)
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(1024)
                if not chunk:
                    return None
                data += chunk
    except OSError:  # socket.timeout included
        return None
    return time.monotonic() - start


class Slow:
    """K connections dripping one header byte a second until closed (or MAX_DRIP_S)."""

    def __init__(self, port: int, count: int) -> None:
        self.socks: List[socket.socket] = []
        for _ in range(count):
            s = socket.create_connection((HOST, port), timeout=10)
            s.sendall(SLOW_START)
            self.socks.append(s)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self) -> None:
        deadline = time.monotonic() + MAX_DRIP_S
        while not self.stop.wait(1.0) and time.monotonic() < deadline:
            for s in self.socks:
                try:
                    s.send(b"a")
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for s in self.socks:
            s.close()


def start_server(name: str, args: Sequence[str], logdir: Path) -> Tuple[subprocess.Popen, int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFLIGHT_", "FLASK_")) and k not in ("PORT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")
           and not k.lower().endswith("_proxy")}
    env["SECRET_KEY"] = secrets.token_hex(32)
    log = open(logdir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "flask_preflight", "serve", "benchmarks/serve_app.py:app",
                             "--bind", f"{HOST}:{port}", *args], cwd=str(ROOT), env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if timed_get(port, 2) is not None:
            return proc, port
        time.sleep(0.2)
    stop_server(proc)
    tail = (logdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-2000:]
    raise RuntimeError(f"{name} did not start (exit {proc.returncode}); its log ends:\n{tail}")


def stop_server(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue


def measure(name: str, args: Sequence[str], counts: Sequence[int], wait: float, settle: float,
            logdir: Path) -> List[Tuple[int, Optional[float]]]:
    proc, port = start_server(name, args, logdir)
    rows = []
    try:
        for k in counts:
            slow = Slow(port, k)
            try:
                time.sleep(settle)
                rows.append((k, timed_get(port, wait)))
            finally:
                slow.close()
            recovered = time.monotonic() + 60
            while timed_get(port, 5) is None and time.monotonic() < recovered:
                time.sleep(0.5)
            print(f"{name:9} K={k:3}  {fmt(rows[-1][1], wait)}", flush=True)
    finally:
        stop_server(proc)
    return rows


def fmt(seconds: Optional[float], wait: float) -> str:
    return f"answered in {seconds:.2f} s" if seconds is not None else f"no answer in {wait:g} s"


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--slow", default="1,2,3,4,8,60,96,100", help="slow-connection counts K, comma-separated")
    p.add_argument("--wait", type=float, default=5.0, help="seconds an ordinary request may take")
    p.add_argument("--settle", type=float, default=1.5, help="seconds between opening K and the request")
    p.add_argument("--config", default=",".join(CONFIGS), help="configurations: " + ", ".join(CONFIGS))
    args = p.parse_args(argv)
    try:
        args.slow = [int(x) for x in args.slow.split(",") if x.strip()]
    except ValueError:
        p.error("--slow: whole numbers, comma-separated")
    if not args.slow or any(not 0 < k <= MAX_SLOW for k in args.slow):
        p.error(f"--slow: each K between 1 and {MAX_SLOW}")
    args.config = [c.strip() for c in args.config.split(",") if c.strip()]
    unknown = [c for c in args.config if c not in CONFIGS]
    if unknown:
        p.error(f"--config: unknown {', '.join(unknown)}")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if os.name != "posix":
        print("bench_slow_clients.py: POSIX only (process groups)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as tmp:
        table = {}
        for name in args.config:
            try:
                table[name] = measure(name, CONFIGS[name], args.slow, args.wait, args.settle, Path(tmp))
            except RuntimeError as exc:
                print(f"bench_slow_clients.py: {exc}", file=sys.stderr)
                return 1
    print("\n| configuration | " + " | ".join(f"K={k}" for k in args.slow) + " |")
    print("|---|" + "---|" * len(args.slow))
    for name, rows in table.items():
        cells = [f"{s:.2f} s" if s is not None else "no answer" for _, s in rows]
        print(f"| {name} ({' '.join(CONFIGS[name])}) | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
