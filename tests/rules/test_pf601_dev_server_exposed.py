"""PF601: a development server answers the deployment (Server header).

Pinned: the severity (high, the registry's; the check passes none), the message and evidence naming the
exact Server value and the response it came from, each development-server family the check knows, and the
near misses the anchored pattern must reject (a production server mentioning Werkzeug later in the header, a
product whose name only starts with "Werkzeug").
"""

import httpx
import pytest

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, Site, hardened_site, ids, only, probe


def _served_by(server):
    site = Site(headers={**HARDENED, "Server": server})
    site.pages[("https", "/")] = lambda r: site.page()
    site.pages[("http", "/")] = lambda r: httpx.Response(301, headers={"Location": "https://example.com/"})
    return site


@pytest.mark.parametrize("server", [
    "Werkzeug/3.1.3 Python/3.12.4",      # flask run, app.run()
    "werkzeug/2.0.3 Python/3.8.10",      # case does not matter
    "Werkzeug",                          # the name alone (a proxy that strips versions)
    "WSGIServer/0.2 CPython/3.12.1",     # wsgiref.simple_server
    "SimpleHTTP/0.6 Python/3.12.1",      # python -m http.server
    "BaseHTTP/0.6 Python/3.12.1",        # http.server.BaseHTTPRequestHandler
])
def test_dev_server_header_is_pf601_high_with_the_exact_header(server):
    result, _ = probe(["https://example.com/"], _served_by(server))
    finding = only(result, "PF601")
    assert finding.severity is Severity.HIGH
    assert finding.evidence == f"GET https://example.com/ -> Server: {server}"
    assert finding.message.startswith(f"The site is served by a development server (`Server: {server}`)")
    assert finding.path == "https://example.com/" and finding.line == 1


@pytest.mark.parametrize("server", [
    "gunicorn", "waitress", "uvicorn", "nginx",
    "nginx (fronting Werkzeug/3.1.3)",   # the pattern is anchored: only the server's own name counts
    "WerkzeugProxy/1.0",                 # a name that merely starts with "Werkzeug"
    "MyWSGIServer/1.0",
    "SimpleHTTPX/1.0",
])
def test_production_servers_and_near_miss_names_are_not_pf601(server):
    result, _ = probe(["https://example.com/"], _served_by(server))
    assert "PF601" not in ids(result)


def test_the_evidence_names_the_response_that_carried_the_header():
    """The main page and /console are behind gunicorn, the 404 page comes from a Werkzeug server: its URL is named."""
    site = hardened_site()
    site.default = lambda r: httpx.Response(404, headers={**HARDENED, "Server": "Werkzeug/3.1.3 Python/3.12.4"},
                                            text="nope")
    site.pages[("https", "/console")] = lambda r: httpx.Response(404, headers=HARDENED, text="nope")
    result, _ = probe(["https://example.com/"], site)
    assert only(result, "PF601").evidence == (
        "GET https://example.com/__preflight-<random> -> Server: Werkzeug/3.1.3 Python/3.12.4")


def test_the_first_dev_server_seen_is_reported_once():
    site = hardened_site()
    site.headers["Server"] = "Werkzeug/3.1.3 Python/3.12.4"
    site.pages[("https", "/console")] = lambda r: httpx.Response(
        404, headers={**HARDENED, "Server": "WSGIServer/0.2 CPython/3.12.1"}, text="nope")
    result, _ = probe(["https://example.com/"], site)
    assert only(result, "PF601").evidence == "GET https://example.com/ -> Server: Werkzeug/3.1.3 Python/3.12.4"


def test_a_long_server_header_is_cut_at_120_characters():
    server = "Werkzeug/3.1.3 " + "x" * 300
    result, _ = probe(["https://example.com/"], _served_by(server))
    assert only(result, "PF601").evidence == f"GET https://example.com/ -> Server: {server[:120]}"
