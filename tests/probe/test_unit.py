"""Unit tests of ``flask-preflight probe`` with httpx.MockTransport: no sockets, no servers.

Each test builds a tiny fake site (a handler from request to response), runs the real runner on it and
asserts the exact findings, notes and problems. End-to-end tests with real servers live in
``test_servers.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import ssl
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import httpx
import pytest
from click.testing import CliRunner

from flask_preflight import __version__
from flask_preflight.cli import main
from flask_preflight.findings import Location, ProblemKind, Severity
from flask_preflight.probe import runner as runner_mod
from flask_preflight.probe import session as session_mod
from flask_preflight.probe.client import MAX_BODY, USER_AGENT
from flask_preflight.probe.cookies import (InvalidCookie, SetCookie, check_cookies, cookie_issues, is_session_like,
                                          parse_set_cookie)
from flask_preflight.probe.grade import grade, letter_for
from flask_preflight.probe.output import render_probe_report
from flask_preflight.probe.runner import ProbeOptions, check_url, http_variant, parse_header, run_probe
from flask_preflight.rules import REGISTRY

itsdangerous = pytest.importorskip("itsdangerous")
werkzeug_debug = pytest.importorskip("werkzeug.debug")

HARDENED = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Server": "gunicorn",
}
NOT_FOUND = "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>"


def _shared(name: str) -> str:
    import pkgutil

    data = pkgutil.get_data("werkzeug.debug", f"shared/{name}")
    assert data is not None
    return data.decode("utf-8")


class Site:
    """A fake deployment: ``pages`` maps (host, path) or path to a response factory or a Response."""

    def __init__(self, pages: Optional[Dict] = None, headers: Optional[Dict[str, str]] = None,
                 default: Optional[Callable[[httpx.Request], httpx.Response]] = None) -> None:
        self.pages = pages or {}
        self.headers = dict(HARDENED if headers is None else headers)
        self.default = default
        self.requests: List[httpx.Request] = []

    def __call__(self, request: httpx.Request):
        self.requests.append(request)
        url = request.url
        key_full = url.raw_path.decode("ascii")
        for key in ((url.scheme, url.host, key_full), (url.host, key_full), (url.scheme, key_full), key_full,
                    (url.scheme, url.host, url.path), (url.host, url.path), (url.scheme, url.path), url.path):
            if key in self.pages:
                page = self.pages[key]
                resp = page(request) if callable(page) else page
                if isinstance(resp, httpx.Response):
                    return resp
                return resp
        if self.default is not None:
            return self.default(request)
        return httpx.Response(404, headers=self.headers, text=NOT_FOUND)

    def page(self, status: int = 200, text: str = "hello", headers: Optional[Dict[str, str]] = None,
             extra: Sequence[Tuple[str, str]] = ()) -> httpx.Response:
        h = list({**self.headers, **(headers or {})}.items()) + list(extra)
        return httpx.Response(status, headers=h, text=text)


def probe(urls: Sequence[str], site, *, settings=None, **kw):
    opts = ProbeOptions(transport=httpx.MockTransport(site), bundled_wordlist=kw.pop("bundled_wordlist", False),
                        **kw)
    result, reports = run_probe(list(urls), opts, settings)
    return result, reports


def ids(result) -> List[str]:
    return sorted(f.rule_id for f in result.findings)


def only(result, rule_id: str):
    found = [f for f in result.findings if f.rule_id == rule_id]
    assert len(found) == 1, [f.rule_id for f in result.findings]
    return found[0]


def hardened_site(pages: Optional[Dict] = None) -> Site:
    site = Site()
    site.pages.update({("https", "/"): lambda r: site.page(),
                       ("http", "/"): lambda r: httpx.Response(301, headers={"Location": "https://example.com/"})})
    site.pages.update(pages or {})
    return site


# ---- request plan -------------------------------------------------------------------------------------------


def test_request_plan_for_an_https_url_is_exactly_seven_gets():
    site = hardened_site()
    result, (report,) = probe(["https://example.com/"], site)
    assert result.findings == [] and result.problems == []
    sent = sorted(str(r.url) for r in site.requests)
    token = next(str(r.url) for r in site.requests if "__preflight-" in str(r.url)).rsplit("-", 1)[1]
    assert len(token) == 12
    assert sent == sorted([
        "https://example.com/",
        "http://example.com/",
        "https://example.com/?__debugger__=yes&cmd=resource&f=debugger.js",
        "https://example.com/?__debugger__=yes&cmd=resource&f=style.css",
        "https://example.com/console",
        f"https://example.com/__preflight-{token}",
        f"https://example.com/?pf{token}=%ff%fe",
    ])
    assert {r.method for r in site.requests} == {"GET"}
    assert all(r.headers["User-Agent"] == USER_AGENT for r in site.requests)
    assert USER_AGENT == f"flask-preflight/{__version__} (+probe; read-only)"
    assert all("pin" not in str(r.url).lower() and "frm=" not in str(r.url) for r in site.requests)
    assert all("cmd=" not in str(r.url) or "cmd=resource" in str(r.url) for r in site.requests)
    assert "Cookie" not in {k.title() for r in site.requests for k in r.headers}
    assert report.requests_sent == 7
    assert report.grade is not None and report.grade.letter == "A+" and report.grade.score == 100


def test_http_url_sends_six_requests_and_no_http_variant():
    site = Site(headers={"Server": "gunicorn"})
    site.pages["/"] = lambda r: site.page()
    _, (report,) = probe(["http://example.com/"], site)
    assert report.requests_sent == 6
    assert report.observation.http_variant is None


def test_https_url_with_a_port_skips_the_http_variant_with_a_note():
    site = hardened_site()
    result, (report,) = probe(["https://example.com:8443/"], site)
    assert all(r.url.scheme == "https" for r in site.requests)
    assert report.requests_sent == 6
    assert any("names a port" in n for n in report.notes)
    assert result.findings == []


def test_user_headers_go_to_the_target_only_and_never_over_plain_http():
    site = hardened_site({("https", "/"): lambda r: httpx.Response(302, headers={"Location": "https://sso.example.org/"})})
    site.pages[("sso.example.org", "/")] = lambda r: site.page()
    probe(["https://example.com/"], site, headers=[("Authorization", "Bearer t0k")])
    by_url = {str(r.url): r for r in site.requests}
    assert by_url["https://example.com/"].headers.get("Authorization") == "Bearer t0k"
    assert by_url["https://example.com/console"].headers.get("Authorization") == "Bearer t0k"
    assert "Authorization" not in by_url["http://example.com/"].headers
    assert "Authorization" not in by_url["https://sso.example.org/"].headers
    # the redirect left the host: the other requests stay on the host the user named
    assert not any(r.url.host == "sso.example.org" and r.url.path != "/" for r in site.requests)


def test_parse_header_and_check_url_usage_errors():
    assert parse_header("Authorization: Bearer x:y") == ("Authorization", "Bearer x:y")
    for bad in ("NoColon", ": v", "Bad Name: v", "Host: evil"):
        with pytest.raises(ValueError):
            parse_header(bad)
    assert check_url(" https://example.com/x ") == "https://example.com/x"
    for bad in ("ftp://example.com/", "example.com", "https://", "http://user:pw@example.com/",
                "http://example.com:99999/"):
        with pytest.raises(ValueError):
            check_url(bad)
    assert http_variant("https://example.com/a?b=1") == "http://example.com/a?b=1"
    assert http_variant("https://example.com:8443/") is None
    assert http_variant("https://[::1]/") == "http://[::1]/"


# ---- redirects ----------------------------------------------------------------------------------------------


def test_redirect_chain_is_followed_recorded_and_origin_follows_same_host():
    site = Site(headers={"Server": "gunicorn"})
    site.pages[("http", "/")] = lambda r: httpx.Response(301, headers={"Location": "https://example.com/home"})
    site.pages[("https", "/home")] = lambda r: httpx.Response(302, headers={"Location": "/welcome"})
    site.pages[("https", "/welcome")] = lambda r: site.page(headers=HARDENED)
    site.headers = dict(HARDENED)
    result, (report,) = probe(["http://example.com/"], site)
    main = report.observation.main
    assert [(h.status, h.location) for h in main.redirects] == [(301, "https://example.com/home"), (302, "/welcome")]
    assert main.final.url == "https://example.com/welcome"
    # the origin requests went to https (the final URL's scheme, same host)
    assert report.observation.console.url == "https://example.com/console"
    assert "PF603" not in ids(result)
    data = json.loads(render_probe_report(result, [report], "json", tool_version="t"))
    target = data["probe"]["targets"][0]
    assert target["redirects"] == [{"url": "http://example.com/", "status": 301, "location": "https://example.com/home"},
                                   {"url": "https://example.com/home", "status": 302, "location": "/welcome"}]
    text = render_probe_report(result, [report], "text", tool_version="t")
    assert "redirects: http://example.com/ -> 301 https://example.com/home -> 302 /welcome -> 200" in text


def test_redirect_loop_and_too_many_redirects_are_per_url_problems():
    loop = Site(default=lambda r: httpx.Response(302, headers={"Location": "/b" if r.url.path == "/a" else "/a"}))
    result, (report,) = probe(["https://loop.example/a"], loop)
    assert result.findings == []
    (problem,) = result.problems
    assert problem.path == "https://loop.example/a" and problem.kind is ProblemKind.UNREADABLE
    assert problem.reason.startswith("not probed: redirect loop: https://loop.example/a -> /b -> /a")
    assert report.grade.letter == "-" and report.grade.score is None

    counter = Site(default=lambda r: httpx.Response(302, headers={"Location": f"/r{int(r.url.path[2:] or 0) + 1}"}))
    result, (report,) = probe(["https://many.example/r0"], counter)
    assert result.problems[0].reason == "not probed: more than 5 redirects"
    assert len(counter.requests) == 6  # the first answer and five redirects followed, then it stops


# ---- network errors ---------------------------------------------------------------------------------------


def _raiser(exc: BaseException):
    def handler(request):
        raise exc
    return handler


def _refused() -> httpx.ConnectError:
    err = httpx.ConnectError("All connection attempts failed")
    err.__cause__ = ConnectionRefusedError(111, "Connect call failed")
    return err


def test_errors_are_one_line_per_url_and_other_urls_are_still_probed():
    good = hardened_site()
    tls = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    tls.__cause__ = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate")

    def handler(request):
        host = request.url.host
        if host == "refused.example":
            raise _refused()
        if host == "tls.example":
            raise tls
        if host == "dns.example":
            import socket
            err = httpx.ConnectError("[Errno -2] Name or service not known")
            err.__cause__ = socket.gaierror(-2, "Name or service not known")
            raise err
        return good(request)

    urls = ["https://refused.example/", "https://tls.example/", "https://dns.example/", "https://example.com/"]
    result, reports = probe(urls, handler)
    reasons = {p.path: p.reason for p in result.problems}
    assert reasons == {
        "https://refused.example/": "not probed: connection refused by refused.example",
        "https://tls.example/": "not probed: TLS certificate verification failed for tls.example (certificate "
                                "verify failed: self-signed certificate); if you own this host and trust its "
                                "certificate, rerun with --insecure",
        "https://dns.example/": "not probed: cannot resolve host 'dns.example'",
    }
    assert all("\n" not in r for r in reasons.values())
    assert reports[3].probed and reports[3].grade.letter == "A+"


def test_a_server_that_never_answers_times_out_without_stopping_the_others():
    good = hardened_site()

    async def handler(request):
        if request.url.host == "slow.example":
            await asyncio.sleep(30)
        return good(request)

    start = time.perf_counter()
    result, reports = probe(["https://slow.example/", "https://example.com/"], handler, timeout=0.3)
    # liveness only: the handler sleeps 30 s, so waiting for it instead of timing out fails this generous bound
    assert time.perf_counter() - start < 25
    (problem,) = result.problems
    assert problem.path == "https://slow.example/" and problem.kind is ProblemKind.TIMEOUT
    assert problem.reason == "not probed: no complete answer within 0.3 s (--timeout)"
    assert reports[1].grade.letter == "A+"


def test_a_later_request_that_hangs_stops_the_url_as_incomplete_but_keeps_findings():
    site = Site(headers={"Server": "Werkzeug/3.1.3 Python/3.12.1"})
    site.pages["/"] = lambda r: site.page()

    async def handler(request):
        if request.url.path == "/console":
            await asyncio.sleep(30)
        return site(request)

    result, (report,) = probe(["http://example.com/"], handler, timeout=0.3)
    assert "PF601" in ids(result)
    (problem,) = result.problems
    assert problem.kind is ProblemKind.TIMEOUT
    assert problem.reason.startswith("GET http://example.com/console: no complete answer within 0.3 s")
    assert report.observation.missing is None  # the requests after the hang were skipped


def test_body_reads_are_capped_by_streaming():
    served: List[int] = []

    def ten_megabytes():
        served.append(0)
        index = len(served) - 1

        async def gen():
            chunk = b"x" * 65536
            for _ in range(160):
                served[index] += len(chunk)
                yield chunk
        return gen()

    site = hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=HARDENED, content=ten_megabytes())})
    result, (report,) = probe(["https://example.com/"], site)
    assert served and max(served) <= MAX_BODY + 65536  # each response: the cap plus at most one chunk
    assert len(report.observation.main.final.body) == MAX_BODY
    (problem,) = result.problems
    assert problem.kind is ProblemKind.TOO_LARGE
    # "/" also answers the two debugger-resource requests and the malformed query: one problem names them all
    assert problem.reason == ("GET https://example.com/: the body is larger than 1 MB; only the first 1 MB was "
                              "read and checked (and 3 more responses of this URL)")
    assert result.findings == []  # the headers were still checked


# ---- PF601 / PF510 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("server,expected", [
    ("Werkzeug/3.1.3 Python/3.12.1", ["PF510", "PF601"]),
    ("WSGIServer/0.2 CPython/3.12.1", ["PF510", "PF601"]),
    ("gunicorn", []),
    ("waitress", []),
    ("nginx/1.25.3", ["PF510"]),
])
def test_server_header(server, expected):
    site = hardened_site()
    site.headers["Server"] = server
    result, _ = probe(["https://example.com/"], site)
    assert ids(result) == expected
    if "PF601" in expected:
        assert only(result, "PF601").evidence == f"GET https://example.com/ -> Server: {server}"


def test_x_powered_by_is_pf510():
    site = hardened_site()
    site.headers["X-Powered-By"] = "Flask"
    result, _ = probe(["https://example.com/"], site)
    assert ids(result) == ["PF510"]
    assert "X-Powered-By: Flask" in only(result, "PF510").message


# ---- PF602 --------------------------------------------------------------------------------------------------


def _debugger_site(console: Optional[str] = None, console_status: int = 200) -> Site:
    site = hardened_site()

    def resource(request):
        if request.url.params.get("__debugger__") == "yes" and request.url.params.get("cmd") == "resource":
            name = request.url.params["f"]
            ctype = "text/javascript" if name.endswith(".js") else "text/css"
            return httpx.Response(200, headers={**HARDENED, "Content-Type": ctype}, text=_shared(name))
        return site.page()

    site.pages[("https", "/")] = resource
    if console is not None:
        site.pages[("https", "/console")] = lambda r: httpx.Response(console_status, headers=HARDENED, text=console)
    return site


def test_debugger_resource_endpoint_is_pf602_critical():
    result, (report,) = probe(["https://example.com/"], _debugger_site())
    finding = only(result, "PF602")
    assert finding.severity is Severity.CRITICAL
    assert "debugger.js (EVALEX_TRUSTED, CONSOLE_MODE, pinauth, initPinBox)" in finding.evidence
    assert "style.css" in finding.evidence
    assert report.grade.letter == "F"


def test_open_console_without_pin_is_named():
    from werkzeug.debug.tbtools import render_console_html

    html = render_console_html(secret="s" * 20, evalex_trusted=True)
    result, _ = probe(["https://example.com/"], _debugger_site(console=html))
    finding = only(result, "PF602")
    assert "WITHOUT a PIN" in finding.message
    assert "'Interactive Console' page with EVALEX_TRUSTED = true" in finding.evidence


def test_host_restricted_console_is_noted():
    result, (report,) = probe(["https://example.com/"], _debugger_site(console="Bad Request", console_status=400))
    assert "host-restricted" in only(result, "PF602").evidence
    assert any("refuses this Host" in n for n in report.notes)


def test_catch_all_pages_and_echoed_queries_are_not_the_debugger():
    site = hardened_site()
    site.default = lambda r: site.page(text=f"<html>You searched for {r.url.query.decode()} __debugger__</html>")
    site.pages[("https", "/")] = site.default
    site.pages[("https", "/console")] = lambda r: site.page(text="<h1>Interactive Console</h1> docs page")
    result, _ = probe(["https://example.com/"], site)
    assert result.findings == []


def test_baseline_that_already_contains_the_markers_is_not_the_debugger():
    js = _shared("debugger.js")
    site = hardened_site({("https", "/"): lambda r: site.page(text=js)})
    result, _ = probe(["https://example.com/"], site)
    assert "PF602" not in ids(result)


# ---- PF603 / PF604 ------------------------------------------------------------------------------------------


def test_https_url_whose_http_variant_answers_200_is_pf603():
    site = hardened_site({("http", "/"): lambda r: site.page()})
    result, _ = probe(["https://example.com/"], site)
    finding = only(result, "PF603")
    assert finding.severity is Severity.HIGH
    assert finding.message.startswith("http://example.com/ answers 200 over plain http instead of redirecting")
    assert finding.evidence == "GET http://example.com/ -> 200"


def test_http_variant_redirecting_to_http_is_pf603_and_refused_is_a_note():
    site = hardened_site({("http", "/"): lambda r: httpx.Response(301, headers={"Location": "http://www.example.com/"})})
    result, _ = probe(["https://example.com/"], site)
    assert "not to https" in only(result, "PF603").message

    good = hardened_site()

    def handler(request):
        if request.url.scheme == "http":
            raise _refused()
        return good(request)

    result, (report,) = probe(["https://example.com/"], handler)
    assert result.findings == [] and result.problems == []
    assert any("no plain-http service" in n for n in report.notes)


def test_plain_http_url_is_pf603():
    site = Site(headers={k: v for k, v in HARDENED.items() if k != "Strict-Transport-Security"})
    site.pages["/"] = lambda r: site.page()
    result, _ = probe(["http://example.com/"], site)
    assert ids(result) == ["PF603"]
    assert only(result, "PF603").message.startswith("http://example.com/ is served over plain http (200)")


@pytest.mark.parametrize("value,severity", [
    (None, Severity.HIGH),
    ("max-age=0", Severity.HIGH),
    ("includeSubDomains", Severity.HIGH),
    ("max-age=3600", Severity.MEDIUM),
    ("max-age=20000000; includeSubDomains", Severity.LOW),
    ("max-age=31536000", None),
    ('max-age="63072000"; preload', None),
])
def test_hsts(value, severity):
    site = hardened_site()
    if value is None:
        del site.headers["Strict-Transport-Security"]
    else:
        site.headers["Strict-Transport-Security"] = value
    result, _ = probe(["https://example.com/"], site)
    if severity is None:
        assert result.findings == []
    else:
        finding = only(result, "PF604")
        assert finding.severity is severity
        assert finding.evidence.startswith("GET https://example.com/ -> 200; Strict-Transport-Security: ")


# ---- PF506 --------------------------------------------------------------------------------------------------


def test_missing_security_headers_are_one_pf506():
    site = hardened_site()
    site.headers = {"Strict-Transport-Security": "max-age=31536000", "Server": "gunicorn",
                    "Content-Security-Policy-Report-Only": "default-src 'self'"}
    result, _ = probe(["https://example.com/"], site)
    finding = only(result, "PF506")
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence == ("GET https://example.com/ -> 200; missing: Content-Security-Policy (only "
                                "Content-Security-Policy-Report-Only), X-Content-Type-Options: nosniff, "
                                "X-Frame-Options or CSP frame-ancestors, Referrer-Policy")
    assert "Strict-Transport-Security" not in finding.evidence  # PF604's job


def test_only_minor_headers_missing_is_low_and_xfo_counts():
    site = hardened_site()
    site.headers = {"Strict-Transport-Security": "max-age=31536000", "Content-Security-Policy": "default-src 'self'",
                    "X-Frame-Options": "DENY", "Referrer-Policy": "unsafe-url"}
    result, _ = probe(["https://example.com/"], site)
    finding = only(result, "PF506")
    assert finding.severity is Severity.LOW
    assert finding.evidence.endswith("missing: X-Content-Type-Options: nosniff, Referrer-Policy")


# ---- PF605 --------------------------------------------------------------------------------------------------


def test_set_cookie_parsing_is_tolerant():
    c = parse_set_cookie("session=abc; Path=/; secure; HTTPONLY; SameSite=Lax; Max-Age=60", "https://x/")
    assert isinstance(c, SetCookie)
    assert (c.name, c.value, c.secure, c.httponly, c.samesite) == ("session", "abc", True, True, "Lax")
    for raw, reason in [("novalue", "without name=value"), ("=v", "empty cookie name"),
                        ("bad name=1", "invalid cookie name"), ("a=b\x01", "control characters"),
                        ("", "empty"), (None, "empty")]:
        parsed = parse_set_cookie(raw)  # type: ignore[arg-type]
        assert isinstance(parsed, InvalidCookie) and reason in parsed.reason, (raw, parsed)
    assert parse_set_cookie("a=; Max-Age=0").deleted
    assert parse_set_cookie("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT").deleted
    assert not parse_set_cookie("a=1; Expires=not a date").deleted


def test_session_like_names():
    for name in ("session", "PHPSESSID", "myapp_session", "sid", "remember_token", "auth_token", "login_state"):
        assert is_session_like(name), name
    for name in ("csrf_token", "XSRF-TOKEN", "theme", "sidebar", "lang"):
        assert not is_session_like(name), name


def test_cookie_issue_severities():
    def issues(raw, https=True):
        return [(t, s.value) for t, s in cookie_issues(parse_set_cookie(raw), https)]

    assert issues("session=1") == [("no Secure", "high"), ("no HttpOnly", "high"), ("no SameSite", "low")]
    assert issues("session=1", https=False) == [("no HttpOnly", "high"), ("no SameSite", "low")]
    assert issues("theme=dark; SameSite=Lax") == [("no Secure", "low")]
    assert issues("csrf_token=1; Secure; SameSite=Strict") == []
    assert issues("theme=1; SameSite=None") == [("no Secure", "low"),
                                                 ("SameSite=None without Secure (browsers reject it)", "medium")]
    assert issues("theme=1; Secure; SameSite=Sometimes") == [("invalid SameSite='Sometimes'", "low")]
    assert issues("session=; Max-Age=0") == []


def test_cookies_seen_on_the_site_are_one_pf605_and_invalid_ones_are_notes():
    extra = [("Set-Cookie", "session=abc; Path=/"), ("Set-Cookie", "theme=dark; Secure; SameSite=Lax"),
             ("Set-Cookie", "novalue"), ("Set-Cookie", "=x"), ("Set-Cookie", "bad name=1"),
             ("Set-Cookie", "a=b; SameSite=Strict; Secure; =; ;;")]
    site = hardened_site({("https", "/"): lambda r: site.page(extra=extra)})
    result, (report,) = probe(["https://example.com/"], site)
    finding = only(result, "PF605")
    assert finding.severity is Severity.HIGH
    assert finding.message == "The site sets a cookie with weak flags: session (no Secure, no HttpOnly, no SameSite)."
    assert finding.evidence == "Set-Cookie: session on GET https://example.com/: no Secure, no HttpOnly, no SameSite"
    assert "abc" not in finding.message + finding.evidence
    notes = [n for n in report.notes if "invalid Set-Cookie" in n]
    assert len(notes) == 3 and all("GET https://example.com/" in n for n in notes)


def test_raw_undecodable_set_cookie_bytes_do_not_crash():
    def handler(request):
        return httpx.Response(200, headers=[(b"Strict-Transport-Security", b"max-age=31536000"),
                                            (b"Set-Cookie", b"\xff\xfe=\x01\x02; Secure"),
                                            (b"Set-Cookie", b"k\xe9y=v\xe9; Secure; HttpOnly; SameSite=Lax")],
                              text="ok")

    result, (report,) = probe(["https://example.com/"], handler)
    assert result.problems == []
    assert "PF506" in ids(result)


# ---- PF606 --------------------------------------------------------------------------------------------------


def flask_cookie(key, payload: Dict, *, compress: bool = False) -> str:
    """A session cookie exactly as Flask's SecureCookieSessionInterface signs it."""
    from flask.json.tag import TaggedJSONSerializer

    serializer = itsdangerous.URLSafeTimedSerializer(
        key, salt="cookie-session", serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1})
    if compress:
        payload = {**payload, "padding": "x" * 400}  # itsdangerous compresses only when it helps
    return serializer.dumps(payload)


