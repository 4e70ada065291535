"""A config base class whose DEBUG = True reaches no config the app can load but development ones.

``from_object`` copies a class's attributes, inherited ones included, so ``DEBUG = True`` on a base matters
through the classes that inherit it - unless each of them sets DEBUG itself or is a development config (where
debug mode is the point) - and through the base when something loads it directly. When every subclass in the
project is one of those and nothing names the base except as a base class (no ``from_object(Config)``, no
``{"default": Config}`` entry, no ``"config.Config"`` string in code, no ``APP_SETTINGS=config.Config`` in an
env or deployment file), the base's value reaches production through nothing: it is a template for the
subclasses. Type annotations (``-> type[DefaultConfig]``) and reads of a class attribute (``Config.LOG_DIR``)
name the class without loading it. A base with no subclass, or with a non-development subclass that inherits
DEBUG, is judged as before.
"""

from __future__ import annotations

import ast
import os
import re
from typing import Any, Container, Iterable, List, Optional, Set

from flask_preflight.static.python.context import ClassSummary, ModuleSummary
from flask_preflight.static.python.debug import class_module, classify_config_class

_DEPLOY_NAME = re.compile(r"(^\.env|\.env$|^\.flaskenv$|^docker-compose|^compose\.|^dockerfile|^procfile$|\.ya?ml$|"
                          r"\.toml$|\.ini$|\.cfg$|\.service$|\.sh$|\.json$)", re.IGNORECASE)
_SKIP_DIRS = {"node_modules", ".git", "venv", ".venv", "env", "site-packages", "__pycache__", "static", "dist"}
_MAX_FILE = 512_000


def overridden_base(cls: ClassSummary, index: Any, summaries: List[ModuleSummary], loaded: Container[str]) -> bool:
    """Whether ``cls`` has subclasses, each of which sets DEBUG itself or is named as a development config
    (``DevelopmentConfig``) that no loader in ``loaded`` takes outright, and nothing
    in the project's code or deployment files names ``cls`` in a way that could load it."""
    subs = [c for s in summaries for c in s.classes.values() if c is not cls and _inherits(index, c, cls)]
    if not subs:
        return False
    for sub in subs:
        found = index.class_attr(sub, "DEBUG", sub.location.path)
        if found is None:
            return False
        if found[1] is cls and (sub.qualname in loaded
                                or classify_config_class(sub.name, class_module(sub.qualname, sub.name)) != "dev"):
            return False  # a non-development subclass, or one the app loads outright, runs with the base's DEBUG
    word = re.compile(r"(?<![\w])" + re.escape(cls.name) + r"(?![\w])")
    for s in summaries:
        if not s.is_test and _python_names(s.path, cls.name, word):
            return False
    roots = {os.path.dirname(os.path.abspath(s.path)) for s in summaries if not s.is_test}
    return not _deploy_names(roots, word)


def _inherits(index: Any, cls: ClassSummary, base: ClassSummary, depth: int = 0) -> bool:
    if depth > 6:
        return False
    for ref in cls.bases:
        kind, obj = index.resolve(ref, cls.location.path)
        if kind == "class" and (obj is base or _inherits(index, obj, base, depth + 1)):
            return True
    return False


def _read(path: str) -> Optional[str]:
    try:
        if os.path.getsize(path) > _MAX_FILE:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _python_names(path: str, name: str, word: "re.Pattern[str]") -> bool:
    """A reference to ``name`` in the module that may hand the class to a loader."""
    text = _read(path)
    if text is None:
        return True  # cannot tell: assume it is named
    if not word.search(text):
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return True
    skip: Set[int] = set()
    for node in ast.walk(tree):
        parts: Iterable[Optional[ast.AST]] = ()
        if isinstance(node, ast.ClassDef):
            parts = node.bases
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts = [node.returns] + [a.annotation for a in node.args.args + node.args.kwonlyargs
                                      + node.args.posonlyargs]
        elif isinstance(node, ast.AnnAssign):
            parts = [node.annotation]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)):
            parts = [node.value]  # `Config.LOG_DIR` reads an attribute; the class itself goes nowhere
        for part in parts:
            if part is not None:
                skip.update(id(n) for n in ast.walk(part))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Name) and node.id == name or isinstance(node, ast.Attribute) and node.attr == name:
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and word.search(node.value):
            return True
    return False


def _deploy_names(roots: Set[str], word: "re.Pattern[str]") -> bool:
    """An env, compose, Docker, Procfile or other settings file near the code that names the class
    (``APP_SETTINGS=config.Config``): a loader fed from the environment may load it."""
    if not roots:
        return False
    top = os.path.commonpath(sorted(roots))
    for here, dirs, files in os.walk(top):
        depth = os.path.relpath(here, top).count(os.sep)
        dirs[:] = [] if depth >= 3 else [d for d in dirs if d not in _SKIP_DIRS]
        for name in files:
            if _DEPLOY_NAME.search(name):
                text = _read(os.path.join(here, name))
                if text is not None and word.search(text):
                    return True
    return False
