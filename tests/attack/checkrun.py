"""Running ``flask-preflight check`` as a real process on a real tree, with a clean environment.

The child gets its own HOME and cache directory (the cache signing key lives there), no ``GIT_*`` variables
of the developer's shell, and git identity for the commits the tests make.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

UNSAFE_APP = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
# PF102 at 3:1 and PF101 at 3:15, both high
UNSAFE_FINDINGS = [("PF102", 3, 1, "high"), ("PF101", 3, 15, "high")]
DEBUG_DOCKERFILE = 'FROM python:3.12\nENV FLASK_DEBUG=1\nCMD ["flask", "run", "--host=0.0.0.0"]\n'


def clean_env(home: Path, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("GIT_")}
    env.update({"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "NO_COLOR": "1",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    env.update(extra)
    return env


def need_git() -> str:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    return git


def git(repo: Path, *args: str, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """Plain git, as a developer would run it (the tests use it to build hostile repositories)."""
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith("GIT_")}
    base.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "t",
                 "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                 "GIT_COMMITTER_EMAIL": "t@example.com"})
    base.update(env or {})
    return subprocess.run([need_git(), "-C", str(repo), *args], check=True, capture_output=True, env=base)


def commit_all(repo: Path, message: str = "commit") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_check(cwd: Path, *args: str, home: Path, env: Optional[Dict[str, str]] = None,
              cache: bool = False) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "flask_preflight", "check", "-j", "1", *args]
    if not cache:
        argv.append("--no-cache")
    return subprocess.run(argv, cwd=str(cwd), capture_output=True, env=env or clean_env(home), timeout=300)


def check_json(cwd: Path, *args: str, home: Path, env: Optional[Dict[str, str]] = None,
               cache: bool = False) -> Tuple[int, Dict[str, Any]]:
    proc = run_check(cwd, "--format", "json", *args, home=home, env=env, cache=cache)
    assert proc.stderr.count(b"Traceback") == 0, proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def findings(report: Dict[str, Any]) -> List[Tuple[str, str, int, int, str]]:
    return [(f["rule_id"], f["path"], f["line"], f["column"], f["severity"]) for f in report["findings"]]


def errors(report: Dict[str, Any]) -> List[Tuple[str, str, str]]:
    return [(e["path"], e["kind"], e["reason"]) for e in report["errors"]]
