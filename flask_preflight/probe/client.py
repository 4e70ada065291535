"""The HTTP side of ``probe``: a small, bounded, read-only client on top of httpx.

Every request is a GET (nothing else is ever sent), identifies the tool in its User-Agent, asks for an
uncompressed body, and is bounded three ways: httpx's per-phase timeout, a wall-clock limit for the whole
request (connect, headers and body; a server that trickles bytes cannot keep it open), and a body cap -
at most ``MAX_BODY`` bytes are read, by streaming, whatever the server sends or announces. Bodies are read
raw (httpx's own decoding has no output limit: a 3 KB gzip-of-gzip expands to gigabytes) and decoded here by
``decoding.BoundedDecoder``, every layer capped at ``MAX_BODY``. Redirects are followed by hand (at most
``MAX_REDIRECTS``) so each hop is recorded and capped the same way; user headers (``--header``) only go to
the target's own origin (scheme, host and port; or its https upgrade on the default ports), so a redirect
to another port or host never receives them. The client has no cookie jar: cookies the server sets are
recorded from the headers and never sent back, not even by a request running at the same time.

Failures never raise: an :class:`Exchange` carries either the responses or one clear line saying why there
are none (DNS, connection refused, timeout, TLS verification, redirect loop, ...).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urljoin, urlsplit

import httpx

from flask_preflight import __version__
from flask_preflight.probe.decoding import TOO_LARGE, UNDECODABLE, BoundedDecoder, no_cookie_jar

USER_AGENT = f"flask-preflight/{__version__} (+probe; read-only)"
MAX_BODY = 1024 * 1024
MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})

# Why a request produced no response; the runner maps these to problem kinds.
DNS, REFUSED, TIMEOUT, TLS_VERIFY, TLS, REDIRECT, PROTOCOL, NETWORK = (
    "dns", "refused", "timeout", "tls-verify", "tls", "redirect", "protocol", "network")


@dataclass
class Response:
    """One HTTP response as the probe saw it: status, headers, and at most MAX_BODY bytes of body."""

    url: str
    status: int
    headers: httpx.Headers
    body: str = ""
    truncated: bool = False  # the body was longer than MAX_BODY; only the first MAX_BODY bytes were read
    body_problem: str = ""  # why the body is incomplete or was not checked (truncated, refused, undecodable)
    body_problem_kind: str = ""  # decoding.TOO_LARGE or decoding.UNDECODABLE

    def header(self, name: str) -> str:
        try:
            return self.headers.get(name, "") or ""
        except Exception:  # noqa: BLE001 - undecodable header bytes
            return ""

    def header_list(self, name: str) -> List[str]:
        try:
            return list(self.headers.get_list(name))
        except Exception:  # noqa: BLE001
            return []

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()

    @property
    def location(self) -> str:
        return self.header("Location")


@dataclass
class Exchange:
    """One request of the plan: every response of its redirect chain (the last one is final), or an error.

    ``shown`` is the URL as reports show it (random parts replaced by ``<random>``, so evidence and
    fingerprints stay stable between runs).
    """

    label: str
    url: str
    shown: str
    responses: List[Response] = field(default_factory=list)
    error: Optional[str] = None
    error_kind: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.responses)

    @property
    def final(self) -> Optional[Response]:
        return self.responses[-1] if self.ok else None

    @property
    def status(self) -> Optional[int]:
        return self.responses[-1].status if self.responses else None

    @property
    def redirects(self) -> List[Response]:
        """The hops before the final response (empty when the first answer was final)."""
        return self.responses[:-1]

    def describe(self) -> str:
        if self.error:
            return f"GET {self.shown}: {self.error}"
        hops = " -> ".join(f"{r.status} {r.location}" for r in self.redirects)
        return f"GET {self.shown} -> {hops + ' -> ' if hops else ''}{self.status}"


def origin_key(url: str) -> Tuple[str, str, int]:
    """(scheme, host, port) of ``url``, the port made explicit; ("", "", 0) for a URL that cannot be parsed."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError:
        return "", "", 0
    if port is None:
        port = 443 if scheme == "https" else 80 if scheme == "http" else 0
    return scheme, (parts.hostname or "").lower(), port


