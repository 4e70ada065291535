"""Which server ``socketio.run(app)`` starts: Werkzeug's development server only in Flask-SocketIO's
threading mode.

Flask-SocketIO hands ``async_mode`` to python-engineio, which, when the ``SocketIO(...)`` call does not name
one, takes the first it can import of eventlet, gevent_uwsgi, gevent and threading. ``SocketIO.run()`` then
serves with ``eventlet.wsgi.server`` (eventlet), gevent's ``pywsgi.WSGIServer`` (gevent) or ``app.run()``
(threading, the Werkzeug development server). So a project that installs eventlet or gevent, and does not
ask for ``async_mode="threading"``, binds its *production-capable* server to the host it passes: "the
development server binds all interfaces" (PF103) is not true of it. Debug mode is another matter: in the
eventlet/gevent modes ``run(debug=True)`` wraps the app in Werkzeug's ``DebuggedApplication``, so PF101 is
left as it is, and so is PF103 on a call with ``debug=True``: the wrapped debugger listens on that host, where
anyone who reaches the port can use it. ``allow_unsafe_werkzeug=True`` on the call says its author hit the threading mode's refusal to
serve in production, so such a call keeps its findings.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding
from flask_preflight.static.deploy.common import DEPENDENCY_FILES
from flask_preflight.static.python.context import FileAnalysis
from flask_preflight.static.source import read_text

_ASYNC_MODE_RE = re.compile(r"""async_mode\s*=\s*["'](\w+)["']""")
# a requirement line (requirements*.txt, Pipfile, pyproject/setup dependency strings) naming the package
_REQUIREMENT_RE = re.compile(r"""(?im)^[\s"'-]*(eventlet|gevent)(?![\w.])""")
# `RUN pip install ... gevent` in a Dockerfile
_PIP_RE = re.compile(r"(?im)^\s*RUN\b[^\n]*\bpip3?\s+install\b[^\n]*?(?<![\w-])(eventlet|gevent)(?![\w.])")


def _read(path: str) -> str:
    return read_text(path) or ""


def async_server(module_path: str, root: str) -> Tuple[str, str]:
    """("eventlet" or "gevent", the file declaring it) for the project around ``module_path``: its directory,
    then each parent up to ``root``; ("", "") when none declares either."""
    here = os.path.dirname(os.path.abspath(module_path))
    top = os.path.abspath(root)
    for _ in range(8):
        for pattern in DEPENDENCY_FILES:
            for path in sorted(glob.glob(os.path.join(here, pattern))):
                m = _REQUIREMENT_RE.search(_read(path))
                if m is not None:
                    return m.group(1).lower(), os.path.relpath(path, top).replace(os.sep, "/")
        for path in sorted(glob.glob(os.path.join(here, "*Dockerfile*"))):
            m = _PIP_RE.search(_read(path))
            if m is not None:
                return m.group(1).lower(), os.path.relpath(path, top).replace(os.sep, "/")
        if here == top or os.path.dirname(here) == here or not here.startswith(top):
            break
        here = os.path.dirname(here)
    return "", ""


def _named_modes(python: Sequence[FileAnalysis]) -> Set[str]:
    """The ``async_mode`` values the project's ``SocketIO(...)`` calls name (outside tests)."""
    modes: Set[str] = set()
    for a in python:
        if a.summary is None or a.summary.is_test:
            continue
        text = _read(a.path)
        if "async_mode" in text:
            modes.update(_ASYNC_MODE_RE.findall(text))
    return modes


_WERKZEUG_CLAIM = ("a WSGI server importing this module starts Werkzeug's development server instead of serving "
                   "the app, and `flask run` ignores the call and its settings, printing only a warning.")


def drop_async_binds(findings: Sequence[Finding], python: Sequence[FileAnalysis], root: str) -> List[Finding]:
    """Drop PF103 on ``socketio.run()`` calls that Flask-SocketIO serves with eventlet or gevent, and say
    which server a PF102 on such a call starts: the import still blocks in a server, just not Werkzeug's."""
    runs = [(a, r) for a in python if a.summary is not None for r in a.summary.dev_servers
            if r.kind == "socketio.run()" and not r.unsafe_werkzeug and r.debug != "on"]
    if not runs or not any(f.rule_id in ("PF102", "PF103") for f in findings):
        return list(findings)
    modes = _named_modes(python)
    if "threading" in modes:
        return list(findings)  # the project asks for Werkzeug somewhere: which SocketIO runs is not followed
    spans: Dict[str, List[Tuple[int, int, str]]] = {}
    cache: Dict[str, Optional[str]] = {}
    named = sorted(modes & {"eventlet", "gevent", "gevent_uwsgi"})
    for a, run in runs:
        path = os.path.abspath(a.path)
        if path not in cache:
            cache[path] = async_server(path, root)[0] or None
        server = named[0] if len(named) == 1 else cache[path] or (named[0] if named else None)
        if server is None:
            continue
        loc = run.location
        spans.setdefault(path, []).append((loc.line, loc.end_line or loc.line, server.split("_", 1)[0]))
    out: List[Finding] = []
    for f in findings:
        server = next((s for a, b, s in spans.get(os.path.abspath(f.path), []) if a <= f.line <= b), None)
        if server is not None and f.rule_id == "PF103":
            continue
        if server is not None and f.rule_id == "PF102" and _WERKZEUG_CLAIM in f.message:
            # still started by the import, but it is the async server, not Werkzeug's
            f = replace(f, message=f.message.replace(_WERKZEUG_CLAIM, (
                f"a WSGI server importing this module starts Flask-SocketIO's {server} server there (the "
                f"import blocks in it) instead of returning the app.")))
        out.append(f)
    return out
