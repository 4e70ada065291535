"""SARIF structure: what GitHub code scanning and SARIF viewers rely on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import render
from flask_preflight.report.sarif import artifact_uri, build_sarif, render_sarif
from flask_preflight.rules import REGISTRY

PF101 = REGISTRY["PF101"]
PF104 = REGISTRY["PF104"]


def debug_finding(line: int = 12, path: str = "app.py", **kw) -> Finding:
    return PF101.finding("Flask debug mode is enabled by app.run(debug=True)", Location(path, line, 13, line, 23),
                         snippet="    app.run(debug=True)\n", **kw)


def sarif(result: ScanResult, **kw) -> Dict[str, Any]:
    return json.loads(render(result, "sarif", tool_version=kw.pop("tool_version", "0.1.0"), **kw))


def run_of(result: ScanResult, **kw) -> Dict[str, Any]:
    log = sarif(result, **kw)
    assert len(log["runs"]) == 1
    return log["runs"][0]


def test_top_level_and_driver():
    log = sarif(ScanResult(files_scanned=1), tool_version="1.4.0")
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flask-preflight"
    assert driver["version"] == driver["semanticVersion"] == "1.4.0"
    assert driver["informationUri"] == "https://github.com/flask-preflight/flask-preflight"


def test_semantic_version_only_for_semver():
    driver = run_of(ScanResult(), tool_version="0.2.0.dev3")["tool"]["driver"]
    assert driver["version"] == "0.2.0.dev3"
    assert "semanticVersion" not in driver


def test_rules_list_every_registered_rule():
    rules = run_of(ScanResult())["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in REGISTRY]
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    scores = {"critical": "9.8", "high": "7.5", "medium": "5.0", "low": "3.0"}
    for desc, rule in zip(rules, REGISTRY):
        assert desc["name"] == rule.name
        assert desc["shortDescription"]["text"].startswith(rule.summary.rstrip("."))
        assert desc["fullDescription"]["text"].endswith(".")
        assert desc["helpUri"] == ("https://github.com/flask-preflight/flask-preflight/blob/main/docs/rules/"
                                   + rule.id.lower() + ".md")
        assert desc["defaultConfiguration"]["level"] == levels[rule.severity.value]
        props = desc["properties"]
        assert props["security-severity"] == scores[rule.severity.value]
        assert props["precision"] == "high"
        assert props["tags"][0] == ("security" if rule.cwe else "maintainability")  # PF001 is about comments
        assert props["tags"][1:] == [f"external/cwe/cwe-{n}" for n in rule.cwe]
        assert rule.fix_hint in desc["help"]["text"]
        md = desc["help"]["markdown"]
        assert md.count("```python") == 2
        assert rule.bad.strip() in md and rule.good.strip() in md


def test_result_fields():
    run = run_of(ScanResult(findings=[debug_finding(related=[Location("config.py", 3, 5, 3, 17)])]))
    rules = run["tool"]["driver"]["rules"]
    (res,) = run["results"]
    assert res["ruleId"] == "PF101"
    assert rules[res["ruleIndex"]]["id"] == "PF101"
    assert res["level"] == "error"
    assert res["message"]["text"] == "Flask debug mode is enabled by app.run(debug=True)."
    phys = res["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert phys["region"] == {"startLine": 12, "startColumn": 13, "endLine": 12, "endColumn": 23,
                              "snippet": {"text": "debug=True"}}
    assert phys["contextRegion"] == {"startLine": 12, "endLine": 12,
                                     "snippet": {"text": "    app.run(debug=True)"}}
    (rel,) = res["relatedLocations"]
    assert rel["id"] == 1
    assert rel["message"]["text"]
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "config.py"
    assert rel["physicalLocation"]["region"]["startLine"] == 3
    assert res["partialFingerprints"] == {"flaskPreflight/v1": debug_finding().fingerprint()}
    assert res["properties"] == {"severity": "high", "security-severity": "7.5"}


def test_result_level_follows_the_finding_not_the_rule():
    (res,) = run_of(ScanResult(findings=[debug_finding(severity=Severity.LOW)]))["results"]
    assert res["level"] == "note"
    assert res["properties"] == {"severity": "low", "security-severity": "3.0"}


def test_whole_line_span_has_no_redundant_context_region():
    f = PF101.finding("m", Location("a.py", 3, 1, 3, 10), snippet="DEBUG = 1")
    phys = run_of(ScanResult(findings=[f]))["results"][0]["locations"][0]["physicalLocation"]
    assert phys["region"]["snippet"] == {"text": "DEBUG = 1"}
    assert "contextRegion" not in phys


def test_multiline_region_snippet():
    f = PF104.finding("dbg", Location("w.py", 2, 16, 4, 2),
                      snippet="app.wsgi_app = DebuggedApplication(\n    app.wsgi_app,\n)\n")
    phys = run_of(ScanResult(findings=[f]))["results"][0]["locations"][0]["physicalLocation"]
    assert phys["region"]["snippet"]["text"] == "DebuggedApplication(\n    app.wsgi_app,\n)"
    assert phys["contextRegion"]["startLine"] == 2 and phys["contextRegion"]["endLine"] == 4


def test_missing_end_column_and_bad_numbers_stay_valid():
    f = PF101.finding("m", Location("a.py", 0, 0), snippet="")
    region = run_of(ScanResult(findings=[f]))["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1, "endLine": 1}
    f = PF101.finding("m", Location("a.py", 5, 9, 5, 3), snippet="abcdefghijk")
    region = run_of(ScanResult(findings=[f]))["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["endColumn"] == region["startColumn"] == 9


def test_empty_message_falls_back_to_rule_summary():
    f = PF101.finding("", Location("a.py", 1, 1, 1, 2), snippet="x")
    (res,) = run_of(ScanResult(findings=[f]))["results"]
    assert res["message"]["text"] == PF101.summary


def test_fingerprint_stable_when_only_the_line_moves():
    a = run_of(ScanResult(findings=[debug_finding(line=12)]))["results"][0]
    b = run_of(ScanResult(findings=[debug_finding(line=40)]))["results"][0]
    assert a["partialFingerprints"] == b["partialFingerprints"]
    assert a["locations"] != b["locations"]
    other = PF101.finding("m", Location("app.py", 12, 13, 12, 23), snippet="    app.run(debug=1)\n")
    c = run_of(ScanResult(findings=[other]))["results"][0]
    assert c["partialFingerprints"] != a["partialFingerprints"]


def test_uris_are_percent_encoded_and_relative_to_srcroot():
    f = debug_finding(path="src/my app/wsgi ü#1%.py")
    run = run_of(ScanResult(findings=[f]))
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "src/my%20app/wsgi%20%C3%BC%231%25.py", "uriBaseId": "%SRCROOT%"}
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file://") and root.endswith("/")
    assert root == Path.cwd().resolve().as_uri().rstrip("/") + "/"


@pytest.mark.parametrize("path,expected", [
    ("app.py", ("app.py", True)),
    ("./pkg/app.py", ("pkg/app.py", True)),
    ("a:b.py", ("a%3Ab.py", True)),  # a colon must not look like a URI scheme
    ("/srv/app/main.py", ("file:///srv/app/main.py", False)),
    ("caf\udce9.py", ("caf%E9.py", True)),  # undecodable byte kept as that byte
])
def test_artifact_uri(path, expected):
    assert artifact_uri(path) == expected


def test_absolute_paths_have_no_uri_base():
    f = debug_finding(path="/srv/app/main.py")
    loc = run_of(ScanResult(findings=[f]))["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "file:///srv/app/main.py"}


def test_srcroot_override():
    log = build_sarif(ScanResult(), tool_version="0.1.0", srcroot="file:///checkout")
    assert log["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///checkout/"}}


def test_problems_become_tool_execution_notifications():
    result = ScanResult(files_scanned=3, problems=[
        Problem("broken.py", ProblemKind.SYNTAX_ERROR, "invalid syntax", line=4, column=7),
        Problem("data.bin", ProblemKind.BINARY, "contains NUL bytes"),
    ])
    run = run_of(result)
    (inv,) = run["invocations"]
    assert inv["executionSuccessful"] is True
    notes = inv["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["syntax-error", "binary-file"]
    assert all(n["level"] == "error" and n["message"]["text"].endswith(".") for n in notes)
    assert "invalid syntax" in notes[0]["message"]["text"]
    phys0 = notes[0]["locations"][0]["physicalLocation"]
    assert phys0 == {"artifactLocation": {"uri": "broken.py", "uriBaseId": "%SRCROOT%"},
                     "region": {"startLine": 4, "startColumn": 7}}
    assert "region" not in notes[1]["locations"][0]["physicalLocation"]
    descriptors = run["tool"]["driver"]["notifications"]
    for n in notes:
        assert descriptors[n["descriptor"]["index"]]["id"] == n["descriptor"]["id"]
    assert run["results"] == []


def test_clean_run_has_empty_results_and_no_notifications():
    run = run_of(ScanResult(files_scanned=5))
    assert run["results"] == []  # an empty list (not absent) means "scanned, nothing found"
    assert run["invocations"] == [{"executionSuccessful": True,
                                   "properties": {"filesScanned": 5, "suppressedFindings": 0,
                                                  "excludedPaths": 0}}]


def test_unregistered_rule_gets_a_descriptor():
    f = Finding(rule_id="PF999", rule_name="plugin-rule", severity=Severity.MEDIUM, message="plugin says hi",
                location=Location("a.py", 1, 1, 1, 2), snippet="x")
    run = run_of(ScanResult(findings=[f]))
    rules = run["tool"]["driver"]["rules"]
    (res,) = run["results"]
    assert rules[res["ruleIndex"]]["id"] == "PF999"
    assert len(rules) == len(REGISTRY) + 1
    assert res["level"] == "warning"


def test_output_is_deterministic_and_encodable():
    result = ScanResult(findings=[debug_finding(path="b.py"), debug_finding(path="a\udcff.py")])
    out = render_sarif(result, tool_version="0.1.0", srcroot="file:///x/")
    out.encode("utf-8")
    assert out.endswith("}\n")
    reversed_result = ScanResult(findings=list(reversed(result.findings)))
    assert render_sarif(reversed_result, tool_version="0.1.0", srcroot="file:///x/") == out
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]]
    assert uris == ["a%FF.py", "b.py"]
