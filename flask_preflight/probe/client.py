"""The HTTP side of ``probe``: a small, bounded, read-only client on top of httpx.

Every request is a GET (nothing else is ever sent), identifies the tool in its User-Agent, asks for an
uncompressed body, and is bounded three ways: httpx's per-phase timeout, a wall-clock limit for the whole
request (connect, headers and body; a server that trickles bytes cannot keep it open), and a body cap -
at most ``MAX_BODY`` bytes are read, by streaming, whatever the server sends or announces. Redirects are
followed by hand (at most ``MAX_REDIRECTS``) so each hop is recorded and capped the same way; user headers
(``--header``) only go to the target's own host and never over plain http when the target is https.
Cookies the server sets are recorded and never sent back.

Failures never raise: an :class:`Exchange` carries either the responses or one clear line saying why there
are none (DNS, connection refused, timeout, TLS verification, redirect loop, ...).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urljoin, urlsplit

import httpx

from flask_preflight import __version__

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


class Fetcher:
    """GET-only client for one target. ``transport`` is for tests (httpx.MockTransport)."""

    def __init__(self, target_url: str, *, timeout: float = 10.0, insecure: bool = False,
                 headers: Sequence[Tuple[str, str]] = (), max_body: int = MAX_BODY,
                 transport: Optional[httpx.AsyncBaseTransport] = None) -> None:
        parts = urlsplit(target_url)
        self.target_host = (parts.hostname or "").lower()
        self.target_https = parts.scheme.lower() == "https"
        self.timeout = timeout
        self.max_body = max_body
        self.user_headers = list(headers)
        self.requests_sent = 0
        kwargs: Dict[str, Any] = {
            "verify": not insecure,
            "timeout": httpx.Timeout(timeout),
            "follow_redirects": False,
            "headers": {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"},
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
        parts = urlsplit(url)
        if (parts.hostname or "").lower() != self.target_host:
            return {}
        if self.target_https and parts.scheme.lower() != "https":
            return {}  # never leak an Authorization header over plain http
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
            chunks: List[bytes] = []
            size = 0
            truncated = False
            redirect = resp.status_code in REDIRECT_CODES and "location" in resp.headers
            if read_body and not redirect:
                async for chunk in resp.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > self.max_body:
                        truncated = True
                        break
            raw = b"".join(chunks)[: self.max_body]
            return Response(url=str(resp.url), status=resp.status_code, headers=resp.headers,
                            body=raw.decode("utf-8", "replace"), truncated=truncated)
        finally:
            await resp.aclose()
            self.client.cookies.clear()  # record cookies, never send them back


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
