"""Checks of ``app.url_map``: diagnostic-looking routes (PF310), static folders that serve source or secrets
(PF511) and state-changing endpoints without CSRF protection (PF211).

Nothing here calls a view: routes are judged from their URL, the names their code uses and the decorators
(``__wrapped__`` chain) and ``before_request`` hooks around them.
"""

from __future__ import annotations

import os
import sys
from typing import Any, List, Optional, Set, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.errors import PF310
from flask_preflight.rules.runtime import PF511
from flask_preflight.rules.secrets import PF211
from flask_preflight.runtime.check_common import (CheckState, code_label, code_names, code_of, is_library_file,
                                                  iter_hook_funcs, module_file_location, plural, source_location,
                                                  target_location, unwrap_chain)
from flask_preflight.static.python.views import AUTH_NAME_RE, _diagnostic_path

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Names a view's code uses when it hands out internals (``os.environ``, ``current_app.config``, versions).
EXPOSURE_NAMES = {"environ", "config", "version", "version_info", "platform", "modules", "executable",
                  "getenv", "globals", "locals", "format_stack", "_current_frames"}
# Names that run code or commands; with ``request`` in the same view it is remote code execution.
EVALUATOR_NAMES = {"eval", "exec", "compile", "system", "popen", "Popen", "check_output", "check_call",
                   "getoutput", "getstatusoutput", "loads", "load"}
# Names in a view or hook body that show an authentication check.
AUTH_CHECK_NAMES = {"current_user", "is_authenticated", "is_admin", "is_staff", "is_superuser", "authorization",
                    "verify_jwt_in_request", "get_jwt_identity", "remote_addr", "access_route", "check_auth",
                    "authenticate"}
SENSITIVE_FILES = {".env", ".git", ".htpasswd", "id_rsa", "id_ed25519", ".ssh"}
SENSITIVE_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".sqlite", ".sqlite3", ".db")
SOURCE_SUFFIXES = (".py",)
_SCAN_LIMIT = 5000


def run(state: CheckState) -> None:
    _diagnostic_routes(state)
    _static_folders(state)
    _csrf(state)


# ---- PF310 --------------------------------------------------------------------------------------------------


def _view_code_names(view: Any) -> Set[str]:
    cls = getattr(view, "view_class", None)
    if cls is not None:
        names: Set[str] = set()
        for attr in ("dispatch_request", "get", "post", "put", "patch", "delete"):
            names |= code_names(code_of(cls.__dict__.get(attr)))
        return names
    chain = unwrap_chain(view)
    return code_names(code_of(chain[-1])) if chain else set()


def _wrapper_guarded(view: Any) -> bool:
    """A decorator layer named like an auth check (``login_required.<locals>.decorated_view``, a file
    ``flask_login/utils.py``) or whose body tests the user."""
    for layer in unwrap_chain(view)[:-1]:
        code = code_of(layer)
        if code is None:
            continue
        label = code_label(code)
        if is_library_file(code.co_filename):  # flask_login/utils.py: the package names the check
            label += " " + os.path.basename(os.path.dirname(code.co_filename))
        if AUTH_NAME_RE.search(label) or code.co_names and set(code.co_names) & AUTH_CHECK_NAMES:
            return True
    return False


