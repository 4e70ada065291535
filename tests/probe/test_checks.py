"""``probe.checks`` helpers pinned exactly: the failure line of a check that raised, the redaction of cookie
values (whole, longest first, and prefixes cut by the 120-character limit), the list wording, and how
collect_cookies bounds, de-duplicates and reports the cookies it decodes."""

import httpx
import pytest

from flask_preflight.probe.checks import (MAX_DECODED_COOKIES, MAX_SESSION_COOKIES, Analysis, Observation,
                                          _words, check_headers, collect_cookies, failure_line, redact)
from flask_preflight.probe.client import Exchange, Response
from probe.test_session import _sign

URL = "https://example.com/"


def _obs(*responses_cookies):
    """An observation whose main exchange has one response per list of Set-Cookie values."""
    responses = [Response(f"{URL}{i or ''}", 200, httpx.Headers([("Set-Cookie", c) for c in cookies]))
                 for i, cookies in enumerate(responses_cookies)]
    obs = Observation(url=URL)
    obs.main = Exchange("main", URL, URL, responses[:1])
    if len(responses) > 1:
        obs.missing = Exchange("missing", f"{URL}1", f"{URL}<missing>", responses[1:2])
    if len(responses) > 2:
        obs.malformed = Exchange("malformed", f"{URL}2", f"{URL}<malformed>", responses[2:3])
    return obs


def test_words():
    assert [_words(x) for x in (["A"], ["A", "B"], ["A", "B", "C"])] == ["A", "A and B", "A, B and C"]


def test_failure_line():
    assert failure_line("PF602 debugger", ValueError("bad\nsecond")) == (
        "the PF602 debugger check failed (ValueError: bad); its findings are not reported")
    assert failure_line("x", KeyError()) == "the x check failed (KeyError); its findings are not reported"
    assert failure_line("x", RuntimeError("  ")) == "the x check failed (RuntimeError); its findings are not reported"
    assert failure_line("x", RuntimeError("y" * 200)) == (
        f"the x check failed (RuntimeError: {'y' * 120}); its findings are not reported")


def test_redact_whole_values_longest_first_from_every_response():
    obs = _obs(["sid=abcdefgh; Path=/; x=1", "short=abcde", "six=bcdefg"], ["tok=a=b=cdef; Secure"])
    assert redact("abcdefgh bcdefg abcde a=b=cdef", obs) == "<redacted> <redacted> abcde <redacted>"
    assert redact("xabcdefghx", obs) == "x<redacted>x"


def test_redact_prefixes_down_to_twelve_characters():
    value = "0123456789abcdefghij"                                     # 20 characters
    obs = _obs([f"s={value}"])
    assert redact(f"[{value[:19]}]", obs) == "[<redacted>]"
    assert redact(f"[{value[:14]}!", obs) == "[<redacted>!"
    assert redact(f"[{value[:12]}]", obs) == "[<redacted>]"
    assert redact(f"[{value[:11]}]", obs) == f"[{value[:11]}]"
    long_value = "v" * 100 + "w" * 100                                 # cut by failure_line at 120 characters
    obs = _obs([f"s={long_value}"])
    assert redact(long_value[:120], obs) == "<redacted>"


def test_check_headers_without_a_main_response_finds_nothing():
    out = Analysis()
    check_headers(Observation(url=URL), out)
    assert out.findings == []


def test_invalid_cookies_are_one_note_per_reason_counting_the_responses():
    for n, tail in ((1, ""), (2, " and 1 more response"), (3, " and 2 more responses")):
        out = Analysis()
        collect_cookies(_obs(*[["novalue"]] * n), out)
        assert [c.url for c in out.invalid_cookies] == [URL, f"{URL}<missing>", f"{URL}<malformed>"][:n]
        assert out.notes == [f"ignored an invalid Set-Cookie header (Set-Cookie without name=value ('novalue')) "
                             f"on GET {URL}{tail}"]


def test_signed_cookies_are_decoded_once_per_name_and_pair_and_skipped_when_deleted():
    s1, s2 = _sign("k", b'{"a":1}'), _sign("k", b'{"b":1}')
    out = Analysis()
    collect_cookies(_obs([f"session={s1}", f"session={s2}", f"gone={s1}; Max-Age=0", "plain=1",
                          f"remember={s2}"], ["plain=1", f"third={s1}"]), out)
    assert [(c.name, c.value, c.url) for c in out.flask_cookies] == [
        ("session", s1, URL), ("remember", s2, URL), ("third", s1, f"{URL}<missing>")]
    assert out.untested_cookies == []


def test_past_four_signed_cookies_only_the_shape_is_checked():
    value = _sign("k", b'{"a":1}')
    names = [f"c{i}" for i in range(MAX_SESSION_COOKIES)]
    out = Analysis()
    collect_cookies(_obs([f"{n}={value}" for n in names] + [
        f'late="{value}"', f"late={value}", "opaque=0123456789", f"later={value}"]), out)
    assert [c.name for c in out.flask_cookies] == names
    assert out.untested_cookies == ["late", "later"]


def test_past_thirty_two_decoded_cookies_nothing_more_is_decoded():
    value = _sign("k", b'{"a":1}')
    plain = [f"p{i}=x{i}" for i in range(MAX_DECODED_COOKIES)]
    out = Analysis()
    collect_cookies(_obs(plain + [f"session={value}"]), out)
    assert out.flask_cookies == [] and out.untested_cookies == ["session"]
    out = Analysis()
    collect_cookies(_obs(plain[:-1] + [f"session={value}"]), out)
    assert [c.name for c in out.flask_cookies] == ["session"]
