"""PF604: HTTPS responses without Strict-Transport-Security, or with a short max-age.

Pinned: each severity branch of ``_hsts`` with the header that selects it and its message (missing, no valid
max-age, max-age=0: high; under six months: medium; under one year: low), the exact boundaries (15552000 and
31536000 seconds), the evidence quoting the header, that the final response of a redirect chain is the one
judged (and named), and the near misses: ``max-age`` only as part of another token, over plain http
(browsers ignore HSTS there).
"""

import httpx
import pytest

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, Site, hardened_site, ids, only, probe

URL = "https://example.com/"
TAIL = ": a browser's first request can still go over http."


def _with_hsts(value):
    site = hardened_site()
    if value is None:
        del site.headers["Strict-Transport-Security"]
    else:
        site.headers["Strict-Transport-Security"] = value
    return site


@pytest.mark.parametrize("value,severity,message", [
    (None, Severity.HIGH, "https://example.com/ answers over https without a Strict-Transport-Security header"),
    ("", Severity.HIGH, "https://example.com/ answers over https without a Strict-Transport-Security header"),
    ("includeSubDomains", Severity.HIGH,
     "https://example.com/ sends Strict-Transport-Security without a valid max-age"),
    ("max-age=abc", Severity.HIGH, "https://example.com/ sends Strict-Transport-Security without a valid max-age"),
    ("x-max-age=31536000", Severity.HIGH,
     "https://example.com/ sends Strict-Transport-Security without a valid max-age"),
    ("max-age=0", Severity.HIGH,
     "https://example.com/ sends Strict-Transport-Security max-age=0, which switches HSTS off"),
    ("max-age=0; includeSubDomains; preload", Severity.HIGH,
     "https://example.com/ sends Strict-Transport-Security max-age=0, which switches HSTS off"),
    ("max-age=1", Severity.MEDIUM,
     "https://example.com/ sends Strict-Transport-Security max-age=1 (under six months)"),
    ("max-age=86400", Severity.MEDIUM,
     "https://example.com/ sends Strict-Transport-Security max-age=86400 (under six months)"),
    ("max-age=15551999", Severity.MEDIUM,
     "https://example.com/ sends Strict-Transport-Security max-age=15551999 (under six months)"),
    ("max-age=15552000", Severity.LOW,
     "https://example.com/ sends Strict-Transport-Security max-age=15552000 (under one year, 31536000)"),
    ("includeSubDomains; MAX-AGE = 31535999", Severity.LOW,
     "https://example.com/ sends Strict-Transport-Security max-age=31535999 (under one year, 31536000)"),
])
def test_hsts_severity_and_message(value, severity, message):
    result, _ = probe([URL], _with_hsts(value))
    finding = only(result, "PF604")
    assert finding.severity is severity
    assert finding.message == message + TAIL
    shown = (value or "").strip() or "(missing)"
    assert finding.evidence == f"GET https://example.com/ -> 200; Strict-Transport-Security: {shown}"


@pytest.mark.parametrize("value", ["max-age=31536000", "max-age=31556926", 'max-age="63072000"; preload',
                                   "includeSubDomains;max-age=63072000"])
def test_one_year_or_more_is_fine(value):
    result, _ = probe([URL], _with_hsts(value))
    assert "PF604" not in ids(result)


def test_the_final_response_of_the_redirect_chain_is_judged_and_named():
    site = hardened_site()
    site.pages[("https", "/")] = lambda r: httpx.Response(302, headers={**HARDENED, "Location": "/home"})
    no_hsts = {k: v for k, v in HARDENED.items() if k != "Strict-Transport-Security"}
    site.pages[("https", "/home")] = lambda r: httpx.Response(200, headers=no_hsts, text="home")
    result, _ = probe([URL], site)
    finding = only(result, "PF604")
    assert finding.message.startswith("https://example.com/home answers over https without")
    assert finding.evidence == "GET https://example.com/home -> 200; Strict-Transport-Security: (missing)"


def test_a_good_header_on_a_redirect_hop_does_not_cover_the_final_page():
    site = hardened_site()
    site.pages[("https", "/")] = lambda r: httpx.Response(302, headers={**HARDENED, "Location": "/home"})
    site.pages[("https", "/home")] = lambda r: site.page(headers={"Strict-Transport-Security": "max-age=60"})
    result, _ = probe([URL], site)
    assert only(result, "PF604").severity is Severity.MEDIUM


def test_plain_http_is_not_judged_for_hsts():
    site = Site(headers={k: v for k, v in HARDENED.items() if k != "Strict-Transport-Security"})
    site.pages["/"] = lambda r: site.page()
    result, _ = probe(["http://example.com/"], site)
    assert "PF604" not in ids(result) and "PF603" in ids(result)
    # an https URL redirected down to http: PF603 for the http page, no PF604
    site = hardened_site()
    site.pages[("https", "/")] = lambda r: httpx.Response(301, headers={"Location": "http://example.com/plain"})
    site.pages[("http", "/plain")] = lambda r: httpx.Response(200, headers={"Server": "gunicorn"}, text="x")
    result, _ = probe([URL], site)
    assert "PF604" not in ids(result) and "PF603" in ids(result)
