"""TARGET: which app to load, in the forms gunicorn and ``flask --app`` accept.

* ``module:app`` - an attribute of an importable module;
* ``module:create_app()`` / ``module:create_app('prod', debug=False)`` - a factory called with literal
  arguments (parsed with :mod:`ast`, arguments through ``ast.literal_eval``, as gunicorn's
  ``util.import_app`` and Flask's ``find_app_by_string`` do);
* ``module`` - auto-detected like Flask's ``find_best_app``: the attributes ``app``/``application``, then
  the only Flask instance in the module, then the factories ``create_app``/``make_app`` called without
  arguments;
* ``path/to/file.py`` (optionally ``path/to/file.py:expr``) - imported the way Flask's ``prepare_import``
  does: walk up through ``__init__.py`` packages to find the import root and the dotted module name.

Parsing (:func:`parse_target`) is pure and runs in the parent, so a malformed TARGET is a usage error
before any code runs. Loading (:func:`load_app`) runs in the child process, after the guards are in place.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Dict, List, Optional, Tuple

AUTO_ATTRIBUTES = ("app", "application")
AUTO_FACTORIES = ("create_app", "make_app")
WRAPPER_ATTRIBUTES = ("app", "application")
_MAX_UNWRAP = 16
DEFAULT_FILES = ("wsgi.py", "app.py")  # what Flask's CLI tries when no app is named

# Flask's own split: the first ':' that is not followed by a path separator (Windows drive letters).
_SPLIT_RE = re.compile(r":(?![\\/])")


class TargetError(Exception):
    """TARGET is malformed or names a file that does not exist (a usage error: nothing was run)."""


class LoadError(Exception):
    """The module was imported but no Flask app could be obtained from it (reported, exit code 3)."""


@dataclass(frozen=True)
class Target:
    """A parsed TARGET: import ``module`` with ``import_root`` first on ``sys.path``, then evaluate ``expr``.

    ``expr`` is ``None`` for auto-detection. ``import_root`` is absolute."""

    original: str
    module: str
    expr: Optional[str]
    import_root: str

    def to_dict(self) -> Dict[str, Any]:
        return {"original": self.original, "module": self.module, "expr": self.expr,
                "import_root": self.import_root}

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "Target":
        return cls(original=d["original"], module=d["module"], expr=d.get("expr"), import_root=d["import_root"])


def parse_target(text: str, cwd: str, *, source: str = "TARGET") -> Target:
    """Parse ``text`` relative to ``cwd`` (the directory the app is loaded in); ``source`` names where
    the text came from in error messages (``TARGET``, ``FLASK_APP``)."""
    original = text
    text = text.strip()
    if not text:
        raise TargetError(f"{source} is empty")
    parts = _SPLIT_RE.split(text, maxsplit=1)
    path_part = parts[0].strip()
    expr = parts[1].strip() if len(parts) == 2 else None
    if expr is not None:
        if not expr:
            raise TargetError(f"{source} {original!r}: nothing after ':' (expected e.g. 'module:app' or "
                              "'module:create_app()')")
        parse_expression(expr, original, source=source)  # validate now; the child parses it again
    if not path_part:
        raise TargetError(f"{source} {original!r}: no module or file before ':'")
    if _looks_like_path(path_part):
        root, module = _import_path(path_part, cwd, original, source)
    else:
        if not all(p.isidentifier() for p in path_part.split(".")):
            raise TargetError(f"{source} {original!r}: {path_part!r} is not a module name or a .py file "
                              "(expected e.g. 'wsgi:app', 'myapp:create_app()', 'myapp' or 'path/to/app.py')")
        root, module = os.path.abspath(cwd), path_part
    return Target(original=original, module=module, expr=expr, import_root=root)


def default_target(cwd: str) -> Optional[Target]:
    """What Flask's CLI loads when no app is named: ``wsgi.py``, else ``app.py`` in ``cwd``."""
    for name in DEFAULT_FILES:
        if os.path.isfile(os.path.join(cwd, name)):
            return parse_target(name, cwd)
    return None


