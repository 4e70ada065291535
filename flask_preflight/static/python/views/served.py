"""Whether a module's views can be served at all: a blueprint nobody imports is never registered.

``bp = Blueprint(...)`` and its routes take effect only when ``app.register_blueprint(bp)`` runs, which needs
the module imported - by an import statement, ``importlib.import_module("pkg.views")``, ``import_string`` or a
package's ``__all__`` under a wildcard import. A WSGI server imports the module it is told to
(``gunicorn pkg.wsgi:app``) and takes an application from it; a module that builds no application and
registers nothing is never such a target. So when the scan sees the application (some module constructs
``Flask(...)``) and no production module imports a blueprint-only module or names it in a string, its views
answer no request and what they would leak reaches nobody (``views/project.py`` withdraws those findings).

A module can also be unimportable on its own: Python evaluates a decorator expression when it runs the ``def``
below it, so ``@bp.route("/x")`` at module level with ``bp`` bound nowhere in the module (no assignment, import,
``def``/``class``, ``global`` store, and no ``from x import *`` that could bring it) raises ``NameError`` and the
import stops there. Such a module (typically an archived copy of old views) registers nothing for anyone, so
whoever imports it, none of its views is served (``unimportable``).
"""

from __future__ import annotations

import ast
import builtins
import re
from typing import List, Optional, Set

from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.model import ModuleModel

_DOTTED = re.compile(r"^[A-Za-z_][\w.]*(:\w+)?$")


def creates_app(model: ModuleModel) -> bool:
    """The module calls ``Flask(...)`` (``flask.Flask`` or a subclass named ``Flask`` by import)."""
    return any(isinstance(n, ast.Call) and (model.qualname(n.func) or "") in ("flask.Flask", "flask.app.Flask")
               for n in walk_nodes(model.tree))


def dotted_strings(model: ModuleModel) -> Set[str]:
    """String constants that could name a module (``"pkg.views"``, ``"pkg.views:bp"``, ``"views"``)."""
    out: Set[str] = set()
    for n in walk_nodes(model.tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 200 and \
                _DOTTED.match(n.value):
            out.add(n.value.split(":")[0])
    return out


def blueprint_only(model: ModuleModel, receivers: List[str]) -> bool:
    """Every object the module's views and hooks are registered on is a ``Blueprint`` this module creates at
    module level, and the module builds no application, registers no blueprint and has no ``__main__``
    block: it serves requests only once another module imports it and registers the blueprint."""
    if not receivers or creates_app(model):
        return False
    for n in walk_nodes(model.tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "register_blueprint":
            return False
        if isinstance(n, ast.Compare) and isinstance(n.left, ast.Name) and n.left.id == "__name__":
            return False
    for receiver in receivers:
        b = model.module_scope.bindings.get(receiver)
        if not b or b[-1].kind != "assign" or not isinstance(b[-1].value, ast.Call) or \
                (model.qualname(b[-1].value.func) or "") not in ("flask.Blueprint", "flask.blueprints.Blueprint"):
            return False
    return True


# Calls that can bind a module global without a visible assignment: ``globals()["bp"] = ...``, ``exec(src)``.
_DYNAMIC_BINDERS = frozenset({"globals", "vars", "exec", "eval", "setattr", "__import__"})


def _bound_names(tree: ast.AST) -> Optional[Set[str]]:
    """Every name the file binds anywhere (any scope, so a superset of its globals); None when a star import or
    a dynamic binder means some global could appear without being spelled out."""
    names: Set[str] = set(dir(builtins)) | {"__name__", "__file__", "__doc__", "__spec__", "__loader__",
                                             "__package__", "__path__", "__builtins__", "__annotations__"}
    for n in walk_nodes(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for alias in n.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, ast.arg):
            names.add(n.arg)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _DYNAMIC_BINDERS:
            return None
        elif type(n).__name__ in ("MatchAs", "MatchStar") and getattr(n, "name", None):
            names.add(n.name)  # type: ignore[attr-defined]
        elif type(n).__name__ == "MatchMapping" and getattr(n, "rest", None):
            names.add(n.rest)  # type: ignore[attr-defined]
    return names


def unimportable(model: ModuleModel) -> Optional[str]:
    """The name (``bp`` of ``@bp.route``) at the root of a decorator that is bound nowhere in the module, on a
    ``def`` or ``class`` statement the module body runs unconditionally: importing the module raises ``NameError``
    there. None when every such name may be bound."""
    tree = model.tree
    if not isinstance(tree, ast.Module):
        return None
    bound: Optional[Set[str]] = None
    for stmt in tree.body:  # only statements directly in the module body: nothing guards them
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for dec in stmt.decorator_list:
            root = dec.func if isinstance(dec, ast.Call) else dec
            while isinstance(root, ast.Attribute):
                root = root.value
            if not isinstance(root, ast.Name):
                continue
            if bound is None:
                bound = _bound_names(tree)
                if bound is None:
                    return None
            if root.id not in bound:
                return root.id
    return None
