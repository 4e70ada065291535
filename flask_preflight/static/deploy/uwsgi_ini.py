"""What ``uwsgi --ini FILE`` serves: the ``module``/``wsgi-file``/``mount`` options of the file's ``[uwsgi]``
section, so a launch whose target lives in an ini file still says which module production imports.

uWSGI reads ``key = value`` lines of the section named ``uwsgi`` (or ``--ini file:section``); an option may
repeat, and ``module``/``wsgi``, ``wsgi-file``/``file`` and ``mount`` (``/=pkg.wsgi:app``) name the app.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from flask_preflight.static.source import read_text

_TARGET_KEYS = frozenset({"module", "wsgi", "wsgi-file", "wsgi_file", "file", "mount", "app"})
_SECTION_RE = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY_RE = re.compile(r"^\s*([A-Za-z][\w-]*)\s*=\s*(.*?)\s*$")


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


def ini_targets(path: str, section: str = "uwsgi") -> List[str]:
    """The app targets the section names (``otterwiki.server``, ``wsgi.py``, ``app:app``), in file order."""
    text = read_text(path)
    if text is None:
        return []
    lines = text.splitlines()
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
