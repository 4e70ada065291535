"""The rule registry: one record per rule, shared by every mode and reporter.

A rule's id is forever; its kebab-case name may be used anywhere an id is accepted (``--select``,
``# preflight: ignore[...]``). Detection code lives with the analyzer named in ``implemented_in``;
tests live in ``tests/rules/test_<id>_*.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

from flask_preflight.findings import Finding, Location, Severity

MODES = ("check", "inspect", "probe", "serve")

_ID_RE = re.compile(r"^PF\d{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

OWASP_A05 = "A05:2021-Security Misconfiguration"
OWASP_A02 = "A02:2021-Cryptographic Failures"
OWASP_A04 = "A04:2021-Insecure Design"
OWASP_A07 = "A07:2021-Identification and Authentication Failures"
OWASP_A01 = "A01:2021-Broken Access Control"

#: Where each rule's documentation lives (``#pf101`` anchors); every report that links a rule uses this.
DOCS_URL = "https://github.com/flask-preflight/flask-preflight/blob/main/docs/rules.md"


def docs_url(rule_id: str) -> str:
    """The documentation link of a rule id (the same link SARIF's helpUri, the text help line and the CI
    annotations give, so they cannot disagree)."""
    return f"{DOCS_URL}#{rule_id.lower()}"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    bad: str
    good: str
    fix_hint: str
    cwe: Tuple[int, ...] = ()
    owasp: Tuple[str, ...] = ()
    modes: FrozenSet[str] = field(default_factory=lambda: frozenset({"check"}))
    implemented_in: str = ""

    def finding(self, message: str, location: Location, *, severity: Optional[Severity] = None,
                snippet: str = "", evidence: str = "", fix_hint: Optional[str] = None,
                related: Iterable[Location] = ()) -> Finding:
        """Build a Finding carrying this rule's identity, so ids and names never drift apart."""
        return Finding(
            rule_id=self.id,
            rule_name=self.name,
            severity=severity or self.severity,
            message=message,
            location=location,
            snippet=snippet,
            fix_hint=self.fix_hint if fix_hint is None else fix_hint,
            evidence=evidence,
            related=tuple(related),
        )

    @property
    def cwe_tags(self) -> List[str]:
        return [f"CWE-{n}" for n in self.cwe]

    @property
    def tests_glob(self) -> str:
        return f"tests/rules/test_{self.id.lower()}_*.py"

    def docs(self) -> str:
        """Plain-text documentation, as printed by ``flask-preflight rule ID``."""
        lines = [f"{self.id} {self.name}", "", self.summary, "",
                 f"Severity: {self.severity.value} (default)",
                 f"Modes: {', '.join(m for m in MODES if m in self.modes)}"]
        if self.cwe:
            lines.append(f"CWE: {', '.join(self.cwe_tags)}")
        if self.owasp:
            lines.append(f"OWASP Top 10: {', '.join(self.owasp)}")
        lines += ["", "Why this matters", "", self.rationale, "", "Bad:", "",
                  _indent(self.bad), "", "Good:", "", _indent(self.good), "",
                  f"How to fix: {self.fix_hint}"]
        if self.implemented_in:
            lines += ["", f"Implemented in: {self.implemented_in}", f"Tests: {self.tests_glob}"]
        return "\n".join(lines)

    def to_dict(self) -> Dict[str, object]:
        return {
            "id": self.id, "name": self.name, "severity": self.severity.value, "summary": self.summary,
            "rationale": self.rationale, "bad": self.bad, "good": self.good, "fix_hint": self.fix_hint,
            "cwe": self.cwe_tags, "owasp": list(self.owasp),
            "modes": [m for m in MODES if m in self.modes], "implemented_in": self.implemented_in,
        }


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.strip("\n").splitlines())


class Registry:
    """Ids and names both resolve; registering a duplicate or malformed rule is a programming error."""

    def __init__(self) -> None:
        self._by_id: Dict[str, Rule] = {}
        self._by_name: Dict[str, Rule] = {}

    def register(self, rule: Rule) -> Rule:
        if not _ID_RE.match(rule.id):
            raise ValueError(f"bad rule id {rule.id!r}")
        if not _NAME_RE.match(rule.name):
            raise ValueError(f"rule name must be kebab-case: {rule.name!r}")
        if rule.id in self._by_id or rule.name in self._by_name:
            raise ValueError(f"duplicate rule {rule.id} {rule.name}")
        unknown = set(rule.modes) - set(MODES)
        if unknown:
            raise ValueError(f"{rule.id}: unknown modes {sorted(unknown)}")
        self._by_id[rule.id] = rule
        self._by_name[rule.name] = rule
        return rule

    def get(self, key: str) -> Optional[Rule]:
        key = key.strip()
        return self._by_id.get(key.upper()) or self._by_name.get(key.lower())

    def __getitem__(self, key: str) -> Rule:
        rule = self.get(key)
        if rule is None:
            raise KeyError(key)
        return rule

    def __iter__(self):
        return iter(sorted(self._by_id.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def expand(self, selector: str) -> List[Rule]:
        """A selector is an id, a name, an id prefix (``PF1``) or ``ALL``; unknown selectors raise."""
        sel = selector.strip()
        if sel.upper() == "ALL":
            return list(self)
        rule = self.get(sel)
        if rule is not None:
            return [rule]
        if re.fullmatch(r"PF\d{0,2}", sel.upper()):
            matched = [r for r in self if r.id.startswith(sel.upper())]
            if matched:
                return matched
        raise ValueError(f"unknown rule selector {selector!r}")


REGISTRY = Registry()

# Rule packs register themselves on import; keep this list in id order.
from flask_preflight.rules import hygiene as _hygiene  # noqa: E402,F401
from flask_preflight.rules import debug as _debug  # noqa: E402,F401
from flask_preflight.rules import secrets as _secrets  # noqa: E402,F401
from flask_preflight.rules import errors as _errors  # noqa: E402,F401
from flask_preflight.rules import deploy as _deploy  # noqa: E402,F401
from flask_preflight.rules import runtime as _runtime  # noqa: E402,F401
from flask_preflight.rules import probe as _probe  # noqa: E402,F401
