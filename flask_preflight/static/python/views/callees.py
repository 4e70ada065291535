"""PF301 across a call: project functions that hand a caught exception's text back to their caller.

``def add_user(...): try: ... except Exception as error: return {"error": str(error)}`` in a model module,
and a view that returns what ``user_tb.add_user(data)`` gave it (or its ``["error"]``): the database's error
text reaches the client, though neither function alone shows it. Each module records which of its functions
(and methods, as ``Class.method``) return such text (``leaky_functions``); a view names the functions it
calls (``callee_ref``) and the project index joins the two (``views/project.py``).
"""

from __future__ import annotations

import ast
import json
from typing import Dict, List, Optional, Set, Tuple, Union

from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.model import ModuleModel
from flask_preflight.static.python.views.flow import FuncDef, _Flow, search, Hit, Ancestors
from flask_preflight.static.python.views.streams import own_yields
from flask_preflight.static.python.views.vocabulary import INTERNAL_ERROR_PACKAGES

# Caught classes whose text is anything at all: the catch-alls.
BROAD = {"Exception", "BaseException"}
TRACEBACK_TEXT = {"format_exc", "format_exception", "format_tb"}


def _broad_or_library(model: ModuleModel, node: Optional[ast.expr]) -> bool:
    """``except:``, ``except Exception``, or a tuple holding one, or a database/HTTP library's error class
    (``psycopg2.DatabaseError``, ``sqlalchemy.exc.IntegrityError``): text written by someone else."""
    if node is None:
        return True
    elts = node.elts if isinstance(node, ast.Tuple) else [node]
    for e in elts:
        q = model.qualname(e) or ""
        if q in BROAD and q not in model.module_scope.bindings:
            return True
        if "." in q and q.split(".")[0] in INTERNAL_ERROR_PACKAGES:
            return True
    return False


def _returns_exception_text(model: ModuleModel, fn: FuncDef,
                             markers: Optional[List[Dict[str, Marker]]] = None) -> Optional[str]:
    """Where a ``return`` of ``fn`` puts ``str(e)``/``f"{e}"``/``e.args`` of an exception ``fn`` caught with a
    broad or library ``except``, or a formatted traceback: the dict key it sits under (``return {"error":
    str(e)}`` -> "error", also through ``err = {...}; return err``), "" when the value is (or holds it
    elsewhere than under a literal key); None when no return does. ``markers`` receives, for every such
    return, the keys its dict sets to a literal (``{"rowcount": -1, "data": f"{e}"}`` -> ``{"rowcount": -1}``):
    a caller that leaves on those values never reads the text."""
    names: Set[str] = set()
    formats = False  # traceback.format_exc() needs no name for the exception
    for h in walk_nodes(fn):
        if isinstance(h, ast.ExceptHandler) and h.name and _broad_or_library(model, h.type):
            names.add(h.name)
        elif isinstance(h, ast.Call) and (model.qualname(h.func) or "").rsplit(".", 1)[-1] in TRACEBACK_TEXT:
            formats = True
    if not names and not formats:
        return None
    flow = _Flow(fn)

    def text(node: ast.AST, ancestors: Ancestors, use: ast.stmt) -> Optional[Hit]:
        if isinstance(node, ast.Call):
            func = node.func
            simple = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if simple in ("str", "repr") and node.args and isinstance(node.args[0], ast.Name) and \
                    node.args[0].id in names:
                return Hit(node, "", "detail")
            if simple in TRACEBACK_TEXT and (model.qualname(func) or "").startswith("traceback."):
                return Hit(node, "", "traceback")
        if isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name) and node.value.id in names:
            return Hit(node, "", "detail")
        if isinstance(node, ast.Attribute) and node.attr in ("args", "message") and \
                isinstance(node.value, ast.Name) and node.value.id in names:
            return Hit(node, "", "detail")
        return None

    found: Optional[str] = None
    for stmt in flow.stmts:
        if not (isinstance(stmt, ast.Return) and stmt.value is not None and search(flow, stmt.value, stmt, text)):
            continue
        value: ast.AST = stmt.value
        at: ast.stmt = stmt
        if isinstance(value, ast.Name):
            defs = [d for d in flow.reaching(value.id, stmt) if d.dominating]
            if len(defs) == 1:
                value, at = defs[0].value, defs[0].stmt
        key = ""
        literal: Dict[str, Marker] = {}
        if isinstance(value, ast.Dict):
            keys = [k.value for k, v in zip(value.keys, value.values) if isinstance(k, ast.Constant)
                    and isinstance(k.value, str) and search(flow, v, at, text)]
            if len(keys) == 1:
                key = keys[0]
            literal = {k.value: _literal(v) for k, v in zip(value.keys, value.values)  # type: ignore[misc]
                       if isinstance(k, ast.Constant) and isinstance(k.value, str) and _literal(v) is not _NO}
        if found is None:
            found = key
        if markers is None:
            break
        markers.append(literal)
    return found


Marker = Union[int, float, str, bool, None]
_NO = object()


