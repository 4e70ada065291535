"""``flask-preflight probe`` against real servers on 127.0.0.1 (no other network).

Each server is probed once per scenario (module-scoped runs); the tests below then check one thing each
about that run, so a failure names the exact part of the contract that broke:

- the Werkzeug development server with the interactive debugger (``run_simple(..., use_debugger=True,
  use_evalex=True)``): PF602 critical, PF601, and nothing the probe must not do (no PIN, no code);
- the development server without the debugger: PF601, no PF602;
- gunicorn over TLS with a self-signed certificate made here, serving an app that sets Talisman-style
  headers and cookie flags itself: exit 3 with a TLS message naming ``--insecure``; zero findings with it;
- gunicorn serving an app whose session cookie is signed with ``"secret"``: PF606 critical, showing only
  "se" of the key and none of the session's values; a key only ``--secret-wordlist`` knows;
- failures in one invocation: connection refused, a server that never answers (``--timeout 2``), a
  redirect loop; next to a 10 MB body, invalid ``Set-Cookie`` values and a good URL, which are still probed;
- what the probe sends: GET/HEAD only, a bounded number of requests, its User-Agent and ``--header``.

Expected findings are exact sets per URL. Over plain http PF604 (HSTS) is not expected: browsers ignore
the header there, and the issue judges max-age only "when HTTPS".
"""

from __future__ import annotations

import hashlib
import re
import socket
import urllib.request
from typing import Any, Dict, Optional, Sequence, Tuple

import pytest

# Servers, the probe runner and the raw socket server come from conftest.py as fixtures (no imports from
# it, so this works whatever import mode or package layout the test suite uses).

HOST = "127.0.0.1"

SEVERITIES = {"critical", "high", "medium", "low"}

# Expected rule ids per kind of server, exactly.
DEV_SERVER_PLAIN = {"PF506", "PF510", "PF601", "PF603"}  # Werkzeug/x Python/y over http, no headers
DEV_SERVER_DEBUGGER = DEV_SERVER_PLAIN | {"PF602"}
BARE_HTTP = {"PF506", "PF603"}  # http, no security headers, no Server header, no cookies
SECRET_APP = {"PF506", "PF603", "PF605", "PF606"}  # gunicorn over http, session cookie without SameSite


def norm_url(url: str) -> str:
    return url.rstrip("/")


