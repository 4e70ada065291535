"""Which Python modules the project's launches actually reach, and what that means for a run call.

``app.run()`` in a module is only as dangerous as the ways the module gets executed. A WSGI server imports
its target (``gunicorn pkg.wsgi:app``) and, through it, whatever that imports; ``python run.py`` executes
``run.py`` top to bottom, ``__main__`` guard included; ``flask`` commands import ``FLASK_APP`` or, without
it, ``wsgi.py``/``app.py``. A launcher script that nothing imports and no deployment file runs, in a project
whose deployment files serve the app some other way, is a developer's tool: the debug switch or public bind
on its run call is reported, but as low, with the reason. Nothing is lowered when the project has no
production launch to compare with (then ``python app.py`` may well be how it is served), except a stale
launcher whose app comes from a module the project does not have (stale.py). "The project" is
the directory a launch can see (context.py): another project's Dockerfile in the same scan says nothing
about how this one is served.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding
from flask_preflight.static.deploy.common import Files, lower_in_spans
from flask_preflight.static.deploy.context import inside
from flask_preflight.static.deploy.model import DeployFile
from flask_preflight.static.deploy.stale import lower_stale
from flask_preflight.static.python.context import DevServerRun, FileAnalysis, ModuleSummary
from flask_preflight.static.source import read_text
from flask_preflight.static.testpaths import is_test_path

# What `flask` looks for without FLASK_APP (flask.cli.find_best_app's callers): wsgi.py, then app.py.
FLASK_DISCOVERY = frozenset({"wsgi.py", "app.py"})
_TARGET_RE = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*(\(.*\))?)?$")
_IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([^#\n]+)|import[ \t]+([^#\n]+))", re.MULTILINE)


@dataclass
class Reached:
    """What the project's launches execute, collected while the launches are followed."""

    wsgi: Set[str] = field(default_factory=set)  # absolute paths of modules a server or `flask` imports
    scripts: Set[str] = field(default_factory=set)  # absolute paths of modules run as `python x.py` / -m
    # ("the Dockerfile CMD runs `gunicorn app:app`", the directory that launch can see), WSGI servers first
    production: List[Tuple[str, str]] = field(default_factory=list)
    _served: int = 0  # how many of ``production`` are WSGI-server launches (they come first)
    # directories where some server's target is not known ($APP_MODULE, an ini file): any module there may be it
    unknown: Set[str] = field(default_factory=set)

    def add_production(self, text: str, wsgi: bool, scope: str) -> None:
        """A production launch; a WSGI server's comes first, as the way the project is served."""
        if (text, scope) not in self.production:
            self.production.insert(self._served, (text, scope)) if wsgi else self.production.append((text, scope))
            self._served += wsgi

    def production_for(self, path: str) -> List[str]:
        """The production launches that can see the module at ``path`` (absolute)."""
        return [text for text, scope in self.production if inside(path, scope)]


def text_imports(path: str) -> List[str]:
    """The modules a Python file imports, read from its text: for the files the analysis skipped because
    nothing in them looks like Flask (``wsgi.py`` holding only ``from server import app``). Relative imports
    lose their dots (``from . import serve`` -> "serve"), which is enough to recognise a module's name."""
    text = read_text(path)
    if text is None:
        return []
    found: List[str] = []
    for m in _IMPORT_RE.finditer(text):
        if m.group(3) is not None:
            found += [w.split()[0] for w in m.group(3).split(",") if w.strip()]
            continue
        base = m.group(1).lstrip(".")
        names = [w.split()[0] for w in m.group(2).replace(")", "").replace("\\", "").split(",") if w.strip()]
        found += ([base] if base else []) + [f"{base}.{n}" if base else n for n in names if n != "*"]
    return found


def skipped_module(others: Sequence[str], target: str, within: str = "") -> Optional[str]:
    """The path of a skipped Python file that is the module ``target`` names (``pkg.wsgi:app``), inside the
    directory the launch can see (``within``, when given)."""
    module = target.strip().strip("'\"").split(":", 1)[0]
    if not module or not _TARGET_RE.match(module):
        return None
    tails = ("/" + module.replace(".", "/") + ".py", "/" + module.replace(".", "/") + "/__init__.py")
    hits = sorted(p for p in others if p.replace("\\", "/").endswith(tails) and (not within or inside(p, within)))
    return min(hits, key=len) if hits else None


