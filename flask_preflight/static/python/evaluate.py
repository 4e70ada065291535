"""Abstract evaluation of configuration expressions under chosen environments.

Deployment safety questions are "what is this value when the environment does not set anything?" and
"can an operator switch it off?". The evaluator answers them by running the few Python forms config code
uses (env lookups, bool/int/str casts, comparisons, ``and``/``or``, dict lookups, class attributes)
with every environment variable unset, or set to a given string. Anything else is ``UNKNOWN``.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from flask_preflight.static.python.model import Binding, ModuleModel, Scope


class _Unknown:
    _inst: Optional["_Unknown"] = None

    def __new__(cls) -> "_Unknown":
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # pragma: no cover - guards against accidental truth tests
        raise TypeError("UNKNOWN has no truth value")


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class ClassRef:
    qualname: str  # "pkg.config.ProductionConfig"


@dataclass(frozen=True)
class ModuleRef:
    qualname: str


@dataclass(frozen=True)
class ImportRef:
    """A name imported from another module whose value only the project index can tell."""

    qualname: str


_REFS = (ClassRef, ModuleRef, ImportRef)
SUBSCRIPT = "::"  # ImportRef("pkg.config.config::default") is config["default"] in another module

ENV_GETTERS = {"os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get"}
_TRUE_STRINGS = {"y", "yes", "t", "true", "on", "1"}
_FALSE_STRINGS = {"n", "no", "f", "false", "off", "0"}
_BOOL_PARSERS = {"strtobool", "str2bool", "str_to_bool", "to_bool", "as_bool", "parse_bool", "asbool"}
_STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "title", "capitalize"}
_COMPARE: Dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_MAX_DEPTH = 40
_MAX_STEPS = 20000  # per evaluator: pathological code degrades to UNKNOWN instead of taking forever


class _FailClosed(Exception):
    """``os.environ["X"]`` with X unset: the program stops instead of choosing a value."""


@dataclass
class EnvRead:
    name: Optional[str]
    default: Any
    node: ast.AST


@dataclass
class Trace:
    """What an evaluation touched, so messages can name the variables involved."""

    env_reads: List[EnvRead] = field(default_factory=list)
    fail_closed: bool = False
    # (function, parameter) whose default value was used: the value holds only when callers omit it
    defaults: List[Tuple[str, str]] = field(default_factory=list)

    @property
    def env_names(self) -> List[str]:
        seen: List[str] = []
        for read in self.env_reads:
            if read.name and read.name not in seen:
                seen.append(read.name)
        return seen


def truthy(value: Any) -> Optional[bool]:
    if value is UNKNOWN or isinstance(value, _REFS):
        return None if value is UNKNOWN or isinstance(value, ImportRef) else True
    try:
        return bool(value)
    except Exception:
        return None


def parse_bool_string(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE_STRINGS:
            return True
        if low in _FALSE_STRINGS:
            return False
    return UNKNOWN


IMPORT_STRING = frozenset({"werkzeug.utils.import_string", "werkzeug.import_string"})


class Evaluator:
    """Evaluates expressions of one module. ``env`` is None for "nothing set", else the value of every variable."""

    def __init__(self, model: ModuleModel, env: Optional[str] = None) -> None:
        self.model = model
        self.env = env
        self.trace = Trace()
        self._active: Set[Tuple[int, int]] = set()
        self._steps = 0

    # public -------------------------------------------------------------------------------------
    def eval(self, node: Optional[ast.expr], scope: Scope, line: int) -> Any:
        if node is None:
            return UNKNOWN
        try:
            return self._eval(node, scope, line, 0)
        except _FailClosed:
            self.trace.fail_closed = True
            return UNKNOWN
        except RecursionError:
            return UNKNOWN

    def condition(self, test: Optional[ast.expr], scope: Scope, line: int) -> Optional[bool]:
        if test is None:
            return None
        return truthy(self.eval(test, scope, line))

    # internals ----------------------------------------------------------------------------------
    def _eval(self, node: ast.expr, scope: Scope, line: int, depth: int) -> Any:
        self._steps += 1
        if depth > _MAX_DEPTH or self._steps > _MAX_STEPS:
            return UNKNOWN
        d = depth + 1
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, line, d)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, line, d)
        if isinstance(node, ast.Call):
            return self._call(node, scope, line, d)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, line, d)
        if isinstance(node, ast.BoolOp):
            result: Any = UNKNOWN
            for value_node in node.values:
                result = self._eval(value_node, scope, line, d)
                t = truthy(result)
                if t is None:
                    return UNKNOWN
                if isinstance(node.op, ast.Or) and t:
                    return result
                if isinstance(node.op, ast.And) and not t:
                    return result
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, scope, line, d)
            if isinstance(node.op, ast.Not):
                t = truthy(operand)
                return UNKNOWN if t is None else (not t)
            if operand is UNKNOWN or isinstance(operand, _REFS):
                return UNKNOWN
            try:
                return {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}[type(node.op)](operand)
            except Exception:
                return UNKNOWN
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, scope, line, d)
            for op, comp in zip(node.ops, node.comparators):
                right = self._eval(comp, scope, line, d)
                if left is UNKNOWN or right is UNKNOWN or isinstance(left, _REFS) or isinstance(right, _REFS):
                    return UNKNOWN
                fn = _COMPARE.get(type(op))
                if fn is None:
                    return UNKNOWN
                try:
                    if not fn(left, right):
                        return False
                except Exception:
                    return UNKNOWN
                left = right
            return True
        if isinstance(node, ast.IfExp):
            t = truthy(self._eval(node.test, scope, line, d))
            if t is None:
                return UNKNOWN
            return self._eval(node.body if t else node.orelse, scope, line, d)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [self._eval(e, scope, line, d) for e in node.elts]
            if any(i is UNKNOWN for i in items):
                return UNKNOWN
            if isinstance(node, ast.Set):
                try:
                    return frozenset(items)
                except TypeError:
                    return UNKNOWN
            return tuple(items) if isinstance(node, ast.Tuple) else list(items)
        if isinstance(node, ast.Dict):
            out: Dict[Any, Any] = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    return UNKNOWN
                key = self._eval(k, scope, line, d)
                if key is UNKNOWN:
                    return UNKNOWN
                try:
                    out[key] = _Lazy(self, v, scope, line, d)
                except TypeError:
                    return UNKNOWN
            return out
        if isinstance(node, ast.JoinedStr):
            parts: List[str] = []
            for value_node in node.values:
                if isinstance(value_node, ast.Constant):
                    parts.append(str(value_node.value))
                elif isinstance(value_node, ast.FormattedValue) and value_node.format_spec is None and value_node.conversion == -1:
                    v = self._eval(value_node.value, scope, line, d)
                    if v is UNKNOWN or isinstance(v, _REFS):
                        return UNKNOWN
                    parts.append(str(v))
                else:
                    return UNKNOWN
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            left = self._eval(node.left, scope, line, d)
            right = self._eval(node.right, scope, line, d)
            if left is UNKNOWN or right is UNKNOWN or isinstance(left, _REFS) or isinstance(right, _REFS):
                return UNKNOWN
            try:
                return left + right if isinstance(node.op, ast.Add) else left % right
            except Exception:
                return UNKNOWN
        return UNKNOWN

    def _name(self, name: str, scope: Scope, line: int, depth: int) -> Any:
        if name == "__name__":
            return self.model.module_name if self.model.module_name else "__main__"
        binding, bscope = self._lookup(name, scope, line, depth)
        if binding is None:
            return UNKNOWN
        return self._binding_value(binding, bscope, depth)

    def _lookup(self, name: str, scope: Scope, line: int, depth: int) -> Tuple[Optional[Binding], Scope]:
        """Like ModuleModel.lookup, but skips bindings guarded by a condition that is false here."""
        return self.model.lookup(name, scope, line, lambda b, s: self._reached(b, s, depth) is not False)

    def _reached(self, binding: Binding, scope: Scope, depth: int) -> Optional[bool]:
        verdict: Optional[bool] = True
        for test, polarity in binding.conditions:
            if test is None:
                verdict = None
                continue
            t = truthy(self._eval(test, scope, binding.line, depth + 1))
            if t is None:
                verdict = None
            elif t != polarity:
                return False
        return verdict

    def _binding_value(self, binding: Binding, scope: Scope, depth: int) -> Any:
        key = (id(binding.node), hash(binding.name))
        if key in self._active:
            return UNKNOWN
        self._active.add(key)
        try:
            if binding.kind == "assign":
                return self._eval(binding.value, scope, binding.line, depth)  # type: ignore[arg-type]
            if binding.kind == "param":
                if binding.value is None:
                    return UNKNOWN
                used = (scope.name, binding.name)
                if used not in self.trace.defaults:
                    self.trace.defaults.append(used)
                parent = scope.parent or scope
                return self._eval(binding.value, parent, binding.line, depth)
            if binding.kind == "class":
                if scope.kind == "module":
                    return ClassRef(f"{self.model.module_name}.{binding.name}" if self.model.module_name else binding.name)
                return UNKNOWN
            if binding.kind == "import" and binding.target:
                if isinstance(binding.node, ast.Import):
                    return ModuleRef(binding.target)
                return ImportRef(binding.target)
            return UNKNOWN
        finally:
            self._active.discard(key)

    def _attribute(self, node: ast.Attribute, scope: Scope, line: int, depth: int) -> Any:
        base = self._eval(node.value, scope, line, depth)
        if isinstance(base, ClassRef):
            return self.class_attr(base, node.attr, depth)
        if isinstance(base, (ModuleRef, ImportRef)):
            return ImportRef(f"{base.qualname}.{node.attr}")
        return UNKNOWN

    def class_attr(self, ref: ClassRef, attr: str, depth: int = 0) -> Any:
        """An attribute of a class of this module, following local base classes; other modules' -> ImportRef."""
        prefix = f"{self.model.module_name}." if self.model.module_name else ""
        if not ref.qualname.startswith(prefix) or ref.qualname[len(prefix):] not in self.model.classes:
            return ImportRef(f"{ref.qualname}.{attr}")
        info = self.model.classes[ref.qualname[len(prefix):]]
        bindings = info.scope.bindings.get(attr)
        if bindings:
            b = bindings[-1]
            return self._binding_value(b, info.scope, depth + 1)
        for base in info.node.bases:
            base_val = self._eval(base, self.model.module_scope, info.node.lineno, depth + 1)
            if isinstance(base_val, ClassRef):
                v = self.class_attr(base_val, attr, depth + 1)
                if v is not UNKNOWN:
                    return v
            elif isinstance(base_val, ImportRef):
                return ImportRef(f"{base_val.qualname}.{attr}")
        return UNKNOWN

    def _subscript(self, node: ast.Subscript, scope: Scope, line: int, depth: int) -> Any:
        q = self.model.qualname(node.value)
        key_node = node.slice
        if hasattr(ast, "Index") and isinstance(key_node, getattr(ast, "Index")):  # Python 3.8 shape
            key_node = key_node.value  # type: ignore[attr-defined]
        if q in ("os.environ", "environ"):
            name = self._eval(key_node, scope, line, depth)
            self.trace.env_reads.append(EnvRead(name if isinstance(name, str) else None, None, node))
            if self.env is None:
                raise _FailClosed()
            return self.env
        container = self._eval(node.value, scope, line, depth)
        key = self._eval(key_node, scope, line, depth)
        if isinstance(container, ImportRef) and isinstance(key, str):
            return ImportRef(f"{container.qualname}{SUBSCRIPT}{key}")
        if isinstance(container, dict) and key is not UNKNOWN:
            try:
                item = container.get(key, UNKNOWN)
            except TypeError:
                return UNKNOWN
            return item.get() if isinstance(item, _Lazy) else item
        if isinstance(container, (tuple, list, str)) and isinstance(key, int):
            try:
                return container[key]
            except IndexError:
                return UNKNOWN
        return UNKNOWN

    def _env_get(self, node: ast.Call, scope: Scope, line: int, depth: int, default_pos: int = 1) -> Any:
        name = self._eval(node.args[0], scope, line, depth) if node.args else UNKNOWN
        default_node: Optional[ast.expr] = None
        if len(node.args) > default_pos:
            default_node = node.args[default_pos]
        for kw in node.keywords:
            if kw.arg in ("default", "failobj", "value"):
                default_node = kw.value
        default = self._eval(default_node, scope, line, depth) if default_node is not None else None
        self.trace.env_reads.append(EnvRead(name if isinstance(name, str) else None, default, node))
        return default if self.env is None else self.env

    def _call(self, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        func = node.func
        q = self.model.qualname(func) or ""
        if q in ENV_GETTERS or q.endswith("os.environ.get"):
            return self._env_get(node, scope, line, depth)
        # python-decouple: config("DEBUG", default=False, cast=bool)
        if q in ("decouple.config", "decouple.AutoConfig"):
            return self._decouple(node, scope, line, depth)
        # environs: env.bool("DEBUG", True) / env("DEBUG", default)
        env_kind = self._environs_call(func, scope, line, depth)
        if env_kind is not None:
            raw = self._env_get(node, scope, line, depth)
            if env_kind == "bool":
                return parse_bool_string(raw) if isinstance(raw, str) else raw
            return raw
        if q in IMPORT_STRING and len(node.args) == 1 and not node.keywords:
            # werkzeug's import_string("config.development.Config") is the object that dotted name names; the
            # name is what from_object (which calls import_string on a string itself) is given
            name = self._eval(node.args[0], scope, line, depth)
            return name if isinstance(name, str) and name else UNKNOWN
        if not node.args and not node.keywords and (q and isinstance(func, (ast.Name, ast.Attribute)) or
                                                    isinstance(func, ast.Call)
                                                    and (self.model.qualname(func.func) or "") in IMPORT_STRING):
            target = self._eval(func, scope, line, depth)
            if isinstance(target, ClassRef) or isinstance(func, ast.Call) and isinstance(target, str):
                return target  # an instance reads its attributes from the class (what from_object sees)
        args = [self._eval(a, scope, line, depth) for a in node.args]
        if isinstance(func, ast.Name) and func.id in ("bool", "int", "str", "float") and len(args) <= 1 and not node.keywords:
            if not args:
                return {"bool": False, "int": 0, "str": "", "float": 0.0}[func.id]
            value = args[0]
            if value is UNKNOWN or isinstance(value, _REFS):
                return UNKNOWN
            try:
                return {"bool": bool, "int": int, "str": str, "float": float}[func.id](value)
            except Exception:
                return UNKNOWN
        simple = q.rsplit(".", 1)[-1]
        if simple in _BOOL_PARSERS and len(args) == 1:
            value = args[0]
            if value is None or isinstance(value, bool):
                return bool(value) if value is not None else UNKNOWN
            result = parse_bool_string(value)
            return int(result) if simple == "strtobool" and isinstance(result, bool) else result
        if q in ("json.loads", "ast.literal_eval") and len(args) == 1 and isinstance(args[0], str):
            try:
                return ast.literal_eval({"true": "True", "false": "False", "null": "None"}.get(args[0], args[0]))
            except Exception:
                return UNKNOWN
        if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS and not node.args:
            recv = self._eval(func.value, scope, line, depth)  # evaluated once: chains stay linear
            if isinstance(recv, str):
                return getattr(recv, func.attr)()
            return UNKNOWN
        if isinstance(func, ast.Attribute) and func.attr == "get" and 1 <= len(node.args) <= 2:
            recv = self._eval(func.value, scope, line, depth)
            if isinstance(recv, dict) and args and args[0] is not UNKNOWN:
                item = recv.get(args[0], args[1] if len(args) > 1 else None)
                return item.get() if isinstance(item, _Lazy) else item
        return UNKNOWN

    def _decouple(self, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        raw = self._env_get(node, scope, line, depth)
        cast = next((kw.value for kw in node.keywords if kw.arg == "cast"), None)
        if isinstance(cast, ast.Name) and cast.id == "bool":
            return parse_bool_string(raw) if isinstance(raw, str) else raw
        return raw

    def _environs_call(self, func: ast.expr, scope: Scope, line: int, depth: int) -> Optional[str]:
        recv: Optional[ast.expr] = None
        kind = "str"
        if isinstance(func, ast.Attribute) and func.attr in ("bool", "str", "int"):
            recv, kind = func.value, func.attr
        elif isinstance(func, ast.Name):
            recv = func
        if not isinstance(recv, ast.Name):
            return None
        binding, _ = self._lookup(recv.id, scope, line, depth)
        if binding is not None and binding.kind == "import" and binding.target == "environs.env":
            return kind  # `from environs import env`: the module-level Env() instance
        if binding is None or binding.kind != "assign" or not isinstance(binding.value, ast.Call):
            return None
        if self.model.qualname(binding.value.func) in ("environs.Env", "environs.env"):
            return kind
        return None


class _Lazy:
    """A dict value evaluated on first use, so a big config mapping does not cost anything unless read."""

    __slots__ = ("ev", "node", "scope", "line", "depth", "_value", "_done")

    def __init__(self, ev: Evaluator, node: ast.expr, scope: Scope, line: int, depth: int) -> None:
        self.ev, self.node, self.scope, self.line, self.depth = ev, node, scope, line, depth
        self._done = False
        self._value: Any = None

    def get(self) -> Any:
        if not self._done:
            self._value = self.ev._eval(self.node, self.scope, self.line, self.depth)
            self._done = True
        return self._value


@dataclass
class EnvVerdict:
    """The value of an expression in the environments that matter for a boolean flag."""

    unset: Any
    set_false: Any  # every variable set to "False"
    set_zero: Any  # every variable set to "0"
    env_names: List[str]
    fail_closed: bool

    @property
    def env_driven(self) -> bool:
        return bool(self.env_names) or self.fail_closed


def flag_verdict(model: ModuleModel, node: ast.expr, scope: Scope, line: int) -> EnvVerdict:
    values = []
    names: List[str] = []
    fail_closed = False
    for env in (None, "False", "0"):
        ev = Evaluator(model, env)
        values.append(ev.eval(node, scope, line))
        for n in ev.trace.env_names:
            if n not in names:
                names.append(n)
        if ev.trace.env_reads and not names:
            names.append("?")
        fail_closed = fail_closed or ev.trace.fail_closed
    return EnvVerdict(values[0], values[1], values[2], [n for n in names if n != "?"] or (["?"] if "?" in names else []), fail_closed)
