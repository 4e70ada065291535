"""Checks of ``app.url_map``: diagnostic-looking routes (PF310), static folders that serve source or secrets
(PF511) and state-changing endpoints without CSRF protection (PF211), including those Flask-WTF's
CSRFProtect exempts.

Nothing here calls a view: routes are judged from their URL, the names their code uses and the decorators
(``__wrapped__`` chain) and ``before_request`` hooks around them.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import sys
import textwrap
from typing import Any, Dict, List, Optional, Set, Tuple

from flask_preflight.findings import Location, Severity
from flask_preflight.rules.errors import PF310
from flask_preflight.rules.runtime import PF511
from flask_preflight.rules.secrets import PF211
from flask_preflight.runtime.check_common import (CheckState, code_label, code_names, code_of, display_path,
                                                  instance_of, is_library_file, iter_hook_funcs, module_file_location,
                                                  plural, source_location, target_location, unwrap_chain)
from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.secrets import _session_authenticated
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
        elif not off:  # with CSRF switched off the exemptions change nothing; the finding above covers it
            _csrf_exemptions(state, csrf)
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


# Exemptions. Flask-WTF's CSRFProtect (flask_wtf/csrf.py) records ``csrf.exempt(x)`` in two sets:
# ``_exempt_views`` holds "module.name" strings - ``f"{view.__module__}.{view.__name__}"`` of a function (its
# ``__name__``, not its ``__qualname__``) or the string passed as is - and ``_exempt_blueprints`` holds the
# Blueprint objects (Flask-WTF >= 1.1.2) or their names (before). Its before_request hook skips the check when
# ``app.blueprints.get(request.blueprint)`` is an exempt blueprint (``request.blueprint in`` the names before
# 1.1.2; from 1.3.1 a parent of a nested blueprint counts too) or when the view function of
# ``request.endpoint`` gives an exempt "module.name"; otherwise it checks the methods in WTF_CSRF_METHODS.

# The static PF211 check's webhook test (static/python/secrets.py, _csrf_exempt_view): a view that verifies a
# request signature and does not use the session is the legitimate use of an exemption.
_SIGNATURE_RE = re.compile(r"signature|compare_digest|construct_event|verify", re.I)


def _wtf_version() -> Tuple[int, ...]:
    raw = str(getattr(sys.modules.get("flask_wtf"), "__version__", "") or "")
    parts: List[int] = []
    for piece in raw.split("."):
        m = re.match(r"\d+", piece)
        if not m:
            break
        parts.append(int(m.group()))
        if m.end() < len(piece):  # "1rc1"
            break
    return tuple(parts)


def _view_location_string(view: Any) -> Optional[str]:
    """What Flask-WTF compares with its exempt views: ``f"{view.__module__}.{view.__name__}"``."""
    try:
        return f"{view.__module__}.{view.__name__}"
    except Exception:  # noqa: BLE001 - Flask-WTF itself would fail on such a view
        return None


def _exempt_blueprint(app: Any, exempt: Any, name: str, inherit: bool) -> Optional[str]:
    """The registered name of the exempt blueprint that covers endpoints of blueprint ``name`` (the endpoint's
    prefix, ``request.blueprint``), or None."""
    if not name:
        return None
    names = [name]
    if inherit:
        parts = name.split(".")
        names += [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
    blueprints = getattr(app, "blueprints", None) or {}
    for candidate in names:
        bp = blueprints.get(candidate)
        try:
            if candidate in exempt or (bp is not None and bp in exempt):
                return candidate
        except TypeError:  # unhashable entries: not Flask-WTF's sets
            return None
    return None


def _view_node(view: Any) -> Optional[ast.AST]:
    """The ``def``/``class`` of a view parsed from its source (decorators included), or None."""
    target = getattr(view, "view_class", None) or view
    try:
        target = inspect.unwrap(target) if not inspect.isclass(target) else target
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
    except Exception:  # noqa: BLE001 - OSError, TypeError, SyntaxError (a lambda's line)
        return None
    node = tree.body[0] if tree.body else None
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None


def _grade_exempt_view(view: Any) -> Tuple[Severity, str]:
    """Severity and reason for an exempt state-changing view, graded like the static PF211 grades
    ``@csrf.exempt``: session use is high, a signature check without the session is low, else medium."""
    node = _view_node(view)
    uses_session = node is not None and _session_authenticated(node)
    verifies_signature = node is not None and any(
        isinstance(n, (ast.Name, ast.Attribute)) and _SIGNATURE_RE.search(getattr(n, "id", None) or n.attr)
        for n in walk_nodes(node))
    if verifies_signature and not uses_session:
        return Severity.LOW, "it verifies a request signature instead (a webhook), which is the legitimate use"
    if uses_session:
        return Severity.HIGH, ("it relies on the session/logged-in user, so another site can trigger it in a "
                               "victim's browser")
    return Severity.MEDIUM, ("make sure it does not authenticate with the session cookie; endpoints "
                             "authenticated by a token header do not need CSRF protection")


def _blueprint_location(bp: Any, ctx: Any) -> Tuple[Location, str]:
    """The ``Blueprint(`` line that creates ``bp`` (the one naming it, else the first) and its text."""
    module = sys.modules.get(getattr(bp, "import_name", "") or "")
    path = getattr(module, "__file__", None)
    name = str(getattr(bp, "name", "") or "")
    if not path or not os.path.isfile(path):
        return target_location(ctx), ""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return target_location(ctx), ""
    hits = [(n, t) for n, t in enumerate(lines, 1) if "Blueprint(" in t]
    named = [h for h in hits if f'"{name}"' in h[1] or f"'{name}'" in h[1]]
    if not (named or hits):
        return module_file_location(getattr(bp, "import_name", ""), ctx), ""
    line, text = (named or hits)[0]
    return Location(display_path(path), line, 1), text.strip()


def _route_evidence(routes: List[Tuple[Any, List[str]]]) -> str:
    shown = [f"{rule.rule} -> {rule.endpoint} [{', '.join(methods)}]" for rule, methods in routes[:4]]
    return "url_map: " + "; ".join(shown) + ("; ..." if len(routes) > 4 else "")


def _csrf_exemptions(state: CheckState, csrf: Any) -> None:
    """A finding per exempt view (def line) and per exempt blueprint (its ``Blueprint(`` line) that serves a
    method CSRFProtect would otherwise check."""
    app = state.app
    if not instance_of(csrf, "flask_wtf", "CSRFProtect"):
        return  # another extension under "csrf": its exemptions mean something else
    views = getattr(csrf, "_exempt_views", None) or set()
    blueprints = getattr(csrf, "_exempt_blueprints", None) or set()
    if not views and not blueprints:
        return
    try:
        checked = {str(m) for m in app.config.get("WTF_CSRF_METHODS") or STATE_CHANGING}
    except TypeError:
        checked = set(STATE_CHANGING)
    inherit = _wtf_version() >= (1, 3, 1)
    by_blueprint: Dict[str, List[Tuple[Any, List[str]]]] = {}
    by_view: Dict[Tuple[str, int], List[Tuple[Any, List[str]]]] = {}
    view_of: Dict[Tuple[str, int], Any] = {}
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint == "static" or endpoint.endswith(".static"):
            continue
        methods = sorted((rule.methods or set()) & STATE_CHANGING & checked)
        if not methods:
            continue  # GET/HEAD/OPTIONS only: the exemption changes nothing
        bp_name = _exempt_blueprint(app, blueprints, endpoint.rpartition(".")[0], inherit) if blueprints else None
        if bp_name is not None:
            by_blueprint.setdefault(bp_name, []).append((rule, methods))
            continue
        view = app.view_functions.get(endpoint)
        dest = _view_location_string(view) if view is not None else None
        if dest is None or dest not in views:
            continue
        key = (dest, id(view))
        by_view.setdefault(key, []).append((rule, methods))
        view_of[key] = view
    for key, routes in sorted(by_view.items(), key=lambda kv: kv[0][0]):
        dest, view = key[0], view_of[key]
        sev, why = _grade_exempt_view(view)
        loc, snippet = source_location(view, state.ctx)
        endpoints = sorted({rule.endpoint for rule, _m in routes})
        methods = sorted({m for _r, ms in routes for m in ms})
        state.findings.append(PF211.finding(
            f"View `{dest}` ({'endpoint' if len(endpoints) == 1 else 'endpoints'} {', '.join(f'`{e}`' for e in endpoints)}) accepts {'/'.join(methods)} and is "
            f"exempt from CSRF protection in the loaded app: {why}.",
            loc, severity=sev, snippet=snippet,
            evidence=f"CSRFProtect exempt view '{dest}'; {_route_evidence(routes)}"))
    for name, routes in sorted(by_blueprint.items()):
        bp = (getattr(app, "blueprints", None) or {}).get(name)
        loc, snippet = _blueprint_location(bp, state.ctx) if bp is not None else (target_location(state.ctx), "")
        endpoints = sorted({rule.endpoint for rule, _m in routes})
        shown = ", ".join(f"`{e}`" for e in endpoints[:5]) + (", ..." if len(endpoints) > 5 else "")
        state.findings.append(PF211.finding(
            f"Blueprint `{name}` is exempt from CSRF protection in the loaded app: its "
            f"{plural(len(endpoints), 'state-changing endpoint')} ({shown}) {'accepts' if len(endpoints) == 1 else 'accept'} "
            f"cross-site form posts; fine only for endpoints that do not use the session cookie.",
            loc, severity=Severity.MEDIUM, snippet=snippet,
            evidence=f"CSRFProtect exempt blueprint '{name}'; {_route_evidence(routes)}"))
