"""PF310 unprotected-diagnostic-route: routes that expose internals or run request data, with no auth check."""

HEAD = """\
import os
import sys
import platform
from flask import Flask, jsonify, request, current_app, abort, render_template
app = Flask(__name__)
"""  # 5 lines; sources below start with a blank line 6


def test_environment_and_config_exposure_is_high(scan):
    src = HEAD + """
@app.route("/debug/env")
def show_env():
    return jsonify(dict(os.environ))

@app.route("/settings")
def settings():
    return jsonify({k: str(v) for k, v in current_app.config.items()})

@app.route("/cfg")
def cfg():
    return str(app.config)

@app.route("/whoami")
def whoami():
    env = {key: str(value) for key, value in request.environ.items()}
    return jsonify(env)

@app.get("/vars")
def all_vars():
    return repr(globals())
"""
    assert scan({"app.py": src}) == [
        ("PF310", "app.py", 8, 1, "high"),
        ("PF310", "app.py", 12, 1, "high"),
        ("PF310", "app.py", 16, 1, "high"),
        ("PF310", "app.py", 20, 1, "high"),
        ("PF310", "app.py", 25, 1, "high"),
    ]
    for line in (8, 12, 16, 20, 25):
        assert scan.severity("PF310", line) == "high"
    message = scan.message("PF310", 8)
    assert "`/debug/env`" in message and "`show_env`" in message and "os.environ" in message
    assert "current_app.config" in scan.message("PF310", 12)
    assert "request.environ" in scan.message("PF310", 20)


def test_version_and_platform_details_are_medium(scan):
    src = HEAD + """
@app.route("/about")
def about():
    return {"python": sys.version, "os": platform.platform(), "path": sys.path}
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 8, 1, "medium")]
    assert scan.severity("PF310", 8) == "medium"
    assert "sys.version" in scan.message("PF310", 8) and "platform.platform()" in scan.message("PF310", 8)


def test_request_data_reaching_an_evaluator_is_critical(scan):
    src = HEAD + """
import pickle, marshal, subprocess, yaml

@app.route("/calc")
def calc():
    return str(eval(request.args["expr"]))

@app.post("/run")
def run():
    code = request.form.get("code")
    exec(code)
    return "ok"

@app.route("/sh")
def sh():
    cmd = request.values["cmd"]
    return subprocess.check_output(cmd, shell=True)

@app.route("/ping")
def ping():
    host = request.args.get("host", "localhost")
    return str(os.system("ping -c 1 " + host))

@app.route("/ls")
def ls():
    return os.popen("ls " + request.cookies["dir"]).read()

@app.post("/load")
def load():
    return jsonify(pickle.loads(request.data))

@app.post("/m")
def m():
    return str(marshal.loads(request.get_data()))

@app.post("/y")
def y():
    return jsonify(yaml.load(request.data))

@app.post("/y2")
def y2():
    return jsonify(yaml.load(request.get_json()["doc"], Loader=yaml.Loader))

@app.route("/c")
def c():
    return str(compile(request.headers["X-Code"], "<x>", "exec"))

@app.route("/eval/<path:expr>")
def eval_path(expr):
    return str(eval(expr))
"""
    expected = [10, 14, 20, 25, 30, 34, 38, 42, 46, 50, 54]
    assert scan({"app.py": src}) == [
        ("PF310", "app.py", 10, 1, "critical"),
        ("PF310", "app.py", 14, 1, "critical"),
        ("PF310", "app.py", 20, 1, "critical"),
        ("PF310", "app.py", 25, 1, "critical"),
        ("PF310", "app.py", 30, 1, "critical"),
        ("PF310", "app.py", 34, 1, "critical"),
        ("PF310", "app.py", 38, 1, "critical"),
        ("PF310", "app.py", 42, 1, "critical"),
        ("PF310", "app.py", 46, 1, "critical"),
        ("PF310", "app.py", 50, 1, "critical"),
        ("PF310", "app.py", 54, 1, "critical"),
    ]
    for line in expected:
        assert scan.severity("PF310", line) == "critical"
    assert "`eval()`" in scan.message("PF310", 10) and "request.args" in scan.message("PF310", 10)
    assert "the URL parameter `expr`" in scan.message("PF310", 54)


def test_diagnostic_paths_with_computed_bodies_are_medium(scan):
    src = HEAD + """
from flask import Blueprint
import subprocess

@app.route("/debug")
def debug_page():
    return render_template("debug.html", info=collect_info())