def _hook_guarded(app: Any, endpoint: str) -> bool:
    """A ``before_request`` hook of the project (app-wide or on the view's blueprint) that checks auth."""
    scopes: List[Optional[str]] = [None]
    parts = endpoint.split(".")[:-1]
    scopes += [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for scope, func in iter_hook_funcs(app, "before_request_funcs"):
        if scope not in scopes or getattr(func, "__self__", None) is not None:
            continue
        code = code_of(unwrap_chain(func)[-1])
        if code is None or is_library_file(code.co_filename):
            continue
        if AUTH_NAME_RE.search(code.co_name) or code_names(code) & AUTH_CHECK_NAMES:
            return True
    return False


def _diagnostic_routes(state: CheckState) -> None:
    app = state.app
    reported: Set[str] = set()
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint in reported or endpoint == "static" or endpoint.endswith(".static"):
            continue
        path = rule.rule
        if not _diagnostic_path(path):
            continue
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        names = _view_code_names(view)
        strong = _diagnostic_path(path, strong=True)
        exposes = sorted(names & EXPOSURE_NAMES)
        runs = sorted(names & EVALUATOR_NAMES) if "request" in names else []
        if not strong and not exposes and not runs:
            continue  # /config returning {"version": VERSION}: the URL alone says little
        if _wrapper_guarded(view) or _hook_guarded(app, endpoint) or names & AUTH_CHECK_NAMES:
            continue
        reported.add(endpoint)
        loc, snippet = source_location(view, state.ctx)
        detail = ""
        if runs:
            detail = f" and passes request data near {', '.join(f'`{n}`' for n in runs)}"
        elif exposes:
            detail = f" and its code uses {', '.join(f'`{n}`' for n in exposes)}"
        state.findings.append(PF310.finding(
            f"Route `{path}` (endpoint `{endpoint}`) looks diagnostic{detail}, and no authentication decorator or "
            f"before_request check guards it in the loaded app. `flask-preflight check` shows what it returns.",
            loc, severity=Severity.HIGH if runs else Severity.MEDIUM, snippet=snippet,
            evidence=f"url_map: {path} -> {endpoint} [{', '.join(sorted((rule.methods or set()) - {'HEAD', 'OPTIONS'}))}]"))


# ---- PF511 --------------------------------------------------------------------------------------------------


def _inside(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def _scan(folder: str) -> Tuple[List[str], List[str]]:
    """(secrets, source files) among the first levels of ``folder``, bounded so `/` does not take minutes."""
    secrets: List[str] = []
    sources: List[str] = []
    seen = 0
    for root, dirs, files in _walk_shallow(folder, 2):
        for name in dirs + files:
            seen += 1
            rel = os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
            lower = name.lower()
            if lower in SENSITIVE_FILES or lower.startswith(".env") or lower.endswith(SENSITIVE_SUFFIXES):
                secrets.append(rel)
            elif lower.endswith(SOURCE_SUFFIXES):
                sources.append(rel)
        if seen > _SCAN_LIMIT:
            break
    return secrets, sources


def _walk_shallow(folder: str, max_depth: int):
    base = folder.rstrip(os.sep).count(os.sep)
    for root, dirs, files in os.walk(folder, onerror=lambda e: None):
        names = sorted(dirs)
        if root.rstrip(os.sep).count(os.sep) - base >= max_depth - 1:
            dirs[:] = []
        else:
            dirs[:] = sorted(d for d in dirs if d not in ("node_modules", "__pycache__", ".git"))
        yield root, names, sorted(files)


def _static_folders(state: CheckState) -> None:
    app = state.app
    endpoints = set(app.view_functions)
    owners: List[Tuple[str, Any, str]] = []
    if "static" in endpoints:
        owners.append(("app", app, "static"))
    for name, bp in list((getattr(app, "blueprints", None) or {}).items()):
        if f"{name}.static" in endpoints:
            owners.append((f"blueprint `{name}`", bp, f"{name}.static"))
    root = os.path.realpath(app.root_path)
    home = os.path.realpath(os.path.expanduser("~"))
    for label, owner, endpoint in owners:
        try:
            folder = owner.static_folder
        except Exception:  # noqa: BLE001
            continue
        if not folder or not os.path.isdir(folder):
            continue
        real = os.path.realpath(folder)
        secrets, sources = _scan(real)
        holds_app = _inside(root, real)
        top = real in (os.path.realpath(os.sep), home)
        if not (holds_app or secrets or sources or top):
            continue
        reasons = []
        if top:
            reasons.append("is the filesystem root" if real == os.path.realpath(os.sep) else "is a home directory")
        if holds_app:
            reasons.append("contains the app's package" if real != root else "is the app's package itself")
        if secrets:
            reasons.append(f"holds {', '.join(secrets[:4])}{', ...' if len(secrets) > 4 else ''}")
        if sources:
            reasons.append(f"holds {plural(len(sources), 'source file')} ({', '.join(sources[:3])}"
                           f"{', ...' if len(sources) > 3 else ''})")
        sev = Severity.CRITICAL if (secrets or top) else Severity.HIGH
        url = getattr(owner, "static_url_path", None) or "/static"
        loc = target_location(state.ctx) if owner is app else module_file_location(
            getattr(owner, "import_name", ""), state.ctx, "Blueprint(")
        state.findings.append(PF511.finding(
            f"The {label}'s static route ({url}/<path:filename>) serves {real}, which {', '.join(reasons)}: anyone can "
            f"download these files.", loc, severity=sev,
            evidence=f"{endpoint}: static_folder={real}"))


# ---- PF211 --------------------------------------------------------------------------------------------------


def _flask_form_in_use() -> bool:
    wtf = sys.modules.get("flask_wtf")
    base = getattr(wtf, "FlaskForm", None)
    if base is None:
        return False
    stack = list(type.__subclasses__(base))
    while stack:
        cls = stack.pop()
        if not is_library_file(getattr(sys.modules.get(cls.__module__), "__file__", "") or ""):
            return True
        stack.extend(type.__subclasses__(cls))
    return False


def _csrf(state: CheckState) -> None:
    app = state.app
    loc = target_location(state.ctx)
    csrf = (app.extensions or {}).get("csrf")
    changing = sorted({r.endpoint for r in app.url_map.iter_rules()
                       if (r.methods or set()) & STATE_CHANGING and r.endpoint != "static"
                       and not r.endpoint.endswith(".static")})
    if csrf is not None:
        off = [k for k in ("WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT") if app.config.get(k, True) is False]
        if off and changing:
            state.findings.append(PF211.finding(
                f"CSRFProtect is registered but {' and '.join(f'{k}=False' for k in off)} switches it off for "
                f"{plural(len(changing), 'state-changing endpoint')} in the loaded app.",
                loc, severity=Severity.HIGH, evidence=", ".join(f"{k}=False" for k in off) + " after loading"))
        return
    if state.seasurf is not None or not changing:
        return
    shown = ", ".join(f"`{e}`" for e in changing[:5]) + (", ..." if len(changing) > 5 else "")
    forms = _flask_form_in_use()
    note = (" Flask-WTF FlaskForm classes check their own token when validated, so forms may be covered; other "
            "endpoints are not." if forms else "")
    state.findings.append(PF211.finding(
        f"{plural(len(changing), 'endpoint')} {'accepts' if len(changing) == 1 else 'accept'} POST/PUT/PATCH/DELETE ({shown}) and neither Flask-WTF's "
        f"CSRFProtect nor Flask-SeaSurf is registered: another site can submit them in a logged-in user's browser. "
        f"JSON APIs are counted too; those authenticated by a token header instead of cookies do not need CSRF "
        f"protection.{note}",
        loc, severity=Severity.LOW if forms else Severity.MEDIUM,
        evidence=f"{len(changing)} state-changing endpoints; no 'csrf' in app.extensions, no SeaSurf hook",
        fix_hint="Register CSRFProtect(app) (Flask-WTF) and send the token from JavaScript in an X-CSRFToken "
                 "header; exempt only token-authenticated API endpoints."))