def _cookie_site(value: str, name: str = "session") -> Site:
    cookie = f"{name}={value}; Secure; HttpOnly; SameSite=Lax; Path=/"
    return hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=[*HARDENED.items(),
                                                                                   ("Set-Cookie", cookie)],
                                                                     text="hi")})


def test_session_signed_with_secret_is_pf606_with_two_characters_only():
    value = flask_cookie("secret", {"_user_id": "42", "role": "admin-SENSITIVE"})
    result, (report,) = probe(["https://example.com/"], _cookie_site(value))
    finding = only(result, "PF606")
    assert finding.severity is Severity.CRITICAL
    assert "starts with 'se'" in finding.message
    assert "Payload keys: _user_id, role." in finding.message
    text = finding.message + finding.evidence
    assert "secret'" not in text and "'sec" not in text
    assert "SENSITIVE" not in text and "42" not in text and value not in text
    (crack,) = report.cracks
    assert crack.key == b"secret" and crack.cookie.keys == ["_user_id", "role"]


def test_compressed_cookie_and_any_cookie_name_with_the_flask_format():
    value = flask_cookie("changeme", {"user": "bob"}, compress=True)
    assert value.startswith(".")
    result, _ = probe(["https://example.com/"], _cookie_site(value, name="myapp_sess"))
    finding = only(result, "PF606")
    assert "`myapp_sess`" in finding.message and "starts with 'ch'" in finding.message