@app.route("/admin/debug/<name>")
def admin_debug(name):
    return describe(name)

@app.route("/__debug__")
def dunder():
    return jsonify(state=get_state())

@app.route("/status/env")
def status_env():
    return jsonify(load_env_summary())

@app.route("/_internal/ping")
def internal():
    return jsonify(ok=check())

@app.route("/phpinfo.php")
def phpinfo():
    return make_info()

@app.route("/CONSOLE")
def console():
    return subprocess.run(["uptime"], capture_output=True).stdout

tools = Blueprint("tools", __name__, url_prefix="/shell")

@tools.route("/")
def shell_home():
    return jsonify(sessions=list_sessions())
"""
    expected = [11, 15, 19, 27, 31, 35, 41]  # /status/env alone is ambiguous (see the public-config test)
    assert scan({"app.py": src}) == [
        ("PF310", "app.py", 11, 1, "medium"),
        ("PF310", "app.py", 15, 1, "medium"),
        ("PF310", "app.py", 19, 1, "medium"),
        ("PF310", "app.py", 27, 1, "medium"),
        ("PF310", "app.py", 31, 1, "medium"),
        ("PF310", "app.py", 35, 1, "medium"),
        ("PF310", "app.py", 41, 1, "medium"),
    ]
    for line in expected:
        assert scan.severity("PF310", line) == "medium"
    assert "`/admin/debug/<name>`" in scan.message("PF310", 15)
    assert "`/shell/`" in scan.message("PF310", 41)


def test_diagnostic_path_that_also_exposes_internals_is_high(scan):
    src = HEAD + """
@app.route("/config")
def config_dump():
    data = dict(current_app.config)
    data.pop("SECRET_KEY", None)
    return jsonify(data)
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 8, 1, "high")]
    assert scan.severity("PF310", 8) == "high"


def test_add_url_rule_class_based_views_and_resources(scan):
    src = HEAD + """
from flask.views import MethodView
from flask_restful import Api, Resource

class EnvView(MethodView):
    def get(self):
        return jsonify(dict(os.environ))

class Shell(Resource):
    def post(self):
        return {"out": os.popen(request.json["cmd"]).read()}

def dump_config():
    return jsonify(app.config)

app.add_url_rule("/internal/env", view_func=EnvView.as_view("env"))
Api(app).add_resource(Shell, "/api/shell")
app.add_url_rule("/x", "x", dump_config)
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 11, 5, "high"), ("PF310", "app.py", 15, 5, "critical"), ("PF310", "app.py", 18, 1, "high")]
    assert scan.severity("PF310", 15) == "critical"
    assert "`EnvView.get`" in scan.message("PF310", 11)


def test_debug_only_routes_are_still_reported_as_medium(scan):
    src = HEAD + """
if app.debug:
    @app.route("/debug/env")
    def env():
        return jsonify(dict(os.environ))

    @app.route("/debug/eval")
    def ev():
        return str(eval(request.args["q"]))

if os.environ.get("FLASK_DEBUG"):
    @app.route("/config")
    def show_config():
        return jsonify(app.config)

@app.route("/env")
def guarded_by_debug():
    if not current_app.debug:
        abort(404)
    return jsonify(dict(os.environ))
"""
    assert scan({"app.py": src}) == [
        ("PF310", "app.py", 9, 5, "medium"),
        ("PF310", "app.py", 13, 5, "critical"),
        ("PF310", "app.py", 18, 5, "medium"),
        ("PF310", "app.py", 22, 1, "medium"),
    ]
    assert scan.severity("PF310", 9) == "medium"
    assert "only when `app.debug`" in scan.message("PF310", 9)
    assert scan.severity("PF310", 13) == "critical"
    assert scan.severity("PF310", 18) == "medium"
    assert scan.severity("PF310", 22) == "medium"
    assert "current_app.debug" in scan.message("PF310", 22)


def test_blueprint_registered_only_in_debug(scan):
    src = HEAD + """
from flask import Blueprint
diag = Blueprint("diag", __name__)

@diag.route("/env")
def env():
    return jsonify(dict(os.environ))

if app.config["DEBUG"]:
    app.register_blueprint(diag, url_prefix="/diag")
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 11, 1, "medium")]
    assert scan.severity("PF310", 11) == "medium"
    assert "DEBUG" in scan.message("PF310", 11)


