"""Issue 13, items 8 and 9: hostile session cookies against ``probe``.

Item 8: a Flask session cookie whose (compressed, validly signed) payload is JSON nested 10,000 levels
deep - 60 KB of ``{"a":`` in a 191-byte cookie - raised ``RecursionError`` in the cookie check; the run
reported an internal error and still printed grade A+. Now the payload's keys are "unreadable", the
signature is still tested (the key is "secret": PF606, grade F), and nothing fails.

Item 9: 270 Flask-shaped cookies per response took 33 s under ``--timeout 5`` (a full wordlist search
each). Now at most 4 are tested per URL and the others are named in one problem entry; and the key search
stops at the URL's time limit - a search cut short is a failed check, and a run with a failed check gives
no grade (text, JSON and SARIF say why).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import zlib
from typing import Callable, List

import pytest

from flask_preflight.probe import session as session_mod
from .probe_hostile import HostileServer, Request, response, run_probe

itsdangerous = pytest.importorskip("itsdangerous")

PAGE = [("Content-Type", "text/html; charset=utf-8")]
FLAGS = "Path=/; HttpOnly; SameSite=Lax"


def flask_cookie(key: str, payload_json: str) -> str:
    """A cookie signed exactly as Flask signs its session, payload zlib-compressed (Flask's "." form)."""
    data = b"." + base64.urlsafe_b64encode(zlib.compress(payload_json.encode(), 9)).rstrip(b"=")
    signer = itsdangerous.TimestampSigner(key, salt="cookie-session", key_derivation="hmac",
                                          digest_method=hashlib.sha1)
    return signer.sign(data).decode("ascii")


def payload(n: int) -> str:
    return '{"n":%d}' % n


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _cookies_on_root(cookies: List[str]) -> Callable[[Request], tuple]:
    def respond(request: Request) -> tuple:
        if request.target == "/":
            return response("200 OK", PAGE + [("Set-Cookie", c) for c in cookies], b"<!doctype html><p>hi</p>")
        return response("404 Not Found", PAGE, b"<!doctype html><title>404</title>")
    return respond


def _findings(run) -> List[tuple]:
    return sorted((f["rule_id"], f["path"], f["line"], f["column"], f["severity"]) for f in run.report["findings"])


def _bare(url: str) -> List[tuple]:
    return [("PF506", url, 1, 1, "medium"), ("PF603", url, 1, 1, "high")]


# ---- item 8 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth, keys, keys_text", [
    (10_000, None, "unreadable (nested too deeply to read)"),  # the attack
    (50, ["a"], "a"),  # negative: nesting Python can read still lists the payload's keys
])
def test_a_deeply_nested_session_cookie_is_still_tested_and_graded(depth, keys, keys_text) -> None:
    cookie = flask_cookie("secret", nested(depth))
    with HostileServer(_cookies_on_root([f"session={cookie}; {FLAGS}"])) as server:
        run = run_probe(server.url)
    url = server.url
    assert run.code == 1, run.describe()
    assert run.report["errors"] == []
    assert _findings(run) == sorted(_bare(url) + [("PF606", url, 1, 1, "critical")]), run.describe()
    (pf606,) = [f for f in run.report["findings"] if f["rule_id"] == "PF606"]
    assert pf606["message"] == (
        "The Flask session cookie `session` is signed with a known key (starts with 'se', from the placeholder "
        f"keys `check` knows): anyone can forge a session with any content. Payload keys: {keys_text}.")
    target = run.target(url)
    assert (target["grade"], target["score"], target["failed_checks"]) == ("F", 20, [])
    (tested,) = target["session_cookies"]
    assert (tested["name"], tested["payload_keys"], tested["forgeable"], tested["search_complete"]) == (
        "session", keys, True, True)
    assert cookie not in run.stdout  # the value is never printed


# ---- item 9 ----------------------------------------------------------------------------------------------------


def test_hundreds_of_flask_shaped_cookies_are_bounded_and_the_rest_reported() -> None:
    key = secrets.token_urlsafe(32)  # in no wordlist: every cookie tested costs a whole-wordlist search
    cookies = [f"s{i:03d}={flask_cookie(key, payload(i))}; {FLAGS}" for i in range(270)]
    with HostileServer(_cookies_on_root(cookies)) as server:
        run = run_probe(server.url, "--timeout", "5")
    url = server.url
    assert run.code == 3, run.describe()
    untested = [f"s{i:03d}" for i in range(4, 270)]
    assert run.report["errors"] == [{
        "path": url, "kind": "too-complex", "line": None, "column": None,
        "reason": "the site sets 270 signed (Flask-shaped) cookies; PF606 tested the first 4 (s000, s001, s002, "
                  "s003) and not the other 266 (s004, s005, s006, s007, s008 and 261 more)"}]
    assert _findings(run) == _bare(url), run.describe()
    target = run.target(url)
    total = len(session_mod.load_candidates())
    assert [(c["name"], c["payload_keys"], c["candidates_tested"], c["search_complete"], c["forgeable"])
            for c in target["session_cookies"]] == [(f"s{i:03d}", ["n"], total, True, False) for i in range(4)]
    assert target["session_cookies_untested"] == untested
    assert (target["grade"], target["score"]) == ("B", 70)  # bounded, not failed: the checks all ran


