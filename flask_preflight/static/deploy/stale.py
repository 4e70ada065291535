"""Launcher scripts that cannot start: the run call's app comes from a module the project does not have.

``from app import app, socketio`` followed by ``socketio.run(app)`` in ``run.py`` needs a module ``app``:
Python raises ModuleNotFoundError on the import line, before the call, unless ``app`` is somewhere on
sys.path. The app object a launcher runs is the project's own, so when no file or package of the project
has that top-level name and no dependency file declares a distribution of that name, the script is a
leftover of a rename. If, besides, nothing imports the script and no deployment file runs it, its run call
is reported as low, with the reason (it is not dropped: the module may exist on the developer's machine).
"""

from __future__ import annotations

import glob
import os
import re
import sys
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding
from flask_preflight.static.deploy.common import DEPENDENCY_FILES, lower_in_spans
from flask_preflight.static.python.context import DevServerRun, FileAnalysis, ModuleSummary
from flask_preflight.static.source import read_text

_RECEIVER_RE = re.compile(r"^([A-Za-z_]\w*)\.run\(")

def _top_names(paths: Sequence[str], root: str) -> Set[str]:
    """Every top-level name a project file could be imported as, whatever sys.path holds: each directory
    component and each ``*.py`` file name of every Python file under ``root``."""
    names: Set[str] = set()
    for path in paths:
        parts = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/").split("/")
        names.update(p for p in parts[:-1] if p not in ("", ".", ".."))
        names.add(os.path.splitext(parts[-1])[0])
    return names


def _declared(name: str, module_path: str, root: str) -> bool:
    """Whether a dependency file of the project around ``module_path`` names a distribution ``name``."""
    pattern = re.compile(r"(?im)^[\s\"'-]*" + re.escape(name).replace("_", "[-_.]") + r"(?![\w.-])")
    here = os.path.dirname(os.path.abspath(module_path))
    top = os.path.abspath(root)
    for _ in range(8):
        for spec in DEPENDENCY_FILES:
            for path in glob.glob(os.path.join(here, spec)):
                text = read_text(path)
                if text is not None and pattern.search(text):
                    return True
        if here == top or os.path.dirname(here) == here or not here.startswith(top):
            break
        here = os.path.dirname(here)
    return False


def missing_source(run: DevServerRun, summary: ModuleSummary, names: Set[str], root: str) -> str:
    """The top-level module the call's receiver is imported from when the project has no such module and
    declares no such dependency ("" otherwise)."""
    m = _RECEIVER_RE.match(run.snippet)
    target = summary.reexports.get(m.group(1), "") if m else ""
    top = target.split(".", 1)[0]
    if not top or top in names or top in getattr(sys, "stdlib_module_names", ()) or top in sys.builtin_module_names:
        return ""
    return "" if _declared(top, summary.path, root) else top


def lower_stale(findings: Sequence[Finding], python: Sequence[FileAnalysis], others: Sequence[str], root: str,
                launched: Set[str], imported: Callable[[ModuleSummary], bool]) -> List[Finding]:
    """Lower PF101-PF105 on run calls of launcher scripts whose app cannot be imported. ``launched`` holds the
    absolute paths deployment files run or serve; ``imported`` says whether the project imports a module."""
    runs = [(a.summary, r) for a in python if a.summary is not None and not a.summary.is_test
            for r in a.summary.dev_servers if r.reach in ("import", "main")]
    if not runs:
        return list(findings)
    names: Optional[Set[str]] = None
    spans: Dict[str, List[Tuple[int, int, str]]] = {}
    for summary, run in runs:
        path = os.path.abspath(summary.path)
        if path in launched:
            continue
        if names is None:
            names = _top_names([a.path for a in python] + list(others), root)
        top = missing_source(run, summary, names, root)
        if not top or imported(summary):
            continue
        loc = run.location
        why = (f"{summary.path} imports the app it runs from `{top}`, which is neither a module of the project "
               f"nor a declared dependency: the import fails before the call, and nothing imports or runs "
               f"{os.path.basename(summary.path)} (a stale launcher)")
        spans.setdefault(path, []).append((loc.line, loc.end_line or loc.line, why))
    return lower_in_spans(findings, spans)
