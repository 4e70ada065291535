"""Issue 13, item 3: the scanned repository's git configuration must not run anything.

The repository sets every command-running key it can (fsmonitor, hooks, ssh, pager, diff and filter drivers),
some of them through an ``include.path`` pointing at a file inside the tree; each command writes a marker.
``check`` is made to ask git both questions it has (which files are tracked, because ``.gitignore`` hides a
committed file; and whether a ``.env`` holding a secret is tracked), and no marker may appear.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List

import pytest

from tests.attack.checkrun import (UNSAFE_APP, check_json, clean_env, commit_all, errors, findings, git, need_git,
                                   write)

HOOKS = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "fsmonitor-watchman")


def _marker_script(path: Path, marker: Path) -> str:
    path.write_text(f"#!/bin/sh\necho ran >> '{marker}'\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    if os.name == "nt":
        pytest.skip("marker scripts are POSIX shell scripts")
    need_git()
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "app.py", UNSAFE_APP)
    write(repo, ".env", "SECRET_KEY=tracked-env-secret-0123456789abcdef\n")
    write(repo, ".gitattributes", "* filter=evil diff=evil\n")
    commit_all(repo)
    write(repo, ".gitignore", "app.py\n")
    markers = tmp_path / "markers"
    markers.mkdir()
    tools = tmp_path / "tools"
    tools.mkdir()
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in HOOKS:
        _marker_script(hooks / hook, markers / f"hook-{hook}")
    run = {name: _marker_script(tools / name, markers / name)
           for name in ("fsmonitor", "included-fsmonitor", "ssh", "pager", "clean", "smudge", "process", "diff",
                        "external-diff", "askpass")}
    # A config file inside the tree that the repository config includes (it ships with the clone's content).
    write(repo, "extra.gitconfig", f"[core]\n\tfsmonitor = {run['included-fsmonitor']}\n")
    config = repo / ".git" / "config"
    config.write_text(config.read_text() + f"""\
[core]
\tfsmonitor = {run['fsmonitor']}
\thooksPath = {hooks}
\tsshCommand = {run['ssh']}
\tpager = {run['pager']}
\taskPass = {run['askpass']}
[filter "evil"]
\tclean = {run['clean']}
\tsmudge = {run['smudge']}
\tprocess = {run['process']}
[diff "evil"]
\tcommand = {run['diff']}
[diff]
\texternal = {run['external-diff']}
[include]
\tpath = ../extra.gitconfig
""")
    return repo


def _markers(repo: Path) -> List[str]:
    return sorted(p.name for p in (repo.parent / "markers").iterdir())


def test_hostile_git_config_runs_nothing(hostile: Path, tmp_path: Path) -> None:
    code, report = check_json(hostile, home=tmp_path)
    assert _markers(hostile) == []
    assert findings(report) == [("PF406", ".env", 1, 1, "high"),
                                ("PF102", "app.py", 3, 1, "high"), ("PF101", "app.py", 3, 15, "high")]
    assert "a file git tracks" in report["findings"][0]["message"]
    assert errors(report) == [] and code == 1


def test_the_same_config_does_run_plain_git(hostile: Path) -> None:
    """The attack is real: a plain ``git ls-files`` in this repository runs the included fsmonitor."""
    git(hostile, "ls-files")
    assert _markers(hostile) == ["included-fsmonitor"]


def test_git_environment_of_the_caller_is_not_used(hostile: Path, tmp_path: Path) -> None:
    """A pre-commit hook runs with GIT_DIR/GIT_INDEX_FILE set; they must not redirect git to another repository
    (here an empty one, where nothing is tracked and app.py would be hidden)."""
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    env = clean_env(tmp_path, GIT_DIR=str(other / ".git"), GIT_INDEX_FILE=str(other / ".git" / "index"),
                    GIT_WORK_TREE=str(other), GIT_CONFIG_PARAMETERS="'core.fsmonitor=" +
                    str(tmp_path / "tools" / "fsmonitor") + "'")
    code, report = check_json(hostile, home=tmp_path, env=env)
    assert _markers(hostile) == []
    assert findings(report) == [("PF406", ".env", 1, 1, "high"),
                                ("PF102", "app.py", 3, 1, "high"), ("PF101", "app.py", 3, 15, "high")]
    assert code == 1