def test_strong_random_key_is_searched_against_the_whole_wordlist():
    """The whole list is tried and nothing is found. How fast is benchmarks/bench_probe.py's question (the
    "miss" case, cold and warm), not this test's."""
    value = flask_cookie(secrets.token_hex(32), {"user": "bob"})
    cands = session_mod.load_candidates()
    result, (report,) = probe(["https://example.com/"], _cookie_site(value), bundled_wordlist=True)
    assert result.findings == [] and result.problems == []
    (crack,) = report.cracks
    assert crack.key is None and crack.complete
    assert crack.tested == len(cands) > 50_000


def test_a_key_from_the_flask_unsign_wordlist_and_from_a_user_wordlist(tmp_path):
    path = session_mod.bundled_wordlist_path()
    assert path is not None
    keys = session_mod.read_wordlist(path)
    assert len(keys) > 50_000
    wordlist_key = keys[len(keys) // 2]
    result, _ = probe(["https://example.com/"], _cookie_site(flask_cookie(wordlist_key, {"a": 1})),
                      bundled_wordlist=True)
    assert "flask-unsign wordlist" in only(result, "PF606").message

    mine = tmp_path / "keys.txt"
    mine.write_text("nothing-here\nour-own-deploy-key-2024\n'quoted-one'\n", encoding="utf-8")
    for key in ("our-own-deploy-key-2024", "quoted-one"):
        result, _ = probe(["https://example.com/"], _cookie_site(flask_cookie(key, {"a": 1})),
                          wordlists=[str(mine)])
        finding = only(result, "PF606")
        assert f"--secret-wordlist {mine}" in finding.message
        assert f"starts with {key[:2]!r}" in finding.message


def test_non_flask_cookies_are_not_tested():
    site = _cookie_site("0123456789abcdef")  # an opaque server-side session id
    result, (report,) = probe(["https://example.com/"], site)
    assert result.findings == [] and report.cracks == []
    assert session_mod.parse_flask_cookie("session", "not.a.cookie") is None
    assert session_mod.parse_flask_cookie("other", "eyJhIjoxfQ.Zx.abc") is None


def test_find_key_matches_itsdangerous_for_many_keys():
    cands = session_mod.Candidates()
    cands.keys = [b"k%d" % i for i in range(50)] + ["ünïcode".encode()]
    cands.derived = [session_mod.derive(k) for k in cands.keys]
    for i in (0, 17, 50):
        value = flask_cookie(cands.keys[i].decode(), {"x": [1, 2]})
        assert session_mod.find_key(value, cands) == i
    assert session_mod.find_key(flask_cookie("other", {"x": 1}), cands) is None


def test_wordlist_reader_handles_literals_and_plain_lines(tmp_path):
    f = tmp_path / "w.txt"
    f.write_bytes(b"'simple'\n\"double\"\n'esc\\'aped'\nb'\\x00bytes'\nplain line\n\n'broken\n")
    assert session_mod.read_wordlist(str(f)) == [b"simple", b"double", b"esc'aped", b"\x00bytes", b"plain line",
                                                 b"'broken"]
    raw = session_mod.read_wordlist(str(f), keep_raw=True)
    assert b"'simple'" in raw and b"simple" in raw


def test_placeholder_candidates_include_tutorial_spellings():
    keys = set(session_mod.placeholder_keys())
    for k in ("dev", "secret", "dev-key", "dev_key", "secret-key", "super-secret-key", "hard to guess string",
              "you-will-never-guess", "changeme"):
        assert k in keys, k
    assert b"5f352379324c22463451387a0aec5d2f" in session_mod.public_keys()


# ---- PF607 --------------------------------------------------------------------------------------------------


def _traceback_html() -> str:
    from werkzeug.debug.tbtools import DebugTraceback

    try:
        raise ValueError("boom")
    except ValueError as exc:
        return DebugTraceback(exc).render_debugger_html(evalex=True, secret="s" * 20, evalex_trusted=False)


def test_traceback_on_the_404_page_is_pf607():
    site = hardened_site()
    site.default = lambda r: site.page(404, text="Traceback (most recent call last):\n  File \"app.py\", line 3")
    result, _ = probe(["https://example.com/"], site)
    finding = only(result, "PF607")
    assert finding.evidence == ("GET https://example.com/__preflight-<random> -> 404; body contains "
                                "'Traceback (most recent call last)'")


def test_debugger_page_for_the_malformed_query_is_pf607():
    site = hardened_site()
    page = _traceback_html()

    def root(request):
        if b"%ff%fe" in request.url.query:
            return site.page(500, text=page)
        return site.page()

    site.pages[("https", "/")] = root
    result, _ = probe(["https://example.com/"], site)
    finding = only(result, "PF607")
    assert "the Werkzeug debugger's traceback page" in finding.message
    assert finding.evidence.startswith("GET https://example.com/?<random>=%ff%fe -> 500;")


def test_a_blog_post_quoting_a_traceback_is_not_pf607():
    site = hardened_site({("https", "/"): lambda r: site.page(text="Traceback (most recent call last): explained")})
    result, _ = probe(["https://example.com/"], site)
    assert result.findings == []


# ---- grade --------------------------------------------------------------------------------------------------


def test_grade_scale():
    assert [letter_for(s) for s in (100, 95, 90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30, 25, 20, 0)] == [
        "A+", "A", "A", "A-", "B+", "B", "B", "B-", "C+", "C", "C", "C-", "D+", "D", "D", "D-", "F", "F"]
    loc = Location("https://x/", 1)
    high = REGISTRY["PF604"].finding("m", loc)
    medium = REGISTRY["PF506"].finding("m", loc, severity=Severity.MEDIUM)
    low = REGISTRY["PF510"].finding("m", loc)
    g = grade([low, high, medium])
    assert (g.score, g.letter) == (65, "B-")
    assert [(f.rule_id, p) for f, p in g.costs] == [("PF604", 20), ("PF506", 10), ("PF510", 5)]
    crit = REGISTRY["PF606"].finding("m", loc)
    assert grade([crit]).letter == "F" and grade([crit]).score == 50
    assert grade([high] * 6).score == 0
    assert grade([], probed=False).letter == "-"


def test_ignored_rules_do_not_cost_points():
    from flask_preflight.config import load_settings

    site = hardened_site()
    del site.headers["Strict-Transport-Security"]
    settings = load_settings(None, start=".", overrides={"ignore": ["PF604"]})
    result, (report,) = probe(["https://example.com/"], site, settings=settings)
    assert result.findings == [] and report.grade.letter == "A+"


# ---- reports ------------------------------------------------------------------------------------------------


def test_sarif_locations_are_the_urls():
    site = hardened_site()
    del site.headers["Strict-Transport-Security"]

    def handler(request):
        if request.url.host == "down.example":
            raise _refused()
        return site(request)

    urls = ["https://example.com/ä?q=1", "https://down.example/"]
    result, reports = probe(urls, handler)
    log = json.loads(render_probe_report(result, reports, "sarif", tool_version="1.0.0"))
    run = log["runs"][0]
    (res,) = run["results"]
    assert res["ruleId"] == "PF604"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "https://example.com/%C3%A4?q=1"}
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "https://down.example/"}
    assert run["invocations"][0]["properties"]["probe"]["targets"][0]["grade"] == "B+"


