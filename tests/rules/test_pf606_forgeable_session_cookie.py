"""PF606: a Flask session cookie signed with a guessable key.

Pinned: critical severity; the message naming the cookie, the first two characters of the key, where the key
comes from and the payload keys (never a value, never the whole key); the evidence naming the response with the
value redacted; one finding per URL; and the near misses the signature check must reject: the same known key
with another salt or digest (not Flask's session signer), a tampered signature, a random key, a cookie the
server deletes.
"""

import hashlib

import httpx

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, hardened_site, ids, only, probe

URL = "https://example.com/"


def _cookie(key, payload):
    """A session cookie exactly as Flask signs it (Flask's own interface)."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask(__name__)
    app.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(payload)


def _site(*values, name="session", attrs="Secure; HttpOnly; SameSite=Lax; Path=/"):
    cookies = [("Set-Cookie", f"{name if i == 0 else f'{name}{i}'}={v}; {attrs}") for i, v in enumerate(values)]
    return hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=[*HARDENED.items(), *cookies],
                                                                   text="hi")})


def test_cookie_signed_with_a_placeholder_key_is_critical_and_never_printed():
    value = _cookie("changeme", {"user": "alice", "_fresh": True})
    result, _ = probe([URL], _site(value))
    finding = only(result, "PF606")
    assert finding.severity is Severity.CRITICAL
    assert finding.message == ("The Flask session cookie `session` is signed with a known key (starts with 'ch', from "
                               "the placeholder keys `check` knows): anyone can forge a session with any content. "
                               "Payload keys: _fresh, user.")
    assert finding.evidence == ("Set-Cookie: session=<redacted> on GET https://example.com/; signature verified "
                                "offline with a key starting 'ch' (the placeholder keys `check` knows)")
    text = finding.message + finding.evidence
    assert "alice" not in text and "changeme" not in text and "'cha" not in text and value not in text


def test_a_key_from_flasks_documentation_names_that_source():
    value = _cookie(b'_5#y2L"F4Q8z\n\xec]/', {"k": 1})
    result, _ = probe([URL], _site(value))
    finding = only(result, "PF606")
    assert finding.severity is Severity.CRITICAL
    assert "(starts with '_5', from Flask's documentation)" in finding.message


def test_only_the_first_forgeable_cookie_is_reported():
    result, _ = probe([URL], _site(_cookie("changeme", {"a": 1}), _cookie("secret", {"b": 1})))
    finding = only(result, "PF606")
    assert "`session`" in finding.message and "'ch'" in finding.message


def test_the_same_key_with_another_salt_or_digest_is_not_a_flask_session_forgery():
    from itsdangerous import URLSafeTimedSerializer

    other_salt = URLSafeTimedSerializer("changeme", salt="itsdangerous").dumps({"user": "alice"})
    sha256 = URLSafeTimedSerializer("changeme", salt="cookie-session",
                                    signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256}
                                    ).dumps({"user": "alice"})
    for value in (other_salt, sha256):
        result, _ = probe([URL], _site(value))
        assert "PF606" not in ids(result), value


def test_a_tampered_signature_is_not_verified():
    value = _cookie("changeme", {"user": "alice"})
    # change the signature's first character: the last one carries two padding bits that base64 decoding (and
    # so Flask itself) ignores, so changing only those would still verify
    head, _, sig = value.rpartition(".")
    tampered = f"{head}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    result, _ = probe([URL], _site(tampered))
    assert "PF606" not in ids(result)


def test_cookie_signed_with_a_random_key_is_fine():
    import secrets

    result, (report,) = probe([URL], _site(_cookie(secrets.token_hex(32), {"user": "alice"})))
    assert "PF606" not in ids(result)
    (crack,) = report.cracks
    assert crack.key is None and crack.complete


def test_a_deleted_session_cookie_is_not_tested():
    value = _cookie("changeme", {"user": "alice"})
    result, (report,) = probe([URL], _site(value, attrs="Secure; HttpOnly; SameSite=Lax; Max-Age=0"))
    assert "PF606" not in ids(result) and report.cracks == []
