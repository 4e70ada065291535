"""Rule pack 2: signing keys, session cookies, CSRF and exception propagation (PF201-PF203, PF210, PF211, PF302)."""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import OWASP_A01, OWASP_A02, OWASP_A04, OWASP_A05, OWASP_A07, REGISTRY, Rule

_IMPL = "flask_preflight/static/python/secrets.py"

PF201 = REGISTRY.register(Rule(
    id="PF201",
    name="hardcoded-secret-key",
    severity=Severity.HIGH,
    summary="A literal string in the source becomes Flask's signing key (or another signing secret).",
    rationale=(
        "Flask signs the session cookie with SECRET_KEY (itsdangerous, HMAC). Anyone who knows the key can "
        "forge a session - log in as any user, set any `session[...]` value - and Flask-WTF CSRF tokens, "
        "Flask-Login remember cookies, password-reset tokens and JWTs signed with JWT_SECRET_KEY fall with it. "
        "A key written in the source is known to everyone with the repository, its history, its forks and "
        "every image built from it; a placeholder such as `dev` or `changeme` is in the public wordlists of "
        "session-cookie crackers. The same holds for JWT_SECRET_KEY, SECURITY_PASSWORD_SALT and "
        "WTF_CSRF_SECRET_KEY. Test code is reported as low, and a development or test config class "
        "(`DevelopmentConfig`, `TestingConfig`, or a `Config` in `config/testing.py`) is not reported. A "
        "literal that crosses a call is followed: a "
        "key passed to an application factory that applies its arguments (`create_app(SECRET_KEY=...)`, "
        "`create_app({\"SECRET_KEY\": ...})` into `from_mapping(param)`) is reported at the call, and a key "
        "in a dict that another module applies with `from_mapping`/`update` at the key; a factory call in "
        "test code configures a test app and is not reported. A placeholder the code refuses to start with is "
        "not reported: an `if` after the write, in the same body, whose test holds for the value "
        "(`key == \"CHANGE ME\"`, `len(key) < 16`) and which raises, calls `sys.exit`, or calls a function "
        "of the project that always does (`fatal_error(...)` in another module). A key handed straight to a "
        "signing library is judged whatever its variable is called: the key argument of PyJWT's "
        "`jwt.encode`/`jwt.decode`/`jwt.decode_complete` (second positional or `key=`) and of itsdangerous' "
        "`Signer`, `TimestampSigner`, `Serializer`, `TimedSerializer`, `URLSafeSerializer`, "
        "`URLSafeTimedSerializer` (first positional or `secret_key=`) is followed through plain names to the "
        "assignment holding the literal, which is reported there. A public key or certificate (`-----BEGIN "
        "PUBLIC KEY-----`), the key of a `jwt.decode` whose `algorithms` are all asymmetric (RS256, ES256: "
        "the key is public), a key read from `app.config` or a class attribute (judged where it is written) "
        "and a key inside a test function are not reported."
    ),
    bad='''
app = Flask(__name__)
app.secret_key = "dev"
''',
    good='''
app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]   # fails at start-up when missing
''',
    fix_hint="Load the key from the environment or a secret store with no fallback (os.environ['SECRET_KEY']) "
             "and replace the leaked key; never list a leaked key in SECRET_KEY_FALLBACKS, which still accepts it.",
    cwe=(798, 321),
    owasp=(OWASP_A07, OWASP_A02),
    modes=frozenset({"check", "inspect"}),
    implemented_in=_IMPL,
))

