"""PF605: cookies the site sets without Secure, HttpOnly (session-like) or SameSite."""

import httpx

from probe.test_unit import HARDENED, hardened_site, ids, probe


def _site(cookie):
    return hardened_site({("https", "/"): lambda r: httpx.Response(
        200, headers=[*HARDENED.items(), ("Set-Cookie", cookie)], text="hi")})


def test_session_cookie_without_flags_is_pf605():
    result, _ = probe(["https://example.com/"], _site("session=abc; Path=/"))
    assert "PF605" in ids(result)


def test_hardened_session_cookie_is_fine():
    result, _ = probe(["https://example.com/"], _site("session=abc; Secure; HttpOnly; SameSite=Lax; Path=/"))
    assert "PF605" not in ids(result)
