"""benchmarks/bench_check.py and benchmarks/bench_memory.py, run for real on tiny inputs.

Smoke tests: the scripts run to completion (exit 0), write well-formed output whose numbers are present and
parse, and still compare every report with the corpus manifest. Bandit and Ruff are not in the [test] extra,
so bench_check runs with ``--no-compare`` (flask-preflight only, whatever is installed) rather than being
skipped. No speed is asserted: every time is only checked to be a positive number.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
LIVENESS_S = 600  # hang guard only


def _run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(cwd)}  # the scripts' scratch trees land in tmp_path
    return subprocess.run([sys.executable, str(BENCH / script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=LIVENESS_S, check=False)


def test_bench_check_small_generated_corpus_without_comparison_tools(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = _run("bench_check.py", "--corpus", "generated", "--files", "150", "--seed", "0", "--rounds", "1",
                "--no-compare", "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))

    assert data["errors"] == [] and data["seeded_diffs"] == {}
    (corpus,) = data["corpora"]
    assert corpus["name"] == "generated" and corpus["files"] == 150
    assert 0 < corpus["python_files"] <= 150 and corpus["seeded_findings"] >= 1
    assert not Path(corpus["path"]).exists()  # not kept without --keep

    # one cold and one warm flask-preflight run, nothing else (no bandit, no ruff)
    assert sorted(r["tool"] for r in data["runs"]) == ["flask-preflight cold", "flask-preflight warm"]
    for run in data["runs"]:
        assert run["corpus"] == "generated" and run["round"] == 1
        assert run["exit_code"] in (0, 1)
        assert isinstance(run["wall_s"], float) and run["wall_s"] > 0
        assert run["peak_rss_mb"] is None or run["peak_rss_mb"] > 0
        assert (run["findings"], run["problems"]) == (corpus["seeded_findings"], 0)
    assert sorted(s["tool"] for s in data["summary"]) == ["flask-preflight cold", "flask-preflight warm"]
    for stat in data["summary"]:
        assert stat["runs"] == 1 and stat["median_s"] == stat["min_s"] > 0

    targets = {t["name"]: t for t in data["targets"]}
    assert targets["cold <= 1.0x ruff's time"]["status"] == "n/a"
    assert targets[">= 10x faster than bandit (Flask tests)"]["status"] == "n/a"
    assert all(t["status"] in ("PASS", "MISS", "n/a") for t in targets.values())  # a MISS is a measurement
    assert any("--no-compare" in note for note in data["notes"])

    # the printed table: a row per tool whose numbers parse
    rows = re.findall(r"^generated\s+150\s+\d+\s+(flask-preflight (?:cold|warm))\s+([\d.]+)\s+([\d.]+)\s+(\S+)",
                      proc.stdout, re.M)
    assert sorted(r[0] for r in rows) == ["flask-preflight cold", "flask-preflight warm"], proc.stdout
    for _, median, minimum, _rss in rows:
        assert float(median) >= 0 and float(minimum) >= 0
    assert f"Seeded findings on generated: all {corpus['seeded_findings']} found, nothing else reported" in proc.stdout
    assert "bandit" not in " ".join(data["machine"]["tools"])


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus_for_check", BENCH / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


def test_a_sibling_projects_dockerfile_does_not_lower_pf102(tmp_path: Path) -> None:
    # found by the smoke run at --files 150 --seed 1: p0002's run.py has no deployment file of its own, and
    # the Dockerfile of another project in the scanned tree (p0003) must not lower its PF102
    corpus = _corpus_module()
    root = tmp_path / "corpus"
    manifest = corpus.generate(root, files=150, seed=1)
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "--format", "json",
                           "-o", str(out), "."], cwd=root, capture_output=True, text=True, timeout=LIVENESS_S)
    assert proc.returncode in (0, 1), proc.stderr
    assert corpus.compare_report(json.loads(out.read_text(encoding="utf-8")), manifest, root) == []


def test_bench_check_rejects_bad_arguments(tmp_path: Path) -> None:
    proc = _run("bench_check.py", "--rounds", "0", cwd=tmp_path)
    assert proc.returncode == 2 and "--rounds must be at least 1" in proc.stderr


def test_bench_memory_small_trees(tmp_path: Path) -> None:
    # --limit-mb: the 200 MB target is a measurement, not this test's business
    proc = _run("bench_memory.py", "--files", "30", "--megabytes", "1", "--limit-mb", "100000", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = re.findall(r"^(.+?)\s+([\d.]+) s\s+peak\s+([\d.]+) MB\s+exit (\d+)\s+(PASS|MISS)$", proc.stdout, re.M)
    assert [label.strip() for label, *_ in rows] == [
        "1 MB file, default --max-file-size", "30 files, cold (--no-cache)", "30 files, filling the cache",
        "30 files, warm cache"], proc.stdout
    for _, seconds, peak, code, verdict in rows:
        assert float(seconds) > 0 and float(peak) > 0
        assert code in ("0", "1", "3") and verdict == "PASS"
    assert "(wrote 30 files in " in proc.stdout
    assert not list(tmp_path.glob("preflight-memory-*"))  # its scratch tree is removed
