"""Rule pack 5: what only the loaded app can tell - live configuration, middleware, routes and responses
(PF501-PF514). These rules are reported by ``flask-preflight inspect`` and ``flask --app ... preflight``.
"""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import OWASP_A01, OWASP_A02, OWASP_A04, OWASP_A05, OWASP_A07, REGISTRY, Rule

_INSPECT = frozenset({"inspect"})
_CONFIG = "flask_preflight/runtime/check_config.py"
_WSGI = "flask_preflight/runtime/check_wsgi.py"
_ROUTES = "flask_preflight/runtime/check_routes.py"
_EXT = "flask_preflight/runtime/check_extensions.py"
_CLIENT = "flask_preflight/runtime/check_client.py"

PF501 = REGISTRY.register(Rule(
    id="PF501",
    name="testing-mode-enabled",
    severity=Severity.HIGH,
    summary="The loaded app has TESTING switched on.",
    rationale=(
        "`TESTING = True` is for test suites. It makes Flask propagate unhandled exceptions instead of calling "
        "your 500 handler (the WSGI server decides what the client sees and your error logging is bypassed), "
        "and extensions read it to switch protections off: Flask-Login's `@login_required` lets everybody in "
        "when `LOGIN_DISABLED` follows it, Flask-WTF forms and Flask-Mail change behaviour, and many apps "
        "skip rate limits or CSRF when `app.testing` is set. A production config that inherits from a testing "
        "class, or an environment file that sets `FLASK_TESTING=1` (read by `from_prefixed_env`), ships all "
        "of that. Reported as high because the effect depends on which extensions honour the flag, and "
        "every one of them turns something off."
    ),
    bad='''
class ProductionConfig(TestingConfig):   # TESTING = True inherited
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
''',
    good='''
class ProductionConfig(Config):          # TESTING defaults to False
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
''',
    fix_hint="Leave TESTING unset (False) in every configuration that can be deployed; set it only in the "
             "test suite's fixture (app.config.update(TESTING=True)).",
    cwe=(489, 209),
    owasp=(OWASP_A05,),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF502 = REGISTRY.register(Rule(
    id="PF502",
    name="secret-key-missing",
    severity=Severity.MEDIUM,
    summary="The loaded app has no SECRET_KEY: sessions, flash messages and CSRF tokens fail at runtime.",
    rationale=(
        "Without `SECRET_KEY` Flask cannot sign the session cookie: `session[...] = ...` and `flash()` raise "
        "`RuntimeError`, Flask-WTF refuses to create CSRF tokens and Flask-Login cannot remember a user. The "
        "app imports fine and fails on the first login - in production, where the usual reaction is to paste "
        "a constant into the code (PF201) or to generate one per process (PF203). It is reported as medium, "
        "and as high when an extension that signs with the key (Flask-Login, Flask-WTF's CSRFProtect, "
        "Flask-SeaSurf) is registered, because then a request path is certain to fail. An API that never "
        "uses sessions can suppress it."
    ),
    bad='''
app = Flask(__name__)
app.config.from_prefixed_env()      # FLASK_SECRET_KEY not set in this environment
''',
    good='''
app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]   # fails at start-up when missing
''',
    fix_hint="Generate a key once (python -c 'import secrets; print(secrets.token_hex())'), store it as a "
             "deployment secret and load it with os.environ['SECRET_KEY'] so a missing key stops start-up.",
    cwe=(665, 1188),
    owasp=(OWASP_A05, OWASP_A07),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF503 = REGISTRY.register(Rule(
    id="PF503",
    name="weak-secret-key",
    severity=Severity.HIGH,
    summary="The loaded SECRET_KEY (or a SECRET_KEY_FALLBACKS entry) is short, low in entropy or a known value.",
    rationale=(
        "Flask session cookies are signed, not encrypted, and anyone can test a captured cookie against "
        "candidate keys offline (flask-unsign, hashcat mode 29100) without sending a single request. A key "
        "that is in a wordlist - `dev`, `changeme`, `secret`, or the example keys printed in Flask's own "
        "documentation - is recovered instantly and lets an attacker forge any session: critical. A key under "
        "32 characters (`secrets.token_hex()` gives 64), with fewer than 5 distinct characters or with under "
        "3 bits of entropy per character is high: it is a password, not a key. Django's W009 asks for 50 "
        "characters and 5 distinct ones; here random bytes keys (`os.urandom(24)`) pass from 16 bytes, text "
        "keys need 32 characters plus the entropy and wordlist checks. `SECRET_KEY_FALLBACKS` (Flask >= 3.1) "
        "entries still verify cookies, so each one is judged the same way (Django W025). The key itself is "
        "never printed: evidence shows its length and at most its first two characters."
    ),
    bad='''
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")   # env var unset in production
app.config["SECRET_KEY_FALLBACKS"] = ["changeme"]
''',
    good='''
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]              # 64 hex chars from secrets.token_hex()
app.config["SECRET_KEY_FALLBACKS"] = [os.environ["OLD_SECRET_KEY"]]  # only during a rotation
''',
    fix_hint="Replace the key with python -c 'import secrets; print(secrets.token_hex())' stored as a secret; "
             "drop weak or leaked keys from SECRET_KEY_FALLBACKS.",
    cwe=(326, 1391, 798),
    owasp=(OWASP_A02, OWASP_A07),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF504 = REGISTRY.register(Rule(
    id="PF504",
    name="request-size-unlimited",
    severity=Severity.LOW,
    summary="MAX_CONTENT_LENGTH is unset, so Flask accepts request bodies of any size.",
    rationale=(
        "With `MAX_CONTENT_LENGTH = None` Flask never answers 413: `request.get_data()`, `request.get_json()` "
        "and file uploads read whatever the client sends, into memory or a temporary file. One client with a "
        "slow multi-gigabyte upload ties up a worker and fills memory or disk. Flask >= 3.1 limits in-memory "
        "form fields (`MAX_FORM_MEMORY_SIZE`), but not JSON bodies or files. A proxy limit "
        "(`client_max_body_size` in nginx) helps only when every request passes the proxy. Reported as low, "
        "and as medium when the URL map has endpoints that accept POST, PUT or PATCH bodies."
    ),
    bad='''
app = Flask(__name__)        # MAX_CONTENT_LENGTH defaults to None
''',
    good='''
app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024   # 16 MiB; larger uploads get 413
''',
    fix_hint="Set MAX_CONTENT_LENGTH to the largest body the app needs (e.g. 16 * 1024 * 1024).",
    cwe=(770, 400),
    owasp=(OWASP_A04, OWASP_A05),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF505 = REGISTRY.register(Rule(
    id="PF505",
    name="host-header-unvalidated",
    severity=Severity.MEDIUM,
    summary="Neither TRUSTED_HOSTS nor SERVER_NAME is set, so the app trusts any Host header.",
    rationale=(
        "Flask builds external URLs (`url_for(..., _external=True)`, redirects, password-reset and "
        "confirmation links) from the request's `Host` header. When any host is accepted, an attacker who "
        "requests a password reset with `Host: evil.example` gets the victim a link to their own server "
        "(reset-link poisoning), and cache poisoning follows the same path. Flask >= 3.1 has `TRUSTED_HOSTS` "
        "(the counterpart of Django's ALLOWED_HOSTS, W020): a request for any other host is answered with 400. "
        "Before 3.1, `SERVER_NAME` restricted routing to one host; since 3.1 it only pins the host of "
        "external URLs. Reported as medium on Flask >= 3.1, where one setting fixes it, and as low on older "
        "Flask, where the fix is `SERVER_NAME` or a host check in the proxy."
    ),
    bad='''
app = Flask(__name__)        # TRUSTED_HOSTS = None: every Host header is accepted
''',
    good='''
app = Flask(__name__)
app.config["TRUSTED_HOSTS"] = ["example.com", ".example.com"]   # Flask >= 3.1
''',
    fix_hint="Set TRUSTED_HOSTS to the domains the app serves (Flask >= 3.1); on older Flask set SERVER_NAME "
             "or make the reverse proxy reject unknown Host headers.",
    cwe=(20, 640),
    owasp=(OWASP_A05,),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF506 = REGISTRY.register(Rule(
    id="PF506",
    name="security-headers-missing",
    severity=Severity.MEDIUM,
    summary="Responses lack security headers (HSTS, CSP, X-Content-Type-Options, clickjacking protection, "
            "Referrer-Policy).",
    rationale=(
        "`inspect` requests `/` through the app's test client over https (so headers that are sent only on "
        "https, like Talisman's HSTS, appear) and lists what is missing, in one finding: "
        "`Strict-Transport-Security` with a non-zero max-age (without it the first request of every visit "
        "can be downgraded to http), `Content-Security-Policy` (a report-only policy does not count; the "
        "main defence-in-depth against XSS), `X-Content-Type-Options: nosniff`, `X-Frame-Options` DENY or "
        "SAMEORIGIN or a CSP `frame-ancestors` directive (clickjacking), and a `Referrer-Policy` other than "
        "`unsafe-url`. These are Django's W001-W006/W022 and the MDN Observatory tests. X-XSS-Protection is "
        "not required: browsers dropped it. Medium when HSTS, CSP or clickjacking protection is missing, low "
        "when only X-Content-Type-Options or Referrer-Policy is. Headers added by a reverse proxy or CDN are "
        "not visible to the test client: if the proxy sets them, check with `flask-preflight probe` and "
        "suppress this finding."
    ),
    bad='''
app = Flask(__name__)        # no header layer: responses carry none of them
''',
    good='''
from flask_talisman import Talisman
Talisman(app, content_security_policy={"default-src": "'self'"}, frame_options="DENY",
         referrer_policy="strict-origin-when-cross-origin")
''',
    fix_hint="Add Flask-Talisman (or an after_request hook) that sets HSTS, a Content-Security-Policy, "
             "X-Content-Type-Options: nosniff, X-Frame-Options or frame-ancestors, and Referrer-Policy.",
    cwe=(693, 1021, 319),
    owasp=(OWASP_A05,),
    modes=frozenset({"inspect", "probe"}),
    implemented_in=_CLIENT,
))

PF507 = REGISTRY.register(Rule(
    id="PF507",
    name="session-lifetime-too-long",
    severity=Severity.LOW,
    summary="PERMANENT_SESSION_LIFETIME is longer than Flask's 31-day default.",
    rationale=(
        "A permanent Flask session cookie (`session.permanent = True`, which Flask-Login and many auth "
        "helpers set) stays valid for `PERMANENT_SESSION_LIFETIME`: Flask checks the signature's age against "
        "it and has no server-side revocation. A stolen cookie is therefore usable for that long, and a user "
        "who logs out on another device cannot end it. Flask's default is 31 days; anything longer is a "
        "choice to keep sessions forgeable-by-theft for longer and is reported as low."
    ),
    bad='''
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=365)
''',
    good='''
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=7)
''',
    fix_hint="Lower PERMANENT_SESSION_LIFETIME (days, not months) and use a server-side session or a "
             "remember-me token you can revoke when users need to stay logged in longer.",
    cwe=(613,),
    owasp=(OWASP_A07,),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF508 = REGISTRY.register(Rule(
    id="PF508",
    name="http-preferred-url-scheme",
    severity=Severity.LOW,
    summary="PREFERRED_URL_SCHEME is 'http', so URLs built outside a request use plain http.",
    rationale=(
        "Inside a request Flask uses the request's scheme, but outside one - e-mails sent from a Celery task "
        "or a CLI command, sitemaps, links built with `app.test_request_context()` - `url_for(..., "
        "_external=True)` uses `PREFERRED_URL_SCHEME`, which defaults to 'http'. Password-reset and "
        "confirmation links then go out as http URLs that can be intercepted or downgraded. Low: it matters "
        "only for URLs built outside a request."
    ),
    bad='''
app = Flask(__name__)        # PREFERRED_URL_SCHEME defaults to "http"
''',
    good='''
app.config["PREFERRED_URL_SCHEME"] = "https"
''',
    fix_hint="Set PREFERRED_URL_SCHEME = 'https' in the production config.",
    cwe=(319,),
    owasp=(OWASP_A02,),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))

PF509 = REGISTRY.register(Rule(
    id="PF509",
    name="proxy-fix-misconfigured",
    severity=Severity.MEDIUM,
    summary="ProxyFix trusts more X-Forwarded-* hops than there are proxies, or is missing behind a proxy.",
    rationale=(
        "Werkzeug's `ProxyFix(app.wsgi_app, x_for=N, ...)` replaces `REMOTE_ADDR`, the scheme, host and prefix "
        "with the values the last N proxies appended to `X-Forwarded-*`. Werkzeug's docs: set the correct "
        "number of proxies, it can be a security issue if you get this wrong. With more hops than real "
        "proxies (`x_for=2` behind one nginx, ProxyFix applied twice), the client's own header value is "
        "trusted: IP-based rate limits, allowlists and audit logs see whatever address the client writes, "
        "and a spoofed `X-Forwarded-Proto`/`-Host` changes generated URLs. That is medium. ProxyFix while "
        "the deployment files show no reverse proxy is low (the app may sit behind a platform router the "
        "files do not show). The reverse - a reverse proxy in the deployment files and no ProxyFix - is "
        "low: `request.remote_addr` is the proxy, `request.is_secure` is false, Talisman's `force_https` "
        "loops and external URLs say http."
    ),
    bad='''
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=2, x_proto=2)   # only one nginx in front
''',
    good='''
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)   # exactly one proxy
''',
    fix_hint="Apply ProxyFix once, with each x_* count equal to the number of proxies that set that header; "
             "remove it when the app is reached directly.",
    cwe=(348, 290),
    owasp=(OWASP_A05,),
    modes=_INSPECT,
    implemented_in=_WSGI,
))

PF510 = REGISTRY.register(Rule(
    id="PF510",
    name="server-version-disclosed",
    severity=Severity.LOW,
    summary="The app sends a Server header with a version, or an X-Powered-By header.",
    rationale=(
        "A `Server: MyApp/1.4.2 Python/3.8.10` or `X-Powered-By: Flask` header set by the app (or an "
        "`after_request` hook) tells every scanner which versions to try known exploits against. It protects "
        "nothing to send it. Only headers the app itself sets are visible to the test client; the WSGI "
        "server's own `Server` header (Werkzeug's dev server sends its and Python's versions) is checked by "
        "`flask-preflight probe`. Low: fingerprinting, not a vulnerability."
    ),
    bad='''
@app.after_request
def brand(resp):
    resp.headers["X-Powered-By"] = "Flask 3.1.0"
    return resp
''',
    good='''
# no Server/X-Powered-By header from the app; gunicorn sends a bare "Server: gunicorn"
''',
    fix_hint="Remove the header (or drop the version from it) in the app and in the proxy configuration.",
    cwe=(200, 497),
    owasp=(OWASP_A05,),
    modes=frozenset({"inspect", "probe"}),
    implemented_in=_CLIENT,
))

PF511 = REGISTRY.register(Rule(
    id="PF511",
    name="static-folder-exposes-source",
    severity=Severity.HIGH,
    summary="The static route serves a folder that contains the app's source code or secrets.",
    rationale=(
        "Flask's `static` route sends any file below `static_folder`. `Flask(__name__, static_folder='.')`, "
        "`static_folder='..'` or an absolute path to the project or `/` therefore serves `app.py`, "
        "`config.py` with its keys, `.env`, the SQLite database and the `.git` directory (from which the "
        "whole repository history can be rebuilt) to anyone who asks for `/static/.env`. `inspect` resolves "
        "the static folders of the app and its blueprints and reports one that contains the app's package or "
        "has source files, key files, databases, `.env` or `.git` near its top. High for source code; "
        "critical for `.env`, `.git`, private keys or databases, or when the folder is the filesystem root "
        "or a home directory. A built front-end folder next to the package (`../frontend/dist`) is fine."
    ),
    bad='''
app = Flask(__name__, static_folder=".", static_url_path="/static")
''',
    good='''
app = Flask(__name__)        # serves <package>/static only
''',
    fix_hint="Point static_folder at a folder that holds only public assets (the default <package>/static), "
             "and serve build output from its own directory.",
    cwe=(538, 552),
    owasp=(OWASP_A01, OWASP_A05),
    modes=_INSPECT,
    implemented_in=_ROUTES,
))

PF512 = REGISTRY.register(Rule(
    id="PF512",
    name="cors-any-origin-with-credentials",
    severity=Severity.HIGH,
    summary="CORS lets any or attacker-controlled origins in with credentials: other sites read users' responses.",
    rationale=(
        "Browsers refuse `Access-Control-Allow-Origin: *` together with credentials, so Flask-CORS with "
        "`origins=\"*\"` (its default) and `supports_credentials=True` does the next thing: it echoes the "
        "request's `Origin` back and adds `Access-Control-Allow-Credentials: true`. Every site a logged-in "
        "user visits can then call the API with the user's cookies and read the answer - account data, CSRF "
        "tokens, anything the session can see. Patterns do the same more quietly: Flask-CORS treats an origin "
        "containing a regex character (or a compiled pattern) as a regex and applies it with `re.match`, "
        "anchored at the start only, so `r\"https://.*\\.example\\.com\"` also admits "
        "`https://x.example.com.attacker.net`, an unescaped `.` admits look-alike domains, and an allowed "
        "`\"null\"` admits any page in a sandboxed iframe. `inspect` reads the options Flask-CORS registered "
        "(app-wide per resource, blueprints and `@cross_origin` views), tries origins an attacker can send "
        "against them with Flask-CORS's own matcher, confirms each with a CORS preflight to a covered route, "
        "and ignores resources that cover no route; it also sends `/` a foreign `Origin` (and a preflight "
        "with `Origin: null`), which catches hand-written CORS hooks that reflect it. High: it is a "
        "cross-site data leak whenever the app uses cookie or HTTP authentication."
    ),
    bad='''
CORS(app, supports_credentials=True)            # origins defaults to "*"
CORS(app, origins=[r"https://.*\\.example\\.com", "null"], supports_credentials=True)
''',
    good='''
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
CORS(app, origins=[r"^https://[a-z0-9-]+\\.example\\.com$"], supports_credentials=True)
''',
    fix_hint="List the exact origins that may send credentials (origins=[...]), anchor regexes with ^...$ and "
             "escape their dots, never allow 'null'; keep origins='*' only for public, unauthenticated resources "
             "without supports_credentials.",
    cwe=(942, 346),
    owasp=(OWASP_A05, OWASP_A01),
    modes=_INSPECT,
    implemented_in=_EXT,
))

PF513 = REGISTRY.register(Rule(
    id="PF513",
    name="talisman-https-disabled",
    severity=Severity.MEDIUM,
    summary="Flask-Talisman is installed with force_https=False, so plain-http requests are served.",
    rationale=(
        "Talisman's `force_https` redirects http requests to https; with it off the app answers over http, "
        "session cookies without `Secure` travel in clear text, and HSTS (sent only on https responses) is "
        "never learned by a browser that first arrives over http. Django's W008 (SECURE_SSL_REDIRECT) is the "
        "same check. People switch it off because behind a TLS-terminating proxy without ProxyFix every "
        "request looks like http and the redirect loops; the fix for that is ProxyFix, not turning the "
        "redirect off. Medium; low when the deployment files show a reverse proxy, which may do the "
        "redirect itself."
    ),
    bad='''
Talisman(app, force_https=False)
''',
    good='''
app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)
Talisman(app)                        # force_https=True by default
''',
    fix_hint="Keep force_https=True (behind a proxy add ProxyFix(x_proto=1) so Talisman sees https), or "
             "make sure the proxy redirects http to https and sends HSTS.",
    cwe=(319, 311),
    owasp=(OWASP_A02, OWASP_A05),
    modes=_INSPECT,
    implemented_in=_EXT,
))

PF514 = REGISTRY.register(Rule(
    id="PF514",
    name="login-disabled",
    severity=Severity.HIGH,
    summary="Flask-Login is registered with LOGIN_DISABLED=True: @login_required lets every request through.",
    rationale=(
        "Flask-Login's `@login_required` returns the view unchanged when `app.config['LOGIN_DISABLED']` is "
        "true. The switch exists for test suites; in a deployed app it makes every protected page public "
        "while the login form still appears to work, so nothing looks wrong. It usually arrives through a "
        "production config class that inherits from a testing one, or an environment file that sets "
        "`FLASK_LOGIN_DISABLED=1` read by `from_prefixed_env`. Reported as high because whatever the app "
        "protects with `@login_required` is open to anonymous users."
    ),
    bad="""
app.config["LOGIN_DISABLED"] = True
login_manager = LoginManager(app)
""",
    good="""
login_manager = LoginManager(app)      # LOGIN_DISABLED unset (False)
""",
    fix_hint="Remove LOGIN_DISABLED from every configuration that can be deployed; set it only in the test "
             "suite's fixture.",
    cwe=(306, 284),
    owasp=(OWASP_A07, OWASP_A01),
    modes=_INSPECT,
    implemented_in=_CONFIG,
))
