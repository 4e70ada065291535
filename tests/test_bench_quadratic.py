"""benchmarks/bench_quadratic.py at a tiny size: every case runs, checks its own answer and prints its
growth line; the verdict is checked on known times. No timing is asserted here."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_quadratic.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_quadratic", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_case_runs_and_is_right_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--sizes", "20,40", "--repeat", "1", "--max-ratio", "1000",
                           "--json", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert sorted(report) == sorted(_load().CASES)
    for name, row in report.items():
        assert row["sizes"] == [20, 40] and len(row["seconds"]) == 2 and len(row["ratios"]) == 1, name
        assert f"{name} " in proc.stdout


def test_growth_verdict_on_known_times() -> None:
    """Doubling sizes: linear times grow x2 per step, quadratic x4; one noisy step does not decide."""
    bench = _load()
    ratios, growth, superlinear = bench.growth_of([1.0, 2.0, 4.0, 8.0], 3.0)
    assert ratios == [2.0, 2.0, 2.0] and abs(growth - 2.0) < 1e-9 and not superlinear
    ratios, growth, superlinear = bench.growth_of([1.0, 4.0, 16.0, 64.0], 3.0)
    assert ratios == [4.0, 4.0, 4.0] and abs(growth - 4.0) < 1e-9 and superlinear
    ratios, growth, superlinear = bench.growth_of([1.0, 3.5, 5.0, 8.0], 3.0)  # a noisy first step
    assert ratios[0] == 3.5 and abs(growth - 2.0) < 1e-9 and not superlinear


def test_a_wrong_answer_exits_2() -> None:
    bench = _load()

    def wrong(size: int):
        return (lambda: size), (lambda _result: False)

    bench.CASES["wrong"] = wrong
    assert bench.main(["--sizes", "20,40", "--repeat", "1", "--case", "wrong"]) == 2
