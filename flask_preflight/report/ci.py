"""Reports for CI systems: GitHub Actions workflow commands and GitLab Code Quality JSON.

GitHub Actions turns ``::error file=F,line=L,col=C,title=T::message`` lines of a step's log into
annotations on the pull request's diff. Values are escaped as the Actions toolkit escapes them
(``@actions/core`` ``toCommandValue``/``escapeData``/``escapeProperty``): ``%`` ``\\r`` ``\\n`` in the message,
and additionally ``:`` and ``,`` in properties, so text from a scanned file can neither end the command early
nor start a new one (a message holding ``\\n::add-mask::`` stays one line).

GitLab reads a Code Quality artifact (``artifacts:reports:codequality``): a JSON array of issues with
``description``, ``check_name``, ``fingerprint``, ``severity`` (info, minor, major, critical, blocker) and
``location.path``/``location.lines.begin``. GitLab treats equal fingerprints as one issue, so ours are
:meth:`Finding.fingerprint` (rule, path, normalised source; no line number, so an issue survives code
moving) plus the occurrence index among findings sharing it: a second copy of the same bad line is a
second issue.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List

from flask_preflight.findings import Finding, Problem, ScanResult, Severity
from flask_preflight.report import escape_surrogates, ordered
from flask_preflight.report.text import help_line, summary_line

#: Annotation level per severity: errors for what --fail-on high stops, warnings and notices below.
GITHUB_LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
                 Severity.LOW: "notice"}
#: Code Quality severities; ``info`` is used for files that could not be analysed (not a finding, but the
#: merge request should say the scan was incomplete).
GITLAB_SEVERITIES = {Severity.CRITICAL: "blocker", Severity.HIGH: "critical", Severity.MEDIUM: "major",
                     Severity.LOW: "minor"}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped like ``@actions/core``'s ``escapeData``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped like ``@actions/core``'s ``escapeProperty``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: str, message: str, **properties: Any) -> str:
    """``::level k=v,...::message``; properties whose value is None are left out."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def render_github(result: ScanResult, *, unit: str = "file",
                  not_done: tuple = ("file could not be analyzed", "files could not be analyzed")) -> str:
    """One workflow command per finding and per file that could not be analysed, then the summary line (a
    plain log line, so the step's log still says what happened)."""
    findings, problems = ordered(result)
    lines = [_github_finding(f) for f in findings] + [_github_problem(p) for p in problems]
    lines.append(summary_line(result, unit, not_done))
    return "\n".join(lines) + "\n"


def _file_property(path: str) -> Any:
    """Annotations attach to files of the repository; a probed URL is not one, so it goes in the message."""
    return None if "://" in path else path


def _github_finding(f: Finding) -> str:
    loc = f.location
    message = f.message
    if "://" in loc.path:
        message = f"{loc.path}: {message}"
    hint = help_line(f)
    if hint:
        message += f"\nhelp: {hint}"
    end_line = loc.end_line if loc.end_line is not None and loc.end_line >= loc.line else None
    # GitHub only honours endColumn on a one-line annotation.
    end_column = loc.end_column if loc.end_column is not None and end_line in (None, loc.line) else None
    return workflow_command(GITHUB_LEVELS[f.severity], message, file=_file_property(loc.path), line=loc.line,
                            endLine=end_line, col=loc.column, endColumn=end_column,
                            title=f"{f.rule_id} {f.rule_name} [{f.severity.value}]")


def _github_problem(p: Problem) -> str:
    message = f"could not analyze {p.path} ({p.kind.value}): {p.reason}"
    return workflow_command("error", message, file=_file_property(p.path), line=p.line, col=p.column,
                            title=f"flask-preflight: {p.kind.value}")


def build_gitlab(result: ScanResult) -> List[Dict[str, Any]]:
    """The Code Quality issues as plain data."""
    findings, problems = ordered(result)
    issues: List[Dict[str, Any]] = []
    seen: Dict[str, int] = {}
    for f in findings:
        base = f.fingerprint()
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        body = help_line(f)
        issue: Dict[str, Any] = {
            "type": "issue",
            "check_name": f.rule_id,
            "description": f"{f.rule_id} {f.rule_name}: {f.message}",
            "categories": ["Security"],
            "severity": GITLAB_SEVERITIES[f.severity],
            "fingerprint": _digest(f"{base}\0{occurrence}"),
            "location": {"path": f.location.path, "lines": {"begin": max(f.location.line, 1)}},
        }
        if body:
            issue["content"] = {"body": body}
        issues.append(issue)
    for p in problems:
        issues.append({
            "type": "issue",
            "check_name": f"flask-preflight:{p.kind.value}",
            "description": f"Could not analyze {p.path} ({p.kind.value}): {p.reason}",
            "categories": ["Bug Risk"],
            "severity": "info",
            "fingerprint": _digest(f"problem\0{p.kind.value}\0{p.path}"),
            "location": {"path": p.path, "lines": {"begin": max(p.line or 1, 1)}},
        })
    return issues


def render_gitlab(result: ScanResult) -> str:
    """Indented UTF-8 JSON ending in a newline."""
    return escape_surrogates(json.dumps(build_gitlab(result), indent=2, ensure_ascii=False)) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]