PF202 = REGISTRY.register(Rule(
    id="PF202",
    name="secret-key-fail-open-default",
    severity=Severity.HIGH,
    summary="The signing key is read from the environment but falls back to a literal when the variable is unset.",
    rationale=(
        "`os.environ.get(\"SECRET_KEY\", \"dev\")` looks configurable, but the day a deployment forgets the "
        "variable the app starts anyway - with a key that is in the repository. Nothing fails, nothing is "
        "logged, and every session cookie is forgeable. A signing key must fail closed: read it with "
        "`os.environ[\"SECRET_KEY\"]` so a missing key stops the app at start-up. The fallback is followed "
        "into a module-level dict (`CONFIG[\"SECRET_KEY\"] = os.getenv(\"SECRET_KEY\") or \"dev\"`) that "
        "another module applies with `from_mapping`/`update`. A fallback the code refuses to run with is not "
        "reported: a guard that raises or exits when the variable is unset (`if not os.environ.get(\"SECRET_KEY\"): "
        "raise ...`) after the write, or, for a config class, in a method (`init_app`) of every class that "
        "inherits the fallback and is not a development or test config (a base class with subclasses is "
        "judged by them). The same holds for a key handed to PyJWT (`jwt.encode`/`jwt.decode`) or an itsdangerous "
        "signer or serializer, whatever its variable is called (`JWT_SECRET = os.environ.get(\"JWT_SECRET\", "
        "\"abc123\")` then `jwt.encode(payload, JWT_SECRET)`): it is reported at the assignment, high, and "
        "critical when the fallback is a well-known placeholder. Flask's tutorial sets `SECRET_KEY=\"dev\"` for "
        "development and then loads the instance config (`app.config.from_pyfile(\"config.py\", silent=True)`, "
        "or `from_envvar`/`from_file` with `silent=True`, or `from_prefixed_env()`) that holds the real key in "
        "production: a literal that such a later load of the same config may replace is this rule's fallback "
        "too, reported low, because the instance config lives outside the repository where `check` cannot see "
        "it; `flask-preflight inspect` with the production config judges the key it really loads (PF503 when it is weak or well known). A "
        "loader that runs before the literal, must find its file, or loads another app's config replaces nothing "
        "(PF201)."
    ),
    bad='''
SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
SECRET_KEY = os.getenv("SECRET_KEY") or "change-me"
''',
    good='''
SECRET_KEY = os.environ["SECRET_KEY"]
''',
    fix_hint='Use os.environ["SECRET_KEY"] (no default) so a missing key stops the app instead of weakening it.',
    cwe=(1188, 798),
    owasp=(OWASP_A05, OWASP_A07),
    modes=frozenset({"check"}),
    implemented_in=_IMPL,
))

PF203 = REGISTRY.register(Rule(
    id="PF203",
    name="per-process-secret-key",
    severity=Severity.MEDIUM,
    summary="The signing key is generated at start-up, so every worker and every restart has a different key.",
    rationale=(
        "`SECRET_KEY = os.urandom(24)` (or `secrets.token_hex()`, `uuid.uuid4()`, `random`) runs once per "
        "process. Gunicorn starts several workers, each with its own key: a session cookie signed by one "
        "worker is rejected by the next, so users are logged out and CSRF tokens fail at random, and every "
        "deploy or restart logs everybody out. It is not insecure in itself, but the usual 'fix' people reach "
        "for - a constant in the code - is. Generate the key once, store it as a secret, and load it. The key "
        "is followed through variables and into helpers of the project that return a random value "
        "(`os.environ.get('SECRET_KEY') or _random_password(24)`, `SECRET_KEY = generate_key()` imported from "
        "another module), up to three steps deep (a variable or a call each), and into values another module "
        "of the project draws when it is imported (`from statics import SECRET_KEY` where statics.py sets "
        "`SECRET_KEY = os.urandom(32)`: each process importing it draws its own); a helper that writes the key it "
        "generates to a file or store and reads it back next time makes it once, and is not reported."
    ),
    bad='''
app.config["SECRET_KEY"] = os.urandom(24)
''',
    good='''
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]   # generated once: python -c "import secrets; print(secrets.token_hex())"
''',
    fix_hint="Generate the key once (python -c 'import secrets; print(secrets.token_hex())'), store it as a "
             "deployment secret and read it with os.environ['SECRET_KEY'].",
    cwe=(330, 1188),
    owasp=(OWASP_A04,),
    modes=frozenset({"check"}),
    implemented_in=_IMPL,
))

