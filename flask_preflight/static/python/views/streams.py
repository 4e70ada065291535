"""Functions whose output reaches the client although Flask does not call them as the view itself.

A decorator's wrapper: ``@auth_required`` registers ``inner`` in the view's place, so what ``inner`` returns
before (or instead of) calling the view is the response.

A streamed response: ``return Response(generate(), mimetype="text/event-stream")``,
``Response(stream_with_context(generate()))`` or a bare ``return generate()`` (Flask's ``make_response``
wraps any iterator in ``response_class``). Werkzeug iterates the generator while it sends the body, so every
value it yields is written to the client - a server-sent event carrying ``str(e)`` is a response body like
any other. What the generator returns is discarded, so only its yields are sinks.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Tuple, Union

from flask_preflight.static.python.astutil import child_nodes, walk as walk_nodes
from flask_preflight.static.python.model import ModuleModel

FuncDef = Union[ast.FunctionDef, ast.AsyncFunctionDef]
# What turns an iterable into the response body: Flask/Werkzeug's Response (``app.response_class``) and
# ``stream_with_context``, which keeps the request context alive while the body is iterated.
STREAM_WRAPPERS = {"Response", "stream_with_context", "response_class"}


def own_yields(fn: ast.AST) -> bool:
    """``fn`` is a generator: a ``yield`` in its own body (not in a function nested in it)."""
    todo = list(child_nodes(fn))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(child_nodes(node))
    return False


def _simple(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def streamed_generators(model: ModuleModel, view: FuncDef) -> List[FuncDef]:
    """The generator functions (nested in ``view`` or defined at module level) whose call the view returns
    as its body or hands to ``Response(...)`` / ``stream_with_context(...)``."""
    parents: Dict[int, ast.AST] = {}
    nested: Dict[str, FuncDef] = {}
    for node in walk_nodes(view):
        for child in child_nodes(node):
            parents[id(child)] = node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not view:
            nested.setdefault(node.name, node)
    out: List[FuncDef] = []
    for node in walk_nodes(view):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        gen = nested.get(node.func.id) or model.functions.get(node.func.id)
        if not isinstance(gen, (ast.FunctionDef, ast.AsyncFunctionDef)) or gen is view or gen in out or \
                not own_yields(gen):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Tuple):  # return generate(), 200, headers
            parent = parents.get(id(parent))
        if isinstance(parent, ast.Return) or \
                isinstance(parent, ast.Call) and node in parent.args and _simple(parent.func) in STREAM_WRAPPERS:
            out.append(gen)
    return out


def decorator_wrappers(model: ModuleModel) -> List[Tuple[str, FuncDef]]:
    """(decorator, wrapper) for the module's top-level decorators: ``def auth_required(f): @wraps(f) def
    inner(*a, **kw): ... return f(*a, **kw); return inner`` and the factory form ``def auth_required(perm):
    def decorator(f): def inner(...): ...; return inner; return decorator``. The view a decorator is applied to
    is registered as the wrapper, so every value the wrapper returns besides the view's own is the response."""
    out: List[Tuple[str, FuncDef]] = []
    for top in model.tree.body:  # type: ignore[attr-defined]
        if not isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for outer in walk_nodes(top):
            if not isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = {a.arg for a in list(outer.args.posonlyargs) + list(outer.args.args)}
            returned = {r.value.id for r in _own(outer) if isinstance(r, ast.Return) and isinstance(r.value, ast.Name)}
            for inner in outer.body:
                if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.name in returned and \
                        any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in params
                            for n in walk_nodes(inner)):
                    out.append((top.name, inner))
    return out


def _own(fn: ast.AST) -> List[ast.AST]:
    """The nodes of ``fn``'s own body, not those of functions nested in it."""
    out: List[ast.AST] = []
    todo = list(child_nodes(fn))
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(child_nodes(node))
    return out
