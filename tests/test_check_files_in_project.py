"""``check FILE ...`` keeps the project context (what pre-commit passes: the changed files only).

The cross-file facts - a Dockerfile that runs the named module, a launch that makes a run call reachable -
come from the whole project, found by its markers (pyproject.toml, setup.cfg, setup.py, .git) or, for files
in no project, their common parent directory; only findings about the named files are reported. Real
processes, exact findings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from flask_preflight.static.scope import context_roots, project_root_of

# `python app.py` is how the image serves it: the guarded debug run is a PF401 at the Dockerfile line.
APP = '''\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    app.run(debug=True)
'''

DOCKERFILE = '''\
FROM python:3.12-slim
WORKDIR /app
ARG SECRET_KEY=3f9a1c7e5b2d8f6a4c0e9b7d5f3a1c8e
COPY . .
CMD ["python", "app.py"]
'''

GUNICORN_DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-w", "4", "app:app"]\n'

# A context file analysis fails on: not the named files' problem.
BROKEN = "from flask import Flask\ndef f(:\n    pass\n"

PF401 = ("PF401", "Dockerfile", 5, 1, "high")
PF406 = ("PF406", "Dockerfile", 3, 5, "high")
PF101_LOW = ("PF101", "app.py", 12, 19, "low")

Found = List[Tuple[str, str, int, int, str]]


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def check(cwd: Path, *args: str, env: Optional[Dict[str, str]] = None) -> Tuple[int, Found, List[str], dict]:
    """Exit code, exact findings, the paths of the problems and the summary of a JSON report."""
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})
    assert proc.stderr == "", proc.stderr
    data = json.loads(proc.stdout)
    found = [(f["rule_id"], f["path"], f["line"], f["column"], f["severity"]) for f in data["findings"]]
    return proc.returncode, found, [e["path"] for e in data["errors"]], data["summary"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    write(root, {"pyproject.toml": "[project]\nname = 'shop'\n", "app.py": APP, "Dockerfile": DOCKERFILE,
                 "tools/broken.py": BROKEN})
    return root


def test_the_whole_project_for_reference(project: Path) -> None:
    code, found, errors, _ = check(project, "--no-cache")
    assert (code, found, errors) == (3, [PF406, PF401], ["tools/broken.py"])


def test_named_module_keeps_the_launch_that_runs_it(project: Path) -> None:
    # Alone, app.py would give a low PF101 (exit 0): the Dockerfile's `python app.py` makes it a PF401.
    # The Dockerfile's own PF406 and the broken context file are not reported.
    code, found, errors, summary = check(project, "--no-cache", "app.py")
    assert (code, found, errors) == (1, [PF401], [])
    assert summary["files_scanned"] == 1


def test_named_module_whose_project_serves_it_with_gunicorn(project: Path) -> None:
    write(project, {"Dockerfile": GUNICORN_DOCKERFILE})
    assert check(project, "--no-cache", "app.py")[:3] == (0, [PF101_LOW], [])


def test_named_deploy_file_reports_its_own_findings(project: Path) -> None:
    assert check(project, "--no-cache", "Dockerfile")[:3] == (1, [PF406, PF401], [])


def test_named_file_from_a_subdirectory_finds_the_project_above(project: Path) -> None:
    write(project, {"src/util.py": "def f():\n    return 1\n"})
    code, found, errors, _ = check(project / "src", "--no-cache", "../app.py")
    # outside the working directory, the Dockerfile is shown by its absolute path (as `check ..` would)
    assert (code, found, errors) == (1, [("PF401", f"{project}/Dockerfile", 5, 1, "high")], [])


def test_named_broken_file_is_still_reported(project: Path) -> None:
    code, found, errors, _ = check(project, "--no-cache", "tools/broken.py")
    assert (code, found, errors) == (3, [], ["tools/broken.py"])


def test_warm_cache_sees_a_changed_context_file(project: Path) -> None:
    assert check(project, "app.py")[:3] == (1, [PF401], [])
    assert check(project, "app.py")[:3] == (1, [PF401], [])  # warm: answered from the cache
    write(project, {"Dockerfile": GUNICORN_DOCKERFILE})
    assert check(project, "app.py")[:3] == (0, [PF101_LOW], [])
    # the full-project run shares the per-file cache and is not confused by the scoped one
    assert check(project)[:3] == (3, [PF101_LOW], ["tools/broken.py"])


def test_file_in_no_project_reads_its_directory(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    write(loose, {"app.py": APP, "Dockerfile": DOCKERFILE})
    assert project_root_of(str(loose / "app.py")) is None
    assert check(loose, "--no-cache", "app.py")[:3] == (1, [PF401], [])


def test_file_directly_in_the_home_directory_is_checked_on_its_own(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home, {"app.py": APP, "Dockerfile": DOCKERFILE})
    assert check(home, "--no-cache", "app.py", env={"HOME": str(home)})[:3] == (0, [PF101_LOW], [])


def test_context_roots(tmp_path: Path) -> None:
    write(tmp_path, {"a/setup.cfg": "", "a/pkg/m.py": "", "a/pkg/sub/n.py": "", "b/.git/HEAD": "", "b/x.py": "",
                     "c/d/y.py": "", "c/e/z.py": ""})
    assert context_roots([str(tmp_path / "a/pkg/m.py"), str(tmp_path / "a/pkg/sub/n.py")]) == [str(tmp_path / "a")]
    assert context_roots([str(tmp_path / "a/pkg/m.py"), str(tmp_path / "b/x.py")]) == \
        [str(tmp_path / "a"), str(tmp_path / "b")]
    # no marker: the common parent of the loose files
    assert context_roots([str(tmp_path / "c/d/y.py"), str(tmp_path / "c/e/z.py")]) == [str(tmp_path / "c")]
    # directories and missing paths bring no context
    assert context_roots([str(tmp_path / "a"), str(tmp_path / "missing.py")]) == []


def test_loose_file_in_the_temporary_directory_brings_no_context(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    write(tmp_path, {"app.py": APP, "sub/app.py": APP})
    assert context_roots([str(tmp_path / "app.py")]) == []
    assert context_roots([str(tmp_path / "sub/app.py")]) == [str(tmp_path / "sub")]
