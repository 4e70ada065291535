"""Debug findings inside a helper that only the project's tests call: graded by reachability, as low.

A function's code runs only when something calls it. ``def configure_test_client(app): app.debug = True``
is a pytest helper: nothing the served application runs calls it, only ``tests/`` do. Inside its own
module we know which functions running code reaches (``mappinguse.readers``: module-level statements,
decorated functions, app factories and what they call); across modules, which names each module refers to
(``ModuleSummary.referenced``). A function that its own module never runs, that no non-test module refers
to and that a test module does refer to is test-only, and its PF101/PF104/PF105 findings are lowered.
Python files the walk skipped (nothing Flask-like in them: often the tests themselves) are read as text:
one naming the function counts as a caller, a test or not by its path, so a skipped production script
that calls the helper keeps the finding as it was.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import replace
from typing import Dict, List, Sequence, Tuple

from flask_preflight.findings import Finding, Severity
from flask_preflight.static.python.mappinguse import FACTORY_NAMES, readers, used_elsewhere
from flask_preflight.static.python.model import ModuleModel
from flask_preflight.static.testpaths import is_test_path
from flask_preflight.static.source import read_text

RULES = frozenset({"PF101", "PF104", "PF105"})


def idle_functions(model: ModuleModel, findings: Sequence[Finding]) -> Dict[str, Tuple[int, int, Tuple[str, ...]]]:
    """Top-level functions holding one of this module's RULES findings that no running code of the module
    calls: name -> (first line, last line, the names through which another module could reach it). A
    decorated function (a view, a CLI command) or an app factory is registered or found by name: never idle."""
    lines = {f.line for f in findings if f.rule_id in RULES}
    out: Dict[str, Tuple[int, int, Tuple[str, ...]]] = {}
    if not lines:
        return out
    for stmt in model.tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or stmt.decorator_list \
                or stmt.name in FACTORY_NAMES:
            continue
        end = getattr(stmt, "end_lineno", None) or stmt.lineno
        if not any(stmt.lineno <= line <= end for line in lines):
            continue
        users = readers(model, stmt.name, None)
        if users is not None:
            out[stmt.name] = (stmt.lineno, end, tuple(sorted(users)))
    return out


def _skipped_callers(others: Sequence[str], root: str, names: Sequence[str]) -> Tuple[bool, bool]:
    """Whether a skipped test file, and a skipped non-test file, names one of ``names`` (as a word)."""
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    test = other = False
    for path in others:
        text = read_text(path, limit=500_000)
        if text is None:
            continue
        if pattern.search(text) is None:
            continue
        if is_test_path(os.path.relpath(path, root) if root else path):
            test = True
        else:
            other = True
    return test, other


def lower_test_only(findings: Sequence[Finding], summaries: Sequence["object"], skipped: Sequence[str] = (),
                    root: str = "") -> List[Finding]:
    """Lower RULES findings inside a test-only function (see the module docstring) to low."""
    spans: Dict[str, List[Tuple[int, int, str]]] = {}
    for s in summaries:
        idle = getattr(s, "idle_functions", None)
        if not idle or s.is_test:  # type: ignore[attr-defined]
            continue
        others = [o for o in summaries if o is not s]
        for name, (start, end, users) in idle.items():
            if used_elsewhere(s.module_name, users, (o.referenced for o in others if not o.is_test)):  # type: ignore[attr-defined]
                continue
            tested = used_elsewhere(s.module_name, users, (o.referenced for o in others if o.is_test))  # type: ignore[attr-defined]
            skipped_test, skipped_other = _skipped_callers(skipped, root, users)
            if skipped_other or not (tested or skipped_test):
                continue  # a production caller, or no caller at all: an unknown one (a script, a shell) may call it
            spans.setdefault(os.path.abspath(s.path), []).append((start, end, name))  # type: ignore[attr-defined]
    if not spans:
        return list(findings)
    out: List[Finding] = []
    for f in findings:
        hit = next((n for a, b, n in spans.get(os.path.abspath(f.path), []) if a <= f.line <= b), None)
        if hit is not None and f.rule_id in RULES and f.severity != Severity.LOW:
            f = replace(f, severity=Severity.LOW,
                        message=f"{f.message} Reported as low because only the project's tests call `{hit}()`.")
        out.append(f)
    return out
