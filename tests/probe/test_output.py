"""``probe.output`` pinned exactly: the JSON ``probe`` object for one URL (every key), the SARIF properties,
and the text summary table's lines (grade or "not graded", request count, deductions, redirects, each
session-cookie verdict, untested cookies, notes, the --insecure heading and a withheld grade)."""

import json

import httpx
import pytest

from flask_preflight.probe import session as session_mod
from flask_preflight.probe.output import (probe_data, render_probe_report, summary_table, target_data,
                                          url_uri)
from flask_preflight.probe.runner import REQUEST_PLAN
from probe.test_unit import hardened_site, probe

URL = "https://example.com/start"
NOTE = "http://example.com/start answered 404 without a redirect to https"


def _reports():
    site = hardened_site({("https", "/start"): lambda r: httpx.Response(302, headers={"Location": "/"})})
    del site.headers["Strict-Transport-Security"]
    result, reports = probe([URL], site)
    for r in reports:
        r.seconds = 1.23456
    return result, reports


def _crack(name="session", keys=("a", "b"), *, key=None, tested=1234, complete=True, unreadable=""):
    cookie = session_mod.FlaskCookie(name, "v", list(keys) if keys is not None else None, False,
                                     unreadable=unreadable)
    return session_mod.Crack(cookie, tested, 0.5678, key=key, source="s" if key else "", complete=complete)


def test_target_data_has_every_key_exactly():
    _, (report,) = _reports()
    report.cracks = [_crack(key=b"secret"), _crack("remember", tested=7, complete=False)]
    report.analysis.untested_cookies = ["c5"]
    report.failed = ["PF607 traceback"]
    assert target_data(report) == {
        "url": URL, "probed": True, "grade": "B+", "score": 80,
        "deductions": [{"rule_id": "PF604", "rule_name": "hsts-missing", "severity": "high", "points": 20}],
        "final_url": "https://example.com/",
        "redirects": [{"url": URL, "status": 302, "location": "/"}],
        "requests": [
            {"request": "main", "url": URL, "status": 200, "error": None},
            {"request": "http", "url": "http://example.com/start", "status": 404, "error": None},
            {"request": "debugger_js", "url": "https://example.com/?__debugger__=yes&cmd=resource&f=debugger.js",
             "status": 200, "error": None},
            {"request": "style_css", "url": "https://example.com/?__debugger__=yes&cmd=resource&f=style.css",
             "status": 200, "error": None},
            {"request": "console", "url": "https://example.com/console", "status": 404, "error": None},
            {"request": "missing", "url": "https://example.com/__preflight-<random>", "status": 404, "error": None},
            {"request": "malformed", "url": "https://example.com/?<random>=%ff%fe", "status": 200, "error": None},
        ],
        "requests_sent": 8, "seconds": 1.235, "tls_verified": True,
        "session_cookies": [
            {"name": "session", "payload_keys": ["a", "b"], "candidates_tested": 1234, "search_complete": True,
             "seconds": 0.568, "forgeable": True},
            {"name": "remember", "payload_keys": ["a", "b"], "candidates_tested": 7, "search_complete": False,
             "seconds": 0.568, "forgeable": False},
        ],
        "session_cookies_untested": ["c5"],
        "failed_checks": ["PF607 traceback"],
        "notes": [NOTE],
    }


def test_an_unprobed_ungraded_target():
    _, (report,) = _reports()
    report.grade = None
    report.observation.main = None
    data = target_data(report)
    assert (data["probed"], data["grade"], data["score"], data["deductions"], data["final_url"],
            data["redirects"]) == (False, "-", None, [], None, [])
    assert [r["request"] for r in data["requests"]] == ["http", "debugger_js", "style_css", "console", "missing",
                                                          "malformed"]


