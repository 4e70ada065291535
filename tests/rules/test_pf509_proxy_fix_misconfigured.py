"""PF509 proxy-fix-misconfigured: ProxyFix trusting too many hops, or missing behind a proxy."""

from .runtime_apps import QUIET, inspect_app  # noqa: F401

PROXY = QUIET + "from werkzeug.middleware.proxy_fix import ProxyFix\n"


def test_more_than_one_hop_is_medium(inspect_app):
    src = PROXY + "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=2, x_proto=1)\n"
    assert inspect_app(src, deploy_proxy=True) == [("PF509", "main.py", 2, 1, "medium")]
    finding = inspect_app.only("PF509")
    assert finding.severity.value == "medium"
    assert finding.evidence == "app.wsgi_app: ProxyFix(x_for=2, x_proto=1)"


def test_proxy_fix_applied_twice_is_medium(inspect_app):
    src = PROXY + "app.wsgi_app = ProxyFix(ProxyFix(app.wsgi_app))\n"
    assert inspect_app(src, deploy_proxy=True) == [("PF509", "main.py", 2, 1, "medium")]
    assert "applied 2 times" in inspect_app.only("PF509").message


def test_proxy_fix_below_other_middleware_is_found(inspect_app):
    src = PROXY + """\
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.shared_data import SharedDataMiddleware
app.wsgi_app = SharedDataMiddleware(DispatcherMiddleware(ProxyFix(app.wsgi_app, x_host=3), {}), {})
"""
    assert inspect_app(src) == [("PF509", "main.py", 2, 1, "medium")]
    assert inspect_app.only("PF509").evidence == "app.wsgi_app.app.app: ProxyFix(x_for=1, x_proto=1, x_host=3)"


def test_proxy_fix_without_a_proxy_in_deploy_files_is_low(inspect_app):
    src = PROXY + "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)\n"
    assert inspect_app(src, deploy_proxy=False) == [("PF509", "main.py", 2, 1, "low")]
    assert inspect_app.only("PF509").severity.value == "low"


def test_no_proxy_fix_behind_a_proxy_is_low(inspect_app):
    assert inspect_app(QUIET, deploy_proxy=True) == [("PF509", "main.py", 2, 1, "low")]
    finding = inspect_app.only("PF509")
    assert finding.severity.value == "low"
    assert "ProxyFix(app.wsgi_app" in finding.fix_hint


def test_one_hop_behind_one_proxy_and_unknown_deploy_pass(inspect_app):
    src = PROXY + "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)\n"
    assert inspect_app(src, deploy_proxy=True) == []
    assert inspect_app(src, deploy_proxy=None) == []
    assert inspect_app(QUIET, deploy_proxy=None) == []