def error_text(error: dict) -> str:
    """An error entry's human text: the contract calls it ``message``; ``check``'s problems call it ``reason``."""
    return " ".join(str(error[k]) for k in ("kind", "message", "reason") if error.get(k))


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def http_response(status: str, headers: Sequence[Tuple[str, str]] = (), body: bytes = b"",
                  *, length: Optional[int] = None) -> Tuple[bytes, bytes]:
    """Raw response bytes for the raw socket server; header values go out as given (latin-1), invalid ones too."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body) if length is None else length}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body


def _one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text.strip() and "\r" not in text


def _no_traceback(run: Any) -> None:
    assert "Traceback (most recent call last)" not in run.stderr + run.stdout, run.describe()


def _only(run: Any, rule_id: str, url: str) -> dict:
    matches = [f for f in run.findings(url) if f["rule_id"] == rule_id]
    assert len(matches) == 1, (rule_id, run.rule_ids(url), run.describe())
    return matches[0]


def _check_findings_shape(run: Any) -> None:
    for f in run.findings():
        assert f["severity"] in SEVERITIES, f
        assert f["message"].strip(), f
        assert f["path"].startswith(("http://", "https://")), f


# ---- 1. the development server with the interactive debugger ---------------------------------------------------
def _debugger_secret(server: Any) -> str:
    """The debugger's per-process SECRET, from its own /console page (fetched here, not by the probe)."""
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(server.url + "console", timeout=5) as r:
        page = r.read().decode("utf-8", "replace")
    match = re.search(r'SECRET = "([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


@pytest.fixture(scope="module")
def debugger_run(dev_server_debugger, probe) -> Tuple[Any, str, int]:
    secret = _debugger_secret(dev_server_debugger)
    log_before = len(dev_server_debugger.log(tail=None))
    run = probe(dev_server_debugger.url)
    return run, secret, log_before


def test_debugger_exposed_is_critical_and_dev_server_reported(dev_server_debugger, debugger_run) -> None:
    run, _, _ = debugger_run
    url = dev_server_debugger.url
    assert run.code == 1, run.describe()
    assert _only(run, "PF602", url)["severity"] == "critical"
    assert "PF601" in run.rule_ids(url), run.describe()


def test_debugger_server_exact_findings(dev_server_debugger, debugger_run) -> None:
    run, _, _ = debugger_run
    assert run.rule_ids(dev_server_debugger.url) == sorted(DEV_SERVER_DEBUGGER), run.describe()
    assert run.errors() == [], run.describe()
    _check_findings_shape(run)
    _no_traceback(run)


def test_debugger_probe_is_read_only_and_leaks_no_secret(dev_server_debugger, debugger_run) -> None:
    """The dev server logs every request line: only GET/HEAD, no PIN, no command other than `resource`."""
    run, secret, log_before = debugger_run
    lines = re.findall(r'"([A-Z]+) (\S+) HTTP/[\d.]+"', dev_server_debugger.log(tail=None)[log_before:])
    assert lines, dev_server_debugger.log()
    for method, target in lines:
        assert method in ("GET", "HEAD"), (method, target)
        query = target.partition("?")[2].lower()
        assert "pin" not in query and "printpin" not in query, target
        assert re.findall(r"(?:^|&)cmd=([^&]*)", query) in ([], ["resource"]), target
        assert "&s=" not in "&" + query, target  # the debugger's secret is never sent back
    assert secret not in run.stdout + run.stderr, "the debugger SECRET from /console is in the probe's output"


# ---- 2. the development server without the debugger ------------------------------------------------------------
@pytest.fixture(scope="module")
def plain_run(dev_server_plain, probe) -> Any:
    return probe(dev_server_plain.url)


def test_dev_server_without_debugger(dev_server_plain, plain_run) -> None:
    url = dev_server_plain.url
    assert plain_run.code == 1, plain_run.describe()
    assert "PF601" in plain_run.rule_ids(url), plain_run.describe()
    assert "PF602" not in plain_run.rule_ids(url), plain_run.describe()


def test_dev_server_without_debugger_exact_findings(dev_server_plain, plain_run) -> None:
    assert plain_run.rule_ids(dev_server_plain.url) == sorted(DEV_SERVER_PLAIN), plain_run.describe()
    assert plain_run.errors() == [], plain_run.describe()
    _check_findings_shape(plain_run)


# ---- 3. gunicorn over TLS, self-signed, hardened app -----------------------------------------------------------
def test_self_signed_tls_needs_insecure(hardened_tls_server, probe) -> None:
    url = hardened_tls_server.url
    run = probe(url)
    assert run.code == 3, run.describe()
    errors = run.errors(url)
    assert len(errors) == 1, run.describe()
    text = error_text(errors[0])
    assert _one_line(text), text
    assert "--insecure" in text, text
    assert re.search(r"certificate|verif|tls|ssl", text, re.I), text
    assert run.findings(url) == [], run.describe()
    _no_traceback(run)


@pytest.fixture(scope="module")
def hardened_insecure_run(hardened_tls_server, probe) -> Any:
    return probe(hardened_tls_server.url, "--insecure")


def test_hardened_tls_app_with_insecure_has_zero_findings(hardened_tls_server, hardened_insecure_run) -> None:
    run = hardened_insecure_run
    assert run.findings() == [], run.describe()
    assert run.errors() == [], run.describe()
    assert run.code == 0, run.describe()


def test_hardened_tls_https_only_port_is_not_pf603(hardened_tls_server, hardened_insecure_run) -> None:
    """The port speaks only TLS: the http variant is not served at all, so https is not "not enforced"."""
    assert "PF603" not in hardened_insecure_run.rule_ids(), hardened_insecure_run.describe()


def test_insecure_is_reported_in_text_output(hardened_tls_server, probe) -> None:
    run = probe(hardened_tls_server.url, "--insecure", fmt="text")
    assert run.code == 0, run.describe()
    assert hardened_tls_server.url.rstrip("/") in run.stdout, run.describe()
    assert re.search(r"insecure|verification (is )?(off|disabled)|not verified", run.stdout + run.stderr, re.I), \
        run.describe()


# ---- 4. a session cookie signed with "secret" -------------------------------------------------------------------
def _session_cookie(server: Any) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(server.url, timeout=5) as r:
        cookies = r.headers.get_all("Set-Cookie") or []
    value = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("session="))
    assert value.count(".") == 2, value
    return value