PF210 = REGISTRY.register(Rule(
    id="PF210",
    name="insecure-session-cookie",
    severity=Severity.MEDIUM,
    summary="The session (or remember-me / auth) cookie is explicitly made readable by scripts, sent over HTTP, "
            "or sent cross-site.",
    rationale=(
        "Flask's session cookie carries the user's identity. `SESSION_COOKIE_HTTPONLY = False` lets any injected "
        "script steal it; `SESSION_COOKIE_SECURE = False` (Flask's default, here written out) sends it over "
        "plain HTTP where it can be sniffed; `SESSION_COOKIE_SAMESITE = 'None'` sends it with every cross-site "
        "request, which is what CSRF needs, and `= None` leaves it to browsers that may do the same (low). "
        "A flag read from the environment is judged by its value when the variables are unset, followed through "
        "chains of settings and bool parsers the project defines (`parse_boolean(os.environ.get('X', "
        "str(ENFORCE_HTTPS)))`): a Secure or HttpOnly flag that ends up False is medium, like the literal, since "
        "a deployment that forgets the variable runs without it; a Secure flag left at None (what Flask does "
        "anyway) and a SameSite set from the environment are low. HttpOnly set to None drops the attribute "
        "that Flask and Flask-Login set by default, so it is medium. Flask-Login's REMEMBER_COOKIE_* settings are the same "
        "for its long-lived remember-me cookie, and `response.set_cookie(...)` on a session or token cookie "
        "with `httponly=False` or `secure=False` is the hand-written version. Only explicit settings in code "
        "are reported; `flask-preflight inspect` checks the values the app really runs with."
    ),
    bad='''
app.config.update(SESSION_COOKIE_SECURE=False, SESSION_COOKIE_HTTPONLY=False)
resp.set_cookie("auth_token", token, httponly=False)
''',
    good='''
app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
resp.set_cookie("auth_token", token, secure=True, httponly=True, samesite="Lax")
''',
    fix_hint="Set SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True and SESSION_COOKIE_SAMESITE='Lax' "
             "(and the REMEMBER_COOKIE_* equivalents) in the production config.",
    cwe=(614, 1004, 1275),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "inspect", "probe"}),
    implemented_in=_IMPL,
))

