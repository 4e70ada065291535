"""The JSON reporter: a stable schema, and a loader that proves nothing is lost on the way out."""

from __future__ import annotations

import json

import pytest

from flask_preflight.findings import Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import render
from flask_preflight.report.json import SCHEMA_VERSION, load_json_report, render_json
from flask_preflight.rules import REGISTRY


def sample_result() -> ScanResult:
    findings = [
        REGISTRY["PF101"].finding(
            "Debug mode is enabled via app.config['DEBUG']", Location("app.py", 7, 1, 7, 27),
            snippet="app.config['DEBUG'] = True\n", evidence="DEBUG=True",
            related=[Location("config.py", 3, 5, 3, 17), Location("settings/prod.py", 1, 1, 2, 4)]),
        REGISTRY["PF104"].finding(
            "Werkzeug debugger wraps the app", Location("src/wsgi ü.py", 2, 1, 4, 2),
            snippet="app.wsgi_app = DebuggedApplication(\n    app.wsgi_app,\n    evalex=True)\n"),
        REGISTRY["PF101"].finding(
            "app.run(debug=True) under __main__", Location("app.py", 40, 5, 40, 24),
            snippet="    app.run(debug=True)", severity=Severity.LOW, fix_hint=""),
    ]
    problems = [
        Problem("broken.py", ProblemKind.SYNTAX_ERROR, "invalid syntax", line=3, column=9),
        Problem("data.bin", ProblemKind.BINARY, "contains NUL bytes"),
        Problem("half.py", ProblemKind.DECODE_ERROR, "invalid start byte", line=2),
    ]
    return ScanResult(findings=findings, problems=problems, files_scanned=9, suppressed=2, excluded=4,
                      suppressed_by_rule={"PF103": 1, "PF101": 1}).sorted()


def test_schema_and_summary():
    data = json.loads(render(sample_result(), "json", tool_version="1.2.3"))
    assert list(data) == ["schema_version", "tool", "summary", "findings", "errors"]
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert data["tool"] == {"name": "flask-preflight", "version": "1.2.3"}
    assert data["summary"] == {
        "files_scanned": 9,
        "findings": 3,
        "suppressed": 2,
        "suppressed_by_rule": {"PF103": 1, "PF101": 1},
        "excluded": 4,
        "by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 1},
        "by_rule": {"PF101": 2, "PF104": 1},
        "incomplete": True,
        "baseline": None,
    }
    first = data["findings"][0]
    assert first["rule_id"] == "PF101" and first["rule_name"] == "debug-mode-enabled"
    assert first["severity"] == "high"
    assert first["related"][0] == {"path": "config.py", "line": 3, "column": 5, "end_line": 3, "end_column": 17}
    assert len(first["fingerprint"]) == 32
    assert data["errors"][0] == {"path": "broken.py", "kind": "syntax-error", "reason": "invalid syntax",
                                 "line": 3, "column": 9}


def test_clean_run_is_not_incomplete():
    data = json.loads(render_json(ScanResult(files_scanned=4), tool_version="0.1.0"))
    assert data["summary"]["incomplete"] is False
    assert data["summary"]["by_rule"] == {}
    assert data["findings"] == [] and data["errors"] == []


def test_formatting_indent_unicode_and_trailing_newline():
    out = render_json(sample_result(), tool_version="0.1.0")
    assert out.endswith("}\n") and not out.endswith("\n\n")
    assert '\n  "schema_version": 1,' in out  # indent=2
    assert "src/wsgi ü.py" in out  # ensure_ascii=False


def test_output_is_sorted_even_if_the_caller_did_not_sort():
    result = sample_result()
    shuffled = ScanResult(findings=list(reversed(result.findings)), problems=list(reversed(result.problems)),
                          files_scanned=result.files_scanned, suppressed=result.suppressed, excluded=result.excluded,
                          suppressed_by_rule=dict(reversed(list(result.suppressed_by_rule.items()))))
    assert render_json(shuffled, tool_version="x") == render_json(result, tool_version="x")


def test_round_trip_is_exact():
    result = sample_result()
    loaded = load_json_report(render_json(result, tool_version="0.1.0"))
    assert loaded == result
    assert [f.fingerprint() for f in loaded.findings] == [f.fingerprint() for f in result.findings]
    assert isinstance(loaded.findings[0].severity, Severity)
    assert isinstance(loaded.problems[0].kind, ProblemKind)
    assert loaded.findings[0].related == result.findings[0].related


def test_round_trip_fills_missing_ends_and_rerenders_identically():
    # to_dict() writes a missing end as the start, so the loaded Location has explicit ends;
    # everything a report can show is unchanged.
    f = REGISTRY["PF102"].finding("app.run() at import time", Location("app.py", 5), snippet="app.run()",
                                  related=[Location("other.py", 2)])
    result = ScanResult(findings=[f], files_scanned=1)
    text = render_json(result, tool_version="0.1.0")
    loaded = load_json_report(text)
    assert loaded.findings[0].location == Location("app.py", 5, 1, 5, 1)
    assert loaded.findings[0].to_dict() == f.to_dict()
    assert render_json(loaded, tool_version="0.1.0") == text


def test_undecodable_path_bytes_survive():
    f = REGISTRY["PF101"].finding("m", Location("caf\udce9.py", 1, 1, 1, 2), snippet="x")
    result = ScanResult(findings=[f], problems=[Problem("b\udcff.py", ProblemKind.DECODE_ERROR, "bad")])
    text = render_json(result, tool_version="0.1.0")
    text.encode("utf-8")  # a raw lone surrogate would make this raise
    assert "\\udce9" in text
    assert load_json_report(text) == result


@pytest.mark.parametrize("text,match", [
    ("not json", "not a flask-preflight JSON report"),
    ("[]", "schema_version None"),
    ('{"schema_version": 2}', "schema_version 2"),
    ('{"schema_version": 1, "findings": [{"rule_id": "PF101"}]}', "malformed"),
    ('{"schema_version": 1, "errors": [{"path": "a", "kind": "nope", "reason": "r"}]}', "malformed"),
])
def test_load_rejects_bad_input(text, match):
    with pytest.raises(ValueError, match=match):
        load_json_report(text)
