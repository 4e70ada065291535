"""PF507 session-lifetime-too-long: PERMANENT_SESSION_LIFETIME over 31 days."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_a_year_is_reported(inspect_app):
    src = QUIET + "from datetime import timedelta\napp.permanent_session_lifetime = timedelta(days=365)\n"
    assert inspect_app(src) == [("PF507", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF507")
    assert finding.severity.value == "low"
    assert "365 days" in finding.message


def test_seconds_are_understood(inspect_app):
    assert inspect_app(QUIET + "app.config['PERMANENT_SESSION_LIFETIME'] = 32 * 86400\n") == [("PF507", "main.py", 2, 1, "low")]


def test_flask_default_of_31_days_and_shorter_pass(inspect_app):
    assert inspect_app(QUIET) == []
    assert inspect_app(QUIET + "app.config['PERMANENT_SESSION_LIFETIME'] = 31 * 86400\n") == []
