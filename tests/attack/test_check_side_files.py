"""A hostile tree can put a FIFO, or a symlink to ``/dev/zero``, where ``check`` reads a file besides the
scanned sources: a requirements file (the Flask, Connexion and Flask-SocketIO versions a project pins), a
Python file the analysis skipped (its text is still searched), a uWSGI ini or a gunicorn config a launch
names. Opening a FIFO blocks until a writer comes, which never happens: the run hung for ever. Every such side
reader goes through ``source.read_head``/``read_text``, which opens without blocking and reads only regular
files, bounded. The report must be the one the same tree gives without those files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Tuple

import pytest

from flask_preflight.static.source import read_head, read_text
from tests.attack.checkrun import clean_env, findings, write

APP = """\
from flask import Flask
from flask_socketio import SocketIO
from config import config

app = Flask(__name__)
app.config.from_object(config["default"])
socketio = SocketIO(app)

if __name__ == "__main__":
    socketio.run(app, host="0.0.0.0", debug=True)
"""
CONFIG = """\
class Config:
    DEBUG = False

class DevelopmentConfig(Config):
    DEBUG = True

config = {"development": DevelopmentConfig, "default": DevelopmentConfig}
"""
LAUNCHER = "from missing_module import app\n\napp.run(debug=True)\n"
DOCKERFILE = 'FROM python:3.12\nCOPY . /app\nWORKDIR /app\nCMD ["python", "app.py"]\n'
# Files the side readers open; none of them is a source the walk analyses itself.
SIDE_FILES = ("requirements.txt", "requirements-dev.txt", "Pipfile", "Pipfile.lock", "uv.lock", "poetry.lock", "setup.cfg",
              "uwsgi.ini", "skipped.py")


def _tree(root: Path) -> None:
    write(root, "app.py", APP)
    write(root, "config.py", CONFIG)
    write(root, "launcher.py", LAUNCHER)
    write(root, "Dockerfile", DOCKERFILE)
    write(root, ".env.example", "FLASK_ENV=development\n")


def _check(root: Path, home: Path) -> Tuple[int, dict]:
    argv = [sys.executable, "-m", "flask_preflight", "check", "-j", "1", "--no-cache", "--format", "json", "."]
    proc = subprocess.run(argv, cwd=str(root), capture_output=True, env=clean_env(home), timeout=120)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(autouse=True)
def _posix() -> None:
    if not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"):
        pytest.skip("needs FIFOs and /dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_side_files_change_nothing(tmp_path: Path, kind: str) -> None:
    control, hostile = tmp_path / "control", tmp_path / "hostile"
    _tree(control)
    _tree(hostile)
    for name in SIDE_FILES:
        if kind == "fifo":
            os.mkfifo(hostile / name)
        else:
            os.symlink("/dev/zero", hostile / name)
    code, report = _check(hostile, tmp_path / "home")
    want_code, want = _check(control, tmp_path / "home")
    assert want["findings"], "the control tree must give findings, or the comparison proves nothing"
    assert (code, findings(report)) == (want_code, findings(want))


def test_read_head_reads_regular_files_only(tmp_path: Path) -> None:
    regular = tmp_path / "r.txt"
    regular.write_bytes(b"flask==3.0\n" * 10)
    os.mkfifo(tmp_path / "fifo")
    os.symlink("/dev/zero", tmp_path / "zero")
    assert read_head(str(regular), 5) == b"flask"
    assert read_text(str(regular)) == "flask==3.0\n" * 10
    assert read_head(str(tmp_path / "fifo"), 100) is None  # returns at once: the open does not wait
    assert read_head(str(tmp_path / "zero"), 100) is None
    assert read_head(str(tmp_path / "missing"), 100) is None
    assert read_head(str(tmp_path), 100) is None  # a directory
    os.symlink(regular, tmp_path / "link")
    assert read_head(str(tmp_path / "link"), 5) == b"flask"  # a symlink to a regular file is read
