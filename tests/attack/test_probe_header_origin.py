"""Issue 13, item 10: ``--header`` values crossed to another port on the same host after a redirect.

The attack: the target redirects to another port of the same host (another service, maybe another
tenant's), which records what it receives. Headers were compared by host name only, so the user's
``Authorization`` reached it. Now they go to the target's origin only (scheme, host, port), and the
probe's own requests after the first stay on the target's origin too. The tricky negative beside it: a
redirect that stays on the target's origin (another path) still carries the header.
"""

from __future__ import annotations

from flask_preflight.probe.client import same_origin
from .probe_hostile import HostileServer, Request, response, run_probe

TOKEN = "Bearer probe-attack-7c1e0f"
PAGE = [("Content-Type", "text/html; charset=utf-8")]


def _page(request: Request) -> tuple:
    return response("200 OK", PAGE, b"<!doctype html><title>other service</title>")


def test_header_does_not_follow_a_redirect_to_another_port_on_the_same_host() -> None:
    with HostileServer(_page) as collector:
        def redirect_away(request: Request) -> tuple:
            if request.target == "/":
                return response("302 Found", PAGE + [("Location", collector.url + "landing")])
            return response("404 Not Found", PAGE, b"<!doctype html><title>404</title>")

        with HostileServer(redirect_away) as target:
            run = run_probe(target.url, "--header", f"Authorization: {TOKEN}", "--header", "X-Tenant: blue")
    assert run.code == 1, run.describe()
    # the other port got exactly the redirected request, and none of the user's headers
    assert [(r.method, r.target) for r in collector.requests] == [("GET", "/landing")]
    assert collector.requests[0].header("authorization") is None
    assert collector.requests[0].header("x-tenant") is None
    # every request of the plan went to the target's own origin, each with the user's headers
    paths = sorted(r.target.split("?")[0] for r in target.requests)
    assert len(paths) == 6 and paths[:4] == ["/"] * 4 and paths[5] == "/console", paths
    assert paths[4].startswith("/__preflight-"), paths
    for r in target.requests:
        assert (r.header("authorization"), r.header("x-tenant")) == (TOKEN, "blue"), r.target
    assert TOKEN not in run.stdout + run.stderr
    assert run.target(target.url)["final_url"] == collector.url + "landing"


def test_header_still_follows_a_redirect_on_the_same_origin() -> None:
    """Negative: a redirect to another path of the same scheme, host and port keeps the header."""
    def respond(request: Request) -> tuple:
        if request.target == "/":
            return response("301 Moved Permanently", PAGE + [("Location", "/home")])
        return response("200 OK", PAGE, b"<!doctype html><title>home</title>")

    with HostileServer(respond) as target:
        run = run_probe(target.url, "--header", f"Authorization: {TOKEN}")
    assert run.code == 1, run.describe()
    assert [r.target for r in target.requests][:2] == ["/", "/home"]
    assert all(r.header("authorization") == TOKEN for r in target.requests), [
        (r.target, r.header("authorization")) for r in target.requests]
    assert run.target(target.url)["final_url"] == target.url + "home"


def test_origin_comparison_takes_scheme_host_and_port() -> None:
    """The rule behind both: same origin, or the plain http -> https upgrade on the default ports."""
    assert same_origin("http://127.0.0.1:8000/", "http://127.0.0.1:8000/x?y")
    assert not same_origin("http://127.0.0.1:8000/", "http://127.0.0.1:8001/")
    assert not same_origin("https://example.com/", "http://example.com/")  # never downgrade
    assert same_origin("http://example.com/", "https://example.com/login")  # the usual upgrade
    assert same_origin("http://example.com:80/", "https://example.com:443/")
    assert not same_origin("http://example.com:8080/", "https://example.com/")
    assert not same_origin("https://example.com/", "https://example.com:8443/")
    assert not same_origin("https://example.com/", "https://example.com.evil.test/")
    assert same_origin("https://EXAMPLE.com/", "https://example.com:443/")