def test_json_report_has_the_probe_section():
    result, reports = probe(["https://example.com/"], _cookie_site(flask_cookie("secret", {"k": "v"})),
                            insecure=True)
    data = json.loads(render_probe_report(result, reports, "json", tool_version="t", insecure=True))
    assert data["summary"]["files_scanned"] == 1
    assert data["probe"]["insecure"] is True
    target = data["probe"]["targets"][0]
    assert target["grade"] == "F" and target["tls_verified"] is False and target["requests_sent"] == 7
    assert target["session_cookies"][0]["payload_keys"] == ["k"] and target["session_cookies"][0]["forgeable"]
    assert [r["request"] for r in target["requests"]] == ["main", "http", "debugger_js", "style_css", "console",
                                                           "missing", "malformed"]
    assert '"v"' not in json.dumps(target)


def test_text_report_has_urls_evidence_and_summary_table():
    site = hardened_site()
    site.headers["Server"] = "Werkzeug/3.1.3 Python/3.12.1"
    result, reports = probe(["https://example.com/"], site)
    text = render_probe_report(result, reports, "text", tool_version="t", insecure=True)
    assert "https://example.com/: PF601 [high] The site is served by a development server" in text
    assert "  = evidence: GET https://example.com/ -> Server: Werkzeug/3.1.3 Python/3.12.1" in text
    assert "Found 2 findings (1 high, 1 low) in 1 URL." in text
    assert "Probe summary - TLS certificates were NOT verified (--insecure)" in text
    assert "  https://example.com/  grade B    75/100   7 requests, " in text
    assert "    -20  PF601  dev-server-exposed [high]" in text


