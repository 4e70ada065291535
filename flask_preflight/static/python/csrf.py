"""PF211: Flask-WTF CSRF protection switched off, and views exempted from it, graded by what a forger can do.

CSRF needs the victim's browser to attach a credential on its own: the session or remember-me cookie, or
HTTP basic-auth credentials it has cached. A view whose only credential is something the attacker's page
cannot know or set - a secret token in the URL, an ``Authorization``/``X-Api-Key`` header (a cross-site form
cannot send custom headers, and ``fetch`` with them needs a CORS preflight), a signed payload - cannot be
forged cross-site, so exempting it from Flask-WTF's token check is required, not a hole. Exemptions are
therefore judged by the credential each view relies on, read from its body, its decorators (followed into
decorator functions of the same module, and through the project index into those imported from another
module of the project) and its route or blueprint URL. A view that reads no credential and calls nothing but
Flask's response helpers changes nothing a forger could not change from their own machine, so its exemption
is no risk either. The same holds for every exemption of a project in which no module uses such a credential
at all (no session, cookie, login extension, basic auth or login decorator: ``ambient()``): a forged request
acts as nobody, so those findings are deferred and the project index lowers them to low (an app that trusts
the network it is on, with no login at all, is still reached through its users' browsers).

Switches are judged the way Flask-WTF's ``CSRFProtect.init_app`` reads them: with
``WTF_CSRF_CHECK_DEFAULT = False`` its ``before_request`` hook returns without checking anything, and only
``csrf.protect()`` called by the app checks a request - so what matters is whether such a call is registered
as a ``before_request`` hook, and under which condition.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from flask_preflight.findings import Finding, Severity
from flask_preflight.rules.secrets import PF211
from flask_preflight.static.python.astutil import child_nodes, walk as walk_nodes
from flask_preflight.static.python.configwrites import ConfigWrite
from flask_preflight.static.python.context import Context, unset_phrase
from flask_preflight.static.python.csrf_resources import API_KIND, api_resource_refs, resolve_api_exemption
from flask_preflight.static.python.envflags import flag_default
from flask_preflight.static.python.evaluate import UNKNOWN, Evaluator, ImportRef, truthy
from flask_preflight.static.python.model import Site

if TYPE_CHECKING:  # pragma: no cover - typing only
    from flask_preflight.static.python.context import Deferred, FileAnalysis
    from flask_preflight.static.python.project import ProjectIndex

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
GATE_KIND = "csrf-hook-gate"  # Deferred.kind: the protect() hook is registered only if another module's setting is on
EXEMPT_KIND = "csrf-exempt-decorator"  # Deferred.kind: an exempt view's imported decorators may gate it
GATE_SEP = "\n\x00\n"  # between the deferred message for "off by default" and the one for "unknown"
# Words of a URL variable or query parameter that carry a secret the attacker cannot know; headers add the
# words of credential headers (a header named "auth-anything" is no URL segment like `/<auth_method>/`).
SECRET_WORDS = {"token", "secret", "signature", "sig", "hmac", "apikey", "authtoken", "accesstoken", "jwt"}
HEADER_WORDS = SECRET_WORDS | {"auth", "authorization", "bearer", "key"}
# Decorators whose credential is a token (flask_jwt_extended, flask_httpauth's HTTPTokenAuth, home-grown).
TOKEN_DECORATOR_WORDS = {"token", "jwt", "apikey", "signature", "signed", "hmac", "bearer"}
AMBIENT_DECORATOR_RE = re.compile(r"login_required|roles_(required|accepted)|auth_required|permission_required|"
                                  r"admin_required|fresh_login_required")
SIGNATURE_RE = re.compile(r"signature|compare_digest|construct_event|verify_?(webhook|request|hmac|token|jwt|payload|sig)|"
                          r"validate_?(webhook|request|sig)", re.IGNORECASE)
# Library calls that authenticate an identity provider's cross-site post by its signature or the OAuth state:
# python3-saml ``process_response``, pysaml2 ``parse_authn_request_response``, Authlib ``authorize_access_token``.
SSO_RESPONSE_RE = re.compile(r"^(process_response|parse_authn_request_response|authorize_access_token)$")
# What a view may call and still change nothing: Flask/Werkzeug response helpers, reads of the request, builtins.
INERT_FLASK = {"render_template", "render_template_string", "jsonify", "make_response", "redirect", "url_for",
               "abort", "Response", "escape"}
INERT_REQUEST = {"get", "getlist", "get_json", "get_data", "to_dict", "items", "keys", "values"}
INERT_BUILTINS = {"str", "int", "float", "bool", "len", "dict", "list", "tuple", "set", "sorted", "min", "max",
                  "repr", "format", "isinstance", "range", "enumerate", "zip"}
# Packages whose use means the browser carries a login by itself (the session or remember-me cookie, cached
# HTTP or Kerberos credentials), and the names of other packages that do the same.
AMBIENT_PACKAGES = {"flask_login", "flask_security", "flask_user", "flask_principal", "flask_dance",
                    "flask_basicauth", "flask_simplelogin", "flask_oidc", "flask_kerberos", "flask_cas", "flask_openid"}
AMBIENT_IMPORTS = {"HTTPBasicAuth", "HTTPDigestAuth", "MultiAuth", "set_access_cookies", "set_refresh_cookies"}
# SQLAlchemy Query methods that narrow or fetch rows (Flask-SQLAlchemy adds the *_or_404 and paginate forms).
QUERY_READS = {"filter", "filter_by", "order_by", "group_by", "having", "join", "outerjoin", "options", "limit",
               "offset", "distinct", "with_entities", "first", "all", "one", "one_or_none", "scalar", "count",
               "get", "exists", "first_or_404", "get_or_404", "one_or_404", "paginate"}
WEBHOOK_RE = re.compile(r"webhook|hook|callback|notify|notification|ipn", re.IGNORECASE)
_URL_VAR_RE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_BASIC_AUTH_CLASSES = ("HTTPBasicAuth", "HTTPDigestAuth")


def _read_query(call: ast.Call) -> bool:
    """``User.query.filter_by(email=e).first()`` / ``db.session.query(User).get(1)``: a SQLAlchemy query whose
    every method after ``query`` only narrows or fetches rows. It stores nothing, so a view made only of such
    reads has nothing a forger could change; ``.delete()`` or ``.update()`` on the query is not a read."""
    methods: List[str] = []
    node: ast.AST = call
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Attribute):
            methods.append(node.attr)
        node = node.func if isinstance(node, ast.Call) else node.value  # type: ignore[attr-defined]
    if not isinstance(node, ast.Name) or "query" not in methods:
        return False
    return all(m in QUERY_READS for m in methods[:methods.index("query")])


def _words(name: str) -> Set[str]:
    """``X-Api-Key`` -> {"x", "api", "key", "apikey"}: adjacent pairs joined, so api_key and apikey agree."""
    parts = [w for w in re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()) if w]
    return set(parts) | {a + b for a, b in zip(parts, parts[1:])}


def secret_named(name: str, words: Set[str] = SECRET_WORDS) -> bool:
    return bool(_words(name) & words)


@dataclass
class Credential:
    """What a view relies on to know who is calling. ``gate`` credentials stop a request that lacks them."""

    ambient: List[str] = field(default_factory=list)  # session cookie, a login decorator, basic auth
    user: List[str] = field(default_factory=list)  # current_user / g.user: whoever the loaders found
    gate: List[str] = field(default_factory=list)  # token in the URL or required by a decorator
    token: List[str] = field(default_factory=list)  # a token or signature the body reads
    logs_in: bool = False  # calls login_user(): a login form (login CSRF)
    writes: List[str] = field(default_factory=list)  # session keys it stores (and reads back): its own data
    verified: bool = False  # checks a signature or an identity provider's signed response
    imported: List[str] = field(default_factory=list)  # project decorators of another module (the index decides)


class CsrfChecks:
    """PF211 in one module. ``production_write`` is SecretChecks' test for writes that shape production config."""

    def __init__(self, ctx: Context, production_write: Callable[[ConfigWrite], bool]) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.production_write = production_write

    def run(self) -> None:
        for call, site in self.model.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "exempt" and self.is_csrf(func.value, site):
                self._exempt_call(call, site)
            elif any(k.arg == "decorators" for k in call.keywords) and \
                    (self.model.qualname(func) or "").rsplit(".", 1)[-1] in ("Api", "Namespace"):
                self._api_decorators(call, site)
        for stmt, site in self.model.statements:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in stmt.decorator_list:
                    if isinstance(dec, ast.Attribute) and dec.attr == "exempt" and self.is_csrf(dec.value, site):
                        self._exempt_view(stmt, dec, site)

    # ---- which object is CSRFProtect ----------------------------------------------------------
    def is_csrf(self, expr: ast.expr, site: Site) -> bool:
        if not isinstance(expr, ast.Name):
            return False
        binding, _ = self.model.lookup(expr.id, site.scope, getattr(expr, "lineno", 1) + 10 ** 6)
        if binding is not None and binding.kind == "assign" and isinstance(binding.value, ast.Call):
            return (self.model.qualname(binding.value.func) or "").endswith("CSRFProtect")
        if binding is not None and binding.kind == "import" and binding.target:
            return "csrf" in binding.target.rsplit(".", 1)[-1].lower()
        return False

    # ---- switches ---------------------------------------------------------------------------------
    def config(self, w: ConfigWrite) -> None:
        """WTF_CSRF_ENABLED / WTF_CSRF_CHECK_DEFAULT set to False by a production write."""
        if not self.production_write(w):
            return
        value, env = flag_default(self.model, w.value, w.site.scope, w.value.lineno)
        if value is UNKNOWN or truthy(value) is not False:
            return
        when = f" when {unset_phrase(env)}" if env else ""
        if w.key == "WTF_CSRF_ENABLED":
            self.ctx.emit(PF211, w.node, f"{w.key} is {value!r}{when} outside test configuration: Flask-WTF stops "
                          f"checking CSRF tokens for the whole app, so other sites can submit forms as the user.",
                          Severity.HIGH)
            return
        verdict = self._protect_hooks()
        if verdict is True:
            return  # csrf.protect() runs before every request, as Flask-WTF documents
        lead = (f"{w.key} is {value!r}{when} outside test configuration: CSRFProtect's own before_request hook "
                f"no longer checks anything")
        if verdict is None:
            if any(isinstance(c.func, ast.Attribute) and c.func.attr == "protect" and not c.args
                   for c, _ in self.model.calls):
                # Flask-WTF's documented selective mode: only the views that call csrf.protect() are checked
                self.ctx.emit(PF211, w.node, f"{lead}: only the views that call csrf.protect() are checked, so any "
                              f"state-changing view that forgets to accepts forms from other sites.", Severity.MEDIUM)
                return
            self.ctx.emit(PF211, w.node, f"{lead}, and nothing in this module calls csrf.protect(); unless every "
                          f"state-changing view does, forms can be submitted from other sites.", Severity.HIGH)
        else:
            text, off_by_default, env_names, refs = verdict
            if refs and not off_by_default:
                # `if settings.ENFORCE_CSRF:` - the project index knows that setting's default
                high = (f"{lead}, and the hook that calls csrf.protect() is registered only `if {text}`, which is "
                        f"false when {{unset}} ({{where}}): by default no request is checked, so other sites can "
                        f"submit forms as the user.")
                medium = (f"{lead}; the hook that calls csrf.protect() is registered only `if {text}`, so requests "
                          f"are checked only when that setting is on.")
                self.ctx.defer(GATE_KIND, " ".join(refs), PF211, w.node, Severity.HIGH, high + GATE_SEP + medium,
                               w.site)
            elif off_by_default:
                self.ctx.emit(PF211, w.node, f"{lead}, and the hook that calls csrf.protect() is registered only "
                              f"`if {text}`, which is false when {unset_phrase(env_names)}: by default no "
                              f"request is checked, so other sites can submit forms as the user.", Severity.HIGH)
            else:
                self.ctx.emit(PF211, w.node, f"{lead}; the hook that calls csrf.protect() is registered only "
                              f"`if {text}`, so requests are checked only when that setting is on.", Severity.MEDIUM)

    def _protect_hooks(self) -> Any:
        """True when a csrf.protect() call runs in a before_request hook registered unconditionally, None when
        none does, else (condition text, False-by-default, env names, imported settings it tests) of the most
        permissive registration."""
        best: Any = None
        for call, site in self.model.calls:
            if not (isinstance(call.func, ast.Attribute) and call.func.attr == "protect" and not call.args):
                continue
            hook = self._hook_of(site)
            if hook is None:
                continue
            stmt, hsite = hook
            conditions = [t for t, _ in hsite.conditions if t is not None]
            if not conditions:
                return True
            reached: Optional[bool] = True
            names: List[str] = []
            refs: List[str] = []
            for test, polarity in hsite.conditions:
                v, env = flag_default(self.model, test, hsite.scope, test.lineno) if test is not None else (UNKNOWN, [])
                names += env
                if isinstance(v, ImportRef) and polarity:
                    refs.append(v.qualname)
                t = truthy(v)
                if t is None:
                    reached = None if reached is not False else False
                elif t != polarity:
                    reached = False
            if reached is True:
                return True
            text = " and ".join(self._src(t) for t in conditions)
            candidate = (text, reached is False, names, refs)
            if best is None or (best[1] and not candidate[1]):
                best = candidate
        return best

    def _hook_of(self, site: Site) -> Optional[Tuple[ast.stmt, Site]]:
        """The statement registering the function around ``site`` as a before-request hook, with its site."""
        fn = site.scope.function_scope.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        hooks = ("before_request", "before_app_request")
        fsite = next((s for st, s in self.model.statements if st is fn), None)
        if fsite is None:
            return None
        for dec in fn.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(target, ast.Attribute) and target.attr in hooks:
                return fn, fsite
        for call, csite in self.model.calls:
            if isinstance(call.func, ast.Attribute) and call.func.attr in hooks and call.args and \
                    isinstance(call.args[0], ast.Name) and call.args[0].id == fn.name:
                return csite.stmt, csite
        return None

    # ---- exemptions -------------------------------------------------------------------------------
    def _exempt_view(self, fn: Any, dec: ast.expr, site: Site) -> None:
        if self.ctx.is_test:
            return
        methods = self._route_methods(fn)
        cred = self.credential(fn, site)
        name = fn.name
        route = " ".join(self._route_paths(fn))
        # Storing into the session changes the victim's state; after a verified signature it stores what the
        # verified sender said (an identity provider's login), and reading those keys back is no credential.
        ambient = cred.ambient + ([] if cred.verified else cred.writes)
        if not methods & STATE_CHANGING:
            sev, why = Severity.LOW, "it only serves safe methods, so the exemption does nothing and can go"
        elif cred.gate:
            # refused without a token the forger's page cannot know; current_user, if any, comes from it
            return
        elif cred.token and not (ambient or cred.user):
            return  # a header token or a signature checked in the body: not forgeable cross-site
        elif cred.token:
            sev, why = Severity.MEDIUM, (f"it reads {cred.token[0]} but also {(ambient + cred.user)[0]}; make sure a "
                                         f"request with only the session cookie is refused")
        elif ambient or cred.user:
            sev, why = Severity.HIGH, (f"it changes state and relies on {(ambient + cred.user)[0]}, which the "
                                       f"browser sends by itself, so another site can trigger it in a victim's browser")
        elif cred.logs_in:
            sev, why = Severity.LOW, ("it logs a user in: another site can log the victim into an account the "
                                      "attacker controls (login CSRF)")
        elif WEBHOOK_RE.search(name) or WEBHOOK_RE.search(route):
            sev, why = Severity.LOW, ("it looks like a webhook, which cannot send a CSRF token, so the exemption "
                                      "is needed; nothing here verifies who sent the request, though")
        elif not cred.imported and self._inert(fn):
            return  # reads no credential and calls only Flask's response helpers: nothing to forge
        else:
            sev, why = Severity.MEDIUM, ("it accepts state-changing methods and no credential is visible here; make "
                                         "sure it does not authenticate with the session cookie")
        message = f"View `{name}` is exempt from CSRF protection: {why}."
        if sev is not Severity.LOW:
            # a decorator imported from another module of the project may require a token, and a project
            # where no module uses a credential the browser sends by itself has nothing to forge: the index
            # decides both
            self.ctx.defer(EXEMPT_KIND, " ".join(cred.imported), PF211, dec, sev, message, site)
            return
        self.ctx.emit(PF211, dec, message, sev)

    def _inert(self, fn: Any) -> bool:
        """True when every call in the view is a Flask response helper, a read of ``request`` or a builtin:
        such a view stores nothing and consults no credential, so a forged request does nothing the forger
        could not do directly."""
        for n in (x for stmt in fn.body for x in walk_nodes(stmt)):
            if isinstance(n, (ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom, ast.Await)):
                return False
            if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, (ast.Store, ast.Del)):
                return False
            if not isinstance(n, ast.Call):
                continue
            func = n.func
            if isinstance(func, ast.Name):
                qual = self.model.imports.get(func.id, "")
                if func.id in INERT_BUILTINS and func.id not in self.model.imports and \
                        func.id not in self.model.functions:
                    continue
                if qual.split(".")[0] in ("flask", "werkzeug") and func.id in INERT_FLASK:
                    continue
                return False
            if isinstance(func, ast.Attribute):
                owner = func.value
                while isinstance(owner, ast.Attribute):
                    owner = owner.value
                if isinstance(owner, ast.Name) and owner.id == "request" and func.attr in INERT_REQUEST and \
                        self._from_flask(owner, "request"):
                    continue
                if isinstance(func.value, ast.Name) and func.attr in INERT_FLASK and \
                        self.model.imports.get(func.value.id, "") == "flask":
                    continue
                if _read_query(n):
                    continue
            return False
        return True

    def _exempt_call(self, call: ast.Call, site: Site) -> None:
        if self.ctx.is_test or not call.args:
            return
        arg = call.args[0]
        prefix = self._blueprint_prefix(arg, site) if isinstance(arg, ast.Name) else None
        if prefix is not None and any(secret_named(v) for v in _URL_VAR_RE.findall(prefix)):
            return  # every URL of the blueprint carries a secret token
        self.ctx.defer(EXEMPT_KIND, "", PF211, call, Severity.MEDIUM, f"`{self._src(arg)}` is exempted from CSRF "
                       f"protection with csrf.exempt(): every view in it accepts cross-site form posts; fine only "
                       f"for endpoints that do not use the session cookie.", site)

    def _api_decorators(self, call: ast.Call, site: Site) -> None:
        """``Api(app, decorators=[csrf.exempt])``: Flask-RESTful/RESTX apply these to every resource's view
        function, so csrf.exempt registers each endpoint as exempt."""
        kw = next(k for k in call.keywords if k.arg == "decorators")
        if self.ctx.is_test or not isinstance(kw.value, (ast.List, ast.Tuple)):
            return
        decs = kw.value.elts
        exempt = next((d for d in decs if isinstance(d, ast.Attribute) and d.attr == "exempt"
                       and self.is_csrf(d.value, site)), None)
        if exempt is None:
            return
        cred = Credential()
        for d in decs:
            if d is not exempt:
                self._decorator_credential(d, site, cred, depth=0)
        kind = "API" if (self.model.qualname(call.func) or "").endswith("Api") else "namespace"
        if (cred.gate or cred.token) and not cred.ambient:
            return  # every resource also requires a token: nothing for a forger to ride on
        if cred.ambient:
            sev, why = Severity.HIGH, f"and every resource also requires {cred.ambient[0]}, which the browser sends by itself"
        else:
            sev, why = Severity.MEDIUM, "fine only if its resources authenticate with a token, not the session cookie"
        message = f"`decorators=[csrf.exempt]` on this {kind} exempts every resource registered on it from CSRF protection, {why}."
        refs = None if cred.ambient else api_resource_refs(self, call, site)
        if refs:
            # the resources added here decide, wherever their classes live: the index reads their summaries
            self.ctx.defer(API_KIND, " ".join(refs), PF211, exempt, sev, message, site)
            return
        self.ctx.emit(PF211, exempt, message, sev)

    # ---- what a view relies on ----------------------------------------------------------------------
    def credential(self, fn: Any, site: Site) -> Credential:
        cred = Credential()
        for path in self._route_paths(fn):
            for var in _URL_VAR_RE.findall(path):
                if secret_named(var):
                    cred.gate.append(f"the secret `<{var}>` in its URL")
        for dec in fn.decorator_list:
            self._decorator_credential(dec, site, cred, depth=0)
        self._body_credential(fn, cred)
        return cred

    def _decorator_credential(self, dec: ast.expr, site: Site, cred: Credential, depth: int) -> None:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = getattr(target, "id", None) or getattr(target, "attr", "")
        if name in ("route", "get", "post", "put", "patch", "delete", "exempt"):
            if isinstance(target, ast.Attribute) and name != "exempt":
                prefix = self._blueprint_prefix(target.value, site)
                for var in _URL_VAR_RE.findall(prefix or ""):
                    if secret_named(var):
                        cred.gate.append(f"the secret `<{var}>` in its blueprint's URL prefix")
            return
        # flask_httpauth: `auth = HTTPTokenAuth()` ... `@auth.login_required`
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            b, _ = self.model.lookup(target.value.id, site.scope, 10 ** 9)
            if b is not None and b.kind == "assign" and isinstance(b.value, ast.Call):
                cls = (self.model.qualname(b.value.func) or "").rsplit(".", 1)[-1]
                if cls == "HTTPTokenAuth":
                    cred.gate.append(f"a token checked by `@{self._src(target)}`")
                    return
                if cls in _BASIC_AUTH_CLASSES:
                    cred.ambient.append("HTTP basic-auth credentials (browsers cache and resend them)")
                    return
        if _words(name) & TOKEN_DECORATOR_WORDS:
            if AMBIENT_DECORATOR_RE.search(name) or "login" in _words(name):
                # `@login_or_token_required`: either credential passes, so the cookie alone may do
                cred.token.append(f"a token accepted by `@{name}`")
                cred.ambient.append(f"a login accepted by `@{name}` (the session cookie)")
            else:
                cred.gate.append(f"a token required by `@{name}`")
            return
        local = self.model.functions.get(name) if isinstance(target, ast.Name) else None
        if local is not None and depth < 2:
            inner = Credential()
            self._body_credential(local, inner, depth + 1)
            if inner.token and not (inner.ambient or inner.user):
                cred.gate.append(f"{inner.token[0]} checked by `@{name}`")
                return
            cred.ambient += inner.ambient
            cred.user += inner.user
        elif isinstance(target, ast.Name) and not AMBIENT_DECORATOR_RE.search(name):
            b, _ = self.model.lookup(target.id, site.scope, 10 ** 9)
            if b is not None and b.kind == "import" and b.target and "." in b.target:
                cred.imported.append(b.target)
        if AMBIENT_DECORATOR_RE.search(name):
            cred.ambient.append(f"a login (`@{name}`: the session or remember-me cookie)")

    def gates(self) -> Dict[str, str]:
        """The module's top-level functions that, used as a decorator, refuse a request lacking a token the
        forger cannot send, with that token: what an exempt view of another module learns through the index."""
        out: Dict[str, str] = {}
        for name, fn in self.model.functions.items():
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.decorator_list:
                continue
            inner = Credential()
            self._body_credential(fn, inner, 1)
            if inner.token and not (inner.ambient or inner.user):  # the session user as fallback: no gate
                out[name] = f"{inner.token[0]} checked by `@{name}`"
        return out

    def _session_own(self, fn: ast.AST) -> Set[int]:
        """ids of the ``session`` names that store a key or read back a key the view itself stores: the
        view's own data (what an SSO callback keeps after login), not a credential the browser brought."""
        stored: Set[Any] = set()
        for n in walk_nodes(fn):
            if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name) \
                    and n.value.id == "session":
                stored.add(self._const(n.slice))
        stored.discard(None)
        own: Set[int] = set()
        for n in walk_nodes(fn):
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == "session" and \
                    (isinstance(n.ctx, ast.Store) or self._const(n.slice) in stored):
                own.add(id(n.value))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get" and \
                    isinstance(n.func.value, ast.Name) and n.func.value.id == "session" and n.args and \
                    self._const(n.args[0]) in stored:
                own.add(id(n.func.value))
        return own

    @staticmethod
    def _const(node: ast.AST) -> Any:
        if hasattr(ast, "Index") and isinstance(node, getattr(ast, "Index")):  # Python 3.8 shape
            node = node.value  # type: ignore[attr-defined]
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def _flask_login_user(self, n: ast.Name) -> bool:
        """``current_user`` is the session's user when imported (Flask-Login and its wrappers) or unbound;
        a module's own ``current_user = LocalProxy(...)`` is whatever that module loads, e.g. the user of a
        basic-auth header."""
        b, _ = self.model.lookup(n.id, self.model.module_scope, 10 ** 9)
        return b is None or b.kind == "import"

    def _body_credential(self, fn: ast.AST, cred: Credential, depth: int = 0) -> None:
        own = self._session_own(fn)
        local = self.shadowed(fn)
        for n in walk_nodes(fn):
            if isinstance(n, ast.Name) and id(n) in local:
                pass  # `session = service.create_chat_session(...)`: the view's own variable, not Flask's
            elif isinstance(n, ast.Name):
                if n.id == "session" and self._from_flask(n, "session"):
                    if id(n) in own:
                        cred.writes.append("the session cookie (it stores into the session)")
                    else:
                        cred.ambient.append("the session cookie")
                elif n.id == "current_user" and self._flask_login_user(n):
                    cred.user.append("the logged-in user (`current_user`, loaded from the session cookie)")
                elif n.id == "login_user":
                    cred.logs_in = True
            elif isinstance(n, ast.Attribute):
                owner = self.model.qualname(n.value) or ""
                if owner == "flask" and n.attr == "session":
                    cred.ambient.append("the session cookie")
                elif n.attr == "user" and isinstance(n.value, ast.Name) and n.value.id == "g" and \
                        isinstance(n.ctx, ast.Load):
                    cred.user.append("the logged-in user in `g.user`")
                elif owner in ("flask.request", "request") and n.attr == "cookies":
                    cred.ambient.append("a cookie (`request.cookies`)")
                elif owner in ("flask.request", "request") and n.attr == "authorization":
                    cred.ambient.append("HTTP basic-auth credentials (browsers cache and resend them)")
                elif SIGNATURE_RE.search(n.attr):
                    cred.token.append(f"a signature (`{n.attr}`)")
                    cred.verified = True
                elif SSO_RESPONSE_RE.match(n.attr):
                    cred.token.append(f"the identity provider's signed response (`{n.attr}()`)")
                    cred.verified = True
            elif isinstance(n, ast.Call):
                header = self._request_lookup(n)
                if header:
                    cred.token.append(header)
            elif isinstance(n, ast.Subscript):
                header = self._request_lookup(n)
                if header:
                    cred.token.append(header)
            if isinstance(n, ast.Name) and SIGNATURE_RE.search(n.id):
                cred.token.append(f"a signature (`{n.id}`)")
                cred.verified = True
        # `.token` of request.authorization is a bearer token, not cached basic credentials
        if any(isinstance(n, ast.Attribute) and n.attr == "token" and isinstance(n.value, ast.Attribute)
               and n.value.attr == "authorization" for n in walk_nodes(fn)):
            cred.ambient = [a for a in cred.ambient if "basic-auth" not in a]
            cred.token.append("a bearer token (`request.authorization.token`)")

    def shadowed(self, root: ast.AST) -> Set[int]:
        """ids of the names under ``root`` that a function around them binds itself (an assignment, a
        parameter, a loop or ``with`` target): Python makes such a name local to that whole function, so
        ``session = chat_service.create_chat_session(...)`` in a view never touches ``flask.session``, even
        where the module imports it."""
        out: Set[int] = set()

        def bound(node: ast.AST) -> Set[str]:
            scope = self.model.scope_of.get(id(node))
            if scope is not None and scope.kind == "function":
                return {k for k, bs in scope.bindings.items() if any(b.kind != "import" for b in bs)} | set(scope.params)
            if isinstance(node, ast.Lambda):
                a = node.args
                return {x.arg for x in list(a.posonlyargs) + list(a.args) + list(a.kwonlyargs)}
            if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                return {t.id for g in node.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)}
            return set()

        def visit(node: ast.AST, local: Set[str]) -> None:
            for child in child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp,
                                      ast.DictComp, ast.GeneratorExp)):
                    visit(child, local | bound(child))
                    continue
                if isinstance(child, ast.Name) and child.id in local:
                    out.add(id(child))
                visit(child, local)

        local: Set[str] = set()
        scope = self.model.scope_of.get(id(root))
        while scope is not None:  # the functions the view is defined in (a register_routes(app) closure)
            if scope.kind == "function":
                local |= bound(scope.node)
            scope = scope.parent
        visit(root, local)
        return out

    def ambient(self) -> List[str]:
        """The credentials a browser attaches by itself that this module uses or sets up: the session
        (read or written anywhere), a cookie it reads or sets, Flask-Login and the other login extensions,
        HTTP basic/digest auth, login-style decorators, JWTs kept in cookies. A CSRF-exempt view can only be
        forged to act as the victim when the project has one of these: without any, a cross-site request
        carries nothing the attacker could not send from their own machine."""
        out: List[str] = []
        tree = self.model.tree
        local = self.shadowed(tree)
        jwt_cookies = False
        for n in walk_nodes(tree):
            if isinstance(n, ast.Name) and n.id == "session" and id(n) not in local and self._from_flask(n, "session"):
                out.append(f"the session (line {n.lineno})")
            elif isinstance(n, ast.Attribute):
                owner = self.model.qualname(n.value) or ""
                if owner == "flask" and n.attr == "session":
                    out.append(f"the session (line {n.lineno})")
                elif owner in ("flask.request", "request") and n.attr in ("cookies", "authorization", "remote_user"):
                    out.append(f"`request.{n.attr}` (line {n.lineno})")
                elif n.attr in ("set_cookie", "set_access_cookies", "set_refresh_cookies"):
                    out.append(f"a cookie it sets (line {n.lineno})")
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                base = self.model.resolve_relative(n.module, n.level) if isinstance(n, ast.ImportFrom) else ""
                for alias in n.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    if full.split(".")[0] in AMBIENT_PACKAGES or alias.name in AMBIENT_IMPORTS:
                        out.append(f"`{full}` (line {n.lineno})")
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in n.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    name = getattr(target, "id", None) or getattr(target, "attr", "")
                    if AMBIENT_DECORATOR_RE.search(name):
                        out.append(f"`@{name}` (line {dec.lineno})")
            elif isinstance(n, ast.Constant) and n.value == "JWT_TOKEN_LOCATION" or \
                    isinstance(n, ast.Name) and n.id == "JWT_TOKEN_LOCATION" or \
                    isinstance(n, ast.keyword) and n.arg == "JWT_TOKEN_LOCATION":
                jwt_cookies = True
        if jwt_cookies and any(isinstance(n, ast.Constant) and n.value == "cookies" for n in walk_nodes(tree)):
            out.append("JWTs kept in cookies (`JWT_TOKEN_LOCATION`)")
        return out

    def _request_lookup(self, n: ast.AST) -> str:
        """``request.headers.get("X-Api-Key")`` / ``request.args["token"]``: a secret the forger cannot send."""
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get" and n.args:
            container, key = n.func.value, n.args[0]
        elif isinstance(n, ast.Subscript):
            container, key = n.value, n.slice
            if hasattr(ast, "Index") and isinstance(key, getattr(ast, "Index")):  # Python 3.8 shape
                key = key.value  # type: ignore[attr-defined]
        else:
            return ""
        if not (isinstance(container, ast.Attribute) and container.attr in ("headers", "args", "view_args")):
            return ""
        if (self.model.qualname(container.value) or "") not in ("flask.request", "request"):
            return ""
        value = Evaluator(self.model).eval(key, self.model.module_scope, getattr(n, "lineno", 1))
        if not isinstance(value, str) or not secret_named(value, HEADER_WORDS if container.attr == "headers" else SECRET_WORDS):
            return ""
        where = {"headers": "header", "args": "query parameter", "view_args": "URL variable"}[container.attr]
        return f"the {where} {value!r}"

    def _from_flask(self, n: ast.Name, name: str) -> bool:
        return self.model.imports.get(n.id, "") in (f"flask.{name}", name) and n.id in self.model.imports

    def _blueprint_prefix(self, expr: ast.expr, site: Site) -> Optional[str]:
        if not isinstance(expr, ast.Name):
            return None
        b, scope = self.model.lookup(expr.id, site.scope, 10 ** 9)
        if b is None or b.kind != "assign" or not isinstance(b.value, ast.Call):
            return None
        if not (self.model.qualname(b.value.func) or "").endswith("Blueprint"):
            return None
        node = next((k.value for k in b.value.keywords if k.arg == "url_prefix"), None)
        value = Evaluator(self.model).eval(node, scope, b.line) if node is not None else None
        return value if isinstance(value, str) else None

    @staticmethod
    def _route_paths(fn: Any) -> List[str]:
        out: List[str] = []
        for dec in fn.decorator_list:
            if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and \
                    dec.func.attr in ("route", "get", "post", "put", "patch", "delete") and dec.args and \
                    isinstance(dec.args[0], ast.Constant) and isinstance(dec.args[0].value, str):
                out.append(dec.args[0].value)
        return out

    @staticmethod
    def _route_methods(fn: Any) -> Set[str]:
        methods: Set[str] = set()
        for dec in fn.decorator_list:
            call = dec if isinstance(dec, ast.Call) else None
            func = call.func if call is not None else dec
            if isinstance(func, ast.Attribute) and func.attr in ("post", "put", "patch", "delete"):
                methods.add(func.attr.upper())
            if isinstance(func, ast.Attribute) and func.attr in ("route", "get"):
                methods.add("GET")
                for kw in (call.keywords if call is not None else []):
                    if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
                        methods.update(str(e.value).upper() for e in kw.value.elts if isinstance(e, ast.Constant))
        return methods or {"POST"}  # unknown: assume the worst

    def _src(self, node: ast.AST, limit: int = 50) -> str:
        text = " ".join((ast.get_source_segment(self.ctx.text, node) or "...").split())
        return text if len(text) <= limit else text[: limit - 3] + "..."


