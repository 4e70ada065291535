"""PF606: a Flask session cookie signed with a guessable key."""

import httpx

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, hardened_site, ids, only, probe


def _cookie(key, payload):
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask(__name__)
    app.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(payload)


def _site(value):
    cookie = f"session={value}; Secure; HttpOnly; SameSite=Lax; Path=/"
    return hardened_site({("https", "/"): lambda r: httpx.Response(
        200, headers=[*HARDENED.items(), ("Set-Cookie", cookie)], text="hi")})


def test_cookie_signed_with_a_placeholder_key_is_critical_and_never_printed():
    value = _cookie("changeme", {"user": "alice"})
    result, _ = probe(["https://example.com/"], _site(value))
    finding = only(result, "PF606")
    assert finding.severity is Severity.CRITICAL and "'ch'" in finding.message
    assert "alice" not in finding.message + finding.evidence and "changeme" not in finding.message


def test_cookie_signed_with_a_random_key_is_fine():
    import secrets

    result, _ = probe(["https://example.com/"], _site(_cookie(secrets.token_hex(32), {"user": "alice"})))
    assert "PF606" not in ids(result)