# ---- CLI ----------------------------------------------------------------------------------------------------


@pytest.fixture
def mock_cli(monkeypatch):
    """Run the real CLI with every Fetcher on a MockTransport of the given site."""
    holder: Dict[str, object] = {}
    real = runner_mod.Fetcher

    class MockFetcher(real):  # type: ignore[misc, valid-type]
        def __init__(self, url, **kw):
            kw["transport"] = httpx.MockTransport(holder["site"])
            super().__init__(url, **kw)

    monkeypatch.setattr(runner_mod, "Fetcher", MockFetcher)

    def run(site, *args):
        holder["site"] = site
        return CliRunner().invoke(main, ["probe", *args])

    return run


def test_cli_exit_codes_and_formats(mock_cli):
    site = hardened_site()
    assert mock_cli(site, "https://example.com/").exit_code == 0
    del site.headers["X-Content-Type-Options"]
    res = mock_cli(site, "https://example.com/")
    assert res.exit_code == 0 and "PF506 [low]" in res.output  # default --fail-on medium: low is shown only
    assert mock_cli(site, "https://example.com/", "--fail-on", "low").exit_code == 1
    assert mock_cli(site, "https://example.com/", "--fail-on", "medium").exit_code == 0
    res = mock_cli(site, "https://example.com/", "--format", "json", "--ignore", "PF506")
    assert res.exit_code == 0 and json.loads(res.output)["findings"] == []