def _literal(node: ast.AST) -> object:
    """The value of a literal constant (``-1``, ``"error"``, ``False``), else ``_NO``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        return -node.operand.value
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    return _NO


def leaky_functions(model: ModuleModel) -> Tuple[Dict[str, str], Dict[str, List[Dict[str, Marker]]]]:
    """Top-level functions and methods of top-level classes (``"Class.method"``) that return a caught
    exception's text -> the key it is returned under ("" for the value itself); and for each, the literal
    keys of every such return (``_returns_exception_text``)."""
    out: Dict[str, str] = {}
    marks: Dict[str, List[Dict[str, Marker]]] = {}
    for stmt in model.tree.body:  # type: ignore[attr-defined]
        members = [(stmt.name, stmt)] if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else \
            [(f"{stmt.name}.{s.name}", s) for s in stmt.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))] \
            if isinstance(stmt, ast.ClassDef) else []
        for name, fn in members:
            if own_yields(fn):  # a generator's `return` ends the iteration: the caller never receives it
                continue
            found: List[Dict[str, Marker]] = []
            key = _returns_exception_text(model, fn, found)
            if key is not None:
                out[name] = key
                marks[name] = found
    return out, marks


def celery_tasks(model: ModuleModel) -> Set[str]:
    """Top-level functions registered as Celery tasks (``@celery.task``, ``@app.task(bind=True)``,
    ``@shared_task``): what they return is stored in the result backend for ``AsyncResult(id).info``."""
    out: Set[str] = set()
    for stmt in model.tree.body:  # type: ignore[attr-defined]
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for dec in stmt.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(func, ast.Attribute) and func.attr == "task" or \
                    (model.qualname(func) or "") in ("celery.shared_task", "celery.task"):
                out.add(stmt.name)
    return out


def exit_specs(flow: _Flow, name: str, tests: List[ast.expr]) -> List[str]:
    """The early-exit tests on a helper's result ``name`` as "key|op|json literal": ``if res["rowcount"] < 1:
    return ...`` -> "rowcount|<|1", ``if not res.get("ok")`` -> "ok|not|null", ``if res["error"]`` ->
    "error|truth|null". Tests of another shape are left out (they exclude nothing)."""
    out: List[str] = []
    for test in tests:
        op, node, const = "", test, None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            op, node = "not", test.operand
        elif isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, right, cmp = test.left, test.comparators[0], type(test.ops[0]).__name__
            if keyed_read(right) is not None and keyed_read(left) is None:
                left, right = right, left
                cmp = {"Lt": "Gt", "Gt": "Lt", "LtE": "GtE", "GtE": "LtE"}.get(cmp, cmp)
            value = _literal(right)
            if value is _NO or cmp not in _COMPARE:
                continue
            op, node, const = cmp, left, value
        else:
            op = "truth"
        read = keyed_read(node)
        if read is None or read[0] != name or any(c in read[1] for c in "|;<>"):
            continue
        out.append(f"{read[1]}|{op}|{json.dumps(const)}")
    return out


_COMPARE = {"Eq": lambda a, b: a == b, "NotEq": lambda a, b: a != b, "Lt": lambda a, b: a < b,
            "LtE": lambda a, b: a <= b, "Gt": lambda a, b: a > b, "GtE": lambda a, b: a >= b,
            "Is": lambda a, b: a is b, "IsNot": lambda a, b: a is not b}


def exits_on(spec: str, literal: Dict[str, Marker]) -> bool:
    """Whether an early-exit test (``exit_specs``) is true for a return with these literal keys."""
    key, op, const = spec.split("|", 2)
    if key not in literal:
        return False
    value = literal[key]
    if op == "not":
        return not value
    if op == "truth":
        return bool(value)
    try:
        return bool(_COMPARE[op](value, json.loads(const)))
    except (KeyError, TypeError, ValueError):
        return False


def callee_ref(model: ModuleModel, call: ast.Call) -> Optional[str]:
    """The qualified name of a project function a call may run: ``add_user(...)`` / ``model.add_user(...)``
    through an import, a function of this module, or ``user_tb.add_user(...)`` on a module-level
    ``user_tb = UserTable()`` (``"pkg.model.UserTable.add_user"``). None for anything else."""
    func = call.func
    if isinstance(func, ast.Name):
        if func.id in model.functions and model.module_name:
            return f"{model.module_name}.{func.id}"
        b = model.module_scope.bindings.get(func.id)
        return b[-1].target if b and b[-1].kind == "import" and b[-1].target and "." in b[-1].target else None
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    b = model.module_scope.bindings.get(func.value.id)
    if not b:
        return None
    last = b[-1]
    if last.kind == "import" and last.target:
        return f"{last.target}.{func.attr}"
    if last.kind == "assign" and isinstance(last.value, ast.Call) and isinstance(last.value.func, ast.Name):
        cls = last.value.func.id
        if cls in model.classes and model.module_name:
            return f"{model.module_name}.{cls}.{func.attr}"
        cb = model.module_scope.bindings.get(cls)
        if cb and cb[-1].kind == "import" and cb[-1].target:
            return f"{cb[-1].target}.{func.attr}"
    return None


def tested_keys(fn: ast.AST, name: str) -> Set[str]:
    """Keys a view reads or tests on a local (``"error" in result``, ``result.get("error")``,
    ``result["error"]``): a view that looks for the error key tells the error apart from the data, so a use
    of the whole value elsewhere is its success path."""
    out: Set[str] = set()
    for n in walk_nodes(fn):
        if isinstance(n, ast.Compare) and isinstance(n.left, ast.Constant) and isinstance(n.left.value, str) and \
                any(isinstance(c, ast.Name) and c.id == name for c in n.comparators):
            out.add(n.left.value)
        key = keyed_read(n)
        if key is not None and key[0] == name:
            out.add(key[1])
    return out


def keyed_read(node: ast.AST) -> Optional[Tuple[str, str]]:
    """(local, key) of ``result["error"]`` / ``result.get("error")``."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        key = node.slice  # Python 3.9+: the index expression itself
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return node.value.id, key.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and \
            isinstance(node.func.value, ast.Name) and node.args and isinstance(node.args[0], ast.Constant) and \
            isinstance(node.args[0].value, str):
        return node.func.value.id, node.args[0].value
    return None
