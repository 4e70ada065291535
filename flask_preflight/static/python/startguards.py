"""Does the code refuse to start with this signing key? (PF201/PF202)

A literal key (``SECRET_KEY = "CHANGE ME"``) or a literal fallback (``os.environ.get("SECRET_KEY") or
"dev"``) is only a risk if the app can run with it. Many projects make sure it cannot: right after the
defaults they stop start-up when the key is still the placeholder or too short
(``if app.config["SECRET_KEY"] == "CHANGE ME": sys.exit(...)``), or the production config class's
``init_app`` raises when the variable is missing (``if not os.environ.get("SECRET_KEY"): raise ...``).

A guard counts when:

- it is an ``if`` whose test is true for this value (``key == "CHANGE ME"``, ``key in (...)``,
  ``len(key) < 16`` for a shorter value, and for a fallback ``not os.environ.get("SECRET_KEY")``,
  ``"SECRET_KEY" not in os.environ``, ``... is None``; ``or`` of such tests), and
- its body's first level leaves the process: ``raise``, ``sys.exit``/``exit``/``os._exit``/``os.abort``, or a
  call of a function of the project that always does (its body's last statement is one of those; a function
  in another module is answered by the project index from ``ModuleSummary.exiting_functions``), and
- it runs whenever the key is used: for a write in a function or at module level, a statement of the same body
  after the write; for a class attribute, a method of every class in the module that inherits the value and
  is not a development/test config (a base class with subclasses is judged by its subclasses: they are what
  ``from_object`` loads).
"""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Sequence, Set, Tuple

from flask_preflight.static.python.debug import classify_config_class
from flask_preflight.static.python.evaluate import ENV_GETTERS
from flask_preflight.static.python.model import ModuleModel

ABORT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort", "builtins.exit"})
PENDING_KIND = "refused-start"  # Pending.unless of a finding a project function that always exits may cancel


def exiting_functions(model: ModuleModel) -> Set[str]:
    """Top-level functions that always leave the process (``def fatal_error(msg): print(msg); sys.exit(1)``)."""
    return {name for name, fn in model.functions.items() if _always_exits(model, fn)}


