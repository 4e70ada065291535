"""The benchmark's generated corpus (benchmarks/corpus.py) is a correctness contract, not only a load.

The benchmark times flask-preflight on a tree of Flask-like projects and fails when the report differs
from the generator's manifest. These tests keep that contract honest on a small tree, without timing:
the generator is deterministic for a seed and writes exactly the requested number of files, every seeded
hazard kind is present, and ``flask-preflight check`` - cold, in a process pool and again from its cache
- reports exactly the seeded findings (rule, path, line, severity) and nothing in the unseeded projects.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = 1000  # enough Flask projects for every seed kind, with clean ones in between
REQUIRED_RULES = {"PF101", "PF102", "PF103", "PF201", "PF203", "PF301", "PF401", "PF402", "PF406"}


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


def _tree(root: Path) -> Dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _check(root: Path, *flags: str) -> dict:
    """Run the real CLI in the corpus root, as the benchmark does, and return its JSON report."""
    out = root.parent / f"{root.name}-report.json"
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", *flags, "--format", "json",
                           "-o", str(out), "."], cwd=root, capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench") / "corpus"
    manifest = corpus.generate(root, files=FILES, seed=0)
    return root, manifest


def test_same_seed_same_tree_and_exact_file_count(tmp_path):
    first = corpus.generate(tmp_path / "a", files=300, seed=3)
    corpus.generate(tmp_path / "b", files=300, seed=3)
    corpus.generate(tmp_path / "c", files=300, seed=4)
    a, b, c = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert a == b
    assert a != c
    assert first.files == 300
    assert len(a) == 300 + 1  # and manifest.json
    assert first.python_files == sum(1 for name in a if name.endswith(".py"))


def test_manifest_covers_every_seed_kind(generated):
    _, manifest = generated
    assert {p["seed"] for p in manifest.projects if p["seed"]} == set(corpus.SEED_NAMES)
    assert {f.rule_id for f in manifest.findings} >= REQUIRED_RULES
    assert ("PF401", "critical") in {(f.rule_id, f.severity) for f in manifest.findings}
    shapes = {p["shape"] for p in manifest.projects}
    assert {"flask-factory", "flask-single", "library"} <= shapes
    unseeded_flask = [p for p in manifest.projects if p["shape"].startswith("flask") and not p["seed"]]
    assert len(unseeded_flask) >= len(corpus.SEED_KINDS) - 1
    assert json.loads((generated[0] / corpus.MANIFEST_NAME).read_text(encoding="utf-8")) == manifest.to_json()


def test_most_python_files_are_plain(generated):
    """The prefilter must matter: most Python files in the tree have nothing flask-preflight looks for."""
    from flask_preflight.static.python import may_matter

    root, _ = generated
    texts = [p.read_text(encoding="utf-8") for p in root.rglob("*.py")]
    plain = sum(1 for t in texts if not may_matter(t))
    assert plain / len(texts) > 0.5


@pytest.mark.parametrize("flags", [("--no-cache", "--jobs", "1"), ("--no-cache", "--jobs", "2")],
                         ids=["in-process", "pool"])
def test_check_reports_exactly_the_seeded_findings(generated, flags):
    root, manifest = generated
    report = _check(root, *flags)
    assert corpus.compare_report(report, manifest, root) == []
    assert report["summary"]["incomplete"] is False


def test_cached_rerun_reports_the_same(generated, tmp_path):
    """The benchmark's warm runs are checked the same way: a cache hit must not lose cross-file findings."""
    import shutil

    root = tmp_path / "corpus"
    shutil.copytree(generated[0], root)
    _, manifest = generated
    assert corpus.compare_report(_check(root), manifest, root) == []  # fills the cache
    assert corpus.compare_report(_check(root), manifest, root) == []  # reads it


def test_compare_report_names_missing_and_unexpected(generated):
    root, manifest = generated
    first = manifest.findings[0]
    report = {"findings": [{"rule_id": f.rule_id, "path": f.path, "line": f.line, "severity": f.severity}
                           for f in manifest.findings[1:]]
              + [{"rule_id": "PF999", "path": "x.py", "line": 1, "severity": "low"}], "errors": []}
    diff = corpus.compare_report(report, manifest, root)
    assert len(diff) == 2
    assert diff[0].startswith("missing:") and f"{first.path}:{first.line}" in diff[0]
    assert diff[1].startswith("unexpected:") and "PF999 x.py:1" in diff[1]
    # absolute and ./-prefixed paths map onto the corpus root
    report = {"findings": [{"rule_id": f.rule_id, "path": str(root / f.path) if i % 2 else "./" + f.path,
                            "line": f.line, "severity": f.severity} for i, f in enumerate(manifest.findings)]}
    assert corpus.compare_report(report, manifest, root) == []


def test_the_generator_runs_as_a_script(tmp_path):
    """``python benchmarks/corpus.py OUT --files N --seed S``, as bench_check.py's README tells people to run it:
    the tree it writes is the one ``generate`` writes, and its summary line's numbers are the manifest's."""
    out = tmp_path / "cli"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "corpus.py"), str(out), "--files", "120",
                           "--seed", "5"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / corpus.MANIFEST_NAME).read_text(encoding="utf-8"))
    same = corpus.generate(tmp_path / "api", files=120, seed=5)
    assert manifest == same.to_json()
    assert _tree(out) == _tree(tmp_path / "api")
    m = re.fullmatch(r"(.+): (\d+) files \((\d+) Python\) in (\d+) projects (\{.*\}); (\d+) seeded findings \((.*)\)",
                     proc.stdout.strip())
    assert m is not None, proc.stdout
    assert m.group(1) == str(out)
    assert (int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(6))) == (
        same.files, same.python_files, len(same.projects), len(same.findings))
    assert sum(ast.literal_eval(m.group(5)).values()) == len(same.projects)
    assert m.group(7).split(", ") == sorted({f.rule_id for f in same.findings})
