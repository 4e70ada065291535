"""Issue 13, item 11: the probe's cookie jar was shared by concurrent requests.

The attack: while one request of the probe is still reading a response that set a cookie, another
request runs (the plan sends the http:// twin alongside the origin requests). The shared httpx jar held
the first server's cookie and attached it to the second request - to another port too, as cookies are not
scoped by port. Here: two real servers on 127.0.0.1, the first sets a cookie and holds its body open until
the second has received a request, and the second records its ``Cookie`` header. The client now has no
jar at all. The tricky negative beside it: a ``Cookie`` the user passes with ``--header`` is still sent,
exactly as given and nothing more.
"""

from __future__ import annotations

import asyncio
import threading
from typing import List

from flask_preflight.probe.client import Fetcher
from .probe_hostile import HostileServer, Request, response, run_probe

PAGE = [("Content-Type", "text/html; charset=utf-8")]
WAIT_S = 10.0  # bound on every wait below; the test asserts the waits ended by the event, not by time


def test_a_cookie_set_on_one_concurrent_request_is_not_sent_by_another() -> None:
    b_received = threading.Event()
    a_headers_sent = threading.Event()
    a_waited: List[bool] = []
    body = b"<!doctype html><title>a</title>"

    def respond_a(request: Request) -> tuple:
        head, _ = response("200 OK", PAGE + [("Set-Cookie", "stolen=from-a; Path=/; HttpOnly")], body)

        def chunks():
            yield body[:10]
            a_headers_sent.set()
            a_waited.append(b_received.wait(WAIT_S))  # hold the response open until B has its request
            yield body[10:]
        return head, chunks()

    def respond_b(request: Request) -> tuple:
        b_received.set()
        return response("200 OK", PAGE, b"<!doctype html><title>b</title>")

    async def two_chains(a_url: str, b_url: str):
        fetcher = Fetcher(a_url, timeout=WAIT_S * 2)

        async def chain_b():
            await asyncio.get_running_loop().run_in_executor(None, a_headers_sent.wait, WAIT_S)
            await asyncio.sleep(0.3)  # let the client take in A's headers first (orders events; asserts nothing)
            return await fetcher.get(b_url, label="b")

        try:
            return await asyncio.gather(fetcher.get(a_url, label="a"), chain_b())
        finally:
            await fetcher.close()

    with HostileServer(respond_a) as a, HostileServer(respond_b) as b:
        ex_a, ex_b = asyncio.run(two_chains(a.url, b.url))
    assert a_waited == [True], "B's request must have arrived while A's response was still open"
    assert ex_a.ok and ex_b.ok, (ex_a.error, ex_b.error)
    assert ex_a.final.header_list("Set-Cookie") == ["stolen=from-a; Path=/; HttpOnly"]  # recorded, still
    assert [(r.target, r.header("cookie")) for r in b.requests] == [("/", None)]
    assert [(r.target, r.header("cookie")) for r in a.requests] == [("/", None)]


def _sets_cookies(request: Request) -> tuple:
    n = len(request.target)
    return response("200 OK", PAGE + [("Set-Cookie", f"c{n}=v{n}; Path=/; HttpOnly; SameSite=Lax")],
                    b"<!doctype html><title>cookies</title>")


def test_the_whole_probe_never_sends_back_a_cookie_it_was_given() -> None:
    with HostileServer(_sets_cookies) as server:
        run = run_probe(server.url)
    assert run.code == 1, run.describe()
    assert len(server.requests) == 6
    assert [r.header("cookie") for r in server.requests] == [None] * 6


def test_a_cookie_header_the_user_passes_is_sent_exactly_as_given() -> None:
    """Negative: ``--header 'Cookie: ...'`` is the user's choice and reaches every request of the origin."""
    with HostileServer(_sets_cookies) as server:
        run = run_probe(server.url, "--header", "Cookie: mine=1")
    assert run.code == 1, run.describe()
    assert [r.header("cookie") for r in server.requests] == ["mine=1"] * 6