def test_probe_data_graded_and_withheld():
    _, reports = _reports()
    data = probe_data(reports, insecure=True, timeout=2.5)
    assert {k: v for k, v in data.items() if k != "targets"} == {
        "insecure": True, "timeout": 2.5, "graded": True, "grade_withheld": None,
        "request_plan": list(REQUEST_PLAN)}
    assert [t["url"] for t in data["targets"]] == [URL]
    reports[0].failed = ["PF602 debugger"]
    data = probe_data(reports, insecure=False, timeout=10.0)
    assert (data["insecure"], data["graded"]) == (False, False)
    assert data["grade_withheld"] == (f"the PF602 debugger check failed for {URL} (see the errors); a grade "
                                      f"would vouch for checks that did not run")


def test_json_and_sarif_reports():
    result, reports = _reports()
    data = json.loads(render_probe_report(result, reports, "json", tool_version="t", timeout=3.0))
    assert data["probe"] == json.loads(json.dumps(probe_data(reports, insecure=False, timeout=3.0)))
    log = json.loads(render_probe_report(result, reports, "sarif", tool_version="t", insecure=True))
    assert log["runs"][0]["invocations"][0]["properties"]["probe"] == {
        "insecure": True, "graded": True, "grade_withheld": None,
        "targets": [{"url": URL, "grade": "B+", "score": 80}]}
    reports[0].grade = None
    reports[0].failed = ["PF602 debugger"]
    log = json.loads(render_probe_report(result, reports, "sarif", tool_version="t"))
    props = log["runs"][0]["invocations"][0]["properties"]["probe"]
    assert (props["insecure"], props["graded"], props["targets"]) == (
        False, False, [{"url": URL, "grade": "-", "score": None}])
    assert props["grade_withheld"].startswith("the PF602 debugger check failed")
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render_probe_report(result, reports, "xml", tool_version="t")


def test_url_uri_encodes_only_what_a_uri_cannot_hold():
    assert url_uri("https://ex.com/ä b?q=1&r=%41#f") == "https://ex.com/%C3%A4%20b?q=1&r=%41#f"


def test_summary_table_lines():
    _, (report,) = _reports()
    report.cracks = [_crack(key=b"secret"), _crack("remember", keys=(), tested=12345),
                     _crack("x", keys=None, tested=99, complete=False, unreadable="nested too deeply to read")]
    report.analysis.untested_cookies = ["c5", "c6"]
    assert summary_table([report]) == "\n".join([
        "Probe summary",
        f"  {URL}  grade B+   80/100   8 requests, 1.23 s",
        "    -20  PF604  hsts-missing [high]",
        f"    redirects: {URL} -> 302 / -> 200",
        "    session cookie `session` (payload keys: a, b): signed with a KNOWN key (0.57 s)",
        "    session cookie `remember` (payload keys: -): not signed with any of 12,345 known keys (0.57 s)",
        "    session cookie `x` (payload keys: unreadable (nested too deeply to read)): NOT fully tested: the "
        "search stopped at the time limit after 99 keys (0.57 s)",
        "    2 more signed cookies not tested (at most 4 per URL)",
        f"    note: {NOTE}",
    ])


def test_summary_table_ungraded_one_request_insecure_and_withheld():
    _, (report,) = _reports()
    report.grade = None
    report.requests_sent = 1
    report.failed = ["PF607 traceback"]
    report.observation.main.responses = report.observation.main.responses[-1:]
    report.analysis.untested_cookies = ["c5"]
    report.analysis.notes = []
    other = f"{URL}/longer"
    second = _reports()[1][0]
    second.url = other
    second.analysis.notes = []
    second.observation.main.responses = second.observation.main.responses[-1:]
    lines = summary_table([report, second], insecure=True).splitlines()
    assert lines[:4] == [
        "Probe summary - TLS certificates were NOT verified (--insecure)",
        f"  no grades: the PF607 traceback check failed for {URL} (see the errors); a grade would vouch for "
        f"checks that did not run",
        f"  {URL}         not graded   1 request, 1.23 s",
        "    1 more signed cookie not tested (at most 4 per URL)",
    ]
    assert lines[4] == f"  {other}  grade B+   80/100   8 requests, 1.23 s"


# ---- the rendered reports ---------------------------------------------------------------------------------------

import click  # noqa: E402