def _always_exits(model: ModuleModel, fn: ast.AST) -> bool:
    body = [s for s in getattr(fn, "body", []) if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return bool(body) and _leaves(model, body[-1])


def _leaves(model: ModuleModel, stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Raise):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
        (model.qualname(stmt.value.func) or "") in ABORT_CALLS


class StartGuards:
    """Guards of one module that stop start-up for a signing key's value."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._exiting = exiting_functions(model)

    def refusal(self, key: str, value: object, env_names: Sequence[str], stmt: ast.stmt, owner: Optional[str],
                ) -> Tuple[bool, List[str]]:
        """(refused here, imported functions whose always-exiting would make it refused). ``env_names``: the
        variables whose absence makes the value apply (a fallback); empty for a plain literal."""
        checks = Checks(self.model, key, value, env_names)
        if owner is not None:
            classes = self._deployable(owner)
            if not classes:
                return False, []
            verdicts = [self._best([s for m in self._methods(c) for s in _ifs(m.body)], checks) for c in classes]
            if all(v[0] for v in verdicts):
                return True, []
            if all(v[0] or v[1] for v in verdicts):
                return False, sorted({r for v in verdicts for r in v[1]})
            return False, []
        body = self._body_of(stmt)
        after = [s for s in body if s.lineno > stmt.lineno] if body else []
        return self._best([s for s in after if isinstance(s, ast.If)], checks)

    def _best(self, ifs: Sequence[ast.If], checks: "Checks") -> Tuple[bool, List[str]]:
        imported: List[str] = []
        for node in ifs:
            if not checks.refuses(node.test):
                continue
            leaves, refs = self._aborts(node.body)
            if leaves:
                return True, []
            imported += refs
        return False, imported

    def _aborts(self, body: Sequence[ast.stmt]) -> Tuple[bool, List[str]]:
        refs: List[str] = []
        for stmt in body:
            if _leaves(self.model, stmt):
                return True, []
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name):
                name = stmt.value.func.id
                binding, _ = self.model.lookup(name, self.model.module_scope, stmt.lineno)
                if binding is not None and binding.kind == "def" and name in self._exiting:
                    return True, []
                if binding is not None and binding.kind == "import" and binding.target:
                    refs.append(binding.target)
        return False, refs

    def _deployable(self, owner: str) -> List[ast.ClassDef]:
        """``owner`` and the module's classes deriving from it that a deployment may load: not development
        or test configs, and not a base class that has subclasses."""
        classes = {name: info.node for name, info in self.model.classes.items()}
        children = {name: [c for c, node in classes.items() if any(_base_name(b) == name for b in node.bases)]
                    for name in classes}
        out: List[ast.ClassDef] = []
        stack, seen = [owner], set()
        while stack:
            name = stack.pop()
            if name in seen or name not in classes:
                continue
            seen.add(name)
            stack += children.get(name, [])
            if children.get(name) or classify_config_class(name, self.model.module_name) == "dev":
                continue
            out.append(classes[name])
        return out

    @staticmethod
    def _methods(cls: ast.ClassDef) -> Iterator[ast.FunctionDef]:
        return (s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))  # type: ignore[misc]

    def _body_of(self, stmt: ast.stmt) -> Optional[List[ast.stmt]]:
        for node in ast.walk(self.model.tree):
            for field in ("body", "orelse", "finalbody"):
                body = getattr(node, field, None)
                if isinstance(body, list) and any(s is stmt for s in body):
                    return body
        return None


def _ifs(body: Sequence[ast.stmt]) -> List[ast.If]:
    return [s for s in body if isinstance(s, ast.If)]


def _base_name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


class Checks:
    """Whether an ``if`` test is true for the key's value (or, for a fallback, when its variable is unset)."""

    def __init__(self, model: ModuleModel, key: str, value: object, env_names: Sequence[str]) -> None:
        self.model, self.key, self.value, self.env_names = model, key, value, set(env_names)

    def refuses(self, test: ast.expr) -> bool:
        if isinstance(test, ast.BoolOp):
            results = [self.refuses(v) for v in test.values]
            return any(results) if isinstance(test.op, ast.Or) else all(results)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self._env_read(test.operand) or self._env_present(test.operand)
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            return self._compare(test.left, test.ops[0], test.comparators[0])
        return False

    def _compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> bool:
        if isinstance(op, ast.Is) and isinstance(right, ast.Constant) and right.value is None:
            return self._env_read(left)
        if isinstance(op, ast.NotIn) and isinstance(left, ast.Constant) and left.value in self.env_names:
            return (self.model.qualname(right) or "") in ("os.environ", "environ")
        literal = isinstance(self.value, (str, bytes))
        if isinstance(op, ast.Eq) and literal:
            return (self._is_key(left) and _const(right) == self.value) or (self._is_key(right) and _const(left) == self.value)
        if isinstance(op, ast.In) and literal and self._is_key(left) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            return any(_const(e) == self.value for e in right.elts)
        if isinstance(op, (ast.Lt, ast.LtE)) and literal and isinstance(left, ast.Call) and \
                isinstance(left.func, ast.Name) and left.func.id == "len" and len(left.args) == 1 and \
                self._is_key(left.args[0]) and isinstance(_const(right), int):
            limit = _const(right)
            size = len(self.value)  # type: ignore[arg-type]
            return size < limit if isinstance(op, ast.Lt) else size <= limit  # type: ignore[operator]
        return False

    def _is_key(self, node: ast.expr) -> bool:
        """``app.config["SECRET_KEY"]``, ``config.get("SECRET_KEY")``, ``app.secret_key``, ``cls.SECRET_KEY``."""
        if isinstance(node, ast.Subscript):
            return _const(node.slice) == self.key
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            return _const(node.args[0]) == self.key and (self.model.qualname(node.func) or "") not in ENV_GETTERS
        if isinstance(node, ast.Attribute):
            return node.attr == self.key or (self.key == "SECRET_KEY" and node.attr == "secret_key")
        return isinstance(node, ast.Name) and node.id == self.key

    def _env_read(self, node: ast.expr) -> bool:
        """A read of the fallback's variable, which is None when it is unset."""
        if not isinstance(node, ast.Call) or not node.args or (self.model.qualname(node.func) or "") not in ENV_GETTERS:
            return False
        return _const(node.args[0]) in self.env_names and (len(node.args) < 2 or _const(node.args[1]) is None)

    def _env_present(self, node: ast.expr) -> bool:
        """``"SECRET_KEY" in os.environ`` (negated by the caller)."""
        return isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.In) and \
            _const(node.left) in self.env_names and \
            (self.model.qualname(node.comparators[0]) or "") in ("os.environ", "environ")


def _const(node: Optional[ast.AST]) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    return _NOTHING


_NOTHING = object()
