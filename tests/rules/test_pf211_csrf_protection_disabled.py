"""PF211 csrf-protection-disabled: Flask-WTF CSRF switched off outside tests, or views exempted."""

import flask_wtf

from . import runtime_apps
from .runtime_apps import QUIET

inspect_app = runtime_apps.inspect_app  # the runtime fixture; assigned, since an imported fixture trips ruff F811

FLASK = "from flask import Flask, session, request\nfrom flask_wtf.csrf import CSRFProtect\napp = Flask(__name__)\ncsrf = CSRFProtect(app)\n"


def test_config_switches(scan):
    files = {
        "app.py": FLASK + 'app.config["WTF_CSRF_ENABLED"] = False\n',
        "config.py": "class ProductionConfig:\n    WTF_CSRF_CHECK_DEFAULT = False\n",
    }
    assert scan(files) == [("PF211", "app.py", 5, 34, "high"), ("PF211", "config.py", 2, 30, "high")]
    assert scan.severity("PF211", 5) == "high"


def _rows(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_exempt_views_graded_by_the_credential_the_browser_sends(scan):
    src = FLASK + """from flask_login import current_user, login_user

@app.route("/transfer", methods=["POST"])
@csrf.exempt
def transfer():
    session["balance"] = request.form["amount"]
    return "ok"

@app.post("/orders")
@csrf.exempt
def orders():
    return place_order(request.form)

@app.route("/ping")
@csrf.exempt
def ping():
    return "pong"

@app.post("/avatar")
@csrf.exempt
def avatar():
    current_user.avatar = request.files["f"].read()
    return "ok"

@app.post("/login")
@csrf.exempt
def login():
    login_user(find(request.form["name"], request.form["password"]))
    return "ok"

@app.post("/payments/webhook")
@csrf.exempt
def payment_event():
    return "ok"

csrf.exempt(api_bp)
"""
    assert scan({"app.py": src}) == [
        ("PF211", "app.py", 8, 2, "high"),
        ("PF211", "app.py", 14, 2, "medium"),
        ("PF211", "app.py", 19, 2, "low"),
        ("PF211", "app.py", 24, 2, "high"),
        ("PF211", "app.py", 30, 2, "low"),
        ("PF211", "app.py", 36, 2, "low"),
        ("PF211", "app.py", 40, 1, "medium"),
    ]
    assert _rows(scan) == [("PF211", "app.py", 8, 2, "high"), ("PF211", "app.py", 14, 2, "medium"),
                           ("PF211", "app.py", 19, 2, "low"), ("PF211", "app.py", 24, 2, "high"),
                           ("PF211", "app.py", 30, 2, "low"), ("PF211", "app.py", 36, 2, "low"),
                           ("PF211", "app.py", 40, 1, "medium")]
    assert "current_user" in scan.message("PF211", 24)
    assert "login CSRF" in scan.message("PF211", 30)
    assert "webhook" in scan.message("PF211", 36)


def test_token_authenticated_views_are_not_csrf_able(scan):
    """Kobo-style device API: the secret is in the blueprint URL; a same-module decorator reads a header
    token and calls login_user() for that request only; a signature; HTTPTokenAuth; flask_jwt_extended."""
    src = FLASK + """import hmac
from functools import wraps
from flask import Blueprint, abort
from flask_login import current_user, login_user
from flask_httpauth import HTTPTokenAuth
from flask_jwt_extended import jwt_required
device = Blueprint("device", __name__, url_prefix="/device/<auth_token>")
tokens = HTTPTokenAuth()

def requires_api_key(f):
    @wraps(f)
    def inner(*args, **kwargs):
        user = lookup(request.headers.get("X-Api-Key"))
        if user is None:
            abort(401)
        login_user(user)
        return f(*args, **kwargs)
    return inner

@device.route("/shelves", methods=["POST", "DELETE"])
@csrf.exempt
def shelves():
    current_user.shelves.append(request.json["name"])
    return "ok"

@app.post("/api/items")
@csrf.exempt
@requires_api_key
def items():
    current_user.items.append(request.json)
    return "ok"

@app.post("/hooks/github")
@csrf.exempt
def github_hook():
    if not hmac.compare_digest(request.headers["X-Hub-Signature-256"], "x"):
        abort(400)
    return "ok"

@app.post("/drive/changes")
@csrf.exempt
def drive_changes():
    if request.headers.get("X-Goog-Channel-Token") != "t":
        return ""
    return "ok"

@app.post("/api/a")
@csrf.exempt
@tokens.login_required
def a():
    return "ok"

@app.post("/api/b")
@csrf.exempt
@jwt_required()
def b():
    return "ok"

csrf.exempt(device)
"""
    assert scan({"app.py": src}) == []


def test_tricky_credentials_that_a_browser_does_send(scan):
    """The word "auth" in a URL variable is no token; basic auth is cached by the browser; a header read
    next to the session cookie does not gate it; login_required through a local decorator is a login."""
    src = FLASK + """from flask_login import current_user, login_required
from flask_httpauth import HTTPBasicAuth
basic = HTTPBasicAuth()

def admin_only(f):
    def inner(*args, **kwargs):
        if not current_user.is_admin:
            return "no", 403
        return f(*args, **kwargs)
    return inner

@app.post("/<auth_method>/settings")
@csrf.exempt
def settings(auth_method):
    session["method"] = auth_method
    return "ok"

@app.post("/admin/purge")
@csrf.exempt
@basic.login_required
def purge():
    return "ok"

@app.post("/api/prefs")
@csrf.exempt
def prefs():
    theme = request.headers.get("X-Api-Key") and request.json["theme"]
    session["theme"] = theme
    return "ok"

@app.post("/admin/users")
@csrf.exempt
@admin_only
def users():
    return "ok"

@app.post("/api/notes")
@csrf.exempt
@login_or_token_required
def notes():
    return "ok"
"""
    assert scan({"app.py": src}) == [
        ("PF211", "app.py", 17, 2, "high"),
        ("PF211", "app.py", 23, 2, "high"),
        ("PF211", "app.py", 29, 2, "medium"),
        ("PF211", "app.py", 36, 2, "high"),
        ("PF211", "app.py", 42, 2, "medium"),
    ]
    assert _rows(scan) == [("PF211", "app.py", 17, 2, "high"), ("PF211", "app.py", 23, 2, "high"),
                           ("PF211", "app.py", 29, 2, "medium"), ("PF211", "app.py", 36, 2, "high"),
                           ("PF211", "app.py", 42, 2, "medium")]
    assert "basic-auth" in scan.message("PF211", 23)


def test_decorators_imported_from_another_module_are_followed(scan):
    """A decorator of the project's own decorators module that refuses a request without an Authorization /
    API-key header gates the view, even when the view's module calls its header user ``current_user``. A
    decorator there that falls back to the session does not, nor does one the project does not define."""
    files = {
        "pkg/__init__.py": "",
        "pkg/decorators.py": """from functools import wraps
from flask import request, abort, g
from flask_login import current_user

def api_basic_auth(f):
    @wraps(f)
    def inner(*args, **kwargs):
        header = request.headers.get("Authorization")
        if not header:
            abort(401)
        g.api_user = check_basic(header)
        return f(*args, **kwargs)
    return inner

def header_or_session(f):
    @wraps(f)
    def inner(*args, **kwargs):
        if not request.headers.get("X-Api-Key") and not current_user.is_authenticated:
            abort(401)
        return f(*args, **kwargs)
    return inner
""",
        "pkg/api.py": FLASK + """from flask import g
from werkzeug.local import LocalProxy
from vendor_auth import api_auth
from .decorators import api_basic_auth, header_or_session
current_user = LocalProxy(lambda: g.api_user)

@app.post("/api/zones")
@api_basic_auth
@csrf.exempt
def create_zone():
    return create(current_user.id, request.json)

@app.post("/api/records")
@header_or_session
@csrf.exempt
def create_record():
    return create(g.user_id, request.json)

@app.post("/api/keys")
@api_auth
@csrf.exempt
def create_key():
    return create(current_user.id, request.json)
""",
    }
    assert scan(files) == [("PF211", "pkg/api.py", 19, 2, "medium"), ("PF211", "pkg/api.py", 25, 2, "medium")]
    # create_key: an unknown library decorator and a module-local current_user: no credential visible, medium
    assert _rows(scan) == [("PF211", "api.py", 19, 2, "medium"), ("PF211", "api.py", 25, 2, "medium")]
    assert "no credential is visible" in scan.message("PF211", 25)


def test_imported_session_decorator_keeps_the_finding_high(scan):
    files = {
        "pkg/__init__.py": "",
        "pkg/auth.py": """from flask import session, abort

def must_be_member(f):
    def inner(*args, **kwargs):
        if "uid" not in session:
            abort(401)
        return f(*args, **kwargs)
    return inner
""",
        "pkg/views.py": FLASK + """from flask_login import current_user
from .auth import must_be_member

@app.post("/posts")
@must_be_member
@csrf.exempt
def new_post():
    return save(current_user, request.form)
""",
    }
    assert scan(files) == [("PF211", "pkg/views.py", 10, 2, "high")]
    assert _rows(scan) == [("PF211", "views.py", 10, 2, "high")]


def test_a_view_that_changes_nothing_has_nothing_to_forge(scan):
    """A POST view that only renders request data with Flask helpers stores nothing and reads no credential;
    one that calls project code, stores onto an object, or writes the session may change state."""
    src = FLASK + """from flask import render_template, jsonify, g

@app.route("/checkip", methods=["GET", "POST"])
@csrf.exempt
def checkip():
    return render_template("ip.html", ip=request.environ.get("HTTP_X_REAL_IP", request.remote_addr))

@app.post("/echo")
@csrf.exempt
def echo():
    return jsonify(name=str(request.form.get("name", "")), size=len(request.get_data()))

@app.route("/visits", methods=["GET", "POST"])
@csrf.exempt
def visits():
    return render_template("ip.html", ip=record_visit(request.remote_addr))

@app.post("/mark")
@csrf.exempt
def mark():
    g.marked = True
    return jsonify(ok=True)

@app.post("/theme")
@csrf.exempt
def theme():
    session["theme"] = request.form["theme"]
    return jsonify(ok=True)
"""
    assert scan({"app.py": src}) == [("PF211", "app.py", 18, 2, "medium"), ("PF211", "app.py", 23, 2, "medium"), ("PF211", "app.py", 29, 2, "high")]
    assert _rows(scan) == [("PF211", "app.py", 18, 2, "medium"), ("PF211", "app.py", 23, 2, "medium"),
                           ("PF211", "app.py", 29, 2, "high")]


def test_a_project_without_any_browser_credential_has_nothing_to_forge(scan):
    """CSRF rides on what the victim's browser attaches by itself. In a project where no module reads or
    writes the session, sets or reads a cookie, or uses a login extension, basic auth or a login decorator,
    an exempt view that writes to the database does only what the attacker could do from their own machine,
    unless the app trusts the network it is on: low (informational), for the view and for an exempted
    blueprint, saying why. The same views beside a module that uses Flask-Login keep their medium."""
    views = """from flask import Flask, Blueprint, request, jsonify, session
from flask_wtf.csrf import CSRFProtect
from models import db, Note
app = Flask(__name__)
csrf = CSRFProtect(app)
api = Blueprint("api", __name__)

@app.post("/notes")
@csrf.exempt
def add_note():
    db.session.add(Note(text=request.json["text"]))
    db.session.commit()
    return jsonify(ok=True)

csrf.exempt(api)
"""
    models = "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass Note(db.Model):\n    pass\n"
    assert scan({"app.py": views, "models.py": models}) == [("PF211", "app.py", 9, 2, "low"),
                                                            ("PF211", "app.py", 15, 1, "low")]
    assert "no module of the project uses a credential the browser sends by itself" in scan.message("PF211", 9)
    assert scan.message("PF211", 9).count("reported as low") == 1
    login = "from flask_login import LoginManager\nlogin_manager = LoginManager()\n"
    assert scan({"auth.py": login}) == [("PF211", "app.py", 9, 2, "medium"), ("PF211", "app.py", 15, 1, "medium")]


def test_a_variable_named_session_is_not_flask_session(scan):
    """``session = chats.create(...)`` makes ``session`` local to the view (Python binds a name assigned
    anywhere in a function for the whole function), so the view never reads the session cookie even though
    the module imports ``flask.session``: medium (no credential visible), not high. A view that reads
    Flask's session next to it stays high; so does one whose nested helper has its own ``session``."""
    src = FLASK + """from flask_login import current_user

@app.post("/chats")
@csrf.exempt
def create_chat():
    session = chats.create(request.json["title"])
    return {"session": session}

@app.post("/cart")
@csrf.exempt
def add_to_cart():
    session["cart"] = session.get("cart", []) + [request.form["item"]]
    return "ok"

@app.post("/drafts")
@csrf.exempt
def save_draft():
    keep = [session.get("uid") for session_id in request.json["ids"]]
    return save(keep)
"""
    assert scan({"app.py": src}) == [("PF211", "app.py", 8, 2, "medium"), ("PF211", "app.py", 14, 2, "high"),
                                     ("PF211", "app.py", 20, 2, "high")]
    assert "no credential is visible" in scan.message("PF211", 8)


def test_an_exempt_view_that_only_reads_rows_changes_nothing(scan):
    """A POST view that only looks rows up (``User.query.filter_by(...).first()``, ``db.session.query(...)``)
    and answers with Flask helpers stores nothing; one that deletes through the query, or commits, does."""
    src = FLASK + """from flask import jsonify
from flask_login import current_user
from models import db, User

@app.post("/api/validate-email")
@csrf.exempt
def validate_email():
    data = request.get_json()
    if User.query.filter_by(email=data["email"]).first():
        return jsonify(error="taken"), 400
    return jsonify(ok=True, n=db.session.query(User).count())

@app.post("/api/forget")
@csrf.exempt
def forget():
    User.query.filter_by(email=request.json["email"]).delete()
    return jsonify(ok=True)

@app.post("/api/touch")
@csrf.exempt
def touch():
    user = User.query.get(request.json["id"])
    db.session.commit()
    return jsonify(ok=bool(user))
"""
    assert scan({"app.py": src}) == [("PF211", "app.py", 18, 2, "medium"), ("PF211", "app.py", 24, 2, "medium")]


def test_identity_provider_callback_that_verifies_the_assertion(scan):
    """A SAML assertion consumer / OAuth callback: the identity provider posts cross-site by design and the
    library verifies its signature (or the OAuth state); what it stores in the session, and reads back, is
    the verified login. The same stores without a verification, or a read of a session key the callback did
    not store, still ride on the browser's cookie."""
    src = FLASK + """from onelogin.saml2.auth import OneLogin_Saml2_Auth
from flask import redirect

@app.route("/saml/acs", methods=["GET", "POST"])
@csrf.exempt
def saml_acs():
    auth = OneLogin_Saml2_Auth(prepare(request))
    auth.process_response()
    if not auth.get_errors():
        session["saml_data"] = auth.get_attributes()
        session["name_id"] = auth.get_nameid()
        user = find_or_create(session["name_id"], session.get("saml_data"))
        session["user_id"] = user.id
    return redirect("/")

@app.post("/sso/claim")
@csrf.exempt
def sso_claim():
    session["name_id"] = request.form["name_id"]
    return redirect("/")

@app.post("/oauth/link")
@csrf.exempt
def oauth_link():
    token = oauth.github.authorize_access_token()
    session["github"] = token
    link_account(session["user_id"], token)
    return redirect("/")
"""
    assert scan({"app.py": src}) == [("PF211", "app.py", 21, 2, "high"), ("PF211", "app.py", 27, 2, "medium")]
    assert _rows(scan) == [("PF211", "app.py", 21, 2, "high"), ("PF211", "app.py", 27, 2, "medium")]
    assert "the session cookie" in scan.message("PF211", 27)


def test_api_decorators_exempt_every_resource(scan):
    src = FLASK + """from flask_restful import Api
from flask_restx import Namespace
from flask_login import login_required

def token_required(f):
    return f

api = Api(app, decorators=[csrf.exempt])
admin_api = Api(admin_bp, decorators=[csrf.exempt, login_required])
ns = Namespace("items", decorators=[csrf.exempt])
"""
    assert scan({"app.py": src}) == [
        ("PF211", "app.py", 12, 28, "medium"),
        ("PF211", "app.py", 13, 39, "high"),
        ("PF211", "app.py", 14, 37, "medium"),
    ]
    assert _rows(scan) == [("PF211", "app.py", 12, 28, "medium"), ("PF211", "app.py", 13, 39, "high"),
                           ("PF211", "app.py", 14, 37, "medium")]
    assert "every resource" in scan.message("PF211", 12)


def test_api_exemption_graded_by_the_resources_added_to_it(scan):
    """``api.add_resource(Cls, ...)`` decides what ``decorators=[csrf.exempt]`` exposes, wherever Cls lives: a
    package re-exporting resources whose handlers all need a header token has nothing for a forger to ride on
    (no finding); one resource that uses the login makes it high; a resource with no visible credential keeps
    the medium; GET-only resources change nothing."""
    api_init = "from .items import Items, Health\n"
    items = ("from flask import request\nfrom flask_restful import Resource\nfrom . import auth\n\n"
             "class Items(Resource):\n    method_decorators = [auth.check_token]\n\n"
             "    def get(self):\n        return []\n\n    def post(self):\n        return save(request.json)\n\n"
             "class Health(Resource):\n    def get(self):\n        return 'ok'\n")
    auth = ("from functools import wraps\nfrom flask import request, abort\n\ndef check_token(f):\n"
            "    @wraps(f)\n    def inner(*a, **kw):\n        if request.headers.get('x-api-key') != KEY:\n"
            "            abort(403)\n        return f(*a, **kw)\n    return inner\n")
    session_res = ("from flask import session\nfrom flask_restful import Resource\n\nclass Prefs(Resource):\n"
                   "    def put(self):\n        session['theme'] = 'dark'\n        return 'ok'\n\n"
                   "class Cart(Resource):\n    def delete(self):\n        return clear(session['user_id'])\n")
    open_res = "from flask_restful import Resource\n\nclass Votes(Resource):\n    def post(self):\n        return vote()\n"

    def app(api_line: str) -> str:
        return FLASK + "from flask_restful import Api\n" + api_line + "\napi = Api(app, decorators=[csrf.exempt])\n" \
            "\ndef setup():\n    api.add_resource(Items, '/items')\n    api.add_resource(Health, '/health')\n"
    files = {
        "shop/__init__.py": "", "shop/api/__init__.py": api_init, "shop/api/items.py": items,
        "shop/api/auth.py": auth, "shop/app.py": app("from shop.api import Items, Health"),
    }
    assert scan(files) == []
    files["shop/app.py"] += "    api.add_resource(Cart, '/cart')\n"
    files["shop/app.py"] = files["shop/app.py"].replace("import Items, Health", "import Items, Health\nfrom shop.prefs import Cart")
    files["shop/prefs.py"] = session_res
    assert scan(files) == [("PF211", "shop/app.py", 8, 28, "high")]
    assert [(f.column, f.severity.value) for f in scan.findings] == [(28, "high")]
    assert "`Cart` relies on the session" in scan.findings[0].message
    files["shop/app.py"] = files["shop/app.py"].replace("Cart", "Votes").replace("shop.prefs", "shop.votes")
    files["shop/votes.py"] = open_res
    assert scan(files) == [("PF211", "shop/app.py", 8, 28, "medium")]
    assert [f.severity.value for f in scan.findings] == ["medium"]
    assert "fine only if its resources authenticate with a token" in scan.findings[0].message


def test_api_exemption_with_resources_added_elsewhere_keeps_the_medium(scan):
    """Nothing is added to the Api in its own module (other modules or a loop add the resources): what they rely
    on is unknown here, so the medium stays; the same for a resource whose decorator only looks like a gate
    from a module that does not refuse requests without a token."""
    files = {
        "app.py": FLASK + "from flask_restful import Api\napi = Api(app, decorators=[csrf.exempt])\n",
        "b/__init__.py": "",
        "b/api.py": FLASK + "from flask_restful import Api\nfrom b.res import Notes\n"
                    "api = Api(app, decorators=[csrf.exempt])\napi.add_resource(Notes, '/notes')\n",
        "b/res.py": "from flask_restful import Resource\nfrom b.deco import audited\n\nclass Notes(Resource):\n"
                    "    @audited\n    def post(self):\n        return add_note()\n",
        "b/deco.py": "def audited(f):\n    return f\n",
    }
    assert scan(files) == [("PF211", "app.py", 6, 28, "medium"), ("PF211", "b/api.py", 7, 28, "medium")]
    assert [f.severity.value for f in scan.findings] == ["medium", "medium"]


def test_api_decorators_that_do_not_exempt_or_require_a_token(scan):
    src = FLASK + """from flask_restful import Api
from flask_jwt_extended import jwt_required
from flask_cors import cross_origin
api = Api(app, decorators=[cross_origin()])
token_api = Api(api_bp, decorators=[csrf.exempt, jwt_required()])
other = Api(app, decorators=[limiter.exempt])
"""
    assert scan({"app.py": src}) == []


def test_check_default_off_with_the_protect_hook_behind_a_setting(scan):
    """Flask-WTF's own hook returns early when WTF_CSRF_CHECK_DEFAULT is False; what is left is the app's
    hook, registered only when a setting is on."""
    files = {
        "security.py": FLASK + """import os
def parse_boolean(s):
    return s.lower() == "true"
ENFORCE_CSRF = parse_boolean(os.environ.get("APP_ENFORCE_CSRF", "false"))

def init_app(app):
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    if ENFORCE_CSRF:
        @app.before_request
        def check_csrf():
            csrf.protect()
""",
        "remote.py": FLASK + """from myapp import settings
def init_app(app):
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    if settings.ENFORCE_CSRF:
        app.before_request(check)

def check():
    csrf.protect()
""",
        "views_only.py": FLASK + """app.config["WTF_CSRF_CHECK_DEFAULT"] = False

@app.post("/pay")
def pay():
    csrf.protect()
    return "ok"
""",
    }
    assert scan(files) == [
        ("PF211", "remote.py", 7, 44, "medium"),
        ("PF211", "security.py", 11, 44, "high"),
        ("PF211", "views_only.py", 5, 40, "medium"),
    ]
    assert _rows(scan) == [("PF211", "remote.py", 7, 44, "medium"), ("PF211", "security.py", 11, 44, "high"),
                           ("PF211", "views_only.py", 5, 40, "medium")]
    assert "false when APP_ENFORCE_CSRF is unset" in scan.message("PF211", 11)


def test_check_default_off_with_the_hook_behind_a_setting_of_another_module(scan):
    files = {
        "myapp/__init__.py": "",
        "myapp/settings/__init__.py": """import os
from .helpers import parse_boolean
ENFORCE_CSRF = parse_boolean(os.environ.get("APP_ENFORCE_CSRF", "false"))
STRICT_CSRF = parse_boolean(os.environ.get("APP_STRICT_CSRF", "true"))
""",
        "myapp/settings/helpers.py": "def parse_boolean(s):\n    return s.lower() in ('true', '1')\n",
        "myapp/security.py": FLASK + """from myapp import settings
def init_app(app):
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    if settings.ENFORCE_CSRF:
        @app.before_request
        def check_csrf():
            csrf.protect()
""",
        "myapp/strict.py": FLASK + """from myapp import settings
def init_app(app):
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    if settings.STRICT_CSRF:
        app.before_request(check)

def check():
    csrf.protect()
""",
    }
    assert scan(files) == [("PF211", "myapp/security.py", 7, 44, "high")]
    # STRICT_CSRF is True when unset: protected by default, no finding
    assert _rows(scan) == [("PF211", "security.py", 7, 44, "high")]
    assert "false when the environment leaves `myapp.settings.ENFORCE_CSRF` at its default" in scan.message("PF211", 7)


def test_check_default_off_with_a_hook_that_runs_by_default(scan):
    files = {
        "on.py": FLASK + """import os
ENFORCE = os.environ.get("APP_ENFORCE_CSRF", "true") == "true"
app.config["WTF_CSRF_CHECK_DEFAULT"] = False
if ENFORCE:
    @app.before_request
    def check():
        csrf.protect()
""",
        "bp.py": FLASK + """from flask import Blueprint
bp = Blueprint("bp", __name__)
app.config["WTF_CSRF_CHECK_DEFAULT"] = False

@bp.before_app_request
def check():
    if request.endpoint != "health":
        csrf.protect()
""",
    }
    assert scan(files) == []


# ---- negatives ----------------------------------------------------------------------------------

def test_test_configuration_is_not_a_finding(scan):
    files = {
        "config.py": "class TestingConfig:\n    TESTING = True\n    WTF_CSRF_ENABLED = False\n\n"
                     "class Config:\n    WTF_CSRF_ENABLED = True\n",
        "tests/conftest.py": FLASK + 'app.config["WTF_CSRF_ENABLED"] = False\n',
        "factory.py": FLASK + 'def make_test_app():\n    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)\n',
        "manual.py": FLASK + 'app.config["WTF_CSRF_CHECK_DEFAULT"] = False\n@app.before_request\ndef check():\n    csrf.protect()\n',
    }
    assert scan(files) == []


def test_switch_read_through_a_project_env_helper(scan):
    """``bool_env("WTF_CSRF_ENABLED", False)`` runs the module's own helper, which hands the name and the default
    to os.getenv: unset, CSRF is off. The tricky negatives: the same helper with a True default, and a helper of
    the same name that never reads the environment (its second argument is not a default)."""
    helper = ('import os\n\ndef bool_env(var_name, default=False):\n    test_val = os.getenv(var_name, default)\n'
              '    if test_val in ("False", "false", "0", "no"):\n        return False\n    return bool(test_val)\n\n')
    files = {
        "config.py": helper + 'class BaseConfig:\n    WTF_CSRF_ENABLED = bool_env("WTF_CSRF_ENABLED", False)\n',
        "on/config.py": helper + 'class BaseConfig:\n    WTF_CSRF_ENABLED = bool_env("WTF_CSRF_ENABLED", True)\n',
        "other/config.py": ('def to_bool(value, fallback):\n    return fallback if value is None else value == "1"\n\n'
                            'class BaseConfig:\n    WTF_CSRF_ENABLED = to_bool(LOADED.get("csrf"), False)\n'),
    }
    assert scan(files) == [("PF211", "config.py", 10, 24, "high")]
    assert [(f.column, f.severity.value) for f in scan.findings] == [(24, "high")]
    assert "when WTF_CSRF_ENABLED is unset" in scan.findings[0].message


# ---- inspect: the loaded app's CSRFProtect exemptions ---------------------------------------------------------
# Real Flask apps with real Flask-WTF: the runtime check reads ``app.extensions["csrf"]``'s exempt views and
# blueprints and maps them onto the URL map. Each positive also posts without a token, to show Flask-WTF itself
# lets the request through (and a protected endpoint of the same app answers 400).

WTF = QUIET + "from flask import session, request\nfrom flask_wtf.csrf import CSRFProtect\ncsrf = CSRFProtect(app)\n"


def line_of(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if needle in t)


def posts(app, path: str) -> int:
    return app.test_client().post(path).status_code


def test_runtime_view_exempted_with_the_decorator(inspect_app):
    src = WTF + """\
@app.route("/transfer", methods=["GET", "POST"])
@csrf.exempt
def transfer():
    session["balance"] = request.form.get("amount")
    return "ok"

@app.post("/orders")
def create_order():
    return "ok"
"""
    assert inspect_app(src) == [("PF211", "main.py", 21, 1, "high")]
    finding = inspect_app.only("PF211")
    assert finding.severity.value == "high"  # uses the session, like the static check grades it
    assert finding.message.startswith(f"View `{inspect_app.loaded[-1]}.main.transfer` (endpoint `transfer`) accepts "
                                      f"POST and is exempt from CSRF protection in the loaded app: it relies on the "
                                      f"session/logged-in user")
    assert finding.evidence == (f"CSRFProtect exempt view '{inspect_app.loaded[-1]}.main.transfer'; "
                                f"url_map: /transfer -> transfer [POST]")
    assert finding.snippet == "def transfer():"
    assert (posts(inspect_app.app, "/transfer"), posts(inspect_app.app, "/orders")) == (200, 400)


def test_runtime_view_exempted_by_dotted_string(inspect_app):
    src = WTF + """\
@app.route("/api/items/<int:id>", methods=["PUT", "DELETE"])
def change_item(id):
    return "ok"

csrf.exempt("{pkg}.main.change_item")
"""
    assert inspect_app(src) == [("PF211", "main.py", 20, 1, "medium")]
    finding = inspect_app.only("PF211")
    assert finding.severity.value == "medium"  # nothing shows session use: may be a token API
    assert "accepts DELETE/PUT and is exempt" in finding.message
    assert "endpoints authenticated by a token header do not need CSRF protection" in finding.message
    assert finding.evidence.endswith("url_map: /api/items/<int:id> -> change_item [DELETE, PUT]")
    assert inspect_app.app.test_client().delete("/api/items/1").status_code == 200


def test_runtime_whole_blueprint_exempted(inspect_app):
    api = """\
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

@bp.post("/items")
def create_item():
    return "ok"

@bp.patch("/items/<int:id>")
def patch_item(id):
    return "ok"

@bp.get("/items")
def list_items():
    return "[]"
"""
    src = WTF + "from .api import bp\napp.register_blueprint(bp)\ncsrf.exempt(bp)\n"
    assert inspect_app(src, files={"api.py": api}) == [("PF211", "api.py", 3, 1, "medium")]  # the Blueprint( line
    finding = inspect_app.only("PF211")
    assert finding.severity.value == "medium"  # like the static check's csrf.exempt(bp)
    assert finding.message == ("Blueprint `api` is exempt from CSRF protection in the loaded app: its 2 "
                               "state-changing endpoints (`api.create_item`, `api.patch_item`) accept cross-site form "
                               "posts; fine only for endpoints that do not use the session cookie.")
    assert finding.evidence == ("CSRFProtect exempt blueprint 'api'; url_map: /api/items -> api.create_item [POST]; "
                                "/api/items/<int:id> -> api.patch_item [PATCH]")
    assert posts(inspect_app.app, "/api/items") == 200


def test_runtime_exempt_view_inside_a_blueprint(inspect_app):
    shop = """\
from flask import Blueprint, session
from {pkg}.main import csrf

shop = Blueprint("shop", __name__)

@shop.route("/checkout", methods=["POST"])
@csrf.exempt
def checkout():
    return session.get("cart", "")

@shop.post("/cart")
def add_to_cart():
    return "ok"
"""
    src = WTF + "from .shop import shop\napp.register_blueprint(shop)\n"
    assert inspect_app(src, files={"shop.py": shop}) == [("PF211", "shop.py", 8, 1, "high")]
    finding = inspect_app.only("PF211")
    assert finding.severity.value == "high"
    assert "(endpoint `shop.checkout`) accepts POST" in finding.message
    assert (posts(inspect_app.app, "/checkout"), posts(inspect_app.app, "/cart")) == (200, 400)


def test_runtime_webhook_verifying_a_signature_is_low(inspect_app):
    src = WTF + """\
import hmac

@app.post("/hooks/github")
@csrf.exempt
def github_hook():
    if not hmac.compare_digest(request.headers.get("X-Hub-Signature-256", ""), "x"):
        return "bad", 400
    return "ok"
"""
    assert inspect_app(src) == [("PF211", "main.py", 23, 1, "low")]
    assert inspect_app.only("PF211").severity.value == "low"


def test_runtime_parent_blueprint_exemption_and_nested_children(inspect_app):
    # Flask-WTF < 1.3.1 matches app.blueprints[request.blueprint] exactly, so "admin.users" is still checked;
    # from 1.3.1 children inherit a parent's exemption.
    src = WTF + """\
from flask import Blueprint
admin = Blueprint("admin", __name__, url_prefix="/admin")
users = Blueprint("users", __name__, url_prefix="/users")

@users.post("/")
def add_user():
    return "ok"

admin.register_blueprint(users)
app.register_blueprint(admin)
csrf.exempt(admin)
"""
    inherited = tuple(int(p) for p in flask_wtf.__version__.split(".")[:3] if p.isdigit()) >= (1, 3, 1)
    expected = [("PF211", "main.py", line_of(src, 'Blueprint("admin"'))] if inherited else []
    assert inspect_app(src) == []
    assert posts(inspect_app.app, "/admin/users/") == (200 if inherited else 400)


# ---- inspect negatives ----------------------------------------------------------------------------------------


def test_runtime_exempt_get_only_view_is_not_reported(inspect_app):
    src = WTF + """\
@app.route("/ping")
@csrf.exempt
def ping():
    return "pong"

@app.post("/orders")
def create_order():
    return "ok"
"""
    assert inspect_app(src) == []


def test_runtime_no_exemption_no_finding(inspect_app):
    shop = """\
from flask import Blueprint

shop = Blueprint("shop", __name__)

@shop.post("/cart")
def add_to_cart():
    return "ok"
"""
    src = WTF + "from .shop import shop\napp.register_blueprint(shop)\n@app.post('/orders')\ndef create_order():\n    return 'ok'\n"
    assert inspect_app(src, files={"shop.py": shop}) == []


def test_runtime_exemptions_without_a_registered_csrfprotect_are_not_read(inspect_app):
    # CSRFProtect() never given the app: nothing is checked at all, which the "neither ... registered" finding
    # already says (one finding at the app, not one per exemption).
    src = QUIET + """\
from flask_wtf.csrf import CSRFProtect
csrf = CSRFProtect()

@app.post("/transfer")
@csrf.exempt
def transfer():
    return "ok"
"""
    assert inspect_app(src) == [("PF211", "main.py", 2, 1, "medium")]
    assert "neither Flask-WTF's CSRFProtect nor Flask-SeaSurf is registered" in inspect_app.only("PF211").message


def test_runtime_exemptions_are_moot_when_csrf_is_switched_off(inspect_app):
    src = WTF + """\
app.config["WTF_CSRF_ENABLED"] = False

@app.post("/transfer")
@csrf.exempt
def transfer():
    return "ok"
"""
    assert inspect_app(src) == [("PF211", "main.py", 2, 1, "high")]
    assert inspect_app.only("PF211").evidence == "WTF_CSRF_ENABLED=False after loading"
