"""What a boolean switch is when the environment sets nothing, including project-defined bool parsers.

Settings modules often wrap ``os.environ.get`` in a helper of their own (``parse_boolean``, ``env_bool``,
``str2bool`` imported from ``settings/helpers.py``) and chain switches (``COOKIES_SECURE`` defaults to
``str(ENFORCE_HTTPS)``). The shared evaluator only knows the parsers it lists by name; this one also treats a
one-argument call to any function named like a boolean parser as one, so a chain of them still ends in a
value, and runs a helper defined in the same module that hands its first two parameters to ``os.getenv`` as the
variable's name and default (``bool_env("WTF_CSRF_ENABLED", False)`` is False when the variable is unset, and
reads the variable as a bool when it is set). The cookie and CSRF checks use it (their question is "is this
protection off by default?"), and the DEBUG facts of config classes, so a deployment file that sets the
variable such a helper reads is known to switch debug mode on.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Tuple

from flask_preflight.static.python.evaluate import ENV_GETTERS, UNKNOWN, EnvRead, Evaluator, parse_bool_string, truthy
from flask_preflight.static.python.model import ModuleModel, Scope

# parse_boolean, env_bool, to_bool, str2bool, as_bool, get_bool, is_true, truthy: names that say "string to bool"
_PARSER_RE = re.compile(r"(^|_)(parse_?bool(ean)?|str_?2_?bool(ean)?|str_to_bool(ean)?|to_?bool(ean)?|as_?bool(ean)?|"
                        r"env_?bool(ean)?|get_?bool(ean)?|bool(ean)?_?env|is_?true|truthy)$", re.IGNORECASE)


class FlagEvaluator(Evaluator):
    """An Evaluator that also runs project-defined ``parse_boolean(os.environ.get("X", "false"))`` helpers."""

    def _call(self, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        value = super()._call(node, scope, line, depth)
        if value is not UNKNOWN:
            return value
        helper = self._env_helper(node, scope, line)
        if helper is not None:
            return self._helper_default(node, helper, scope, line, depth)
        if len(node.args) != 1 or node.keywords:
            return value
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if not _PARSER_RE.search(name):
            return value
        arg = self._eval(node.args[0], scope, line, depth)
        if isinstance(arg, bool):
            return arg
        return parse_bool_string(arg) if isinstance(arg, str) else UNKNOWN

    def _env_helper(self, node: ast.Call, scope: Scope, line: int) -> Optional[ast.FunctionDef]:
        """The project's own ``def bool_env(name, default=False): v = os.getenv(name, default) ...`` that this
        call runs, when it is defined in this module, is named like a bool parser, and passes its first
        parameter to the environment as the variable's name and its second as the variable's default."""
        func = node.func
        if not isinstance(func, ast.Name) or not _PARSER_RE.search(func.id) or not node.args:
            return None
        binding, _ = self.model.lookup(func.id, scope, line)
        fn = binding.node if binding is not None and binding.kind == "def" else None
        if not isinstance(fn, ast.FunctionDef) or len(fn.args.args) < 2:
            return None
        name_param, default_param = fn.args.args[0].arg, fn.args.args[1].arg
        for sub in ast.walk(fn):
            if not isinstance(sub, ast.Call) or len(sub.args) != 2:
                continue
            q = self.model.qualname(sub.func) or ""
            if not (q in ENV_GETTERS or q.endswith("os.environ.get")):
                continue
            if isinstance(sub.args[0], ast.Name) and sub.args[0].id == name_param and \
                    isinstance(sub.args[1], ast.Name) and sub.args[1].id == default_param:
                return fn
        return None

    def _helper_default(self, node: ast.Call, fn: ast.FunctionDef, scope: Scope, line: int, depth: int) -> Any:
        """What the helper returns with the variable unset: its default, read as a bool, recorded as an
        environment read so messages name the variable."""
        name = self._eval(node.args[0], scope, line, depth)
        default_node: Optional[ast.expr] = node.args[1] if len(node.args) > 1 else None
        second = fn.args.args[1].arg
        for kw in node.keywords:
            if kw.arg == second:
                default_node = kw.value
        if default_node is None:
            defaults = fn.args.defaults
            offset = len(fn.args.args) - len(defaults)
            default_node = defaults[1 - offset] if 1 - offset >= 0 else None
        if default_node is None:
            return UNKNOWN
        default = self._eval(default_node, scope, line, depth)
        self.trace.env_reads.append(EnvRead(name if isinstance(name, str) else None, default, node))
        if self.env is not None:  # the variable is set (to the sample value): the parser reads that instead
            return parse_bool_string(self.env)
        if isinstance(default, bool):
            return default
        return parse_bool_string(default) if isinstance(default, str) else UNKNOWN


def flag_default(model: ModuleModel, node: ast.expr, scope: Scope, line: int) -> Tuple[Any, List[str]]:
    """The value of ``node`` with no environment variable set, and the variables it read."""
    ev = FlagEvaluator(model, None)
    return ev.eval(node, scope, line), ev.trace.env_names


def module_env_flags(model: ModuleModel) -> Dict[str, Optional[bool]]:
    """Module-level switches read from the environment (``ENFORCE_CSRF = parse_boolean(os.environ.get(...))``)
    and their truth with nothing set, for other modules that gate a protection on them. Only assignments
    whose text reads the environment are evaluated, so a big settings module costs little."""
    out: Dict[str, Optional[bool]] = {}
    for name, bindings in model.module_scope.bindings.items():
        b = bindings[-1]
        if b.kind != "assign" or b.value is None or b.conditions:
            continue
        if not any(isinstance(n, ast.Attribute) and n.attr in ("environ", "getenv") or
                   isinstance(n, ast.Name) and n.id in ("environ", "getenv") for n in ast.walk(b.value)):
            continue
        value, env = flag_default(model, b.value, model.module_scope, b.line)
        if env:
            out[name] = truthy(value)
    return out
