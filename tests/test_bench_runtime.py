"""benchmarks/bench_inspect.py, bench_probe.py, bench_probe_hostile.py and bench_slow_clients.py, run for real on
tiny inputs (one run, a 1 MiB flood, a 16 MB bomb, K = 1 and 2 slow clients).

Smoke tests: each script exits 0 and prints/writes well-formed numbers, and its own correctness checks hold
(expected exit codes, keys found or not, the errors the probe reports). Every server is on 127.0.0.1. No speed
is asserted: verdicts that compare a time with a target are either left alone (a MISS is a measurement) or
given a slack no run can exceed; times are only checked to be non-negative numbers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
LIVENESS_S = 600  # hang guard only
POSIX = pytest.mark.skipif(os.name != "posix", reason="the script uses process groups / resource (POSIX)")


def _run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(NO_COLOR="1", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1", TMPDIR=str(cwd))
    return subprocess.run([sys.executable, str(BENCH / script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=LIVENESS_S, check=False)


@POSIX
def test_bench_inspect_one_run_per_case(tmp_path: Path) -> None:
    out = tmp_path / "inspect.json"
    proc = _run("bench_inspect.py", "--runs", "1", "--flood-mb", "1", "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # 1 would mean an inspect run gave the wrong exit code
    data = json.loads(out.read_text(encoding="utf-8"))
    names = ["plain", "thread", "flood 1 MiB", "escape"]
    assert list(data) == names
    for name in names:
        row = data[name]
        assert len(row["runs"]) == 1 and row["median_s"] == row["runs"][0] > 0
        line = re.search(rf"^{re.escape(name)}\s+median\s+([\d.]+) s\s+\(min ([\d.]+), max ([\d.]+)\)$",
                         proc.stdout, re.M)
        assert line is not None, proc.stdout
        assert float(line.group(1)) == float(line.group(2)) == float(line.group(3)) >= 0


def test_bench_probe_one_run(tmp_path: Path) -> None:
    out = tmp_path / "probe.json"
    proc = _run("bench_probe.py", "--runs", "1", "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # 1: a key found wrongly, or leaked in the finding
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["correct"] is True and data["runs"] == 1 and data["verdict"] in ("PASS", "MISS")
    total = data["candidates"]
    assert total > 50_000
    cases = {c["case"]: c for c in data["cases"]}
    assert list(cases) == ["miss", "hit, last", "hit, first"]
    assert [(c["found"], c["problems"]) for c in cases.values()] == [(False, []), (True, []), (True, [])]
    assert cases["miss"]["tested"] == total  # the whole list
    assert total // 2 < cases["hit, last"]["tested"] <= total
    assert 1 <= cases["hit, first"]["tested"] < total // 2
    for case in cases.values():
        (cold,) = case["cold"]
        assert cold["candidates"] == total and cold["found"] == case["found"]
        assert cold["load"] > 0 and cold["check"] > 0 and len(case["warm_s"]) == 1
        assert case["warm_median_s"] > 0 and case["keys_per_s_warm"] > 0
    for label in cases:
        row = re.search(rf"^{re.escape(label)}\s+([\d,]+)\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)s\s+([\d,]+)"
                        rf"\s+(yes|no)$", proc.stdout, re.M)
        assert row is not None, proc.stdout
        assert int(row.group(1).replace(",", "")) == cases[label]["tested"]
        assert row.group(7) == ("yes" if cases[label]["found"] else "no")
    assert re.search(r"^target: whole list per cookie well under 2 s \(<= 1\.0 s\): (PASS|MISS)$", proc.stdout, re.M)


@POSIX
def test_bench_probe_hostile_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "hostile.json"
    # --slack 1000: the PASS/MISS verdict compares a time with the limit; that is the benchmark's, not ours
    proc = _run("bench_probe_hostile.py", "--timeout", "1", "--slack", "1000", "--bomb-mb", "16",
                "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["timeout"] == 1.0
    results = data["results"]
    assert list(results) == ["gzip-bomb", "270-cookies", "slow+cookie", "silent", "10mb-body"]
    expected = {
        "gzip-bomb": "decodes to more than 1 MB; decoding stopped there",
        "270-cookies": "the site sets 270 signed (Flask-shaped) cookies; PF606 tested the first",
        "slow+cookie": "the probe did not finish within 3 s (3 x --timeout)",
        "silent": "not probed: no complete answer within 1 s (--timeout)",
        "10mb-body": "the body is larger than 1 MB; only the first 1 MB was read and checked",
    }
    for name, result in results.items():
        assert result["exit"] == 3, (name, result)  # each attack is reported as a failed check, never a crash
        assert any(expected[name] in reason for reason in result["errors"]), (name, result["errors"])
        assert result["seconds"] >= 0 and result["max_rss_mb"] > 0 and result["verdict"] == "PASS"
        line = re.search(rf"^{re.escape(name)}\s+([\d.]+) s \(limit 3 s \+ 1000\)\s+max RSS (\d+) MB\s+exit 3\s+PASS$",
                         proc.stdout, re.M)
        assert line is not None, proc.stdout
        assert float(line.group(1)) == pytest.approx(result["seconds"], abs=0.01)


@POSIX
def test_bench_probe_hostile_runs_one_scenario(tmp_path: Path) -> None:
    out = tmp_path / "hostile.json"
    proc = _run("bench_probe_hostile.py", "--timeout", "1", "--slack", "1000", "--scenario", "silent",
                "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(json.loads(out.read_text(encoding="utf-8"))["results"]) == ["silent"]


@POSIX
def test_bench_slow_clients_two_configurations(tmp_path: Path) -> None:
    # K = 1 and 2 leave free threads in both servers, so the ordinary request is answered; --wait 30 is only
    # how long the script waits for that answer (a liveness bound), not a speed being asserted
    proc = _run("bench_slow_clients.py", "--config", "gthread,waitress", "--slow", "1,2", "--wait", "30",
                "--settle", "0.3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("gthread", "waitress"):
        for k in (1, 2):
            line = re.search(rf"^{name}\s+K=\s*{k}\s+answered in ([\d.]+) s$", proc.stdout, re.M)
            assert line is not None, proc.stdout
            assert float(line.group(1)) >= 0
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert table[0] == "| configuration | K=1 | K=2 |"
    assert [row.split(" | ")[0] for row in table[1:]] == ["| gthread (--workers 1 --threads 4)",
                                                          "| waitress (--server waitress --threads 4)"]
    for row in table[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")[1:]]
        assert len(cells) == 2 and all(re.fullmatch(r"[\d.]+ s", c) for c in cells), row


def test_bench_slow_clients_rejects_bad_arguments(tmp_path: Path) -> None:
    proc = _run("bench_slow_clients.py", "--slow", "0", cwd=tmp_path)
    assert proc.returncode == 2 and "--slow: each K between 1 and 150" in proc.stderr
    proc = _run("bench_slow_clients.py", "--config", "nope", cwd=tmp_path)
    assert proc.returncode == 2 and "--config: unknown nope" in proc.stderr
