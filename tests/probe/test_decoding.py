"""``probe.decoding``: the bounded body decoder at its exact limits, and the jar that keeps nothing."""

from __future__ import annotations

import gzip
import zlib

import httpx

from flask_preflight.probe.decoding import BoundedDecoder, _Layer, no_cookie_jar, size_text

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


# ---- exact limits, messages and states (pinned for the mutation run) ---------------------------------------

MB = 1024 * 1024


def test_size_text_is_whole_megabytes_or_bytes():
    assert [size_text(n) for n in (MB, 3 * MB, MB + 1, MB - 1, 1000, 0)] == [
        "1 MB", "3 MB", "1,048,577 bytes", "1,048,575 bytes", "1,000 bytes", "0 bytes"]


def test_a_layer_caps_its_total_output_across_chunks_at_the_limit_plus_one():
    data = gzip.compress(b"a" * (4 * LIMIT))          # about 300 bytes; each 10-byte chunk decodes to < LIMIT
    layer = _Layer("gzip", LIMIT)
    out = b""
    for i in range(0, len(data), 10):
        out += layer.feed(data[i:i + 10])
    assert (len(out), layer.produced, layer.over, layer.error) == (LIMIT + 1, LIMIT + 1, True, "")
    assert layer.feed(b"more") == b"" and layer.produced == LIMIT + 1   # over: nothing more is decoded


def test_a_layer_whose_output_ends_at_the_limit_plus_one_is_over_and_at_the_limit_is_not():
    layer = _Layer("gzip", 100)
    assert layer.feed(gzip.compress(b"x" * 101)) == b"x" * 101 and layer.over is True
    layer = _Layer("gzip", 100)
    assert layer.feed(gzip.compress(b"x" * 100)) == b"x" * 100 and layer.over is False
    assert (layer.feed(b""), layer.error) == (b"", "")


def test_corrupt_data_is_an_exact_error_and_the_layer_stops():
    layer = _Layer("gzip", 100)
    assert layer.feed(b"garbage-data-here") == b""
    assert layer.error == "gzip: Error -3 while decompressing data: incorrect header check"
    assert layer.feed(gzip.compress(b"hi")) == b""
    d = BoundedDecoder(" gzip ", LIMIT)
    assert d.feed(b"garbage-data-here") is False
    assert d.error == ("the body (Content-Encoding: gzip) could not be decoded (gzip: Error -3 while "
                       "decompressing data: incorrect header check); only what was decoded before the error was "
                       "checked")
    assert d.result() == b""


def test_deflate_falls_back_to_raw_only_on_its_first_chunk():
    garbage = _Layer("deflate", 100)                  # neither zlib nor raw deflate: one retry, then the error
    assert garbage.feed(b"\xff" * 20) == b""
    assert garbage.error == "deflate: Error -3 while decompressing data: invalid block type"
    data = zlib.compress(bytes(range(256)) * 12)
    later = _Layer("deflate", LIMIT)
    assert later.feed(data[:100]) != b""
    assert later.feed(b"\xff" * 50 + data[150:]) == b""
    assert later.error == "deflate: Error -3 while decompressing data: invalid distance too far back"


def test_an_inner_layer_over_the_limit_makes_the_body_over_even_when_the_result_is_shorter():
    import os

    body = gzip.compress(gzip.compress(os.urandom(LIMIT * 3 // 2), 0), 0)   # stored: the outer layer overflows
    d = _decode("gzip, gzip", body)
    assert d.over is True and len(d.result()) < LIMIT
    assert [layer.over for layer in d.layers] == [True, False]
    assert [layer.error for layer in d.layers] == ["", ""]


def test_the_identity_body_buffers_at_most_one_byte_past_the_limit():
    d = BoundedDecoder("identity", LIMIT)
    assert (d.raw_over, d.over, d.error, d.refused) == (False, False, "", "")
    assert d.feed(b"x" * LIMIT) is True and d.over is False
    assert d.feed(b"y") is False and d.over is True
    assert d.feed(b"z" * LIMIT) is False
    assert len(d._body) == LIMIT + 1 and d.result() == b"x" * LIMIT


def test_a_chunk_that_decodes_to_nothing_yet_keeps_reading():
    data = gzip.compress(b"hello")
    d = BoundedDecoder("gzip", LIMIT)
    assert d.feed(data[:5]) is True            # inside the gzip header: no output yet
    assert d.feed(data[5:]) is True and d.result() == b"hello"


def test_refusals_quote_the_coding_cut_short():
    long_name = "z" * 50
    assert BoundedDecoder(f" {long_name} ", LIMIT).refused == (
        f"the body is sent with Content-Encoding: {long_name}, which the probe did not ask for (it asks for "
        f"identity) and does not decode ('{'z' * 40}'); the body was not read or checked")
    codings = ", ".join(["gzip"] * 20)            # 118 characters: shown cut at 80
    assert BoundedDecoder(codings, LIMIT).refused == (
        f"the body is sent with 20 layered Content-Encodings ({codings[:80]}); the probe decodes at most 2 and "
        f"did not read or check this body")
    assert BoundedDecoder(codings, LIMIT).layers == []
