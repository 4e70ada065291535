"""Machine-readable output with a versioned schema, and a loader that reads it back.

Schema (``schema_version`` 1; additions are backwards compatible, anything else bumps the version)::

    {
      "schema_version": 1,
      "tool": {"name": "flask-preflight", "version": "<tool version>"},
      "summary": {
        "files_scanned": int, "findings": int, "suppressed": int,
        "suppressed_by_rule": {"PF101": int, ...},  # inline `# preflight: ignore` suppressions per rule
        "excluded": int,                         # files and directories the exclude settings kept out
        "by_severity": {"critical": int, "high": int, "medium": int, "low": int},
        "by_rule": {"PF101": int, ...},          # only rules with findings, sorted by id
        "incomplete": bool,                      # true when some file could not be analysed
        "baseline": null | {                     # `check --baseline FILE` (docs/baseline.md)
          "path": str, "hidden": int,            # findings the baseline recorded, left out of "findings"
          "hidden_by_rule": {"PF101": int, ...},
          "stale": int,                          # entries this run would have matched but did not
          "stale_entries": [{"rule_id", "rule_name", "path", "fingerprint", "occurrence"}, ...]
        }
      },
      "findings": [Finding.to_dict(), ...],      # sorted by path, line, column, rule id
      "errors": [Problem.to_dict(), ...]         # sorted by path, line
    }

Lines and columns are 1-based; ``end_column`` is exclusive; ``fingerprint`` ignores the line number
so it can be used to match findings across runs.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import escape_surrogates, ordered

SCHEMA_VERSION = 1
TOOL_NAME = "flask-preflight"


def build_json_report(result: ScanResult, *, tool_version: str) -> Dict[str, Any]:
    """The report as plain data, for callers that want to embed it rather than print it."""
    findings, problems = ordered(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "summary": {
            "files_scanned": result.files_scanned,
            "findings": len(findings),
            "suppressed": result.suppressed,
            "suppressed_by_rule": dict(sorted(result.suppressed_by_rule.items())),
            "excluded": result.excluded,
            "by_severity": result.counts_by_severity(),
            "by_rule": result.counts_by_rule(),
            "incomplete": bool(problems),
            "baseline": _baseline(result),
        },
        "findings": [f.to_dict() for f in findings],
        "errors": [p.to_dict() for p in problems],
    }


def _baseline(result: ScanResult) -> Optional[Dict[str, Any]]:
    outcome = result.baseline
    if outcome is None:
        return None
    return {"path": outcome.path, "hidden": len(outcome.hidden), "hidden_by_rule": outcome.hidden_by_rule(),
            "stale": len(outcome.stale), "stale_entries": [e.to_dict() for e in outcome.stale]}


def render_json(result: ScanResult, *, tool_version: str) -> str:
    """Indented UTF-8 JSON ending in a newline; always encodable even if paths held undecodable bytes."""
    text = json.dumps(build_json_report(result, tool_version=tool_version), indent=2, ensure_ascii=False)
    return escape_surrogates(text) + "\n"


def load_json_report(text: str) -> ScanResult:
    """Rebuild a ScanResult from :func:`render_json` output (baselines, merging, round-trip tests).

    Locations come back with explicit ends (``to_dict`` fills a missing end with the start), and the
    stored fingerprint is not trusted: it is recomputed from the data. Malformed input raises ValueError.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a flask-preflight JSON report: {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        version = data.get("schema_version") if isinstance(data, dict) else None
        raise ValueError(f"unsupported flask-preflight JSON report schema_version {version!r} "
                         f"(expected {SCHEMA_VERSION})")
    try:
        summary = data.get("summary") or {}
        return ScanResult(
            findings=[_finding(d) for d in data.get("findings", [])],
            problems=[_problem(d) for d in data.get("errors", [])],
            files_scanned=int(summary.get("files_scanned", 0)),
            suppressed=int(summary.get("suppressed", 0)),
            suppressed_by_rule={str(k): int(v) for k, v in (summary.get("suppressed_by_rule") or {}).items()},
            excluded=int(summary.get("excluded", 0)),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"malformed flask-preflight JSON report: {exc!r}") from None


def _location(d: Dict[str, Any]) -> Location:
    return Location(path=d["path"], line=int(d["line"]), column=int(d["column"]),
                    end_line=_opt_int(d.get("end_line")), end_column=_opt_int(d.get("end_column")))


def _finding(d: Dict[str, Any]) -> Finding:
    return Finding(
        rule_id=d["rule_id"],
        rule_name=d["rule_name"],
        severity=Severity(d["severity"]),
        message=d["message"],
        location=_location(d),
        snippet=d.get("snippet", ""),
        fix_hint=d.get("fix_hint", ""),
        evidence=d.get("evidence", ""),
        related=tuple(_location(r) for r in d.get("related", [])),
    )


def _problem(d: Dict[str, Any]) -> Problem:
    return Problem(path=d["path"], kind=ProblemKind(d["kind"]), reason=d["reason"],
                   line=_opt_int(d.get("line")), column=_opt_int(d.get("column")))


def _opt_int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


__all__: List[str] = ["SCHEMA_VERSION", "build_json_report", "render_json", "load_json_report"]
