"""GitHub Actions workflow commands and GitLab Code Quality JSON (flask_preflight/report/ci.py)."""

from __future__ import annotations

import json

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import render
from flask_preflight.report.ci import escape_data, escape_property
from flask_preflight.rules import REGISTRY

PF101 = REGISTRY["PF101"]
PF201 = REGISTRY["PF201"]
DOCS = "https://github.com/flask-preflight/flask-preflight/blob/main/docs/rules"


def debug_finding(path: str = "app.py", line: int = 12, **kw) -> Finding:
    return PF101.finding("Flask debug mode is enabled by app.run(debug=True)",
                         Location(path, line, 13, line, 23), snippet="    app.run(debug=True)\n", **kw)


def github(result: ScanResult) -> str:
    return render(result, "github", tool_version="0.1.0")


def gitlab(result: ScanResult):
    return json.loads(render(result, "gitlab", tool_version="0.1.0"))


# --- escaping (the Actions toolkit's escapeData / escapeProperty) ----------------------------------------------


def test_escape_data_and_property():
    assert escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    assert escape_data("%0A") == "%250A"  # an already-escaped-looking value is escaped again, not trusted
    assert escape_data("plain text") == escape_property("plain text") == "plain text"


def test_github_exact_output():
    out = github(ScanResult(findings=[debug_finding()], files_scanned=1))
    assert out == (
        "::error file=app.py,line=12,endLine=12,col=13,endColumn=23,title=PF101 debug-mode-enabled [high]::"
        "Flask debug mode is enabled by app.run(debug=True)%0Ahelp: " + PF101.fix_hint + f" See {DOCS}/pf101.md\n"
        "Found 1 finding (1 high) in 1 file.\n")


def test_github_escapes_hostile_text_from_scanned_files():
    """A path and message holding every special character cannot end the command or start another."""
    f = PF101.finding("50% off:\r\n::add-mask::x, y", Location("we,ird:dir/100%.py", 3, 1), fix_hint="")
    out = github(ScanResult(findings=[f], files_scanned=1)).splitlines()
    assert out == [
        "::error file=we%2Cird%3Adir/100%25.py,line=3,col=1,title=PF101 debug-mode-enabled [high]::"
        f"50%25 off:%0D%0A::add-mask::x, y%0Ahelp: See {DOCS}/pf101.md",
        "Found 1 finding (1 high) in 1 file.",
    ]


def test_github_levels_multiline_span_and_problems():
    low = PF101.finding("m", Location("a.py", 1, 1), severity=Severity.LOW, fix_hint="")
    medium = PF101.finding("m", Location("b.py", 2, 5, 4, 3), severity=Severity.MEDIUM, fix_hint="")
    crit = PF201.finding("m", Location("c.py", 1, 1, 1, 2), severity=Severity.CRITICAL, fix_hint="")
    problem = Problem("d.py", ProblemKind.SYNTAX_ERROR, "invalid syntax", line=7, column=2)
    out = github(ScanResult(findings=[crit, medium, low], problems=[problem], files_scanned=4)).splitlines()
    assert out == [
        f"::notice file=a.py,line=1,col=1,title=PF101 debug-mode-enabled [low]::m%0Ahelp: See {DOCS}/pf101.md",
        # endColumn is dropped on a multi-line span: GitHub honours it on one line only
        f"::warning file=b.py,line=2,endLine=4,col=5,title=PF101 debug-mode-enabled [medium]::m%0Ahelp: See {DOCS}/pf101.md",
        f"::error file=c.py,line=1,endLine=1,col=1,endColumn=2,title=PF201 hardcoded-secret-key [critical]::m%0A"
        f"help: See {DOCS}/pf201.md",
        "::error file=d.py,line=7,col=2,title=flask-preflight%3A syntax-error::could not analyze d.py (syntax-error): "
        "invalid syntax",
        "Found 3 findings (1 critical, 1 medium, 1 low) in 4 files; 1 file could not be analyzed.",
    ]


def test_github_unregistered_rule_has_no_docs_link():
    f = Finding("PF999", "plugin-rule", Severity.HIGH, "m", Location("a.py", 1, 1), fix_hint="Do x")
    assert github(ScanResult(findings=[f])).splitlines()[0] == (
        "::error file=a.py,line=1,col=1,title=PF999 plugin-rule [high]::m%0Ahelp: Do x")


def test_github_no_findings_is_just_the_summary():
    assert github(ScanResult(files_scanned=2)) == "No findings in 2 files.\n"


# --- GitLab Code Quality --------------------------------------------------------------------------------------


def test_gitlab_exact_output():
    issues = gitlab(ScanResult(findings=[debug_finding()], files_scanned=1))
    f = debug_finding()
    assert issues == [{
        "type": "issue",
        "check_name": "PF101",
        "description": "PF101 debug-mode-enabled: Flask debug mode is enabled by app.run(debug=True)",
        "categories": ["Security"],
        "severity": "critical",
        "fingerprint": issues[0]["fingerprint"],
        "location": {"path": "app.py", "lines": {"begin": 12}},
        "content": {"body": f"{PF101.fix_hint} See {DOCS}/pf101.md"},
    }]
    assert len(issues[0]["fingerprint"]) == 32 and issues[0]["fingerprint"] != f.fingerprint()


def test_gitlab_severity_mapping_and_problem():
    found = [PF101.finding("m", Location("a.py", i + 1, 1), severity=s) for i, s in enumerate(Severity)]
    problem = Problem("bad.py", ProblemKind.DECODE_ERROR, "not UTF-8")
    issues = gitlab(ScanResult(findings=found, problems=[problem]))
    assert [i["severity"] for i in issues] == ["blocker", "critical", "major", "minor", "info"]
    assert issues[-1] == {
        "type": "issue", "check_name": "flask-preflight:decode-error",
        "description": "Could not analyze bad.py (decode-error): not UTF-8", "categories": ["Bug Risk"],
        "severity": "info", "fingerprint": issues[-1]["fingerprint"],
        "location": {"path": "bad.py", "lines": {"begin": 1}},
    }


def test_gitlab_fingerprints_survive_line_moves_but_not_duplicates():
    """Moving a finding keeps its fingerprint; a second copy of the same line is a second issue (GitLab
    merges equal fingerprints into one)."""
    first = gitlab(ScanResult(findings=[debug_finding(line=12)]))[0]["fingerprint"]
    moved = gitlab(ScanResult(findings=[debug_finding(line=40)]))[0]["fingerprint"]
    assert first == moved
    twice = gitlab(ScanResult(findings=[debug_finding(line=12), debug_finding(line=30)]))
    assert twice[0]["fingerprint"] == first
    assert twice[1]["fingerprint"] != first
    other_file = gitlab(ScanResult(findings=[debug_finding(path="b.py")]))[0]["fingerprint"]
    assert other_file != first


def test_gitlab_empty_report_is_an_empty_array():
    assert render(ScanResult(), "gitlab", tool_version="0.1.0") == "[]\n"
