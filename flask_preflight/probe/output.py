"""Reports for ``probe``: the shared reporters, plus what only a probe has.

* text: the usual finding blocks (``URL: ID [severity] message``, help, and the evidence line), the
  problems, a summary line counting URLs, then a per-URL summary table: grade, the rules that cost points,
  redirects followed, session cookies tested, notes, and whether TLS certificates were verified. A run in
  which a check failed (raised, or stopped at the time limit) shows no grade at all and says why.
* json: the shared schema (``files_scanned`` is the number of URLs) plus a top-level ``probe`` object
  (an addition, allowed by schema_version 1) with the same per-URL data.
* sarif: the shared SARIF log, with each location's ``artifactLocation`` set to the probed URL as an
  absolute URI. The shared reporter treats every path as a file path relative to ``%SRCROOT%`` and would
  turn ``https://host/`` into the relative reference ``https%3A//host/``; the probe rewrites those
  locations. ``invocations[0].properties.probe`` carries the grades.
* html: the shared page (findings grouped by URL), with the text summary table as its "Probe summary".
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence
from urllib.parse import quote

from flask_preflight.findings import ScanResult
from flask_preflight.probe.checks import MAX_SESSION_COOKIES
from flask_preflight.probe.runner import REQUEST_PLAN, TargetReport, withheld_reason
from flask_preflight.report.text import summary_line as text_summary_line

_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def url_uri(url: str) -> str:
    """An RFC 3986 URI for ``url`` (non-ASCII and spaces percent-encoded, existing escapes kept)."""
    return quote(url, safe=_URI_SAFE)


def render_probe_report(result: ScanResult, reports: Sequence[TargetReport], fmt: str, *, color: bool = False,
                        statistics: bool = False, tool_version: str, insecure: bool = False,
                        timeout: float = 10.0) -> str:
    if fmt == "json":
        from flask_preflight.report import escape_surrogates
        from flask_preflight.report.json import build_json_report

        data = build_json_report(result, tool_version=tool_version)
        data["probe"] = probe_data(reports, insecure=insecure, timeout=timeout)
        return escape_surrogates(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
    if fmt == "sarif":
        from flask_preflight.report import escape_surrogates
        from flask_preflight.report.sarif import build_sarif

        log = build_sarif(result, tool_version=tool_version)
        fix_sarif_locations(log, [r.url for r in reports])
        props = log["runs"][0]["invocations"][0].setdefault("properties", {})
        props["probe"] = {"insecure": insecure, "graded": not withheld_reason(reports),
                          "grade_withheld": withheld_reason(reports) or None, "targets": [
            {"url": r.url, "grade": r.grade.letter if r.grade else "-",
             "score": r.grade.score if r.grade else None} for r in reports]}
        return escape_surrogates(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
    if fmt == "text":
        return render_text(result, reports, color=color, statistics=statistics, insecure=insecure)
    if fmt == "html":
        from flask_preflight.report.html import Layout, render_html

        layout = Layout(command="probe", group_label="URL", summary=summary_line(result),
                        problems_heading="URLs not (fully) probed", no_problems="None: every URL was probed.",
                        extra_sections=(("Probe summary", summary_table(reports, insecure=insecure)),))
        return render_html(result, tool_version=tool_version, layout=layout)
    if fmt == "github":
        from flask_preflight.report.ci import render_github

        return render_github(result, unit="URL", not_done=("URL was not (fully) probed", "URLs were not (fully) probed"))
    if fmt == "gitlab":
        from flask_preflight.report.ci import render_gitlab

        return render_gitlab(result)
    raise ValueError(f"unknown report format {fmt!r}")


def fix_sarif_locations(log: Dict[str, Any], urls: Sequence[str]) -> None:
    """Point every artifactLocation made from a probed URL at that URL (absolute, no uriBaseId)."""
    from flask_preflight.report.sarif import artifact_uri

    mangled = {}
    for url in urls:
        uri, relative = artifact_uri(url)
        mangled[uri] = url
    run = log["runs"][0]

    def fix(physical: Dict[str, Any]) -> None:
        art = physical.get("artifactLocation") or {}
        url = mangled.get(art.get("uri"))
        if url is not None:
            physical["artifactLocation"] = {"uri": url_uri(url)}

    for res in run.get("results", []):
        for loc in res.get("locations", []):
            fix(loc.get("physicalLocation", {}))
        for loc in res.get("relatedLocations", []):
            fix(loc.get("physicalLocation", {}))
    for inv in run.get("invocations", []):
        for note in inv.get("toolExecutionNotifications", []):
            for loc in note.get("locations", []):
                fix(loc.get("physicalLocation", {}))


# ---- JSON -------------------------------------------------------------------------------------------------


def probe_data(reports: Sequence[TargetReport], *, insecure: bool, timeout: float) -> Dict[str, Any]:
    return {
        "insecure": insecure,
        "timeout": timeout,
        "graded": not withheld_reason(reports),
        "grade_withheld": withheld_reason(reports) or None,
        "request_plan": list(REQUEST_PLAN),
        "targets": [target_data(r) for r in reports],
    }


def target_data(r: TargetReport) -> Dict[str, Any]:
    obs = r.observation
    main = obs.main
    g = r.grade
    return {
        "url": r.url,
        "probed": r.probed,
        "grade": g.letter if g else "-",
        "score": g.score if g else None,
        "deductions": g.to_dict()["deductions"] if g else [],
        "final_url": main.final.url if main is not None and main.final is not None else None,
        "redirects": [{"url": h.url, "status": h.status, "location": h.location}
                      for h in (main.redirects if main is not None else [])],
        "requests": [{"request": ex.label, "url": ex.shown, "status": ex.status, "error": ex.error}
                     for ex in obs.exchanges()],
        "requests_sent": r.requests_sent,
        "seconds": round(r.seconds, 3),
        "tls_verified": not obs.insecure,
        "session_cookies": [{"name": c.cookie.name, "payload_keys": c.cookie.keys,
                             "candidates_tested": c.tested, "search_complete": c.complete,
                             "seconds": round(c.seconds, 3), "forgeable": c.key is not None} for c in r.cracks],
        "session_cookies_untested": list(r.analysis.untested_cookies),
        "failed_checks": list(r.failed),
        "notes": list(r.notes),
    }


# ---- text -------------------------------------------------------------------------------------------------


def render_text(result: ScanResult, reports: Sequence[TargetReport], *, color: bool = False,
                statistics: bool = False, insecure: bool = False) -> str:
    from flask_preflight.report import ordered
    from flask_preflight.report.text import _statistics_table, escape, format_finding, _styler

    style = _styler(color)
    findings, problems = ordered(result)
    sections: List[str] = []
    for f in findings:
        block = format_finding(f, color=color)
        prefix = f"{escape(f.location.path)}:{f.location.line}:{f.location.column}: "
        if block.startswith(prefix):
            block = f"{escape(f.location.path)}: " + block[len(prefix):]
        if f.evidence:
            block += f"\n  = evidence: {escape(f.evidence)}"
        sections.append(block)
    if problems:
        sections.append("\n".join(f"{escape(p.path)}: {style('error', fg='red', bold=True)}: {escape(p.reason)}"
                                  for p in problems))
    sections.append(summary_line(result))
    if statistics and (findings or result.suppressed_by_rule):
        sections.append(_statistics_table(findings, style, result.suppressed_by_rule))
    sections.append(summary_table(reports, color=color, insecure=insecure))
    return "\n\n".join(sections) + "\n"


def summary_line(result: ScanResult) -> str:
    return text_summary_line(result, "URL", ("URL was not (fully) probed", "URLs were not (fully) probed"))


def summary_table(reports: Sequence[TargetReport], *, color: bool = False, insecure: bool = False) -> str:
    from flask_preflight.report.text import _SEVERITY_STYLE, _styler, escape

    style = _styler(color)
    head = "Probe summary"
    if insecure:
        head += " - TLS certificates were NOT verified (--insecure)"
    lines = [style(head, bold=True)]
    withheld = withheld_reason(reports)
    if withheld:
        lines.append(f"  no grades: {escape(withheld)}")
    width = max((len(escape(r.url)) for r in reports), default=0)
    for r in reports:
        g = r.grade
        if g is None or g.score is None:
            grade_text = "not graded"
        else:
            grade_text = f"grade {g.letter:<2}  {g.score:>3}/100"
        lines.append(f"  {escape(r.url):<{width}}  {style(grade_text, bold=True)}   "
                     f"{r.requests_sent} request{'s' if r.requests_sent != 1 else ''}, {r.seconds:.2f} s")
        if g is not None:
            for f, points in g.costs:
                lines.append(f"    -{points:<3} {f.rule_id}  {f.rule_name} "
                             f"{style('[' + f.severity.value + ']', **_SEVERITY_STYLE[f.severity])}")
        main = r.observation.main
        if main is not None and main.redirects:
            hops = " -> ".join(f"{h.status} {escape(h.location)}" for h in main.redirects)
            lines.append(f"    redirects: {escape(r.url)} -> {hops} -> {main.status}")
        for c in r.cracks:
            keys = c.cookie.keys_text if c.cookie.unreadable else (", ".join(c.cookie.keys) if c.cookie.keys else "-")
            verdict = ("signed with a KNOWN key" if c.key is not None else
                       f"not signed with any of {c.tested:,} known keys" if c.complete else
                       f"NOT fully tested: the search stopped at the time limit after {c.tested:,} keys")
            lines.append(f"    session cookie `{escape(c.cookie.name)}` (payload keys: {escape(keys)}): {verdict} "
                         f"({c.seconds:.2f} s)")
        if r.analysis.untested_cookies:
            n = len(r.analysis.untested_cookies)
            lines.append(f"    {n} more signed cookie{'s' if n != 1 else ''} not tested (at most "
                         f"{MAX_SESSION_COOKIES} per URL)")
        for note in r.notes:
            lines.append(f"    note: {escape(note)}")
    return "\n".join(lines)
