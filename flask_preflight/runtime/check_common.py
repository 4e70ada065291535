"""Shared helpers of the runtime checks: where a finding points, what code is the user's, small text helpers."""

from __future__ import annotations

import inspect
import os
import sys
import sysconfig
import types
from dataclasses import dataclass, field
from typing import Any, Iterator, List, Optional, Tuple

from flask_preflight.findings import Finding, Location
from flask_preflight.runtime.context import AppContext

_MAX_UNWRAP = 32


@dataclass
class CheckState:
    """What one run of the checks shares: the context, findings so far, and facts later checks reuse."""

    app: Any
    ctx: AppContext
    findings: List[Finding] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # requests that failed, checks that crashed
    talisman: Any = None          # the Flask-Talisman instance, if one is registered
    seasurf: Any = None           # the Flask-SeaSurf instance, if one is registered
    # Flask apps mounted in a DispatcherMiddleware: (prefix, app, WSGI layers around it, how it is reached)
    mounts: List[Tuple[str, Any, Tuple[Any, ...], str]] = field(default_factory=list)

    def has(self, rule_id: str) -> bool:
        return any(f.rule_id == rule_id for f in self.findings)


def target_location(ctx: AppContext) -> Location:
    return Location(ctx.target_path, max(1, int(ctx.target_line or 1)))


def display_path(path: str) -> str:
    """Relative to the cwd when below it (like the static checks print paths), else absolute; POSIX separators."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return absolute.replace(os.sep, "/")


def unwrap_chain(func: Any) -> List[Any]:
    """``func`` and every function it wraps (``__wrapped__``), outermost first; never loops."""
    chain: List[Any] = []
    seen = set()
    while func is not None and id(func) not in seen and len(chain) < _MAX_UNWRAP:
        seen.add(id(func))
        chain.append(func)
        try:
            func = func.__dict__.get("__wrapped__") if hasattr(func, "__dict__") else None
        except Exception:  # noqa: BLE001 - exotic callables
            func = None
    return chain


def code_of(obj: Any) -> Optional[types.CodeType]:
    obj = getattr(obj, "__func__", obj)
    code = getattr(obj, "__code__", None)
    return code if isinstance(code, types.CodeType) else None


def code_names(code: Optional[types.CodeType]) -> set:
    """Names and attributes a function uses, including nested functions, lambdas and comprehensions."""
    names: set = set()
    stack = [code] if code is not None else []
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return names


def code_label(code: types.CodeType) -> str:
    """``login_required.<locals>.decorated_view`` on Python >= 3.11, the bare function name before."""
    return getattr(code, "co_qualname", code.co_name)


def _library_roots() -> Tuple[str, ...]:
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            roots.add(os.path.realpath(sysconfig.get_paths()[key]))
        except Exception:  # noqa: BLE001
            pass
    for p in sys.path:
        if p and os.path.basename(p.rstrip(os.sep)) in ("site-packages", "dist-packages"):
            roots.add(os.path.realpath(p))
    return tuple(sorted(roots))


_LIB_ROOTS: Optional[Tuple[str, ...]] = None


def is_library_file(filename: str) -> bool:
    """A file of the standard library or an installed package, not the project being inspected."""
    global _LIB_ROOTS
    if not filename or filename.startswith("<"):
        return True
    if _LIB_ROOTS is None:
        _LIB_ROOTS = _library_roots()
    real = os.path.realpath(filename)
    parts = real.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    return any(real.startswith(root + os.sep) for root in _LIB_ROOTS)


def source_location(obj: Any, ctx: AppContext) -> Tuple[Location, str]:
    """The ``def``/``class`` line of a view function (unwrapped) or view class, and that line's text; the
    target when the source cannot be found (built-ins, lambdas from ``exec``, C extensions)."""
    target = getattr(obj, "view_class", None) or obj
    try:
        target = inspect.unwrap(target) if not inspect.isclass(target) else target
    except Exception:  # noqa: BLE001 - unwrap loops raise ValueError
        pass
    try:
        path = inspect.getsourcefile(target)
        lines, start = inspect.getsourcelines(target)
    except Exception:  # noqa: BLE001 - OSError, TypeError
        return target_location(ctx), ""
    if not path:
        return target_location(ctx), ""
    offset = 0
    for i, text in enumerate(lines):
        stripped = text.lstrip()
        if stripped.startswith(("def ", "async def ", "class ")):
            offset = i
            break
    line = max(1, start) + offset
    snippet = lines[offset].strip() if lines else ""
    return Location(display_path(path), line, 1), snippet


def module_file_location(import_name: str, ctx: AppContext, needle: str = "") -> Location:
    """The file of a module (a blueprint's), at the first line containing ``needle``; the target if unknown."""
    module = sys.modules.get(import_name)
    path = getattr(module, "__file__", None)
    if not path or not os.path.isfile(path):
        return target_location(ctx)
    line = 1
    if needle:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                for n, text in enumerate(fh, 1):
                    if needle in text:
                        line = n
                        break
        except OSError:
            pass
    return Location(display_path(path), line, 1)


def join_words(items: List[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def iter_hook_funcs(app: Any, attr: str) -> Iterator[Tuple[Optional[str], Any]]:
    """(blueprint name or None, function) for every registered ``before_request``/``after_request`` hook."""
    hooks = getattr(app, attr, None) or {}
    try:
        items = list(hooks.items())
    except Exception:  # noqa: BLE001
        return
    for scope, funcs in items:
        for func in list(funcs or ()):
            yield scope, func


def instance_of(obj: Any, module: str, cls: str) -> bool:
    """``isinstance`` by module and class name, without importing an optional extension."""
    for klass in type(obj).__mro__:
        if klass.__name__ == cls and (klass.__module__ or "").split(".")[0] == module:
            return True
    return False


def find_extension(app: Any, module: str, cls: str) -> Any:
    """An extension instance found in ``app.extensions`` or as the owner of a bound request hook."""
    for value in list((getattr(app, "extensions", None) or {}).values()):
        if instance_of(value, module, cls):
            return value
    for attr in ("before_request_funcs", "after_request_funcs"):
        for _, func in iter_hook_funcs(app, attr):
            owner = getattr(func, "__self__", None)
            if owner is not None and instance_of(owner, module, cls):
                return owner
    return None
