"""Review of issue 13: a committed symlink to ``/dev/zero`` (or a fifo in an unpacked tree) in the place of a
file that ``check`` reads besides the scanned files - ``.gitignore``, the ``.dockerignore`` next to a
Dockerfile - was read to the end, which never comes: the scan ate memory until ``MemoryError`` and lost every
finding (discovery failed as a whole, or the Dockerfile check crashed). Only regular files are read, bounded;
a ``.gitignore`` that is a symlink is not followed at all, as git does not follow it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Tuple

import json

import pytest

from tests.attack.checkrun import (DEBUG_DOCKERFILE, UNSAFE_APP, UNSAFE_FINDINGS, clean_env, commit_all, errors,
                                   findings, git, write)

_LIMIT = 4 << 30  # a regression fails with MemoryError in a second instead of eating the machine's memory


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_LIMIT, _LIMIT))


def _check(cwd: Path, home: Path, *args: str) -> Tuple[int, dict]:
    argv = [sys.executable, "-m", "flask_preflight", "check", "-j", "1", "--format", "json", *args]
    proc = subprocess.run(argv, cwd=str(cwd), capture_output=True, env=clean_env(home), timeout=60,
                          preexec_fn=_limited)
    assert b"Traceback" not in proc.stderr and b"MemoryError" not in proc.stdout, proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(autouse=True)
def _posix() -> None:
    if os.name == "nt" or not os.path.exists("/dev/zero"):
        pytest.skip("needs POSIX symlinks and /dev/zero")


@pytest.mark.parametrize("cache", [(), ("--no-cache",)], ids=["cache", "no-cache"])
def test_committed_gitignore_link_to_dev_zero(tmp_path: Path, cache: Tuple[str, ...]) -> None:
    repo = tmp_path / "repo"
    write(repo, "app.py", UNSAFE_APP)
    os.symlink("/dev/zero", repo / ".gitignore")
    git(repo, "init", "-q")
    commit_all(repo)
    code, report = _check(repo, tmp_path, *cache)
    assert findings(report) == [(rule, "app.py", line, col, sev) for rule, line, col, sev in UNSAFE_FINDINGS]
    assert errors(report) == [] and code == 1


def test_linked_gitignore_is_not_followed_like_git(tmp_path: Path) -> None:
    """git ignores a ``.gitignore`` symlink ("unable to access"), so its patterns hide nothing."""
    repo = tmp_path / "repo"
    write(repo, "app.py", UNSAFE_APP)
    write(repo, "patterns.txt", "*.py\n")
    os.symlink("patterns.txt", repo / ".gitignore")
    git(repo, "init", "-q")
    code, report = _check(repo, tmp_path, "--no-cache")
    assert findings(report) == [(rule, "app.py", line, col, sev) for rule, line, col, sev in UNSAFE_FINDINGS]
    assert code == 1


@pytest.mark.parametrize("cache", [(), ("--no-cache",)], ids=["cache", "no-cache"])
def test_dockerignore_link_to_dev_zero(tmp_path: Path, cache: Tuple[str, ...]) -> None:
    project = tmp_path / "proj"
    write(project, "Dockerfile", DEBUG_DOCKERFILE)
    os.symlink("/dev/zero", project / ".dockerignore")
    code, report = _check(project, tmp_path, *cache)
    assert findings(report) == [("PF402", "Dockerfile", 2, 5, "high"), ("PF401", "Dockerfile", 3, 1, "critical")]
    assert errors(report) == [] and code == 1


def test_fifos_in_place_of_read_files_do_not_block(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    write(project, "Dockerfile", DEBUG_DOCKERFILE)
    write(project, "app.py", UNSAFE_APP)
    os.mkfifo(project / ".dockerignore")
    os.mkfifo(project / ".gitignore")
    os.mkfifo(project / "wsgi.py")  # never opened: not a regular file
    git(project, "init", "-q")
    code, report = _check(project, tmp_path, "--no-cache")
    assert findings(report) == [("PF402", "Dockerfile", 2, 5, "high"), ("PF401", "Dockerfile", 3, 1, "critical")] + [
        (rule, "app.py", line, col, sev) for rule, line, col, sev in UNSAFE_FINDINGS]
    assert errors(report) == [] and code == 1


def test_dockerignore_linked_out_of_the_tree_is_not_read(tmp_path: Path) -> None:
    """A ``.dockerignore`` is read only as a regular file of the tree: linked to a file outside (which would
    keep ``.env`` out of the image) it is not read, so ``.env``'s FLASK_DEBUG=1 still reaches the container."""
    write(tmp_path, "outside/ignore", ".env\n")
    project = tmp_path / "proj"
    write(project, "Dockerfile",
          'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["flask", "run", "--host=0.0.0.0"]\n')
    write(project, ".env", "FLASK_DEBUG=1\n")
    os.symlink(tmp_path / "outside" / "ignore", project / ".dockerignore")
    code, report = _check(project, tmp_path, "--no-cache", "--select", "PF401")
    assert findings(report) == [("PF401", "Dockerfile", 4, 1, "critical")]
    os.unlink(project / ".dockerignore")
    write(project, ".dockerignore", ".env\n")  # the same file in the tree is honoured
    code, report = _check(project, tmp_path, "--no-cache", "--select", "PF401")
    assert findings(report) == [("PF401", "Dockerfile", 4, 1, "high")]


def test_a_fifo_named_git_does_not_block_the_tracked_files_question(tmp_path: Path) -> None:
    """An unpacked tree with a fifo named ``.git``: when ``.gitignore`` hides a path, git's list of tracked files
    is asked for, and reading the ``gitdir:`` line of ``.git`` blocked for ever. Now git cannot be asked, and
    the run says so (exit 3) instead of hanging."""
    project = tmp_path / "proj"
    write(project, "app.py", UNSAFE_APP)
    write(project, "local.py", UNSAFE_APP)
    write(project, ".gitignore", "local.py\n")
    os.mkfifo(project / ".git")
    code, report = _check(project, tmp_path, "--no-cache")
    assert findings(report) == [(rule, "app.py", line, col, sev) for rule, line, col, sev in UNSAFE_FINDINGS]
    assert errors(report) == [(".", "git-unavailable", "cannot list the files git tracks (its .git is neither a "
                               "directory nor a 'gitdir:' file): 1 path that .gitignore hides was not checked, "
                               "though git may track it")]
    assert code == 3