def test_cli_exit_3_when_a_url_cannot_be_probed(mock_cli):
    good = hardened_site()

    def handler(request):
        if request.url.host == "down.example":
            raise _refused()
        return good(request)

    res = mock_cli(handler, "https://down.example/", "https://example.com/", "--format", "json")
    assert res.exit_code == 3
    data = json.loads(res.output)
    assert [e["path"] for e in data["errors"]] == ["https://down.example/"]
    assert data["probe"]["targets"][1]["grade"] == "A+"


def test_cli_usage_errors_exit_2(tmp_path):
    cli = CliRunner()
    for args, text in [(["ftp://example.com/"], "scheme must be http or https"),
                       (["https://example.com/", "--header", "nocolon"], "expected \"Name: value\""),
                       (["https://example.com/", "--secret-wordlist", str(tmp_path / "nope.txt")], "cannot read"),
                       (["https://example.com/", "--select", "PF999"], "PF999"),
                       (["https://example.com/", "--concurrency", "0"], "")]:
        res = cli.invoke(main, ["probe", *args])
        assert res.exit_code == 2, (args, res.output)
        assert text in res.output
    assert cli.invoke(main, ["probe"]).exit_code == 2


def test_cli_insecure_is_reported(mock_cli):
    res = mock_cli(hardened_site(), "https://example.com/", "--insecure")
    assert "--insecure: TLS certificates are not verified" in res.output
    assert "NOT verified (--insecure)" in res.output


