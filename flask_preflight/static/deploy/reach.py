"""Which Python modules the project's launches actually reach, and what that means for a run call.

``app.run()`` in a module is only as dangerous as the ways the module gets executed. A WSGI server imports
its target (``gunicorn pkg.wsgi:app``) and, through it, whatever that imports; ``python run.py`` executes
``run.py`` top to bottom, ``__main__`` guard included; ``flask`` commands import ``FLASK_APP`` or, without
it, ``wsgi.py``/``app.py``. A launcher script that nothing imports and no deployment file runs, in a project
whose deployment files serve the app some other way, is a developer's tool: the debug switch or public bind
on its run call is reported, but as low, with the reason. Nothing is lowered when the project has no
production launch to compare with (then ``python app.py`` may well be how it is served).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding, Severity
from flask_preflight.static.deploy.common import Files
from flask_preflight.static.deploy.model import DeployFile
from flask_preflight.static.python.context import DevServerRun, FileAnalysis, ModuleSummary

# What `flask` looks for without FLASK_APP (flask.cli.find_best_app's callers): wsgi.py, then app.py.
FLASK_DISCOVERY = frozenset({"wsgi.py", "app.py"})
_RUN_RULES = frozenset({"PF101", "PF102", "PF103", "PF104", "PF105"})
_TARGET_RE = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*(\(.*\))?)?$")


@dataclass
class Reached:
    """What the project's launches execute, collected while the launches are followed."""

    wsgi: Set[str] = field(default_factory=set)  # absolute paths of modules a server or `flask` imports
    scripts: Set[str] = field(default_factory=set)  # absolute paths of modules run as `python x.py` / -m
    production: List[str] = field(default_factory=list)  # "the Dockerfile CMD runs `gunicorn app:app`"
    _served: int = 0  # how many of ``production`` are WSGI-server launches (they come first)

    def add_production(self, text: str, wsgi: bool) -> None:
        """A production launch; a WSGI server's comes first, as the way the project is served."""
        if text not in self.production:
            self.production.insert(self._served, text) if wsgi else self.production.append(text)
            self._served += wsgi


def target_module(index: Files, target: str, near: DeployFile) -> Optional[ModuleSummary]:
    """The module of a WSGI target (``pkg.wsgi:app``, ``"app:create_app()"``, ``pkg.wsgi``)."""
    target = target.strip().strip("'\"")
    if not target or not _TARGET_RE.match(target):
        return None
    module = target.split(":", 1)[0]
    if module in index.by_name:
        return index.by_name[module]
    base = module.replace(".", "/")
    return index.find_script(base + ".py", near) or index.find_script(base + "/__init__.py", near)


def resolve_function(index: Files, qualname: str) -> Optional[Tuple[ModuleSummary, str]]:
    """``pkg.cli.main`` -> (the summary of pkg/cli.py, "main"), when that module is in the scan."""
    module, _, name = qualname.rpartition(".")
    found = index.by_name.get(module)
    return (found, name) if found is not None and name else None


def imported_names(python: Iterable[FileAnalysis]) -> Set[str]:
    """Every module name (and each of its parents) that some non-test module of the project imports."""
    names: Set[str] = set()
    for analysis in python:
        summary = analysis.summary
        if summary is None or summary.is_test:
            continue
        for dotted in summary.imported:
            parts = dotted.split(".")
            names.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))
    return names


def _imported(summary: ModuleSummary, names: Set[str]) -> bool:
    name = summary.module_name
    if not name:
        return False
    if name in names:
        return True
    # a package's __init__ is imported with any of its submodules
    return os.path.basename(summary.path) == "__init__.py" and any(n.startswith(name + ".") for n in names)


def _unreached(run: DevServerRun, summary: ModuleSummary, reached: Reached, names: Set[str]) -> str:
    """Why ``run`` never executes in production ("" when it may)."""
    path = os.path.abspath(summary.path)
    if path in reached.scripts or summary.is_test:
        return ""
    production = reached.production[0]
    if run.reach == "main":
        return (f"no deployment file runs {summary.path} as a script ({production}); only a developer's "
                f"`python {os.path.basename(summary.path)}` does")
    if run.reach != "import":
        return ""
    if path in reached.wsgi or _imported(summary, names) or os.path.basename(path) in FLASK_DISCOVERY:
        return ""
    return (f"nothing in the project imports {summary.path} and no deployment file runs it ({production}): it "
            f"is a launcher a developer runs by hand")


def regrade(findings: Sequence[Finding], python: Sequence[FileAnalysis], reached: Reached) -> List[Finding]:
    """Lower the findings on run calls that no launch reaches (PF101-PF105 inside the call's span)."""
    if not reached.production:
        return list(findings)
    names = imported_names(python)
    spans: Dict[str, List[Tuple[int, int, str]]] = {}
    for analysis in python:
        summary = analysis.summary
        if summary is None:
            continue
        for run in summary.dev_servers:
            why = _unreached(run, summary, reached, names)
            if why:
                loc = run.location
                spans.setdefault(os.path.abspath(summary.path), []).append((loc.line, loc.end_line or loc.line, why))
    if not spans:
        return list(findings)
    out: List[Finding] = []
    for f in findings:
        hit = next((why for a, b, why in spans.get(os.path.abspath(f.path), []) if a <= f.line <= b), None)
        if hit is not None and f.rule_id in _RUN_RULES and f.severity != Severity.LOW:
            f = replace(f, severity=Severity.LOW, message=f"{f.message} Reported as low because {hit}.")
        out.append(f)
    return out
