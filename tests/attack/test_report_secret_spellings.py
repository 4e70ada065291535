"""Review of issue 13: secret values spelled in ways the redactor did not know reached the report - a
multi-line ``.env`` value (its first line is the code frame), the second piece of an implicitly concatenated
Python string (quoted in the message with its indent collapsed), and a YAML escape (``\\x41``) in a compose
value (no spelling of the value is in the source line). Every spelling is hidden, in every format and in the
``--statistics`` output, while every finding is still reported."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tests.attack.checkrun import check_json, errors, findings, run_check, write

SECRETS = ["dotenv-export-secret-0001", "dotenv-multi-secret-line1", "dotenv-multi-secret-line2",
           "dotenv-plain-secret-dddd", "py-concat-secret-kkkk", "py-concat-secret-llll", "py-triple-secret-mmmm",
           "py-triple-secret-nnnn", "compose-anchor-secret-ffff", "x41-escaped-secret-gggg",
           "list-secret-hhhh", "folded-secret-part1", "folded-secret-part2"]

DOTENV = """export SECRET_KEY="dotenv-export-secret-0001"
JWT_SECRET_KEY='dotenv-multi-secret-line1
dotenv-multi-secret-line2'
WTF_CSRF_SECRET_KEY=dotenv-plain-secret-dddd # comment
"""
COMPOSE = r"""x-env: &env
  SECRET_KEY: "compose-anchor-secret-ffff"
  JWT_SECRET_KEY: "compose\x41-escaped-secret-gggg"
services:
  web:
    image: x
    environment:
      <<: *env
      FLASK_DEBUG: "1"
  web2:
    image: y
    environment:
      - SECRET_KEY=list-secret-hhhh
  web3:
    image: z
    environment:
      WTF_CSRF_SECRET_KEY: >
        folded-secret-part1
        folded-secret-part2
"""
CONFIG = '''SECRET_KEY = "py-concat-secret-kkkk" "x"
JWT_SECRET_KEY = ("py-concat-secret-kkkk"
    "py-concat-secret-llll")
class Config:
    SECRET_KEY = """py-triple-secret-mmmm
py-triple-secret-nnnn"""
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, ".env", DOTENV)
    write(root, "docker-compose.yml", COMPOSE)
    write(root, "config.py", CONFIG)
    return root


@pytest.mark.parametrize("args", [("--format", "text"), ("--format", "json"), ("--format", "sarif"),
                                  ("--format", "html"), ("--statistics",)],
                         ids=["text", "json", "sarif", "html", "statistics"])
def test_no_spelling_of_a_secret_in_any_output(project: Path, tmp_path: Path, args: tuple) -> None:
    proc = run_check(project, *args, home=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out.decode()
    assert [s for s in SECRETS if s.encode() in out] == []
    # the HTML report escapes quotes and angle brackets, so a leak there would be spelled escaped
    assert [s for s in SECRETS if html.escape(s).encode() in out] == []


def test_cached_run_is_redacted_too(project: Path, tmp_path: Path) -> None:
    for _ in range(2):
        proc = run_check(project, "--format", "sarif", home=tmp_path, cache=True)
        assert [s for s in SECRETS if s.encode() in proc.stdout] == []


def test_findings_and_frames(project: Path, tmp_path: Path) -> None:
    code, report = check_json(project, home=tmp_path)
    assert findings(report) == [
        ("PF406", ".env", 1, 8, "medium"), ("PF406", ".env", 2, 1, "medium"), ("PF406", ".env", 4, 1, "medium"),
        ("PF201", "config.py", 1, 14, "high"), ("PF201", "config.py", 2, 19, "high"),
        ("PF201", "config.py", 5, 18, "high"),
        ("PF406", "docker-compose.yml", 2, 3, "high"), ("PF406", "docker-compose.yml", 3, 3, "high"),
        ("PF402", "docker-compose.yml", 9, 7, "medium"), ("PF406", "docker-compose.yml", 13, 9, "high"),
        ("PF406", "docker-compose.yml", 17, 7, "high"),
    ]
    assert errors(report) == [] and code == 1
    snippets = {(f["path"], f["line"]): f["snippet"] for f in report["findings"]}
    assert snippets[(".env", 2)] == "JWT_SECRET_KEY='<redacted>"
    assert snippets[("docker-compose.yml", 2)] == '  SECRET_KEY: "<redacted>"'
    assert snippets[("docker-compose.yml", 3)] == "  <redacted>"  # spelled otherwise: the whole line goes
    messages = {(f["path"], f["line"]): f["message"] for f in report["findings"]}
    assert messages[("config.py", 2)].startswith("Hard-coded JWT_SECRET_KEY (`JWT_SECRET_KEY = <redacted> <redacted>`)")
    assert json.dumps(report).count("<redacted>") >= 10
