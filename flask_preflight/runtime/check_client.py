"""Checks through the test client: response headers (PF506, PF510), tracebacks on error pages (PF301) and
CORS behaviour (PF512).

Two GET requests go through the whole WSGI stack (``app(environ, start_response)``, so middleware is
included) with ``app.test_client()``: ``/`` and a random path that cannot exist. They use ``https://`` so
headers sent only on secure requests (Talisman's HSTS) show up and Talisman's ``force_https`` does not
redirect, the host the app accepts (SERVER_NAME, else the first TRUSTED_HOSTS entry, else ``localhost``),
and a foreign ``Origin`` header. Each request runs in a daemon thread with a timeout and reads at most
256 KiB of the body; an exception raised out of the app is caught and recorded, never re-raised. Nothing
is registered on the app. Views run: ``inspect`` executes the project's code, and ``/`` is requested
exactly as a browser would.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Tuple

from flask_preflight.findings import Location, Severity
from flask_preflight.rules.errors import PF301
from flask_preflight.rules.runtime import PF506, PF510, PF512
from flask_preflight.runtime.check_common import CheckState, join_words, source_location, target_location

REQUEST_TIMEOUT = 5.0
MAX_BODY = 256 * 1024
FOREIGN_ORIGIN = "https://preflight-foreign-origin.invalid"
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Traceback <em>(most recent call last)</em>")
DEBUGGER_MARKERS = ("// Werkzeug Debugger</title>", "?__debugger__=yes&amp;cmd=resource",
                    "?__debugger__=yes&cmd=resource", "The debugger caught an exception")
VERSION_RE = re.compile(r"\d+\.\d+")


@dataclass
class Reply:
    """What one request produced: a response, or the exception that escaped the app, or a timeout."""

    path: str
    url: str
    status: Optional[int] = None
    headers: Any = None
    body: str = ""
    error: Optional[str] = None
    exception: Optional[BaseException] = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status is not None

    def header(self, name: str) -> str:
        if self.headers is None:
            return ""
        try:
            return str(self.headers.get(name, "") or "")
        except Exception:  # noqa: BLE001
            return ""


def request_host(app: Any) -> str:
    """A Host header the app accepts: SERVER_NAME, the first TRUSTED_HOSTS entry, or localhost."""
    server_name = app.config.get("SERVER_NAME")
    if server_name:
        return str(server_name)
    for entry in app.config.get("TRUSTED_HOSTS") or ():
        entry = str(entry).lstrip(".")
        if entry and "*" not in entry:
            return entry
    return "localhost"


def _in_thread(func: Callable[[], Reply], timeout: float) -> Tuple[Optional[Reply], Optional[BaseException]]:
    box: dict = {}

    def target() -> None:
        try:
            box["reply"] = func()
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a view is evidence too
            box["error"] = exc

    worker = threading.Thread(target=target, name="flask-preflight-test-client", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return None, None
    return box.get("reply"), box.get("error")


def _client(app: Any) -> Any:
    """The app's test client without a cookie jar (Werkzeug's plain one for a custom test_client_class
    with another signature)."""
    try:
        return app.test_client(use_cookies=False)
    except Exception:  # noqa: BLE001
        from werkzeug.test import Client
        return Client(app)


def _answer(go: Callable[[], Reply], timeout: float, method: str, shown: str, url: str) -> Reply:
    """Run ``go`` under ``timeout``; an exception or no answer becomes a Reply carrying the error."""
    reply, error = _in_thread(go, timeout)
    if reply is not None:
        return reply
    if error is not None:
        text = f"{type(error).__name__}: {error}"[:200]
        return Reply(shown, url, error=f"{method} {url} raised {text}", exception=error)
    return Reply(shown, url, error=f"{method} {url} did not answer within {timeout:g}s")


def fetch(app: Any, path: str, host: str, timeout: Optional[float] = None, shown: str = "") -> Reply:
    """GET ``path`` over https through the test client; never raises, never waits longer than ``timeout``
    (default ``REQUEST_TIMEOUT``)."""
    timeout = REQUEST_TIMEOUT if timeout is None else timeout
    shown = shown or path  # how messages name the path: stable, so fingerprints survive the random part
    url = f"https://{host}{shown}"

    def go() -> Reply:
        client = _client(app)
        response = client.open(path, method="GET", base_url=f"https://{host}", buffered=False,
                               follow_redirects=False,
                               headers={"Origin": FOREIGN_ORIGIN, "User-Agent": "flask-preflight-inspect"})
        try:
            chunks, size = [], 0
            for chunk in response.iter_encoded():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY:
                    break
            body = b"".join(chunks)[:MAX_BODY].decode("utf-8", "replace")
            return Reply(shown, url, response.status_code, response.headers, body)
        finally:
            response.close()

    return _answer(go, timeout, "GET", shown, url)


def run(state: CheckState) -> None:
    app = state.app
    host = request_host(app)
    root = fetch(app, "/", host)
    missing = fetch(app, f"/__preflight-{uuid.uuid4().hex[:12]}", host, shown="/__preflight-<random>")
    for reply in (root, missing):
        if reply.error:
            state.notes.append(reply.error)
    _headers(state, root, missing)
    _server_headers(state, [r for r in (root, missing) if r.ok])
    _tracebacks(state, root, missing, host)
    _cors(state, root)


# ---- PF506 --------------------------------------------------------------------------------------------------


def missing_headers(reply: Reply) -> List[Tuple[str, Severity]]:
    """Security headers absent from (or neutralised in) one response, with the severity of each gap."""
    gaps: List[Tuple[str, Severity]] = []
    hsts = reply.header("Strict-Transport-Security")
    match = re.search(r"max-age\s*=\s*\"?(\d+)", hsts, re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        gaps.append(("Strict-Transport-Security", Severity.MEDIUM))
    csp = reply.header("Content-Security-Policy")
    if not csp.strip():
        report_only = " (only Content-Security-Policy-Report-Only)" if reply.header(
            "Content-Security-Policy-Report-Only") else ""
        gaps.append((f"Content-Security-Policy{report_only}", Severity.MEDIUM))
    if reply.header("X-Content-Type-Options").strip().lower() != "nosniff":
        gaps.append(("X-Content-Type-Options: nosniff", Severity.LOW))
    xfo = reply.header("X-Frame-Options").strip().upper()
    if xfo not in ("DENY", "SAMEORIGIN") and "frame-ancestors" not in csp.lower():
        gaps.append(("X-Frame-Options or CSP frame-ancestors", Severity.MEDIUM))
    policies = [p.strip().lower() for p in reply.header("Referrer-Policy").split(",") if p.strip()]
    if not policies or policies[-1] == "unsafe-url":
        gaps.append(("Referrer-Policy", Severity.LOW))
    return gaps


def _headers(state: CheckState, root: Reply, missing: Reply) -> None:
    # A page that failed (500, the debugger's page) skipped the after_request hooks that set headers: judge
    # the headers on a response the app produced normally, preferring "/".
    usable = [r for r in (root, missing) if r.ok and (r.status or 0) < 500] or [r for r in (root, missing) if r.ok]
    if not usable:
        return
    reply = usable[0]
    gaps = missing_headers(reply)
    if not gaps:
        return
    names = [g[0] for g in gaps]
    sev = max((g[1] for g in gaps), key=lambda s: s.rank)
    if root.exception is not None:
        why = f"GET / raised {type(root.exception).__name__}"
    else:
        why = f"GET / answered {root.status}" if root.ok else "GET / did not answer"
    via = "" if reply is root else f" ({why}; judged on the not-found response)"
    talisman = " Flask-Talisman is registered; check its options." if state.talisman is not None else ""
    state.findings.append(PF506.finding(
        f"GET {reply.path} over https answered {reply.status} without {join_words(names)}.{talisman} Headers a "
        f"reverse proxy adds are not visible here.",
        target_location(state.ctx), severity=sev,
        evidence=f"GET {reply.url} -> {reply.status}; missing: {', '.join(names)}{via}"))


# ---- PF510 --------------------------------------------------------------------------------------------------


def _server_headers(state: CheckState, replies: List[Reply]) -> None:
    found: List[str] = []
    for reply in replies:
        server = reply.header("Server")
        if server and VERSION_RE.search(server) and f"Server: {server}" not in found:
            found.append(f"Server: {server}")
        powered = reply.header("X-Powered-By")
        if powered and f"X-Powered-By: {powered}" not in found:
            found.append(f"X-Powered-By: {powered}")
    if found:
        state.findings.append(PF510.finding(
            f"The app's responses advertise its software ({'; '.join(found)}): scanners match these against "
            f"known vulnerabilities.", target_location(state.ctx),
            evidence=f"GET {replies[0].url}: {'; '.join(found)}"))


# ---- PF301 --------------------------------------------------------------------------------------------------


def _error_handler(app: Any, exc_type: type, code: Any) -> Any:
    """The app-level handler Flask would pick for ``exc_type`` (by code first, then by class), found in
    ``error_handler_spec`` directly: ``Flask._find_error_handler`` needs a request context before 3.0."""
    try:
        spec = (getattr(app, "error_handler_spec", None) or {}).get(None) or {}
    except Exception:  # noqa: BLE001
        return None
    for key in ((code, None) if code is not None else (None,)):
        handlers = spec.get(key) or {}
        for cls in exc_type.__mro__:
            handler = handlers.get(cls)
            if handler is not None:
                return handler
    return None


def _root_view(app: Any, host: str) -> Any:
    try:
        endpoint, _ = app.url_map.bind(host, url_scheme="https").match("/", method="GET")
    except Exception:  # noqa: BLE001 - no route for "/", redirects, method errors
        return None
    return app.view_functions.get(endpoint)


def _where(state: CheckState, reply: Reply, host: str) -> Tuple[Location, str]:
    from werkzeug.exceptions import InternalServerError, NotFound

    app = state.app
    # A 404 goes to the NotFound handler; an error from a view first to a handler for Exception, then to
    # the one for InternalServerError (Flask's handle_user_exception, then handle_exception).
    candidates = [(NotFound, 404)] if reply.status == 404 else [(Exception, None), (InternalServerError, 500)]
    for exc_type, code in candidates:
        handler = _error_handler(app, exc_type, code)
        if handler is not None:
            return source_location(handler, state.ctx)
    if reply.path == "/" and reply.status and reply.status >= 500:
        view = _root_view(app, host)
        if view is not None:
            return source_location(view, state.ctx)
    return target_location(state.ctx), ""


def _tracebacks(state: CheckState, root: Reply, missing: Reply, host: str) -> None:
    seen = set()
    for reply in (root, missing):
        if not reply.ok or (reply.status or 0) < 400:
            continue
        debugger = [m for m in DEBUGGER_MARKERS if m in reply.body]
        traceback = [m for m in TRACEBACK_MARKERS if m in reply.body]
        if not debugger and not traceback:
            continue
        loc, snippet = _where(state, reply, host)
        if (loc, reply.status) in seen:
            continue  # "/" has no route: the same 404 page twice
        seen.add((loc, reply.status))
        what = "the Werkzeug debugger's traceback page" if debugger else "a Python traceback"
        marker = (debugger or traceback)[0]
        state.findings.append(PF301.finding(
            f"GET {reply.path} answered {reply.status} with {what}: file paths, source lines and exception "
            f"details reach the client.", loc, severity=Severity.HIGH, snippet=snippet,
            evidence=f"GET {reply.url} -> {reply.status}; body contains {marker!r}"))


# ---- PF512 --------------------------------------------------------------------------------------------------


def cors_preflight(app: Any, path: str, origin: str, timeout: Optional[float] = None) -> Reply:
    """A CORS preflight (``OPTIONS path`` with ``origin`` and ``Access-Control-Request-Method: GET``) over https;
    never raises. Callers pick paths Flask or ``@cross_origin`` answer without running the view."""
    timeout = REQUEST_TIMEOUT if timeout is None else timeout
    host = request_host(app)
    url = f"https://{host}{path}"

    def go() -> Reply:
        client = _client(app)
        response = client.open(path, method="OPTIONS", base_url=f"https://{host}", buffered=True,
                               follow_redirects=False,
                               headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                        "User-Agent": "flask-preflight-inspect"})
        try:
            return Reply(path, url, response.status_code, response.headers)
        finally:
            response.close()

    return _answer(go, timeout, "OPTIONS", path, url)


def _cors(state: CheckState, root: Reply) -> None:
    if not root.ok or state.has("PF512"):
        return
    allowed = root.header("Access-Control-Allow-Origin").strip()
    credentials = root.header("Access-Control-Allow-Credentials").strip().lower() == "true"
    if credentials and allowed == FOREIGN_ORIGIN:
        state.findings.append(PF512.finding(
            "GET / with a foreign Origin header is answered with that origin in Access-Control-Allow-Origin and "
            "Access-Control-Allow-Credentials: true: any website can read responses made with a logged-in "
            "user's cookies.", target_location(state.ctx),
            evidence=f"GET {root.url} Origin: {FOREIGN_ORIGIN} -> Access-Control-Allow-Origin: {allowed}, "
                     f"Access-Control-Allow-Credentials: true"))
        return
    # `Origin: null` (sandboxed iframes, data: URLs) allowed by a hand-written hook: asked only of a "/" route
    # that Flask answers OPTIONS for itself, so no view runs.
    view_rule = _root_rule(state.app, request_host(state.app))
    if root.status == 404 or view_rule is None or not getattr(view_rule, "provide_automatic_options", False):
        return
    reply = cors_preflight(state.app, "/", "null")
    if (reply.ok and reply.header("Access-Control-Allow-Origin").strip() == "null"
            and reply.header("Access-Control-Allow-Credentials").strip().lower() == "true"):
        state.findings.append(PF512.finding(
            "A CORS preflight to / with `Origin: null` is answered with Access-Control-Allow-Origin: null and "
            "Access-Control-Allow-Credentials: true: any page can send that origin from a sandboxed iframe or a "
            "data: URL and read responses made with a logged-in user's cookies.", target_location(state.ctx),
            evidence=f"OPTIONS {reply.url} Origin: null -> {reply.status}, Access-Control-Allow-Origin: null, "
                     f"Access-Control-Allow-Credentials: true"))


def _root_rule(app: Any, host: str) -> Any:
    try:
        rule, _ = app.url_map.bind(host, url_scheme="https").match("/", method="GET", return_rule=True)
    except Exception:  # noqa: BLE001 - no route for "/", redirects, method errors
        return None
    return rule