def skipped_script(others: Sequence[str], ref: str, near: DeployFile, within: str = "") -> Optional[str]:
    """The skipped Python file a launch names (``python run.py``, ``/app/src/run.py``): the longest matching
    tail of the path, nearest to the file that launches it, inside ``within`` (when given)."""
    parts = [p for p in ref.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or "$" in ref:
        return None
    if within:
        others = [p for p in others if inside(p, within)]
    near_dir = os.path.dirname(near.abs_path).replace("\\", "/") + "/"
    for start in range(len(parts)):
        tail = "/" + "/".join(parts[start:])
        hits = [p for p in others if p.replace("\\", "/").endswith(tail)]
        if hits:
            return sorted(hits, key=lambda h: (-len(os.path.commonprefix([h, near_dir])), h))[0]
    return None


def analyse_skipped(path: str) -> Optional[ModuleSummary]:
    """Analyse a launched script the directory walk skipped (nothing Flask-like in it: ``run.py`` whose
    ``__main__`` block only calls ``pkg.cli.main()``), for its entry-point links."""
    from flask_preflight.static.python import analyze_tree, parse  # noqa: PLC0415 - only for launched scripts

    text = read_text(path, limit=5_000_000)
    if text is None:
        return None
    try:
        tree = parse(text, path)
    except (SyntaxError, ValueError, RecursionError):
        return None
    name = os.path.splitext(os.path.basename(path))[0]
    return analyze_tree(tree, text, path, module_name=name, is_package=False, is_test=False).summary


def target_module(index: Files, target: str, near: DeployFile, within: str = "") -> Optional[ModuleSummary]:
    """The module of a WSGI target (``pkg.wsgi:app``, ``"app:create_app()"``, ``pkg.wsgi``) that the launch
    can import: inside ``within`` (its build context or project), nearest to the launching file."""
    target = target.strip().strip("'\"")
    if not target or not _TARGET_RE.match(target):
        return None
    module = target.split(":", 1)[0]
    named = index.module_named(module, near.abs_path, within)
    if named is not None:
        return named
    base = module.replace(".", "/")
    return index.find_script(base + ".py", near, within) or index.find_script(base + "/__init__.py", near, within)


def resolve_function(index: Files, qualname: str, caller: str) -> Optional[Tuple[ModuleSummary, str]]:
    """``pkg.cli.main`` -> (the summary of pkg/cli.py, "main"), when that module is in the scan: the one
    nearest to the ``caller`` module's path."""
    module, _, name = qualname.rpartition(".")
    found = index.module_named(module, caller) if module else None
    return (found, name) if found is not None and name else None


def imported_names(python: Iterable[FileAnalysis], others: Sequence[str] = (), root: str = "") -> Set[str]:
    """Every module name (and each of its parents) that some non-test module of the project imports; the
    skipped files (``others``) add every tail of what they import, since their own package is not known."""
    names: Set[str] = set()
    for analysis in python:
        summary = analysis.summary
        if summary is None or summary.is_test:
            continue
        for dotted in summary.imported:
            parts = dotted.split(".")
            names.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))
    for path in others:
        if is_test_path(os.path.relpath(path, root) if root else path):
            continue
        for dotted in text_imports(path):
            parts = dotted.split(".")
            names.update(".".join(parts[a:b]) for a in range(len(parts)) for b in range(a + 1, len(parts) + 1))
    return names


def _imported(summary: ModuleSummary, names: Set[str]) -> bool:
    name = summary.module_name
    if not name:
        return False
    if name in names or name.rsplit(".", 1)[-1] in names and "." in name:
        return True
    # a package's __init__ is imported with any of its submodules
    return os.path.basename(summary.path) == "__init__.py" and any(n.startswith(name + ".") for n in names)