PF211 = REGISTRY.register(Rule(
    id="PF211",
    name="csrf-protection-disabled",
    severity=Severity.HIGH,
    summary="Flask-WTF's CSRF protection is switched off, or a view or blueprint is exempted from it.",
    rationale=(
        "Flask-WTF's CSRFProtect rejects state-changing requests that lack the per-session token, so another "
        "site cannot make a logged-in user's browser submit forms. `WTF_CSRF_ENABLED = False` or "
        "`WTF_CSRF_CHECK_DEFAULT = False` outside test configuration turns that off for the whole app (high). "
        "A switch read from the environment is judged by its value when the variable is unset, also "
        "through a helper of the same module that passes the variable's name and default to `os.getenv` "
        "(`bool_env('WTF_CSRF_ENABLED', False)`). "
        "With WTF_CSRF_CHECK_DEFAULT off, only the app's own `csrf.protect()` calls check anything: a "
        "`before_request`/`before_app_request` hook that calls it and is always registered is the documented "
        "pattern and is not reported; a hook registered only `if SETTING:` is high when that setting (in the "
        "same module or, through the project index, another one) is False with no environment set, not reported "
        "when it is True, and medium when its value cannot be told; calls only inside views are medium. `@csrf.exempt` turns protection off "
        "for one view, `csrf.exempt(bp)` for a blueprint and `Api(..., decorators=[csrf.exempt])` / "
        "`Namespace(..., decorators=[...])` (Flask-RESTful, Flask-RESTX) for every resource. "
        "An Api's exemption is graded by the resources added to it with `api.add_resource(...)` in its own "
        "module, wherever their classes are defined: not reported when every post/put/patch/delete handler of"
        " each needs a token the forger cannot send (through its decorators or the class's "
        "`method_decorators`), high when one relies on the session or another credential the browser sends by"
        " itself, and medium otherwise, including when no resource is added in the Api's module. "
        "Exemptions are "
        "graded by what a forging site can ride on: CSRF needs the browser to send a credential by itself (the "
        "session or remember-me cookie, cached HTTP basic-auth). A view that changes state and uses the session, "
        "`current_user`, `g.user`, `request.cookies`, basic auth or a login decorator is high; one that also "
        "reads a header token is medium; one whose credential the forger cannot know or send - a token-named "
        "variable in its route or blueprint URL prefix, a token-requiring decorator (`HTTPTokenAuth`, "
        "`jwt_required`, a project decorator - of the same module or, through the project index, another one - "
        "that refuses a request without a header token and does not fall back to the session user), an "
        "`Authorization`/API-key header, a token query parameter, a signature checked in the body, or an "
        "identity provider's signed response verified by its library (python3-saml `process_response`, "
        "pysaml2 `parse_authn_request_response`, Authlib `authorize_access_token`; what such a callback "
        "stores in the session and reads back is the verified login, not a credential) - is not reported (the "
        "exemption is required). `current_user` is the session's user when imported (Flask-Login); a module's "
        "own `current_user = LocalProxy(...)` is not assumed to be, nor is a name the view binds itself "
        "(`session = chats.create(...)` makes `session` local to the whole function, whatever the module "
        "imports). Storing into the session without such a "
        "verification changes the victim's session and is high. A login view "
        "(`login_user`, login CSRF), a view named or routed like a webhook or callback with no visible "
        "signature check, and an exempt view that "
        "serves only safe methods are low; a view that reads no credential and calls only Flask's response "
        "helpers (`render_template`, `jsonify`, ...), reads of `request`, builtins and SQLAlchemy queries that "
        "only fetch rows (`User.query.filter_by(...).first()`, not `.delete()`) stores nothing and is "
        "not reported; any other state-changing view with no visible credential is medium. A view or blueprint "
        "exemption is low (informational) when no module of the project uses a credential the browser sends by "
        "itself - reads or writes Flask's session, reads `request.cookies`/`request.authorization`/"
        "`request.remote_user`, sets a cookie, imports Flask-Login, Flask-Security, Flask-User, Flask-Principal, "
        "Flask-Dance, Flask-BasicAuth, Flask-SimpleLogin, Flask-OIDC, Flask-Kerberos, Flask-CAS, Flask-OpenID "
        "or flask_httpauth's `HTTPBasicAuth`/`HTTPDigestAuth`/`MultiAuth`, decorates a function with a "
        "login-style decorator, or keeps JWTs in cookies: a forged request then acts as nobody and does only "
        "what the attacker could do directly, unless the app's only protection is being reachable from a "
        "private network (an intranet tool without login), which the code does not show. Test "
        "configurations (TestingConfig, conftest.py, tests/) are not findings. `flask-preflight inspect` "
        "reads the loaded app's CSRFProtect exemptions (a view, a dotted view name or a blueprint) and reports "
        "each exempt view or blueprint that accepts POST/PUT/PATCH/DELETE, at the view's `def` or the "
        "`Blueprint(` line."
    ),
    bad='''
app.config["WTF_CSRF_ENABLED"] = False

@app.route("/transfer", methods=["POST"])
@csrf.exempt
def transfer(): ...
''',
    good='''
csrf = CSRFProtect(app)          # and send the token from JavaScript: X-CSRFToken header
''',
    fix_hint="Keep CSRF on outside tests; for token-authenticated APIs exempt only endpoints that do not use the "
             "session cookie.",
    cwe=(352,),
    owasp=(OWASP_A01,),
    modes=frozenset({"check", "inspect"}),
    implemented_in="flask_preflight/static/python/csrf.py",
))

PF302 = REGISTRY.register(Rule(
    id="PF302",
    name="exceptions-propagated",
    severity=Severity.MEDIUM,
    summary="PROPAGATE_EXCEPTIONS or TRAP_HTTP_EXCEPTIONS is switched on in a non-test configuration.",
    rationale=(
        "With PROPAGATE_EXCEPTIONS = True Flask re-raises unhandled errors instead of calling your 500 handler: "
        "the WSGI server decides what the client sees, your error page and error logging are bypassed, and "
        "some servers answer with the traceback. TRAP_HTTP_EXCEPTIONS = True turns every 404/405/400 into an "
        "unhandled exception the same way. Both exist for tests and debugging."
    ),
    bad='''
class ProductionConfig(Config):
    PROPAGATE_EXCEPTIONS = True
''',
    good='''
class TestingConfig(Config):
    TESTING = True   # implies exception propagation, in tests only
''',
    fix_hint="Remove PROPAGATE_EXCEPTIONS / TRAP_HTTP_EXCEPTIONS from production config; handle errors with "
             "@app.errorhandler and log them.",
    cwe=(209, 755),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "inspect"}),
    implemented_in=_IMPL,
))