@pytest.fixture(scope="module")
def secret_runs(secret_server, probe) -> Tuple[Any, Any]:
    return probe(secret_server.url), probe(secret_server.url, fmt="text")


def test_forgeable_session_cookie_is_critical(secret_server, secret_runs) -> None:
    run, _ = secret_runs
    finding = _only(run, "PF606", secret_server.url)
    assert finding["severity"] == "critical", finding
    assert run.code == 1, run.describe()
    # the key's first two characters, as a token of their own ("se", 'se…', se****), not part of "session"
    assert re.search(r"(?<![A-Za-z])se(?![a-z])", finding["message"]), finding["message"]


def test_forgeable_session_cookie_shows_no_key_and_no_values(secret_server, secret_runs) -> None:
    json_run, text_run = secret_runs
    payload = _session_cookie(secret_server).split(".")[0]
    for run in (json_run, text_run):
        out = run.stdout + run.stderr
        assert "alice" not in out.lower(), run.describe()
        assert payload not in out, "the raw session payload (base64 of the values) is in the output"
        # the whole key, quoted or as a value ('secret', "secret", `secret`, =secret, key: secret.)
        assert not re.search(r"""['"`‘“]secret['"`’”]|[=:]\s*secret\b""", out), run.describe()
    assert text_run.code == 1, text_run.describe()


def test_secret_app_exact_findings(secret_server, secret_runs) -> None:
    run, _ = secret_runs
    assert run.rule_ids(secret_server.url) == sorted(SECRET_APP), run.describe()
    assert run.errors() == [], run.describe()
    _check_findings_shape(run)


def test_secret_wordlist_option(custom_secret_server, probe, tmp_path) -> None:
    url, key = custom_secret_server.url, custom_secret_server.secret_key
    without = probe(url)
    assert "PF606" not in without.rule_ids(url), without.describe()
    wordlist = tmp_path / "keys.txt"
    wordlist.write_text("not-this-one\n" + key + "\nnor-this-one\n", encoding="utf-8")
    with_list = probe(url, "--secret-wordlist", str(wordlist))
    finding = _only(with_list, "PF606", url)
    assert finding["severity"] == "critical", finding
    assert key[:2] in finding["message"], finding["message"]
    for run in (without, with_list):
        out = run.stdout + run.stderr
        assert key not in out and key[:3] not in out, run.describe()
        assert "alice" not in out.lower(), run.describe()


# ---- 5. failures in one invocation, next to URLs that must still be probed ---------------------------------------
BIG_BODY = 10 * 1024 * 1024
_CHUNK = b"<p>" + b"x" * (64 * 1024 - 3)


def _big_body(request: Any):
    head, _ = http_response("200 OK", [("Content-Type", "text/html; charset=utf-8")], length=BIG_BODY)
    return head, (_CHUNK[: min(len(_CHUNK), BIG_BODY - i)] for i in range(0, BIG_BODY, len(_CHUNK)))


