"""SARIF 2.1.0 output for GitHub code scanning, Azure DevOps and IDE SARIF viewers.

Design choices worth knowing:

* ``tool.driver.rules`` lists every registered rule, not only those with results, so code-scanning
  UIs can show (and close) alerts for rules that stopped firing.
* Paths stay relative and point at ``%SRCROOT%``, which ``originalUriBaseIds`` resolves to the
  working directory; uploads then work from any checkout location.
* ``partialFingerprints`` uses :meth:`Finding.fingerprint`, which ignores line numbers, so an alert
  survives code being moved up or down.
* Files that could not be analysed are tool execution notifications, not results: they are not
  security findings, but they must not pass silently either.
* Columns are Unicode code points (``run.columnKind``), matching the analyzers' character offsets.
* With ``check --baseline``, every result carries ``baselineState``: ``new`` for what the baseline does not
  record, ``unchanged`` for what it does; those are included (so the debt stays visible and code-scanning
  alerts for them stay open-but-suppressed rather than closed as fixed) with an ``external`` suppression
  naming the baseline file. Stale baseline entries are counted in the invocation's properties rather than
  emitted as ``absent`` results: they have no location left, and a consumer that ignores ``baselineState``
  would turn each into an alert.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import escape_surrogates, ordered
from flask_preflight.report.text import split_source_lines
from flask_preflight.rules import REGISTRY, Rule, docs_url

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "flask-preflight"
INFORMATION_URI = "https://github.com/flask-preflight/flask-preflight"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "flaskPreflight/v1"

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub buckets security-severity as critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.8", Severity.HIGH: "7.5", Severity.MEDIUM: "5.0", Severity.LOW: "3.0"}

_PROBLEM_DESCRIPTIONS = {
    ProblemKind.SYNTAX_ERROR: "The file is not valid Python and could not be parsed.",
    ProblemKind.DECODE_ERROR: "The file could not be decoded as text in its declared encoding.",
    ProblemKind.BINARY: "The file looks binary and was not analyzed.",
    ProblemKind.TOO_LARGE: "The file exceeds the configured size limit and was not analyzed.",
    ProblemKind.UNREADABLE: "The file could not be read (permissions or I/O error).",
    ProblemKind.SYMLINK_LOOP: "The path is part of a symbolic link loop.",
    ProblemKind.BROKEN_SYMLINK: "The path is a symbolic link whose target does not exist.",
    ProblemKind.NOT_FOUND: "The path given on the command line does not exist.",
    ProblemKind.TOO_COMPLEX: "The file is too deeply nested or too complex to analyze safely.",
    ProblemKind.INTERNAL_ERROR: "The analyzer failed on this file; please report it as a bug.",
    ProblemKind.IMPORT_ERROR: "The application could not be imported or no Flask app was found in it.",
    ProblemKind.TIMEOUT: "Loading or checking the application did not finish within the time limit.",
    ProblemKind.SYMLINK_OUTSIDE: "The path is a symbolic link out of the scanned directory and was not followed.",
    ProblemKind.NOTHING_CHECKED: "The directory holds files but none of them was checked.",
    ProblemKind.GIT_UNAVAILABLE: "git could not list the tracked files, so files hidden by .gitignore were not "
                                 "checked though they may be tracked.",
    ProblemKind.CACHE_REFUSED: "The result cache path is a symbolic link or not a directory flask-preflight "
                               "created; the scan ran without the cache.",
}

# Friendly PascalCase names (the validator wants them, and wants them to differ from the id).
_PROBLEM_NAMES = {
    ProblemKind.SYNTAX_ERROR: "SyntaxError",
    ProblemKind.DECODE_ERROR: "DecodeError",
    ProblemKind.BINARY: "BinaryFile",
    ProblemKind.TOO_LARGE: "FileTooLarge",
    ProblemKind.UNREADABLE: "UnreadableFile",
    ProblemKind.SYMLINK_LOOP: "SymlinkLoop",
    ProblemKind.BROKEN_SYMLINK: "BrokenSymlink",
    ProblemKind.NOT_FOUND: "PathNotFound",
    ProblemKind.TOO_COMPLEX: "TooComplex",
    ProblemKind.INTERNAL_ERROR: "InternalError",
    ProblemKind.IMPORT_ERROR: "ImportFailed",
    ProblemKind.TIMEOUT: "Timeout",
    ProblemKind.SYMLINK_OUTSIDE: "SymlinkOutsideTree",
    ProblemKind.NOTHING_CHECKED: "NothingChecked",
    ProblemKind.GIT_UNAVAILABLE: "GitUnavailable",
    ProblemKind.CACHE_REFUSED: "CacheRefused",
}

# https://semver.org regex, so semanticVersion is only claimed for versions that really are SemVer.
_SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
_DRIVE_RE = re.compile(r"^[A-Za-z]:/")


def build_sarif(result: ScanResult, *, tool_version: str, srcroot: Optional[str] = None) -> Dict[str, Any]:
    """The SARIF log as plain data; ``srcroot`` overrides the %SRCROOT% URI (default: the cwd)."""
    findings, problems = ordered(result)
    baseline = result.baseline
    hidden = sorted(baseline.hidden, key=Finding.sort_key) if baseline is not None else []
    rules = list(REGISTRY)
    descriptors = [rule_descriptor(r) for r in rules]
    index: Dict[str, int] = {r.id: i for i, r in enumerate(rules)}
    for f in findings + hidden:  # a rule outside the registry (plugin, stale baseline) still needs a valid ruleIndex
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(_adhoc_descriptor(f))

    driver: Dict[str, Any] = {"name": TOOL_NAME, "version": tool_version}
    if _SEMVER_RE.match(tool_version):
        driver["semanticVersion"] = tool_version
    driver["informationUri"] = INFORMATION_URI
    driver["rules"] = descriptors
    driver["notifications"] = [_notification_descriptor(k) for k in ProblemKind]

    invocation: Dict[str, Any] = {"executionSuccessful": True}
    if problems:
        invocation["toolExecutionNotifications"] = [_notification(p) for p in problems]
    invocation["properties"] = {"filesScanned": result.files_scanned, "suppressedFindings": result.suppressed,
                                "excludedPaths": result.excluded}
    if result.suppressed_by_rule:
        invocation["properties"]["suppressedFindingsByRule"] = dict(sorted(result.suppressed_by_rule.items()))
    if baseline is not None:
        invocation["properties"].update({"baseline": baseline.path, "baselineHiddenFindings": len(baseline.hidden),
                                         "baselineStaleEntries": len(baseline.stale)})
    results = [_result(f, index[f.rule_id]) for f in findings]
    if baseline is not None:
        for res in results:
            res["baselineState"] = "new"
        justification = _sentence(f"Recorded in the baseline {baseline.path}")
        for f in hidden:
            res = _result(f, index[f.rule_id])
            res["baselineState"] = "unchanged"
            res["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
            results.append(res)

    run: Dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": srcroot_uri(srcroot)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(result: ScanResult, *, tool_version: str, srcroot: Optional[str] = None) -> str:
    """SARIF JSON ending in a newline; always UTF-8 encodable."""
    text = json.dumps(build_sarif(result, tool_version=tool_version, srcroot=srcroot), indent=2,
                      ensure_ascii=False)
    return escape_surrogates(text) + "\n"


def rule_descriptor(rule: Rule) -> Dict[str, Any]:
    """A reportingDescriptor carrying the rule's docs, so viewers can explain an alert offline."""
    # A rule with no weakness behind it (PF001, about the tool's own comments) is not a security alert.
    tags = ["security"] if rule.cwe or rule.owasp else ["maintainability"]
    tags += [f"external/cwe/cwe-{n}" for n in rule.cwe]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": _sentence(rule.rationale)},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "helpUri": docs_url(rule.id),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
        },
    }


