"""PF513 talisman-https-disabled: Flask-Talisman with force_https=False."""

from .runtime_apps import HARDENED_CONFIG, HEAD, inspect_app  # noqa: F401

TALISMAN = HEAD + HARDENED_CONFIG + """\
from flask_talisman import Talisman
Talisman(app, force_https={force}, content_security_policy={{"default-src": "'self'"}})
"""


def test_force_https_off_is_medium(inspect_app):
    assert inspect_app(TALISMAN.format(force=False)) == [("PF513", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF513")
    assert finding.severity.value == "medium"
    assert finding.evidence == "Talisman.force_https=False"


def test_force_https_off_behind_a_proxy_is_low(inspect_app):
    src = TALISMAN.format(force=False) + ("from werkzeug.middleware.proxy_fix import ProxyFix\n"
                                          "app.wsgi_app = ProxyFix(app.wsgi_app)\n")
    assert inspect_app(src, deploy_proxy=True) == [("PF513", "main.py", 2, 1, "low")]
    assert inspect_app.only("PF513").severity.value == "low"


def test_force_https_on_passes(inspect_app):
    assert inspect_app(TALISMAN.format(force=True)) == []
