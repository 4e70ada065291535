"""PF201-PF203, PF210, PF211, PF302: signing keys, cookie flags, CSRF and exception propagation in code.

All of these are config values; ``configwrites`` finds every spelling, this module judges the value
(literal, environment with a literal fallback, generated per process) and the context (production
config vs. a development/testing class or test code).
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from typing import Any, Iterable, List, Optional, Set, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.secrets import PF201, PF202, PF203, PF210, PF211, PF302
from flask_preflight.static.python.configwrites import ConfigWrite, config_writes
from flask_preflight.static.python.context import Context, Pending, unset_phrase
from flask_preflight.static.python.csrf import CsrfChecks
from flask_preflight.static.python.envflags import flag_default
from flask_preflight.static.python.signingkeys import holder, key_argument, public_value, verifies_with_public_key
from flask_preflight.static.python.randomkeys import DEFERRED_KIND, random_source
from flask_preflight.static.python.startguards import PENDING_KIND, StartGuards
from flask_preflight.static.python.debug import (classify_config_class, config_module_name, flask_or_config_module,
                                                 name_tokens)
from flask_preflight.static.python.evaluate import UNKNOWN, Evaluator, truthy
from flask_preflight.static.python.flaskapi import module_imports_flask
from flask_preflight.static.python.model import Reach, Site
from flask_preflight.static.python.astutil import walk as walk_nodes

SECRET_KEYS = ("SECRET_KEY", "JWT_SECRET_KEY", "SECURITY_PASSWORD_SALT", "WTF_CSRF_SECRET_KEY")
IMPACT = {
    "SECRET_KEY": "anyone can forge session cookies (log in as any user) and the tokens signed with it",
    "JWT_SECRET_KEY": "anyone can mint JWTs this app accepts",
    "SECURITY_PASSWORD_SALT": "Flask-Security's password HMAC and confirmation/reset tokens lose their secret part",
    "WTF_CSRF_SECRET_KEY": "anyone can forge CSRF tokens",
}
COOKIE_FLAG_KEYS = {f"{p}_{f}" for p in ("SESSION_COOKIE", "REMEMBER_COOKIE") for f in ("SECURE", "HTTPONLY")}
COOKIE_SAMESITE_KEYS = {"SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"}
CSRF_KEYS = {"WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"}
PROPAGATE_KEYS = {"PROPAGATE_EXCEPTIONS": Severity.MEDIUM, "TRAP_HTTP_EXCEPTIONS": Severity.LOW}

# Values seen in tutorials, templates and cracker wordlists (normalised: lower case, letters and digits).
PLACEHOLDERS = {
    "dev", "devkey", "development", "developmentkey", "secret", "secretkey", "mysecret", "mysecretkey",
    "supersecret", "supersecretkey", "changeme", "changethis", "changeit", "changemeplease", "yoursecretkey",
    "yoursecretkeyhere", "yoursecret", "replaceme", "replacethis", "password", "default", "defaultsecret",
    "test", "testing", "testkey", "key", "flask", "flasksecret", "flasksecretkey", "hardtoguessstring",
    "youwillneverguess", "notsosecret", "s3cr3t", "s3cret", "secret123", "123456", "abc123", "xxx", "todo",
    "fixme", "insecure", "jwtsecret", "jwtsecretkey", "jwtkey", "csrfsecret", "salt", "keepitsecret", "keepitsecretkeepitsafe", "thisisasecret", "thisismysecretkey",
    "secretkeyhere", "putyoursecretkeyhere", "somesecretkey", "somethingsecret", "verysecret", "topsecret",
}
_PLACEHOLDER_PARTS = ("changeme", "changethis", "yoursecret", "replaceme", "placeholder", "notsecret",
                      "insecure", "example", "dummy")
# Keys only Flask and its extensions read; two of them make a class a Flask config wherever it lives.
FLASK_KEY_RE = re.compile(r"^(DEBUG|TESTING|SECRET_KEY|SESSION_\w+|REMEMBER_COOKIE_\w+|SQLALCHEMY_\w+|MAIL_\w+|WTF_\w+|"
                          r"JWT_\w+|SECURITY_\w+|PERMANENT_SESSION_LIFETIME|SERVER_NAME|PREFERRED_URL_SCHEME|"
                          r"MAX_CONTENT_LENGTH|TEMPLATES_AUTO_RELOAD|PROPAGATE_EXCEPTIONS|CACHE_TYPE|UPLOAD_FOLDER)$")
# Cookie names are matched word by word: "user_lang", "sidebar" and "accessibility_mode" are not credentials.
SENSITIVE_COOKIE_WORDS = {"session", "sess", "sessionid", "sid", "auth", "authorization", "token", "jwt", "remember",
                          "login", "csrf", "xsrf", "access", "refresh", "identity", "userid", "uid", "bearer"}
CSRF_COOKIE_WORDS = {"csrf", "xsrf"}


def cookie_words(name: str) -> Set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}


def weakness(value: Any) -> Optional[str]:
    """Why a key is guessable, or None. Django's W009 asks for 50+ characters and 5+ distinct ones; a Flask
    key from ``secrets.token_hex()`` has 64 hex characters, so under 32 is short."""
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    norm = re.sub(r"[^a-z0-9]", "", text.lower())
    if norm in PLACEHOLDERS or any(p in norm for p in _PLACEHOLDER_PARTS):
        return "a well-known placeholder"
    if len(set(text)) < 5:
        return f"only {len(set(text))} distinct characters"
    if len(text) < 32:
        return f"only {len(text)} characters long"
    counts = Counter(text)
    entropy = -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())
    if entropy < 3.0:
        return f"low in entropy ({entropy:.1f} bits per character)"
    return None


class SecretChecks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self._self_loading = self._module_loads_itself()
        self._guards = StartGuards(ctx.model)
        self._csrf = CsrfChecks(ctx, lambda w: self._production_write(w, allow_tests=False))

    def run(self) -> None:
        for w in config_writes(self.model):
            if w.key in SECRET_KEYS:
                self._secret(w)
            elif w.key == "SECRET_KEY_FALLBACKS":
                self._fallbacks(w)
            elif w.key in COOKIE_FLAG_KEYS or w.key in COOKIE_SAMESITE_KEYS:
                self._cookie_config(w)
            elif w.key in CSRF_KEYS:
                self._csrf.config(w)
            elif w.key in PROPAGATE_KEYS:
                self._propagate(w)
        for call, site in self.model.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "set_cookie":
                self._set_cookie(call, site)
            else:
                self._library_key(call, site)
        self._csrf.run()

    # ---- which writes count ---------------------------------------------------------------------
    def _production_write(self, w: ConfigWrite, *, allow_tests: bool) -> bool:
        """A write that can shape production config: not in a dev/test config class, not in test-only code."""
        if not allow_tests and (self.ctx.is_test or self._testing_context(w)):
            return False
        if self.ctx.gate(w.site).skip:
            return False
        if w.how == "class":
            cls = w.owner or ""
            if classify_config_class(cls, self.model.module_name) == "dev" or not flask_or_config_module(self.model) or self._pydantic(cls):
                return False
            return self._config_class(cls)
        if w.how == "module":
            return flask_or_config_module(self.model) and (config_path(self.model.module_name) or self._self_loading)
        return True

    def _config_class(self, name: str) -> bool:
        """A Flask config class: config-like name or module, and visibly about Flask (imports it, lives in a
        config module, or sets other keys only Flask apps use). ``botocore``'s ConfigProvider is not."""
        if config_path(self.model.module_name):
            return True
        info = self.model.classes.get(name)
        flaskish = module_imports_flask(self.model) or bool(
            info and sum(1 for a in info.scope.bindings if FLASK_KEY_RE.match(a)) >= 2)
        if not flaskish or info is None:
            return False
        names = [name] + [getattr(b, "id", getattr(b, "attr", "")) for b in info.node.bases]
        return any(t in ("config", "configuration", "settings", "conf", "cfg") for n in names for t in name_tokens(n))

    def _pydantic(self, name: str) -> bool:
        """pydantic-settings classes read the environment themselves and belong to FastAPI-style apps."""
        info = self.model.classes.get(name)
        return bool(info and any((self.model.qualname(b) or "").split(".")[0] in ("pydantic", "pydantic_settings")
                                 for b in info.node.bases))

    def _testing_context(self, w: ConfigWrite) -> bool:
        """Writes next to TESTING = True (same class, function or update() call) configure tests."""
        for other in config_writes(self.model):
            if other.key == "TESTING" and other.site.scope is w.site.scope and \
                    truthy(Evaluator(self.model).eval(other.value, other.site.scope, other.value.lineno)) is True:
                return True
        fn = w.site.function or ""
        return fn.startswith("test") or "test" in name_tokens(fn)

    def _module_loads_itself(self) -> bool:
        for call, site in self.model.calls:
            if isinstance(call.func, ast.Attribute) and call.func.attr == "from_object" and call.args:
                v = Evaluator(self.model).eval(call.args[0], site.scope, call.lineno)
                if v in ("__main__", self.model.module_name):
                    return True
        return False

    # ---- signing keys -----------------------------------------------------------------------------
    def _secret(self, w: ConfigWrite) -> None:
        if not self._production_write(w, allow_tests=True):
            return
        ev = Evaluator(self.model, None)
        value = ev.eval(w.value, w.site.scope, w.value.lineno)
        env = ev.trace.env_names
        where = w.display.replace("{src}", self._src(w.value))
        imported: List[str] = []
        per_process = (f"every gunicorn worker and every restart gets a different key, so sessions, remember-me "
                       f"cookies and CSRF tokens signed by one worker are rejected by the next and users are logged "
                       f"out at random.")
        if random_source(self.model, w.value, w.site.scope, 0, imported):
            self.ctx.emit(PF203, w.node, f"{w.key} is generated when the process starts{_when(env)} ({where}): "
                          f"{per_process}", Severity.MEDIUM)
            return
        if imported and not isinstance(value, (str, bytes)):
            # a helper of another module: the project index knows whether it returns a random value
            self.ctx.defer(DEFERRED_KIND, " ".join(dict.fromkeys(imported)), PF203, w.node, Severity.MEDIUM,
                           f"{w.key} is generated when the process starts{_when(env)}, by {{helper}} ({where}): "
                           f"{per_process}", w.site)
        if not isinstance(value, (str, bytes)) or not value or value == w.key:
            return  # SECRET_KEY = "SECRET_KEY" names a key; it is not one
        self.ctx.add_secret(value, w.value, tuple(env))
        refused, exits = self._guards.refusal(w.key, value, env if ev.trace.env_reads else (), w.site.stmt,
                                              w.owner if w.how == "class" else None)
        if refused:
            return  # start-up stops with this value: the app never runs with it
        before = len(self.ctx.result.findings)
        self._literal_key(w, value, ev, env, where)
        if exits and len(self.ctx.result.findings) > before:
            # the guard calls a function of another module: the finding stands unless that one always exits
            self.ctx.result.pending.append(Pending(self.ctx.result.findings.pop(), PENDING_KIND, tuple(exits)))

    def _library_key(self, call: ast.Call, site: Site) -> None:
        """A key PyJWT or itsdangerous signs or verifies with (see ``signingkeys``): a literal is PF201, an
        environment read with a literal fallback PF202, at the assignment holding the literal. Test functions
        sign test tokens and are skipped; a guard that refuses the value at start-up clears it."""
        found = key_argument(self.model, call)
        if found is None or self.ctx.gate(site).skip or self._test_function(site):
            return
        label, arg = found
        ev = Evaluator(self.model, None)
        value = ev.eval(arg, site.scope, call.lineno)
        if not isinstance(value, (str, bytes)) or not value or public_value(value) or \
                verifies_with_public_key(self.model, call, site):
            return
        node, stmt, shown = holder(self.model, arg, site, call.lineno)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return  # a config value or class attribute: judged where it is written (config writes)
        env = ev.trace.env_names
        self.ctx.add_secret(value, node, tuple(env))
        if stmt is not None and self._guards.refusal(shown, value, env if ev.trace.env_reads else (), stmt,
                                                     None)[0]:
            return
        where = f"`{shown} = {self._src(node)}`" if shown else f"`{self._src(node)}`"
        harm = "anyone can sign tokens this app accepts (or read and re-sign the ones it issues)"
        weak = weakness(value)
        weak_note = f" The value is also weak ({weak}): it can be guessed without access to the source." if weak else ""
        sev = Severity.CRITICAL if weak == "a well-known placeholder" else Severity.HIGH
        if ev.trace.env_reads:
            self.ctx.emit(PF202, node, f"The key {label}() signs with falls back to a literal when {unset_phrase(env)} "
                          f"({where}): a deployment that forgets the variable signs with a key from the source "
                          f"code: {harm}.{weak_note}", sev)
            return
        if site.reach == Reach.MAIN:
            sev = Severity.MEDIUM
        self.ctx.emit(PF201, node, f"Hard-coded key for {label}() ({where}): with the source in hand, "
                      f"{harm}.{weak_note}", sev)

    def _test_function(self, site: Site) -> bool:
        fn = site.function or ""
        return fn.startswith("test") or "test" in name_tokens(fn)

    def _literal_key(self, w: ConfigWrite, value: Any, ev: Evaluator, env: List[str], where: str) -> None:
        weak = weakness(value)
        harm = IMPACT.get(w.key, IMPACT["SECRET_KEY"])
        weak_note = (f" The value is also weak ({weak}): it can be guessed without access to the source." if weak else "")
        if ev.trace.env_reads:
            self.ctx.emit(PF202, w.node,
                          f"{w.key} falls back to a literal when {unset_phrase(env)} "
                          f"({where}): a deployment that forgets the variable runs with a key from the source "
                          f"code: {harm}.{weak_note}",
                          Severity.CRITICAL if weak == "a well-known placeholder" else Severity.HIGH)
            return
        override = _instance_override(w) if w.in_app_code else None
        if override is not None:
            # Flask's tutorial: from_mapping(SECRET_KEY="dev") for development, then from_pyfile("config.py",
            # silent=True), the instance config that holds the real key in production - outside the repository.
            call, line = override
            self.ctx.emit(PF202, w.node,
                          f"{w.key} is a development default ({where}) that the config loaded later replaces "
                          f"(`{call}`, line {line}) when that source sets it; a production without it runs with "
                          f"this key from the source code: {harm}.{weak_note} Reported as low because that "
                          f"override (the instance config Flask's deployment docs describe) lives outside the "
                          f"repository, where `check` cannot see it; `flask-preflight inspect` with the "
                          f"production config judges the key it really loads (PF503 when it is weak or well "
                          f"known).", Severity.LOW)
            return
        sev = Severity.CRITICAL if weak == "a well-known placeholder" else Severity.HIGH
        if w.site.reach == Reach.MAIN:
            sev = Severity.MEDIUM
        self.ctx.emit(PF201, w.node,
                      f"Hard-coded {w.key} ({where}): with the source in hand, {harm}.{weak_note}", sev)

    def _fallbacks(self, w: ConfigWrite) -> None:
        """SECRET_KEY_FALLBACKS (Flask 3.1) still verifies signatures: a literal there is as good as a literal key."""
        if not self._production_write(w, allow_tests=True) or not isinstance(w.value, (ast.List, ast.Tuple)):
            return
        for element in w.value.elts:
            value = Evaluator(self.model, None).eval(element, w.site.scope, element.lineno)
            if isinstance(value, (str, bytes)) and value:
                self.ctx.add_secret(value, element)
                weak = weakness(value)
                self.ctx.emit(PF201, element,
                              "Hard-coded key in SECRET_KEY_FALLBACKS: Flask still accepts cookies signed with "
                              "every fallback key, so with the source in hand anyone can forge session cookies."
                              + (f" The value is also weak ({weak})." if weak else ""),
                              Severity.CRITICAL if weak == "a well-known placeholder" else Severity.HIGH)

    def _src(self, node: ast.AST, limit: int = 50) -> str:
        text = " ".join((self.ctx.segment(node) or "...").split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    # ---- cookies ----------------------------------------------------------------------------------
    def _flag_value(self, w: ConfigWrite) -> Tuple[Any, str]:
        """The value with no environment set, and " when X is unset" if the environment decides it."""
        ev = Evaluator(self.model, None)
        return ev.eval(w.value, w.site.scope, w.value.lineno), _when(ev.trace.env_names)

    def _cookie_config(self, w: ConfigWrite) -> None:
        if not self._production_write(w, allow_tests=True):
            return
        # project bool parsers and chains of settings (COOKIES_SECURE = parse_bool(env or str(ENFORCE_HTTPS)))
        value, env = flag_default(self.model, w.value, w.site.scope, w.value.lineno)
        when = _when(env)
        if value is UNKNOWN or isinstance(value, (list, dict, tuple)):
            return
        cookie = "session cookie" if w.key.startswith("SESSION") else "Flask-Login remember-me cookie"
        if w.key in COOKIE_SAMESITE_KEYS:
            if isinstance(value, str) and value.strip().lower() == "none":
                self.ctx.emit(PF210, w.node, f"{w.key} is {value!r}{when}: the {cookie} is sent with every "
                              f"cross-site request, which is what cross-site request forgery relies on.",
                              Severity.LOW if when else Severity.MEDIUM)
            elif value is None:
                self.ctx.emit(PF210, w.node, f"{w.key} is set to None{when}: the {cookie} gets no SameSite "
                              f"attribute, so browsers without a Lax default (Safari, older Firefox) send it with "
                              f"cross-site requests; set 'Lax' explicitly.", Severity.LOW)
            return
        if truthy(value) is False:
            if w.key.endswith("SECURE"):
                msg = f"the {cookie} is also sent over plain HTTP, where anyone on the network can read it"
            else:
                msg = f"JavaScript can read the {cookie}, so any XSS steals the login"
            if when and value is None and w.key.endswith("SECURE"):
                # an environment toggle left at None restates Flask's default (no Secure attribute); for HttpOnly,
                # whose default is True in Flask and Flask-Login, None drops the attribute: that is a weakening
                self.ctx.emit(PF210, w.node, f"{w.key} is None{when}: {msg}.", Severity.LOW)
                return
            # False when the variable is unset: a deployment that forgets it runs without the flag, as with a literal
            who = env[0] if len(env) == 1 else "none of " + ", ".join(env)
            tail = f" (a deployment that sets {who} runs like this)" if len(env) > 1 else \
                (f" (a deployment that does not set {who} runs like this)" if env else "")
            self.ctx.emit(PF210, w.node, f"{w.key} is {value!r}{when}: {msg}{tail}.", Severity.MEDIUM)

    def _set_cookie(self, call: ast.Call, site: Site) -> None:
        name_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "key"), None)
        if name_node is None:
            return
        name = Evaluator(self.model).eval(name_node, site.scope, call.lineno)
        words = cookie_words(name) if isinstance(name, str) else set()
        if not words & SENSITIVE_COOKIE_WORDS:
            return
        for flag, pos in (("secure", 6), ("httponly", 7)):
            node = next((k.value for k in call.keywords if k.arg == flag), None)
            if node is None and len(call.args) > pos:
                node = call.args[pos]
            if node is None or self.ctx.gate(site).skip:
                continue
            if flag == "httponly" and words & CSRF_COOKIE_WORDS:
                continue  # double-submit CSRF cookies must be readable by JavaScript; the token is useless alone
            if truthy(Evaluator(self.model).eval(node, site.scope, node.lineno)) is False:
                what = ("sent over plain HTTP" if flag == "secure" else "readable by JavaScript (any XSS steals it)")
                self.ctx.emit(PF210, node, f"Cookie {name!r} looks like a session or auth cookie and is set with "
                              f"{flag}=False explicitly: it is {what}.", Severity.MEDIUM,
                              fix_hint=f"Set {flag}=True on this cookie (and samesite='Lax').")

    # ---- CSRF ---------------------------------------------------------------------------------
    def _production_flag(self, w: ConfigWrite, risky: bool) -> Optional[Tuple[Any, str]]:
        """(value, when) if a non-test write sets a boolean switch to its risky side, else None."""
        if not self._production_write(w, allow_tests=False):
            return None
        value, when = self._flag_value(w)
        if value is UNKNOWN or truthy(value) is not risky:
            return None
        return value, when

    # ---- exception propagation ----------------------------------------------------------------
    def _propagate(self, w: ConfigWrite) -> None:
        flag = self._production_flag(w, risky=True)
        if flag is None:
            return
        value, when = flag
        if w.key == "PROPAGATE_EXCEPTIONS":
            msg = ("unhandled errors bypass your 500 handler and reach the WSGI server, which may show the "
                   "traceback to the client")
        else:
            msg = "every HTTP error (404, 405, 400) becomes an unhandled exception instead of an error response"
        self.ctx.emit(PF302, w.node, f"{w.key} is {value!r}{when} outside test configuration: {msg}.",
                      PROPAGATE_KEYS[w.key])


