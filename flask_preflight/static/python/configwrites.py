"""Every place a module writes Flask configuration, in one list that each rule pack filters.

Flask config arrives through many spellings - ``app.secret_key = v``, ``app.config["K"] = v``,
``config.update(K=v)`` / ``from_mapping({"K": v})`` / ``update(**d)``, config-class attributes and
settings-module constants loaded with ``from_object``. Rules should not each re-learn them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, List, Optional

from flask_preflight.static.python.evaluate import Evaluator
from flask_preflight.static.python.flaskapi import config_receiver, is_flask_app
from flask_preflight.static.python.model import ModuleModel, Site

# Flask's ConfigAttribute properties: assigning them writes the config key.
APP_ATTRIBUTES = {"debug": "DEBUG", "secret_key": "SECRET_KEY", "testing": "TESTING",
                  "permanent_session_lifetime": "PERMANENT_SESSION_LIFETIME"}


@dataclass
class ConfigWrite:
    key: str
    value: ast.expr
    site: Site
    node: ast.AST  # where a finding belongs: the value, or the call when the value came from elsewhere
    how: str  # "app-attr" | "subscript" | "mapping" | "class" | "module"
    display: str  # how the write reads in a message; "{src}" stands for the value's source
    owner: Optional[str] = None  # the class, for class attributes

    @property
    def in_app_code(self) -> bool:
        """Written to a live app's config (not a class or module constant that something may load)."""
        return self.how in ("app-attr", "subscript", "mapping")


def config_writes(model: ModuleModel) -> List[ConfigWrite]:
    cached = getattr(model, "_config_writes", None)
    if cached is None:
        cached = list(_collect(model))
        model._config_writes = cached  # type: ignore[attr-defined]
    return cached


def _collect(model: ModuleModel):
    for stmt, site in model.statements:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                yield from _assignment(model, target, stmt.value, site)
    for call, site in model.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ("update", "from_mapping") and \
                config_receiver(model, func.value, site.scope, call.lineno):
            for key, value in mapping_args(model, call, site).items():
                yield ConfigWrite(key, value, site, outside(value, call) or value, "mapping",
                                  f"`config.{func.attr}({key}=" + "{src})`")


def _assignment(model: ModuleModel, target: ast.expr, value: ast.expr, site: Site):
    if isinstance(target, ast.Attribute) and target.attr in APP_ATTRIBUTES and \
            is_flask_app(model, target.value, site.scope, target.lineno):
        yield ConfigWrite(APP_ATTRIBUTES[target.attr], value, site, value, "app-attr",
                          f"`app.{target.attr} = " + "{src}`")
    elif isinstance(target, ast.Subscript) and config_receiver(model, target.value, site.scope, target.lineno):
        key = Evaluator(model).eval(subscript_key(target), site.scope, target.lineno)
        if isinstance(key, str):
            yield ConfigWrite(key, value, site, value, "subscript", f"`config[{key!r}] = " + "{src}`")
    elif isinstance(target, ast.Name) and site.scope.kind in ("class", "module"):
        kind = site.scope.kind
        owner = site.scope.name if kind == "class" else None
        shown = f"{owner}.{target.id}" if owner else target.id
        yield ConfigWrite(target.id, value, site, value, kind, f"`{shown} = " + "{src}`", owner)


def mapping_args(model: ModuleModel, call: ast.Call, site: Site) -> Dict[str, ast.expr]:
    """Keys and value nodes passed as ``f(K=v)``, ``f({"K": v})``, ``f(dict(K=v))``, ``f(**d)`` or ``f(d)``."""
    out: Dict[str, ast.expr] = {}
    for kw in call.keywords:
        if kw.arg is not None:
            out[kw.arg] = kw.value
        else:
            out.update(dict_nodes(model, kw.value, site))
    for arg in call.args:
        out.update(dict_nodes(model, arg, site))
    return out


def dict_nodes(model: ModuleModel, node: ast.expr, site: Site, depth: int = 0) -> Dict[str, ast.expr]:
    if isinstance(node, ast.Dict):
        return {k.value: v for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg: kw.value for kw in node.keywords if kw.arg is not None}
    if isinstance(node, ast.Name) and depth < 3:
        binding, _ = model.lookup(node.id, site.scope, node.lineno)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return dict_nodes(model, binding.value, site, depth + 1)
    return {}


def subscript_key(sub: ast.Subscript) -> ast.expr:
    s = sub.slice
    if hasattr(ast, "Index") and isinstance(s, getattr(ast, "Index")):  # Python 3.8 shape
        return s.value  # type: ignore[attr-defined]
    return s  # type: ignore[return-value]


def outside(value: ast.AST, call: ast.AST) -> Optional[ast.AST]:
    """``call`` when ``value`` was found elsewhere (a ``**options`` dict): findings belong where the call is."""
    start = (value.lineno, value.col_offset)  # type: ignore[attr-defined]
    end = (value.end_lineno or 0, value.end_col_offset or 0)  # type: ignore[attr-defined]
    if (call.lineno, call.col_offset) <= start and end <= (call.end_lineno or 0, call.end_col_offset or 0):  # type: ignore[attr-defined]
        return None
    return call
