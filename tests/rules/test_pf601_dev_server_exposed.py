"""PF601: the Werkzeug development server answers the deployment (Server header)."""

import httpx

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, Site, ids, only, probe


def test_werkzeug_server_header_is_pf601():
    site = Site(headers={**HARDENED, "Server": "Werkzeug/3.1.3 Python/3.12.4"})
    site.pages[("https", "/")] = lambda r: site.page()
    site.pages[("http", "/")] = lambda r: httpx.Response(301, headers={"Location": "https://example.com/"})
    result, _ = probe(["https://example.com/"], site)
    assert only(result, "PF601").severity.at_least(Severity.HIGH)


def test_gunicorn_and_waitress_are_not_the_dev_server():
    for server in ("gunicorn", "waitress"):
        site = Site(headers={**HARDENED, "Server": server})
        site.pages[("https", "/")] = lambda r, s=site: s.page()
        site.pages[("http", "/")] = lambda r: httpx.Response(301, headers={"Location": "https://example.com/"})
        result, _ = probe(["https://example.com/"], site)
        assert "PF601" not in ids(result)