def _compared_with(summary: ModuleSummary, reached: Reached) -> List[str]:
    """The production launches of ``summary``'s own project that could tell its code is a developer's, or []
    when there is nothing to compare with (no such launch) or no need (a launch runs it; test code)."""
    path = os.path.abspath(summary.path)
    if path in reached.scripts or summary.is_test:
        return []
    return reached.production_for(path)


def _unreached(run: DevServerRun, summary: ModuleSummary, reached: Reached, names: Callable[[], Set[str]]) -> str:
    """Why ``run`` never executes in production ("" when it may). ``names`` gives the imported module names
    (computed once, only when an import-time call needs them: it reads the skipped files)."""
    if run.reach == "main":
        seen_by = _compared_with(summary, reached)
        return (f"no deployment file runs {summary.path} as a script ({seen_by[0]}); only a developer's "
                f"`python {os.path.basename(summary.path)}` does") if seen_by else ""
    if run.reach != "import":
        return ""
    return _unreached_import(summary, reached, names)


def _unreached_import(summary: ModuleSummary, reached: Reached, names: Callable[[], Set[str]]) -> str:
    """Why code that runs when ``summary``'s module is imported never runs in production ("" when it may)."""
    seen_by = _compared_with(summary, reached)
    if not seen_by:
        return ""
    path = os.path.abspath(summary.path)
    if any(inside(path, scope) for scope in reached.unknown) or path in reached.wsgi \
            or os.path.basename(path) in FLASK_DISCOVERY or _imported(summary, names()):
        return ""
    return (f"nothing in the project imports {summary.path} and no deployment file runs it "
            f"({seen_by[0]}): it is a launcher a developer runs by hand")


def regrade(findings: Sequence[Finding], python: Sequence[FileAnalysis], reached: Reached,
            others: Sequence[str] = (), root: str = "") -> List[Finding]:
    """Lower the findings on run calls that no launch reaches (PF101-PF105 inside the call's span).
    ``others`` are the Python files the analysis skipped; what they import counts as imported. A launcher
    whose app comes from a module the project does not have is lowered with or without deployment files
    (stale.py): its import fails before the call."""
    cache: List[Set[str]] = []

    def names() -> Set[str]:
        if not cache:
            cache.append(imported_names(python, others, root))
        return cache[0]

    findings = lower_stale(findings, python, others, root, reached.wsgi | reached.scripts,
                           lambda summary: _imported(summary, names()))
    if not reached.production:
        return list(findings)

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
        for d in analysis.deferred:
            # `app = create_app("development")` at import (factories.py): the same question as an import-time run
            if d.kind == "factory-call" and d.reach == "import":
                why = _unreached_import(summary, reached, names)
                if why:
                    loc = d.location
                    spans.setdefault(os.path.abspath(summary.path), []).append((loc.line, loc.end_line or loc.line, why))
    if not spans:
        return list(findings)
    return lower_in_spans(findings, spans)


_REQUIREMENT_FILES = ("requirements.txt", "requirements.in", "requirements-prod.txt", "pyproject.toml", "Pipfile",
                      "setup.py", "setup.cfg")
_CONNEXION_RE = re.compile(r"""(?im)^[\s"'-]*connexion(?:\[[^\]]*\])?["']?\s*(?:=\s*["'])?\s*(==|~=|>=|>|===|\^|~)?\s*(\d+)""")


def connexion_major(module_path: str, root: str) -> Tuple[Optional[int], str]:
    """The Connexion major version the project pins near ``module_path`` (its directory, then each parent up
    to ``root``), and the file that says so. Connexion 2's ``App.run()`` hands the app to Flask's development
    server; Connexion 3's ``FlaskApp.run()`` serves it with uvicorn, so the difference decides PF401."""
    here = os.path.dirname(os.path.abspath(module_path))
    top = os.path.abspath(root)
    for _ in range(8):
        for name in _REQUIREMENT_FILES:
            path = os.path.join(here, name)
            text = read_text(path)
            if text is None:
                continue
            m = _CONNEXION_RE.search(text)
            if m is not None:
                return int(m.group(2)), os.path.relpath(path, top).replace(os.sep, "/")
        if here == top or os.path.dirname(here) == here or not here.startswith(top):
            break
        here = os.path.dirname(here)
    return None, ""