def _flask_like_cookie(key: str, payload: bytes) -> str:
    """A cookie signed the way Flask signs sessions, with an arbitrary (here: undecodable) payload."""
    from itsdangerous import TimestampSigner

    signer = TimestampSigner(key, salt="cookie-session", key_derivation="hmac", digest_method=hashlib.sha1)
    return signer.sign(payload).decode("ascii")


BAD_COOKIES = [
    "=novalue",
    ";;;",
    "noequalsign",
    "session=",
    "session=!!not-base64!!.x.y; Path=/",
    "session=.eJzLSM3JyQcABiwCFQ.bad.sig; HttpOnly",  # compressed-looking, bad signature
    "flag=1; Expires=not-a-date; Max-Age=abc; SameSite=Bogus; Secure=yes; HttpOnly=no",
    "latin=caf\xe9; Path=/",  # a raw latin-1 byte in the header
    "dup=1; dup=2; Path=/; Path=/x; Domain=; Domain=..",
    "big=" + "y" * 8000,
]


def _bad_cookies(request: Any):
    cookies = list(BAD_COOKIES)
    # signed with "secret" (so the signature verifies) but the payload is not zlib / not JSON
    cookies.append("sess2=" + _flask_like_cookie("secret", b".bm90LXpsaWI") + "; Path=/")
    cookies.append("sess3=" + _flask_like_cookie("secret", b"bm90LWpzb24") + "; Path=/")
    return http_response("200 OK", [("Content-Type", "text/html")] + [("Set-Cookie", c) for c in cookies],
                         b"<!doctype html><title>cookies</title>")


def _redirect_loop(request: Any):
    target = "/b" if request.target.startswith("/a") else "/a"
    return http_response("302 Found", [("Location", target), ("Content-Type", "text/plain")], b"moved")


def _never_answer(request: Any):
    return None


@pytest.fixture(scope="module")
def error_urls(raw_server, dev_server_plain, find_refused_port) -> Dict[str, str]:
    discard = f"http://{HOST}:9/"
    urls = {
        "good": dev_server_plain.url,
        "refused": f"http://{HOST}:{find_refused_port()}/",
        "timeout": raw_server(_never_answer, "silent").url,
        "big": raw_server(_big_body, "big").url,
        "cookies": raw_server(_bad_cookies, "cookies").url,
        "loop": raw_server(_redirect_loop, "loop").url + "a",
    }
    if not port_answers(9):  # the discard port: nothing listens there on a normal machine
        urls["discard"] = discard
    return urls


@pytest.fixture(scope="module")
def error_run(error_urls, probe) -> Any:
    # timeout=60 is the liveness bound (run_probe fails the test past it); how long the run takes within its
    # per-URL limits is measured by benchmarks/bench_probe_hostile.py (the silent and 10mb-body scenarios)
    return probe(*error_urls.values(), "--timeout", "2", timeout=60)


FAILING = ("refused", "timeout", "loop", "discard")
PROBED = ("good", "big", "cookies")


def test_error_run_exits_3_and_is_bounded(error_run) -> None:
    assert error_run.code == 3, error_run.describe()  # bounded: it finished within the fixture's liveness bound
    _no_traceback(error_run)


def _size_note_only(errors: Sequence[dict]) -> bool:
    """A 10 MB body may be reported as one clear error saying only part of it was read (the issue lists it
    with the failures); the contract's exit-3 causes do not include it, so no error is fine too."""
    return len(errors) <= 1 and all(
        _one_line(error_text(e)) and e.get("kind") != "internal-error"
        and re.search(r"\bMB\b|large|size|bytes|truncat|first", error_text(e), re.I) for e in errors)


def test_each_failing_url_has_one_clear_error(error_urls, error_run) -> None:
    failing = {norm_url(error_urls[k]) for k in FAILING if k in error_urls}
    reported = {norm_url(e["path"]) for e in error_run.errors()}
    assert failing <= reported <= failing | {norm_url(error_urls["big"])}, error_run.describe()
    for key in FAILING:
        if key in error_urls:
            errors = error_run.errors(error_urls[key])
            assert len(errors) == 1, (key, errors)
            assert _one_line(error_text(errors[0])), (key, errors[0])


