"""PF506 security-headers-missing: one finding listing the security headers `/` lacks."""

from .runtime_apps import HARDENED_CONFIG, HEAD, QUIET, inspect_app  # noqa: F401

BARE = HEAD + HARDENED_CONFIG  # 7 lines, no header layer


def test_no_header_layer_lists_everything_in_one_finding(inspect_app):
    src = BARE + """\
@app.route("/")
def index():
    return "hello"
"""
    assert inspect_app(src) == [("PF506", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF506")
    assert finding.severity.value == "medium"
    assert finding.evidence == ("GET https://example.com/ -> 200; missing: Strict-Transport-Security, "
                                "Content-Security-Policy, X-Content-Type-Options: nosniff, "
                                "X-Frame-Options or CSP frame-ancestors, Referrer-Policy")


def test_only_minor_headers_missing_is_low(inspect_app):
    src = BARE + """\
@app.after_request
def headers(resp):
    resp.headers["Strict-Transport-Security"] = "max-age=63072000"
    resp.headers["Content-Security-Policy"] = "default-src 'self'"
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    resp.headers["Referrer-Policy"] = "unsafe-url"
    return resp
"""
    assert inspect_app(src) == [("PF506", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF506")
    assert finding.severity.value == "low"
    assert finding.evidence.endswith("missing: X-Content-Type-Options: nosniff, Referrer-Policy")
    assert "404" in finding.evidence  # no route for "/": the not-found page is what clients get


def test_report_only_csp_and_zero_max_age_do_not_count(inspect_app):
    src = BARE + """\
@app.after_request
def headers(resp):
    resp.headers["Strict-Transport-Security"] = "max-age=0"
    resp.headers["Content-Security-Policy-Report-Only"] = "default-src 'self'"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp
"""
    assert inspect_app(src) == [("PF506", "main.py", 2, 1, "medium")]
    assert inspect_app.only("PF506").evidence.endswith(
        "missing: Strict-Transport-Security, Content-Security-Policy (only Content-Security-Policy-Report-Only)")


def test_talisman_headers_appear_over_https(inspect_app):
    src = BARE + """\
from flask_talisman import Talisman
Talisman(app, content_security_policy={"default-src": "'self'"}, frame_options="DENY")
@app.route("/")
def index():
    return "hello"
"""
    assert inspect_app(src) == []


def test_all_headers_present_is_quiet(inspect_app):
    assert inspect_app(QUIET) == []
