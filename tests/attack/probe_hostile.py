"""Hostile HTTP servers on 127.0.0.1 for the ``probe`` attack tests, and a runner for ``flask-preflight probe``.

``HostileServer`` is the probe tests' raw-socket server (``tests/probe/rawserver.py``: a thread per connection
on a free loopback port): it sends
exactly the bytes a test's responder returns - what no well-behaved server would send (a gzip-of-gzip body,
hundreds of ``Set-Cookie`` headers, a redirect to another port) - and records every request it read,
headers included, so a test can see what the probe sent. Every wait is bounded; ``close()`` shuts the
listener and all connections. Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from probe.rawserver import HOST, Request  # noqa: F401 - the attack tests' responders take a Request
from probe.rawserver import RawServer as HostileServer  # noqa: F401

RUN_LIMIT_S = 120.0  # hang guard for one probe run (not an assertion: the tests assert results, not times)


def response(status: str, headers: Sequence[Tuple[str, str]] = (), body: bytes = b"") -> Tuple[bytes, bytes]:
    """Raw HTTP/1.1 response bytes: the headers exactly as given (repeated ones too), then the body."""
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body


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
