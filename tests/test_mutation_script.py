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
    assert rows["flask_preflight/serve/options.py"][:4] == ["9", "10", "0.90", "exact"]
    assert " ".join(rows["flask_preflight/serve/options.py"][4:]) == "all mutants of 1 of 1 modules"
    assert rows["flask_preflight/probe"][:4] == ["3", "4", "0.75", "exact"]
    assert rows["flask_preflight/probe"][4:7] == ["all", "mutants", "of"] and rows["flask_preflight/probe"][7] == "1"
    assert rows["flask_preflight/static"][:4] == ["0", "0", "-", "-"]
    assert status == 1  # packages not measured / under the goal


def _sample_record(killed: int, survived: int) -> dict:
    return {"module": "flask_preflight/static", "killed": killed, "survived": survived, "population": 32000,
            "sample": killed + survived, "seed": 1,
            "interval": None}


def test_a_sampled_package_speaks_for_the_package_and_passes_only_on_its_lower_bound(mutation, tmp_path: Path,
                                                                                    monkeypatch) -> None:
    monkeypatch.setattr(mutation, "RESULTS", tmp_path)
    monkeypatch.setattr(mutation, "PACKAGES", ("flask_preflight/static",))
    # An exhaustive module run that alone would pass; the sample is what the package row reports.
    (tmp_path / "flask_preflight.static.gitignore.json").write_text(json.dumps(
        {"module": "flask_preflight/static/gitignore.py", "killed": 10, "survived": 0}))
    record = _sample_record(340, 60)  # 0.85, interval about 0.81-0.88
    record["interval"] = list(mutation.wilson_interval(340, 400))
    mutation.sample_path("flask_preflight/static").write_text(json.dumps(record))
    (row,) = mutation.package_scores()
    assert row.modules_run == 1 and (row.killed, row.total) == (10, 10)
    assert row.measured()[:2] == (340, 400)
    assert row.meets_goal()
    assert row.method() == "random sample of 400 of 32000 (seed 1)"
    assert "| `flask_preflight/static` | random sample of 400 of 32000 (seed 1) | 340 | 400 | 0.85 | 0.81–0.88 |" \
        in mutation.readme_table()
    # 0.82 observed, but the lower bound (about 0.78) is under the goal: not met.
    record = _sample_record(328, 72)
    record["interval"] = list(mutation.wilson_interval(328, 400))
    mutation.sample_path("flask_preflight/static").write_text(json.dumps(record))
    assert not mutation.package_scores()[0].meets_goal()


def test_wilson_interval(mutation) -> None:
    assert mutation.wilson_interval(0, 0) == (0.0, 1.0)
    low, high = mutation.wilson_interval(340, 400)
    assert (low, high) == (0.8117, 0.8817)  # by hand: centre 0.8467, half-width 0.0350
    assert mutation.wilson_interval(400, 400)[1] == 1.0 and mutation.wilson_interval(400, 400)[0] == 0.9905
    assert mutation.wilson_interval(0, 50)[0] == 0.0


def test_draw_sample_is_reproducible_and_independent_of_input_order(mutation) -> None:
    names = [f"m{i}" for i in range(1000)]
    first = mutation.draw_sample(names, 50, seed=7)
    assert first == mutation.draw_sample(list(reversed(names)), 50, seed=7)
    assert len(first) == 50 and len(set(first)) == 50 and set(first) <= set(names)
    assert first != mutation.draw_sample(names, 50, seed=8)
    assert mutation.draw_sample(names[:10], 50, seed=7) == sorted(names[:10])


def test_tests_for_package_expands_globs_in_order(mutation) -> None:
    tests = mutation.tests_for_package("flask_preflight/static")
    assert "tests/rules/test_pf101_debug_mode_enabled.py" in tests
    assert "tests/deploy/test_dockerfile.py" in tests
    assert not any(t.startswith("tests/rules/test_pf5") or t.startswith("tests/rules/test_pf6") for t in tests)
    assert len(tests) == len(set(tests))
    runtime = mutation.tests_for_package("flask_preflight/runtime")
    assert "tests/runtime/test_checks.py" in runtime and all("pf1" not in t for t in runtime)


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
    assert "| `flask_preflight/serve/options.py` | all mutants of 1 of 1 modules | 9 | 10 | 0.90 | exact |" in text
    assert "| `flask_preflight/probe` | all mutants of 0 of " in text and "old" not in text


def test_the_report_table_lives_in_the_testing_page(mutation) -> None:
    """``--report --readme`` rewrites docs/internals/testing.md, where the table moved from the README; the
    README no longer holds the markers, so a rewrite cannot land there."""
    root = Path(mutation.__file__).resolve().parents[1]
    assert mutation.REPORT_PAGE == root / "docs" / "internals" / "testing.md"
    assert mutation.update_readme.__defaults__ == (mutation.REPORT_PAGE,)
    page = mutation.REPORT_PAGE.read_text(encoding="utf-8")
    assert page.count(mutation.README_START) == 1 and page.count(mutation.README_END) == 1
    assert page.index(mutation.README_START) < page.index(mutation.README_END)
    assert "| package | measured on |" in page.split(mutation.README_START, 1)[1].split(mutation.README_END)[0]
    assert mutation.README_START not in (root / "README.md").read_text(encoding="utf-8")
