"""PF508 http-preferred-url-scheme: PREFERRED_URL_SCHEME is 'http'."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_http_scheme_is_low(inspect_app):
    assert inspect_app(QUIET + "app.config['PREFERRED_URL_SCHEME'] = 'http'\n") == [("PF508", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF508")
    assert finding.severity.value == "low"
    assert finding.evidence == "PREFERRED_URL_SCHEME='http' after loading"


def test_https_scheme_passes(inspect_app):
    assert inspect_app(QUIET) == []
