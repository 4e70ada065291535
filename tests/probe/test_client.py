"""``probe.client`` pinned exactly: every branch of describe_error (kind and line), the origin rules that
decide who receives ``--header`` values, Response's header helpers and Exchange.describe."""

import asyncio
import socket
import ssl

import httpx
import pytest

from flask_preflight.probe.client import (DNS, NETWORK, PROTOCOL, REFUSED, TIMEOUT, TLS, TLS_VERIFY, Exchange,
                                          Response, _chain, _first_line, describe_error, origin_key,
                                          same_origin)

URL = "https://ex.com:8443/p"
HOST = "ex.com:8443"


def _chained(outer, inner):
    try:
        try:
            raise inner
        except BaseException as e:
            raise outer from e
    except BaseException as e:  # noqa: BLE001
        return e


def _verify_error(message=None):
    err = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: x")
    if message is not None:
        err.verify_message = message
    return err


TAIL = "; if you own this host and trust its certificate, rerun with --insecure"


@pytest.mark.parametrize("exc,kind,line", [
    (httpx.ConnectTimeout("t"), TIMEOUT, f"timed out waiting for connecting from {HOST} after 2.5 s (--timeout)"),
    (httpx.ReadTimeout("t"), TIMEOUT, f"timed out waiting for an answer from {HOST} after 2.5 s (--timeout)"),
    (_chained(httpx.ConnectError("x"), TimeoutError()), TIMEOUT,
     f"timed out waiting for an answer from {HOST} after 2.5 s (--timeout)"),
    (_chained(httpx.ConnectError("x"), asyncio.TimeoutError()), TIMEOUT,
     f"timed out waiting for an answer from {HOST} after 2.5 s (--timeout)"),
    (_chained(httpx.ConnectError("boom"), _verify_error("self-signed certificate")), TLS_VERIFY,
     f"TLS certificate verification failed for {HOST} (self-signed certificate){TAIL}"),
    (_chained(httpx.ConnectError("boom"), _verify_error()), TLS_VERIFY,
     f"TLS certificate verification failed for {HOST} ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
     f"failed: x){TAIL}"),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] bad (_ssl.c:1000)"), TLS_VERIFY,
     f"TLS certificate verification failed for {HOST} ([SSL: CERTIFICATE_VERIFY_FAILED] bad (_ssl.c:1000)){TAIL}"),
    (httpx.ConnectError("Certificate verify failed: expired"), TLS_VERIFY,
     f"TLS certificate verification failed for {HOST} (Certificate verify failed: expired){TAIL}"),
    (_chained(httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"), ssl.SSLError(1, "w")), TLS,
     f"TLS handshake with {HOST} failed ([SSL: WRONG_VERSION_NUMBER] wrong version number); the port may be "
     f"serving plain http"),
    (_chained(httpx.ReadError("eof"), ssl.SSLError(1, "eof")), TLS, f"TLS handshake with {HOST} failed (eof)"),
    (httpx.ConnectError("SSL alert"), TLS, f"TLS handshake with {HOST} failed (SSL alert)"),
    (_chained(httpx.ConnectError("x"), socket.gaierror(-2, "unknown")), DNS, "cannot resolve host 'ex.com'"),
    (_chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "no")), REFUSED, f"connection refused by {HOST}"),
    (httpx.ConnectError("All connection attempts failed: Refused"), REFUSED, f"connection refused by {HOST}"),
    (httpx.ConnectError("[Errno -2] Name or service not known"), DNS, "cannot resolve host 'ex.com'"),
    (httpx.ConnectError("nodename nor servname provided"), DNS, "cannot resolve host 'ex.com'"),
    (httpx.ConnectError("getaddrinfo failed"), DNS, "cannot resolve host 'ex.com'"),
    (httpx.ConnectError("No address associated with hostname"), DNS, "cannot resolve host 'ex.com'"),
    (httpx.ConnectError("Temporary failure in name resolution"), DNS, "cannot resolve host 'ex.com'"),
    (httpx.ConnectError("host not known"), DNS, "cannot resolve host 'ex.com'"),
    (httpx.ConnectError("Network unreachable\nsecond line"), NETWORK, f"cannot connect to {HOST} (Network unreachable)"),
    (httpx.RemoteProtocolError("Server disconnected"), PROTOCOL,
     f"{HOST} did not answer with valid HTTP (Server disconnected)"),
    (httpx.LocalProtocolError("bad"), PROTOCOL, f"{HOST} did not answer with valid HTTP (bad)"),
    (httpx.ReadError("reset"), NETWORK, f"network error talking to {HOST} (reset)"),
    (ValueError(""), NETWORK, "request failed (ValueError: ValueError)"),
    (RuntimeError("  x\ny"), NETWORK, "request failed (RuntimeError: x)"),
])
def test_describe_error(exc, kind, line):
    assert describe_error(exc, URL, 2.5) == (kind, line)


def test_first_line_is_cut_at_200_and_the_chain_at_10():
    assert _first_line(RuntimeError("y" * 300)) == "y" * 200
    assert _first_line(KeyError()) == "KeyError"
    exc = RuntimeError("0")
    for i in range(1, 15):
        exc = _chained(RuntimeError(str(i)), exc)
    assert [str(e) for e in _chain(exc)] == [str(i) for i in range(14, 4, -1)]
    loop = RuntimeError("a")
    loop.__context__ = RuntimeError("b")
    loop.__context__.__context__ = loop
    assert [str(e) for e in _chain(loop)] == ["a", "b"]


