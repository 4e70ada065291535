"""Reporters: turn one ScanResult into text for people, JSON for scripts, SARIF for code-scanning UIs, or
one self-contained HTML page for a browser, GitHub Actions annotations and GitLab Code Quality JSON
for CI.

Every reporter is a pure function of the result (plus the tool version), so the CLI, tests and any
caller get byte-identical output for the same scan.
"""

from __future__ import annotations

import re
from typing import List, Tuple

from flask_preflight.findings import Finding, Problem, ScanResult

FORMATS = ("text", "json", "sarif", "html", "github", "gitlab")


def render(result: ScanResult, fmt: str, *, color: bool = False, statistics: bool = False,
           tool_version: str) -> str:
    """Render ``result`` in ``fmt``; ``color``/``statistics`` only affect the text format.

    Unknown formats raise ValueError so a typo never silently produces the wrong output.
    """
    name = fmt.strip().lower() if isinstance(fmt, str) else fmt
    if name == "text":
        from flask_preflight.report.text import render_text
        return render_text(result, color=color, statistics=statistics)
    if name == "json":
        from flask_preflight.report.json import render_json
        return render_json(result, tool_version=tool_version)
    if name == "sarif":
        from flask_preflight.report.sarif import render_sarif
        return render_sarif(result, tool_version=tool_version)
    if name == "html":
        from flask_preflight.report.html import render_html
        return render_html(result, tool_version=tool_version)
    if name == "github":
        from flask_preflight.report.ci import render_github
        return render_github(result)
    if name == "gitlab":
        from flask_preflight.report.ci import render_gitlab
        return render_gitlab(result)
    raise ValueError(f"unknown report format {fmt!r} (expected one of: {', '.join(FORMATS)})")


def ordered(result: ScanResult) -> Tuple[List[Finding], List[Problem]]:
    """Sorted copies of findings and problems: output must be deterministic without mutating the caller's result."""
    findings = sorted(result.findings, key=Finding.sort_key)
    problems = sorted(result.problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.kind.value))
    return findings, problems


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def escape_surrogates(json_text: str) -> str:
    """Turn lone surrogates (undecodable bytes kept via surrogateescape) into ``\\uXXXX`` JSON escapes.

    ``json.dumps(ensure_ascii=False)`` leaves them raw, and a raw lone surrogate cannot be encoded to
    UTF-8, so writing the report would crash; the escaped form is valid JSON and loads back to the same str.
    """
    return _SURROGATE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
