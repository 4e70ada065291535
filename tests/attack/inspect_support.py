"""Helpers for the attack tests on ``inspect``'s child and ``serve``'s workers (issue 13, items 12-14).

Every test runs the real CLI on a hostile app in tests/attack/apps/ and then looks at the machine itself:
the /proc scan below finds any process that carries the test's token in its environment (everything the
test started inherits it), so "nothing survives" is checked, not assumed.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

APPS = Path(__file__).resolve().parent / "apps"
HOST = "127.0.0.1"
RUN_TIMEOUT = 120  # a bound on each subprocess, never asserted on


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str

    @property
    def data(self) -> Dict[str, Any]:
        return json.loads(self.stdout)

    def rows(self, *rules: str) -> List[Tuple[str, str, int, Optional[int], str, str]]:
        """(rule, path, line, column, severity, message) of the findings of ``rules``, sorted."""
        return sorted((f["rule_id"], f["path"], f["line"], f["column"], f["severity"], f["message"])
                      for f in self.data["findings"] if f["rule_id"] in rules)

    @property
    def warnings(self) -> List[str]:
        return [ln for ln in self.stderr.splitlines() if "warning:" in ln]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def attack_env(**extra: str) -> Dict[str, str]:
    """A clean environment with a strong key, a fresh port and a token every started process inherits."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("PREFLIGHT_", "FLASK_", "ATTACK_"))}
    env.update(SECRET_KEY=secrets.token_hex(32), ATTACK_TOKEN=secrets.token_hex(8), ATTACK_PORT=str(free_port()),
               NO_COLOR="1")
    env.update(extra)
    return env


def inspect(target: str, env: Dict[str, str], *args: str) -> Run:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "inspect", target, "--format", "json", *args],
                          cwd=str(APPS), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def serve(target: str, env: Dict[str, str], *args: str) -> Run:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "serve", target, *args], cwd=str(APPS), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def survivors(token: str) -> List[int]:
    """Live processes whose environment holds ``ATTACK_TOKEN=token`` (Linux /proc scan)."""
    needle = f"ATTACK_TOKEN={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        state = stat[stat.rfind(b")") + 2:][:1]
        if needle in env and state not in (b"Z", b"X"):
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:][:1] not in (b"Z", b"X")


def shown_command(*argv: str) -> str:
    """How inspect names a process in its messages: the command line on one line, cut at 120 characters."""
    text = " ".join(" ".join(a.split()) for a in argv)
    return text if len(text) <= 120 else text[:117] + "..."


def app_constant(app: str, name: str) -> str:
    """A string constant of a hostile app, read without importing (importing it would run the attack)."""
    import ast

    tree = ast.parse((APPS / app).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(name)
