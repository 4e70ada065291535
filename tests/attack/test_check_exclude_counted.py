"""docs/security.md: an ``exclude``/``extend-exclude`` pattern that a pull request adds to the project's
``[tool.flask-preflight]`` table hides a file whole. It still hides it (that is what the setting is for), but
never silently: the summary of every format counts the files and directories the settings kept out."""

from __future__ import annotations

import json
from pathlib import Path

from tests.attack.checkrun import UNSAFE_APP, check_json, findings, run_check, write

SAFE_APP = "from flask import Flask\napp = Flask(__name__)\n"
SETTINGS = '[tool.flask-preflight]\nextend-exclude = ["legacy/", "app.py"]\n'


def _project(root: Path, settings: str = SETTINGS) -> Path:
    write(root, "pyproject.toml", settings)
    write(root, "app.py", UNSAFE_APP)
    write(root, "legacy/old.py", UNSAFE_APP)
    write(root, "legacy/more/older.py", UNSAFE_APP)
    write(root, "other.py", SAFE_APP)
    write(root, "README.md", "not checked, not counted\n")
    return root


def test_files_and_directories_the_settings_exclude_are_counted_in_every_format(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    text = run_check(root, home=tmp_path)
    assert text.returncode == 0
    assert text.stdout.decode().splitlines()[-1] == \
        "No findings in 1 file; 2 paths excluded by the exclude settings."
    code, report = check_json(root, home=tmp_path)
    assert code == 0 and findings(report) == []
    assert report["summary"]["excluded"] == 2 and report["summary"]["files_scanned"] == 1
    sarif = json.loads(run_check(root, "--format", "sarif", home=tmp_path).stdout)
    assert sarif["runs"][0]["invocations"][0]["properties"]["excludedPaths"] == 2
    # the one-line stderr summary of a report written to a file says it too
    out = tmp_path / "report.json"
    assert run_check(root, "--format", "json", "-o", str(out), home=tmp_path).stderr.decode().strip() == \
        "flask-preflight: 0 findings in 1 file; 2 excluded by the exclude settings"


def test_without_the_setting_nothing_is_excluded_and_the_findings_are_back(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj", settings="[tool.flask-preflight]\n")
    code, report = check_json(root, home=tmp_path)
    assert code == 1 and report["summary"]["excluded"] == 0
    assert sorted(findings(report)) == sorted([
        ("PF101", "app.py", 3, 15, "high"), ("PF102", "app.py", 3, 1, "high"),
        ("PF101", "legacy/more/older.py", 3, 15, "high"), ("PF102", "legacy/more/older.py", 3, 1, "high"),
        ("PF101", "legacy/old.py", 3, 15, "high"), ("PF102", "legacy/old.py", 3, 1, "high"),
    ])
    assert "excluded" not in run_check(root, home=tmp_path).stdout.decode()


def test_a_file_named_on_the_command_line_is_checked_and_not_counted(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    code, report = check_json(root, "app.py", "other.py", home=tmp_path)
    assert code == 1 and report["summary"]["excluded"] == 0
    assert sorted(findings(report)) == [("PF101", "app.py", 3, 15, "high"), ("PF102", "app.py", 3, 1, "high")]


def test_gitignored_and_skipped_directories_are_not_counted_as_excluded(tmp_path: Path) -> None:
    """Only the settings' patterns are counted: a virtualenv or node_modules is skipped by name as always."""
    root = _project(tmp_path / "proj", settings="[tool.flask-preflight]\n")
    write(root, "node_modules/x/app.py", UNSAFE_APP)
    write(root, ".venv/lib/app.py", UNSAFE_APP)
    code, report = check_json(root, home=tmp_path)
    assert report["summary"]["excluded"] == 0 and report["summary"]["files_scanned"] == 4
