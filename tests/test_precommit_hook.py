"""The pre-commit hook (.pre-commit-hooks.yaml), run for real by pre-commit itself.

How this stays offline: ``pre-commit try-repo`` installs the hook the way a user's pre-commit does, into a
virtualenv of its own with ``pip install .`` of this repository, so pip needs flask-preflight's build backend
(setuptools) and runtime dependencies. ``.ci/run`` downloads them once, while it installs everything else,
as wheels into ``.ci/wheelhouse`` (``pip wheel --wheel-dir .ci/wheelhouse . setuptools wheel``); the test
then runs pre-commit with ``PIP_NO_INDEX=1``, ``PIP_FIND_LINKS=<wheelhouse>`` and ``PIP_CONFIG_FILE=/dev/null``
(no configured index), and with the proxy variables pointing at a closed loopback port, so any request that
still tried the network would fail the test instead of quietly succeeding. ``FLASK_PREFLIGHT_WHEELHOUSE``
overrides the wheelhouse location.

The hook repository is a throw-away git repository holding this checkout's files (tracked and untracked, as
``git ls-files`` lists them), so uncommitted work is what gets tested and both runs share one hook
environment (pre-commit keys environments by repository and revision).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from flask_preflight.static.deploy import classify

ROOT = Path(__file__).resolve().parent.parent
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
EXAMPLES = ROOT / "examples"


def _hook() -> Dict[str, object]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["flask-preflight"]
    return hooks[0]


def test_hook_definition():
    hook = _hook()
    assert hook["entry"] == "flask-preflight check"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    assert hook["pass_filenames"] is True


# (path, whether `flask-preflight check` reads it in a directory walk)
NAMES = [
    ("app.py", True), ("pkg/wsgi.py", True), ("gunicorn.conf.py", True),
    ("Dockerfile", True), ("deploy/Dockerfile.prod", True), ("dockerfile", True), ("Containerfile", True),
    ("api.Dockerfile", True), ("docker-compose.yml", True), ("compose.prod.yaml", True),
    ("Procfile", True), ("Procfile.dev", True), (".env", True), (".env.production", True), (".flaskenv", True),
    ("env.prod.sample", True), ("prod.env.example", True), ("deploy/web.service", True), ("app.yaml", True),
    ("fly.toml", True), ("render.yaml", True), ("app.json", True), ("heroku.yml", True), ("bin/start.sh", True),
    ("supervisord.conf", True), ("conf.d/web.conf", True), ("supervisor/web.ini", True), ("k8s/deploy.yaml", True),
    # tricky negatives: near misses of the names above
    ("README.md", False), ("setup.cfg", False), ("uwsgi.ini", False),
    # any *.conf is read: supervisord includes program files from wherever its [include] points
    ("nginx/site.conf", True), ("conf.d.bak/web.conf", True), ("nginx/site.conf.bak", False),
    ("conf.d.bak/web.ini", False),
    ("pyproject.toml", False), ("package.json", False), ("app.pyc", False), ("Procfile.md", True),
    ("Dockerfile.md", True), ("notes/env.txt", False), ("myenv", False), ("script.py.orig", False),
    (".envrc", False), ("requirements.txt", False),
]


@pytest.mark.parametrize("path,read", NAMES)
def test_files_pattern_matches_what_check_reads(path, read):
    parent, _, name = path.rpartition("/")
    expected = name.endswith(".py") or classify(name, parent) is not None
    assert expected is read, "the table is wrong, not the hook"
    assert bool(re.search(str(_hook()["files"]), path)) is read


# --- running pre-commit ---------------------------------------------------------------------------------------


def _wheelhouse() -> Path:
    path = Path(os.environ.get("FLASK_PREFLIGHT_WHEELHOUSE") or ROOT / ".ci" / "wheelhouse")
    if not any(path.glob("setuptools-*.whl")) or not any(path.glob("click-*.whl")):
        pytest.fail(f"no wheelhouse at {path}: `bash .ci/run` makes it; by hand: "
                    f"pip wheel --wheel-dir {path} {ROOT} setuptools wheel", pytrace=False)
    return path


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True, capture_output=True)


def _repo_with(path: Path, files: Dict[str, str]) -> Path:
    path.mkdir()
    _git(path, "init", "-q")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "project")
    return path


UNSAFE_TEXT = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``pre-commit try-repo <copy of this checkout> flask-preflight --all-files --verbose`` in two projects.

    try-repo installs the hook into a fresh store every time (20-50 s on a busy 2-core machine), so the
    two runs go in parallel and every test reads their results."""
    wheels = _wheelhouse()
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split("\0")
    hook_repo = tmp_path_factory.mktemp("hookrepo") / "flask-preflight"
    hook_repo.mkdir()
    for rel in filter(None, listed):
        if rel.startswith(("tests/", "benchmarks/", ".ci/")) or not (ROOT / rel).is_file():
            continue
        (hook_repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, hook_repo / rel)
    _git(hook_repo, "init", "-q")
    _git(hook_repo, "add", "-A")
    _git(hook_repo, "commit", "-q", "-m", "snapshot")

    closed = "http://127.0.0.1:9"  # discard port: nothing listens, so a network attempt fails at once
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUALENV_", "PRE_COMMIT"))}
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels), PIP_CONFIG_FILE=os.devnull,
               PIP_DISABLE_PIP_VERSION_CHECK="1", VIRTUALENV_NO_PERIODIC_UPDATE="1",
               http_proxy=closed, https_proxy=closed, HTTP_PROXY=closed, HTTPS_PROXY=closed, NO_PROXY="",
               no_proxy="", NO_COLOR="1", PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))

    # Each project also holds unsafe code in files check does not read in a walk (a .txt copy of an app, a
    # Markdown example): check flags a file it is given by name, so these prove the hook's `files` filter.
    decoys = {"notes/app.py.txt": UNSAFE_TEXT, "README.md": "```python\napp.run(debug=True)\n```\n"}
    base = tmp_path_factory.mktemp("projects")
    projects = {name: _repo_with(base / name, {**_example(f"{name}_app"), **decoys}) for name in ("unsafe", "safe")}

    def run(project: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "flask-preflight",
                               "--all-files", "--verbose", "--color", "never"], cwd=project, env=env,
                              capture_output=True, text=True, timeout=400, stdin=subprocess.DEVNULL)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(projects, pool.map(run, projects.values())))
    return {name: (projects[name], results[name]) for name in projects}