def test_routes_in_an_app_factory_and_test_code(scan):
    src = """
        import os
        from flask import Flask, jsonify

        def create_app():
            app = Flask(__name__)

            @app.route("/env")
            def env():
                return jsonify(dict(os.environ))

            return app
        """
    assert scan({"factory.py": src, "tests/conftest.py": src}) == [("PF310", "factory.py", 8, 5, "high"), ("PF310", "tests/conftest.py", 8, 5, "low")]
    severities = sorted(f.severity.value for f in scan.findings)
    assert severities == ["high", "low"]


# ---- negatives ----------------------------------------------------------------------------------

def test_health_status_and_allowlisted_config(scan):
    src = HEAD + """
import subprocess
VERSION = "1.2.3"

@app.route("/health")
def health():
    return {"status": "ok"}

@app.route("/status")
def status():
    return jsonify(status="ok", version=VERSION)

@app.route("/config")
def public_config():
    return jsonify({"version": VERSION, "features": ["a", "b"]})

@app.route("/debug")
def debug_help():
    return render_template("debug_help.html")

@app.route("/debug-sentry")
def trigger_error():
    return 1 / 0

@app.route("/version")
def version():
    sha = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    return {"sha": sha, "name": current_app.config["APP_NAME"], "env": os.environ.get("APP_ENV", "prod")}

@app.route("/search")
def search():
    import re
    pattern = re.compile(request.args["q"])
    return jsonify(matches=find(pattern))

@app.post("/yaml")
def safe_yaml():
    import yaml
    a = yaml.load(request.data, Loader=yaml.SafeLoader)
    b = yaml.safe_load(request.data)
    return jsonify(a=a, b=b)

@app.route("/has-key")
def has_key():
    return jsonify(configured="API_KEY" in os.environ)

@app.route("/settings")
def settings_page():
    return render_template("settings.html", config=current_app.config, env=os.environ)

@app.route("/public-config")
def public_settings():
    public = {k: v for k, v in current_app.config.items() if k in ("VERSION", "LOCALE")}
    return jsonify(public, mail=app.config.get_namespace("PUBLIC_"))

@app.route("/thumb/<int:size>")
def thumb(size):
    return subprocess.check_output(["convert", "-resize", str(size), "in.png", "-"])
"""
    assert scan({"app.py": src}) == []


def test_values_handed_to_a_template_count_on_diagnostic_paths(scan):
    src = HEAD + """
@app.route("/debug")
def debug_page():
    return render_template("debug.html", env=os.environ, config=current_app.config)
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 8, 1, "high")]
    assert scan.severity("PF310", 8) == "high"


def test_guarded_routes(scan):
    src = HEAD + """
from functools import wraps
from flask import Blueprint
from flask.views import MethodView
from flask_login import login_required, current_user
from flask_httpauth import HTTPBasicAuth
from flask_jwt_extended import jwt_required
from flask_security import roles_required

auth = HTTPBasicAuth()

def admin_only(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        if not getattr(current_user, "is_admin", False):
            abort(403)
        return f(*args, **kwargs)
    return wrapper

@app.route("/debug/env")
@login_required
def env1():
    return jsonify(dict(os.environ))

@app.route("/config")
@auth.login_required
def env2():
    return jsonify(app.config)

@app.route("/eval")
@jwt_required()
def env3():
    return str(eval(request.args["q"]))

@app.route("/env4")
@roles_required("admin")
def env4():
    return jsonify(dict(os.environ))

@app.route("/env5")
@admin_only
def env5():
    return jsonify(dict(os.environ))

@app.route("/env6")
def env6():
    if not current_user.is_authenticated:
        abort(401)
    return jsonify(dict(os.environ))

@app.route("/env7")
def env7():
    if request.headers.get("X-Admin-Token") != os.environ["ADMIN_TOKEN"]:
        abort(404)
    return jsonify(dict(os.environ))

admin = Blueprint("admin", __name__, url_prefix="/admin")

@admin.before_request
def require_admin():
    if not current_user.is_authenticated or not current_user.is_admin:
        abort(403)

@admin.route("/debug")
def admin_debug():
    return jsonify(current_app.config)

class EnvView(MethodView):
    decorators = [login_required]

    def get(self):
        return jsonify(dict(os.environ))

app.add_url_rule("/envview", view_func=EnvView.as_view("envview"))
"""
    assert scan({"app.py": src}) == []


def test_app_wide_before_request_guard(scan):
    src = HEAD + """
from flask import session, redirect, url_for

@app.before_request
def require_login():
    if "user_id" not in session and request.endpoint != "login":
        return redirect(url_for("login"))

@app.route("/debug/env")
def env():
    return jsonify(dict(os.environ))
"""
    assert scan({"app.py": src}) == []


def test_blueprint_hook_protected_by_a_decorator(scan):
    src = HEAD + """
from flask import Blueprint
from flask_login import login_required
ops = Blueprint("ops", __name__, url_prefix="/ops")

@ops.before_request
@login_required
def protect():
    \"\"\"Every ops endpoint needs a login.\"\"\"

@ops.route("/env")
def env():
    return jsonify(dict(os.environ))
"""
    assert scan({"app.py": src}) == []


def test_unrelated_hooks_do_not_count_as_guards(scan):
    src = HEAD + """
import time
from flask import g

@app.before_request
def start_timer():
    g.start = time.time()

@app.route("/debug/env")
def env():
    return jsonify(dict(os.environ))
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 15, 1, "high")]


