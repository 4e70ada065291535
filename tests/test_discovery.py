"""File discovery: what is walked, what is skipped, and what becomes a Problem instead of a crash."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest

from flask_preflight.config import Settings
from flask_preflight.findings import Problem, ProblemKind
from flask_preflight.static import discovery
from flask_preflight.static.discovery import Candidate, discover
from privdrop import as_unprivileged, shared_tempdir


def write(root: Path, rel: str, text: str = "x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(paths: List[str], settings: Settings) -> Tuple[List[Candidate], List[Problem]]:
    items = list(discover(paths, settings))
    return ([i for i in items if isinstance(i, Candidate)], [i for i in items if isinstance(i, Problem)])


def paths_of(candidates: List[Candidate]) -> List[str]:
    return [c.path for c in candidates]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def settings(project: Path) -> Settings:
    return Settings(project_root=str(project))


def git_init(path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)


def test_walks_sorted_python_files_and_shebang_scripts(project: Path, settings: Settings) -> None:
    write(project, "z.py")
    write(project, "a.py")
    write(project, "pkg/__init__.py")
    write(project, "pkg/views.py")
    write(project, "README.md", "# hi\n")
    write(project, "stub.pyi")
    write(project, "manage", "#!/usr/bin/env python3\nprint(1)\n")
    write(project, "deploy", "#!/bin/sh\necho hi\n")
    candidates, problems = run([], settings)
    assert problems == []
    assert paths_of(candidates) == ["a.py", "manage", "pkg/__init__.py", "pkg/views.py", "z.py"]
    assert all(c.kind == "python" and not c.explicit for c in candidates)
    assert candidates[0].abs_path == str(project / "a.py")


def test_default_skips(project: Path, settings: Settings) -> None:
    write(project, "app.py")
    for rel in ["node_modules/pkg/x.py", ".venv/lib/x.py", "venv/x.py", "env/x.py", "__pycache__/x.py",
                ".tox/x.py", "build/lib/x.py", "dist/x.py", "thing.egg-info/x.py", ".git/hooks/x.py",
                ".mypy_cache/x.py", "lib/site-packages/flask/x.py", ".flask_preflight_cache/x.py"]:
        write(project, rel)
    write(project, "my-virtualenv/pyvenv.cfg", "home = /usr/bin\n")
    write(project, "my-virtualenv/lib/python3.11/site/x.py")
    candidates, problems = run(["."], settings)
    assert paths_of(candidates) == ["app.py"]
    assert problems == []


def test_exclude_and_extend_exclude_are_relative_to_project_root(project: Path) -> None:
    write(project, "app/views.py")
    write(project, "app/generated/models.py")
    write(project, "app/api_pb2.py")
    write(project, "generated/top.py")
    settings = Settings(project_root=str(project), exclude=["/generated/"], extend_exclude=["*_pb2.py"])
    candidates, _ = run(["app", "generated"], settings)
    # "/generated/" is anchored at the root, so app/generated stays; "generated" itself is explicit.
    assert paths_of(candidates) == ["app/generated/models.py", "app/views.py", "generated/top.py"]
    candidates, _ = run(["."], settings)
    assert paths_of(candidates) == ["app/generated/models.py", "app/views.py"]


def test_explicit_file_is_checked_even_when_excluded(project: Path) -> None:
    write(project, "node_modules/tool.py")
    write(project, "skipme.py")
    write(project, "notes.txt", "x = 1\n")
    settings = Settings(project_root=str(project), exclude=["skipme.py"])
    candidates, problems = run(["node_modules/tool.py", "skipme.py", "notes.txt"], settings)
    assert problems == []
    assert paths_of(candidates) == ["node_modules/tool.py", "skipme.py", "notes.txt"]
    assert all(c.explicit for c in candidates)


def test_explicit_directory_with_a_skipped_name_is_walked(project: Path, settings: Settings) -> None:
    write(project, "build/gen.py")
    write(project, "build/__pycache__/x.py")
    candidates, _ = run(["build"], settings)
    assert paths_of(candidates) == ["build/gen.py"]


def test_same_file_is_yielded_once(project: Path, settings: Settings) -> None:
    write(project, "a.py")
    write(project, "pkg/b.py")
    os.symlink(project / "a.py", project / "pkg" / "alias.py")
    candidates, _ = run([".", "pkg", "a.py", "./pkg/b.py"], settings)
    assert paths_of(candidates) == ["a.py", "pkg/b.py"]


def test_gitignore_in_a_git_repository(project: Path, settings: Settings) -> None:
    git_init(project)
    write(project, ".gitignore", "ignored/\n*.gen.py\n/top_only.py\n")
    write(project, "app.py")
    write(project, "ignored/x.py")
    write(project, "models.gen.py")
    write(project, "top_only.py")
    write(project, "sub/top_only.py")
    write(project, "sub/.gitignore", "local.py\n!keep.gen.py\n")
    write(project, "sub/local.py")
    write(project, "sub/keep.gen.py")
    write(project, "sub/other.gen.py")
    write(project, "sub/deeper/local.py")
    write(project, ".git/info/exclude", "private.py\n")
    write(project, "private.py")
    candidates, problems = run([], settings)
    assert problems == []
    assert paths_of(candidates) == ["app.py", "sub/keep.gen.py", "sub/top_only.py"]

    # Walking a subdirectory still applies the ignore files above it.
    candidates, _ = run(["sub"], settings)
    assert paths_of(candidates) == ["sub/keep.gen.py", "sub/top_only.py"]

    # Explicit files are checked regardless, and an ignored directory named explicitly is walked.
    candidates, _ = run(["ignored/x.py"], settings)
    assert paths_of(candidates) == ["ignored/x.py"]
    candidates, _ = run(["ignored"], settings)
    assert paths_of(candidates) == ["ignored/x.py"]

    settings.respect_gitignore = False
    candidates, _ = run([], settings)
    assert "ignored/x.py" in paths_of(candidates)
    assert "private.py" in paths_of(candidates)


def test_gitignore_outside_a_repository_is_not_used(project: Path, settings: Settings) -> None:
    if any((p / ".git").exists() for p in [project, *project.parents]):
        pytest.skip("tmp_path is inside a git repository")
    write(project, ".gitignore", "*.py\n")
    write(project, "app.py")
    candidates, _ = run([], settings)
    assert paths_of(candidates) == ["app.py"]


def test_nested_repository_uses_its_own_ignores(project: Path, settings: Settings) -> None:
    git_init(project)
    write(project, ".gitignore", "vendored_*.py\n")
    git_init(project / "inner")
    write(project, "inner/vendored_a.py")
    write(project, "inner/.gitignore", "secret.py\n")
    write(project, "inner/secret.py")
    write(project, "vendored_b.py")
    candidates, _ = run([], settings)
    assert paths_of(candidates) == ["inner/vendored_a.py"]


def test_symlink_loop_is_reported_once_and_the_walk_continues(project: Path, settings: Settings) -> None:
    write(project, "a/one.py")
    os.symlink("..", project / "a" / "loop")
    os.symlink("../a", project / "a" / "loop2")
    write(project, "b/two.py")
    os.symlink("../a", project / "b" / "to_a")  # a second path to a, not a loop
    candidates, problems = run([], settings)
    assert paths_of(candidates) == ["a/one.py", "b/two.py"]
    loops = [p for p in problems if p.kind is ProblemKind.SYMLINK_LOOP]
    assert len(loops) == 2  # one per looping target: the root and a
    assert loops[0].path == "a/loop" and loops[0].reason == "symlink loop: ."
    assert loops[1].path == "a/loop2" and loops[1].reason == "symlink loop: a"


def test_self_referencing_symlink(project: Path, settings: Settings) -> None:
    os.symlink("selfref", project / "selfref")
    write(project, "ok.py")
    candidates, problems = run([], settings)
    assert paths_of(candidates) == ["ok.py"]
    assert [(p.path, p.kind) for p in problems] == [("selfref", ProblemKind.SYMLINK_LOOP)]


def test_symlinked_directory_outside_the_tree_is_reported_not_followed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: a link out of the scanned directory is not walked (tests/attack/test_check_symlink_escape.py)."""
    outside = tmp_path / "outside"
    write(outside, "lib.py")
    project = tmp_path / "proj"
    write(project, "app.py")
    os.symlink(outside, project / "linked")
    monkeypatch.chdir(project)
    candidates, problems = run([], Settings(project_root=str(project)))
    assert [(p.path, p.kind, p.reason) for p in problems] == [
        ("linked", ProblemKind.SYMLINK_OUTSIDE, f"symlink to {str(outside)!r}, outside the scanned directory .: "
                                                "not followed")]
    assert paths_of(candidates) == ["app.py"]


