"""The project around the files named on the command line (``check app.py``, what pre-commit passes).

Many findings need more than one file: a Dockerfile that runs ``python app.py`` makes the ``app.run(debug=True)``
in ``app.py`` a critical PF401, a config class in ``config.py`` decides what ``from_object`` loads, a
launch elsewhere makes a run call reachable or not. A hook that passes only the changed files must still see
them, so the files are checked inside their project: the project is read (through the result cache, so a warm
run re-reads only what changed), and only findings about the named files are reported - located in one of
them, or linking one of them (a PF401 at the Dockerfile line that runs the named module).
"""

from __future__ import annotations

import os
import tempfile
from typing import Iterable, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding, Problem

# What marks a project's root, nearest first wins (Ruff and pytest look for the same files).
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def project_root_of(path: str) -> Optional[str]:
    """The nearest directory at or above ``path``'s directory holding a project marker, else None."""
    directory = os.path.dirname(os.path.abspath(path))
    while True:
        if any(os.path.exists(os.path.join(directory, marker)) for marker in PROJECT_MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def context_roots(paths: Sequence[str]) -> List[str]:
    """The directories to read for the files among ``paths``: each file's project root; for files in no
    project, their common parent directory - unless that is the filesystem root, the home directory or the
    temporary directory, which are nobody's project (then those files are checked on their own)."""
    files = [os.path.abspath(p) for p in paths if os.path.isfile(p)]
    roots: Set[str] = set()
    loose: List[str] = []
    for path in files:
        root = project_root_of(path)
        if root is None:
            loose.append(os.path.dirname(path))
        else:
            roots.add(root)
    if loose:
        try:
            common = os.path.commonpath(loose)
        except ValueError:  # different drives
            common = ""
        if common and not _too_wide(common):
            roots.add(common)
    # a root inside another is walked with it
    return sorted(r for r in roots if not any(o != r and _inside(r, o) for o in roots))


def _too_wide(directory: str) -> bool:
    """The filesystem root, the home directory and the shared temporary directory hold many unrelated things:
    walking them for one file's context would be slow and would mix other people's files in."""
    if os.path.dirname(directory) == directory:
        return True
    wide = {os.path.abspath(tempfile.gettempdir())}
    home = os.path.expanduser("~")
    if home != "~":
        wide.add(os.path.abspath(home))
    return directory in wide or os.path.realpath(directory) in {os.path.realpath(w) for w in wide}


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def about(finding: Finding, named: Set[str]) -> bool:
    """Whether ``finding`` is about one of the ``named`` files (display paths): located in one, or linking one."""
    return finding.location.path in named or any(r.path in named for r in finding.related)


def scoped(findings: Iterable[Finding], problems: Iterable[Problem], named: Set[str],
           context: Set[str]) -> Tuple[List[Finding], List[Problem]]:
    """The findings about the named files, and the problems outside the context files (display paths)."""
    return ([f for f in findings if about(f, named)], [p for p in problems if p.path not in context])
