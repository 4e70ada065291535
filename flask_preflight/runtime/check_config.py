"""Checks of ``app.config`` as loaded: debug/testing, the signing keys, cookies, limits, hosts and schemes.

Every value is read from the live app after its factory, ``from_envvar``, ``from_prefixed_env`` and
extensions ran - exactly what a WSGI server would serve. Config findings point at the target (the line that
defines the app object); messages never contain a signing key, only its length and at most two characters.
"""

from __future__ import annotations

import datetime
import os
from typing import Any, List, Optional, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.debug import PF101
from flask_preflight.rules.runtime import PF501, PF502, PF503, PF504, PF505, PF507, PF508, PF514
from flask_preflight.rules.secrets import PF210, PF302
from flask_preflight.runtime.check_common import CheckState, join_words, plural, target_location
from flask_preflight.static.python.secrets import weakness

# Keys printed in Flask's own documentation (quickstart, config, tutorial): public, whatever they look like.
PUBLIC_KEYS = {
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    "5f352379324c22463451387a0aec5d2f",
    '_5#y2L"F4Q8z\n\xec]/',
    b'_5#y2L"F4Q8z\n\xec]/',
}
PLACEHOLDER = "a well-known placeholder"
PUBLIC = "a key published in Flask's documentation"
MIN_BINARY_KEY_BYTES = 16  # 128 bits of os.urandom() output
MIN_TEXT_KEY_CHARS = 8     # shorter text keys are found by brute force in minutes: critical
MAX_SESSION_DAYS = 31      # Flask's default PERMANENT_SESSION_LIFETIME
BODY_METHODS = {"POST", "PUT", "PATCH"}


def run(state: CheckState) -> None:
    app, ctx = state.app, state.ctx
    config = app.config
    loc = target_location(ctx)
    add = state.findings.append
    env = _env(state)

    if app.debug:
        flag = (env.get("FLASK_DEBUG") or "").strip().lower()
        how = " (FLASK_DEBUG is set in the environment)" if flag and flag not in ("0", "false", "no") else ""
        add(PF101.finding(
            f"Debug mode is on in the loaded app{how}: an exception no handler catches propagates instead of "
            f"reaching your 500/InternalServerError handler (an `errorhandler(Exception)` still runs), templates reload on every request, and `flask run` would serve the debugger.",
            loc, evidence="app.debug is True after loading"))
    if config.get("TESTING"):
        add(PF501.finding(
            "TESTING is on in the loaded app: exceptions propagate instead of reaching your 500 handler, and "
            "extensions that honour the flag (Flask-Login's LOGIN_DISABLED, CSRF and rate limits in many apps) "
            "switch protections off.",
            loc, evidence="app.testing is True after loading"))
    if config.get("LOGIN_DISABLED") and _has_flask_login(app):
        add(PF514.finding(
            f"LOGIN_DISABLED is on in {ctx.app_label} and Flask-Login is registered: @login_required lets every "
            f"request through, so the pages it protects are open to anonymous users.",
            loc, evidence=f"LOGIN_DISABLED={config.get('LOGIN_DISABLED')!r} after loading, LoginManager registered"))
    _propagation(state, loc)
    _secret_keys(state, loc)
    _cookies(state, loc)

    lifetime = _seconds(config.get("PERMANENT_SESSION_LIFETIME"))
    if lifetime is not None and lifetime > MAX_SESSION_DAYS * 86400:
        add(PF507.finding(
            f"PERMANENT_SESSION_LIFETIME is {_days(lifetime)}: a stolen permanent session cookie stays valid "
            f"that long, and Flask cannot revoke it.",
            loc, evidence=f"PERMANENT_SESSION_LIFETIME={lifetime:.0f}s (> {MAX_SESSION_DAYS} days)"))

    if config.get("MAX_CONTENT_LENGTH") is None:
        body = _body_endpoints(app)
        sev = Severity.MEDIUM if body else Severity.LOW
        verb = "accepts" if len(body) == 1 else "accept"
        where = (f" and {plural(len(body), 'endpoint')} {verb} request bodies ({join_words(body[:3])}"
                 f"{', ...' if len(body) > 3 else ''})") if body else ""
        add(PF504.finding(
            f"MAX_CONTENT_LENGTH is unset{where}: Flask reads request bodies and uploads of any size.",
            loc, severity=sev, evidence="MAX_CONTENT_LENGTH=None after loading"))

    _hosts(state, loc)

    if str(config.get("PREFERRED_URL_SCHEME") or "").lower() == "http":
        add(PF508.finding(
            "PREFERRED_URL_SCHEME is 'http': links built outside a request (e-mails from background jobs, CLI "
            "commands) use plain http.", loc, evidence="PREFERRED_URL_SCHEME='http' after loading"))