def artifact_uri(path: str) -> Tuple[str, bool]:
    """Percent-encoded URI for ``path`` and whether it is relative (and so needs ``uriBaseId``)."""
    p = path.replace("\\", "/") if os.sep == "\\" else path
    if p.startswith("/"):
        return "file://" + _quote(p), False
    if _DRIVE_RE.match(p):
        return "file:///" + p[:2] + _quote(p[2:]), False
    while p.startswith("./"):
        p = p[2:]
    return _quote(p or "."), True


def srcroot_uri(srcroot: Optional[str] = None) -> str:
    """file:// URI of the directory relative paths are resolved against; SARIF requires the trailing slash."""
    uri = srcroot if srcroot is not None else Path.cwd().resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _quote(p: str) -> str:
    # surrogateescape: undecodable bytes in file names come back out as their original byte values.
    return quote(p, safe="/", encoding="utf-8", errors="surrogateescape")


def _artifact_location(path: str) -> Dict[str, Any]:
    uri, relative = artifact_uri(path)
    return {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}


def _result(finding: Finding, rule_index: int) -> Dict[str, Any]:
    res: Dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _sentence(finding.message or _rule_summary(finding))},
        "locations": [{"physicalLocation": _physical_location(finding.location, finding.snippet)}],
    }
    if finding.related:
        res["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical_location(loc, ""),
             "message": {"text": "Related location that contributes to this finding."}}
            for i, loc in enumerate(finding.related, start=1)
        ]
    res["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint()}
    res["properties"] = {"severity": finding.severity.value,
                         "security-severity": SECURITY_SEVERITY[finding.severity]}
    return res


def _physical_location(loc: Location, snippet: str) -> Dict[str, Any]:
    """Region for the exact span; contextRegion for the whole source lines when they say more."""
    start_line = max(loc.line, 1)
    start_col = max(loc.column, 1)
    end_line = max(loc.end_line if loc.end_line is not None else start_line, start_line)
    region: Dict[str, Any] = {"startLine": start_line, "startColumn": start_col, "endLine": end_line}
    if loc.end_column is not None:  # absent endColumn means "to the end of endLine" in SARIF
        end_col = max(loc.end_column, 1)
        if end_line == start_line:
            end_col = max(end_col, start_col)
        region["endColumn"] = end_col
    physical: Dict[str, Any] = {"artifactLocation": _artifact_location(loc.path), "region": region}

    lines = split_source_lines(snippet)
    if end_line - start_line >= len(lines):  # no snippet, or it does not cover the region: quote nothing
        return physical
    span = _span_text(lines, start_col, end_line - start_line, region.get("endColumn"))
    if span:
        region["snippet"] = {"text": span}
    whole = "\n".join(lines)
    if span != whole:  # contextRegion must be a proper superset of region
        physical["contextRegion"] = {"startLine": start_line, "endLine": start_line + len(lines) - 1,
                                     "snippet": {"text": whole}}
    return physical


def _span_text(lines: List[str], start_col: int, last: int, end_col: Optional[int]) -> str:
    """The region's own text cut out of the snippet lines (no end column: to the end of the last line)."""
    if last == 0:
        return lines[0][start_col - 1:] if end_col is None else lines[0][start_col - 1:end_col - 1]
    tail = lines[last] if end_col is None else lines[last][:end_col - 1]
    return "\n".join([lines[0][start_col - 1:]] + lines[1:last] + [tail])


def _notification(problem: Problem) -> Dict[str, Any]:
    physical: Dict[str, Any] = {"artifactLocation": _artifact_location(problem.path)}
    if problem.line is not None and problem.line >= 1:
        region: Dict[str, Any] = {"startLine": problem.line}
        if problem.column is not None and problem.column >= 1:
            region["startColumn"] = problem.column
        physical["region"] = region
    return {
        "level": "error",
        "message": {"text": _sentence(f"Could not analyze {problem.path} ({problem.kind.value}): {problem.reason}")},
        "locations": [{"physicalLocation": physical}],
        "descriptor": {"id": problem.kind.value, "index": list(ProblemKind).index(problem.kind)},
    }


def _notification_descriptor(kind: ProblemKind) -> Dict[str, Any]:
    name = _PROBLEM_NAMES.get(kind) or "".join(w.capitalize() for w in kind.value.split("-"))
    return {"id": kind.value, "name": name, "shortDescription": {"text": _PROBLEM_DESCRIPTIONS[kind]},
            "defaultConfiguration": {"level": "error"}}


def _adhoc_descriptor(finding: Finding) -> Dict[str, Any]:
    return {"id": finding.rule_id, "name": finding.rule_name,
            "shortDescription": {"text": _sentence(finding.message or finding.rule_id)},
            "defaultConfiguration": {"level": LEVELS[finding.severity]},
            "properties": {"tags": ["security"], "security-severity": SECURITY_SEVERITY[finding.severity],
                           "precision": "high"}}


def _rule_summary(finding: Finding) -> str:
    rule = REGISTRY.get(finding.rule_id)
    return rule.summary if rule is not None else f"{finding.rule_id} {finding.rule_name}"


def _help_text(rule: Rule) -> str:
    return "\n".join([
        _sentence(rule.rationale), "", "Bad:", "", _indent(rule.bad), "", "Good:", "", _indent(rule.good), "",
        f"How to fix: {_sentence(rule.fix_hint)}",
    ])


def _help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.id} {rule.name}**: {_sentence(rule.summary)}", "", _sentence(rule.rationale), "",
             "**Bad**", "", "```python", rule.bad.strip("\n"), "```", "",
             "**Good**", "", "```python", rule.good.strip("\n"), "```", "",
             f"**How to fix:** {_sentence(rule.fix_hint)}"]
    refs = [f"[CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html)" for n in rule.cwe]
    refs += [f"OWASP {o}" for o in rule.owasp]
    if refs:
        parts += ["", "References: " + ", ".join(refs) + "."]
    return "\n".join(parts)


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.strip("\n").splitlines())


def _sentence(text: str) -> str:
    """SARIF viewers concatenate messages; the spec's guidance (and the validator) want a final period."""
    text = text.strip()
    if not text:
        return text
    return text if text.endswith((".", "!", "?")) else text + "."
