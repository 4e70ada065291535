"""Real ``flask-preflight serve`` processes on 127.0.0.1 for the serve tests.

The process plumbing (free ports, process groups, the parent-death launcher, certificates) is the probe
tests' own; this file adds what serve needs on top: starting ``python -m flask_preflight serve`` on a
free port, listing its worker processes, and watching a port that must never open.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from probe.conftest import HOST, ServerProcess, _clean_env, port_answers, start_server

APPS = Path(__file__).resolve().parent / "apps"
READY_TIMEOUT_S = 45.0  # the pre-start check imports the app in a child first; a loaded 2-core CI machine
SERVE = [sys.executable, "-m", "flask_preflight", "serve"]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")


def serve_env(**extra: str) -> Dict[str, str]:
    env = _clean_env()
    env["SECRET_KEY"] = secrets.token_hex(32)
    env.update(extra)
    return env


def start_serve(target: str, *args: str, log_dir: Path, env: Optional[Dict[str, str]] = None,
                name: str = "serve") -> ServerProcess:
    """``flask-preflight serve TARGET --bind 127.0.0.1:PORT ARGS`` in tests/serve/apps, started like the probe
    tests' servers; waits until the port answers (or raises with the log of a server that exited)."""
    return start_server(name, lambda port: [*SERVE, target, "--bind", f"{HOST}:{port}", *args], log_dir=log_dir,
                        cwd=APPS, env=env or serve_env(), ready_timeout=READY_TIMEOUT_S)


def children(pid: int) -> List[int]:
    """Direct child processes of ``pid`` (Linux /proc; ``ps`` elsewhere)."""
    pids: List[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    if task_dir.is_dir():
        for task in task_dir.iterdir():
            try:
                pids.extend(int(p) for p in (task / "children").read_text().split())
            except OSError:
                continue
        return sorted(set(pids))
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, timeout=10)
    return sorted(int(p) for p in out.stdout.split())


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class PortWatch:
    """Polls a port from a thread and remembers whether it ever accepted a connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if port_answers(self.port):
                self.opened = True
            time.sleep(0.02)

    def __enter__(self) -> "PortWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_serve(args: Sequence[str], *, env: Optional[Dict[str, str]] = None, timeout: float = 120,
              cwd: Path = APPS) -> subprocess.CompletedProcess:
    """``flask-preflight serve ARGS`` to completion (for runs that must end by themselves)."""
    return subprocess.run([*SERVE, *args], cwd=str(cwd), env=env or serve_env(), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def servers():
    """Started servers, stopped after the test whatever happens."""
    started: List[ServerProcess] = []
    yield started
    for s in started:
        s.stop()

