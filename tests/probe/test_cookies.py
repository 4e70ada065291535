"""Set-Cookie parsing and PF605's cookie list, pinned exactly: each invalid header's reason and URL, the
preview cut at 40 characters, ``name=value`` split at the first ``=``, a parser that never raises, and
check_cookies' de-duplication, ordering, cut at MAX_LISTED and its message and evidence."""

from flask_preflight.findings import Location, Severity
from flask_preflight.probe.cookies import (MAX_LISTED, InvalidCookie, SetCookie, check_cookies, cookie_issues,
                                           is_session_like, parse_set_cookie)

URL = "https://example.com/"
LOC = Location(URL, 1)


def test_invalid_headers_carry_the_url_and_an_exact_reason():
    forty = "x" * 40
    cases = [
        ("", "empty Set-Cookie header"),
        ("   ", "empty Set-Cookie header"),
        ("a=b\x01", "Set-Cookie header contains control characters"),
        ("a=b\n", "Set-Cookie header contains control characters"),
        ("novalue; Secure", "Set-Cookie without name=value ('novalue')"),
        (forty, f"Set-Cookie without name=value ('{forty}')"),
        (forty + "y", f"Set-Cookie without name=value ('{forty}...')"),
        (" =x", "Set-Cookie with an empty cookie name"),
        ("bad name=1", "Set-Cookie with an invalid cookie name 'bad name'"),
    ]
    for raw, reason in cases:
        parsed = parse_set_cookie(raw, URL)
        assert isinstance(parsed, InvalidCookie), raw
        assert (parsed.url, parsed.reason) == (URL, reason), raw


def test_a_header_the_parser_chokes_on_is_invalid_not_an_exception():
    class Odd(str):
        def partition(self, sep):
            raise RuntimeError("boom")

    parsed = parse_set_cookie(Odd("a=b"), URL)
    assert isinstance(parsed, InvalidCookie)
    assert (parsed.url, parsed.reason) == (URL, "unparsable Set-Cookie header (RuntimeError)")


def test_name_value_split_at_the_first_equals_and_attributes_lower_cased():
    c = parse_set_cookie(" tok = a=b=c ; PATH = / ; Secure; HttpOnly ;SameSite= Strict ;; =x")
    assert isinstance(c, SetCookie)
    assert (c.name, c.value, c.url) == ("tok", "a=b=c", "")
    assert c.attrs == {"path": "/", "secure": "", "httponly": "", "samesite": "Strict"}
    assert (c.secure, c.httponly, c.samesite) == (True, True, "Strict")
    bare = parse_set_cookie("a=1", URL)
    assert (bare.url, bare.attrs, bare.secure, bare.httponly, bare.samesite) == (URL, {}, False, False, None)


def test_deleted_cookies():
    deleted = ['a=""', "a=", "a=1; Max-Age=0", "a=1; Max-Age= -5 ", "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
               "a=1; Expires=Thu, 01 Jan 1970 00:00:00 -0000"]
    kept = ["a=1", "a=1; Max-Age=1", "a=1; Max-Age=abc", "a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
            "a=1; Expires=Fri, 01 Jan 2100 00:00:00 -0000", "a=1; Expires=garbage", "a=1; Expires="]
    for raw in deleted:
        assert parse_set_cookie(raw).deleted is True, raw
    for raw in kept:
        assert parse_set_cookie(raw).deleted is False, raw


def test_session_like_by_substring_and_by_word():
    for name in ("userlogin", "LOGINX", "xsessx", "refresh-token", "my.jwt"):
        assert is_session_like(name), name
    for name in ("csrf_session", "xsrf-login", "sidebar", "logo"):
        assert not is_session_like(name), name


def test_invalid_samesite_is_quoted_up_to_twenty_characters():
    c = parse_set_cookie("theme=1; Secure; SameSite=" + "abcdefghij" * 3)
    assert cookie_issues(c, True) == [("invalid SameSite='abcdefghijabcdefghij'", Severity.LOW)]
    lax = parse_set_cookie("theme=1; SameSite= LAX ")
    assert cookie_issues(lax, False) == []
    none = parse_set_cookie("theme=1; Secure; SameSite= NONE")
    assert cookie_issues(none, True) == []


def _cookies(*raws, url=URL):
    return [parse_set_cookie(raw, url) for raw in raws]


def test_a_clean_cookie_before_weak_ones_does_not_stop_the_scan_and_the_first_one_seen_wins():
    (finding,) = check_cookies(URL, _cookies(
        "ok=1; Secure; SameSite=Lax", "theme=1; Secure", "session=1; Secure; HttpOnly", "theme=2",
        "a=1; Secure") + _cookies("lang=x", url="HTTPS://other.example/"), LOC)
    assert finding.rule_id == "PF605" and finding.severity is Severity.LOW
    assert finding.message == ("The site sets cookies with weak flags: a (no SameSite); lang (no Secure, "
                               "no SameSite); session (no SameSite); theme (no SameSite).")
    assert finding.evidence == (
        "Set-Cookie: a on GET https://example.com/: no SameSite; "
        "Set-Cookie: lang on GET HTTPS://other.example/: no Secure, no SameSite; "
        "Set-Cookie: session on GET https://example.com/: no SameSite; "
        "Set-Cookie: theme on GET https://example.com/: no SameSite")


def test_nothing_weak_is_no_finding():
    assert check_cookies(URL, _cookies("ok=1; Secure; SameSite=Lax", "gone=; Max-Age=0"), LOC) == []
    assert check_cookies(URL, [], LOC) == []


def test_the_cut_keeps_the_most_severe_then_by_name_and_counts_one_more_cookie():
    raws = [f"c{i:02d}=1; SameSite=Lax" for i in range(1, MAX_LISTED + 1)]   # each: no Secure (low)
    raws.append("zz=1; Secure; SameSite=bogus")                               # invalid SameSite (low)
    (finding,) = check_cookies(URL, _cookies(*raws), LOC)
    assert finding.severity is Severity.LOW
    assert finding.message.endswith("c20 (no Secure); and 1 more cookie.")
    assert "zz" not in finding.message and "zz" not in finding.evidence
    assert finding.evidence.endswith("Set-Cookie: c20 on GET https://example.com/: no Secure; and 1 more cookie")
    raws.append("zy=1; Secure; SameSite=bogus")
    (finding,) = check_cookies(URL, _cookies(*raws), LOC)
    assert finding.message.endswith("c20 (no Secure); and 2 more cookies.")
    raws.append("session=1")                                                  # high: listed first whatever its name
    (finding,) = check_cookies(URL, _cookies(*raws), LOC)
    assert finding.severity is Severity.HIGH
    assert "session (no Secure, no HttpOnly, no SameSite)" in finding.message
    assert finding.message.endswith("c19 (no Secure); session (no Secure, no HttpOnly, no SameSite); "
                                    "and 3 more cookies.")
