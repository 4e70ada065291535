"""The data flow of a view body: where a value in a view comes from.

A deliberately small def-use analysis over one function (``_Flow``): a name at a use resolves to the
assignments that may reach it, stopping at one that dominates the use. That is enough for the shapes real
views have (``msg = str(e); return jsonify(error=msg)``) without pretending to be a taint engine. Both view
rules (PF301's exception leaks, PF310's exposures) ask it the same question: what can this returned
expression hold?
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from http import HTTPStatus
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple, Union

from flask_preflight.static.python.astutil import child_nodes, walk as walk_nodes

FuncDef = Union[ast.FunctionDef, ast.AsyncFunctionDef]

_MAX_DEPTH = 12
# Methods that put a value into their receiver (``app.logger.error(msg)`` does not put msg into ``app``).
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add", "write", "writelines", "__setitem__"}
# Reads of one key through an alias (``cfg.get(...)``): not the whole object.
SINGLE_KEY_ATTRS = {"get", "pop", "setdefault", "__getitem__", "__contains__", "get_namespace"}


@dataclass
class _Def:
    """One way a name gets (part of) its value: ``x = v``, ``x += v``, ``x["k"] = v``, ``x.append(v)``..."""

    name: str
    value: ast.AST
    stmt: ast.stmt
    index: int
    dominating: bool  # replaces the whole value (plain assignment) rather than adding to it


@dataclass
class Hit:
    node: ast.AST
    label: str
    grade: str  # PF301: "traceback" | "detail" (+ "catchall" origin); PF310: "secret" | "fingerprint" | "request"
    origin: Optional["_Origin"] = None
    via: Optional[_Def] = None
    debug_only: Optional[str] = None  # `x if app.debug else None`: the debug-looking test that guards the value
    helper: Optional[str] = None  # PF301: an imported function the exception is passed to; the project decides
    template: str = ""  # PF301: "name.html|key" when the value reaches the response only as that template's key


@dataclass
class _Origin:
    """Where an exception value comes from: an ``except ... as e`` clause or an error handler's parameter."""

    name: str
    start: int
    end: int
    describe: str
    catchall: bool = False
    # a ValueError-like error of code that only processed the caller's own request data: its message
    # describes that input, so a 4xx answer carrying it is a validation message
    validation: bool = False
    # the classes an ``except`` clause catches when none is a builtin: if every one turns out to be a project
    # exception with a fixed message, what it says was written for the client
    classes: Tuple[str, ...] = ()
    # a ValueError-like error caught around calls of project functions (and reads of the request): each
    # "module.function|ValueError,TypeError"; if every one raises the caught classes itself, only with
    # text it wrote, a 4xx answer carrying the message is that function's message to the user
    signals: Tuple[str, ...] = ()


Ancestors = Tuple[ast.AST, ...]



def _walk_expr(node: ast.AST, skip: Optional[Set[int]] = None) -> Iterator[Tuple[ast.AST, Ancestors]]:
    """(node, ancestors) pairs of an expression, nearest ancestor last; nested function/class bodies and the
    subtrees of ``skip`` (node ids) are not entered."""
    stack: List[Tuple[ast.AST, Ancestors]] = [] if skip and id(node) in skip else [(node, ())]
    while stack:
        n, ancestors = stack.pop()
        yield n, ancestors
        below = ancestors + (n,)
        for child in child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or (skip and id(child) in skip):
                continue
            stack.append((child, below))


