"""PF504 request-size-unlimited: MAX_CONTENT_LENGTH is None."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_unlimited_without_body_endpoints_is_low(inspect_app):
    assert inspect_app(QUIET + "app.config['MAX_CONTENT_LENGTH'] = None\n") == [("PF504", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF504")
    assert finding.severity.value == "low"
    assert finding.evidence == "MAX_CONTENT_LENGTH=None after loading"


def test_unlimited_with_upload_endpoints_is_medium(inspect_app):
    src = QUIET + """\
from flask_wtf.csrf import CSRFProtect
CSRFProtect(app)
app.config['MAX_CONTENT_LENGTH'] = None
@app.post("/upload")
def upload():
    return "ok"
"""
    assert inspect_app(src) == [("PF504", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF504")
    assert finding.severity.value == "medium"
    assert "1 endpoint accepts request bodies (upload)" in finding.message


def test_a_limit_is_not_reported(inspect_app):
    assert inspect_app(QUIET + "app.config['MAX_CONTENT_LENGTH'] = 16 * 1024 * 1024\n") == []