def test_debug_toolbar_and_other_frameworks_are_not_routes(scan):
    files = {
        "app.py": HEAD + "from flask_debugtoolbar import DebugToolbarExtension\ntoolbar = DebugToolbarExtension(app)\n",
        "api.py": """
            import os
            from fastapi import FastAPI
            api = FastAPI()

            @api.get("/env")
            def env():
                return dict(os.environ)
            """,
    }
    assert scan(files) == []


def test_blueprint_prefix_and_add_url_rule_in_any_order(scan):
    src = HEAD + """
from flask import Blueprint
internal = Blueprint("internal", __name__)

def dump():
    return jsonify(status=collect())

internal.add_url_rule("/state", view_func=dump)
app.register_blueprint(internal, url_prefix="/_internal")
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 10, 1, "medium")]
    assert "`/_internal/state`" in scan.message("PF310", 10)


def test_suppression_on_the_def_line(scan):
    src = HEAD + """
@app.route("/debug/env")
def show_env():  # preflight: ignore[unprotected-diagnostic-route]
    return jsonify(dict(os.environ))
"""
    assert scan({"app.py": src}) == []


def test_public_config_endpoints_reading_single_keys(scan):
    src = HEAD + """
PUBLIC_KEYS = ("APP_NAME", "SENTRY_DSN_PUBLIC")

@app.route("/config")
def public_config():
    return jsonify({k: current_app.config[k] for k in PUBLIC_KEYS})

@app.route("/config.json")
def public_config_alias():
    cfg = current_app.config
    return jsonify(app_name=cfg["APP_NAME"], features=cfg.get("FEATURE_FLAGS", {}))

@app.route("/api/env")
def api_env():
    return jsonify(env=os.environ.get("APP_ENV", "production"))
"""
    assert scan({"app.py": src}) == []


# ---- issue 14: what a real view returns ---------------------------------------------------------------------

def exact(scan, rule="PF310"):
    """(rule, path, line, column, severity) of every finding of ``rule``."""
    from pathlib import Path
    return sorted((f.rule_id, Path(f.path).relative_to(scan.root).as_posix(), f.line, f.location.column,
                   f.severity.value) for f in scan.findings if f.rule_id == rule)


def test_config_handed_to_a_helper_is_not_the_config_returned(scan):
    src = HEAD + """
from audit import search, GPGImport, send_result

@app.route("/audit")
def audit():
    rows = search(current_app.config, request.args)
    return jsonify(rows)

@app.route("/gpgkeys")
def gpg_keys():
    gpg = GPGImport(current_app.config)
    return jsonify(gpg.get_publickeys())

@app.route("/settings")
def settings():
    return send_result(current_app.config)

@app.route("/settings2")
def settings2():
    data = dict(current_app.config)
    return jsonify(data)
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 20, 1, "high"), ("PF310", "app.py", 24, 1, "high")]
    # a one-argument helper that is itself the response, and a pass-through copy, still return the config
    assert exact(scan) == [("PF310", "app.py", 20, 1, "high"), ("PF310", "app.py", 24, 1, "high")]