def test_four_signed_cookies_are_all_tested_without_a_problem() -> None:
    """Negative: at the bound exactly, every signed cookie is tested and nothing is reported missing."""
    cookies = [f"s{i}={flask_cookie('secret' if i == 3 else secrets.token_hex(16), payload(i))}; {FLAGS}"
               for i in range(4)]
    with HostileServer(_cookies_on_root(cookies)) as server:
        run = run_probe(server.url)
    assert run.code == 1, run.describe()
    assert run.report["errors"] == []
    target = run.target(server.url)
    assert [(c["name"], c["forgeable"]) for c in target["session_cookies"]] == [
        ("s0", False), ("s1", False), ("s2", False), ("s3", True)]
    assert target["session_cookies_untested"] == [] and target["grade"] == "F"


def _slow_site(cookie: str, delay: float) -> Callable[[Request], tuple]:
    """``/`` answers at once with the cookie; every other request answers after ``delay`` seconds."""
    def respond(request: Request) -> tuple:
        if request.target != "/":
            time.sleep(delay)
            return response("404 Not Found", PAGE, b"<!doctype html><title>404</title>")
        return response("200 OK", PAGE + [("Set-Cookie", cookie)], b"<!doctype html><p>hi</p>")
    return respond


@pytest.fixture(scope="module")
def out_of_time_runs() -> dict:
    """One site, three report formats: the per-URL limit (3 x --timeout = 9 s) runs out during the five
    slow requests (2 s each, a second inside the per-request timeout even on a loaded machine), so the key
    search that follows has no time left at all."""
    cookie = f"session={flask_cookie(secrets.token_urlsafe(32), payload(1))}; {FLAGS}"
    runs = {}
    with HostileServer(_slow_site(cookie, 2.0)) as server:
        for fmt in ("json", "sarif", "text"):
            runs[fmt] = run_probe(server.url, "--timeout", "3", fmt=fmt)
        runs["url"] = server.url
    return runs


def _expected_errors(url: str) -> List[tuple]:
    total = len(session_mod.load_candidates())
    return [("timeout", "the probe did not finish within 9 s (3 x --timeout); what was received so far is reported"),
            ("timeout", f"the PF606 key search for the cookie `session` stopped at the time limit (9 s, 3 x --timeout) "
                        f"after 0 of {total:,} candidate keys")]


WITHHELD = ("the PF606 session key check failed for {url} (see the errors); a grade would vouch for checks "
            "that did not run")


def test_a_key_search_past_the_time_limit_is_a_failed_check_and_json_gives_no_grade(out_of_time_runs) -> None:
    run, url = out_of_time_runs["json"], out_of_time_runs["url"]
    assert run.code == 3, run.describe()
    assert sorted((e["kind"], e["reason"]) for e in run.report["errors"]) == sorted(_expected_errors(url))
    assert all(e["path"] == url for e in run.report["errors"])
    probe = run.report["probe"]
    assert (probe["graded"], probe["grade_withheld"]) == (False, WITHHELD.format(url=url))
    target = run.target(url)
    assert (target["grade"], target["score"], target["deductions"]) == ("-", None, [])
    assert target["failed_checks"] == ["PF606 session key"]
    assert [(c["candidates_tested"], c["search_complete"]) for c in target["session_cookies"]] == [(0, False)]


def test_sarif_carries_the_same_failure_and_no_grade(out_of_time_runs) -> None:
    run, url = out_of_time_runs["sarif"], out_of_time_runs["url"]
    assert run.code == 3, run.describe()
    invocation = run.report["runs"][0]["invocations"][0]
    texts = sorted(n["message"]["text"] for n in invocation["toolExecutionNotifications"])
    assert texts == sorted(f"Could not analyze {url} (timeout): {reason}." for _, reason in _expected_errors(url))
    probe = invocation["properties"]["probe"]
    assert (probe["graded"], probe["grade_withheld"]) == (False, WITHHELD.format(url=url))
    assert probe["targets"] == [{"url": url, "grade": "-", "score": None}]


def test_text_prints_no_grade_and_says_why(out_of_time_runs) -> None:
    run, url = out_of_time_runs["text"], out_of_time_runs["url"]
    assert run.code == 3, run.describe()
    assert f"  no grades: {WITHHELD.format(url=url)}" in run.stdout
    assert f"  {url}  not graded" in run.stdout
    assert re.search(r"\bgrade [A-F]", run.stdout) is None, run.stdout
    assert "NOT fully tested: the search stopped at the time limit after 0 keys" in run.stdout