def _example(name: str) -> Dict[str, str]:
    base = EXAMPLES / name
    return {p.relative_to(base).as_posix(): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*"))
            if p.is_file()}


def _hook_output(stdout: str) -> List[str]:
    """The tool's own output: what pre-commit prints after the hook's status lines."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith(("- duration:", "- exit code:"))) + 1
    return [line for line in lines[start:] if line]


def _direct(project: Path) -> List[str]:
    """What `flask-preflight check` prints for the files the hook should have been given."""
    run = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "Dockerfile", "app.py",
                          "config.py"], cwd=project, capture_output=True, text=True,
                         env={**os.environ, "NO_COLOR": "1"})
    return [line for line in run.stdout.splitlines() if line]


def test_hook_fails_on_the_unsafe_app(runs):
    project, run = runs["unsafe"]
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"^flask-preflight\.+Failed$", run.stdout, re.M), run.stdout
    assert "- hook id: flask-preflight\n- duration: " in run.stdout
    assert "- exit code: 1\n" in run.stdout
    # Exactly what `check` prints for the app's three files: the decoys were not passed.
    assert _hook_output(run.stdout) == _direct(project)
    assert _hook_output(run.stdout)[-1] == "Found 10 findings (3 critical, 7 high) in 3 files."
    assert "notes/app.py.txt" not in run.stdout


def test_hook_passes_on_the_safe_app(runs):
    project, run = runs["safe"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^flask-preflight\.+Passed$", run.stdout, re.M), run.stdout
    assert _hook_output(run.stdout) == _direct(project) == ["No findings in 3 files."]
