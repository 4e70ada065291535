"""A debug-mode write that a later ``app.run(debug=False)`` undoes before anything is served.

``Flask.run`` ends its set-up with ``if debug is not None: self.debug = bool(debug)`` (flask/app.py), and the
``debug`` setter writes ``self.config["DEBUG"]``. So ``app.debug = True`` followed, in the same block and with
no way out between them, by ``app.run(debug=False)`` on the same app serves with debug mode off: the earlier
write is dead. ``debug=None`` (the default) keeps the earlier value, and a run call inside a branch, or after
a ``return``/``raise`` that may skip it, proves nothing.
"""

from __future__ import annotations

import ast
from typing import Any, List, Optional

from flask_preflight.static.python.evaluate import flag_verdict, truthy
from flask_preflight.static.python.flaskapi import is_flask_app
from flask_preflight.static.python.model import Site

_EXITS = (ast.Return, ast.Raise, ast.Break, ast.Continue)


def _written_app(stmt: ast.stmt) -> Optional[ast.expr]:
    """The app of ``app.debug = ...`` or ``app.config["DEBUG"] = ...``; None for any other write."""
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        return None
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    if len(targets) != 1:
        return None
    t = targets[0]
    if isinstance(t, ast.Attribute) and t.attr == "debug":
        return t.value
    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute) and t.value.attr == "config":
        return t.value.value
    return None


def _block_of(tree: ast.AST, stmt: ast.stmt) -> Optional[List[ast.stmt]]:
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and any(s is stmt for s in block):
                return block
    return None


def _debug_kwarg(call: ast.Call) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == "debug":
            return kw.value
    return call.args[2] if len(call.args) > 2 and not any(isinstance(a, ast.Starred) for a in call.args[:3]) else None


def overridden_by_run(model: Any, site: Site) -> bool:
    """Whether the debug write at ``site`` is followed in its block by ``<same app>.run(debug=<false>)``."""
    app = _written_app(site.stmt)
    if app is None or not is_flask_app(model, app, site.scope, site.stmt.lineno):
        return False
    block = _block_of(model.tree, site.stmt)
    if block is None:
        return False
    after = block[next(i for i, s in enumerate(block) if s is site.stmt) + 1:]
    for stmt in after:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "run" \
                and ast.dump(call.func.value) == ast.dump(app):
            arg = _debug_kwarg(call)
            if arg is None:
                return False
            # a value the environment decides is the run call's own finding, not proof that the write is dead
            verdict = flag_verdict(model, arg, site.scope, arg.lineno)
            return not verdict.env_driven and verdict.unset is not None and truthy(verdict.unset) is False
        if any(isinstance(n, _EXITS) for n in ast.walk(stmt)):
            return False
    return False
