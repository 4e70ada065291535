"""Which ``inspect`` findings keep ``serve`` from starting.

A finding of severity ``high`` or ``critical`` blocks, and so does PF502 (no SECRET_KEY) at any
severity: a production server without a key fails on the first login. ``--allow`` lets named rules
through, except debug mode (PF101) and the Werkzeug debugger (PF104): those are never served, and neither
the project's ``ignore`` list nor an inline suppression can change that, so they are judged on the
findings before any filtering. For every other rule the project's settings apply, as they do for
``inspect``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence

from flask_preflight.findings import Finding, ScanResult, Severity
from flask_preflight.rules import REGISTRY

NEVER_ALLOWED = {"PF101": "debug mode", "PF104": "the Werkzeug debugger"}
ALWAYS_BLOCKING = frozenset({"PF502"})
BLOCKING_SEVERITIES = frozenset({Severity.CRITICAL, Severity.HIGH})


class AllowError(ValueError):
    """``--allow`` names an unknown rule or one that can never be allowed (a usage error)."""


def parse_allow(values: Iterable[str]) -> FrozenSet[str]:
    """Rule ids from ``--allow`` values (ids, names or prefixes, comma-separated, as ``--ignore`` takes)."""
    ids = set()
    for value in values:
        for sel in (p.strip() for p in value.split(",")):
            if not sel:
                continue
            try:
                ids.update(r.id for r in REGISTRY.expand(sel))
            except ValueError as exc:
                raise AllowError(f"--allow {sel}: {exc}") from None
            never = sorted(i for i in ids if i in NEVER_ALLOWED)
            if never:
                what = " and ".join(NEVER_ALLOWED[i] for i in never)
                raise AllowError(f"--allow {sel}: {', '.join(never)} cannot be allowed: {what} "
                                 f"{'is' if len(never) == 1 else 'are'} never served")
    return frozenset(ids)


def blocks(finding: Finding) -> bool:
    return finding.severity in BLOCKING_SEVERITIES or finding.rule_id in ALWAYS_BLOCKING \
        or finding.rule_id in NEVER_ALLOWED


@dataclass
class Verdict:
    """The pre-start check's outcome: ``blocking`` stops the server, ``allowed`` would have without
    ``--allow``, ``other`` are reported and do not block."""

    result: ScanResult
    blocking: List[Finding] = field(default_factory=list)
    allowed: List[Finding] = field(default_factory=list)
    other: List[Finding] = field(default_factory=list)
    rss_bytes: Optional[int] = None


def judge(result: ScanResult, unfiltered: Sequence[Finding], allow: FrozenSet[str],
          rss_bytes: Optional[int] = None) -> Verdict:
    """Sort ``result``'s findings (after the project's settings) plus the never-allowed ones from
    ``unfiltered`` into blocking, allowed and other."""
    verdict = Verdict(result=result, rss_bytes=rss_bytes)
    seen = set()
    never = [f for f in unfiltered if f.rule_id in NEVER_ALLOWED]
    for f in list(never) + list(result.findings):
        key = (f.rule_id, f.location.path, f.location.line, f.message)
        if key in seen:
            continue
        seen.add(key)
        if not blocks(f):
            verdict.other.append(f)
        elif f.rule_id in allow and f.rule_id not in NEVER_ALLOWED:
            verdict.allowed.append(f)
        else:
            verdict.blocking.append(f)
    return verdict


def refusal_message(verdict: Verdict, target: str) -> str:
    """What serve prints when it will not start: every blocking finding with its place and fix, then
    how to proceed."""
    n = len(verdict.blocking)
    lines = [f"flask-preflight serve: refusing to start {target}: {n} blocking finding{'s' if n != 1 else ''}"]
    for f in verdict.blocking:
        lines.append("  " + _one(f))
        if f.fix_hint:
            lines.append(f"      fix: {f.fix_hint}")
    never = sorted({f.rule_id for f in verdict.blocking if f.rule_id in NEVER_ALLOWED})
    allowable = sorted({f.rule_id for f in verdict.blocking if f.rule_id not in NEVER_ALLOWED})
    if never:
        lines.append(f"{', '.join(never)} cannot be allowed: debug mode and the Werkzeug debugger are never served.")
    if allowable and never:
        lines.append(f"{', '.join(allowable)} can be let through with --allow after review, but only once "
                     f"{', '.join(never)} {'is' if len(never) == 1 else 'are'} fixed.")
    elif allowable:
        lines.append(f"After reviewing them, --allow {','.join(allowable)} starts the server anyway.")
    return "\n".join(lines)


def summary_lines(verdict: Verdict) -> List[str]:
    """Warnings printed when the server does start: what was allowed, and the lower-severity findings."""
    out = [f"flask-preflight serve: allowed by --allow: {_one(f)}" for f in verdict.allowed]
    if verdict.other:
        counts: Dict[str, int] = {}
        for f in verdict.other:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
        order = [s.value for s in Severity]
        text = ", ".join(f"{counts[s]} {s}" for s in order if s in counts)
        ids = ", ".join(sorted({f.rule_id for f in verdict.other}))
        out.append(f"flask-preflight serve: {len(verdict.other)} finding{'s' if len(verdict.other) != 1 else ''} "
                   f"that do not block ({text}: {ids}); `flask-preflight inspect` shows them")
    return out


def _one(f: Finding) -> str:
    rule: Any = REGISTRY.get(f.rule_id)
    name = f" {rule.name}" if rule is not None else ""
    where = f.location.path + (f":{f.location.line}" if f.location.line else "")
    return f"{f.rule_id}{name} ({f.severity.value}) {where}: {f.message}"