def test_an_attribute_of_something_called_config_is_one_value(scan):
    src = HEAD + """
from models import get_servers

@app.route("/names/radius")
def radius_names():
    return jsonify([server.config.identifier for server in get_servers()])

@app.route("/names/all")
def all_configs():
    out = []
    for app in get_servers():
        out.append(app.config)
    return jsonify(out)

@app.route("/cfg/items")
def cfg_items():
    return jsonify(list(app.config.items()))

@app.route("/cfg/attr")
def cfg_attr():
    return jsonify(name=app.config.root_path)
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 21, 1, "high")]
    # `app.config.items()` hands over every key; a loop variable named `app` is some other object
    assert exact(scan) == [("PF310", "app.py", 21, 1, "high")]


def test_debug_route_echoing_the_callers_own_request_is_not_a_leak(scan):
    src = HEAD + """
import socket
from flask import make_response
from utils import get_ip

@app.route("/debug")
def debug():
    ip = get_ip()
    headers = dict(request.headers)
    headers.pop("Cookie", None)
    resp = f"IP: {ip}\\n"
    for k, v in headers.items():
        resp += f"{k}: {v}\\n"
    r = make_response(resp)
    r.mimetype = "text/plain"
    return r

@app.route("/debug/host")
def debug_host():
    return {"host": socket.gethostname(), "ip": request.remote_addr}

@app.route("/debug/wsgi")
def debug_wsgi():
    return {"ip": request.remote_addr, "environ": str(request.environ)}
"""
    assert scan({"app.py": src}) == [("PF310", "app.py", 24, 1, "medium"), ("PF310", "app.py", 28, 1, "high")]
    # the host name is computed server-side (medium); the WSGI environ carries server variables (high)
    assert exact(scan) == [("PF310", "app.py", 24, 1, "medium"), ("PF310", "app.py", 28, 1, "high")]


def test_before_request_guard_registered_in_another_module(scan):
    files = {
        "pkg/__init__.py": """
from flask import Flask

def create_app():
    app = Flask(__name__)
    from pkg.api import system_bp, info_bp, open_bp
    for bp in (system_bp, info_bp, open_bp):
        app.register_blueprint(bp)
    return app
""",
        # a package __init__ with no Flask code in it: only re-exports
        "pkg/api/__init__.py": """
from pkg.api.system import system_bp
from pkg.api.info import info_bp
from pkg.api.open import open_bp
from pkg.api import hooks  # noqa: F401
""",
        "pkg/api/system.py": """
import os
from flask import Blueprint, jsonify
system_bp = Blueprint("system", __name__)

@system_bp.route("/env")
def env():
    return jsonify(dict(os.environ))
""",
        "pkg/api/info.py": """
import os
from flask import Blueprint, jsonify
info_bp = Blueprint("info", __name__)

@info_bp.route("/env")
def env():
    return jsonify(dict(os.environ))
""",
        "pkg/api/open.py": """
import os
from flask import Blueprint, jsonify
open_bp = Blueprint("open", __name__)

@open_bp.route("/env")
def env():
    return jsonify(dict(os.environ))
""",
        "pkg/api/hooks.py": """
from flask import abort, g, request
from pkg.api import system_bp
from pkg.api.info import info_bp
from pkg.api.open import open_bp

@system_bp.before_request
def require_admin():
    if not request.headers.get("Authorization"):
        abort(401)

@info_bp.before_request
@admin_required
def before_info():
    g.started = True

@open_bp.before_request
def remember_start():
    g.started = True

def admin_required(fn):
    return fn
""",
    }
    assert scan(files) == [("PF310", "pkg/api/open.py", 6, 1, "high")]
    # system: the guard is imported through the package's re-export; info: a hook stacked on an auth decorator;
    # open: a hook that guards nothing
    assert exact(scan) == [("PF310", "pkg/api/open.py", 6, 1, "high")]


def test_app_wide_guard_in_the_factory_covers_the_blueprints_below_it(scan):
    files = {
        "pkg/__init__.py": """
from flask import Flask, abort, session

def create_app():
    app = Flask(__name__)
    from pkg.views import bp
    app.register_blueprint(bp)
    app.before_request(require_login)
    return app

def require_login():
    if "user" not in session:
        abort(401)
""",
        "pkg/views.py": """
import os
from flask import Blueprint, jsonify
bp = Blueprint("views", __name__)

@bp.route("/env")
def env():
    return jsonify(dict(os.environ))
""",
        # another app scanned alongside: the first app's guard does not protect it
        "tools/views.py": """
import os
from flask import Flask, jsonify
app = Flask(__name__)

@app.route("/env")
def env():
    return jsonify(dict(os.environ))
""",
    }
    assert scan(files) == [("PF310", "tools/views.py", 6, 1, "high")]
    assert exact(scan) == [("PF310", "tools/views.py", 6, 1, "high")]
