"""What a boolean switch is when the environment sets nothing, including project-defined bool parsers.

Settings modules often wrap ``os.environ.get`` in a helper of their own (``parse_boolean``, ``env_bool``,
``str2bool`` imported from ``settings/helpers.py``) and chain switches (``COOKIES_SECURE`` defaults to
``str(ENFORCE_HTTPS)``). The shared evaluator only knows the parsers it lists by name; this one also treats a
one-argument call to any function named like a boolean parser as one, so a chain of them still ends in a
value. Only the cookie and CSRF checks use it: their question is "is this protection off by default?".
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Tuple

from flask_preflight.static.python.evaluate import UNKNOWN, Evaluator, parse_bool_string, truthy
from flask_preflight.static.python.model import ModuleModel, Scope

# parse_boolean, env_bool, to_bool, str2bool, as_bool, get_bool, is_true, truthy: names that say "string to bool"
_PARSER_RE = re.compile(r"(^|_)(parse_?bool(ean)?|str_?2_?bool(ean)?|str_to_bool(ean)?|to_?bool(ean)?|as_?bool(ean)?|"
                        r"env_?bool(ean)?|get_?bool(ean)?|bool(ean)?_?env|is_?true|truthy)$", re.IGNORECASE)


class FlagEvaluator(Evaluator):
    """An Evaluator that also runs project-defined ``parse_boolean(os.environ.get("X", "false"))`` helpers."""

    def _call(self, node: ast.Call, scope: Scope, line: int, depth: int) -> Any:
        value = super()._call(node, scope, line, depth)
        if value is not UNKNOWN or len(node.args) != 1 or node.keywords:
            return value
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if not _PARSER_RE.search(name):
            return value
        arg = self._eval(node.args[0], scope, line, depth)
        if isinstance(arg, bool):
            return arg
        return parse_bool_string(arg) if isinstance(arg, str) else UNKNOWN


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
