"""PF512 cors-any-origin-with-credentials: every origin allowed together with credentials."""

from .runtime_apps import QUIET, QUIET_LINES, inspect_app  # noqa: F401


def test_app_wide_cors_with_credentials_is_high(inspect_app):
    src = QUIET + "from flask_cors import CORS\nCORS(app, supports_credentials=True)\n"
    assert inspect_app(src) == [("PF512", "main.py", 2)]
    finding = inspect_app.only("PF512")
    assert finding.severity.value == "high"
    assert finding.evidence == "CORS resources ['/*']: origins='*', supports_credentials=True"


def test_cors_from_app_config_is_read(inspect_app):
    src = QUIET + """\
from flask_cors import CORS
app.config.update(CORS_ORIGINS="*", CORS_SUPPORTS_CREDENTIALS=True)
CORS(app, resources={r"/api/*": {}})
"""
    assert inspect_app(src) == [("PF512", "main.py", 2)]
    assert "/api/*" in inspect_app.only("PF512").message


def test_cross_origin_view_points_at_the_view(inspect_app):
    src = QUIET + """\
from flask_cors import cross_origin
@app.route("/api/me")
@cross_origin(supports_credentials=True)
def me():
    return {"user": 1}
"""
    assert inspect_app(src) == [("PF512", "main.py", QUIET_LINES + 4)]
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
    assert inspect_app(src) == [("PF512", "main.py", 2)]
    assert "Origin: https://preflight-foreign-origin.invalid" in inspect_app.only("PF512").evidence


def test_wildcard_without_credentials_and_listed_origins_pass(inspect_app):
    assert inspect_app(QUIET + "from flask_cors import CORS\nCORS(app)\n") == []
    src = QUIET + "from flask_cors import CORS\nCORS(app, origins=['https://app.example.com'], supports_credentials=True)\n"
    assert inspect_app(src) == []
