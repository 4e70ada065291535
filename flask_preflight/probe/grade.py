"""A-F grade per probed URL, in the spirit of the MDN HTTP Observatory.

Scale: start at 100 and subtract, for every finding reported for the URL (after --select/--ignore), the
points of its severity - critical 50, high 20, medium 10, low 5 - with a floor of 0. The letter follows
the Observatory's table (score rounded down to a multiple of 5): 100 A+, 90-95 A, 85 A-, 80 B+, 70-75 B,
65 B-, 60 C+, 50-55 C, 45 C-, 40 D+, 30-35 D, 25 D-, below 25 F. Any critical finding (debugger exposed,
forgeable session) makes the grade F whatever the score: a site anyone can take over is not a "C".
Unlike the Observatory there is no extra credit. A URL that could not be probed at all gets no grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from flask_preflight.findings import Finding, Severity

POINTS = {Severity.CRITICAL: 50, Severity.HIGH: 20, Severity.MEDIUM: 10, Severity.LOW: 5}
LETTERS: Tuple[Tuple[int, str], ...] = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"), (45, "C-"),
    (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
)


@dataclass
class Grade:
    score: Optional[int]                      # None: not graded (the URL could not be probed)
    letter: str
    costs: List[Tuple[Finding, int]] = field(default_factory=list)   # each finding with the points it cost

    def to_dict(self) -> dict:
        return {"score": self.score, "grade": self.letter,
                "deductions": [{"rule_id": f.rule_id, "rule_name": f.rule_name, "severity": f.severity.value,
                                "points": p} for f, p in self.costs]}


def letter_for(score: int) -> str:
    # Every floor is a multiple of 5, so comparing the score itself is comparing it rounded down to one; a
    # score over 100 is an A+ and one under 0 (not produced by grade()) an F.
    for floor, letter in LETTERS:
        if score >= floor:
            return letter
    return "F"


def grade(findings: Sequence[Finding], *, probed: bool = True) -> Grade:
    if not probed:
        return Grade(None, "-")
    costs = [(f, POINTS[f.severity]) for f in sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id))]
    score = max(0, 100 - sum(p for _, p in costs))
    letter = "F" if any(f.severity is Severity.CRITICAL for f in findings) else letter_for(score)
    return Grade(score, letter, costs)
