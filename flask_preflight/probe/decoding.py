"""Bounded body decoding and the empty cookie jar for the probe's HTTP client.

The probe asks for ``Accept-Encoding: identity``, but a hostile (or merely odd) server may compress anyway,
several times over: ``Content-Encoding: gzip, gzip`` with a 3.4 KB body expands to gigabytes, and httpx
decodes such bodies itself (``iter_bytes``/``read``) with no limit on the output. So the client reads the
raw bytes and decodes them here, with zlib's ``max_length`` capping the output of every layer at the body
limit (a layer that would produce more stops there: the body is reported as truncated). At most
``MAX_LAYERS`` codings are decoded; a longer chain, or a coding other than gzip/deflate/identity (br,
zstd, compress...), is refused - the body is not read - with a one-line reason, never silently.
"""

from __future__ import annotations

import zlib
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import List

MAX_LAYERS = 2  # layered codings decoded at most ("gzip, gzip" is legal HTTP; more is only ever an attack)
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
TOO_LARGE, UNDECODABLE = "too-large", "undecodable"  # kinds of body problems


def no_cookie_jar() -> CookieJar:
    """A jar whose policy accepts no cookie (``allowed_domains=[]``): nothing is stored, nothing is sent.

    The probe records ``Set-Cookie`` from the response headers; a shared jar would let a cookie set on one
    concurrent request be sent by another (even to another port: cookies are not scoped by port)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def size_text(limit: int) -> str:
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit >= mb and limit % mb == 0 else f"{limit:,} bytes"


class _Layer:
    """One coding, decoded with its total output capped at ``limit`` (+1 byte, to notice the overflow)."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.produced = 0
        self.over = False
        self.error = ""
        self._fresh = True
        self._d = zlib.decompressobj(_WBITS[coding])

    def feed(self, data: bytes) -> bytes:
        if self.over or self.error or not data:
            return b""
        try:
            out = self._d.decompress(data, self.limit + 1 - self.produced)
        except zlib.error as exc:
            if self.coding == "deflate" and self._fresh:
                # "deflate" is zlib-wrapped by the RFC, but some servers send a raw deflate stream
                self._fresh = False
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data)
            self.error = f"{self.coding}: {exc}"[:160]
            return b""
        self._fresh = False
        self.produced += len(out)
        if self.produced > self.limit or self._d.unconsumed_tail:
            self.over = True  # max_length reached: there is more, and it is not decoded
        return out


class BoundedDecoder:
    """Decode a body sent with ``content_encoding`` chunk by chunk; no layer ever outputs more than ``limit``.

    ``refused`` (set at construction) says why the body is not read at all; after feeding, ``over`` says
    the decoded body is longer than ``limit`` and ``error`` that the data could not be decoded."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self.limit = limit
        self.shown = content_encoding.strip()[:80]
        self.refused = ""
        self.error = ""
        self.over = False
        self.raw_over = False  # set by the reader: the bytes as sent were longer than ``limit``
        self._body = bytearray()
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        unknown = [c for c in codings if c not in _WBITS]
        if unknown:
            self.refused = (f"the body is sent with Content-Encoding: {self.shown}, which the probe did not ask "
                            f"for (it asks for identity) and does not decode ({unknown[0][:40]!r}); the body was "
                            f"not read or checked")
        elif len(codings) > MAX_LAYERS:
            self.refused = (f"the body is sent with {len(codings)} layered Content-Encodings ({self.shown}); the "
                            f"probe decodes at most {MAX_LAYERS} and did not read or check this body")
        # decoded in the reverse order of application: the last coding listed was applied last
        self.layers: List[_Layer] = [] if self.refused else [_Layer(c, limit) for c in reversed(codings)]

    def feed(self, chunk: bytes) -> bool:
        """Decode one raw chunk; False when reading should stop (output over the limit, or corrupt data)."""
        data = chunk
        for layer in self.layers:
            data = layer.feed(data)
            if layer.error:
                self.error = (f"the body (Content-Encoding: {self.shown}) could not be decoded ({layer.error}); "
                              f"only what was decoded before the error was checked")
                return False
            self.over = self.over or layer.over
            if not data:
                break
        room = self.limit + 1 - len(self._body)
        if data and room > 0:
            self._body += data[:room]
        if len(self._body) > self.limit:
            self.over = True
        return not self.over

    def result(self) -> bytes:
        return bytes(self._body[: self.limit])

    def truncation_reason(self) -> str:
        size = size_text(self.limit)
        if not self.layers:
            return f"the body is larger than {size}; only the first {size} was read and checked"
        if self.over:
            return (f"the body (Content-Encoding: {self.shown}) decodes to more than {size}; decoding stopped "
                    f"there (every layer is capped at {size}) and only what was decoded by then was checked")
        return (f"the body (Content-Encoding: {self.shown}) is larger than {size} as sent; only the first {size} "
                f"was read, decoded and checked")
