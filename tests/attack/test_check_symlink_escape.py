"""Issue 13, item 4 (symlinks): links out of the scanned directory are reported and not followed - a ``.env``
linked to the user's real secrets is not read, ``ln -s / rootlink`` does not walk the whole filesystem -
while links that stay inside the tree still are."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.attack.checkrun import UNSAFE_APP, check_json, errors, findings, run_check, write

OUTSIDE_SECRET = "outside-secret-must-never-be-read-4f9a2c"


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    if os.name == "nt":
        pytest.skip("needs POSIX symlinks")
    outside = tmp_path / "home"
    write(outside, "secrets.env", f"SECRET_KEY={OUTSIDE_SECRET}\n")
    write(outside, "shared.py", UNSAFE_APP)
    write(outside, "notes.txt", "never read\n")
    project = tmp_path / "proj"
    write(project, "app.py", "from flask import Flask\napp = Flask(__name__)\n")
    os.symlink(outside / "secrets.env", project / ".env")
    os.symlink(outside / "shared.py", project / "shared.py")
    os.symlink(outside / "notes.txt", project / "notes.txt")  # never a file we read: not reported
    os.symlink("/", project / "rootlink")
    return project


def _reason(target: str) -> str:
    return f"symlink to {target!r}, outside the scanned directory .: not followed"


def test_links_out_of_the_tree_are_reported_and_not_read(layout: Path, tmp_path: Path) -> None:
    outside = tmp_path / "home"
    code, report = check_json(layout, home=tmp_path)
    assert findings(report) == []
    assert errors(report) == [
        (".env", "symlink-outside", _reason(str(outside / "secrets.env"))),
        ("rootlink", "symlink-outside", _reason("/")),
        ("shared.py", "symlink-outside", _reason(str(outside / "shared.py"))),
    ]
    assert report["summary"]["files_scanned"] == 1
    assert code == 3
    for fmt in ("text", "json", "sarif"):
        proc = run_check(layout, "--format", fmt, home=tmp_path)
        assert OUTSIDE_SECRET.encode() not in proc.stdout + proc.stderr
    text = run_check(layout, home=tmp_path).stdout.decode()
    assert f".env: error: symlink-outside: {_reason(str(outside / 'secrets.env'))}" in text.splitlines()
    sarif = json.loads(run_check(layout, "--format", "sarif", home=tmp_path).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for n in notes] == [("symlink-outside", ".env"), ("symlink-outside", "rootlink"),
                                ("symlink-outside", "shared.py")]


def test_links_that_stay_inside_the_tree_are_followed(tmp_path: Path) -> None:
    """The negative: a link to a directory inside the tree (even one spelled through ``..`` and the tree's own
    name) is walked; ``build``/``dist`` are skipped by name, so these files are reached only through the links."""
    if os.name == "nt":
        pytest.skip("needs POSIX symlinks")
    project = tmp_path / "proj"
    write(project, "build/real.py", UNSAFE_APP)
    write(project, "dist/other.py", UNSAFE_APP)
    write(project, "envs/prod.env", "FLASK_DEBUG=1\n")
    os.symlink("build", project / "served")
    os.symlink("../proj/dist", project / "again")
    os.symlink("envs/prod.env", project / ".env")
    code, report = check_json(project, home=tmp_path)
    assert errors(report) == []
    assert findings(report) == [("PF402", ".env", 1, 1, "medium"),
                                ("PF102", "again/other.py", 3, 1, "high"), ("PF101", "again/other.py", 3, 15, "high"),
                                ("PF102", "served/real.py", 3, 1, "high"), ("PF101", "served/real.py", 3, 15, "high")]
    assert code == 1


def test_a_tree_reached_through_a_link_is_scanned_inside_its_real_path(tmp_path: Path) -> None:
    """Scanning a directory that is itself a link: its own contents are inside, not outside."""
    if os.name == "nt":
        pytest.skip("needs POSIX symlinks")
    real = tmp_path / "real"
    write(real, "app.py", UNSAFE_APP)
    os.symlink("app.py", real / "alias.py")
    os.symlink(real, tmp_path / "via")
    code, report = check_json(tmp_path / "via", home=tmp_path)
    # the file is read once, under the first name in sorted order: through the in-tree link
    assert findings(report) == [("PF102", "alias.py", 3, 1, "high"), ("PF101", "alias.py", 3, 15, "high")]
    assert errors(report) == [] and code == 1
