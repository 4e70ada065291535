"""The inspect checks on real Flask apps: existing rule ids reported at runtime (PF101, PF104, PF210, PF211,
PF301, PF302, PF310), the hardened app with zero findings, and robustness (hanging, raising and exiting views,
no mutation of the app). Per-rule behaviour of PF501-PF513 is in tests/rules/test_pf5*.py."""

from __future__ import annotations

import secrets
import threading

import pytest
from flask import Flask

from flask_preflight.rules import REGISTRY
from flask_preflight.runtime import check_client
from flask_preflight.runtime.checks import check_app, run_checks
from flask_preflight.runtime.context import AppContext
from rules.runtime_apps import HARDENED_CONFIG, HEAD, QUIET, QUIET_LINES, inspect_app  # noqa: F401

FLASK_31 = "TRUSTED_HOSTS" in Flask.default_config  # Flask >= 3.1

HARDENED = """\
import secrets
from flask import Flask, request
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

app = Flask(__name__)
app.config.update(
    SECRET_KEY=secrets.token_hex(32),
    SESSION_COOKIE_SECURE=True,
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    MAX_CONTENT_LENGTH=8 * 1024 * 1024,
    TRUSTED_HOSTS=["shop.example.com", ".shop.example.com"],
    PREFERRED_URL_SCHEME="https",
)
Talisman(
    app,
    force_https=True,
    content_security_policy={"default-src": "'self'", "img-src": ["'self'", "data:"]},
    frame_options="DENY",
    referrer_policy="strict-origin-when-cross-origin",
)
CSRFProtect(app)

@app.route("/")
def index():
    return "<h1>shop</h1>"

@app.route("/cart", methods=["GET", "POST"])
def cart():
    return {"items": request.form.getlist("item")}

@app.delete("/cart/<int:item>")
def remove(item):
    return "", 204

@app.route("/healthz")
def health():
    return {"ok": True}
"""


# Before Flask 3.1 TRUSTED_HOSTS does nothing, so the hardened app lacks host validation there.
HARDENED_EXPECTED = [] if FLASK_31 else [("PF505", "main.py", 6, 1, "medium")]


def test_hardened_app_has_zero_findings(inspect_app):
    assert inspect_app(HARDENED) == []
    assert inspect_app.notes == []


def test_hardened_app_through_check_app_entry_point(inspect_app):
    app, main = inspect_app.load(HARDENED)
    findings = check_app(app, AppContext(target="shop:app", target_path=str(main), target_line=6))
    assert [(f.rule_id, f.line) for f in findings] == [(r, n) for r, _, n in HARDENED_EXPECTED]


def test_a_default_flask_app_gets_the_production_checklist(inspect_app):
    src = """\
from flask import Flask
app = Flask(__name__)

@app.route("/")
def index():
    return "hello"

@app.post("/contact")
def contact():
    return "thanks"
"""
    assert inspect_app(src) == [
        ("PF210", "main.py", 2, 1, "medium"),
        ("PF211", "main.py", 2, 1, "medium"),
        ("PF502", "main.py", 2, 1, "medium"),
        ("PF504", "main.py", 2, 1, "medium"),
        ("PF505", "main.py", 2, 1, "medium"),
        ("PF506", "main.py", 2, 1, "medium"),
        ("PF508", "main.py", 2, 1, "low"),
    ]
    sev = {f.rule_id: f.severity.value for f in inspect_app.findings}
    assert sev == {"PF210": "medium", "PF211": "medium", "PF502": "medium", "PF504": "medium",
                   "PF505": "medium" if FLASK_31 else "low", "PF506": "medium", "PF508": "low"}


def test_config_loaded_from_an_env_var_named_file_is_what_gets_checked(inspect_app, tmp_path, monkeypatch):
    settings = tmp_path / "production.cfg"
    settings.write_text("DEBUG = True\nSECRET_KEY = 'supersecretkey'\n", encoding="utf-8")
    monkeypatch.setenv("SHOP_SETTINGS", str(settings))
    src = """\
from flask import Flask
def create_app():
    app = Flask(__name__)
    app.config.from_envvar("SHOP_SETTINGS")
    return app
app = create_app()
"""
    got = inspect_app(src)
    assert ("PF101", "main.py", 3, 1, "high") in got and ("PF503", "main.py", 3, 1, "critical") in got
    assert inspect_app.only("PF503").severity.value == "critical"


