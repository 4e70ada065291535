"""What ``uwsgi --ini FILE`` serves: the ``module``/``wsgi-file``/``mount`` options of the file's ``[uwsgi]``
section, so a launch whose target lives in an ini file still says which module production imports.

uWSGI reads ``key = value`` lines of the section named ``uwsgi`` (or ``--ini file:section``); an option may
repeat, and ``module``/``wsgi``, ``wsgi-file``/``file`` and ``mount`` (``/=pkg.wsgi:app``) name the app.
"""

from __future__ import annotations

import os
import re
from typing import List, Optional, Sequence, Tuple

_TARGET_KEYS = frozenset({"module", "wsgi", "wsgi-file", "wsgi_file", "file", "mount", "app"})
_SECTION_RE = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY_RE = re.compile(r"^\s*([A-Za-z][\w-]*)\s*=\s*(.*?)\s*$")
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "env", "__pycache__", "site-packages", ".tox"})
MAX_FILES = 20_000


def ini_refs(args: Sequence[str]) -> List[Tuple[str, str]]:
    """(file, section) for each ini file a uwsgi command line loads: ``--ini f``, ``--ini=f:sec``, a bare
    ``f.ini`` argument (uwsgi loads a lone config file by its extension)."""
    found: List[Tuple[str, str]] = []
    for i, word in enumerate(args):
        name, eq, value = word.partition("=")
        if name == "--ini":
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
        elif not word.startswith("-") and word.endswith(".ini") and (i == 0 or args[i - 1] != "--ini"):
            value = word
        else:
            continue
        path, _, section = value.partition(":")
        if path:
            found.append((path, section or "uwsgi"))
    return found


def find_ini(root: str, ref: str, near: str) -> Optional[str]:
    """The project file a launch's ini path means (``/app/uwsgi.ini`` is ``docker/uwsgi.ini`` COPY'd there):
    the longest matching tail of the path, nearest to the launching file."""
    if "$" in ref:
        return None
    parts = [p for p in ref.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        return None
    same: List[str] = []
    seen = 0
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        seen += len(files)
        same += [os.path.join(here, f).replace("\\", "/") for f in files if f == parts[-1]]
        if seen > MAX_FILES:
            break
    near_dir = os.path.dirname(near).replace("\\", "/") + "/"
    for start in range(len(parts)):
        tail = "/" + "/".join(parts[start:])
        hits = [p for p in same if p.endswith(tail)]
        if hits:
            return sorted(hits, key=lambda h: (-len(os.path.commonprefix([h, near_dir])), h))[0]
    return None


def ini_targets(path: str, section: str = "uwsgi") -> List[str]:
    """The app targets the section names (``otterwiki.server``, ``wsgi.py``, ``app:app``), in file order."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read(200_000).splitlines()
    except OSError:
        return []
    current, found = "", []
    for line in lines:
        m = _SECTION_RE.match(line)
        if m:
            current = m.group(1).strip()
            continue
        m = _KEY_RE.match(line)
        if current == section and m and m.group(1).lower() in _TARGET_KEYS:
            value = m.group(2).strip().strip("'\"")
            if m.group(1).lower() == "mount":
                value = value.split("=", 1)[-1]
            if value and "%" not in value and "$" not in value:
                found.append(value)
    return list(dict.fromkeys(found))
