"""PF501 testing-mode-enabled: TESTING is on in the loaded app."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_testing_flag_from_a_config_class_is_high(inspect_app):
    src = QUIET + """\
class TestingConfig:
    TESTING = True
class ProductionConfig(TestingConfig):
    DEBUG = False
app.config.from_object(ProductionConfig)
"""
    assert inspect_app(src) == [("PF501", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF501")
    assert finding.severity.value == "high"
    assert finding.evidence == "app.testing is True after loading"


def test_testing_from_the_environment_is_reported(inspect_app, monkeypatch):
    monkeypatch.setenv("FLASK_TESTING", "true")
    assert inspect_app(QUIET + "app.config.from_prefixed_env()\n") == [("PF501", "main.py", 2, 1, "high")]


def test_testing_off_is_not_reported(inspect_app):
    assert inspect_app(QUIET + "app.config['TESTING'] = False\n") == []
