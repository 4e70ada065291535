"""Issue 13, item 7: a decompression bomb against ``probe``.

The attack: ``Content-Encoding: gzip, gzip`` on a 3.3 KB body that decodes to 256 MB (the issue's bomb was
3.4 KB -> 4.2 GB), although the probe asked for ``Accept-Encoding: identity``. httpx decoded such a body in
one call per network chunk with no output limit. Now the probe reads the raw bytes and decodes them itself
with every layer capped at the 1 MB body limit: the run reports exactly that, and still checks the rest.
Beside it, the tricky negatives: compressed bodies within the limit (one and two layers) are decoded and
checked (a traceback inside a gzip body is still PF607); codings it does not decode are refused, in words.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Callable, List

import pytest

from .probe_hostile import HostileServer, Request, response, run_probe

PAGE_HEADERS = [("Content-Type", "text/html; charset=utf-8")]
TRACEBACK_PAGE = (b"<!doctype html><title>500</title><pre>Traceback (most recent call last):\n"
                  b'  File "/srv/app.py", line 3, in index\nZeroDivisionError: division by zero</pre>')


def _gzip_zeros(megabytes: int, level: int) -> bytes:
    """gzip of ``megabytes`` MB of zero bytes, streamed (never holds the decoded data)."""
    comp = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join([comp.compress(block) for _ in range(megabytes)] + [comp.flush()])


@pytest.fixture(scope="module")
def bombs() -> dict:
    # outer layer over the limit (1.1 MB of inner gzip) and inner layer over the limit (33 KB -> 32 MB)
    return {"outer": gzip.compress(_gzip_zeros(256, 1), 9), "inner": gzip.compress(_gzip_zeros(32, 9), 9)}


def _serve_on_root(encoding: str, body: bytes) -> Callable[[Request], tuple]:
    """``body`` with ``Content-Encoding: encoding`` for ``/`` exactly; a plain 404 for everything else."""
    def respond(request: Request) -> tuple:
        if request.target == "/":
            return response("200 OK", PAGE_HEADERS + [("Content-Encoding", encoding)], body)
        return response("404 Not Found", PAGE_HEADERS, b"<!doctype html><title>404</title>")
    return respond


def _bare_http_findings(url: str) -> List[tuple]:
    """A plain-http site without security headers: PF506 (medium) and PF603 (high), at line 1, column 1."""
    return [("PF506", url, 1, 1, "medium"), ("PF603", url, 1, 1, "high")]


def _findings(run) -> List[tuple]:
    return sorted((f["rule_id"], f["path"], f["line"], f["column"], f["severity"]) for f in run.report["findings"])


@pytest.mark.parametrize("which", ["outer", "inner"])
def test_gzip_of_gzip_bomb_is_cut_at_the_body_limit_and_reported(bombs, which) -> None:
    bomb = bombs[which]
    assert len(bomb) < 4096  # the attack: a few KB on the wire
    with HostileServer(_serve_on_root("gzip, gzip", bomb)) as server:
        run = run_probe(server.url, "--timeout", "10")
    assert run.code == 3, run.describe()
    assert run.report["errors"] == [{
        "path": server.url, "kind": "file-too-large", "line": None, "column": None,
        "reason": f"GET {server.url}: the body (Content-Encoding: gzip, gzip) decodes to more than 1 MB; decoding "
                  f"stopped there (every layer is capped at 1 MB) and only what was decoded by then was checked"}]
    # the other checks still ran on the headers and the other requests
    assert _findings(run) == _bare_http_findings(server.url), run.describe()
    assert run.target(server.url)["requests_sent"] == 6


def test_compressed_bodies_within_the_limit_are_decoded_and_checked() -> None:
    """Negative: one or two gzip layers that fit are decoded (no problem entry) and their content is judged."""
    page = b"<!doctype html><title>shop</title>" + b"<p>item</p>" * 50_000  # 550 KB decoded, under 1 MB

    def respond(request: Request) -> tuple:
        if request.target == "/":
            return response("200 OK", PAGE_HEADERS + [("Content-Encoding", "gzip, gzip")],
                            gzip.compress(gzip.compress(page)))
        if request.target.startswith("/__preflight-"):
            return response("500 Internal Server Error", PAGE_HEADERS + [("Content-Encoding", "gzip")],
                            gzip.compress(TRACEBACK_PAGE))
        if request.target.startswith("/console"):
            return response("404 Not Found", PAGE_HEADERS + [("Content-Encoding", "deflate")],
                            zlib.compress(b"not here"))
        return response("404 Not Found", PAGE_HEADERS, b"<!doctype html><title>404</title>")

    with HostileServer(respond) as server:
        run = run_probe(server.url)
    assert run.code == 1, run.describe()
    assert run.report["errors"] == []
    url = server.url
    assert _findings(run) == sorted(_bare_http_findings(url) + [("PF607", url, 1, 1, "high")]), run.describe()
    (pf607,) = [f for f in run.report["findings"] if f["rule_id"] == "PF607"]
    assert pf607["message"].startswith(f"GET {url}__preflight-<random> answered 500 with a Python traceback")


@pytest.mark.parametrize("encoding, body, reason", [
    ("br", b"\x1b\x00\x00", "the body is sent with Content-Encoding: br, which the probe did not ask for (it asks "
                            "for identity) and does not decode ('br'); the body was not read or checked"),
    ("gzip, gzip, gzip", gzip.compress(gzip.compress(gzip.compress(b"x"))),
     "the body is sent with 3 layered Content-Encodings (gzip, gzip, gzip); the probe decodes at most 2 and did "
     "not read or check this body"),
    ("gzip", b"<!doctype html> not gzip at all",
     "the body (Content-Encoding: gzip) could not be decoded (gzip: Error -3 while decompressing data: incorrect "
     "header check); only what was decoded before the error was checked"),
], ids=["brotli", "three-layers", "corrupt-gzip"])
def test_codings_it_does_not_decode_are_refused_in_words(encoding, body, reason) -> None:
    with HostileServer(_serve_on_root(encoding, body)) as server:
        run = run_probe(server.url)
    assert run.code == 3, run.describe()
    assert run.report["errors"] == [{"path": server.url, "kind": "decode-error", "line": None, "column": None,
                                     "reason": f"GET {server.url}: {reason}"}]
    assert _findings(run) == _bare_http_findings(server.url), run.describe()
