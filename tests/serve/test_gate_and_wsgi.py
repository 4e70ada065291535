"""The pre-start gate's policy, the worker-side debug guard, TrustedProxyFix and the JSON access log."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask, request
from werkzeug.debug import DebuggedApplication
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from flask_preflight.findings import Location, ScanResult, Severity
from flask_preflight.rules import REGISTRY
from flask_preflight.runtime.inspect import load_runtime_rules
from flask_preflight.serve.accesslog import AccessLogMiddleware, record
from flask_preflight.serve.gate import AllowError, judge, parse_allow, refusal_message, summary_lines
from flask_preflight.serve.wsgi import Refused, TrustedProxyFix, refuse_debug

load_runtime_rules()


def finding(rule_id, severity=None, line=3):
    rule = REGISTRY[rule_id]
    return rule.finding(f"{rule_id} message", Location("app.py", line), severity=severity or rule.severity)


def test_parse_allow_takes_ids_names_and_prefixes_but_never_debug():
    assert parse_allow(["PF504,secret-key-missing", "PF51"]) >= {"PF504", "PF502", "PF511", "PF512"}
    for value in ("PF104", "werkzeug-debugger-enabled", "PF101", "PF1", "ALL"):
        with pytest.raises(AllowError, match="cannot be allowed"):
            parse_allow([value])
    with pytest.raises(AllowError, match="--allow PF999"):
        parse_allow(["PF999"])


def test_judge_blocks_high_critical_and_a_missing_key_and_lets_allowed_ones_through():
    result = ScanResult(findings=[finding("PF501"), finding("PF502", Severity.MEDIUM), finding("PF505"),
                                  finding("PF504"), finding("PF511")])
    verdict = judge(result, result.findings, frozenset({"PF511"}))
    assert sorted(f.rule_id for f in verdict.blocking) == ["PF501", "PF502"]
    assert [f.rule_id for f in verdict.allowed] == ["PF511"]
    assert sorted(f.rule_id for f in verdict.other) == ["PF504", "PF505"]
    text = refusal_message(verdict, "wsgi:app")
    assert text.startswith("flask-preflight serve: refusing to start wsgi:app: 2 blocking findings")
    assert "PF501 testing-mode-enabled (high) app.py:3" in text and "--allow PF501,PF502" in text
    lines = summary_lines(verdict)
    assert any("allowed by --allow: PF511" in line for line in lines)
    assert any("2 findings that do not block (1 medium, 1 low: PF504, PF505)" in line for line in lines)


def test_a_suppressed_or_ignored_debugger_still_blocks():
    debugger = finding("PF104")
    verdict = judge(ScanResult(findings=[]), [debugger], frozenset())
    assert [f.rule_id for f in verdict.blocking] == ["PF104"]
    assert "never served" in refusal_message(verdict, "x:app")
    assert "--allow" not in refusal_message(verdict, "x:app")


def make_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return {"remote": request.remote_addr, "scheme": request.scheme, "host": request.host,
                "xff": request.headers.get("X-Forwarded-For")}
    return app


def test_refuse_debug_finds_debug_mode_and_debuggers_at_any_depth():
    app = make_app()
    refuse_debug(app, ())
    app.debug = True
    with pytest.raises(Refused, match="debug mode"):
        refuse_debug(app, ())
    app.debug = False
    app.wsgi_app = DebuggedApplication(app.wsgi_app)
    with pytest.raises(Refused, match="DebuggedApplication"):
        refuse_debug(app, ())
    plain, mounted = make_app(), make_app()
    mounted.debug = True
    with pytest.raises(Refused, match="mounted at /admin"):
        refuse_debug(plain, (DispatcherMiddleware(plain, {"/admin": mounted}),))
    with pytest.raises(Refused, match="DebuggedApplication"):
        refuse_debug(plain, (DebuggedApplication(plain),))


def call(wsgi, remote, headers):
    client = Client(wsgi)
    resp = client.get("/", headers=headers, environ_base={"REMOTE_ADDR": remote})
    return json.loads(resp.get_data(as_text=True))


@pytest.mark.parametrize("remote, trusted, expect_remote, expect_xff", [
    ("127.0.0.1", ["127.0.0.1", "::1"], "203.0.113.7", "198.51.100.1, 203.0.113.7"),
    ("10.1.2.3", ["10.0.0.0/8"], "203.0.113.7", "198.51.100.1, 203.0.113.7"),
    ("10.1.2.3", ["127.0.0.1"], "10.1.2.3", None),
    ("::ffff:127.0.0.1", ["127.0.0.1"], "203.0.113.7", "198.51.100.1, 203.0.113.7"),
    ("192.0.2.1", ["*"], "203.0.113.7", "198.51.100.1, 203.0.113.7"),
    ("", ["127.0.0.1"], "203.0.113.7", "198.51.100.1, 203.0.113.7"),
])
def test_trusted_proxy_fix_reads_headers_only_from_trusted_peers(remote, trusted, expect_remote, expect_xff):
    wsgi = TrustedProxyFix(make_app(), 1, trusted)
    got = call(wsgi, remote, {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https"})
    assert got["remote"] == expect_remote
    assert got["xff"] == expect_xff
    assert got["scheme"] == ("https" if expect_xff else "http")


def test_two_hops_take_the_second_value_from_the_right():
    wsgi = TrustedProxyFix(make_app(), 2, ["127.0.0.1"])
    got = call(wsgi, "127.0.0.1", {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert got["remote"] == "198.51.100.1"


def test_access_log_middleware_writes_one_valid_json_line_per_request():
    stream = io.StringIO()
    wsgi = AccessLogMiddleware(make_app(), stream)
    Client(wsgi).get('/?q="quoted"', headers={"User-Agent": 'evil "agent" \\ x', "X-Request-ID": "abc"},
                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["path"] == "/"
    assert entry["query"] in ('q=%22quoted%22', 'q="quoted"')
    assert entry["user_agent"].startswith('evil "agent"') and entry["request_id"] == "abc"
    assert entry["bytes"] > 0 and entry["duration_ms"] >= 0 and entry["time"].endswith("Z")


def test_record_keeps_a_non_numeric_status_as_text():
    assert record({}, None, None, 0.0)["status"] == "-"
    assert record({}, "404 NOT FOUND", 0, 0.001)["status"] == 404
