"""PF514 login-disabled: Flask-Login registered while LOGIN_DISABLED is on."""

import pytest

from .runtime_apps import QUIET, inspect_app  # noqa: F401

pytest.importorskip("flask_login")

LOGIN = ("from flask_login import LoginManager\nLoginManager(app)\n"
         "app.config.update(REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_SAMESITE='Lax')\n")


def test_login_disabled_with_a_login_manager_is_high(inspect_app):
    assert inspect_app(QUIET + LOGIN + "app.config['LOGIN_DISABLED'] = True\n") == [("PF514", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF514")
    assert finding.severity.value == "high"
    assert "login_required" in finding.message and "the loaded app" in finding.message
    assert finding.evidence == "LOGIN_DISABLED=True after loading, LoginManager registered"


def test_login_disabled_from_the_environment(inspect_app, monkeypatch):
    monkeypatch.setenv("FLASK_LOGIN_DISABLED", "true")
    assert inspect_app(QUIET + LOGIN + "app.config.from_prefixed_env()\n") == [("PF514", "main.py", 2, 1, "high")]


@pytest.mark.parametrize("extra", [
    LOGIN,                                                    # Flask-Login, LOGIN_DISABLED unset
    LOGIN + "app.config['LOGIN_DISABLED'] = False\n",
    "app.config['LOGIN_DISABLED'] = True\n",                  # no Flask-Login: the key does nothing
])
def test_no_finding(inspect_app, extra):
    assert inspect_app(QUIET + extra) == []
