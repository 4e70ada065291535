"""Issue 13, item 2: a committed ``.flask_preflight_cache`` symlink must not make the cache write its
housekeeping files (``.gitignore`` with ``*``, ``CACHEDIR.TAG``) or entries where it points, nor silence
later scans."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from flask_preflight import __version__
from flask_preflight.static.cache import SCHEMA
from tests.attack.checkrun import UNSAFE_APP, check_json, errors, findings, write

APP_FINDINGS = [("PF102", "app.py", 3, 1, "high"), ("PF101", "app.py", 3, 15, "high")]


def _tree(root: Path) -> List[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if not hasattr(os, "symlink") or os.name == "nt":
        pytest.skip("needs POSIX symlinks")
    root = tmp_path / "proj"
    write(root, "app.py", UNSAFE_APP)
    return root


@pytest.mark.parametrize("target", [".", "../outside"])
def test_cache_symlink_is_refused_and_nothing_is_written_through_it(project: Path, tmp_path: Path,
                                                                    target: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(target, project / ".flask_preflight_cache")
    before = (_tree(project), _tree(outside))
    reason = (f"not used as the result cache: it is a symbolic link (to {target!r}), not a directory "
              f"flask-preflight created")
    for _ in range(2):  # the second run must not be silenced by anything the first one left
        code, report = check_json(project, home=tmp_path, cache=True)
        assert findings(report) == APP_FINDINGS
        assert errors(report) == [(".flask_preflight_cache", "cache-refused", reason)]
        assert code == 3
        assert (_tree(project), _tree(outside)) == before
    code, report = check_json(project, home=tmp_path)  # --no-cache never looks at it
    assert findings(report) == APP_FINDINGS and errors(report) == [] and code == 1


def test_a_symlinked_version_directory_inside_a_real_cache_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".flask_preflight_cache").mkdir()
    os.symlink(outside, project / ".flask_preflight_cache" / f"v{SCHEMA}-{__version__}")
    code, report = check_json(project, home=tmp_path, cache=True)
    assert findings(report) == APP_FINDINGS
    assert errors(report) == [(f".flask_preflight_cache/v{SCHEMA}-{__version__}", "cache-refused",
                               f"not used as the result cache: it is a symbolic link (to {str(outside)!r}), not a "
                               f"directory flask-preflight created")]
    assert _tree(outside) == [] and code == 3


def test_a_committed_entry_symlink_is_not_followed(project: Path, tmp_path: Path) -> None:
    """A real cache directory whose entries link elsewhere (/dev/zero would never finish reading)."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    code, report = check_json(project, home=tmp_path, cache=True)
    assert code == 1
    version = project / ".flask_preflight_cache" / f"v{SCHEMA}-{__version__}"
    entries = [p for p in version.rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        entry.unlink()
        os.symlink("/dev/zero", entry)
    code, report = check_json(project, home=tmp_path, cache=True)
    assert findings(report) == APP_FINDINGS and errors(report) == [] and code == 1


def test_a_real_cache_directory_is_used_and_keeps_its_files_inside(project: Path, tmp_path: Path) -> None:
    """The negative: a normal run creates the cache as a real directory, writes only inside it, and a second
    run answers from it with the same result."""
    code, first = check_json(project, home=tmp_path, cache=True)
    cache = project / ".flask_preflight_cache"
    assert cache.is_dir() and not cache.is_symlink()
    assert sorted(p.name for p in project.iterdir()) == [".flask_preflight_cache", "app.py"]
    assert (cache / ".gitignore").read_text() == "# Created by flask-preflight\n*\n"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    code2, second = check_json(project, home=tmp_path, cache=True)
    assert (code, findings(first), errors(first)) == (1, APP_FINDINGS, [])
    assert (code2, findings(second), errors(second)) == (1, APP_FINDINGS, [])
