"""action.yml and the recipes under docs/ci/: parsed, and every flask-preflight command they hold run against
examples/ (the unsafe app must fail a gate, the safe one pass), so a recipe cannot rot unnoticed.

The install steps (pip/pipx from the network) and GitHub's upload-sarif are not run: the tool under test is
the one installed in this environment."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted((ROOT / "docs" / "ci").glob("*.md"))
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
TOOL = [sys.executable, "-m", "flask_preflight"]


def blocks(path: Path) -> List[Tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(path.read_text(encoding="utf-8"))]


def shell_lines(lang: str, body: str) -> Iterator[str]:
    """The shell commands of a block: sh lines, a workflow's `run:` values, a GitLab job's `script:` items."""
    if lang in ("sh", "bash", "shell"):
        yield from (line for line in body.splitlines() if line.strip() and not line.startswith("#"))
        return
    assert lang == "yaml", lang
    data = yaml.safe_load(body)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "run" and isinstance(value, str):
                    yield from value.splitlines()
                elif key == "script" and isinstance(value, list):
                    yield from value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    yield from walk(data)


def project(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, dest)
    return dest


def run_command(line: str, cwd: Path) -> subprocess.CompletedProcess:
    argv = shlex.split(line)
    assert argv[0] == "flask-preflight", line
    return subprocess.run([*TOOL, *argv[1:], "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=120)


def expected_exit(argv: List[str], unsafe: bool) -> int:
    fail_on = argv[argv.index("--fail-on") + 1] if "--fail-on" in argv else "low"
    return 1 if unsafe and fail_on != "never" else 0


def check_outputs(argv: List[str], run: subprocess.CompletedProcess, cwd: Path, unsafe: bool) -> None:
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "text"
    out = (cwd / argv[argv.index("-o") + 1]).read_text(encoding="utf-8") if "-o" in argv else run.stdout
    n = 10 if unsafe else 0
    if fmt == "sarif":
        assert len(json.loads(out)["runs"][0]["results"]) == n
    elif fmt == "json":
        assert json.loads(out)["summary"]["findings"] == n
    elif fmt == "gitlab":
        assert len(json.loads(out)) == n
    elif fmt == "github":
        assert len([line for line in out.splitlines() if line.startswith("::error ")]) == n
    else:
        assert out.splitlines()[-1] == ("Found 10 findings (3 critical, 7 high) in 3 files." if unsafe
                                        else "No findings in 3 files.")


def test_there_are_recipes():
    assert [p.name for p in RECIPES] == ["gate.md", "github.md", "gitlab.md"]


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_recipe_commands_run_against_examples(recipe, tmp_path):
    commands = [line.strip() for lang, body in blocks(recipe) for line in shell_lines(lang, body)
                if line.strip().startswith("flask-preflight ")]
    assert commands, f"{recipe.name} has no flask-preflight command"
    for name, unsafe in (("unsafe_app", True), ("safe_app", False)):
        cwd = project(tmp_path / recipe.stem, name)
        for line in commands:
            argv = shlex.split(line)
            run = run_command(line, cwd)
            assert run.returncode == expected_exit(argv, unsafe), (line, name, run.stdout, run.stderr)
            check_outputs(argv, run, cwd, unsafe)


def test_gitlab_recipe_reports_the_file_the_artifact_names(tmp_path):
    (lang, body), = [(lang, body) for lang, body in blocks(ROOT / "docs" / "ci" / "gitlab.md") if lang == "yaml"]
    job = yaml.safe_load(body)["flask-preflight"]
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    assert any(f"-o {report}" in line and "--format gitlab" in line for line in job["script"])


# --- action.yml ----------------------------------------------------------------------------------------------


def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_shape():
    data = action()
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) == {"path", "fail-on", "format", "sarif-file", "upload-sarif"}
    steps = data["runs"]["steps"]
    assert [s["name"] for s in steps] == ["Install flask-preflight", "Check", "Upload SARIF", "Gate"]
    assert steps[0]["run"] == 'python -m pip install --quiet "$ACTION_PATH"'
    assert steps[0]["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert steps[2]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert steps[2]["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    # Inputs reach the scripts through env only: an expression inside `run:` would be shell injection.
    for step in steps:
        assert "${{" not in step.get("run", "")


def _run_action_check(cwd: Path, tmp_path: Path, **inputs: str) -> Tuple[subprocess.CompletedProcess, str]:
    data = action()
    values = {name: spec.get("default", "") for name, spec in data["inputs"].items()}
    values.update(inputs)
    step = next(s for s in data["runs"]["steps"] if s.get("id") == "check")
    env = {**os.environ, "NO_COLOR": "1"}
    for key, expr in step["env"].items():
        name = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr).group(1)
        env[key] = values[name]
    bindir = tmp_path / "bin"  # `flask-preflight` on PATH is this checkout's
    bindir.mkdir(exist_ok=True)
    shim = bindir / "flask-preflight"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m flask_preflight "$@" --no-cache\n')
    shim.chmod(0o755)
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    output = tmp_path / "github_output"
    output.write_text("")
    env["GITHUB_OUTPUT"] = str(output)
    run = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=120)
    return run, output.read_text()


def test_action_check_step_on_the_unsafe_app(tmp_path):
    cwd = project(tmp_path, "unsafe_app")
    run, outputs = _run_action_check(cwd, tmp_path)
    assert run.returncode == 0, run.stderr  # the step itself succeeds; the Gate step fails the job
    assert outputs == "exit-code=1\n"
    assert len([line for line in run.stdout.splitlines() if line.startswith("::error file=")]) == 10
    assert len(json.loads((cwd / "flask-preflight.sarif").read_text())["runs"][0]["results"]) == 10


def test_action_check_step_on_the_safe_app_and_with_fail_on_never(tmp_path):
    safe = project(tmp_path, "safe_app")
    run, outputs = _run_action_check(safe, tmp_path)
    assert outputs == "exit-code=0\n" and run.stdout == "No findings in 3 files.\n"
    unsafe = project(tmp_path, "unsafe_app")
    _, outputs = _run_action_check(unsafe, tmp_path, **{"fail-on": "never", "path": "app.py config.py",
                                                        "sarif-file": "out.sarif"})
    assert outputs == "exit-code=0\n"
    # Both named paths were checked (the space-separated input became two arguments), and only they: the rest
    # of the project is context, so the Dockerfile appears only with the PF401 that runs the named app.py.
    direct = subprocess.run([*TOOL, "check", "--no-cache", "--format", "json", "app.py", "config.py"], cwd=unsafe,
                            capture_output=True, text=True)
    found = json.loads(direct.stdout)["findings"]
    assert {f["path"] for f in found} == {"app.py", "config.py", "Dockerfile"}
    assert {f["rule_id"] for f in found if f["path"] == "Dockerfile"} == {"PF401"}
    results = json.loads((unsafe / "out.sarif").read_text())["runs"][0]["results"]
    assert len(results) == json.loads(direct.stdout)["summary"]["findings"] < 10
