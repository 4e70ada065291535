"""``probe.decoding``: the bounded body decoder at its exact limits, and the jar that keeps nothing."""

from __future__ import annotations

import gzip
import zlib

import httpx

from flask_preflight.probe.decoding import BoundedDecoder, no_cookie_jar

LIMIT = 64 * 1024


def _decode(encoding: str, data: bytes, step: int = 1000) -> BoundedDecoder:
    d = BoundedDecoder(encoding, LIMIT)
    for i in range(0, len(data), step):
        if not d.feed(data[i:i + step]):
            break
    return d


def test_a_body_of_exactly_the_limit_is_whole_and_one_byte_more_is_truncated():
    exact = bytes(range(256)) * (LIMIT // 256)
    for encoding, wrap in (("gzip", gzip.compress), ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
                           ("deflate", zlib.compress), ("identity", lambda b: b), ("", lambda b: b)):
        d = _decode(encoding, wrap(exact))
        assert (d.result(), d.over, d.error) == (exact, False, ""), encoding
        d = _decode(encoding, wrap(exact + b"!"))
        assert d.over and d.result() == exact, encoding


def test_every_layer_is_capped_not_only_the_last():
    # the outer layer alone decodes to far more than the limit: it stops there
    inner = gzip.compress(bytes(range(256)) * 4096, 1)  # 1 MB of barely compressible data, gzipped once
    d = _decode("gzip, gzip", gzip.compress(inner))
    assert d.over and len(d.result()) <= LIMIT
    assert all(layer.produced <= LIMIT + 1 for layer in d.layers)


def test_raw_deflate_without_zlib_header_is_accepted():
    comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    d = _decode("deflate", comp.compress(b"hello world") + comp.flush())
    assert (d.result(), d.error) == (b"hello world", "")


def test_unknown_and_too_many_codings_are_refused_before_reading():
    assert "('br')" in BoundedDecoder("br", LIMIT).refused
    assert "('zstd')" in BoundedDecoder("gzip, zstd", LIMIT).refused
    assert "3 layered" in BoundedDecoder("gzip, deflate, gzip", LIMIT).refused
    assert BoundedDecoder("GZip, identity", LIMIT).refused == ""


def test_the_jar_keeps_no_cookie():
    cookies = httpx.Cookies(no_cookie_jar())
    request = httpx.Request("GET", "http://127.0.0.1:8000/")
    cookies.extract_cookies(httpx.Response(200, headers=[("Set-Cookie", "a=b; Path=/")], request=request))
    assert list(cookies.jar) == []
    later = httpx.Request("GET", "http://127.0.0.1:8001/")
    cookies.set_cookie_header(later)
    assert "cookie" not in later.headers