def test_every_reported_rule_lists_inspect_in_its_modes(inspect_app):
    src = """\
import os
from flask import Flask, jsonify
from werkzeug.debug import DebuggedApplication
app = Flask(__name__)
app.debug = True
app.config.update(TESTING=True, SECRET_KEY="dev", PROPAGATE_EXCEPTIONS=True)
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)

@app.route("/")
def index():
    raise RuntimeError("boom")

@app.route("/debug/env")
def env():
    return jsonify(dict(os.environ))

@app.post("/x")
def x():
    return ""
"""
    assert inspect_app(src) == [
        ("PF101", "main.py", 4, 1, "high"),
        ("PF104", "main.py", 4, 1, "critical"),
        ("PF210", "main.py", 4, 1, "medium"),
        ("PF211", "main.py", 4, 1, "medium"),
        ("PF301", "main.py", 10, 1, "high"),
        ("PF302", "main.py", 4, 1, "medium"),
        ("PF310", "main.py", 14, 1, "medium"),
        ("PF501", "main.py", 4, 1, "high"),
        ("PF503", "main.py", 4, 1, "critical"),
        ("PF504", "main.py", 4, 1, "medium"),
        ("PF505", "main.py", 4, 1, "medium"),
        ("PF506", "main.py", 4, 1, "medium"),
        ("PF508", "main.py", 4, 1, "low"),
    ]
    ids = set(inspect_app.ids())
    assert {"PF101", "PF104", "PF211", "PF301", "PF302", "PF310", "PF501", "PF503"} <= ids
    for rule_id in ids:
        assert "inspect" in REGISTRY[rule_id].modes, rule_id


# ---- PF101 / PF104 ----------------------------------------------------------------------------------------


