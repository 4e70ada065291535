"""What one module tells the view rules of other modules: its exception classes and what they say, the
messages it raises them with, and the blueprints/apps its ``before_request`` guards protect.

PF301 must not report ``except MyAppError as e: abort(400, str(e))`` when ``MyAppError`` is the project's
own exception with a fixed, user-facing message - but the class and its ``raise`` sites are usually in
other modules. PF310 must not report a route whose blueprint gets a guarding ``before_request`` hook in
another module. Both questions are answered in ``views/project.py`` from these facts.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.model import ModuleModel

# Translation wrappers around a literal are still the literal, as the user reads it.
GETTEXT = {"_", "gettext", "lazy_gettext", "_l", "ugettext", "gettext_lazy", "ngettext"}


def literal_message(node: Optional[ast.AST]) -> bool:
    """Text written in the source: a string literal (implicitly concatenated, or an f-string with nothing
    interpolated), a number, or ``_("...")`` of one. ``str(e)``, ``f"{x}"`` and a variable are not."""
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_message(node.left) and literal_message(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT:
        return all(literal_message(a) for a in node.args) and not node.keywords
    return False


def _raise_args_literal(call: ast.Call) -> bool:
    return all(literal_message(a.value if isinstance(a, ast.Starred) else a) for a in call.args) and \
        all(literal_message(k.value) for k in call.keywords)


def _message_kind(cls: ast.ClassDef) -> str:
    """How an exception class makes its message: "fixed" (its ``__init__`` hands only literals to the base,
    or its ``__str__`` returns one), "computed" (``__str__`` builds it), "args" (from what ``raise`` passes;
    also when ``__init__`` forwards its parameters) or "" when the class defines neither method."""
    methods = {s.name: s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    string = methods.get("__str__")
    if string is not None:
        returns = [n.value for n in walk_nodes(string) if isinstance(n, ast.Return)]
        return "fixed" if returns and all(literal_message(r) for r in returns) else "computed"
    init = methods.get("__init__")
    if init is None:
        return ""
    base_calls = [n for n in walk_nodes(init) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                  and n.func.attr == "__init__"]
    if not base_calls:
        return "args"  # the base never gets a message: str(e) is "" or what the class sets; treat as raised
    return "fixed" if all(_raise_args_literal(c) for c in base_calls) else "args"


def module_exceptions(model: ModuleModel) -> Tuple[Dict[str, str], List[Tuple[str, bool]]]:
    """(class name -> message kind, for every class of the module; [(raised class, literal message)])."""
    kinds = {name: _message_kind(info.node) for name, info in model.classes.items()}
    raises: List[Tuple[str, bool]] = []
    for node in walk_nodes(model.tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc
        call = exc if isinstance(exc, ast.Call) else None
        target = call.func if call is not None else exc
        q = model.qualname(target)
        if not q:
            continue
        if "." not in q and q in model.classes and model.module_name:
            q = f"{model.module_name}.{q}"
        raises.append((q, call is None or _raise_args_literal(call)))
    return kinds, raises


def qualify(model: ModuleModel, source: str) -> Optional[str]:
    """The qualified name of a module-level object named ``source`` (``bp``, ``auth.bp``): its import target,
    or ``<module>.<name>`` for one this module defines."""
    if not source.replace(".", "").replace("_", "").isalnum():
        return None
    head, _, rest = source.partition(".")
    if head in model.imports:
        target = model.imports[head]
        return f"{target}.{rest}" if rest else target
    if head in model.module_scope.bindings and model.module_name:
        return f"{model.module_name}.{source}"
    return None