def parse_expression(expr: str, original: str, *, source: str = "TARGET") -> Tuple[str, Optional[List[Any]],
                                                                                    Optional[Dict[str, Any]]]:
    """``(name, args, kwargs)`` for ``name`` or ``name(literal, key=literal)``; args are ``None`` for a
    plain name. Anything else (attribute access, non-literal arguments, ``*args``) is a TargetError."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        raise TargetError(f"{source} {original!r}: cannot parse {expr!r} as an attribute name or a "
                          "function call") from None
    if isinstance(node, ast.Name):
        return node.id, None, None
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise TargetError(f"{source} {original!r}: the function must be a simple name, got {expr!r}")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise TargetError(f"{source} {original!r}: *args and **kwargs are not supported; pass literal "
                              "arguments")
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise TargetError(f"{source} {original!r}: the arguments must be literal values (strings, "
                              "numbers, True/False/None, lists, tuples, dicts)") from None
        return node.func.id, args, kwargs
    raise TargetError(f"{source} {original!r}: cannot parse {expr!r} as an attribute name or a function call "
                      "(expected e.g. 'app' or 'create_app()')")


def _looks_like_path(part: str) -> bool:
    return part.endswith(".py") or "/" in part or os.sep in part or (os.altsep is not None and os.altsep in part)


def _import_path(path_part: str, cwd: str, original: str, source: str) -> Tuple[str, str]:
    """Flask's ``prepare_import``, without touching ``sys.path``: ``(import_root, module_name)``."""
    path = path_part if os.path.isabs(path_part) else os.path.join(cwd, path_part)
    path = os.path.realpath(path)
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "__init__.py")):
            raise TargetError(f"{source} {original!r}: {path_part} is a directory without __init__.py")
    elif not os.path.isfile(path):
        raise TargetError(f"{source} {original!r}: {path_part}: no such file")
    elif not path.endswith(".py"):
        raise TargetError(f"{source} {original!r}: {path_part} is not a .py file")
    fname, ext = os.path.splitext(path)
    if ext == ".py":
        path = fname
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    names: List[str] = []
    while True:  # move up until outside the package structure (no __init__.py)
        path, name = os.path.split(path)
        names.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    module = ".".join(reversed(names))
    if not all(p.isidentifier() for p in module.split(".")):
        raise TargetError(f"{source} {original!r}: {module!r} (from {path_part}) is not an importable module name")
    return path, module


# --- loading (in the child) -------------------------------------------------------------------------


@dataclass
class Loaded:
    """The app and where it came from: ``attribute`` is the module attribute that produced it (used to
    find the line), ``wrappers`` the WSGI layers unwrapped on the way (outermost first)."""

    app: Any
    module: ModuleType
    attribute: Optional[str]
    wrappers: List[Any]


def load_app(target: Target, flask_class: type) -> Loaded:
    """Import ``target.module`` (``sys.path`` already set up) and return the Flask app it names.

    Import errors propagate unchanged (the caller reports them with the traceback); problems finding or
    calling the app raise LoadError with a message naming the target."""
    import importlib

    module = importlib.import_module(target.module)
    if target.expr is None:
        return _find_best_app(module, target, flask_class)
    name, args, kwargs = parse_expression(target.expr, target.original)
    try:
        obj = getattr(module, name)
    except AttributeError:
        raise LoadError(f"module {target.module!r} has no attribute {name!r}") from None
    if args is not None:
        if not callable(obj):
            raise LoadError(f"{target.module}:{name} is not callable, so {target.expr!r} cannot be called")
        obj = _call_factory(obj, args, kwargs or {}, f"{target.module}:{target.expr}")
    if obj is None:
        raise LoadError(f"{target.module}:{target.expr} is None, not a Flask application")
    app, wrappers = unwrap(obj, flask_class)
    if app is None:
        raise LoadError(f"{target.module}:{target.expr} is not a Flask application ({_describe(obj)})")
    return Loaded(app, module, name, wrappers)


def unwrap(obj: Any, flask_class: type) -> Tuple[Optional[Any], List[Any]]:
    """``obj`` if it is a Flask app, else the Flask app below its ``.app``/``.application`` chain (WSGI
    middleware such as ``ProxyFix(DebuggedApplication(app))`` or ``DispatcherMiddleware(app, {...})`` around
    the app) and the layers passed on the way, outermost first."""
    layers: List[Any] = []
    seen = set()
    while len(layers) < _MAX_UNWRAP:
        if isinstance(obj, flask_class):
            return obj, layers
        if id(obj) in seen:
            break
        seen.add(id(obj))
        inner = None
        for attr in WRAPPER_ATTRIBUTES:
            try:
                inner = getattr(obj, attr, None)
            except Exception:
                continue
            if inner is not None:
                break
        if inner is None:
            break
        layers.append(obj)
        obj = inner
    return None, []


