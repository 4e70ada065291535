"""PF605: cookies the site sets without Secure, HttpOnly (session-like) or SameSite.

Pinned through the whole probe: each severity ``cookie_issues`` can give and the input that selects it
(session-like cookie without Secure on https, or without HttpOnly: high; SameSite=None without Secure:
medium; a non-session cookie without Secure, no or an invalid SameSite: low), the message and evidence
naming the cookie, its issues and the response that set it (never the value); and the near misses: Secure
but no HttpOnly vs HttpOnly but no Secure, the flag names appearing only in the value or in another
attribute, a CSRF cookie without HttpOnly, Secure not required over plain http, a deleted cookie.
"""

import httpx
import pytest

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, Site, hardened_site, ids, only, probe

URL = "https://example.com/"


def _site(*cookies):
    return hardened_site({("https", "/"): lambda r: httpx.Response(
        200, headers=[*HARDENED.items(), *(("Set-Cookie", c) for c in cookies)], text="hi")})


@pytest.mark.parametrize("cookie,issues,severity", [
    ("session=abc; Path=/", "no Secure, no HttpOnly, no SameSite", Severity.HIGH),
    ("session=abc; Secure; SameSite=Lax", "no HttpOnly", Severity.HIGH),           # Secure, not HttpOnly
    ("session=abc; HttpOnly; SameSite=Lax", "no Secure", Severity.HIGH),           # HttpOnly, not Secure
    ("remember_token=abc; Secure; SameSite=Strict", "no HttpOnly", Severity.HIGH),
    ("theme=dark; SameSite=None", "no Secure, SameSite=None without Secure (browsers reject it)", Severity.MEDIUM),
    ("theme=dark; SameSite=Lax", "no Secure", Severity.LOW),                       # not session-like
    ("theme=dark; Secure", "no SameSite", Severity.LOW),
    ("theme=dark; Secure; SameSite=Sometimes", "invalid SameSite='Sometimes'", Severity.LOW),
    ("session=Secure; HttpOnly; SameSite=Lax", "no Secure", Severity.HIGH),        # "Secure" is only the value
    ("session=abc; Path=/Secure; HttpOnly; SameSite=Lax", "no Secure", Severity.HIGH),  # ... or in the path
])
def test_cookie_issues_severity_message_and_evidence(cookie, issues, severity):
    result, _ = probe([URL], _site(cookie))
    finding = only(result, "PF605")
    name = cookie.partition("=")[0]
    assert finding.severity is severity
    assert finding.message == f"The site sets a cookie with weak flags: {name} ({issues})."
    assert finding.evidence == f"Set-Cookie: {name} on GET https://example.com/: {issues}"
    assert "abc" not in finding.message + finding.evidence and "dark" not in finding.message + finding.evidence


@pytest.mark.parametrize("cookie", [
    "session=abc; Secure; HttpOnly; SameSite=Lax; Path=/",
    "session=abc; secure; httponly; samesite=strict",                  # attribute names are case-insensitive
    "csrf_token=abc; Secure; SameSite=Strict",                         # read by JavaScript on purpose
    "XSRF-TOKEN=abc; Secure; SameSite=Lax",
    "theme=dark; Secure; SameSite=None",
    "session=; Max-Age=0",                                             # the server deletes it
    "session=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
])
def test_hardened_csrf_and_deleted_cookies_are_fine(cookie):
    result, _ = probe([URL], _site(cookie))
    assert "PF605" not in ids(result)


def test_secure_is_not_asked_of_cookies_set_over_plain_http_but_httponly_is():
    site = Site(headers={"Server": "gunicorn"})
    site.pages["/"] = lambda r: site.page(extra=[("Set-Cookie", "session=abc; SameSite=Lax")])
    result, _ = probe(["http://example.com/"], site)
    finding = only(result, "PF605")
    assert finding.severity is Severity.HIGH
    assert finding.evidence == "Set-Cookie: session on GET http://example.com/: no HttpOnly"
    site.pages["/"] = lambda r: site.page(extra=[("Set-Cookie", "theme=dark; SameSite=Lax")])
    result, _ = probe(["http://example.com/"], site)
    assert "PF605" not in ids(result)


def test_several_cookies_are_one_finding_at_the_highest_severity():
    result, _ = probe([URL], _site("theme=dark; Secure", "session=abc; Secure; SameSite=Lax",
                                   "lang=en; SameSite=None"))
    finding = only(result, "PF605")
    assert finding.severity is Severity.HIGH
    assert finding.message == ("The site sets cookies with weak flags: lang (no Secure, SameSite=None without Secure "
                               "(browsers reject it)); session (no HttpOnly); theme (no SameSite).")
    result, _ = probe([URL], _site("theme=dark; Secure", "lang=en; SameSite=None"))
    assert only(result, "PF605").severity is Severity.MEDIUM


def test_the_evidence_names_the_response_that_set_the_cookie():
    site = hardened_site()
    site.pages[("https", "/")] = lambda r: httpx.Response(
        302, headers={**HARDENED, "Location": "/home", "Set-Cookie": "session=abc; Secure; SameSite=Lax"})
    site.pages[("https", "/home")] = lambda r: site.page()
    result, _ = probe([URL], site)
    assert only(result, "PF605").evidence == "Set-Cookie: session on GET https://example.com/: no HttpOnly"
    site.pages[("https", "/")] = lambda r: httpx.Response(302, headers={**HARDENED, "Location": "/home"})
    site.pages[("https", "/home")] = lambda r: site.page(extra=[("Set-Cookie", "sid=abc; HttpOnly; SameSite=Lax")])
    result, _ = probe([URL], site)
    assert only(result, "PF605").evidence == "Set-Cookie: sid on GET https://example.com/home: no Secure"
