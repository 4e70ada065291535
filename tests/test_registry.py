"""The registry is the single source of truth: every rule is complete, documented and tested."""

import re
from pathlib import Path

import pytest

from flask_preflight import docs
from flask_preflight.findings import Severity
from flask_preflight.rules import MODES, REGISTRY, Registry, Rule

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("rule", list(REGISTRY), ids=lambda r: r.id)
def test_rule_is_complete(rule: Rule):
    assert re.fullmatch(r"PF\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert isinstance(rule.severity, Severity)
    assert rule.summary and rule.rationale and rule.bad.strip() and rule.good.strip() and rule.fix_hint
    if rule.id.startswith("PF0"):  # the tool's own hygiene (PF001 unused-suppression): no weakness behind it
        assert not rule.cwe and not rule.owasp and rule.severity is Severity.LOW
    else:
        assert rule.cwe and rule.owasp
    assert rule.modes and set(rule.modes) <= set(MODES)
    assert (ROOT / rule.implemented_in).is_file()
    tests = list((ROOT / "tests" / "rules").glob(f"test_{rule.id.lower()}_*.py"))
    assert tests, f"no tests for {rule.id}"
    assert tests[0].name == f"test_{rule.id.lower()}_{rule.name.replace('-', '_')}.py"


def test_pf101_to_pf105_are_registered_with_fixed_names():
    assert {r.id: r.name for r in REGISTRY if r.id.startswith("PF1")} == {
        "PF101": "debug-mode-enabled",
        "PF102": "unguarded-app-run",
        "PF103": "dev-server-public-bind",
        "PF104": "werkzeug-debugger-enabled",
        "PF105": "debug-fail-open-default",
    }
    assert REGISTRY["PF104"].severity is Severity.CRITICAL


def test_lookup_by_id_name_and_prefix():
    assert REGISTRY.get("pf101") is REGISTRY.get("debug-mode-enabled")
    assert [r.id for r in REGISTRY.expand("PF10")] == ["PF101", "PF102", "PF103", "PF104", "PF105"]
    with pytest.raises(ValueError):
        REGISTRY.expand("PF999")


def test_registry_rejects_duplicates_and_bad_names():
    reg = Registry()
    rule = REGISTRY["PF101"]
    reg.register(rule)
    with pytest.raises(ValueError):
        reg.register(rule)
    with pytest.raises(ValueError):
        reg.register(Rule(**{**rule.__dict__, "id": "PF900", "name": "Not_Kebab"}))


def test_docs_rules_index_is_generated_from_the_registry():
    """docs/rules.md is the rules index (tests/test_docs_site.py checks every generated page)."""
    index = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert index == docs.rules_index(), "run `python -m flask_preflight.docs` to regenerate"
    for rule in REGISTRY:
        assert f"| <a id=\"{rule.id.lower()}\"></a>[{rule.id}](rules/{rule.id.lower()}.md) | `{rule.name}` |" in index