def _find_best_app(module: ModuleType, target: Target, flask_class: type) -> Loaded:
    for attr in AUTO_ATTRIBUTES:
        obj = getattr(module, attr, None)
        if isinstance(obj, flask_class):
            return Loaded(obj, module, attr, [])
    matches = [(k, v) for k, v in list(vars(module).items()) if isinstance(v, flask_class)]
    unique = {id(v): (k, v) for k, v in matches}
    if len(unique) == 1:
        k, v = next(iter(unique.values()))
        for attr in reversed(AUTO_ATTRIBUTES):  # `application = Middleware(flask_app)`: what gunicorn serves
            wrapper = getattr(module, attr, None)
            if wrapper is not None:
                inner, layers = unwrap(wrapper, flask_class)
                if inner is v:
                    return Loaded(v, module, attr, layers)
        return Loaded(v, module, k, [])
    if len(unique) > 1:
        for attr in reversed(AUTO_ATTRIBUTES):  # `application = DispatcherMiddleware(front, {...: api})`
            wrapper = getattr(module, attr, None)
            if wrapper is not None and not isinstance(wrapper, flask_class):
                inner, layers = unwrap(wrapper, flask_class)
                if inner is not None and id(inner) in unique:
                    return Loaded(inner, module, attr, layers)
        names = ", ".join(sorted(k for k, _ in matches))
        raise LoadError(f"module {module.__name__!r} has several Flask applications ({names}); name one, "
                        f"e.g. '{module.__name__}:{matches[0][0]}'")
    for attr in AUTO_ATTRIBUTES:
        obj = getattr(module, attr, None)
        if obj is not None:
            app, wrappers = unwrap(obj, flask_class)
            if app is not None:
                return Loaded(app, module, attr, wrappers)
    for attr in AUTO_FACTORIES:
        factory = getattr(module, attr, None)
        if inspect.isfunction(factory):
            obj = _call_factory(factory, [], {}, f"{module.__name__}:{attr}()",
                                hint=f"; name it with arguments, e.g. '{module.__name__}:{attr}(...)'")
            app, wrappers = unwrap(obj, flask_class)
            if app is None:
                raise LoadError(f"{module.__name__}:{attr}() returned {_describe(obj)}, not a Flask application")
            return Loaded(app, module, attr, wrappers)
    raise LoadError(f"no Flask application or factory found in module {module.__name__!r} (looked for "
                    "'app', 'application', a single Flask instance, 'create_app()' and 'make_app()'); name it, "
                    f"e.g. '{module.__name__}:app'")


def _call_factory(factory: Any, args: List[Any], kwargs: Dict[str, Any], shown: str, hint: str = "") -> Any:
    try:
        return factory(*args, **kwargs)
    except TypeError as exc:
        if _called_with_wrong_args(factory):
            raise LoadError(f"{shown} could not be called with these arguments: {exc}{hint}") from None
        raise


def _called_with_wrong_args(f: Any) -> bool:
    """Whether the TypeError being handled was raised by the call itself (not inside the factory)."""
    code = getattr(f, "__code__", None)
    tb = sys.exc_info()[2]
    try:
        while tb is not None:
            if code is not None and tb.tb_frame.f_code is code:
                return False
            tb = tb.tb_next
        return code is not None
    finally:
        del tb


def _describe(obj: Any) -> str:
    cls = type(obj)
    return f"a {cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" else f"a {cls.__qualname__}"


def definition_line(path: Optional[str], name: Optional[str]) -> int:
    """The line that (last) binds ``name`` at module level in ``path``: an assignment, ``def``, ``class``
    or import; 1 when it cannot be found cheaply."""
    if not path or not name or not path.endswith(".py"):
        return 1
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return 1
    found = 1
    stack: List[List[ast.stmt]] = [list(tree.body)]
    while stack:
        for node in stack.pop():
            if _binds(node, name):
                found = max(found, node.lineno)
            for field_name in ("body", "orelse", "finalbody"):  # if/try/with blocks at module level
                if isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
                    block = getattr(node, field_name, None)
                    if block:
                        stack.append(list(block))
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    stack.append(list(handler.body))
    return found


def _binds(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(_target_names(t, name) for t in node.targets)
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return _target_names(node.target, name)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name.split(".")[0]) == name for a in node.names)
    return False


def _target_names(node: ast.expr, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id == name
    if isinstance(node, (ast.Tuple, ast.List)):
        return any(_target_names(e, name) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _target_names(node.value, name)
    return False
