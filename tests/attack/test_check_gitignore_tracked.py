"""Issue 13, item 1: files git tracks are checked whatever ``.gitignore`` says, and a tree where nothing is
checked is an error, never "No findings in 0 files" with exit 0."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.attack.checkrun import (DEBUG_DOCKERFILE, UNSAFE_APP, check_json, clean_env, commit_all, errors, findings,
                                   git, need_git, run_check, write)

DOCKER_FINDINGS = [("PF402", "Dockerfile", 2, 5, "high"), ("PF401", "Dockerfile", 3, 1, "critical")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    need_git()
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root


def test_committed_files_listed_in_gitignore_are_still_checked(repo: Path, tmp_path: Path) -> None:
    write(repo, "app.py", UNSAFE_APP)
    write(repo, "Dockerfile", DEBUG_DOCKERFILE)
    commit_all(repo)
    write(repo, ".gitignore", "app.py\nDockerfile\nlocal_debug.py\n")
    write(repo, "local_debug.py", UNSAFE_APP)  # ignored and never committed: git's rules apply to it
    code, report = check_json(repo, home=tmp_path)
    assert findings(report) == DOCKER_FINDINGS + [("PF102", "app.py", 3, 1, "high"),
                                                  ("PF101", "app.py", 3, 15, "high")]
    assert report["summary"]["files_scanned"] == 2
    assert errors(report) == []
    assert code == 1


def test_ignored_directory_keeps_its_tracked_files_only(repo: Path, tmp_path: Path) -> None:
    write(repo, "deploy/wsgi.py", UNSAFE_APP)
    commit_all(repo)
    write(repo, ".gitignore", "deploy/\n")
    write(repo, "deploy/scratch.py", UNSAFE_APP)  # untracked in the same ignored directory: skipped
    code, report = check_json(repo, home=tmp_path)
    assert findings(report) == [("PF102", "deploy/wsgi.py", 3, 1, "high"), ("PF101", "deploy/wsgi.py", 3, 15, "high")]
    assert report["summary"]["files_scanned"] == 1
    assert errors(report) == [] and code == 1


def test_tracked_files_with_odd_names_among_many(repo: Path, tmp_path: Path) -> None:
    """3,000 tracked files, all ignored: git's list is read as NUL-separated output, so names with a newline,
    a space or a non-UTF-8 byte come through intact."""
    for i in range(3000):
        write(repo, f"pkg{i // 100}/m{i}.py", "x = 1\n")
    write(repo, "we ird\nname.py", UNSAFE_APP)
    odd = os.fsdecode(b"caf\xe9.py")
    if sys.platform != "darwin":  # APFS refuses names that are not UTF-8
        (repo / odd).write_text(UNSAFE_APP)
    commit_all(repo)
    write(repo, ".gitignore", "*.py\n")
    code, report = check_json(repo, home=tmp_path)
    expected_odd = [] if sys.platform == "darwin" else [("PF102", odd, 3, 1, "high"), ("PF101", odd, 3, 15, "high")]
    assert sorted(findings(report)) == sorted(expected_odd + [("PF102", "we ird\nname.py", 3, 1, "high"),
                                                              ("PF101", "we ird\nname.py", 3, 15, "high")])
    assert report["summary"]["files_scanned"] == 3001 + len(expected_odd) // 2
    assert errors(report) == [] and code == 1


def test_worktree_whose_git_is_a_file(repo: Path, tmp_path: Path) -> None:
    write(repo, "app.py", UNSAFE_APP)
    write(repo, ".gitignore", "app.py\n")
    git(repo, "add", "-f", "app.py", ".gitignore")
    git(repo, "commit", "-q", "-m", "c")
    tree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(tree))
    assert (tree / ".git").is_file()
    code, report = check_json(tree, home=tmp_path)
    assert findings(report) == [("PF102", "app.py", 3, 1, "high"), ("PF101", "app.py", 3, 15, "high")]
    assert errors(report) == [] and code == 1


def test_nothing_checked_is_an_error_under_every_fail_on(repo: Path, tmp_path: Path) -> None:
    write(repo, ".gitignore", "*.py\n")
    write(repo, "app.py", UNSAFE_APP)  # ignored and untracked
    write(repo, "README.md", "# app\n")
    for policy in ("critical", "never"):
        code, report = check_json(repo, "--fail-on", policy, home=tmp_path)
        assert findings(report) == []
        assert errors(report) == [(".", "nothing-checked", "none of the 3 files here is checked: each is excluded, "
                                   "ignored by .gitignore and not tracked by git, or not a Python or deployment file")]
        assert code == 3
    text = run_check(repo, home=tmp_path)
    assert text.stdout.decode().splitlines()[0] == (
        ".: error: nothing-checked: none of the 3 files here is checked: each is excluded, ignored by .gitignore "
        "and not tracked by git, or not a Python or deployment file")


def test_an_empty_repository_is_still_a_clean_pass(repo: Path, tmp_path: Path) -> None:
    """Nothing but ``.git``: there is nothing to check, and that is not an error."""
    code, report = check_json(repo, home=tmp_path)
    assert (code, findings(report), errors(report), report["summary"]["files_scanned"]) == (0, [], [], 0)


def test_without_git_hidden_paths_are_reported(repo: Path, tmp_path: Path) -> None:
    write(repo, "app.py", UNSAFE_APP)
    write(repo, "ok.py", "from flask import Flask\napp = Flask(__name__)\n")
    commit_all(repo)
    write(repo, ".gitignore", "app.py\n")
    no_git = tmp_path / "empty-bin"
    no_git.mkdir()
    code, report = check_json(repo, home=tmp_path, env=clean_env(tmp_path, PATH=str(no_git)))
    assert findings(report) == []
    assert errors(report) == [(".", "git-unavailable", "cannot list the files git tracks (git is not installed): "
                               "1 path that .gitignore hides was not checked, though git may track it")]
    assert code == 3


def test_outside_a_repository_gitignore_is_not_used_and_git_is_not_needed(tmp_path: Path) -> None:
    tree = tmp_path / "plain"
    write(tree, ".gitignore", "app.py\n")
    write(tree, "app.py", UNSAFE_APP)
    no_git = tmp_path / "empty-bin"
    no_git.mkdir()
    code, report = check_json(tree, home=tmp_path, env=clean_env(tmp_path, PATH=str(no_git)))
    if any((p / ".git").exists() for p in tree.parents):
        pytest.skip("tmp_path is inside a git repository")
    assert findings(report) == [("PF102", "app.py", 3, 1, "high"), ("PF101", "app.py", 3, 15, "high")]
    assert errors(report) == [] and code == 1


def test_a_git_file_pointing_nowhere_is_reported_not_trusted(tmp_path: Path) -> None:
    """A committed ``.git`` *file* naming a git directory that does not exist: git cannot answer, so the
    path .gitignore hides is reported rather than silently skipped."""
    need_git()
    tree = tmp_path / "tree"
    write(tree, ".git", "gitdir: ../nowhere\n")
    write(tree, ".gitignore", "app.py\n")
    write(tree, "app.py", UNSAFE_APP)
    write(tree, "ok.py", "from flask import Flask\napp = Flask(__name__)\n")
    code, report = check_json(tree, home=tmp_path)
    assert findings(report) == []
    [(path, kind, reason)] = errors(report)
    assert (path, kind) == (".", "git-unavailable")
    assert reason.startswith("cannot list the files git tracks (git ls-files failed: fatal: not a git repository")
    assert reason.endswith("): 1 path that .gitignore hides was not checked, though git may track it")
    assert report["summary"]["files_scanned"] == 1 and code == 3


def test_ignored_submodule_is_still_checked(repo: Path, tmp_path: Path) -> None:
    """Review of issue 13: a submodule is one gitlink entry in git's list, not a directory holding tracked files,
    so ``vendor/`` in ``.gitignore`` hid a committed submodule (and its debug server) from the scan."""
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q")
    write(sub, "app.py", UNSAFE_APP)
    commit_all(sub)
    write(repo, "main.py", "x = 1\n")
    write(repo, ".gitignore", "vendor/\n")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", "-f", str(sub), "vendor")
    commit_all(repo)
    assert git(repo, "ls-files", "-s", "vendor").stdout.startswith(b"160000 ")
    code, report = check_json(repo, home=tmp_path)
    assert findings(report) == [("PF102", "vendor/app.py", 3, 1, "high"), ("PF101", "vendor/app.py", 3, 15, "high")]
    assert report["summary"]["files_scanned"] == 2
    assert errors(report) == [] and code == 1


def test_committed_code_in_directories_skipped_by_name_is_checked(repo: Path, tmp_path: Path) -> None:
    """Review of issue 13: directories skipped by name as vendored or generated (``build/``, ``env/``,
    ``.flask_preflight_cache/``) or by a ``pyvenv.cfg`` inside hid committed code: "No findings in 1 file",
    exit 0. Committed files there ship and are checked; the same names left untracked are still skipped."""
    for where in ("build", "env", ".flask_preflight_cache", "pkg"):
        write(repo, f"{where}/app.py", UNSAFE_APP)
    write(repo, "pkg/pyvenv.cfg", "home = /usr/bin\n")
    write(repo, "main.py", "import os\n")
    commit_all(repo)
    write(repo, "dist/local.py", UNSAFE_APP)  # untracked: skipped by name as before
    write(repo, "venv2/pyvenv.cfg", "home = /usr/bin\n")
    write(repo, "venv2/lib/site.py", UNSAFE_APP)  # an untracked virtualenv: skipped
    code, report = check_json(repo, home=tmp_path)
    assert findings(report) == [(rule, f"{where}/app.py", line, col, "high")
                                for where in (".flask_preflight_cache", "build", "env", "pkg")
                                for rule, line, col in (("PF102", 3, 1), ("PF101", 3, 15))]
    assert report["summary"]["files_scanned"] == 5
    assert errors(report) == [] and code == 1


def test_directories_skipped_by_name_stay_skipped_outside_a_repository(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    write(project, "build/app.py", UNSAFE_APP)
    write(project, "main.py", "import os\n")
    code, report = check_json(project, home=tmp_path)
    assert findings(report) == [] and errors(report) == []
    assert report["summary"]["files_scanned"] == 1 and code == 0
