"""The A-F grade of a probed URL: the letter table at and between its floors, out-of-range scores, and the
exact shape of ``Grade.to_dict`` (the JSON report's ``grade`` object)."""

import pytest

from flask_preflight.findings import Location, Severity
from flask_preflight.probe.grade import Grade, grade, letter_for
from flask_preflight.rules import REGISTRY

LOC = Location("https://x/", 1)


@pytest.mark.parametrize("score,letter", [
    (1000, "A+"), (101, "A+"), (100, "A+"), (99, "A"), (94, "A"), (89, "A-"), (84, "B+"), (79, "B"),
    (69, "B-"), (64, "C+"), (59, "C"), (49, "C-"), (44, "D+"), (39, "D"), (29, "D-"), (24, "F"), (4, "F"),
    (1, "F"), (0, "F"), (-1, "F"), (-100, "F"),
])
def test_letter_between_floors_rounds_down_and_out_of_range_scores_clamp(score, letter):
    assert letter_for(score) == letter


def test_to_dict_is_score_letter_and_each_deduction():
    high = REGISTRY["PF604"].finding("m", LOC)
    low = REGISTRY["PF510"].finding("m", LOC)
    assert grade([low, high]).to_dict() == {
        "score": 75, "grade": "B",
        "deductions": [
            {"rule_id": "PF604", "rule_name": "hsts-missing", "severity": "high", "points": 20},
            {"rule_id": "PF510", "rule_name": REGISTRY["PF510"].name, "severity": "low", "points": 5},
        ],
    }
    assert grade([], probed=False).to_dict() == {"score": None, "grade": "-", "deductions": []}
    assert Grade(100, "A+").to_dict() == {"score": 100, "grade": "A+", "deductions": []}


def test_critical_is_f_whatever_the_score_and_costs_sort_by_severity_then_rule():
    crit = REGISTRY["PF602"].finding("m", LOC)
    medium = REGISTRY["PF506"].finding("m", LOC, severity=Severity.MEDIUM)
    low = REGISTRY["PF510"].finding("m", LOC)
    g = grade([low, medium, crit])
    assert (g.score, g.letter) == (35, "F")
    assert [(f.rule_id, p) for f, p in g.costs] == [("PF602", 50), ("PF506", 10), ("PF510", 5)]
    assert grade([medium, medium]).letter == "B+"
    assert grade([]).to_dict() == {"score": 100, "grade": "A+", "deductions": []}