def test_origin_key_and_same_origin():
    assert origin_key("HTTPS://Ex.COM/x") == ("https", "ex.com", 443)
    assert origin_key("http://ex.com/") == ("http", "ex.com", 80)
    assert origin_key("http://ex.com:8080/") == ("http", "ex.com", 8080)
    assert origin_key("ftp://ex.com/") == ("ftp", "ex.com", 0)
    assert origin_key("http://ex.com:99999/") == ("", "", 0)
    assert same_origin("https://ex.com/", "https://EX.com:443/other")
    assert same_origin("http://ex.com/", "https://ex.com/")               # the https upgrade
    assert not same_origin("https://ex.com/", "http://ex.com/")           # never downgraded
    assert not same_origin("http://ex.com:8080/", "https://ex.com/")
    assert not same_origin("http://ex.com/", "https://ex.com:8443/")
    assert not same_origin("http://ex.com/", "https://other.com/")
    assert not same_origin("https://ex.com/", "https://ex.com:8443/")
    assert not same_origin("ftp://ex.com/", "ftp://ex.com/")
    assert not same_origin("http:///nohost", "http:///nohost")


def test_response_headers_and_exchange_describe():
    r = Response("HTTPS://ex.com/", 301, httpx.Headers([("Location", "/a"), ("Set-Cookie", "a=1"),
                                                         ("Set-Cookie", "b=2")]))
    assert (r.scheme, r.location, r.header("X-Missing")) == ("https", "/a", "")
    assert r.header_list("Set-Cookie") == ["a=1", "b=2"] and r.header_list("X") == []

    class Broken:
        def get(self, *a):
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")

        def get_list(self, *a):
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")

    bad = Response("https://ex.com/", 200, Broken())  # type: ignore[arg-type]
    assert (bad.header("Server"), bad.header_list("Set-Cookie")) == ("", [])
    final = Response("https://ex.com/a", 200, httpx.Headers())
    ex = Exchange("main", "https://ex.com/", "https://ex.com/", [r, final])
    assert ex.describe() == "GET https://ex.com/ -> 301 /a -> 200"
    assert Exchange("main", "u", "shown", [final]).describe() == "GET shown -> 200"
    assert Exchange("main", "u", "shown", error="boom").describe() == "GET shown: boom"


# ---- Fetcher on a mock transport --------------------------------------------------------------------------------

from flask_preflight.probe.client import MAX_BODY, USER_AGENT, Fetcher  # noqa: E402


def _fetch(handler, url="https://ex.com/", follow=True, **kw):
    seen = []

    def record(request):
        seen.append(request)
        return handler(request)

    async def go():
        async with Fetcher("https://ex.com/", transport=httpx.MockTransport(record), **kw) as f:
            return await f.get(url, follow=follow), f

    ex, fetcher = asyncio.run(go())
    return ex, fetcher, seen


def test_every_request_is_an_identified_get_asking_for_an_identity_body():
    ex, fetcher, (request,) = _fetch(lambda r: httpx.Response(200, text="hi"))
    assert (request.method, request.headers["User-Agent"], request.headers["Accept"],
            request.headers["Accept-Encoding"]) == ("GET", USER_AGENT, "*/*", "identity")
    assert (ex.label, ex.shown, ex.status, ex.final.body, fetcher.requests_sent) == (
        "https://ex.com/", "https://ex.com/", 200, "hi", 1)
    assert (fetcher.timeout, fetcher.max_body) == (10.0, MAX_BODY)


def test_redirect_errors_are_one_line_each():
    long_tail = "p" * 300
    ex, _, _ = _fetch(lambda r: httpx.Response(302, headers={"Location": f"ftp://ex.com/{long_tail}"}))
    assert (ex.error, ex.error_kind) == (f"redirect to a non-http URL {('ftp://ex.com/' + long_tail)[:200]!r}",
                                         "redirect")
    ex, _, _ = _fetch(lambda r: httpx.Response(302, headers={"Location": "/" if r.url.path != "/" else "/a"}))
    assert (ex.error, ex.error_kind) == ("redirect loop: https://ex.com/ -> /a -> /", "redirect")
    assert [r.status for r in ex.responses] == [302, 302]


def test_a_redirect_without_location_or_not_followed_is_the_answer():
    ex, _, _ = _fetch(lambda r: httpx.Response(302, text="moved"))
    assert (ex.error, ex.status, ex.final.body) == (None, 302, "moved")
    ex, _, seen = _fetch(lambda r: httpx.Response(301, headers={"Location": "/x"}, text="body"), follow=False)
    assert (ex.status, ex.final.body, len(seen)) == (301, "", 1)


def test_the_body_is_capped_at_max_body_and_decoded_leniently():
    ex, _, _ = _fetch(lambda r: httpx.Response(200, content=b"\xff" + b"a" * 200), max_body=100)
    r = ex.final
    assert (r.body, r.truncated, r.body_problem_kind) == ("\ufffd" + "a" * 99, True, "too-large")
    assert r.body_problem == "the body is larger than 100 bytes; only the first 100 bytes was read and checked"
    ex, _, _ = _fetch(lambda r: httpx.Response(200, content=b"a" * 100), max_body=100)
    assert (ex.final.body, ex.final.truncated, ex.final.body_problem) == ("a" * 100, False, "")
