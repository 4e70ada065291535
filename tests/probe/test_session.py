"""``probe.session`` pinned exactly: parsing quoted, compressed, oversized, deeply nested and non-JSON cookies;
the wordlist reader's fast path against ``ast.literal_eval`` (backslashes, prefixes, bytes that are not UTF-8);
candidate sources and the cache; the key search's quoting, deadline and confirmation with itsdangerous; and
check_sessions' scan and limits. Offline and without the bundled wordlist, so each test takes milliseconds."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
import zlib

import pytest

from flask_preflight.findings import Location
from flask_preflight.probe import session as s

itsdangerous = pytest.importorskip("itsdangerous")

URL = "https://example.com/"
LOC = Location(URL, 1)
SIG = "A" * 27


def _sign(key, payload: bytes, *, compressed: bool = False) -> str:
    """A value signed exactly as Flask signs its session (any payload bytes)."""
    signer = itsdangerous.TimestampSigner(key, salt="cookie-session", key_derivation="hmac",
                                          digest_method=hashlib.sha1)
    body = base64.urlsafe_b64encode(zlib.compress(payload) if compressed else payload).rstrip(b"=")
    return signer.sign((b"." if compressed else b"") + body).decode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _cands(*keys: bytes) -> s.Candidates:
    c = s.Candidates(keys=list(keys), derived=[s.derive(k) for k in keys])
    c.sources = [(len(keys), "test keys")]
    return c


# ---- parse_flask_cookie -----------------------------------------------------------------------------------------


def test_a_quoted_value_is_unquoted_and_every_field_kept():
    value = _sign("k", b'{"b":1,"a":2}')
    assert s.parse_flask_cookie("sess", f'  "{value}" ', URL) == s.FlaskCookie("sess", value, ["a", "b"], False, URL)
    assert s.parse_flask_cookie("sess", value).url == ""
    assert s.parse_flask_cookie("session", '""') is None
    assert s.parse_flask_cookie("session", f'"{value}') is None


def test_compressed_payloads_are_read_up_to_64_kb():
    small = _sign("k", json.dumps({"x": "y" * 60_000}).encode(), compressed=True)
    assert s.parse_flask_cookie("session", small) == s.FlaskCookie("session", small, ["x"], True)
    big = _sign("k", json.dumps({"x": "y" * 70_000}).encode(), compressed=True)
    assert s.parse_flask_cookie("session", big) is None


def test_the_timestamp_and_the_signature_must_both_be_base64():
    payload = _b64(b'{"a":1}')
    assert s.parse_flask_cookie("session", f"{payload}.AAAAAA.{SIG}") is not None
    assert s.parse_flask_cookie("session", f"{payload}.AAAAA.{SIG}") is None       # 5 characters: not base64


def test_a_payload_nested_too_deeply_is_still_a_cookie_with_unreadable_keys():
    value = _sign("k", b"[" * 60_000, compressed=True)
    cookie = s.parse_flask_cookie("other", value, URL)
    assert cookie == s.FlaskCookie("other", value, None, True, URL, unreadable="nested too deeply to read")
    assert cookie.keys_text == "unreadable (nested too deeply to read)"


def test_a_non_json_or_non_object_payload_counts_only_under_flasks_cookie_name():
    for payload in (b"\x80\x04pickle", b"[1, 2]"):
        for compressed in (False, True):
            value = _sign("k", payload, compressed=compressed)
            cookie = s.parse_flask_cookie("session", value, URL)
            assert cookie == s.FlaskCookie("session", value, None, compressed, URL), payload
            assert cookie.keys_text == "not JSON"
            assert s.parse_flask_cookie("sid", value, URL) is None, payload
    assert s.parse_flask_cookie("x", _sign("k", b"{}")).keys_text == "none"


# ---- candidates -------------------------------------------------------------------------------------------------


def test_placeholder_spellings_of_a_two_word_key():
    keys = s.placeholder_keys()
    for k in ("secret", "SECRET", "Secret", "devkey", "DEVKEY", "Devkey", "dev-key", "DEV-KEY", "Dev-key", "Dev-Key", "dev_key", "DEV_KEY",
              "dev key", "Dev Key", "DEV KEY", "DevKey"):
        assert k in keys, k
    assert "XX XX" not in " ".join(keys)


def test_to_bytes_and_key_hint():
    assert s._to_bytes("k\udcffey") == b"k\xffey"
    assert s._to_bytes(b"\xff") == b"\xff" and s._to_bytes(12) == b"12"
    assert s.key_hint(b"\x00abc") == "\\x00a"
    assert s.key_hint("é€x".encode()) == "é€"
    assert s.key_hint(b"\xffz") == "\ufffdz"


def test_wordlist_fast_path_agrees_with_literal_eval_and_keeps_undecodable_bytes(tmp_path):
    f = tmp_path / "w.txt"
    f.write_bytes(b"'simple'\n'\xff'\n'tab\\there'\nB'\\x41'\nR'a\\b'\nU'x'\nabca\nXmasX\nplain \xfe\n"
                  b"b'\\x00bytes'\n\"it's\"\n")
    assert s.read_wordlist(str(f)) == [b"simple", b"\xff", b"tab\there", b"A", b"a\\b", b"x", b"abca", b"XmasX",
                                       b"plain \xfe", b"\x00bytes", b"it's"]
    assert s.read_wordlist(str(f), keep_raw=True) == [
        b"simple", b"'simple'", b"\xff", b"'\xff'", b"tab\there", b"'tab\\there'", b"A", b"B'\\x41'", b"a\\b",
        b"R'a\\b'", b"x", b"U'x'", b"abca", b"XmasX", b"plain \xfe", b"\x00bytes", b"b'\\x00bytes'", b"it's",
        b"\"it's\""]


def test_sources_cache_and_which_lists_keep_quoted_lines(tmp_path, monkeypatch):
    mine = tmp_path / "mine.txt"
    mine.write_text("'quoted-key'\nchangeme\n", encoding="utf-8")
    bundled = tmp_path / "bundled.txt"
    bundled.write_text("'bundled-key'\nsecret\n", encoding="utf-8")
    monkeypatch.setattr(s, "bundled_wordlist_path", lambda: str(bundled))
    cands = s.load_candidates([str(mine)])
    assert s.load_candidates([str(mine)]) is cands
    first = cands.keys.index(b"changeme")
    assert cands.source_of(first) == "the placeholder keys `check` knows"
    doc = cands.keys.index(b"5f352379324c22463451387a0aec5d2f")
    assert cands.source_of(doc) == "Flask's documentation"
    assert cands.source_of(cands.keys.index(b"quoted-key")) == f"--secret-wordlist {mine}"
    assert cands.source_of(cands.keys.index(b"'quoted-key'")) == f"--secret-wordlist {mine}"
    assert cands.keys.count(b"changeme") == 1
    assert cands.keys[-1] == b"bundled-key" and b"'bundled-key'" not in cands.keys
    assert cands.source_of(len(cands) - 1) == "the flask-unsign wordlist"
    assert cands.derived == [s.derive(k) for k in cands.keys]
    placeholders = cands.sources[0][0]
    assert b"changeme" in cands.keys[:placeholders] and b"None" not in cands.keys


def test_source_of_ends_are_exclusive_and_past_the_last_is_a_wordlist():
    c = s.Candidates(keys=[b"a", b"b", b"c"], sources=[(2, "first"), (3, "second")])
    assert [c.source_of(i) for i in range(4)] == ["first", "first", "second", "a wordlist"]


def test_mtime_of_a_missing_file():
    assert s._mtime("/nonexistent/wordlist.txt") == (0.0, 0)


# ---- search, confirm, crack, check_sessions ---------------------------------------------------------------------


def test_search_strips_quotes_and_replaces_non_ascii():
    cands = _cands(b"x", b"secret")
    value = _sign("secret", b'{"a":1}')
    assert s.search_key(f' "{value}" ', cands) == (1, 2)
    assert s.search_key("\u00e9" + value, cands) == (None, 2)
    assert s.search_key("no-dot", cands) == (None, 2)


def test_the_search_stops_at_the_deadline_itself(monkeypatch):
    cands = _cands(b"secret")
    monkeypatch.setattr(s.time, "monotonic", lambda: 100.0)
    assert s.search_key(_sign("secret", b"{}"), cands, deadline=100.0) == (None, 0)


def test_confirm_is_itsdangerous_verdict():
    value = _sign("secret", b'{"a":1}')
    assert s._confirm(value, b"secret") is True
    assert s._confirm(value, b"other") is False
    sha256 = itsdangerous.TimestampSigner("secret", salt="cookie-session", key_derivation="hmac",
                                          digest_method=hashlib.sha256).sign(_b64(b"{}")).decode()
    assert s._confirm(sha256, b"secret") is False
    plain = itsdangerous.TimestampSigner("secret", salt="cookie-session", key_derivation="concat",
                                         digest_method=hashlib.sha1).sign(_b64(b"{}")).decode()
    assert s._confirm(plain, b"secret") is False
    assert s._confirm(_sign("secret", b"not json"), b"secret") is True   # the signature is what matters


def test_confirm_without_itsdangerous_trusts_the_hmac(monkeypatch):
    monkeypatch.setitem(sys.modules, "itsdangerous", None)
    assert s._confirm("anything", b"k") is True


def test_crack_counts_the_whole_list_on_a_hit_and_reports_only_confirmed_keys():
    value = _sign("secret", b'{"a":1}')
    cands = _cands(b"secret", b"b", b"c")
    crack = s.crack(s.FlaskCookie("session", f'"{value}"', ["a"], False), cands)
    assert (crack.key, crack.source, crack.tested, crack.complete) == (b"secret", "test keys", 3, True)
    assert 0 <= crack.seconds < 5
    liar = s.Candidates(keys=[b"not-the-key"], derived=[s.derive(b"secret")], sources=[(1, "x")])
    crack = s.crack(s.FlaskCookie("session", value, ["a"], False), liar)
    assert (crack.key, crack.source, crack.tested) == (None, "", 1)


def test_check_sessions_scans_past_a_safe_cookie_and_honours_the_deadline():
    cands = _cands(b"secret")
    safe = s.parse_flask_cookie("session", _sign("random-key", b'{"a":1}'), URL)
    weak = s.parse_flask_cookie("remember", _sign("secret", b'{"b":1}'), URL)
    findings, results = s.check_sessions(URL, [safe, weak], LOC, cands)
    assert [r.key for r in results] == [None, b"secret"]
    (finding,) = findings
    assert finding.message.startswith("The Flask session cookie `remember` is signed with a known key (starts "
                                      "with 'se', from test keys)")
    assert s.check_sessions(URL, [weak], LOC, None) == ([], [])
    assert s.check_sessions(URL, [], LOC, cands) == ([], [])
    findings, results = s.check_sessions(URL, [weak], LOC, cands, deadline=time.monotonic() - 1)
    assert findings == [] and [(r.tested, r.complete) for r in results] == [(0, False)]


def test_only_quotes_are_stripped_from_a_value_before_the_search_and_the_confirmation():
    value = _sign("secret", b"_x")                   # the payload's base64 starts with "X"
    assert value.startswith("X")
    cands = _cands(b"secret")
    assert s.search_key(f'"{value}"', cands) == (0, 1)
    crack = s.crack(s.FlaskCookie("session", f'"{value}"', None, False), cands)
    assert crack.key == b"secret"