def test_probe_rules_are_registered_for_probe_mode():
    for rid in ("PF601", "PF602", "PF603", "PF604", "PF605", "PF606", "PF607", "PF506", "PF510"):
        assert "probe" in REGISTRY[rid].modes
    assert REGISTRY["PF602"].severity is Severity.CRITICAL and REGISTRY["PF606"].severity is Severity.CRITICAL


# ---- hostile input: a check that raises, bounded cookie work (issue 13) -------------------------------------


def _raising_check(exc: BaseException):
    def check(obs, out):
        out.findings.append(REGISTRY["PF607"].finding("half a verdict", Location(obs.url, 1)))
        raise exc
    return check


def test_a_check_that_raises_is_its_own_problem_the_others_run_and_no_url_is_graded(monkeypatch):
    from flask_preflight.probe import checks as checks_mod

    patched = tuple((name, _raising_check(RecursionError("maximum recursion depth exceeded")) if name.startswith(
        "PF607") else check) for name, check in checks_mod.CHECKS)
    monkeypatch.setattr(checks_mod, "CHECKS", patched)
    site = hardened_site()
    site.headers["Server"] = "Werkzeug/3.1.3 Python/3.12.1"
    result, reports = probe(["https://example.com/", "https://example.com/other"], site)
    # the other checks ran: PF601 and PF510 for both URLs; the failed check's own finding is dropped
    assert ids(result) == ["PF510", "PF510", "PF601", "PF601"]
    reason = ("the PF607 traceback check failed (RecursionError: maximum recursion depth exceeded); its findings "
              "are not reported")
    assert [(p.path, p.kind, p.reason) for p in result.problems] == [
        ("https://example.com/", ProblemKind.INTERNAL_ERROR, reason),
        ("https://example.com/other", ProblemKind.INTERNAL_ERROR, reason)]
    withheld = ("the PF607 traceback check failed for https://example.com/ and 1 more (see the errors); a grade "
                "would vouch for checks that did not run")
    for report in reports:
        assert (report.grade.letter, report.grade.score, report.grade_withheld) == ("-", None, withheld)
    data = json.loads(render_probe_report(result, reports, "json", tool_version="t"))
    assert (data["probe"]["graded"], data["probe"]["grade_withheld"]) == (False, withheld)
    assert [(t["grade"], t["score"], t["failed_checks"]) for t in data["probe"]["targets"]] == [
        ("-", None, ["PF607 traceback"])] * 2
    assert [e["kind"] for e in data["errors"]] == ["internal-error"] * 2
    sarif = json.loads(render_probe_report(result, reports, "sarif", tool_version="t"))
    props = sarif["runs"][0]["invocations"][0]["properties"]["probe"]
    assert props["graded"] is False and [t["grade"] for t in props["targets"]] == ["-", "-"]
    text = render_probe_report(result, reports, "text", tool_version="t")
    assert f"  no grades: {withheld}" in text
    assert "  https://example.com/       not graded" in text and "-20  PF601" not in text