# Config loaders that may replace a key set before them with one from outside the repository, when asked not to
# fail if the source is missing (``silent=True``) - or, for from_prefixed_env, whenever FLASK_* is set.
_SILENT_LOADERS = frozenset({"from_pyfile", "from_envvar", "from_file"})


def _instance_override(w: ConfigWrite) -> Optional[Tuple[str, int]]:
    """(the loader call, its line) when, after ``w`` in the same function, the same config object loads a
    source that may replace the key: ``app.config.from_pyfile("config.py", silent=True)``, ``from_envvar(...,
    silent=True)``, ``from_file(..., silent=True)`` or ``from_prefixed_env()``. A loader before the write, in
    another function, or on another object replaces nothing."""
    fn = w.site.scope.function_scope.node
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or not isinstance(w.node, ast.AST):
        return None
    target = _config_owner(w.site.stmt)
    if target is None:
        return None
    after = getattr(w.site.stmt, "end_lineno", w.site.stmt.lineno)
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.lineno > after):
            continue
        name = node.func.attr
        silent = any(k.arg == "silent" and isinstance(k.value, ast.Constant) and k.value.value is True
                     for k in node.keywords)
        if (name in _SILENT_LOADERS and silent) or name == "from_prefixed_env":
            if ast.dump(node.func.value) == target:
                return ast.unparse(node), node.lineno
    return None


