"""PF510 server-version-disclosed: Server header with a version, or X-Powered-By, set by the app."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_versioned_server_and_powered_by_headers_are_low(inspect_app):
    src = QUIET + """\
@app.after_request
def brand(resp):
    resp.headers["Server"] = "ShopAPI/2.4.1 Python/3.11"
    resp.headers["X-Powered-By"] = "Flask"
    return resp
"""
    assert inspect_app(src) == [("PF510", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF510")
    assert finding.severity.value == "low"
    assert "Server: ShopAPI/2.4.1 Python/3.11; X-Powered-By: Flask" in finding.evidence


def test_server_header_without_version_passes(inspect_app):
    src = QUIET + """\
@app.after_request
def brand(resp):
    resp.headers["Server"] = "shop"
    return resp
"""
    assert inspect_app(src) == []