def test_a_run_whose_checks_all_ran_is_graded():
    """Negative: a finding-rich but complete run keeps its grade."""
    site = hardened_site()
    site.headers["Server"] = "Werkzeug/3.1.3 Python/3.12.1"
    result, (report,) = probe(["https://example.com/"], site)
    assert result.problems == [] and (report.grade.letter, report.grade_withheld) == ("B", "")


def test_the_key_search_stops_at_its_deadline():
    cands = session_mod.load_candidates(bundled=False)
    value = flask_cookie("secret", {"k": "v"})
    assert session_mod.search_key(value, cands, deadline=time.monotonic() - 1) == (None, 0)
    index, tested = session_mod.search_key(value, cands, deadline=time.monotonic() + 60)
    assert cands.keys[index] == b"secret" and tested == index + 1
    crack = session_mod.crack(session_mod.parse_flask_cookie("session", value), cands, time.monotonic() - 1)
    assert (crack.key, crack.tested, crack.complete) == (None, 0, False)


def test_pf605_names_at_most_twenty_cookies_and_counts_the_rest():
    cookies = [SetCookie(f"c{i:02d}", "v", {}, url="https://example.com/") for i in range(25)]
    cookies.append(SetCookie("zz_session", "v", {"samesite": "Lax"}, url="https://example.com/"))
    (finding,) = check_cookies("https://example.com/", cookies, Location("https://example.com/", 1))
    # the high one (a session cookie without Secure or HttpOnly) is kept whatever its name's place
    assert "zz_session (no Secure, no HttpOnly)" in finding.message
    assert finding.message.endswith(
        "c18 (no Secure, no SameSite); zz_session (no Secure, no HttpOnly); and 6 more cookies.")
    assert finding.message.count("(no Secure") == 20


def test_a_failing_check_never_quotes_a_cookie_value(monkeypatch):
    from flask_preflight.probe import checks as checks_mod

    value = flask_cookie("a-strong-key-nobody-has", {"user": "alice"})

    def quoting(obs, out):
        raise ValueError(f"cannot handle {value} here")

    monkeypatch.setattr(checks_mod, "CHECKS", (("PF605 cookie", quoting),))
    result, (report,) = probe(["https://example.com/"], _cookie_site(value))
    (problem,) = result.problems
    assert problem.reason == ("the PF605 cookie check failed (ValueError: cannot handle <redacted> here); its "
                              "findings are not reported")
    # a value cut by the message limit is still not shown, not even in part
    monkeypatch.setattr(checks_mod, "CHECKS", (("PF605 cookie", lambda o, a: (_ for _ in ()).throw(
        ValueError("x" * 90 + value))),))
    result, _ = probe(["https://example.com/"], _cookie_site(value))
    assert value[:12] not in result.problems[0].reason and "<redacted>" in result.problems[0].reason
