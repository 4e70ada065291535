"""benchmarks/realworld/score.py on a synthetic corpus: one tiny git repository made here (a Flask app with four
findings) and a corpus/labels pair in a temporary directory (``--corpus-dir``), whose labels cover every kind
of row the scorer knows. The precision and recall it prints are checked exactly against the hand count below,
in the JSON document and in the text tables. Nothing is fetched: the "mirror" is the repository made here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "realworld" / "score.py"
LIVENESS_S = 300

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("tar") is None,
                                reason="score.py extracts trees with git archive | tar")

APP = '''import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "dev"


@app.route("/")
def index():
    return "hello"


app.run(host="0.0.0.0", debug=True)
'''
# What check reports on APP (asserted below, so a change in the tool shows up here and not as odd numbers):
REPORTED = [("PF101", 14, "high"), ("PF102", 14, "high"), ("PF103", 14, "high"), ("PF201", 6, "critical")]


def _labels() -> Dict[str, object]:
    def item(rule: str, line: int, severity: str, **extra: str) -> Dict[str, object]:
        return dict({"rule": rule, "path": "app.py", "line": line, "severity": severity, "reason": "synthetic"},
                    **extra)

    return {
        "findings": [
            item("PF201", 6, "critical", label="TP"),   # reported: TP
            item("PF102", 14, "high", label="FP"),      # reported: FP
            item("PF503", 6, "high", label="TP"),       # not reported: a lost TP, counted as a miss
            item("PF510", 9, "low", label="arguable"),  # not reported: resolved
        ],
        "misses": [
            item("PF101", 14, "high"),                  # reported now: TP (caught miss)
            item("PF211", 5, "medium"),                 # not reported: miss
            item("PF310", 9, "low"),                    # not reported: miss (low: not in the definite rows)
        ],
        # PF103 (reported) has no label at all: unlabelled
    }


# The hand count. all: TP = PF201 + PF101, FP = PF102, miss = PF503 + PF211 + PF310, unlabelled = PF103,
# resolved = PF510 -> precision 2/3, recall 2/5. definite (medium and above): PF310 and PF510 drop out ->
# miss 2, resolved 0 -> precision 2/3, recall 2/4.
EXPECTED_ALL = {"TP": 2, "FP": 1, "arguable": 0, "miss": 3, "unlabelled": 1, "resolved": 1,
                "precision": 2 / 3, "recall": 2 / 5}
EXPECTED_DEFINITE = {"TP": 2, "FP": 1, "arguable": 0, "miss": 2, "unlabelled": 1, "resolved": 0,
                     "precision": 2 / 3, "recall": 2 / 4}


def _git(*args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, HOME=str(cwd))
    proc = subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True)
    return proc.stdout.strip()


@pytest.fixture()
def synthetic(tmp_path: Path) -> Dict[str, Path]:
    mirrors = tmp_path / "mirrors"
    repo = mirrors / "acme+shop"  # fetch's layout: MIRRORS/owner+name/<git dir>
    repo.mkdir(parents=True)
    _git("init", "-q", ".", cwd=repo)
    (repo / "app.py").write_text(APP, encoding="utf-8")
    (repo / "requirements.txt").write_text("flask\n", encoding="utf-8")
    _git("add", "app.py", "requirements.txt", cwd=repo)
    _git("commit", "-q", "-m", "a minimal Flask app", cwd=repo)
    commit = _git("rev-parse", "HEAD", cwd=repo)

    data = tmp_path / "corpus"
    data.mkdir()
    (data / "corpus.toml").write_text(
        f'[[repo]]\nname = "acme/shop"\ncommit = "{commit}"\nsubset = "dev"\nkind = "production-app"\n'
        f'why = "synthetic: one app, every kind of label"\n\n'
        f'[[repo]]\nname = "acme/gone"\ncommit = "{"0" * 40}"\nsubset = "holdout"\nkind = "other"\n'
        f'why = "synthetic: no mirror"\n', encoding="utf-8")
    (data / "labels.json").write_text(json.dumps({"acme/shop": dict(_labels(), tool_commit="")}, indent=2),
                                      encoding="utf-8")
    return {"mirrors": mirrors, "corpus": data, "tmp": tmp_path}


def _score(paths: Dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--mirrors", str(paths["mirrors"]), "--corpus-dir",
                           str(paths["corpus"]), *args], cwd=paths["tmp"], capture_output=True, text=True,
                          timeout=LIVENESS_S, check=False)


def _rows(repo: Dict[str, object]) -> List[tuple]:
    return sorted((r["rule"], r["line"], r["status"]) for r in repo["rows"])  # type: ignore[index]


def test_json_precision_and_recall_are_exact(synthetic: Dict[str, Path]) -> None:
    proc = _score(synthetic, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["failed"] is False and data["subset"] == "dev" and data["warnings"] == []
    (repo,) = data["repos"]
    assert (repo["name"], repo["failures"], repo["errors"]) == ("acme/shop", [], [])
    reported = sorted((r["rule"], r["line"], r["severity"]) for r in repo["rows"] if "message" in r)
    assert reported == REPORTED
    assert _rows(repo) == [("PF101", 14, "TP"), ("PF102", 14, "FP"), ("PF103", 14, "unlabelled"),
                           ("PF201", 6, "TP"), ("PF211", 5, "miss"), ("PF310", 9, "miss"),
                           ("PF503", 6, "miss"), ("PF510", 9, "resolved")]
    caught = [r["rule"] for r in repo["rows"] if r.get("caught_miss")]
    lost = [r["rule"] for r in repo["rows"] if r.get("lost_tp")]
    assert (caught, lost) == (["PF101"], ["PF503"])

    assert data["summary"]["all"]["ALL"] == EXPECTED_ALL
    assert data["summary"]["definite"]["ALL"] == EXPECTED_DEFINITE
    per_rule = data["summary"]["all"]
    assert (per_rule["PF201"]["precision"], per_rule["PF201"]["recall"]) == (1.0, 1.0)
    assert (per_rule["PF102"]["precision"], per_rule["PF102"]["recall"]) == (0.0, None)
    assert (per_rule["PF503"]["precision"], per_rule["PF503"]["recall"]) == (None, 0.0)
    assert (per_rule["PF103"]["precision"], per_rule["PF103"]["recall"]) == (None, None)


def test_text_tables_print_the_same_numbers(synthetic: Dict[str, Path]) -> None:
    proc = _score(synthetic)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "acme/shop [dev, production-app]: TP 2  FP 1  arguable 0  miss 3  unlabelled 1  resolved 1" in proc.stdout
    assert "  UNLABELLED PF103 high     app.py:14" in proc.stdout
    assert re.search(r"CAUGHT-MISS PF101 high\s+app\.py:14  synthetic", proc.stdout)
    tables = proc.stdout.split("\nAll findings\n", 1)[1].split("\nDefinite findings (severity medium and above)\n")
    assert len(tables) == 2
    for table, want in zip(tables, (EXPECTED_ALL, EXPECTED_DEFINITE)):
        row = re.search(r"^  ALL\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)$", table, re.M)
        assert row is not None, table
        counts = [int(x) for x in row.groups()[:6]]
        assert counts == [want[k] for k in ("TP", "FP", "arguable", "miss", "unlabelled", "resolved")]
        assert (row.group(7), row.group(8)) == (f"{want['precision']:.3f}", f"{want['recall']:.3f}")


def test_a_repository_without_a_mirror_is_a_failure(synthetic: Dict[str, Path]) -> None:
    proc = _score(synthetic, "--json", "--subset", "all")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["failed"] is True
    gone = next(r for r in data["repos"] if r["name"] == "acme/gone")
    assert gone["failures"] == [f"no git directory for acme/gone under {synthetic['mirrors']} (fetch it first)"]
    # the scored repository still counts, with the same numbers
    assert data["summary"]["all"]["ALL"] == EXPECTED_ALL


def test_list_and_a_malformed_corpus(synthetic: Dict[str, Path]) -> None:
    proc = _score(synthetic, "--list", "--subset", "all")
    assert proc.returncode == 0
    assert [line.split()[0] for line in proc.stdout.splitlines()] == ["acme/shop", "acme/gone"]
    (synthetic["corpus"] / "corpus-z.toml").write_text('[[repo]]\nname = "nope"\n', encoding="utf-8")
    proc = _score(synthetic, "--list")
    assert proc.returncode == 2 and "corpus-z.toml: repo #1: missing keys" in proc.stderr


def _as_holdout(paths: Dict[str, Path]) -> None:
    corpus = paths["corpus"] / "corpus.toml"
    corpus.write_text(corpus.read_text(encoding="utf-8").replace('subset = "dev"', 'subset = "holdout"', 1),
                      encoding="utf-8")


def test_holdout_details_stay_hidden_even_when_the_repository_is_named(synthetic: Dict[str, Path]) -> None:
    _as_holdout(synthetic)
    proc = _score(synthetic, "--repo", "acme/shop")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "acme/shop [holdout, production-app]: TP 2  FP 1  arguable 0  miss 3" in proc.stdout
    assert "(holdout: FP/miss details hidden; --details shows them)" in proc.stdout
    assert "  FP PF102" not in proc.stdout and "MISS" not in proc.stdout and "CAUGHT-MISS" not in proc.stdout
    assert "  UNLABELLED PF103 high     app.py:14" in proc.stdout  # must be read to be labelled
    data = json.loads(_score(synthetic, "--repo", "acme/shop", "--json").stdout)
    rows = data["repos"][0]["rows"]
    assert sorted(r["status"] for r in rows) == ["FP", "TP", "TP", "miss", "miss", "miss", "resolved", "unlabelled"]
    assert [sorted(r) for r in rows if r["status"] != "unlabelled"] == [["status"]] * 7
    assert data["summary"]["all"]["ALL"] == EXPECTED_ALL  # the numbers are still all there


def test_details_show_holdout_rows(synthetic: Dict[str, Path]) -> None:
    _as_holdout(synthetic)
    proc = _score(synthetic, "--repo", "acme/shop", "--details")
    assert re.search(r"  FP PF102 high\s+app\.py:14  synthetic", proc.stdout)
    assert re.search(r"  MISS PF211 medium\s+app\.py:5  synthetic", proc.stdout)
