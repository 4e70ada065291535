"""A per-module model of what runs when: imports, bindings per scope, and the reach of every statement.

Flask hazards depend less on *what* a line says than on *when* it runs: at import (what gunicorn does),
only as a script (``python app.py``), or only when some function is called. The walker records that
for each statement so rules can grade severity by reachability instead of by syntax.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from flask_preflight.static.python.astutil import child_nodes, walk as walk_nodes


# The factory names ``flask run`` calls without arguments when it finds no app object (flask.cli.find_best_app);
# gunicorn's ``"module:create_app()"`` calls them too. A factory only a ``__main__`` block calls is still served.
FACTORY_NAMES = ("create_app", "make_app")


class Reach(enum.Enum):
    IMPORT = "import"      # runs whenever the module is imported (module level, class bodies, called functions)
    MAIN = "main"          # runs only when executed as a script (`__main__` guard, __main__.py)
    FUNCTION = "function"  # runs only if some function is called (factories, CLI commands, views)


# (test expression, polarity): the statement runs when bool(test) == polarity. A None test stands for
# a condition we cannot express (an ``except`` handler).
Condition = Tuple[Optional[ast.expr], bool]


@dataclass
class Binding:
    name: str
    line: int
    value: Optional[ast.expr]
    kind: str  # assign | param | import | class | def | other
    node: ast.AST
    conditions: Tuple[Condition, ...] = ()
    target: Optional[str] = None  # qualified name for imports, e.g. "flask.Flask"


@dataclass
class Scope:
    kind: str  # module | function | class
    name: str
    node: ast.AST
    parent: Optional["Scope"]
    bindings: Dict[str, List[Binding]] = field(default_factory=dict)
    params: Dict[str, Binding] = field(default_factory=dict)

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)

    @property
    def function_scope(self) -> "Scope":
        """The innermost scope whose locals a name inside this scope can see (class scopes are skipped)."""
        s: Optional[Scope] = self
        while s is not None and s.kind == "class":
            s = s.parent
        return s or self


@dataclass
class Site:
    """Where a node sits: its scope, its reach and the conditions guarding it."""

    scope: Scope
    reach: Reach
    conditions: Tuple[Condition, ...]
    function: Optional[str]  # enclosing top-level function name, if any
    stmt: ast.stmt


@dataclass
class ClassInfo:
    name: str
    node: ast.ClassDef
    scope: Scope
    site: Site


def is_main_guard(test: ast.expr) -> Optional[bool]:
    """True for ``__name__ == "__main__"``, False for ``!=``; None when the test is not the guard."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            if is_main_guard(value) is True:
                return True
        return None
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and len(test.comparators) == 1):
        return None
    left, right = test.left, test.comparators[0]
    names = [n for n in (left, right) if isinstance(n, ast.Name) and n.id == "__name__"]
    consts = [n for n in (left, right) if isinstance(n, ast.Constant) and n.value == "__main__"]
    if not (names and consts):
        return None
    if isinstance(test.ops[0], ast.Eq):
        return True
    if isinstance(test.ops[0], ast.NotEq):
        return False
    return None


