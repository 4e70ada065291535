"""The one result type every mode (check, inspect, probe, serve) produces and every reporter consumes."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Optional, Tuple

if TYPE_CHECKING:
    from flask_preflight.baseline import Outcome


class Severity(str, enum.Enum):
    """Ordered severities; ``rank`` makes threshold comparisons explicit instead of relying on names."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: "Severity") -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {choices})") from None


_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


@dataclass(frozen=True)
class Location:
    """A span in a file; lines and columns are 1-based, end column exclusive (like SARIF)."""

    path: str
    line: int = 1
    column: int = 1
    end_line: Optional[int] = None
    end_column: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_column if self.end_column is not None else self.column,
        }


@dataclass(frozen=True)
class Finding:
    """One problem at one place.

    ``snippet`` is the offending source text (the whole lines of the span) so reports stay readable
    after the file changes; ``related`` points at other places that make the finding true (the config
    class that sets DEBUG, the module that calls ``app.run``).
    """

    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    location: Location
    snippet: str = ""
    fix_hint: str = ""
    evidence: str = ""
    related: Tuple[Location, ...] = ()

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def fingerprint(self) -> str:
        """Stable across line moves: rule, file and the normalised offending text (not the line number)."""
        text = " ".join(self.snippet.split()) or self.evidence
        raw = "\x00".join((self.rule_id, self.location.path.replace("\\", "/"), text))
        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.column, self.rule_id)

    def to_dict(self) -> Dict[str, Any]:
        loc = self.location.to_dict()
        return {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity.value,
            "message": self.message,
            "path": loc["path"],
            "line": loc["line"],
            "column": loc["column"],
            "end_line": loc["end_line"],
            "end_column": loc["end_column"],
            "snippet": self.snippet,
            "fix_hint": self.fix_hint,
            "evidence": self.evidence,
            "related": [r.to_dict() for r in self.related],
            "fingerprint": self.fingerprint(),
        }


class ProblemKind(str, enum.Enum):
    """Why a file could not be analysed; each one is reported, never silently skipped."""

    SYNTAX_ERROR = "syntax-error"
    DECODE_ERROR = "decode-error"
    BINARY = "binary-file"
    TOO_LARGE = "file-too-large"
    UNREADABLE = "unreadable"
    SYMLINK_LOOP = "symlink-loop"
    BROKEN_SYMLINK = "broken-symlink"
    NOT_FOUND = "not-found"
    TOO_COMPLEX = "too-complex"
    INTERNAL_ERROR = "internal-error"
    IMPORT_ERROR = "import-error"  # inspect: the app could not be imported or found
    TIMEOUT = "timeout"  # inspect: loading or checking the app did not finish in time
    SYMLINK_OUTSIDE = "symlink-outside"  # check: a link out of the scanned directory, not followed
    NOTHING_CHECKED = "nothing-checked"  # check: a directory with files, none of them checked
    GIT_UNAVAILABLE = "git-unavailable"  # check: git could not list tracked files that .gitignore hides
    CACHE_REFUSED = "cache-refused"  # check: the cache path is a symlink or not a directory; run without it


#: Problems about the run as a whole rather than one file: the summary names them instead of counting files.
RUN_PROBLEMS = frozenset({ProblemKind.NOTHING_CHECKED, ProblemKind.GIT_UNAVAILABLE, ProblemKind.CACHE_REFUSED})


@dataclass(frozen=True)
class Problem:
    """A file (or path argument) the run could not analyse."""

    path: str
    kind: ProblemKind
    reason: str
    line: Optional[int] = None
    column: Optional[int] = None

    def describe(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.kind.value}: {self.reason}"

    def to_dict(self) -> Dict[str, Any]:
        return {"path": self.path, "kind": self.kind.value, "reason": self.reason,
                "line": self.line, "column": self.column}


@dataclass
class ScanResult:
    """Everything one run produced; reporters need nothing else."""

    findings: List[Finding] = field(default_factory=list)
    problems: List[Problem] = field(default_factory=list)
    files_scanned: int = 0
    suppressed: int = 0
    suppressed_by_rule: Dict[str, int] = field(default_factory=dict)  # inline suppressions per rule id
    excluded: int = 0  # files and directories the exclude/extend-exclude settings kept out of the walk
    # non-Python files the checks read (Jinja templates) -> content digest: a cached result holds only while
    # they are unchanged
    reads: Dict[str, str] = field(default_factory=dict)
    # Set by each run, never cached or reported (init=False keeps them out of the cache codec): the display
    # paths of the files the run checked, and what ``--baseline`` hid (flask_preflight/baseline.py).
    checked: FrozenSet[str] = field(init=False, default_factory=frozenset, repr=False, compare=False)
    baseline: Optional["Outcome"] = field(init=False, default=None, repr=False, compare=False)

    def sorted(self) -> "ScanResult":
        self.findings.sort(key=Finding.sort_key)
        self.problems.sort(key=lambda p: (p.path, p.line or 0))
        return self

    def counts_by_severity(self) -> Dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def counts_by_rule(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for f in self.findings:
            counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
        return dict(sorted(counts.items()))
