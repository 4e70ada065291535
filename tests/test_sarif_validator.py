"""Run Microsoft's SARIF validator on our output: schema tests alone miss the spec's semantic rules.

The validator is found via ``SARIF_MULTITOOL`` (path to an executable) or ``sarif-multitool`` on PATH
(``npm install @microsoft/sarif-multitool``). Without it the test is skipped, except in CI
(``CI=true``), where a missing validator is a configuration error and fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Tuple

import pytest

from flask_preflight.findings import Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report.sarif import render_sarif
from flask_preflight.rules import REGISTRY

# Any diagnostic at error level: SARIFnnnn (spec rules), JSONnnnn (schema), ERRnnn (tool). The validator
# exits 0 even when it reports schema errors, so the exit code alone proves nothing.
ERROR_LINE = re.compile(r"\berror [A-Z]+\d+")


def _validator() -> str:
    in_ci = os.environ.get("CI", "").strip().lower() == "true"
    configured = os.environ.get("SARIF_MULTITOOL")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            pytest.fail(f"SARIF_MULTITOOL={configured!r} is not an executable file")
        return configured
    found = shutil.which("sarif-multitool")
    if found:
        return found
    reason = ("SARIF validator not available: set SARIF_MULTITOOL to the sarif-multitool executable "
              "or put sarif-multitool on PATH (npm install @microsoft/sarif-multitool)")
    if in_ci:
        pytest.fail(reason + " [CI=true, so this is an error rather than a skip]")
    pytest.skip(reason)


def _validate(tool: str, directory: Path, sarif_text: str) -> Tuple[int, str]:
    # Plain file name + cwd: the npm wrapper passes arguments through a shell, so no spaces in paths.
    (directory / "report.sarif").write_text(sarif_text, encoding="utf-8")
    proc = subprocess.run([tool, "validate", "report.sarif"], cwd=str(directory), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=600)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def _rich_result() -> ScanResult:
    findings = [
        REGISTRY["PF101"].finding(
            "Flask debug mode is enabled by app.run(debug=True)", Location("app.py", 12, 13, 12, 23),
            snippet="    app.run(debug=True)\n", related=[Location("config.py", 3, 5, 3, 17)]),
        REGISTRY["PF101"].finding(
            "app.run(debug=True) only runs under python app.py", Location("app.py", 40, 5, 40, 24),
            snippet="    app.run(debug=True)", severity=Severity.LOW, fix_hint=""),
        REGISTRY["PF103"].finding(
            "The development server listens on 0.0.0.0", Location("src/my app/run ü.py", 7, 15, 7, 24),
            snippet="\tapp.run(host='0.0.0.0')\n"),
        REGISTRY["PF104"].finding(
            "The Werkzeug debugger wraps the WSGI app", Location("wsgi.py", 2, 16, 4, 2),
            snippet="app.wsgi_app = DebuggedApplication(\n    app.wsgi_app, evalex=True,\n)\n"),
        REGISTRY["PF105"].finding(
            "DEBUG defaults to on when the variable is unset", Location("settings.py", 1, 9)),
    ]
    problems = [
        Problem("broken.py", ProblemKind.SYNTAX_ERROR, "invalid syntax", line=3, column=9),
        Problem("data.bin", ProblemKind.BINARY, "contains NUL bytes"),
    ]
    return ScanResult(findings=findings, problems=problems, files_scanned=8, suppressed=1)


def test_sarif_output_passes_microsoft_validator(tmp_path: Path):
    tool = _validator()
    code, output = _validate(tool, tmp_path, render_sarif(_rich_result(), tool_version="0.1.0"))
    errors = [line for line in output.splitlines() if ERROR_LINE.search(line)]
    assert code == 0 and not errors, output


def test_clean_run_passes_validator(tmp_path: Path):
    tool = _validator()
    code, output = _validate(tool, tmp_path, render_sarif(ScanResult(files_scanned=3), tool_version="0.1.0"))
    assert code == 0 and not ERROR_LINE.search(output), output


def test_validator_really_detects_errors(tmp_path: Path):
    """Guards the harness: a broken log must fail, or a silent validator would pass everything."""
    tool = _validator()
    text = render_sarif(_rich_result(), tool_version="0.1.0").replace('"startColumn": 13', '"startColumn": 0')
    code, output = _validate(tool, tmp_path, text)
    assert code != 0 or ERROR_LINE.search(output), output


def test_deployment_file_findings_pass_validator(tmp_path: Path):
    """PF4xx findings point into Dockerfiles, compose files, Procfiles and .flaskenv, with related Python."""
    import shutil

    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    tool = _validator()
    root = tmp_path / "deploy_bad"
    shutil.copytree(Path(__file__).parent / "fixtures" / "deploy_bad", root)
    result = run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False))
    assert {f.rule_id for f in result.findings} >= {"PF401", "PF402", "PF403"}
    code, output = _validate(tool, tmp_path, render_sarif(result, tool_version="0.1.0"))
    assert code == 0 and not ERROR_LINE.search(output), output


def test_baseline_states_and_suppressions_pass_validator(tmp_path: Path):
    """`check --baseline`: new and unchanged results, external suppressions, a PF001 (maintainability) rule."""
    from flask_preflight.baseline import Entry, Outcome

    tool = _validator()
    result = _rich_result()
    result.suppressed_by_rule = {"PF102": 1}
    hidden = [REGISTRY["PF102"].finding("app.run() at import time", Location("old.py", 3, 1, 3, 20),
                                        snippet="app.run(debug=True)")]
    result.findings.append(REGISTRY["PF001"].finding("Unused suppression", Location("app.py", 2, 8, 2, 30),
                                                     snippet="x = 1  # preflight: ignore[PF101]"))
    result.baseline = Outcome("ci/baseline.json", hidden=hidden,
                              stale=[Entry("PF201", "hardcoded-secret-key", "app.py", "ab" * 16, 1)])
    text = render_sarif(result, tool_version="0.1.0")
    assert '"baselineState": "unchanged"' in text and '"kind": "external"' in text
    code, output = _validate(tool, tmp_path, text)
    assert code == 0 and not ERROR_LINE.search(output), output
