"""Hostile HTTP servers on 127.0.0.1 for the ``probe`` attack tests, and a runner for ``flask-preflight probe``.

``HostileServer`` is a raw-socket server (a thread per connection) on a free loopback port: it sends
exactly the bytes a test's responder returns - what no well-behaved server would send (a gzip-of-gzip body,
hundreds of ``Set-Cookie`` headers, a redirect to another port) - and records every request it read,
headers included, so a test can see what the probe sent. Every wait is bounded; ``close()`` shuts the
listener and all connections. Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

HOST = "127.0.0.1"
RUN_LIMIT_S = 120.0  # hang guard for one probe run (not an assertion: the tests assert results, not times)


@dataclass
class Request:
    method: str
    target: str
    headers: List[Tuple[str, str]] = field(default_factory=list)  # (lower-cased name, value), in order

    def header(self, name: str) -> Optional[str]:
        values = [v for k, v in self.headers if k == name.lower()]
        return ", ".join(values) if values else None


Body = Union[bytes, Iterable[bytes]]
Responder = Callable[[Request], Tuple[bytes, Body]]


def response(status: str, headers: Sequence[Tuple[str, str]] = (), body: bytes = b"") -> Tuple[bytes, bytes]:
    """Raw HTTP/1.1 response bytes: the headers exactly as given (repeated ones too), then the body."""
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body


class HostileServer:
    """A threaded raw HTTP server on a free loopback port; one request per connection."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.requests: List[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conns: List[socket.socket] = []
        self._threads: List[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._accept = threading.Thread(target=self._accept_loop, daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def __enter__(self) -> "HostileServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
                t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                self._threads.append(t)
            t.start()

    def _read(self, conn: socket.socket) -> Optional[Request]:
        conn.settimeout(10.0)
        data = b""
        while b"\r\n\r\n" not in data:
            if len(data) > 65536 or self._stop.is_set():
                return None
            chunk = conn.recv(4096)
            if not chunk:
                return None
            data += chunk
        lines = data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 2:
            return None
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        return Request(parts[0], parts[1], headers)

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._read(conn)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            head, body = self.responder(request)
            conn.sendall(head)
            for chunk in [body] if isinstance(body, bytes) else body:
                if self._stop.is_set():
                    return
                conn.sendall(chunk)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client stopped reading (a capped body) or went away
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self._accept.join(timeout=5)
        for t in threads:
            t.join(timeout=5)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report: Optional[dict] = None

    def describe(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.stdout[:6000]}\n--- stderr ---\n{self.stderr[-3000:]}"

    def target(self, url: str) -> dict:
        assert self.report is not None, self.describe()
        (found,) = [t for t in self.report["probe"]["targets"] if t["url"] == url]
        return found


def clean_env() -> Dict[str, str]:
    """No proxy settings (every request must go straight to 127.0.0.1), no colour."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("PREFLIGHT_")}
    env["NO_PROXY"] = env["no_proxy"] = f"{HOST},localhost"
    env["NO_COLOR"] = "1"
    return env


def run_probe(*args: str, fmt: str = "json") -> Run:
    """``flask-preflight probe ARGS --format FMT`` in a child process; JSON and SARIF output is parsed."""
    argv = [sys.executable, "-m", "flask_preflight", "probe", *args, "--format", fmt]
    proc = subprocess.run(argv, capture_output=True, text=True, env=clean_env(), timeout=RUN_LIMIT_S,
                          stdin=subprocess.DEVNULL)
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    if fmt in ("json", "sarif") and proc.returncode in (0, 1, 3):
        run.report = json.loads(proc.stdout)
    # (stdout may quote a traceback as a finding's evidence; the tool's own would be on stderr)
    assert "Traceback (most recent call last)" not in proc.stderr, run.describe()
    return run