def same_origin(target_url: str, url: str) -> bool:
    """``url`` is the target's own origin, or its https upgrade (http:80 -> https:443 on the same host).

    Host names alone are not enough: another port on the same host is another service (and possibly
    another tenant), and must not receive ``--header`` values nor be probed as if it were the target."""
    target, other = origin_key(target_url), origin_key(url)
    if not target[1] or target[0] not in ("http", "https"):
        return False
    if other == target:
        return True
    return target == ("http", other[1], 80) and other == ("https", target[1], 443)


class Fetcher:
    """GET-only client for one target. ``transport`` is for tests (httpx.MockTransport)."""

    def __init__(self, target_url: str, *, timeout: float = 10.0, insecure: bool = False,
                 headers: Sequence[Tuple[str, str]] = (), max_body: int = MAX_BODY,
                 transport: Optional[httpx.AsyncBaseTransport] = None) -> None:
        self.target_url = target_url
        self.timeout = timeout
        self.max_body = max_body
        self.user_headers = list(headers)
        self.requests_sent = 0
        kwargs: Dict[str, Any] = {
            "verify": not insecure,
            "timeout": httpx.Timeout(timeout),
            "follow_redirects": False,
            "headers": {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"},
            "cookies": no_cookie_jar(),  # no jar: concurrent requests must not pass cookies to each other
        }
        if transport is not None:
            kwargs["transport"] = transport
        self.client = httpx.AsyncClient(**kwargs)

    async def close(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def _headers_for(self, url: str) -> Dict[str, str]:
        """The user's headers for ``url``: only on the target's origin (so never over plain http for an
        https target, never to another port or host)."""
        if not same_origin(self.target_url, url):
            return {}
        return {name: value for name, value in self.user_headers}

    async def get(self, url: str, *, label: str = "", shown: str = "", follow: bool = False) -> Exchange:
        """GET ``url`` (following up to MAX_REDIRECTS redirects when ``follow``); never raises."""
        ex = Exchange(label=label or url, url=url, shown=shown or url)
        seen = {url}
        current = url
        while True:
            try:
                response = await asyncio.wait_for(self._one(current, read_body=True), self.timeout)
            except asyncio.TimeoutError:
                ex.error, ex.error_kind = f"no complete answer within {self.timeout:g} s (--timeout)", TIMEOUT
                return ex
            except Exception as exc:  # noqa: BLE001 - every failure becomes one line
                ex.error_kind, ex.error = describe_error(exc, current, self.timeout)
                return ex
            ex.responses.append(response)
            if not follow or response.status not in REDIRECT_CODES or not response.location:
                return ex
            try:
                nxt = urljoin(current, response.location.strip())
                scheme = urlsplit(nxt).scheme.lower()
            except ValueError:
                ex.error, ex.error_kind = f"invalid redirect Location {response.location[:200]!r}", REDIRECT
                return ex
            if scheme not in ("http", "https"):
                ex.error, ex.error_kind = f"redirect to a non-http URL {nxt[:200]!r}", REDIRECT
                return ex
            if nxt in seen:
                chain = " -> ".join([url] + [r.location for r in ex.responses])
                ex.error, ex.error_kind = f"redirect loop: {chain[:400]}", REDIRECT
                return ex
            if len(ex.responses) > MAX_REDIRECTS:
                ex.error, ex.error_kind = f"more than {MAX_REDIRECTS} redirects", REDIRECT
                return ex
            seen.add(nxt)
            current = nxt

    async def _one(self, url: str, *, read_body: bool) -> Response:
        request = self.client.build_request("GET", url, headers=self._headers_for(url))
        self.requests_sent += 1
        resp = await self.client.send(request, stream=True)
        try:
            out = Response(url=str(resp.url), status=resp.status_code, headers=resp.headers)
            redirect = resp.status_code in REDIRECT_CODES and "location" in resp.headers
            if read_body and not redirect:
                await self._read_body(resp, out)
            return out
        finally:
            await resp.aclose()

    async def _read_body(self, resp: httpx.Response, out: Response) -> None:
        """Read at most ``max_body`` raw bytes and decode them with every layer's output capped.

        ``aiter_raw`` gives the bytes as sent; httpx's ``aiter_bytes`` would decode Content-Encoding itself
        without any output limit, whatever ``Accept-Encoding`` asked for."""
        if resp.is_stream_consumed:
            # only a transport that built the response from bytes (httpx.MockTransport in tests) gets here:
            # httpx has already decoded that body, so it is taken as it is, capped the same way
            chunks: Any = [resp.content]
            decoder = BoundedDecoder("", self.max_body)
        else:
            chunks = resp.aiter_raw()
            decoder = BoundedDecoder(_header_text(resp.headers, "content-encoding"), self.max_body)
        if decoder.refused:
            out.body_problem, out.body_problem_kind = decoder.refused, UNDECODABLE
            return
        raw_size = 0
        async for chunk in _aiter(chunks):
            raw_size += len(chunk)
            if raw_size > self.max_body:
                decoder.feed(chunk[: len(chunk) - (raw_size - self.max_body)])
                decoder.raw_over = True
                break
            if not decoder.feed(chunk):
                break  # decoded output is over the limit, or the data is corrupt: stop reading
        out.body = decoder.result().decode("utf-8", "replace")
        out.truncated = decoder.over or decoder.raw_over
        if decoder.error:
            out.body_problem, out.body_problem_kind = decoder.error, UNDECODABLE
        elif out.truncated:
            out.body_problem, out.body_problem_kind = decoder.truncation_reason(), TOO_LARGE


async def _aiter(chunks: Any) -> AsyncIterator[bytes]:
    if hasattr(chunks, "__aiter__"):
        async for chunk in chunks:
            yield chunk
    else:
        for chunk in chunks:
            yield chunk


def _header_text(headers: httpx.Headers, name: str) -> str:
    try:
        return ", ".join(headers.get_list(name))
    except Exception:  # noqa: BLE001 - undecodable header bytes
        return "(undecodable)"


def describe_error(exc: BaseException, url: str, timeout: float) -> Tuple[str, str]:
    """(kind, one-line reason) for an exception raised by a request."""
    host = urlsplit(url).netloc
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain).lower()
    timed_out = any(isinstance(e, (TimeoutError, asyncio.TimeoutError)) for e in chain)
    if isinstance(exc, httpx.TimeoutException) or timed_out:
        what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "an answer"
        return TIMEOUT, f"timed out waiting for {what} from {host} after {timeout:g} s (--timeout)"
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None or "certificate_verify_failed" in text or "certificate verify failed" in text:
        reason = getattr(verify, "verify_message", None) or _first_line(verify or exc)
        return TLS_VERIFY, (f"TLS certificate verification failed for {host} ({reason}); if you own this "
                            "host and trust its certificate, rerun with --insecure")
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text and isinstance(exc, httpx.ConnectError):
        hint = "; the port may be serving plain http" if "wrong version number" in text else ""
        return TLS, f"TLS handshake with {host} failed ({_first_line(exc)}){hint}"
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, socket.gaierror) for e in chain):
            return DNS, f"cannot resolve host {urlsplit(url).hostname!r}"
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
            return REFUSED, f"connection refused by {host}"
        if any(s in text for s in ("name or service not known", "nodename nor servname", "getaddrinfo",
                                   "no address associated", "name resolution", "not known")):
            return DNS, f"cannot resolve host {urlsplit(url).hostname!r}"
        return NETWORK, f"cannot connect to {host} ({_first_line(exc)})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return PROTOCOL, f"{host} did not answer with valid HTTP ({_first_line(exc)})"
    if isinstance(exc, httpx.TransportError):
        return NETWORK, f"network error talking to {host} ({_first_line(exc)})"
    return NETWORK, f"request failed ({type(exc).__name__}: {_first_line(exc)})"


def _chain(exc: BaseException) -> List[BaseException]:
    out: List[BaseException] = []
    cur: Optional[BaseException] = exc
    while cur is not None and cur not in out and len(out) < 10:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