def _env(state: CheckState) -> dict:
    env = dict(os.environ)
    env.update(dict(state.ctx.env or ()))
    return env


def _propagation(state: CheckState, loc) -> None:
    config = state.app.config
    if config.get("PROPAGATE_EXCEPTIONS") is True:
        state.findings.append(PF302.finding(
            "PROPAGATE_EXCEPTIONS is True in the loaded app: unhandled errors bypass your 500 handler and the "
            "WSGI server decides what the client sees.",
            loc, severity=Severity.MEDIUM, evidence="PROPAGATE_EXCEPTIONS=True after loading"))
    if config.get("TRAP_HTTP_EXCEPTIONS") is True:
        state.findings.append(PF302.finding(
            "TRAP_HTTP_EXCEPTIONS is True in the loaded app: every 404/405/400 becomes an unhandled exception.",
            loc, severity=Severity.LOW, evidence="TRAP_HTTP_EXCEPTIONS=True after loading"))


# ---- signing keys -------------------------------------------------------------------------------------------


def key_weakness(value: Any) -> Optional[str]:
    """Why a signing key is guessable, or None. Text keys use the static checks' ``weakness()`` (placeholders,
    fewer than 5 distinct characters, under 32 characters, under 3 bits of entropy per character); random
    binary keys (``os.urandom``) need 16 bytes; keys from Flask's documentation are always weak."""
    try:
        if value in PUBLIC_KEYS:
            return PUBLIC
    except TypeError:  # unhashable
        pass
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value)
        try:
            text = value.decode("ascii")
        except UnicodeDecodeError:
            text = None
        if text is None or not text.isprintable():
            if len(value) < MIN_TEXT_KEY_CHARS:
                return f"only {plural(len(value), 'byte')} long"
            if len(set(value)) < 5:
                return f"only {plural(len(set(value)), 'distinct byte')}"
            if len(value) < MIN_BINARY_KEY_BYTES:
                return f"only {plural(len(value), 'byte')} long"
            return None
        value = text
    text = value if isinstance(value, str) else str(value)
    weak = weakness(text)
    if weak is None or weak == PLACEHOLDER:
        return weak
    if len(text) < MIN_TEXT_KEY_CHARS:  # before "distinct characters": the length is what makes it guessable
        return f"only {plural(len(text), 'character')} long"
    distinct = len(set(text))
    if weak.startswith("only ") and "distinct" in weak:
        return f"only {plural(distinct, 'distinct character')}"
    return weak


def describe_key(value: Any) -> str:
    """Type and length, plus the first two characters of a long printable key; never the key."""
    if isinstance(value, (bytes, bytearray)):
        return f"bytes, {len(value)} long"
    text = value if isinstance(value, str) else str(value)
    kind = "str" if isinstance(value, str) else type(value).__name__
    shown = f", starts with {text[:2]!r}" if len(text) >= 16 and text[:2].isprintable() else ""
    return f"{kind}, {len(text)} characters{shown}"


def _secret_keys(state: CheckState, loc) -> None:
    app = state.app
    key = app.config.get("SECRET_KEY")
    if key is None or (isinstance(key, (str, bytes, bytearray)) and len(key) == 0):
        users = _key_users(state)
        sev = Severity.HIGH if users else Severity.MEDIUM
        need = f" {join_words(users)} {'needs' if len(users) == 1 else 'need'} it, so requests will fail." if users else ""
        state.findings.append(PF502.finding(
            f"SECRET_KEY is not set in the loaded app: writing to the session or flashing a message raises "
            f"RuntimeError.{need}",
            loc, severity=sev, evidence=f"SECRET_KEY={'None' if key is None else 'empty'} after loading"))
    else:
        _judge_key(state, loc, "SECRET_KEY", key)
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or ()
    if isinstance(fallbacks, (str, bytes)):
        fallbacks = [fallbacks]
    try:
        entries = list(fallbacks)
    except TypeError:
        entries = []
    for i, old in enumerate(entries):
        if old is None or (isinstance(old, (str, bytes)) and not old):
            continue
        _judge_key(state, loc, f"SECRET_KEY_FALLBACKS[{i}]", old)


def _judge_key(state: CheckState, loc, name: str, value: Any) -> None:
    weak = key_weakness(value)
    if not weak:
        return
    known = weak in (PLACEHOLDER, PUBLIC)
    tiny = _key_length(value) < MIN_TEXT_KEY_CHARS
    accepted = " Flask still accepts cookies signed with it." if name != "SECRET_KEY" else ""
    how = ("forged with a public wordlist" if known else
           "brute-forced offline in minutes" if tiny else "brute-forced offline")
    state.findings.append(PF503.finding(
        f"{name} of {state.ctx.app_label} is {weak}: session cookies signed with it can be {how}.{accepted}",
        loc, severity=Severity.CRITICAL if known or tiny else Severity.HIGH,
        evidence=f"{name}: {describe_key(value)}"))