def resolve_csrf_gates(analyses: Iterable["FileAnalysis"], index: "ProjectIndex") -> List[Finding]:
    """The deferred ``if settings.X:`` registrations of a csrf.protect() hook: high when the other module's X
    is False with no environment set, nothing when it is True, medium when it cannot be told."""
    findings: List[Finding] = []
    for a in analyses:
        for d in a.deferred:
            if d.kind == API_KIND:
                finding = resolve_api_exemption(d, index)
                if finding is not None:
                    findings.append(finding)
                continue
            if d.kind == EXEMPT_KIND:
                finding = _exempt_with_imported_decorators(d, index)
                if finding is not None:
                    findings.append(finding)
                continue
            if d.kind != GATE_KIND:
                continue
            high, _, medium = d.context.partition(GATE_SEP)
            verdict: Optional[bool] = True
            where: List[str] = []
            for ref in d.ref.split(" "):
                owner, _, name = ref.rpartition(".")
                mod = index.find_module(owner, d.path) if owner else None
                flags = getattr(mod, "env_flags", None) or {}
                if name not in flags or flags[name] is None:
                    verdict = None
                    break
                if flags[name] is False:
                    verdict = False
                    where.append(f"`{mod.module_name}.{name}`")  # type: ignore[union-attr]
            if verdict is True:
                continue
            if verdict is False:
                message, severity = high.replace("{unset}", f"the environment leaves {' and '.join(where)} at its default").replace(
                    " ({where})", ""), Severity.HIGH
            else:
                message, severity = medium, Severity.MEDIUM
            findings.append(PF211.finding(message, d.location, severity=severity if d.severity is not Severity.LOW
                                          else Severity.LOW, snippet=d.snippet, evidence=d.snippet.strip()))
    return findings


