"""PF603: plain http is served without a redirect to https.

Pinned: high severity; the message and evidence for each branch (an http URL served with 2xx, the http twin of an
https URL answering 2xx, the twin redirecting to a non-https target, relative or scheme-relative); and the near
misses that are notes, not findings: the twin redirecting to https (any letter case), to https on another host,
answering an error status, refusing the connection, an http URL that answers 404 or reaches https through an
http hop, and an https URL with a port (no twin requested).
"""

import httpx
import pytest

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, Site, _refused, hardened_site, ids, only, probe

HTTPS = "https://example.com/"


def _twin(response):
    return hardened_site({("http", "/"): lambda r: response})


def test_http_variant_answering_200_is_pf603_high():
    result, _ = probe([HTTPS], _twin(httpx.Response(200, headers=HARDENED, text="hello")))
    finding = only(result, "PF603")
    assert finding.severity is Severity.HIGH
    assert finding.message == ("http://example.com/ answers 200 over plain http instead of redirecting to https: "
                               "pages and cookies travel in clear text.")
    assert finding.evidence == "GET http://example.com/ -> 200"
    assert finding.path == HTTPS


@pytest.mark.parametrize("location,shown", [
    ("http://www.example.com/", "http://www.example.com/"),  # another http URL
    ("/login", "/login"),                                    # relative: resolved against http://example.com/
    ("//example.com/", "//example.com/"),                    # scheme-relative: stays on http
    ("ftp://example.com/", "ftp://example.com/"),
])
def test_http_variant_redirecting_anywhere_but_https_is_pf603(location, shown):
    result, _ = probe([HTTPS], _twin(httpx.Response(302, headers={"Location": location})))
    finding = only(result, "PF603")
    assert finding.severity is Severity.HIGH
    assert finding.message == (f"http://example.com/ redirects to {shown}, not to https: pages and cookies travel "
                               f"in clear text.")
    assert finding.evidence == "GET http://example.com/ -> 302"


@pytest.mark.parametrize("location", ["https://example.com/", "HTTPS://EXAMPLE.COM/", "https://example.com/home"])
def test_http_variant_redirecting_to_https_is_fine(location):
    for status in (301, 302, 303, 307, 308):
        result, (report,) = probe([HTTPS], _twin(httpx.Response(status, headers={"Location": location})))
        assert "PF603" not in ids(result), (status, location)
        assert report.notes == []


def test_https_on_another_host_is_a_note_not_a_finding():
    result, (report,) = probe([HTTPS], _twin(httpx.Response(301, headers={"Location": "https://www.example.org/"})))
    assert "PF603" not in ids(result)
    assert report.notes == ["http://example.com/ redirects to https on another host (https://www.example.org/)"]


@pytest.mark.parametrize("status", [400, 403, 404, 421, 500, 503])
def test_http_variant_answering_an_error_is_a_note_not_a_finding(status):
    result, (report,) = probe([HTTPS], _twin(httpx.Response(status, headers=HARDENED, text="no")))
    assert "PF603" not in ids(result)
    assert f"http://example.com/ answered {status} without a redirect to https" in report.notes


def test_a_redirect_status_without_location_is_not_a_redirect():
    result, (report,) = probe([HTTPS], _twin(httpx.Response(301, headers=HARDENED)))
    assert "PF603" not in ids(result)
    assert "http://example.com/ answered 301 without a redirect to https" in report.notes


def test_refused_plain_http_is_a_note():
    good = hardened_site()

    def handler(request):
        if request.url.scheme == "http":
            raise _refused()
        return good(request)

    result, (report,) = probe([HTTPS], handler)
    assert result.findings == []
    assert any(n.startswith("http://example.com/ did not answer") and n.endswith(": no plain-http service")
               for n in report.notes)


def test_https_url_with_a_port_does_not_judge_plain_http():
    site = hardened_site()
    site.pages[("http", "/")] = lambda r: httpx.Response(200, headers=HARDENED, text="hello")
    result, _ = probe(["https://example.com:8443/"], site)
    assert "PF603" not in ids(result)


def test_plain_http_url_served_with_200_is_pf603():
    site = Site(headers={k: v for k, v in HARDENED.items() if k != "Strict-Transport-Security"})
    site.pages["/"] = lambda r: site.page()
    result, _ = probe(["http://example.com/"], site)
    finding = only(result, "PF603")
    assert finding.severity is Severity.HIGH
    assert finding.message == ("http://example.com/ is served over plain http (200) without a redirect to https: "
                               "pages and cookies travel in clear text.")
    assert finding.evidence == "GET http://example.com/ -> 200"


def test_plain_http_url_redirected_within_http_names_the_chain():
    site = Site()
    site.pages[("http", "/")] = lambda r: httpx.Response(301, headers={"Location": "http://example.com/home"})
    site.pages[("http", "/home")] = lambda r: site.page()
    result, _ = probe(["http://example.com/"], site)
    finding = only(result, "PF603")
    assert finding.message.startswith("http://example.com/home is served over plain http (200)")
    assert finding.evidence == "GET http://example.com/ -> 301 http://example.com/home -> 200"


def test_plain_http_url_answering_404_is_a_note_not_a_finding():
    site = Site()
    site.pages["/"] = lambda r: site.page(404, text="no")
    result, (report,) = probe(["http://example.com/"], site)
    assert "PF603" not in ids(result)
    assert "http://example.com/ answered 404 over plain http" in report.notes


def test_http_url_reaching_https_directly_is_fine_and_through_an_http_hop_is_a_note():
    site = hardened_site()
    result, (report,) = probe(["http://example.com/"], site)
    assert "PF603" not in ids(result) and report.notes == []
    site = hardened_site()
    site.pages[("http", "/")] = lambda r: httpx.Response(301, headers={"Location": "http://www.example.com/"})
    site.pages[("http", "www.example.com", "/")] = lambda r: httpx.Response(
        301, headers={"Location": "https://www.example.com/"})
    site.pages[("https", "www.example.com", "/")] = lambda r: site.page()
    result, (report,) = probe(["http://example.com/"], site)
    assert "PF603" not in ids(result)
    assert ("http://example.com/ reaches https only after a redirect that stays on http (301 "
            "http://www.example.com/)") in report.notes