def test_debug_mode_after_loading_is_pf101_with_the_issue_evidence(inspect_app):
    assert inspect_app(QUIET + "app.debug = True\n") == [("PF101", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF101")
    assert finding.evidence == "app.debug is True after loading"
    assert finding.severity.value == "high"


def test_debug_from_flask_debug_env_is_pf101(inspect_app, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert inspect_app(QUIET) == [("PF101", "main.py", 2, 1, "high")]
    assert "FLASK_DEBUG" in inspect_app.only("PF101").message


def test_debugger_middleware_is_pf104_critical_with_evalex(inspect_app):
    src = QUIET + """\
from werkzeug.debug import DebuggedApplication
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
"""
    assert inspect_app(src) == [("PF104", "main.py", 2, 1, "critical")]
    finding = inspect_app.only("PF104")
    assert finding.severity.value == "critical"
    assert finding.evidence == "app.wsgi_app: DebuggedApplication(evalex=True)"


def test_debugger_without_evalex_and_pin_off_are_described(inspect_app, monkeypatch):
    src = QUIET + """\
from werkzeug.debug import DebuggedApplication
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=False)
"""
    assert inspect_app(src) == [("PF104", "main.py", 2, 1, "high")]
    assert inspect_app.only("PF104").severity.value == "high"
    monkeypatch.setenv("WERKZEUG_DEBUG_PIN", "off")
    assert inspect_app(src.replace("evalex=False", "evalex=True")) == [("PF104", "main.py", 2, 1, "critical")]
    assert inspect_app.only("PF104").evidence == "app.wsgi_app: DebuggedApplication(evalex=True, PIN off)"
    assert "PIN is disabled" in inspect_app.only("PF104").message


def test_debugger_inside_a_dispatcher_mount_is_found(inspect_app):
    src = QUIET + """\
from werkzeug.debug import DebuggedApplication
from werkzeug.middleware.dispatcher import DispatcherMiddleware
admin = Flask("admin")
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/admin": DebuggedApplication(admin.wsgi_app, evalex=True)})
"""
    assert ("PF104", "main.py", 2, 1, "critical") in inspect_app(src)
    assert inspect_app.only("PF104").evidence == (
        "app.wsgi_app.mounts['/admin']: DebuggedApplication(evalex=True)")
    assert "the app mounted at /admin" in inspect_app.only("PF104").message
    # the mounted app's own configuration is checked too, and named
    assert all("mounted at /admin" in f.message for f in inspect_app.findings)


def test_custom_middleware_attributes_are_walked(inspect_app):
    src = QUIET + """\
from werkzeug.debug import DebuggedApplication
class Timing:
    def __init__(self, application):
        self.application = application
    def __call__(self, environ, start_response):
        return self.application(environ, start_response)
app.wsgi_app = Timing(DebuggedApplication(app.wsgi_app, evalex=True))
"""
    assert inspect_app(src) == [("PF104", "main.py", 2, 1, "critical")]
    assert inspect_app.only("PF104").evidence.startswith("app.wsgi_app.application: ")


# ---- PF210 ------------------------------------------------------------------------------------------------


def test_session_cookie_flags_are_one_finding_with_the_worst_severity(inspect_app):
    src = QUIET + "app.config.update(SESSION_COOKIE_SECURE=False, SESSION_COOKIE_HTTPONLY=False)\n"
    assert inspect_app(src) == [("PF210", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF210")
    assert finding.severity.value == "medium"
    assert finding.evidence == "SESSION_COOKIE_SECURE=False, SESSION_COOKIE_HTTPONLY=False after loading"


def test_samesite_none_unset_is_low_and_string_none_is_medium(inspect_app):
    assert inspect_app(QUIET + "app.config['SESSION_COOKIE_SAMESITE'] = None\n") == [("PF210", "main.py", 2, 1, "low")]
    assert inspect_app.only("PF210").severity.value == "low"
    assert inspect_app(QUIET + "app.config['SESSION_COOKIE_SAMESITE'] = 'None'\n") == [("PF210", "main.py", 2, 1, "medium")]
    assert inspect_app.only("PF210").severity.value == "medium"


def test_remember_cookie_is_checked_only_with_flask_login(inspect_app):
    src = QUIET + "from flask_login import LoginManager\nLoginManager(app)\n"
    assert inspect_app(src) == [("PF210", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF210")
    assert "remember-me" in finding.message
    assert finding.evidence == "REMEMBER_COOKIE_SECURE=False, REMEMBER_COOKIE_SAMESITE=None after loading"
    fixed = src + "app.config.update(REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_SAMESITE='Lax')\n"
    assert inspect_app(fixed) == []


def test_talisman_session_cookie_secure_counts_as_secure(inspect_app):
    src = HEAD + HARDENED_CONFIG + """\
app.config["SESSION_COOKIE_SECURE"] = False
from flask_talisman import Talisman
Talisman(app, content_security_policy={"default-src": "'self'"})
"""
    assert inspect_app(src) == []
    unforced = src.replace('"\'self\'"})', '"\'self\'"}, session_cookie_secure=False)')
    assert inspect_app(unforced) == [("PF210", "main.py", 2, 1, "medium")]


# ---- PF211 ------------------------------------------------------------------------------------------------


STATE_CHANGING = """\
@app.post("/orders")
def create_order():
    return "ok"
@app.route("/orders/<int:id>", methods=["PUT", "DELETE"])
def change_order(id):
    return "ok"
@app.get("/orders")
def list_orders():
    return "[]"
"""


def test_state_changing_endpoints_without_csrf_are_counted(inspect_app):
    assert inspect_app(QUIET + STATE_CHANGING) == [("PF211", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF211")
    assert finding.severity.value == "medium"
    assert finding.message.startswith("2 endpoints accept POST/PUT/PATCH/DELETE (`change_order`, `create_order`)")
    assert "JSON APIs are counted too" in finding.message


def test_csrfprotect_satisfies_pf211(inspect_app):
    src = QUIET + STATE_CHANGING + "from flask_wtf.csrf import CSRFProtect\nCSRFProtect(app)\n"
    assert inspect_app(src) == []


def test_seasurf_found_by_its_bound_hooks_satisfies_pf211(inspect_app, monkeypatch):
    # Flask-SeaSurf is not installed here; this stand-in registers itself exactly like SeaSurf.init_app does.
    import sys
    import types
    fake = types.ModuleType("flask_seasurf")
    exec("""
class SeaSurf:
    def __init__(self, app):
        app.before_request(self._before_request)
        app.after_request(self._after_request)
    def _before_request(self):
        return None
    def _after_request(self, response):
        return response
""", fake.__dict__)
    fake.SeaSurf.__module__ = "flask_seasurf"
    monkeypatch.setitem(sys.modules, "flask_seasurf", fake)
    src = QUIET + STATE_CHANGING + "from flask_seasurf import SeaSurf\nSeaSurf(app)\n"
    assert inspect_app(src) == []


def test_csrfprotect_switched_off_by_config_is_high(inspect_app):
    src = QUIET + STATE_CHANGING + ("from flask_wtf.csrf import CSRFProtect\nCSRFProtect(app)\n"
                                    "app.config['WTF_CSRF_ENABLED'] = False\n")
    assert inspect_app(src) == [("PF211", "main.py", 2, 1, "high")]
    assert inspect_app.only("PF211").severity.value == "high"
    assert inspect_app.only("PF211").evidence == "WTF_CSRF_ENABLED=False after loading"


def test_flaskform_classes_lower_pf211_to_low(inspect_app):
    src = QUIET + STATE_CHANGING + """\
from flask_wtf import FlaskForm
class OrderForm(FlaskForm):
    pass
"""
    assert inspect_app(src) == [("PF211", "main.py", 2, 1, "low")]
    assert inspect_app.only("PF211").severity.value == "low"


def test_read_only_apps_need_no_csrf(inspect_app):
    assert inspect_app(QUIET + "@app.get('/items')\ndef items():\n    return '[]'\n") == []


# ---- PF301 ------------------------------------------------------------------------------------------------


def test_traceback_in_the_404_page_points_at_the_handler(inspect_app):
    src = QUIET + """\
import traceback
@app.errorhandler(404)
def not_found(e):
    return "<pre>" + "".join(traceback.format_stack()) + "Traceback (most recent call last):</pre>", 404
"""
    assert inspect_app(src) == [("PF301", "main.py", 18, 1, "high")]
    finding = inspect_app.only("PF301")
    assert finding.severity.value == "high"
    assert finding.snippet == "def not_found(e):"
    assert "body contains 'Traceback (most recent call last)'" in finding.evidence


def test_debugger_page_for_a_failing_index_points_at_the_view(inspect_app):
    src = QUIET + """\
from werkzeug.debug import DebuggedApplication
app.debug = True
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=False)
@app.route("/")
def index():
    return 1 / 0
"""
    assert inspect_app(src) == [("PF101", "main.py", 2, 1, "high"), ("PF104", "main.py", 2, 1, "high"), ("PF301", "main.py", 20, 1, "high")]
    finding = inspect_app.only("PF301")
    assert "Werkzeug debugger's traceback page" in finding.message
    assert finding.evidence.startswith("GET https://example.com/ -> 500")


def test_generic_500_page_is_not_a_traceback(inspect_app):
    src = QUIET + """\
@app.route("/")
def index():
    return 1 / 0
"""
    assert inspect_app(src) == []


def test_traceback_text_on_a_200_page_is_not_reported(inspect_app):
    src = QUIET + """\
@app.route("/")
def index():
    return "How to read a Traceback (most recent call last): ..."
"""
    assert inspect_app(src) == []


# ---- PF302 ------------------------------------------------------------------------------------------------


def test_explicit_exception_propagation_is_pf302(inspect_app):
    src = QUIET + "app.config.update(PROPAGATE_EXCEPTIONS=True, TRAP_HTTP_EXCEPTIONS=True)\n"
    assert inspect_app(src) == [("PF302", "main.py", 2, 1, "low"), ("PF302", "main.py", 2, 1, "medium")]
    assert sorted(f.severity.value for f in inspect_app.findings) == ["low", "medium"]


# ---- PF310 ------------------------------------------------------------------------------------------------


def test_diagnostic_routes_are_reported_at_the_view(inspect_app):
    src = QUIET + """\
import os, subprocess
from flask import jsonify, request, current_app
@app.route("/debug/env")
def show_env():
    return jsonify(dict(os.environ))
@app.route("/config")
def config_dump():
    return jsonify({k: str(v) for k, v in current_app.config.items()})
@app.post("/_internal/run")
def run_cmd():
    return subprocess.check_output(request.form["cmd"], shell=True)
"""
    env, config, run = QUIET_LINES + 4, QUIET_LINES + 7, QUIET_LINES + 10
    assert inspect_app(src) == [
        ("PF211", "main.py", 2, 1, "medium"),
        ("PF310", "main.py", 19, 1, "medium"),
        ("PF310", "main.py", 22, 1, "medium"),
        ("PF310", "main.py", 25, 1, "high"),
    ]
    by_line = {f.line: f for f in inspect_app.findings if f.rule_id == "PF310"}
    assert by_line[env].severity.value == "medium" and by_line[env].snippet == "def show_env():"
    assert "`environ`" in by_line[env].message
    assert "`config`" in by_line[config].message
    assert by_line[run].severity.value == "high" and "`check_output`" in by_line[run].message


def test_guarded_and_harmless_diagnostic_routes_are_not_reported(inspect_app):
    src = QUIET + """\
import os
from functools import wraps
from flask import jsonify, abort
from flask_login import LoginManager, login_required, current_user
LoginManager(app)
app.config.update(REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_SAMESITE="Lax")

def admin_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper

@app.route("/debug/env")
@login_required
def env_for_staff():
    return jsonify(dict(os.environ))

@app.route("/console")
@admin_only
def console():
    return "ok"

@app.route("/config")
def version():
    return {"version": "1.2.3"}

@app.route("/debug-sentry")
def trigger():
    return "ok"
"""
    assert inspect_app(src) == []


def test_blueprint_before_request_guard_covers_its_routes(inspect_app):
    src = QUIET + """\
import os
from flask import Blueprint, abort, jsonify, request
ops = Blueprint("ops", __name__, url_prefix="/ops")

@ops.before_request
def require_token():
    if request.headers.get("X-Ops-Token") != os.environ.get("OPS_TOKEN"):
        abort(401)

@ops.route("/debug")
def debug_info():
    return jsonify(dict(os.environ))

app.register_blueprint(ops)
"""
    assert inspect_app(src) == []


# ---- robustness -------------------------------------------------------------------------------------------


def test_a_hanging_index_view_times_out_and_other_checks_still_run(inspect_app, monkeypatch):
    monkeypatch.setattr(check_client, "REQUEST_TIMEOUT", 0.5)
    release = threading.Event()
    src = QUIET + """\
import threading
RELEASE = None
@app.route("/")
def index():
    RELEASE.wait(30)
    return "late"
"""
    app, main = inspect_app.load(src)
    import sys
    sys.modules[app.import_name].RELEASE = release
    try:
        ctx = AppContext(target="m:app", target_path=str(main), target_line=2)
        findings, notes = run_checks(app, ctx)
    finally:
        release.set()
    assert findings == []  # headers judged on the 404 response, which has them all
    assert notes == ["GET https://example.com/ did not answer within 0.5s"]


@pytest.mark.parametrize("body", ["raise KeyError('db')", "import sys; sys.exit(3)"])
def test_an_exception_escaping_the_app_is_caught_and_noted(inspect_app, body):
    src = QUIET + f"""\
app.testing = False
app.config["PROPAGATE_EXCEPTIONS"] = True
@app.route("/")
def index():
    {body}
"""
    assert inspect_app(src) == [("PF302", "main.py", 2, 1, "medium")]
    assert len(inspect_app.notes) == 1 and inspect_app.notes[0].startswith("GET https://example.com/ raised ")


def test_a_crashing_check_group_is_a_note_not_an_abort(inspect_app, monkeypatch):
    def boom(state):
        raise RuntimeError("odd app")
    monkeypatch.setattr("flask_preflight.runtime.checks.STEPS",
                        (("config", boom),) + __import__("flask_preflight.runtime.checks", fromlist=["STEPS"]).STEPS[1:])
    assert inspect_app(QUIET + "app.wsgi_app = __import__('werkzeug.debug', fromlist=['x'])"
                       ".DebuggedApplication(app.wsgi_app)\n") == [("PF104", "main.py", 2, 1, "high")]
    assert inspect_app.notes == ["the config checks failed: RuntimeError: odd app"]


def test_the_app_is_not_mutated(inspect_app):
    app, main = inspect_app.load(HARDENED.replace("force_https=True", "force_https=False"))
    rules_before = sorted(str(r) for r in app.url_map.iter_rules())
    funcs_before = dict(app.view_functions)
    hooks_before = {k: list(v) for k, v in app.before_request_funcs.items()}
    after_before = {k: list(v) for k, v in app.after_request_funcs.items()}
    wsgi_before = app.wsgi_app
    ctx = AppContext(target="m:app", target_path=str(main), target_line=6)
    assert sorted(f.rule_id for f in check_app(app, ctx)) == sorted(["PF513"] + [r for r, _, _ in HARDENED_EXPECTED])
    assert sorted(str(r) for r in app.url_map.iter_rules()) == rules_before
    assert app.view_functions == funcs_before
    assert {k: list(v) for k, v in app.before_request_funcs.items()} == hooks_before
    assert {k: list(v) for k, v in app.after_request_funcs.items()} == after_before
    assert app.wsgi_app == wsgi_before


def test_signing_keys_never_appear_in_any_output(inspect_app):
    key = "dev-" + secrets.token_hex(4)
    src = QUIET + f"app.secret_key = {key!r}\napp.config['SECRET_KEY_FALLBACKS'] = [{key + 'x'!r}]\n"
    assert inspect_app(src) == [("PF503", "main.py", 2, 1, "high"), ("PF503", "main.py", 2, 1, "high")]
    assert inspect_app.ids() == ["PF503", "PF503"]
    for finding in inspect_app.findings:
        blob = str(finding.to_dict())
        assert key not in blob and key[2:] not in blob


def test_a_plain_flask_object_in_process_works_without_files():
    app = Flask("inline")
    app.config.update(SECRET_KEY=secrets.token_hex(32), TESTING=True)
    findings = check_app(app, AppContext(target="inline", target_path="wsgi.py", target_line=7))
    assert ("PF501", "wsgi.py", 7) in [(f.rule_id, f.path, f.line) for f in findings]


def test_distinct_findings_at_the_same_location_all_survive_filtering():
    """Config findings share the app's line: a weak key and two weak fallbacks are three findings, not one."""
    from flask import Flask

    from flask_preflight.config import Settings
    from flask_preflight.runtime.checks import check_app
    from flask_preflight.runtime.context import AppContext
    from flask_preflight.static.engine import filter_findings

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x" * 64, SECRET_KEY_FALLBACKS=["changeme", "dev"])
    found = [f for f in check_app(app, AppContext("t:app", "t.py", 3)) if f.rule_id == "PF503"]
    kept, _ = filter_findings(found, Settings())
    assert len(found) == 3 and len(kept) == 3


def test_apps_mounted_in_a_dispatcher_inside_wsgi_app_are_checked() -> None:
    from werkzeug.debug import DebuggedApplication
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.middleware.proxy_fix import ProxyFix

    frontend = Flask("frontend")
    backend = Flask("backend")
    backend.config.update(SECRET_KEY="dev", DEBUG=True)
    frontend.wsgi_app = DispatcherMiddleware(frontend.wsgi_app, {
        "/api": DebuggedApplication(ProxyFix(backend, x_for=2), evalex=True)})
    findings, _ = run_checks(frontend, AppContext(target="wsgi:frontend", target_path="wsgi.py", target_line=3))
    mounted = {f.rule_id for f in findings if "the app mounted at /api" in f.message}
    assert {"PF101", "PF104", "PF503", "PF509"} <= mounted
    assert [f.rule_id for f in findings].count("PF104") == 1


def test_outer_layers_are_checked_like_wsgi_app() -> None:
    from werkzeug.debug import DebuggedApplication
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = Flask("outer")
    served = ProxyFix(DebuggedApplication(app, evalex=False), x_for=2)
    ctx = AppContext(target="wsgi:application", target_path="wsgi.py", target_line=5,
                     outer_layers=(served, served.app))
    findings, _ = run_checks(app, ctx)
    ids = [f.rule_id for f in findings]
    assert "PF509" in ids and "PF104" in ids
    assert next(f for f in findings if f.rule_id == "PF104").severity.value == "high"