def _has_flask_login(app: Any) -> bool:
    return getattr(app, "login_manager", None) is not None or "flask_login" in (app.extensions or {})


def _key_length(value: Any) -> int:
    try:
        return len(value) if isinstance(value, (str, bytes, bytearray)) else len(str(value))
    except Exception:  # noqa: BLE001
        return MIN_TEXT_KEY_CHARS


def _key_users(state: CheckState) -> List[str]:
    app = state.app
    users = []
    if _has_flask_login(app):
        users.append("Flask-Login")
    if "csrf" in (app.extensions or {}):
        users.append("Flask-WTF's CSRFProtect")
    if state.seasurf is not None:
        users.append("Flask-SeaSurf")
    return users


# ---- cookies ------------------------------------------------------------------------------------------------


def _cookie_problems(config: Any, prefix: str, defaults: Tuple[bool, bool, Optional[str]],
                     secure_forced: bool) -> List[Tuple[str, str, Severity]]:
    """(setting, what it does, severity) for each weak flag of one cookie."""
    secure = config.get(f"{prefix}_SECURE", defaults[0])
    httponly = config.get(f"{prefix}_HTTPONLY", defaults[1])
    samesite = config.get(f"{prefix}_SAMESITE", defaults[2])
    problems = []
    if not secure and not secure_forced:
        problems.append((f"{prefix}_SECURE={secure!r}", "is sent over plain http", Severity.MEDIUM))
    if not httponly:
        problems.append((f"{prefix}_HTTPONLY={httponly!r}", "is readable by scripts", Severity.MEDIUM))
    if samesite is None:
        problems.append((f"{prefix}_SAMESITE=None", "has no SameSite attribute (browser default decides)",
                         Severity.LOW))
    elif str(samesite).lower() == "none":
        problems.append((f"{prefix}_SAMESITE={samesite!r}", "is sent with cross-site requests", Severity.MEDIUM))
    elif str(samesite).lower() not in ("lax", "strict"):
        problems.append((f"{prefix}_SAMESITE={samesite!r}", "has an invalid SameSite value", Severity.LOW))
    return problems


def _cookies(state: CheckState, loc) -> None:
    app = state.app
    talisman = state.talisman
    forced = bool(talisman is not None and getattr(talisman, "session_cookie_secure", False) and not app.debug)
    cookies = [("session cookie", "SESSION_COOKIE", (False, True, None), forced)]
    if getattr(app, "login_manager", None) is not None or "flask_login" in (app.extensions or {}):
        cookies.append(("Flask-Login remember-me cookie", "REMEMBER_COOKIE", (False, True, None), False))
    for label, prefix, defaults, secure_forced in cookies:
        problems = _cookie_problems(app.config, prefix, defaults, secure_forced)
        if not problems:
            continue
        sev = max((p[2] for p in problems), key=lambda s: s.rank)
        what = join_words([f"{p[1]} ({p[0]})" for p in problems])
        state.findings.append(PF210.finding(
            f"The {label} {what}.", loc, severity=sev,
            evidence=", ".join(p[0] for p in problems) + " after loading"))


# ---- limits, hosts ------------------------------------------------------------------------------------------


def _seconds(value: Any) -> Optional[float]:
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:.0f} days" if days >= 2 else f"{seconds:.0f} seconds"


def _body_endpoints(app: Any) -> List[str]:
    names = []
    for rule in app.url_map.iter_rules():
        if (rule.methods or set()) & BODY_METHODS and rule.endpoint not in names:
            names.append(rule.endpoint)
    return names


def _hosts(state: CheckState, loc) -> None:
    app = state.app
    config = app.config
    modern = "TRUSTED_HOSTS" in type(app).default_config  # Flask >= 3.1; before, the key does nothing
    if config.get("SERVER_NAME") or (modern and config.get("TRUSTED_HOSTS")):
        return
    if modern:
        state.findings.append(PF505.finding(
            "TRUSTED_HOSTS and SERVER_NAME are both unset: the app accepts any Host header and builds external "
            "URLs (password-reset links, redirects) from it.",
            loc, severity=Severity.MEDIUM, evidence="TRUSTED_HOSTS=None, SERVER_NAME=None after loading"))
    else:
        state.findings.append(PF505.finding(
            "SERVER_NAME is unset and this Flask has no TRUSTED_HOSTS (added in 3.1): the app accepts any Host "
            "header and builds external URLs from it.",
            loc, severity=Severity.LOW, evidence="SERVER_NAME=None after loading (Flask < 3.1)",
            fix_hint="Set SERVER_NAME to the public host, make the reverse proxy reject unknown Host headers, "
                     "or upgrade to Flask >= 3.1 and set TRUSTED_HOSTS."))
