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
    text = f"the probe failed: ValueError: {long_value}"[:150]            # the runner cuts at 300 characters
    assert redact(text, obs) == "the probe failed: ValueError: <redacted>"


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
        f'late="{value}"', f'late="{value}"', "opaque=0123456789", f"later={value}"]), out)
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


# ---- the checks on hand-built observations ------------------------------------------------------------------

from flask_preflight.probe.checks import analyze, check_debugger, check_server, check_tracebacks, check_transport  # noqa: E402

HSTS = {"Strict-Transport-Security": "max-age=31536000"}


def _r(url, status=200, headers=None, body=""):
    return Response(url, status, httpx.Headers(headers or {}), body=body)


def _ex(label, *responses, shown=None):
    return Exchange(label, responses[0].url, shown or responses[0].url, list(responses))


@pytest.mark.parametrize("url", [URL, "http://example.com/"])
def test_every_check_copes_with_requests_that_were_not_made(url):
    assert analyze(Observation(url=url)).failed == []
    obs = Observation(url=url)
    obs.main = _ex("main", _r(url, headers=HSTS, body="hi"))
    out = analyze(obs)
    assert out.failed == []


def test_server_headers_evidence_and_cuts():
    long_server = "Werkzeug/3.1 " + "x" * 200
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, headers={"Server": long_server, "X-Powered-By": "PHP/8.1"}))
    obs.missing = _ex("missing", _r(f"{URL}m", 404, {"Server": "nginx/1.2"}), shown=f"{URL}<random>")
    out = Analysis()
    check_server(obs, out)
    dev, disclosed = out.findings
    assert dev.rule_id == "PF601" and dev.evidence == f"GET {URL} -> Server: {long_server[:120]}"
    assert f"(`Server: {long_server[:120]}`)" in dev.message
    items = f"Server: {long_server[:120]}; X-Powered-By: PHP/8.1; Server: nginx/1.2"
    assert disclosed.message == (f"The site's responses advertise its software ({items}): scanners match these "
                                 f"against known vulnerabilities.")
    assert disclosed.evidence == f"GET {URL}: {items}"
    obs.main = _ex("main", _r(URL, headers={"Server": "gunicorn"}))
    out = Analysis()
    check_server(obs, out)
    (only,) = out.findings
    assert only.evidence == f"GET {URL}<random>: Server: nginx/1.2"


def _debugger_obs(js_body, *, baseline="", content_type="text/javascript"):
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, body=baseline))
    obs.debugger_js = _ex("debugger_js", _r(f"{URL}?js", 200, {"Content-Type": content_type}, js_body),
                          shown=f"{URL}?__debugger__=js")
    return obs


def test_debugger_files_message_and_evidence():
    ctype = "application/javascript; " + "c" * 80
    out = Analysis()
    check_debugger(_debugger_obs("EVALEX_TRUSTED CONSOLE_MODE", content_type=ctype), out)
    (f,) = out.findings
    assert f.message == ("The Werkzeug debugger is active on this host (it serves its own debugger files): every "
                         "unhandled exception shows an interactive traceback page with source code and the debugger "
                         "secret, and the console can run Python code behind a PIN.")
    assert f.evidence == (f"GET {URL}?__debugger__=js -> 200 {ctype[:60]}; Werkzeug's debugger.js "
                          f"(EVALEX_TRUSTED, CONSOLE_MODE)")


def test_a_baseline_with_two_markers_hides_debugger_js_and_one_does_not():
    js = "EVALEX_TRUSTED CONSOLE_MODE pinauth initPinBox"
    out = Analysis()
    check_debugger(_debugger_obs(js, baseline="EVALEX_TRUSTED pinauth"), out)
    assert out.findings == []
    out = Analysis()
    check_debugger(_debugger_obs(js, baseline="EVALEX_TRUSTED"), out)
    assert [f.rule_id for f in out.findings] == ["PF602"]