class ModuleModel:
    """Bindings, classes, call sites and reach for one parsed module, built in a single walk."""

    def __init__(self, tree: ast.Module, *, module_name: str, path: str, is_package: bool = False,
                 script_only: bool = False) -> None:
        self.tree = tree
        self.module_name = module_name
        self.path = path
        self.is_package = is_package
        self.module_scope = Scope("module", module_name, tree, None)
        self.imports: Dict[str, str] = {}  # local name -> qualified target
        self.classes: Dict[str, ClassInfo] = {}
        self.functions: Dict[str, ast.AST] = {}
        self.scope_of: Dict[int, Scope] = {}  # id(function/class node) -> Scope
        # (first, last line of a try body, [(first, last line of each handler)]): see ``lookup``.
        self.try_spans: List[Tuple[int, int, List[Tuple[int, int]]]] = []
        self.statements: List[Tuple[ast.stmt, Site]] = []
        self.calls: List[Tuple[ast.Call, Site]] = []
        self._function_reach: Dict[str, Reach] = {}
        # who calls which simple names: a top-level function's name, or None for import / script level
        self._called: Dict[Optional[str], Set[str]] = {}
        self._main_called: Set[str] = set()
        self._pending: List[Tuple[Site, bool, Optional[str]]] = []
        # past a top-level argparse parse_args() the module only runs as a command: see _argv_parse_line
        self.script_from = _argv_parse_line(tree)
        self._walk(tree.body, self.module_scope, script_only, (), None, None)
        self._compute_function_reach()
        for site, main, owner in self._pending:
            site.reach = self._reach(main, owner)
        self._pending = []

    # ----- imports ------------------------------------------------------------------------------
    def resolve_relative(self, module: Optional[str], level: int) -> str:
        if level == 0:
            return module or ""
        parts = self.module_name.split(".") if self.module_name else []
        if not self.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base

    def qualname(self, node: ast.expr) -> Optional[str]:
        """Dotted name of an expression through imports: ``fl.Flask`` -> ``flask.Flask``."""
        parts: List[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id, node.id)
        parts.append(head)
        return ".".join(reversed(parts))

    # ----- reach ----------------------------------------------------------------------------------
    def _compute_function_reach(self) -> None:
        """Functions called at import time run at import time; ones called only under the guard, as a script."""
        def closure(roots: Set[str]) -> Set[str]:
            seen: Set[str] = set()
            stack = [r for r in roots if r in self.functions]
            while stack:
                fn = stack.pop()
                if fn in seen:
                    continue
                seen.add(fn)
                stack.extend(c for c in self._called.get(fn, ()) if c in self.functions and c not in seen)
            return seen

        at_import = closure(self._called.get(None, set()))
        at_main = closure(self._main_called) - closure({n for n in FACTORY_NAMES if n in self.functions})
        for fn in self.functions:
            if fn in at_import:
                self._function_reach[fn] = Reach.IMPORT
            elif fn in at_main:
                self._function_reach[fn] = Reach.MAIN
            else:
                self._function_reach[fn] = Reach.FUNCTION

    def function_reach(self, name: str) -> Reach:
        return self._function_reach.get(name, Reach.FUNCTION)

    def _reach(self, main: bool, owner: Optional[str]) -> Reach:
        if owner is None:
            return Reach.MAIN if main else Reach.IMPORT
        if owner == "":
            return Reach.MAIN if main else Reach.FUNCTION
        reach = self.function_reach(owner)
        return Reach.MAIN if main and reach == Reach.IMPORT else reach

    # ----- walking --------------------------------------------------------------------------------
    def _walk(self, body: Sequence[ast.stmt], scope: Scope, main: bool, conds: Tuple[Condition, ...],
              function: Optional[str], owner: Optional[str]) -> None:
        """``function`` names the enclosing top-level function (for messages); ``owner`` decides reach:
        None at module/class level, the function's name directly in its body, "" in methods and nested defs."""
        for stmt in body:
            if owner is None and scope.kind == "module" and self.script_from is not None and stmt.lineno > self.script_from:
                main = True
            site = Site(scope, Reach.IMPORT, conds, function, stmt)
            self._pending.append((site, main, owner))
            self.statements.append((stmt, site))
            self._bind(stmt, scope, conds)
            for node in _walk_stmt_exprs(stmt):
                if isinstance(node, ast.Call):
                    self.calls.append((node, site))
                    if owner == "":
                        continue
                    # Thread(target=run).start() runs `run` as surely as run() does
                    names = [kw.value.id for kw in node.keywords if kw.arg == "target" and isinstance(kw.value, ast.Name)]
                    if isinstance(node.func, ast.Name):
                        names.append(node.func.id)
                    for name in names:
                        if main and owner is None:
                            self._main_called.add(name)
                        else:
                            self._called.setdefault(owner, set()).add(name)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                fscope = Scope("function", stmt.name, stmt, scope)
                self.scope_of[id(stmt)] = fscope
                self._bind_params(stmt, fscope)
                if scope.kind == "module":
                    self.functions[stmt.name] = stmt
                    self._walk(stmt.body, fscope, main, (), stmt.name, stmt.name)
                else:
                    self._walk(stmt.body, fscope, main, (), function or stmt.name, "")
            elif isinstance(stmt, ast.ClassDef):
                cscope = Scope("class", stmt.name, stmt, scope)
                self.scope_of[id(stmt)] = cscope
                if scope.kind == "module":
                    self.classes[stmt.name] = ClassInfo(stmt.name, stmt, cscope, site)
                self._walk(stmt.body, cscope, main, conds, function, owner)
            elif isinstance(stmt, ast.If):
                guard = is_main_guard(stmt.test) if scope.kind == "module" else None
                if guard is True:
                    self._walk(stmt.body, scope, True, conds, function, owner)
                    self._walk(stmt.orelse, scope, main, conds, function, owner)
                elif guard is False:
                    self._walk(stmt.body, scope, main, conds, function, owner)
                    self._walk(stmt.orelse, scope, True, conds, function, owner)
                else:
                    self._walk(stmt.body, scope, main, conds + ((stmt.test, True),), function, owner)
                    self._walk(stmt.orelse, scope, main, conds + ((stmt.test, False),), function, owner)
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                if stmt.body and stmt.handlers:  # type: ignore[attr-defined]
                    self.try_spans.append((
                        stmt.body[0].lineno, _end(stmt.body[-1]),
                        [(h.lineno, _end(h)) for h in stmt.handlers],  # type: ignore[attr-defined]
                    ))
                self._walk(stmt.body, scope, main, conds, function, owner)
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    self._walk(handler.body, scope, main, conds + ((None, True),), function, owner)
                self._walk(stmt.orelse, scope, main, conds, function, owner)  # type: ignore[attr-defined]
                self._walk(stmt.finalbody, scope, main, conds, function, owner)  # type: ignore[attr-defined]
            elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
                self._walk(stmt.body, scope, main, conds + ((None, True),), function, owner)
                self._walk(stmt.orelse, scope, main, conds, function, owner)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                self._walk(stmt.body, scope, main, conds, function, owner)
            elif type(stmt).__name__ == "Match":
                for case in stmt.cases:  # type: ignore[attr-defined]
                    self._walk(case.body, scope, main, conds + ((None, True),), function, owner)

    def _bind_params(self, fn: ast.AST, scope: Scope) -> None:
        args = fn.args  # type: ignore[attr-defined]
        positional = list(args.posonlyargs) + list(args.args)
        defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in zip(positional, defaults):
            scope.params[arg.arg] = Binding(arg.arg, fn.lineno, default, "param", arg)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            scope.params[arg.arg] = Binding(arg.arg, fn.lineno, default, "param", arg)
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                scope.params[arg.arg] = Binding(arg.arg, fn.lineno, None, "param", arg)

    def _bind(self, stmt: ast.stmt, scope: Scope, conds: Tuple[Condition, ...]) -> None:
        line = stmt.lineno
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._bind_target(target, stmt.value, scope, stmt, conds)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._bind_target(stmt.target, stmt.value, scope, stmt, conds)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            scope.add(Binding(stmt.target.id, line, None, "other", stmt, conds))
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                local = alias.asname or alias.name.split(".")[0]
                target = alias.name if alias.asname else alias.name.split(".")[0]
                if scope.kind == "module":
                    self.imports[local] = target
                scope.add(Binding(local, line, None, "import", stmt, conds, target))
        elif isinstance(stmt, ast.ImportFrom):
            base = self.resolve_relative(stmt.module, stmt.level)
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name
                target = f"{base}.{alias.name}" if base else alias.name
                if scope.kind == "module":
                    self.imports[local] = target
                scope.add(Binding(local, line, None, "import", stmt, conds, target))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.add(Binding(stmt.name, line, None, "def", stmt, conds))
        elif isinstance(stmt, ast.ClassDef):
            scope.add(Binding(stmt.name, line, None, "class", stmt, conds))
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            for name in _target_names(stmt.target):
                scope.add(Binding(name, line, None, "other", stmt, conds))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    for name in _target_names(item.optional_vars):
                        scope.add(Binding(name, line, None, "other", stmt, conds))

    def _bind_target(self, target: ast.expr, value: ast.expr, scope: Scope, stmt: ast.stmt,
                     conds: Tuple[Condition, ...]) -> None:
        if isinstance(target, ast.Name):
            scope.add(Binding(target.id, stmt.lineno, value, "assign", stmt, conds))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) else None
            for i, elt in enumerate(target.elts):
                if values is not None:
                    self._bind_target(elt, values[i], scope, stmt, conds)
                else:
                    for name in _target_names(elt):
                        scope.add(Binding(name, stmt.lineno, None, "other", stmt, conds))

    # ----- queries --------------------------------------------------------------------------------
    def lookup(self, name: str, scope: Scope, line: int,
               accept: Optional[Callable[[Binding, Scope], bool]] = None) -> Tuple[Optional[Binding], Scope]:
        """The binding a use of ``name`` at ``line`` most plausibly sees (last earlier one in its scope chain),
        and the scope it lives in. ``accept`` can reject candidates (e.g. ones behind a false condition).

        Inside a function body every enclosing module binding counts, since the body runs after the
        whole module has executed; at module or class level only earlier lines count.
        """
        s: Optional[Scope] = scope
        first = True
        limit: Optional[int] = line
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent
                continue
            candidates = [b for b in s.bindings.get(name, []) if limit is None or b.line < limit]
            accepted = [b for b in candidates if accept is None or accept(b, s)]
            if accepted:
                return self._normal_path(accepted), s
            if s.kind == "function":
                if name in s.params:
                    return s.params[name], s
                limit = None
            first = False
            s = s.parent
        return None, scope


    def _normal_path(self, bindings: List[Binding]) -> Binding:
        """The last of ``bindings`` (in line order), except that a binding in an ``except`` handler gives way
        to one made in the body of the same ``try``: ``try: cfg = load(name) except ImportError: cfg =
        Fallback`` configures the app with ``load(name)`` whenever the import works, which is the case the
        project is deployed in; the handler is the failure path. Imports are left alone: ``try: from
        local_settings import Config`` usually names a module that is not committed, so the handler's import
        is the one that runs."""
        last = bindings[-1]
        if last.kind != "assign":
            return last
        for first, end, handlers in self.try_spans:
            if any(h0 <= last.line <= h1 for h0, h1 in handlers):
                in_body = [b for b in bindings if first <= b.line <= end and b.kind == "assign"]
                if in_body:
                    return in_body[-1]
        return last