def test_dangling_symlinks(project: Path, settings: Settings) -> None:
    os.symlink("missing.py", project / "broken.py")
    os.symlink("missing.txt", project / "broken.txt")  # could never be Python: not reported
    write(project, "ok.py")
    candidates, problems = run([], settings)
    assert paths_of(candidates) == ["ok.py"]
    assert [(p.path, p.kind) for p in problems] == [("broken.py", ProblemKind.BROKEN_SYMLINK)]
    assert "missing.py" in problems[0].reason

    _, problems = run(["broken.txt"], settings)
    assert [(p.path, p.kind) for p in problems] == [("broken.txt", ProblemKind.BROKEN_SYMLINK)]


def test_nonexistent_argument(project: Path, settings: Settings) -> None:
    write(project, "ok.py")
    candidates, problems = run(["nope.py", "ok.py"], settings)
    assert paths_of(candidates) == ["ok.py"]
    assert [(p.path, p.kind) for p in problems] == [("nope.py", ProblemKind.NOT_FOUND)]


def test_display_path_outside_cwd_is_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "elsewhere/app.py")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    candidates, _ = run(["../elsewhere"], Settings(project_root=str(cwd)))
    assert paths_of(candidates) == ["../elsewhere/app.py"]
    assert candidates[0].abs_path == str(tmp_path / "elsewhere" / "app.py")


def _run_in(project: Path) -> Tuple[List[Candidate], List[Problem]]:
    os.chdir(project)
    return run([], Settings(project_root=str(project)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX permissions")
def test_unreadable_directory_real_permissions() -> None:
    """A mode-0 directory, listed as a user the mode applies to (the suite may run as root)."""
    with shared_tempdir() as project:
        write(project, "locked/x.py")
        write(project, "z.py")
        (project / "locked").chmod(0)
        candidates, problems = as_unprivileged(_run_in, project)
        (project / "locked").chmod(0o755)
    assert paths_of(candidates) == ["z.py"]
    assert [(p.path, p.kind) for p in problems] == [("locked", ProblemKind.UNREADABLE)]


def test_unreadable_directory(project: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, "locked/x.py")
    write(project, "z.py")
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.path.basename(str(path)) == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    candidates, problems = run([], settings)
    assert paths_of(candidates) == ["z.py"]
    assert len(problems) == 1
    assert problems[0].path == "locked"
    assert problems[0].kind is ProblemKind.UNREADABLE
    assert "Permission denied" in problems[0].reason


def test_unreadable_root_argument(project: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, "src/x.py")

    def scandir(path):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    candidates, problems = run(["src"], settings)
    assert candidates == []
    assert [(p.path, p.kind) for p in problems] == [("src", ProblemKind.UNREADABLE)]
