"""PF512 cors-any-origin-with-credentials: every origin allowed together with credentials."""

from .runtime_apps import QUIET, QUIET_LINES, inspect_app  # noqa: F401


def test_app_wide_cors_with_credentials_is_high(inspect_app):
    src = QUIET + "from flask_cors import CORS\nCORS(app, supports_credentials=True)\n"
    assert inspect_app(src) == [("PF512", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF512")
    assert finding.severity.value == "high"
    assert finding.evidence == "CORS resources ['/*']: origins='*', supports_credentials=True"


def test_cors_from_app_config_is_read(inspect_app):
    src = QUIET + """\
from flask_cors import CORS
app.config.update(CORS_ORIGINS="*", CORS_SUPPORTS_CREDENTIALS=True)
CORS(app, resources={r"/api/*": {}})
@app.route("/api/me")
def me():
    return {"user": 1}
"""
    assert inspect_app(src) == [("PF512", "main.py", 2, 1, "high")]
    assert "/api/*" in inspect_app.only("PF512").message


def test_cross_origin_view_points_at_the_view(inspect_app):
    src = QUIET + """\
from flask_cors import cross_origin
@app.route("/api/me")
@cross_origin(supports_credentials=True)
def me():
    return {"user": 1}
"""
    assert inspect_app(src) == [("PF512", "main.py", 19, 1, "high")]
    assert inspect_app.only("PF512").snippet == "def me():"


def test_hand_written_origin_reflection_is_found_through_the_test_client(inspect_app):
    src = QUIET + """\
from flask import request
@app.after_request
def cors(resp):
    resp.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "")
    resp.headers["Access-Control-Allow-Credentials"] = "true"
    return resp
"""
    assert inspect_app(src) == [("PF512", "main.py", 2, 1, "high")]
    assert "Origin: https://preflight-foreign-origin.invalid" in inspect_app.only("PF512").evidence


def test_wildcard_without_credentials_and_listed_origins_pass(inspect_app):
    assert inspect_app(QUIET + "from flask_cors import CORS\nCORS(app)\n") == []
    src = QUIET + "from flask_cors import CORS\nCORS(app, origins=['https://app.example.com'], supports_credentials=True)\n"
    assert inspect_app(src) == []


# ---- origins an attacker controls, besides "*" --------------------------------------------------------------

API = """\
@app.route("/api/me")
def me():
    return {"user": 1}
"""


def _cors(origins: str, **extra: str) -> str:
    options = ", ".join([f"origins={origins}", "supports_credentials=True"] + [f"{k}={v}" for k, v in extra.items()])
    return QUIET + "import re\nfrom flask_cors import CORS\n" + f"CORS(app, {options})\n" + API


def test_unanchored_subdomain_regex_is_confirmed_with_a_preflight(inspect_app):
    # re.match anchors at the start only: https://x.example.com.attacker.invalid matches.
    assert inspect_app(_cors(r'[r"https://.*\.example\.com"]')) == [("PF512", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF512")
    assert finding.severity.value == "high"
    assert "https://x.example.com.attacker.invalid" in finding.message
    assert finding.evidence.startswith("OPTIONS https://example.com/api/me Origin: "
                                       "https://x.example.com.attacker.invalid -> 200, Access-Control-Allow-Origin: "
                                       "https://x.example.com.attacker.invalid, Access-Control-Allow-Credentials: true")


def test_compiled_literal_origin_is_a_regex_without_end_anchor(inspect_app):
    assert inspect_app(_cors('[re.compile("https://example.com")]')) == [("PF512", "main.py", 2, 1, "high")]
    assert "https://example.com.attacker.invalid" in inspect_app.only("PF512").message


def test_regexes_matching_every_origin(inspect_app):
    for origins in (r'r"https?://.*"', 're.compile(".+")', 'r"^.*$"'):
        assert inspect_app(_cors(origins)) == [("PF512", "main.py", 2, 1, "high")], origins
        assert "accepts any origin, e.g. https://attacker.invalid" in inspect_app.only("PF512").message


def test_anchored_regex_with_unescaped_dot_admits_a_look_alike_domain(inspect_app):
    assert inspect_app(_cors(r'r"^https://app.example.com$"')) == [("PF512", "main.py", 2, 1, "high")]
    assert "https://appxexample.com" in inspect_app.only("PF512").message


def test_regex_without_dot_before_the_domain(inspect_app):
    assert inspect_app(_cors(r'r"^https://.*example\.com$"')) == [("PF512", "main.py", 2, 1, "high")]
    assert "https://attacker" in inspect_app.only("PF512").message


def test_null_origin_with_credentials(inspect_app):
    assert inspect_app(_cors('["https://app.example.com", "null"]')) == [("PF512", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF512")
    assert "`Origin: null`" in finding.message
    assert "Origin: null -> 200, Access-Control-Allow-Origin: null" in finding.evidence


def test_per_resource_options_and_blueprints(inspect_app):
    src = QUIET + """\
from flask import Blueprint
from flask_cors import CORS
bp = Blueprint("api", __name__, url_prefix="/api")
@bp.route("/me")
def me():
    return {"user": 1}
CORS(bp, resources={r"/api/*": {"origins": [r"https://.*\\.example\\.com"], "supports_credentials": True}})
app.register_blueprint(bp)
"""
    assert inspect_app(src) == [("PF512", "main.py", 2, 1, "high")]
    assert "/api/* (blueprint api)" in inspect_app.only("PF512").message


def test_cross_origin_view_with_null_origin(inspect_app):
    src = QUIET + """\
from flask_cors import cross_origin
@app.route("/api/me")
@cross_origin(origins=["null"], supports_credentials=True)
def me():
    return {"user": 1}
"""
    assert inspect_app(src) == [("PF512", "main.py", 19, 1, "high")]
    finding = inspect_app.only("PF512")
    assert finding.snippet == "def me():"
    assert finding.evidence.startswith("OPTIONS https://example.com/api/me Origin: null -> 200")


def test_hand_written_hook_allowing_null_origin(inspect_app):
    src = QUIET + """\
from flask import request
ALLOWED = {"https://app.example.com", "null"}
@app.route("/")
def index():
    return "hi"
@app.after_request
def cors(resp):
    if request.headers.get("Origin") in ALLOWED:
        resp.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
        resp.headers["Access-Control-Allow-Credentials"] = "true"
    return resp
"""
    assert inspect_app(src) == [("PF512", "main.py", 2, 1, "high")]
    assert "OPTIONS https://example.com/ Origin: null -> 200" in inspect_app.only("PF512").evidence


def test_precise_origins_stay_silent(inspect_app):
    for origins in (r'[r"^https://app\.example\.com$"]',             # anchored and escaped
                    r'[r"^https://[a-z0-9-]+\.example\.com$"]',       # any subdomain of one's own site
                    r're.compile(r"https://app\.example\.com\Z")',
                    '["https://app.example.com", "http://localhost:5000"]',  # literal comparison
                    '"https://example.com"',                          # no regex character: compared literally
                    '".+"'):                                          # likewise: only the origin ".+" matches
        assert inspect_app(_cors(origins)) == [], origins


def test_null_or_regex_without_credentials_is_silent(inspect_app):
    for origins in ('["null"]', r'[r"https://.*\.example\.com"]', '"*"'):
        src = QUIET + f"from flask_cors import CORS\nCORS(app, origins={origins})\n" + API
        assert inspect_app(src) == [], origins


def test_resource_the_app_does_not_expose_is_silent(inspect_app):
    for origins in ('["null"]', r'[r"https://.*\.example\.com"]', '"*"'):
        src = QUIET + f"""\
from flask_cors import CORS
CORS(app, resources={{r"/api/*": {{"origins": {origins}, "supports_credentials": True}}}})
@app.route("/public")
def public():
    return "hi"
"""
        assert inspect_app(src) == [], origins


def test_first_matching_resource_wins(inspect_app):
    # /api/public/* is tried before /api/* (more slashes first), so the credentialed null origin covers no route.
    src = QUIET + """\
from flask_cors import CORS
CORS(app, resources={r"/api/*": {"origins": ["null"], "supports_credentials": True},
                     r"/api/public/*": {"origins": "*"}})
@app.route("/api/public/feed")
def feed():
    return "hi"
"""
    assert inspect_app(src) == []