def _end(node: ast.AST) -> int:
    return getattr(node, "end_lineno", None) or getattr(node, "lineno", 0)


def _target_names(target: ast.expr) -> List[str]:
    return [n.id for n in walk_nodes(target) if isinstance(n, ast.Name)]


def _walk_no_defs(node: ast.AST) -> Iterator[ast.AST]:
    """ast.walk that does not descend into nested function/class bodies.

    Lambda bodies are included and attributed to the enclosing statement: the lambdas that matter here
    are thread targets and callbacks created next to the call that runs them.
    """
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for child in child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            stack.append(child)


def _argv_parse_line(tree: ast.Module) -> Optional[int]:
    """The line of an unconditional top-level ``parser.parse_args()`` on a parser with only ``-`` options.

    Such a module is a command, never an app module: imported by gunicorn (argv ``gunicorn serve:app ...``)
    or ``flask run`` (argv ``flask run``), argparse rejects the unrecognized arguments and exits, so nothing
    after that line runs unless the file is executed as a script. A positional argument could swallow the
    server's argv, and ``parse_known_args`` or an explicit argument list never exit: those do not count."""
    parsers: Set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name):
            func = stmt.value.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "ArgumentParser":
                parsers.add(stmt.targets[0].id)
        for node in _walk_no_defs(stmt) if isinstance(stmt, (ast.Assign, ast.Expr)) else ():
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in parsers):
                continue
            if node.func.attr == "add_subparsers" or node.func.attr == "add_argument" and any(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) and not a.value.startswith("-")
                    for a in node.args):
                parsers.discard(node.func.value.id)
            elif node.func.attr == "parse_args" and not node.args and not node.keywords:
                return stmt.lineno
    return None


def _walk_stmt_exprs(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The expression nodes belonging to one statement itself (not to statements nested in its body)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        roots: List[ast.AST] = list(stmt.decorator_list)
        roots += [d for d in stmt.args.defaults + stmt.args.kw_defaults if d is not None]
    elif isinstance(stmt, ast.ClassDef):
        roots = list(stmt.decorator_list) + list(stmt.bases) + [k.value for k in stmt.keywords]
    else:
        roots = [c for c in child_nodes(stmt)
                 if not isinstance(c, (ast.stmt, ast.excepthandler)) and type(c).__name__ != "match_case"]
        for handler in getattr(stmt, "handlers", []) or []:
            if handler.type is not None:
                roots.append(handler.type)
    for root in roots:
        yield from _walk_no_defs(root)