@pytest.mark.parametrize("key, pattern", [
    ("refused", r"refused|could not connect|cannot connect|connect"),
    ("discard", r"refused|unreachable|could not connect|cannot connect|connect"),
    ("timeout", r"time[sd]? ?out|timeout"),
    ("loop", r"redirect"),
])
def test_error_messages_name_the_cause(error_urls, error_run, key, pattern) -> None:
    if key not in error_urls:
        pytest.skip(f"{key}: port 9 answers on this machine")
    errors = error_run.errors(error_urls[key])
    assert errors and re.search(pattern, error_text(errors[0]), re.I), (key, errors)


def test_nothing_found_where_nothing_answered(error_urls, error_run) -> None:
    for key in ("refused", "timeout", "discard"):
        if key in error_urls:
            assert error_run.findings(error_urls[key]) == [], (key, error_run.describe())


def test_good_url_still_probed_next_to_failures(error_urls, error_run) -> None:
    assert error_run.rule_ids(error_urls["good"]) == sorted(DEV_SERVER_PLAIN), error_run.describe()


def test_ten_megabyte_body_is_probed_without_crash(error_urls, error_run) -> None:
    url = error_urls["big"]
    assert _size_note_only(error_run.errors(url)), error_run.describe()
    # a catch-all 200 server: no debugger, no traceback, no dev server - just http without headers
    assert error_run.rule_ids(url) == sorted(BARE_HTTP), error_run.describe()


def test_invalid_set_cookie_values_are_probed_without_error(error_urls, error_run) -> None:
    url = error_urls["cookies"]
    assert error_run.errors(url) == [], error_run.describe()
    rules = set(error_run.rule_ids(url))
    assert BARE_HTTP <= rules, error_run.describe()
    assert rules <= BARE_HTTP | {"PF605", "PF606"}, error_run.describe()
    _check_findings_shape(error_run)


def test_ten_megabyte_body_alone_is_probed(error_urls, probe) -> None:
    # timeout=30: liveness bound only; the time a 10 MB body costs is bench_probe_hostile.py's 10mb-body case
    run = probe(error_urls["big"], "--timeout", "5", timeout=30)
    assert run.code == (3 if run.errors() else 1), run.describe()
    assert _size_note_only(run.errors()), run.describe()
    assert run.rule_ids(error_urls["big"]) == sorted(BARE_HTTP), run.describe()
    _no_traceback(run)


# ---- 6. what the probe sends ------------------------------------------------------------------------------------
def _ok(request: Any):
    return http_response("200 OK", [("Content-Type", "text/html; charset=utf-8")], b"<!doctype html><p>ok</p>")


def test_requests_are_read_only_bounded_and_carry_user_agent_and_headers(raw_server, probe) -> None:
    server = raw_server(_ok, "recorder")
    run = probe(server.url, "--header", "Authorization: Bearer probe-test-token",
                    "--header", "X-Probe-Test: yes")
    assert run.code == 1, run.describe()
    assert run.rule_ids(server.url) == sorted(BARE_HTTP), run.describe()  # a 200 everywhere is no debugger
    requests = list(server.requests)
    assert 1 <= len(requests) <= 20, [(r.method, r.target) for r in requests]
    for r in requests:
        assert r.method in ("GET", "HEAD"), (r.method, r.target)
        assert r.body_length == 0, (r.method, r.target, r.body_length)
        assert "flask-preflight" in r.headers.get("user-agent", "").lower(), r.headers
        assert r.headers.get("authorization") == "Bearer probe-test-token", (r.target, r.headers)
        assert r.headers.get("x-probe-test") == "yes", (r.target, r.headers)
        query = r.target.partition("?")[2].lower()
        assert "pin" not in query and re.findall(r"(?:^|&)cmd=([^&]*)", query) in ([], ["resource"]), r.target
