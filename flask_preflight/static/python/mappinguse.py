"""Is a module-level name (a ``{"default": DevelopmentConfig}`` mapping) used by code that runs?

A name -> config class mapping only chooses a config when something looks a name up in it: module code, a
factory, or a function that another module imports. Boilerplates often keep ``config_dict`` and a
``get_config()`` helper that nothing calls while the app picks its class itself; reporting the mapping's
fallback there describes code that never runs. Each module records which of its mappings only unused
functions read (``readers``) and which qualified names it refers to itself (``referenced_names``); the
project pass (project.py) then asks whether any other module refers to the mapping or one of its readers.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterable, Optional, Set

from flask_preflight.static.python.model import ModuleModel
from flask_preflight.static.source import read_text

# Functions Flask's CLI finds by name in the app module (flask/cli.py find_best_app), with no caller in code.
FACTORY_NAMES = {"create_app", "make_app"}


def _loads(nodes: Iterable[ast.AST]) -> Set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def readers(model: ModuleModel, name: str, own: Optional[ast.AST]) -> Optional[Set[str]]:
    """None when code of this module that runs reads ``name`` (module-level statements other than ``own``,
    the assignment itself; a decorated function, registered by its decorator; a factory Flask's CLI finds
    by name; or a function those read). Otherwise the names through which another module could still use
    it: the mapping and the top-level functions reading it, directly or through each other."""
    functions: Dict[str, ast.AST] = {}
    top: list = []
    for stmt in model.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = stmt
        elif stmt is not own:
            top.append(stmt)
    reads = {fn: _loads([node]) for fn, node in functions.items()}
    live: Set[str] = set()
    stack = [fn for fn, node in functions.items()
             if fn in FACTORY_NAMES or getattr(node, "decorator_list", None)] + sorted(_loads(top) & set(functions))
    while stack:
        fn = stack.pop()
        if fn in live:
            continue
        live.add(fn)
        stack.extend(sorted(reads[fn] & set(functions) - live))
    if name in _loads(top) or any(name in reads[fn] for fn in live):
        return None
    out = {name}
    changed = True
    while changed:
        changed = False
        for fn, names in reads.items():
            if fn not in out and names & out:
                out.add(fn)
                changed = True
    return out


def referenced_names(model: ModuleModel) -> Set[str]:
    """Qualified names this module refers to through imports: ``from config import get_config`` ->
    "config.get_config" (a star import -> "config.*"), ``config.config_dict`` -> "config.config_dict";
    imports inside functions count too (a factory importing its config lazily)."""
    out: Set[str] = set()
    for node in ast.walk(model.tree):
        if isinstance(node, ast.ImportFrom):
            base = model.resolve_relative(node.module, node.level)
            out.update(f"{base}.{a.name}" for a in node.names if base)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            out.add(f"{model.imports.get(node.value.id, node.value.id)}.{node.attr}")
    return out


def used_elsewhere(module_name: str, names: Iterable[str], referenced: Iterable[Set[str]]) -> bool:
    """Whether any of ``names`` of ``module_name`` is referred to by one of the other modules' name sets;
    the module may be imported by a shorter name (``config`` for ``app.config`` when run from ``app/``)."""
    parts = module_name.split(".") if module_name else []
    prefixes = {".".join(parts[i:]) for i in range(len(parts))}
    wanted = {f"{p}.{n}" for p in prefixes for n in list(names) + ["*"]}
    return any(wanted & refs for refs in referenced)


def names_default(model: ModuleModel) -> bool:
    """Whether this module uses the string "default" as a value anywhere (an argument, an ``or`` fallback, a
    subscript, a comparison), not only as a key of a dict display. A lookup ``mapping[name]`` never falls
    back to the "default" entry (a missing name raises KeyError, ``.get`` returns None), so that entry only
    chooses a config when some code names it."""
    keys = {id(k) for node in ast.walk(model.tree) if isinstance(node, ast.Dict) for k in node.keys if k is not None}
    return any(isinstance(node, ast.Constant) and node.value == "default" and id(node) not in keys
               for node in ast.walk(model.tree))


_DEFAULT_VALUE_RE = re.compile(r"""(?<![\w'"])['"]default['"](?!\s*:)""")


def text_names_default(path: str) -> bool:
    """``names_default`` for a file the analysis has no tree of (skipped, or Python 2 that does not parse):
    a quoted "default" that is not followed by ``:`` (a dict key)."""
    text = read_text(path, limit=1_000_000)
    return text is not None and _DEFAULT_VALUE_RE.search(text) is not None