def _own_exprs(stmt: ast.stmt) -> List[ast.AST]:
    """The expressions of a statement itself, not those of statements nested in its body."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    out = [c for c in child_nodes(stmt)
           if not isinstance(c, (ast.stmt, ast.excepthandler)) and type(c).__name__ != "match_case"]
    for handler in getattr(stmt, "handlers", []) or []:
        if handler.type is not None:
            out.append(handler.type)
    return out


def _root_name(node: ast.expr) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _int_const(node: Optional[ast.AST]) -> Optional[int]:
    """``400``, or ``HTTPStatus.BAD_REQUEST`` / ``http.HTTPStatus.BAD_REQUEST`` (an ``IntEnum``) as 400."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Attribute) and (
            isinstance(node.value, ast.Name) and node.value.id == "HTTPStatus" or
            isinstance(node.value, ast.Attribute) and node.value.attr == "HTTPStatus"):
        member = getattr(HTTPStatus, node.attr, None)
        return int(member) if isinstance(member, HTTPStatus) else None
    return None


class _Flow:
    """Def-use facts for one function body (nested functions excluded)."""

    def __init__(self, fn: FuncDef) -> None:
        self.fn = fn
        self.stmts: List[ast.stmt] = []
        self.index: Dict[int, int] = {}
        self.ancestry: Dict[int, Tuple[int, ...]] = {}
        self.defs: Dict[str, List[_Def]] = {}
        self.handlers: List[ast.ExceptHandler] = []
        self.blocks: Dict[int, List[ast.stmt]] = {}  # id(body list) -> the list
        self._visit(fn.body, ())
        # `resp.data = v` / `errors.append(v)` change a local object; on `app` or `g` they are not this view's data
        self.local = {name for name, defs in self.defs.items() if any(d.dominating for d in defs)}

    def _visit(self, body: List[ast.stmt], ancestry: Tuple[int, ...]) -> None:
        anc = ancestry + (id(body),)
        self.blocks[id(body)] = body
        for stmt in body:
            self.index[id(stmt)] = len(self.stmts)
            self.ancestry[id(stmt)] = anc
            self.stmts.append(stmt)
            self._record(stmt)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for name in ("body", "orelse", "finalbody"):
                sub = getattr(stmt, name, None)
                if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                    self._visit(sub, anc)
            for handler in getattr(stmt, "handlers", []) or []:
                self.handlers.append(handler)
                self._visit(handler.body, anc)
            for case in getattr(stmt, "cases", []) or []:
                self._visit(case.body, anc)

    def _add(self, name: Optional[str], value: ast.AST, stmt: ast.stmt, dominating: bool) -> None:
        if name:
            self.defs.setdefault(name, []).append(_Def(name, value, stmt, self.index[id(stmt)], dominating))

    def _record(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self._target(target, stmt.value, stmt)
        elif isinstance(stmt, ast.AugAssign):
            self._add(_root_name(stmt.target), stmt.value, stmt, False)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            for n in walk_nodes(stmt.target):
                if isinstance(n, ast.Name):
                    self._add(n.id, stmt.iter, stmt, True)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    for n in walk_nodes(item.optional_vars):
                        if isinstance(n, ast.Name):
                            self._add(n.id, item.context_expr, stmt, True)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            # x.append(v), d.update(...), buf.write(v); traceback.print_exc(file=buf), print(v, file=buf)
            if isinstance(call.func, ast.Attribute) and call.func.attr in MUTATORS:
                self._add(_root_name(call.func.value), call, stmt, False)
            for kw in call.keywords:
                if kw.arg == "file":
                    self._add(_root_name(kw.value), call, stmt, False)

    def _target(self, target: ast.expr, value: ast.expr, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self._add(target.id, value, stmt, True)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._target(elt.value if isinstance(elt, ast.Starred) else elt, value, stmt)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            self._add(_root_name(target), value, stmt, False)

    def reaching(self, name: str, use: ast.stmt) -> List[_Def]:
        """Definitions of ``name`` that may reach a use in ``use``, newest first, up to one that dominates it."""
        at = self.index.get(id(use))
        if at is None:
            return []
        anc = self.ancestry[id(use)]
        out: List[_Def] = []
        local = name in self.local
        for d in sorted((d for d in self.defs.get(name, ()) if d.index < at and (local or d.dominating)
                         and not self._dead_end(d, anc)), key=lambda d: d.index, reverse=True):
            out.append(d)
            if d.dominating and self.ancestry[id(d.stmt)][-1] in anc:
                break
        return out


    def exit_tests(self, name: str, d: _Def, use: ast.stmt) -> List[ast.expr]:
        """Tests of the ``if`` statements between ``d`` (a definition of ``name``) and ``use`` that enclose
        the use's block, have no ``else`` and whose body always leaves the function (``if res["rowcount"] < 1:
        return ...``), with ``name`` not redefined in between: when such a test is true the use never runs."""
        at, start = self.index.get(id(use)), d.index
        if at is None:
            return []
        anc = self.ancestry[id(use)]
        if any(start < other.index < at for other in self.defs.get(name, ())):
            return []
        out: List[ast.expr] = []
        for stmt in self.stmts[start + 1:at]:
            if isinstance(stmt, ast.If) and not stmt.orelse and self.ancestry[id(stmt)][-1] in anc and \
                    id(stmt.body) not in anc and \
                    any(isinstance(s, (ast.Return, ast.Raise)) or _aborts(s) for s in stmt.body):
                out.append(stmt.test)
        return out

    def _dead_end(self, d: _Def, use_ancestry: Tuple[int, ...]) -> bool:
        """True when the block holding ``d`` always leaves the function after it (a ``return``, ``raise`` or
        ``abort()`` at its own level) and the use lies outside that block: ``except E as e: msg = str(e);
        return jsonify(msg), 500`` defines nothing the success path after the ``try`` can read."""
        block_id = self.ancestry[id(d.stmt)][-1]
        if block_id in use_ancestry:
            return False
        block = self.blocks.get(block_id, [])
        after = False
        for stmt in block:
            if stmt is d.stmt:
                after = True
            elif after and (isinstance(stmt, (ast.Return, ast.Raise)) or _aborts(stmt)):
                return True
        return False


def _aborts(stmt: ast.stmt) -> bool:
    """``abort(403)`` / ``flask.abort(...)`` as a statement: Flask raises an HTTPException, nothing after runs."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    func = stmt.value.func
    return (isinstance(func, ast.Name) and func.id == "abort") or \
        (isinstance(func, ast.Attribute) and func.attr == "abort" and isinstance(func.value, ast.Name)
         and func.value.id == "flask")


Predicate = Callable[[ast.AST, Ancestors, ast.stmt], Optional[Hit]]


def search(flow: _Flow, expr: ast.AST, use: ast.stmt, pred: Predicate, seen: Optional[Set[int]] = None,
           depth: int = 0, skip: Optional[Set[int]] = None,
           skipped: Optional[List[Tuple[ast.AST, ast.stmt]]] = None) -> List[Hit]:
    """Every hit of ``pred`` in ``expr`` and in the values its local names may hold. Subtrees in ``skip``
    (node ids, also in those values) are not entered; each one met is added to ``skipped`` with its statement."""
    seen = set() if seen is None else seen
    hits: List[Hit] = []
    if skip and id(expr) in skip and skipped is not None:
        skipped.append((expr, use))
    for node, ancestors in _walk_expr(expr, skip):
        if skip and skipped is not None:
            skipped += [(c, use) for c in child_nodes(node) if id(c) in skip]
        hit = pred(node, ancestors, use)
        if hit is not None:
            hits.append(hit)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and depth < _MAX_DEPTH:
            parent = ancestors[-1] if ancestors else None
            if (isinstance(parent, ast.Subscript) and parent.value is node) or \
                    (isinstance(parent, ast.Attribute) and parent.attr in SINGLE_KEY_ATTRS):
                continue  # `cfg["APP_NAME"]` / `cfg.get(...)` through an alias reads one key, not the object
            for d in flow.reaching(node.id, use):
                if id(d) in seen:
                    continue
                seen.add(id(d))
                for sub in search(flow, d.value, d.stmt, pred, seen, depth + 1, skip, skipped):
                    if sub.via is None:
                        sub.via = d
                    hits.append(sub)
    return hits
