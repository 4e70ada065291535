"""Which Flask release a project installs, read from its requirement and lock files.

Flask 2.3 removed FLASK_ENV (and ``app.env``): from that release on the variable turns nothing on, so an env
file that sets it is harmless unless the project's own code reads it. Whether a project is past 2.3 is a
question about what ``pip``/``uv``/``poetry``/``pipenv`` will install, which the declared requirement bounds
from below and a lock file states exactly.
"""

from __future__ import annotations

import json
import os
import re
from typing import List, Optional, Tuple

from flask_preflight.static.source import read_text

Version = Tuple[int, int]

# Declarations that bound the installed Flask from below: `Flask==3.0.2`, `flask>=2.3`, `Flask>=3,<4`,
# `"flask~=2.3.0"` (pyproject), `flask = "==3.0"` (Pipfile), `flask = "^3.0"` (Poetry's caret). A bound from
# above (`flask<2.3`) or a bare `flask = "*"` says nothing about the lowest version installed.
_FLASK_RE = re.compile(
    r"""(?im)^[\s"'-]*flask(?:\[[^\]]*\])?["']?\s*(?:=\s*["'])?\s*(==|~=|>=|===|\^)\s*(\d+)(?:\.(\d+))?""")
_REQUIREMENT_FILES = ("requirements.txt", "requirements.in", "requirements-prod.txt", "pyproject.toml", "Pipfile",
                      "setup.py", "setup.cfg")
# uv.lock and poetry.lock: a `[[package]]` table whose `name` line is followed by its exact `version`.
_TOML_LOCK_RE = re.compile(r"""(?im)^name\s*=\s*"flask"\s*\r?\nversion\s*=\s*"(\d+)\.(\d+)""")
_LOCK_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock")
_SKIP_DIRS = {"node_modules", "tests", "test", "docs", "venv", "env", "site-packages"}
_MAX_READ = 2_000_000


def _read(path: str) -> Optional[str]:
    return read_text(path, limit=_MAX_READ)  # never a FIFO or device a hostile tree put in a lock file's place


def _pipfile_lock(text: str) -> Optional[Version]:
    """``{"default": {"flask": {"version": "==3.1.2"}}}``: the version ``pipenv install`` installs."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    entry = data.get("default", {}).get("flask") if isinstance(data, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    m = re.match(r"==\s*(\d+)\.(\d+)", version) if isinstance(version, str) else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def _file_floor(path: str) -> Optional[Version]:
    name = os.path.basename(path)
    text = _read(path)
    if text is None:
        return None
    if name == "Pipfile.lock":
        return _pipfile_lock(text)
    if name in ("uv.lock", "poetry.lock"):
        m = _TOML_LOCK_RE.search(text)
        return (int(m.group(1)), int(m.group(2))) if m else None
    m = _FLASK_RE.search(text[:200_000])
    return (int(m.group(2)), int(m.group(3) or 0)) if m else None


def _dir_floor(directory: str) -> List[Tuple[Version, str]]:
    found = []
    for name in _REQUIREMENT_FILES + _LOCK_FILES:
        path = os.path.join(directory, name)
        floor = _file_floor(path)
        if floor is not None:
            found.append((floor, path))
    return found


def flask_floor(module_path: str, root: str) -> Tuple[Optional[Version], str]:
    """The lowest Flask (major, minor) the project near ``module_path`` can install, and the file that says
    so; (None, "") when unknown. The nearest directory (``module_path``'s, then each parent up to ``root``)
    with a pin decides, and within it the lowest of its files wins: a ``requirements.txt`` that allows 2.2
    beside a lock that says 3.1 means either may be what a build installs. When no parent pins Flask, the
    requirement and lock files one directory down count (a root ``.env`` for a project whose Python and
    requirements live in ``backend/``), again the lowest of them."""
    here = os.path.dirname(os.path.abspath(module_path))
    start = here
    top = os.path.abspath(root)
    for _ in range(8):
        found = _dir_floor(here)
        if found:
            floor, path = min(found)
            return floor, os.path.relpath(path, top).replace(os.sep, "/")
        if here == top or os.path.dirname(here) == here or not here.startswith(top):
            break
        here = os.path.dirname(here)
    below: List[Tuple[Version, str]] = []
    try:
        children = sorted(os.scandir(start), key=lambda e: e.name)
    except OSError:
        children = []
    for entry in children:
        if entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".") \
                and entry.name.lower() not in _SKIP_DIRS:
            below.extend(_dir_floor(entry.path))
    if below:
        floor, path = min(below)
        return floor, os.path.relpath(path, top).replace(os.sep, "/")
    return None, ""
