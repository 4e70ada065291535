"""Issue 13, item 4 (redaction): no secret value appears in any field of any report format - not in the text
code frame, the JSON ``snippet``/``message``/``evidence``, nor SARIF's region and context snippets - including
in findings of other rules that quote the same line, while every finding is still reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from tests.attack.checkrun import check_json, errors, findings, run_check, write

SECRETS = [
    "py-inline-secret-7c1d9e",
    "py-long-secret-that-runs-past-the-fifty-character-limit-", "and-more-9b2",
    "py-fallback-secret-3e8f",
    "py-esc-aped-secret-51aa", "py-esc\\x2daped-secret-51aa",
    "docker-env-secret-a0b1c2",
    "procfile-secret-d3e4f5",
    "dotenv-secret-6a7b8c",
    "k8s",  # a 3-character key is hidden too (as a whole word only)
]

APP = r'''import os

from flask import Flask

app = Flask(__name__)
app.config.update(DEBUG=True, SECRET_KEY="py-inline-secret-7c1d9e")
app.secret_key = ("py-long-secret-that-runs-past-the-fifty-character-limit-" "and-more-9b2")
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "py-fallback-secret-3e8f")
app.config["JWT_SECRET_KEY"] = "py-esc\x2daped-secret-51aa"
app.config["SECRET_KEY_FALLBACKS"] = ["k8s"]
'''

EXPECTED = [
    (".env", 2, 1, "PF406", "medium"),
    ("Dockerfile", 2, 5, "PF402", "high"), ("Dockerfile", 2, 19, "PF406", "high"),
    ("Dockerfile", 3, 1, "PF401", "critical"),
    ("Procfile", 1, 1, "PF401", "high"), ("Procfile", 1, 1, "PF402", "high"), ("Procfile", 1, 6, "PF406", "high"),
    ("app.py", 6, 25, "PF101", "high"), ("app.py", 6, 42, "PF201", "high"), ("app.py", 7, 19, "PF201", "high"),
    ("app.py", 8, 28, "PF202", "high"), ("app.py", 9, 32, "PF201", "high"), ("app.py", 10, 39, "PF201", "high"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, "app.py", APP)
    write(root, "Dockerfile", 'FROM python:3.12\nENV FLASK_DEBUG=1 SECRET_KEY=docker-env-secret-a0b1c2\n'
                              'CMD ["flask", "run", "--host=0.0.0.0"]\n')
    write(root, "Procfile", "web: SECRET_KEY=procfile-secret-d3e4f5 flask run --debug\n")
    write(root, ".env", 'FLASK_DEBUG=0\nSECRET_KEY="dotenv-secret-6a7b8c"\n')
    return root


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_secret_in_any_output_byte(project: Path, tmp_path: Path, fmt: str) -> None:
    proc = run_check(project, "--format", fmt, home=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    leaked: List[str] = [s for s in SECRETS if s.encode() in out]
    assert leaked == []
    assert b"<redacted>" in out


def test_findings_are_still_reported_exactly(project: Path, tmp_path: Path) -> None:
    code, report = check_json(project, home=tmp_path)
    assert sorted((p, line, col, rule, sev) for rule, p, line, col, sev in findings(report)) == EXPECTED
    assert errors(report) == [] and code == 1
    by_place = {(f["path"], f["line"], f["rule_id"]): f for f in report["findings"]}
    # the other rule on the secret's line (PF101, PF402) quotes it redacted too
    assert by_place[("app.py", 6, "PF101")]["snippet"] == 'app.config.update(DEBUG=True, SECRET_KEY=<redacted>)'
    assert by_place[("Dockerfile", 2, "PF402")]["snippet"] == "ENV FLASK_DEBUG=1 SECRET_KEY=<redacted>"
    assert by_place[("Procfile", 1, "PF401")]["snippet"] == "web: SECRET_KEY=<redacted> flask run --debug"
    assert by_place[("app.py", 7, "PF201")]["snippet"] == "app.secret_key = (<redacted>)"
    assert "(`app.secret_key = <redacted>...`)" in by_place[("app.py", 7, "PF201")]["message"]
    assert by_place[("app.py", 9, "PF201")]["snippet"] == 'app.config["JWT_SECRET_KEY"] = <redacted>'
    assert by_place[("app.py", 10, "PF201")]["snippet"] == 'app.config["SECRET_KEY_FALLBACKS"] = [<redacted>]'
    assert by_place[(".env", 2, "PF406")]["evidence"] == "SECRET_KEY=<redacted>"
    # The negative: what is not a secret stays readable - the variable names, the environment lookup,
    # the debug flag, and the command.
    assert by_place[("app.py", 8, "PF202")]["snippet"] == \
        'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", <redacted>)'
    assert by_place[("Dockerfile", 3, "PF401")]["snippet"] == 'CMD ["flask", "run", "--host=0.0.0.0"]'


def test_sarif_region_and_context_snippets_are_redacted(project: Path, tmp_path: Path) -> None:
    sarif = json.loads(run_check(project, "--format", "sarif", home=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(EXPECTED)
    snippets = []
    for r in results:
        physical = r["locations"][0]["physicalLocation"]
        snippets += [physical.get("region", {}).get("snippet", {}).get("text", ""),
                     physical.get("contextRegion", {}).get("snippet", {}).get("text", "")]
    assert "ENV FLASK_DEBUG=1 SECRET_KEY=<redacted>" in snippets
    assert not [s for s in _strings(sarif) for secret in SECRETS if secret in s]


def test_cached_results_stay_redacted(project: Path, tmp_path: Path) -> None:
    """The cache holds findings as the analysers produced them: already redacted, so a warm run is too
    (the parsed deployment files it also holds keep their values, as the files themselves do)."""
    for _ in range(2):
        proc = run_check(project, "--format", "json", home=tmp_path, cache=True)
        assert proc.returncode == 1
        assert [s for s in SECRETS if s.encode() in proc.stdout] == []
    assert (project / ".flask_preflight_cache").is_dir()


def test_a_huge_secret_is_redacted_with_a_pattern_linear_in_its_size(tmp_path: Path) -> None:
    """A 100 KB literal key: every prefix of it used to become a pattern of its own (quadratic: gigabytes of
    regex for one line). Only prefixes a message can quote are needed; the whole value is still hidden."""
    from flask_preflight.redact import Redactor

    key = "k3y-" * 25_000
    pattern = Redactor([key])._compiled().pattern
    assert len(pattern) < 4 * len(key) + 100_000
    root = tmp_path / "proj"
    write(root, "app.py", f'from flask import Flask\napp = Flask(__name__)\napp.secret_key = "{key}"\n')
    code, report = check_json(root, home=tmp_path)
    assert code == 1 and errors(report) == []
    assert sorted(findings(report)) == [("PF201", "app.py", 3, 18, "high")]
    (finding,) = report["findings"]
    assert finding["snippet"] == "app.secret_key = <redacted>"
    assert "k3y-k3y" not in json.dumps(report)
