"""scripts/mutation.py: parsing mutmut's results, the score with equivalent mutants left out, the per-package report."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "mutation.py"


@pytest.fixture(scope="module")
def mutation():
    spec = importlib.util.spec_from_file_location("mutation_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RESULTS = """\
    pkg.mod.x_f__mutmut_1: killed
    pkg.mod.x_f__mutmut_2: survived
    pkg.mod.x_f__mutmut_3: timeout
    pkg.mod.xǁCǁm__mutmut_1: no tests
    pkg.mod.xǁCǁm__mutmut_2: survived
noise line
"""


def test_parse_results(mutation) -> None:
    assert mutation.parse_results(RESULTS) == {
        "pkg.mod.x_f__mutmut_1": "killed",
        "pkg.mod.x_f__mutmut_2": "survived",
        "pkg.mod.x_f__mutmut_3": "timeout",
        "pkg.mod.xǁCǁm__mutmut_1": "no tests",
        "pkg.mod.xǁCǁm__mutmut_2": "survived",
    }


def test_summarise_counts_timeouts_as_killed_and_drops_equivalents(mutation) -> None:
    statuses = mutation.parse_results(RESULTS)
    record = mutation.summarise("pkg/mod.py", ["tests/t.py"], statuses, {"pkg.mod.xǁCǁm__mutmut_2": "same"},
                                {"pkg.mod.x_f__mutmut_2": "-a\n+b"})
    assert (record["mutants"], record["killed"], record["survived"]) == (5, 2, 2)
    assert record["score"] == 0.5
    assert record["equivalent"] == ["pkg.mod.xǁCǁm__mutmut_2"]
    assert [s["mutant"] for s in record["survivors"]] == ["pkg.mod.x_f__mutmut_2", "pkg.mod.xǁCǁm__mutmut_1"]
    assert record["survivors"][0]["diff"] == "-a\n+b"


def test_report_per_package(mutation, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(mutation, "RESULTS", tmp_path)
    (tmp_path / "flask_preflight.serve.options.json").write_text(json.dumps(
        {"module": "flask_preflight/serve/options.py", "killed": 9, "survived": 1}))
    (tmp_path / "flask_preflight.probe.decoding.json").write_text(json.dumps(
        {"module": "flask_preflight/probe/decoding.py", "killed": 3, "survived": 1}))
    status = mutation.report()
    out = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in out[1:]}
    assert rows["flask_preflight/serve/options.py"] == ["1", "1", "9", "10", "0.90"]
    assert rows["flask_preflight/probe"][0] == "1" and rows["flask_preflight/probe"][2:] == ["3", "4", "0.75"]
    assert rows["flask_preflight/static"][2:] == ["0", "0", "-"]
    assert status == 1  # packages not measured / under the goal


def test_package_of(mutation) -> None:
    assert mutation.package_of("flask_preflight/static/python/debug.py") == "flask_preflight/static"
    assert mutation.package_of("flask_preflight/serve/options.py") == "flask_preflight/serve/options.py"
    assert mutation.package_of("flask_preflight/serve/gate.py") is None


def test_readme_table_is_rewritten_between_the_markers(mutation, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(mutation, "RESULTS", tmp_path)
    (tmp_path / "flask_preflight.serve.options.json").write_text(json.dumps(
        {"module": "flask_preflight/serve/options.py", "killed": 9, "survived": 1}))
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- mutation-report -->\nold\n<!-- /mutation-report -->\nafter\n")
    mutation.update_readme(readme)
    text = readme.read_text()
    assert text.startswith("before\n<!-- mutation-report -->\n| package |") and text.endswith("<!-- /mutation-report -->\nafter\n")
    assert "| `flask_preflight/serve/options.py` | 1 of 1 | 9 | 10 | 0.90 |" in text
    assert "| `flask_preflight/probe` | 0 of " in text and "old" not in text
