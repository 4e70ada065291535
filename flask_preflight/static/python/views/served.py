"""Whether a module's views can be served at all: a blueprint nobody imports is never registered.

``bp = Blueprint(...)`` and its routes take effect only when ``app.register_blueprint(bp)`` runs, which needs
the module imported - by an import statement, ``importlib.import_module("pkg.views")``, ``import_string`` or a
package's ``__all__`` under a wildcard import. A WSGI server imports the module it is told to
(``gunicorn pkg.wsgi:app``) and takes an application from it; a module that builds no application and
registers nothing is never such a target. So when the scan sees the application (some module constructs
``Flask(...)``) and no production module imports a blueprint-only module or names it in a string, its views
answer no request and what they would leak reaches nobody (``views/project.py`` withdraws those findings).
"""

from __future__ import annotations

import ast
import re
from typing import List, Set

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