NO_AMBIENT_NOTE = ("; reported as low because no module of the project uses a credential the browser sends by "
                   "itself (session, cookie, login extension, basic auth), so a forged request acts as nobody - "
                   "unless the app relies on being reachable only from a trusted network.")


def _exempt_with_imported_decorators(d: "Deferred", index: "ProjectIndex") -> Optional[Finding]:
    """An exempt view (or blueprint): no finding when one of its decorators from another module of the project
    refuses requests without a token the forger cannot send (``gates()`` of that module), low when no module of
    the project uses a credential the browser sends by itself (``ambient()``), else the finding the view's own
    module graded."""
    for ref in d.ref.split(" "):
        owner, _, name = ref.rpartition(".")
        mod = index.find_module(owner, d.path) if owner else None
        if mod is not None and name in (getattr(mod, "csrf_gates", None) or {}):
            return None
    if not any(getattr(m, "csrf_ambient", None) for m in index.by_path.values()):
        # No login, session or cookie anywhere: a forged request acts as nobody, unless the app trusts where
        # its callers are (an intranet tool without login is still reached through its users' browsers).
        return PF211.finding(d.context.rstrip(".") + NO_AMBIENT_NOTE, d.location, severity=Severity.LOW,
                             snippet=d.snippet, evidence=d.snippet.strip())
    return PF211.finding(d.context, d.location, severity=d.severity, snippet=d.snippet, evidence=d.snippet.strip())
