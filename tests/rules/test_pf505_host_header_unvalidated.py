"""PF505 host-header-unvalidated: TRUSTED_HOSTS and SERVER_NAME both unset."""

import pytest
from flask import Flask

from .runtime_apps import QUIET, inspect_app  # noqa: F401

FLASK_31 = "TRUSTED_HOSTS" in Flask.default_config


@pytest.mark.skipif(not FLASK_31, reason="TRUSTED_HOSTS exists since Flask 3.1")
def test_no_host_restriction_is_medium_on_flask_31(inspect_app):
    src = QUIET + "app.config.update(TRUSTED_HOSTS=None, SERVER_NAME=None)\n"
    assert inspect_app(src) == [("PF505", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF505")
    assert finding.severity.value == "medium"
    assert finding.evidence == "TRUSTED_HOSTS=None, SERVER_NAME=None after loading"


def test_older_flask_without_trusted_hosts_is_low_and_suggests_server_name(inspect_app):
    src = QUIET + """\
from flask import Flask
class OldFlask(Flask):
    default_config = {k: v for k, v in Flask.default_config.items() if k != "TRUSTED_HOSTS"}
app2 = OldFlask(__name__)
app2.config.update(app.config)
app2.config["TRUSTED_HOSTS"] = ["example.com"]  # set, but this "Flask" does not know the setting
app2.config["SERVER_NAME"] = None
app2.after_request_funcs = app.after_request_funcs
"""
    assert inspect_app(src, attr="app2") == [("PF505", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF505")
    assert finding.severity.value == "low"
    assert "SERVER_NAME" in finding.fix_hint and "proxy" in finding.fix_hint


def test_server_name_or_trusted_hosts_is_enough(inspect_app):
    assert inspect_app(QUIET + "app.config.update(TRUSTED_HOSTS=None)\n") == []
    assert inspect_app(QUIET) == []


@pytest.mark.skipif(not FLASK_31, reason="TRUSTED_HOSTS exists since Flask 3.1")
def test_trusted_hosts_alone_is_enough_on_flask_31(inspect_app):
    assert inspect_app(QUIET + "app.config.update(SERVER_NAME=None)\n") == []