def _config_owner(stmt: ast.stmt) -> Optional[str]:
    """``ast.dump`` of the config object a statement writes to: ``app.config`` in ``app.config.from_mapping(...)``,
    ``app.config.update(...)``, ``app.config["K"] = ...`` and ``app.secret_key = ...`` (Flask keeps the
    attribute in the config); None for anything else."""
    node: Optional[ast.AST] = None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
        node = stmt.value.func.value
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript):
        node = stmt.targets[0].value
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Attribute) \
            and stmt.targets[0].attr == "secret_key":
        node = ast.Attribute(value=stmt.targets[0].value, attr="config", ctx=ast.Load())  # app.secret_key is config
    if isinstance(node, ast.Attribute) and node.attr == "config":
        return ast.dump(node)
    return None


def _when(env: List[str]) -> str:
    return f" when {unset_phrase(env)}" if env else ""


def config_path(module_name: str) -> bool:
    """Any package or module on the dotted path named like configuration (``app.settings.prod``)."""
    return any(config_module_name(part) for part in module_name.split("."))


def _session_authenticated(fn: Any) -> bool:
    """The view trusts the session cookie: it reads the session or the logged-in user, or requires a login.
    ``inspect`` grades exemptions of loaded views with this; ``check`` weighs credentials in ``csrf.py``."""
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = getattr(target, "id", None) or getattr(target, "attr", "")
        if re.search(r"login_required|roles_(required|accepted)|auth_required|permission_required", name):
            return True
    for n in walk_nodes(fn):
        if isinstance(n, ast.Name) and n.id in ("session", "current_user", "login_user", "logout_user"):
            return True
        if isinstance(n, ast.Attribute) and n.attr == "user" and isinstance(n.value, ast.Name) and n.value.id == "g":
            return True
    return False


def check(ctx: Context) -> None:
    SecretChecks(ctx).run()


__all__: Iterable[str] = ["check", "weakness"]
