"""Checks of registered extensions: Flask-CORS options (PF512) and Flask-Talisman's force_https (PF513).

Flask-CORS keeps no entry in ``app.extensions``: ``CORS(app)`` registers an ``after_request`` function
``cors_after_request`` whose closure holds the resolved ``(pattern, options)`` list, and ``@cross_origin``
wraps a view in ``wrapped_function`` whose closure holds the decorator's options (resolved against the app
config with Flask-CORS's own ``get_cors_options``). Talisman is found as the owner of its bound hooks.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.runtime import PF512, PF513
from flask_preflight.runtime.check_common import (CheckState, code_of, iter_hook_funcs, source_location,
                                                  target_location, unwrap_chain)

WILDCARDS = {"*", r".*"}


def _closure(func: Any) -> Dict[str, Any]:
    code = code_of(func)
    cells = getattr(func, "__closure__", None) or ()
    if code is None:
        return {}
    values = {}
    for name, cell in zip(code.co_freevars, cells):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # empty cell
            pass
    return values


def _from_flask_cors(func: Any) -> bool:
    """Defined in Flask-CORS (by its code's file: ``update_wrapper`` copies ``__module__`` from the view)."""
    code = code_of(func)
    return code is not None and os.path.basename(os.path.dirname(code.co_filename)) == "flask_cors"


def _option(options: Any, name: str) -> Any:
    """Flask-CORS < 6.0.5 resolves options to a dict, later versions to an object with attributes."""
    if isinstance(options, dict):
        return options.get(name)
    return getattr(options, name, None)


def _wildcard_with_credentials(options: Any) -> bool:
    if not _option(options, "supports_credentials"):
        return False
    if _option(options, "allow_all_origins"):
        return True
    origins = _option(options, "origins")
    if isinstance(origins, str) or hasattr(origins, "pattern"):
        origins = [origins]
    try:
        return any(_pattern(o) in WILDCARDS for o in origins or ())
    except TypeError:
        return False


def _pattern(regex: Any) -> str:
    return getattr(regex, "pattern", None) or str(regex)


def cors_app_resources(app: Any) -> Iterator[Tuple[Optional[str], str, Dict[str, Any]]]:
    """(blueprint or None, resource pattern, options) for every ``CORS(app)`` registration."""
    for scope, func in iter_hook_funcs(app, "after_request_funcs"):
        if not _from_flask_cors(func) or getattr(code_of(func), "co_name", "") != "cors_after_request":
            continue
        resources = _closure(func).get("resources") or []
        for entry in list(resources):
            if isinstance(entry, tuple) and len(entry) == 2:
                yield scope, _pattern(entry[0]), entry[1]


def cors_view_options(app: Any) -> Iterator[Tuple[str, Any, Dict[str, Any]]]:
    """(endpoint, view, resolved options) for every view wrapped by ``@cross_origin``."""
    core = sys.modules.get("flask_cors.core")
    for endpoint, view in list(app.view_functions.items()):
        for layer in unwrap_chain(view):
            if not _from_flask_cors(layer) or getattr(code_of(layer), "co_name", "") != "wrapped_function":
                continue
            raw = _closure(layer).get("_options")
            if not isinstance(raw, dict):
                continue
            raw = dict(raw)
            try:
                options = core.get_cors_options(app, raw) if core is not None else raw
            except Exception:  # noqa: BLE001 - Flask-CORS raises ValueError for forbidden combinations
                options = raw
            yield endpoint, view, options
            break


def run(state: CheckState) -> None:
    _cors(state)
    _talisman(state)


def _cors(state: CheckState) -> None:
    app, ctx = state.app, state.ctx
    patterns: List[str] = []
    for scope, pattern, options in cors_app_resources(app):
        if _wildcard_with_credentials(options):
            patterns.append(pattern if scope is None else f"{pattern} (blueprint {scope})")
    if patterns:
        state.findings.append(PF512.finding(
            f"Flask-CORS allows every origin with supports_credentials=True for {', '.join(patterns)}: it echoes "
            f"any site's Origin back with Access-Control-Allow-Credentials: true, so any website can read "
            f"responses made with a logged-in user's cookies.",
            target_location(ctx), evidence=f"CORS resources {patterns}: origins='*', supports_credentials=True"))
    for endpoint, view, options in cors_view_options(app):
        if _wildcard_with_credentials(options):
            loc, snippet = source_location(view, ctx)
            state.findings.append(PF512.finding(
                f"@cross_origin on `{endpoint}` allows every origin with supports_credentials=True: any website "
                f"can read this view's responses made with a logged-in user's cookies.",
                loc, snippet=snippet, evidence=f"{endpoint}: @cross_origin(origins='*', supports_credentials=True)"))


def _talisman(state: CheckState) -> None:
    talisman = state.talisman
    if talisman is None or getattr(talisman, "force_https", True):
        return
    behind_proxy = bool(state.ctx.deploy_proxy)
    state.findings.append(PF513.finding(
        "Flask-Talisman is registered with force_https=False: http requests are answered instead of redirected, "
        "and browsers that arrive over http never receive HSTS."
        + (" The deployment files show a reverse proxy; make sure it redirects to https." if behind_proxy else ""),
        target_location(state.ctx), severity=Severity.LOW if behind_proxy else Severity.MEDIUM,
        evidence="Talisman.force_https=False"))