from flask_preflight.findings import Problem, ProblemKind, ScanResult  # noqa: E402
from flask_preflight.probe.output import fix_sarif_locations, render_text  # noqa: E402
from flask_preflight.findings import Severity  # noqa: E402
from flask_preflight.report.text import _SEVERITY_STYLE, _statistics_table, _styler, format_finding  # noqa: E402


def _with_problems(result):
    return ScanResult(findings=result.findings, files_scanned=2,
                      problems=[Problem("https://a/", ProblemKind.UNREADABLE, "boom"),
                                Problem("https://b/", ProblemKind.UNREADABLE, "bang")])


def test_plain_text_by_default_and_coloured_on_request():
    result, reports = _reports()
    result = _with_problems(result)
    plain = render_text(result, reports)
    (finding,) = result.findings
    stats = _statistics_table(result.findings, _styler(False))
    assert plain.endswith("\n") and "\x1b[" not in plain and "(--insecure)" not in plain
    assert stats not in plain
    assert "https://a/: error: boom\nhttps://b/: error: bang\n\nFound 1 finding (1 high) in 2 URLs; 2 URLs were not " \
           "(fully) probed." in plain
    assert plain.endswith("\n\n" + summary_table(reports) + "\n")
    assert plain.startswith(format_finding(finding).replace(f"{URL}:1:1: ", f"{URL}: ") + "\n  = evidence: ")
    coloured = render_text(result, reports, color=True, statistics=True)
    assert f"https://a/: {click.style('error', fg='red', bold=True)}: boom" in coloured
    assert _statistics_table(result.findings, _styler(True)) in coloured
    assert summary_table(reports, color=True) in coloured
    assert click.style("Probe summary", bold=True) in coloured
    assert click.style("grade B+   80/100", bold=True) in coloured
    assert f"    -20  PF604  hsts-missing {click.style('[high]', **_SEVERITY_STYLE[Severity.HIGH])}" in coloured
    assert coloured.startswith(format_finding(finding, color=True).split(":", 1)[0])
    one = ScanResult(findings=[], files_scanned=1, problems=[Problem("https://a/", ProblemKind.UNREADABLE, "x")])
    assert "No findings in 1 URL; 1 URL was not (fully) probed." in render_text(one, reports)


def test_text_through_render_probe_report_keeps_color_and_statistics():
    result, reports = _reports()
    text = render_probe_report(result, reports, "text", tool_version="t", color=True, statistics=True)
    assert text == render_text(result, reports, color=True, statistics=True)
    assert render_probe_report(result, reports, "text", tool_version="t") == render_text(result, reports)


def test_json_and_sarif_are_indented_utf8_and_end_with_a_newline():
    site_url = "https://example.com/ä"
    result, reports = _reports()
    reports[0].url = site_url
    text = render_probe_report(result, reports, "json", tool_version="9.9")
    assert text.startswith('{\n  "') and text.endswith("}\n") and '"url": "https://example.com/ä"' in text
    data = json.loads(text)
    assert data["probe"]["timeout"] == 10.0 and '"9.9"' in text
    sarif = render_probe_report(result, reports, "sarif", tool_version="9.9")
    assert sarif.startswith('{\n  "') and sarif.endswith("}\n") and '"url": "https://example.com/ä"' in sarif


def test_fix_sarif_locations_tolerates_missing_parts_and_fixes_related_locations():
    from flask_preflight.report.sarif import artifact_uri

    mangled, _ = artifact_uri(URL)
    log = {"runs": [{"results": [{"ruleId": "X"}, {"relatedLocations": [
        {"physicalLocation": {"artifactLocation": {"uri": mangled}}}, {}]}], "invocations": [{}, {
            "toolExecutionNotifications": [{}, {"locations": [{}]}]}]}]}
    fix_sarif_locations(log, [URL])
    related = log["runs"][0]["results"][1]["relatedLocations"]
    assert related[0] == {"physicalLocation": {"artifactLocation": {"uri": URL}}} and related[1] == {}
    empty = {"runs": [{}]}
    fix_sarif_locations(empty, [URL])
    assert empty == {"runs": [{}]}


def test_summary_table_of_no_reports_is_the_heading():
    assert summary_table([]) == "Probe summary"
