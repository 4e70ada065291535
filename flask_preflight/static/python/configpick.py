"""Config classes picked by a function: ``from_object(ConfigFactory.factory().__class__)``.

Besides a dict lookup (``configs[os.getenv("FLASK_ENV", "development")]``), projects choose the config class
in a function of their own that reads the environment and returns an instance or the class::

    def factory():
        env = getenv("FLASK_ENV", "development")
        if env == "production":
            return Production()
        return Development()

With the environment empty this returns ``Development`` - the same fail-open as a dict lookup with a
development default. ``config_selectors`` runs such functions statement by statement with every variable
unset (no loops, no ``try``: anything the evaluator cannot decide gives no answer) and records, per function
(``factory`` or ``Class.method``), the class it returns; the module summary carries the table, so a
``from_object`` in another module is resolved by the project index (``resolve_selected``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Tuple

from flask_preflight.static.python.evaluate import UNKNOWN, ClassRef, Evaluator, ImportRef, truthy
from flask_preflight.static.python.model import ModuleModel, Scope

if TYPE_CHECKING:  # pragma: no cover - typing only
    from flask_preflight.static.python.context import Deferred
    from flask_preflight.static.python.project import ProjectIndex

CALL_SUFFIX = "()"  # a load-object ref naming a selector function rather than an object
_MAX_STEPS = 200


def config_selectors(model: ModuleModel) -> Dict[str, str]:
    """``{function or Class.method: qualified name of the class it returns with the environment empty}``."""
    out: Dict[str, str] = {}
    candidates: List[Tuple[str, ast.AST]] = list(model.functions.items())
    for cname, info in model.classes.items():
        candidates += [(f"{cname}.{s.name}", s) for s in info.node.body if isinstance(s, ast.FunctionDef)]
    for name, fn in candidates:
        if not any(isinstance(n, ast.Return) for n in ast.walk(fn)):
            continue
        picked = _run(model, fn)
        if picked is not None:
            out[name] = picked
    return out


def _run(model: ModuleModel, fn: ast.AST) -> Optional[str]:
    scope: Optional[Scope] = model.scope_of.get(id(fn))
    if scope is None:
        return None
    ev = Evaluator(model, None)
    stmts: List[ast.stmt] = list(getattr(fn, "body", []))
    for _ in range(_MAX_STEPS):
        if not stmts:
            return None
        stmt = stmts.pop(0)
        if isinstance(stmt, ast.If):
            taken = truthy(ev.eval(stmt.test, scope, stmt.lineno))
            if taken is None:
                return None
            stmts = list(stmt.body if taken else stmt.orelse) + stmts
        elif isinstance(stmt, ast.Return):
            value = ev.eval(stmt.value, scope, stmt.lineno) if stmt.value is not None else None
            if isinstance(value, (ClassRef, ImportRef)) and value is not UNKNOWN:
                return value.qualname
            return None
        elif not isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Pass)):
            return None  # a loop, try, with...: not followed
    return None


def selector_ref(model: ModuleModel, node: ast.expr, scope: Scope, line: int) -> Optional[str]:
    """``Factory.pick()`` / ``pick()`` (optionally ``.__class__``), called with no arguments, as
    ``module.Factory.pick()``: the qualified function, with ``CALL_SUFFIX``, for the project to resolve."""
    if isinstance(node, ast.Attribute) and node.attr == "__class__":
        node = node.value
    if not isinstance(node, ast.Call) or node.args or node.keywords:
        return None
    parts: List[str] = []
    func = node.func
    while isinstance(func, ast.Attribute):
        parts.insert(0, func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or len(parts) > 1:
        return None
    binding, _ = model.lookup(func.id, scope, line)
    if binding is None:
        return None
    if binding.kind == "import" and binding.target:
        head = binding.target
    elif binding.kind in ("def", "class"):
        head = f"{model.module_name}.{func.id}" if model.module_name else func.id
    else:
        return None
    return ".".join([head] + parts) + CALL_SUFFIX


def resolve_selected(deferred: Iterable["Deferred"], index: "ProjectIndex") -> None:
    """Point each ``load-object`` question that names a selector at the class the selector returns (in place);
    one whose selector is unknown keeps a ref that resolves to nothing."""
    for d in deferred:
        if d.kind != "load-object" or not d.ref.endswith(CALL_SUFFIX):
            continue
        dotted = d.ref[: -len(CALL_SUFFIX)]
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            mod = index.find_module(".".join(parts[:cut]), d.path)
            if mod is None:
                continue
            picked = (getattr(mod, "config_selectors", None) or {}).get(".".join(parts[cut:]))
            if picked:
                d.ref = picked
            break