def test_console_page_recognised_by_the_debugger_query_alone_and_400_without_a_404_page():
    obs = _debugger_obs("EVALEX_TRUSTED CONSOLE_MODE")
    obs.console = _ex("console", _r(f"{URL}console", 200, body="<title>Interactive Console</title> "
                                    "?__debugger__=yes"))
    out = Analysis()
    check_debugger(obs, out)
    assert out.findings[0].message.startswith("The Werkzeug debugger's interactive console answers at /console")
    obs.console = _ex("console", _r(f"{URL}console", 400))
    out = Analysis()
    check_debugger(obs, out)
    assert out.notes == [f"GET {URL}console answered 400 (the 404 page answers None): the debugger console is "
                         f"there but refuses this Host (Werkzeug >= 3.0.3 trusted_hosts)"]


def test_a_404_page_with_debugger_markers_the_main_page_lacks_is_pf607():
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, body="Traceback (most recent call last) quoted in a blog post"))
    obs.missing = _ex("missing", _r(f"{URL}m", 404, body="The debugger caught an exception in your WSGI "
                                    "application. Traceback (most recent call last)"), shown=f"{URL}<random>")
    out = Analysis()
    check_tracebacks(obs, out)
    (f,) = out.findings
    assert f.message.startswith(f"GET {URL}<random> answered 404 with a Werkzeug debugger page:")
    assert f.evidence == (f"GET {URL}<random> -> 404; body contains 'The debugger caught an exception in your "
                          f"WSGI application'")
    obs.missing = _ex("missing", _r(f"{URL}m", 404, body="Traceback (most recent call last)"))
    out = Analysis()
    check_tracebacks(obs, out)
    assert out.findings == []
    obs.missing = _ex("missing", _r(f"{URL}m", 500, body="Traceback (most recent call last)"),
                      shown=f"{URL}<random>")
    out = Analysis()
    check_tracebacks(obs, out)
    assert out.findings[0].message.startswith(f"GET {URL}<random> answered 500 with a Python traceback:")


def test_status_300_is_not_a_page_served_over_http():
    obs = Observation(url="http://example.com/")
    obs.main = _ex("main", _r("http://example.com/", 300))
    out = Analysis()
    check_transport(obs, out)
    assert (out.findings, out.notes) == ([], ["http://example.com/ answered 300 over plain http"])
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, headers=HSTS))
    obs.http_variant = _ex("http", _r("http://example.com/", 300))
    out = Analysis()
    check_transport(obs, out)
    assert (out.findings, out.notes) == ([], ["http://example.com/ answered 300 without a redirect to https"])


def test_transport_reasons_notes_and_cuts():
    long_loc = "http://example.com/" + "p" * 200
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, 302, {"Location": "http://example.com/x"}), _r("http://example.com/x", 200))
    obs.http_variant = _ex("http", _r("http://example.com/", 301, {"Location": long_loc}))
    out = Analysis()
    check_transport(obs, out)
    (f,) = out.findings
    assert f.message == (f"http://example.com/x is served over plain http (200) without a redirect to https; "
                         f"http://example.com/ redirects to {long_loc[:120]}, not to https: pages and cookies "
                         f"travel in clear text.")
    assert f.evidence == (f"GET {URL} -> 302 http://example.com/x -> 200; GET http://example.com/ -> 301")
    obs = Observation(url="http://example.com/")
    obs.main = _ex("main", _r("http://example.com/", 302, {"Location": "http://example.com/" + "q" * 200}),
                   _r("https://example.com/", 200, HSTS))
    out = Analysis()
    check_transport(obs, out)
    assert out.notes == [f"http://example.com/ reaches https only after a redirect that stays on http "
                         f"(302 {('http://example.com/' + 'q' * 200)[:120]})"]
    other = "https://other.example/" + "r" * 200
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, headers=HSTS))
    obs.http_variant = _ex("http", _r("http://example.com/", 301, {"Location": other}))
    out = Analysis()
    check_transport(obs, out)
    assert out.notes == [f"http://example.com/ redirects to https on another host ({other[:120]})"]


def test_hsts_evidence_is_cut_at_120():
    value = "max-age=0; " + "x" * 200
    obs = Observation(url=URL)
    obs.main = _ex("main", _r(URL, headers={"Strict-Transport-Security": value}))
    out = Analysis()
    check_transport(obs, out)
    (f,) = out.findings
    assert f.evidence == f"GET {URL} -> 200; Strict-Transport-Security: {value[:120]}"
