"""PF502 secret-key-missing: the loaded app has no SECRET_KEY."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_missing_key_is_medium(inspect_app):
    assert inspect_app(QUIET + "app.config['SECRET_KEY'] = None\n") == [("PF502", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF502")
    assert finding.severity.value == "medium"
    assert finding.evidence == "SECRET_KEY=None after loading"


def test_empty_key_with_flask_login_is_high(inspect_app):
    src = QUIET + """\
from flask_login import LoginManager
app.config.update(SECRET_KEY="", REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_SAMESITE="Lax")
LoginManager(app)
"""
    assert inspect_app(src) == [("PF502", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF502")
    assert finding.severity.value == "high"
    assert "Flask-Login" in finding.message
    assert finding.evidence == "SECRET_KEY=empty after loading"


def test_key_from_the_environment_is_not_reported(inspect_app, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "6b1e0f9d2c8a4e7b3f5d1c9e8a2b4d6f0e7c3a5b9d1f8e2c4a6b0d3f5e7c9a1b")
    assert inspect_app(QUIET + "app.config['SECRET_KEY'] = None\napp.config.from_prefixed_env()\n") == []
