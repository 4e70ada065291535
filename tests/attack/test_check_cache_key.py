"""Issue 13, item 6: a warm run (result cache) reports exactly what a cold run reports, after any change.

The per-file cache key and the whole-result key must cover every input a check reads, not only the
scanned files' bytes. Inputs, and where each is keyed:

* a scanned file's bytes, display path, kind, explicitness (per-file key; manifest: size, mtime, inode);
* ``__init__.py`` files above a Python file (its module name: per-file identity);
* a project marker above a YAML file that may be a Kubernetes manifest (``requirements.txt``,
  ``pyproject.toml``, ``setup.py``, ``setup.cfg``, ``.git``: whether ``dev/`` in its path marks a
  development file; per-file identity - the hole this test was written for);
* ``.dockerignore`` beside a Dockerfile, git's view of each ``.env`` (tracked, ignored, untracked), the
  set of discovered files (``.gitignore``, exclusions) and discovery problems (whole-result key);
* entry scripts and ``.env`` files beside compose/Dockerfiles (scanned files themselves);
* settings: rule selection, per-file-ignores, size limit, project root, tool version (fingerprint).

Each step below adds, modifies, renames or deletes one kind of input, ages the files it touched (so the
manifest trusts them: no same-second re-read hides a stale entry) and compares a warm run, a second warm
run (the whole-result reuse) and a cold ``--no-cache`` run, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Tuple

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: app
          command: ["flask", "run", "--debug"]
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=root, check=True,
                   capture_output=True)


def _rename(root: Path, old: str, new: str) -> None:
    (root / old).rename(root / new)


Step = Tuple[str, Callable[[Path], None], bool]  # name, change, whether the cold report changes

STEPS: List[Step] = [
    ("python: modify", lambda r: (r / "app.py").write_text(
        "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config.from_object('pkg.settings.Config')\n"
        "app.config['TESTING'] = os.environ.get('T', '1')\napp.config['DEBUG'] = os.environ.get('D', '1')\n"), True),
    ("python: add", lambda r: (r / "extra.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"), True),
    ("python: rename", lambda r: _rename(r, "extra.py", "extra2.py"), True),
    ("python: delete", lambda r: (r / "extra2.py").unlink(), True),
    ("package marker __init__.py: add", lambda r: (r / "pkg" / "__init__.py").write_text(""), True),
    ("package marker __init__.py: delete", lambda r: (r / "pkg" / "__init__.py").unlink(), True),
    ("project marker requirements.txt: add", lambda r: (r / "dev" / "requirements.txt").write_text("flask\n"), True),
    ("project marker requirements.txt: modify", lambda r: (r / "dev" / "requirements.txt").write_text("flask>=3\n"),
     False),
    ("project marker requirements.txt: rename", lambda r: _rename(r, "dev/requirements.txt", "dev/reqs.txt"), True),
    ("project marker setup.cfg: add", lambda r: (r / "dev" / "setup.cfg").write_text("[metadata]\n"), True),
    ("project marker setup.cfg: delete", lambda r: (r / "dev" / "setup.cfg").unlink(), True),
    ("project marker .git: add", lambda r: (r / "dev" / ".git").write_text("gitdir: /nonexistent\n"), True),
    ("project marker .git: delete", lambda r: (r / "dev" / ".git").unlink(), True),
    ("project marker pyproject.toml: add", lambda r: (r / "dev" / "pyproject.toml").write_text("[project]\n"), True),
    ("project marker pyproject.toml: delete", lambda r: (r / "dev" / "pyproject.toml").unlink(), True),
    (".dockerignore: add", lambda r: (r / ".dockerignore").write_text(".env\n"), True),
    (".dockerignore: modify", lambda r: (r / ".dockerignore").write_text("*.md\n"), True),
    (".dockerignore: rename", lambda r: _rename(r, ".dockerignore", ".dockerignore.bak"), False),
    (".dockerignore: add again, then delete", lambda r: (r / ".dockerignore").write_text(".env\n"), True),
    (".dockerignore: delete", lambda r: (r / ".dockerignore").unlink(), True),
    (".env beside compose: rename", lambda r: _rename(r, "web/.env", "web/.env.example"), True),
    (".env beside compose: add", lambda r: (r / "web" / ".env").write_text("FLASK_DEBUG=1\n"), True),
    (".env beside compose: modify", lambda r: (r / "web" / ".env").write_text("FLASK_DEBUG=0\n"), True),
    (".env beside compose: delete", lambda r: (r / "web" / ".env").unlink(), True),
    ("entry script: modify", lambda r: (r / "svc" / "entrypoint.sh").write_text(
        "#!/bin/sh\nexec gunicorn app:app\n"), True),
    ("entry script: rename", lambda r: _rename(r, "svc/entrypoint.sh", "svc/start.sh"), True),
    ("entry script: delete", lambda r: (r / "svc" / "start.sh").unlink(), True),
    ("git: init (the .env becomes untracked)", lambda r: _git(r, "init", "-q"), True),
    ("git: track .env", lambda r: _git(r, "add", ".env"), True),
    ("git: untrack .env", lambda r: _git(r, "rm", "-q", "--cached", ".env"), True),
    (".gitignore: ignore .env", lambda r: (r / ".gitignore").write_text(".env\n"), True),
    (".gitignore: ignore app.py too", lambda r: (r / ".gitignore").write_text(".env\napp.py\n"), True),
    (".gitignore: delete", lambda r: (r / ".gitignore").unlink(), True),
    ("config: ignore a rule", lambda r: (r / "pyproject.toml").write_text(
        '[tool.flask-preflight]\nignore = ["PF105"]\n'), True),
    ("config: per-file-ignores", lambda r: (r / "pyproject.toml").write_text(
        '[tool.flask-preflight]\nper-file-ignores = { "pkg/*" = ["PF101"] }\n'), True),
    ("config: delete", lambda r: (r / "pyproject.toml").unlink(), True),
]


def _base(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "app.py").write_text("import os\nfrom flask import Flask\napp = Flask(__name__)\n"
                                 "app.config.from_object('pkg.settings.Config')\n")
    (root / "pkg" / "settings.py").write_text("class Config:\n    DEBUG = True\n")
    (root / "dev" / "k8s").mkdir(parents=True)
    (root / "dev" / "k8s" / "deployment.yaml").write_text(MANIFEST)
    (root / "Dockerfile").write_text('FROM python:3.12\nCOPY . /app\nCMD ["flask", "run"]\n')
    (root / ".env").write_text("FLASK_DEBUG=1\nSECRET_KEY=0f3b8e1c9a7d4e2b6c5a8f1e3d7b9c2a\n")
    (root / "web").mkdir()
    (root / "web" / "docker-compose.yml").write_text("services:\n  web:\n    build: .\n    command: flask run\n")
    (root / "web" / ".env").write_text("FLASK_DEBUG=1\n")
    (root / "svc").mkdir()
    (root / "svc" / "Dockerfile").write_text('FROM python:3.12\nENTRYPOINT ["./entrypoint.sh"]\n')
    (root / "svc" / "entrypoint.sh").write_text("#!/bin/sh\nexec flask run --debug --host 0.0.0.0\n")


def _age(root: Path, stamp: float) -> None:
    """Give what a step just wrote an old, distinct mtime: the manifest then vouches for it next time."""
    recent = time.time() - 60
    for path in [root, *root.rglob("*")]:
        if ".flask_preflight_cache" in path.parts or ".git" in path.parts[len(root.parts):-1]:
            continue
        if path.lstat().st_mtime > recent:
            os.utime(path, (stamp, stamp), follow_symlinks=False)


def _run(root: Path, env: dict, *extra: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--format", "json", "-j", "1",
                           *extra, "."], cwd=root, capture_output=True, text=True, env=env)
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def test_warm_equals_cold_after_every_kind_of_change(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "user-cache"), GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL=os.devnull, HOME=str(tmp_path))
    _base(root)
    stamp = time.time() - 100_000
    _age(root, stamp)
    cold = _run(root, env, "--no-cache")
    assert _run(root, env) == cold  # fills the cache
    for number, (name, change, changes) in enumerate(STEPS, start=1):
        change(root)
        _age(root, stamp + number)
        warm = _run(root, env)
        again = _run(root, env)  # nothing changed: the whole result comes from the cache
        previous, cold = cold, _run(root, env, "--no-cache")
        assert warm == cold, name
        assert again == cold, name
        assert (cold != previous) == changes, name
