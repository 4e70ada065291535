"""The command line end to end: exit codes, formats, options and config, through click's CliRunner
and through real processes (``python -m flask_preflight`` and the installed console script)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import pytest
from click.testing import CliRunner

from flask_preflight import __version__
from flask_preflight.cli import main
from flask_preflight.report.json import load_json_report
from flask_preflight.rules import REGISTRY

ANSI = re.compile(r"\x1b\[[0-9;]*m")

SAFE_APP = '''\
import os

from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG", "0") == "1"


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    app.run(host="127.0.0.1")
'''

# PF101 at the `True` (3:15) and PF102 at the call (3:1), both high.
UNSAFE_APP = '''\
from flask import Flask
app = Flask(__name__)
app.run(debug=True)
'''

# Only a medium finding: PF103 (public bind under the __main__ guard).
MEDIUM_APP = '''\
from flask import Flask
app = Flask(__name__)
if __name__ == "__main__":
    app.run(host="0.0.0.0")
'''

# A syntax error (2:7) in a file that mentions Flask.
BROKEN = "from flask import Flask\ndef f(:\n    pass\n"

SCRIPT = shutil.which("flask-preflight")


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def clean_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    env.update(extra)
    return env


def invoke_runner(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, color: bool = False) -> Run:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        env_over: Dict[str, Optional[str]] = {"NO_COLOR": None, "FORCE_COLOR": None}
        env_over.update(env or {})
        res = CliRunner().invoke(main, args, env=env_over, color=color, catch_exceptions=False)
    finally:
        os.chdir(old)
    return Run(res.exit_code, res.stdout, res.stderr)


def invoke_module(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None) -> Run:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", *args], cwd=cwd, capture_output=True,
                          text=True, env=clean_env(**(env or {})), timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def invoke_script(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None) -> Run:
    if SCRIPT is None:
        pytest.skip("flask-preflight console script not installed")
    proc = subprocess.run([SCRIPT, *args], cwd=cwd, capture_output=True, text=True,
                          env=clean_env(**(env or {})), timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


INVOKERS = {"runner": invoke_runner, "module": invoke_module, "script": invoke_script}


@pytest.fixture(params=sorted(INVOKERS))
def cli(request):
    """Run the CLI one of three ways; every test using it runs three times."""
    return INVOKERS[request.param]


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output


def findings_of(run: Run):
    data = json.loads(run.stdout)
    return [(f["rule_id"], f["path"], f["line"], f["column"]) for f in data["findings"]]


# --- exit codes ----------------------------------------------------------------------------------------


def test_exit_0_on_a_clean_tree(cli, tmp_path):
    write(tmp_path, {"app.py": SAFE_APP, "pkg/__init__.py": "", "pkg/util.py": "def f():\n    return 1\n"})
    run = cli(["check"], tmp_path)
    assert run.code == 0, run.output
    assert "No findings in 3 files." in run.stdout
    assert run.stderr == ""
    assert_no_traceback(run)


def test_exit_1_on_debug_app_run_at_module_level(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "app.py"], tmp_path)
    assert run.code == 1, run.output
    lines = run.stdout.splitlines()
    assert "app.py:3:1: PF102 [high] " in "\n".join(lines)
    assert any(ln.startswith("app.py:3:1: PF102 [high] ") for ln in lines)
    assert any(ln.startswith("app.py:3:15: PF101 [high] ") for ln in lines)
    assert lines[-1] == "Found 2 findings (2 high) in 1 file."
    assert_no_traceback(run)


@pytest.mark.parametrize("args, files, message", [
    (["check", "--select", "PF999"], {}, "unknown rule selector 'PF999'"),
    (["check", "--select", "debug-mode-enable"], {}, "did you mean 'debug-mode-enabled'?"),
    (["check", "--ignore", "nonsense"], {}, "--ignore: unknown rule selector 'nonsense'"),
    (["check", "--max-file-size", "lots"], {}, "--max-file-size"),
    (["check"], {"pyproject.toml": '[tool.flask-preflight]\nfail_on = "high"\n'},
     "pyproject.toml: [tool.flask-preflight]: unknown option 'fail_on' (did you mean 'fail-on'?)"),
    (["check"], {"pyproject.toml": '[tool.flask-preflight]\nselect = ["PF1O1"]\n'}, "select"),
    (["check"], {"pyproject.toml": '[tool.flask-preflight]\nmax-file-size = "huge"\n'}, "max-file-size"),
    (["check"], {"pyproject.toml": "[tool.flask-preflight\n"}, "invalid TOML"),
    (["check", "--config", "missing.toml"], {}, "missing.toml: config file not found"),
])
def test_exit_2_on_usage_and_config_errors(cli, tmp_path, args, files, message):
    write(tmp_path, {"app.py": UNSAFE_APP, **files})
    run = cli(args, tmp_path)
    assert run.code == 2, run.output
    assert run.stdout == ""
    err = run.stderr.strip().splitlines()
    assert len(err) == 1, run.stderr
    assert err[0].startswith("flask-preflight: error: ")
    assert message in err[0]
    assert_no_traceback(run)


def test_exit_2_on_bad_format_value(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "--format", "xml"], tmp_path)
    assert run.code == 2
    assert run.stdout == ""
    assert "'xml' is not one of 'text', 'json', 'sarif'" in run.stderr
    assert_no_traceback(run)


def test_exit_2_on_bad_format_in_pyproject(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP, "pyproject.toml": '[tool.flask-preflight]\nformat = "xml"\n'})
    run = cli(["check"], tmp_path)
    assert run.code == 2
    assert "format: invalid value 'xml'" in run.stderr
    assert_no_traceback(run)


def test_exit_2_on_unknown_subcommand_and_option(cli, tmp_path):
    assert cli(["lint"], tmp_path).code == 2
    assert cli(["check", "--no-such-flag"], tmp_path).code == 2


def test_exit_3_when_a_file_cannot_be_parsed_and_the_rest_is_still_scanned(cli, tmp_path):
    write(tmp_path, {"broken.py": BROKEN, "clean.py": SAFE_APP})
    run = cli(["check"], tmp_path)
    assert run.code == 3, run.output
    assert "broken.py:2:7: error: syntax-error: cannot parse: invalid syntax" in run.stdout.splitlines()
    assert re.fullmatch(r"No findings in \d files?; 1 file could not be analyzed\.", run.stdout.splitlines()[-1])
    assert_no_traceback(run)

    run = cli(["check", "--format", "json"], tmp_path)
    assert run.code == 3
    data = json.loads(run.stdout)
    # The clean file is counted. (Whether the unparsable file counts too is not pinned here: today a
    # syntax-error file is counted as scanned, while binary/undecodable/too-large files are not.)
    assert data["summary"]["files_scanned"] in (1, 2)
    (tmp_path / "broken.py").unlink()
    assert json.loads(cli(["check", "--format", "json"], tmp_path).stdout)["summary"]["files_scanned"] == 1
    (tmp_path / "clean.py").unlink()
    (tmp_path / "broken.py").write_text(BROKEN, encoding="utf-8")
    alone = json.loads(cli(["check", "--format", "json"], tmp_path).stdout)["summary"]["files_scanned"]
    assert data["summary"]["files_scanned"] == alone + 1
    assert data["summary"]["incomplete"] is True
    assert [(e["path"], e["kind"], e["line"]) for e in data["errors"]] == [("broken.py", "syntax-error", 2)]


@pytest.mark.parametrize("source", ["def f(:\n    pass\n", "x = (\n", "x = 1\n" + "#" * 9000 + "\n\x00\n"],
                         ids=["bad-def", "open-paren", "nul-after-binary-sniff"])
def test_syntax_error_in_a_file_without_flask_words(tmp_path, source):
    """Documented trade-off: a walked file with no Flask/debug/config words cannot hold a finding and is not
    parsed (speed); the same file named on the command line is always parsed and its error reported."""
    write(tmp_path, {"clean.py": SAFE_APP})
    (tmp_path / "util.py").write_bytes(source.encode())
    walked = invoke_runner(["check", "--format", "json"], tmp_path)
    assert walked.code == 0, walked.output
    assert json.loads(walked.stdout)["summary"]["files_scanned"] == 2
    named = invoke_runner(["check", "--format", "json", "clean.py", "util.py"], tmp_path)
    assert named.code == 3, named.output
    assert [(e["path"], e["kind"]) for e in json.loads(named.stdout)["errors"]] == [("util.py", "syntax-error")]


def test_exit_3_wins_over_findings_and_over_fail_on_never(cli, tmp_path):
    write(tmp_path, {"broken.py": "import flask\nx = (\n", "app.py": UNSAFE_APP})
    run = cli(["check", "--format", "json"], tmp_path)
    assert run.code == 3
    assert {f[0] for f in findings_of(run)} == {"PF101", "PF102"}  # findings in other files still reported
    assert cli(["check", "--fail-on", "never"], tmp_path).code == 3


def test_missing_path_argument_is_a_usage_error(cli, tmp_path):
    write(tmp_path, {"app.py": SAFE_APP})
    run = cli(["check", "app.py", "nope.py"], tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == "flask-preflight: error: PATH 'nope.py': no such file or directory\n"


# --- --fail-on -------------------------------------------------------------------------------------------


def test_fail_on_thresholds(cli, tmp_path):
    write(tmp_path, {"app.py": MEDIUM_APP})
    assert cli(["check"], tmp_path).code == 1  # default: low, any finding fails
    assert cli(["check", "--fail-on", "medium"], tmp_path).code == 1
    high = cli(["check", "--fail-on", "high"], tmp_path)
    assert high.code == 0
    assert "PF103 [medium]" in high.stdout  # still reported, just not failing
    assert cli(["check", "--fail-on", "critical"], tmp_path).code == 0
    assert cli(["check", "--fail-on", "never"], tmp_path).code == 0


def test_fail_on_never_with_high_findings(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "--fail-on", "never"], tmp_path)
    assert run.code == 0
    assert "Found 2 findings (2 high) in 1 file." in run.stdout


def test_fail_on_from_pyproject_and_cli_override(tmp_path):
    write(tmp_path, {"app.py": MEDIUM_APP, "pyproject.toml": '[tool.flask-preflight]\nfail-on = "high"\n'})
    assert invoke_runner(["check"], tmp_path).code == 0
    assert invoke_runner(["check", "--fail-on", "medium"], tmp_path).code == 1


# --- formats ---------------------------------------------------------------------------------------------


def test_json_report_parses_and_round_trips(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP, "ok.py": SAFE_APP})
    run = cli(["check", "--format", "json"], tmp_path)
    assert run.code == 1
    assert run.stderr == ""
    data = json.loads(run.stdout)
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "flask-preflight", "version": __version__}
    assert data["summary"]["files_scanned"] == 2
    assert data["summary"]["findings"] == 2
    assert data["summary"]["by_rule"] == {"PF101": 1, "PF102": 1}
    assert data["summary"]["by_severity"] == {"critical": 0, "high": 2, "medium": 0, "low": 0}
    assert data["summary"]["incomplete"] is False
    assert data["errors"] == []
    assert findings_of(run) == [("PF102", "app.py", 3, 1), ("PF101", "app.py", 3, 15)]
    pf101 = data["findings"][1]
    assert (pf101["rule_name"], pf101["end_line"], pf101["end_column"]) == ("debug-mode-enabled", 3, 19)
    assert pf101["snippet"] == "app.run(debug=True)"

    result = load_json_report(run.stdout)
    assert result.files_scanned == 2 and result.suppressed == 0 and result.problems == []
    assert [(f.rule_id, f.path, f.line, f.column) for f in result.findings] == findings_of(run)
    assert [f.fingerprint() for f in result.findings] == [f["fingerprint"] for f in data["findings"]]


def test_json_format_from_pyproject(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP, "pyproject.toml": '[tool.flask-preflight]\nformat = "json"\n'})
    run = invoke_runner(["check"], tmp_path)
    assert json.loads(run.stdout)["summary"]["findings"] == 2
    assert invoke_runner(["check", "--format", "text"], tmp_path).stdout.startswith("app.py:3:1: PF102")


def test_sarif_to_file_prints_only_a_short_summary_on_stderr(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "--format", "sarif", "-o", "out.sarif"], tmp_path)
    assert run.code == 1
    assert run.stdout == ""
    assert run.stderr.strip() == "flask-preflight: 2 findings in 1 file"
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results) == [
        ("PF101", 3), ("PF102", 3)]


def test_sarif_to_file_summary_mentions_unanalysable_files(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02")
    run = invoke_module(["check", "--format", "sarif", "--output", "out.sarif"], tmp_path)
    assert run.code == 3
    assert run.stderr.strip() == "flask-preflight: 2 findings in 1 file; 1 could not be analyzed"
    assert (tmp_path / "out.sarif").is_file()


def test_sarif_on_stdout(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check", "--format", "sarif"], tmp_path)
    assert json.loads(run.stdout)["runs"][0]["tool"]["driver"]["name"] == "flask-preflight"


def test_text_report_to_file(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check", "-o", "report.txt", "--color", "always"], tmp_path)
    assert run.code == 1
    assert run.stdout == "" and run.stderr == ""
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert report.startswith("app.py:3:1: PF102 [high]")
    assert not ANSI.search(report)


def test_unwritable_output_is_a_usage_error(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "-o", str(tmp_path / "no" / "such" / "dir" / "r.json"), "--format", "json"], tmp_path)
    assert run.code == 2
    assert "cannot write report" in run.stderr
    assert_no_traceback(run)


def test_statistics(cli, tmp_path):
    write(tmp_path, {"a.py": UNSAFE_APP, "b.py": UNSAFE_APP, "c.py": MEDIUM_APP})
    run = cli(["check", "--statistics"], tmp_path)
    assert run.code == 1
    tail = run.stdout.rstrip("\n").split("\n\n")[-1].splitlines()
    assert [ln.split() for ln in tail] == [
        ["2", "PF101", "debug-mode-enabled", "[high]"],
        ["2", "PF102", "unguarded-app-run", "[high]"],
        ["1", "PF103", "dev-server-public-bind", "[medium]"],
    ]
    plain = cli(["check"], tmp_path)
    assert "debug-mode-enabled  [high]" not in plain.stdout


# --- rule selection and suppression ------------------------------------------------------------------------


def test_select_only_gives_that_rule(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "--select", "PF102", "--format", "json"], tmp_path)
    assert run.code == 1
    assert findings_of(run) == [("PF102", "app.py", 3, 1)]


def test_select_by_name_prefix_and_comma_list(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check", "--select", "unguarded-app-run", "--format", "json"], tmp_path)
    assert [f[0] for f in findings_of(run)] == ["PF102"]
    run = invoke_runner(["check", "--select", "PF103,PF104", "--format", "json"], tmp_path)
    assert run.code == 0 and findings_of(run) == []
    run = invoke_runner(["check", "--select", "PF1", "--format", "json"], tmp_path)
    assert [f[0] for f in findings_of(run)] == ["PF102", "PF101"]


def test_ignore_by_name(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check", "--ignore", "debug-mode-enabled", "--format", "json"], tmp_path)
    assert run.code == 1
    assert findings_of(run) == [("PF102", "app.py", 3, 1)]
    both = cli(["check", "--ignore", "debug-mode-enabled", "--ignore", "PF102"], tmp_path)
    assert both.code == 0
    assert both.stdout.strip() == "No findings in 1 file."


def test_inline_suppression_is_counted(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP.replace("app.run(debug=True)", "app.run(debug=True)  # preflight: ignore[PF102]")})
    run = cli(["check", "--format", "json"], tmp_path)
    assert run.code == 1
    assert findings_of(run) == [("PF101", "app.py", 3, 15)]
    assert json.loads(run.stdout)["summary"]["suppressed"] == 1
    text = cli(["check"], tmp_path)
    assert text.stdout.splitlines()[-1] == "Found 1 finding (1 high) in 1 file; 1 suppressed."


def test_bare_inline_suppression_silences_every_rule_on_the_line(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP.replace("app.run(debug=True)", "app.run(debug=True)  # preflight: ignore")})
    run = invoke_runner(["check", "--format", "json"], tmp_path)
    assert run.code == 0
    assert json.loads(run.stdout)["summary"]["suppressed"] == 2


def test_statistics_show_suppressed_counts_per_rule(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP.replace("app.run(debug=True)", "app.run(debug=True)  # preflight: ignore[PF102]")})
    run = invoke_runner(["check", "--statistics"], tmp_path)
    assert run.stdout.splitlines()[-4:] == [
        "Found 1 finding (1 high) in 1 file; 1 suppressed.",
        "",
        "  1  PF101  debug-mode-enabled  [high]",
        "  0  PF102  unguarded-app-run   [high]      (1 suppressed)",
    ]
    data = json.loads(invoke_runner(["check", "--format", "json"], tmp_path).stdout)
    assert data["summary"]["suppressed_by_rule"] == {"PF102": 1}


def test_per_file_ignores_in_pyproject(cli, tmp_path):
    write(tmp_path, {
        "app.py": UNSAFE_APP,
        "scripts/dev.py": UNSAFE_APP,
        "pyproject.toml": '[tool.flask-preflight]\nper-file-ignores = { "scripts/**" = ["PF101", "unguarded-app-run"] }\n',
    })
    run = cli(["check", "--format", "json"], tmp_path)
    assert run.code == 1
    assert findings_of(run) == [("PF102", "app.py", 3, 1), ("PF101", "app.py", 3, 15)]
    assert json.loads(run.stdout)["summary"]["files_scanned"] == 2


def test_per_file_ignores_apply_when_run_from_a_subdirectory(tmp_path):
    write(tmp_path, {
        "scripts/dev.py": UNSAFE_APP,
        "pyproject.toml": '[tool.flask-preflight]\nper-file-ignores = { "scripts/**" = ["ALL"] }\n',
    })
    run = invoke_module(["check", "--format", "json", "."], tmp_path / "scripts")
    assert run.code == 0, run.output
    assert json.loads(run.stdout)["summary"]["files_scanned"] == 1


# --- colour ----------------------------------------------------------------------------------------------------


def test_no_ansi_when_not_a_tty(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = cli(["check"], tmp_path)
    assert "PF101 [high]" in run.stdout
    assert "\x1b" not in run.output


def test_no_ansi_with_no_color_even_on_a_colour_capable_stream(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check"], tmp_path, env={"NO_COLOR": "1"}, color=True)
    assert "PF101 [high]" in run.stdout
    assert "\x1b" not in run.output
    run = invoke_module(["check", "--color", "auto"], tmp_path, env={"NO_COLOR": "1"})
    assert "\x1b" not in run.output


def test_color_never(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check", "--color", "never"], tmp_path, color=True)
    assert "\x1b" not in run.output


def test_color_always_on_a_colour_capable_stream(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check", "--color", "always"], tmp_path, color=True)
    assert ANSI.search(run.stdout)
    assert ANSI.sub("", run.stdout) == invoke_runner(["check"], tmp_path).stdout


@pytest.mark.parametrize("how", ["runner", "module", "script"])
def test_color_always_gives_ansi_when_piped(tmp_path, how):
    """`--color always` must survive a pipe (`| less -R`, CI logs): click.echo strips ANSI from non-TTY
    streams unless told otherwise."""
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = INVOKERS[how](["check", "--color", "always"], tmp_path)
    assert run.code == 1
    assert ANSI.search(run.stdout), run.stdout[:200]


def test_color_never_applies_to_json(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP})
    run = invoke_runner(["check", "--color", "always", "--format", "json"], tmp_path, color=True)
    assert "\x1b" not in run.stdout
    json.loads(run.stdout)


# --- rules / rule / --version ---------------------------------------------------------------------------------


def test_rules_lists_every_rule(cli, tmp_path):
    run = cli(["rules"], tmp_path)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert [ln.split()[0] for ln in lines] == [r.id for r in REGISTRY]
    assert [ln.split()[0] for ln in lines][:6] == ["PF001", "PF101", "PF102", "PF103", "PF104", "PF105"]
    assert [ln.split()[1] for ln in lines] == [r.name for r in REGISTRY]
    assert lines[0].split()[2] == "low"
    assert lines[1].split()[2] == "high"
    assert lines[4].split()[2] == "critical"


def test_rules_json_and_markdown(tmp_path):
    data = json.loads(invoke_runner(["rules", "--format", "json"], tmp_path).stdout)
    assert [r["id"] for r in data] == [r.id for r in REGISTRY]
    assert {"PF101", "PF105", "PF201", "PF211", "PF302"} <= {r["id"] for r in data}
    md = invoke_runner(["rules", "--format", "markdown"], tmp_path).stdout
    assert "| id | name | severity |" in md and "`werkzeug-debugger-enabled`" in md
    assert ("| [PF104](https://github.com/flask-preflight/flask-preflight/blob/main/docs/rules/pf104.md) "
            "| `werkzeug-debugger-enabled` | critical | check, inspect, probe |") in md


@pytest.mark.parametrize("key", ["PF101", "debug-mode-enabled", "pf101", "DEBUG-MODE-ENABLED"])
def test_rule_docs_by_id_or_name(cli, tmp_path, key):
    run = cli(["rule", key], tmp_path)
    assert run.code == 0, run.output
    assert run.stdout.splitlines()[0] == "PF101 debug-mode-enabled"
    assert "\nBad:\n" in run.stdout and "\nGood:\n" in run.stdout
    assert run.stdout.index("Bad:") < run.stdout.index("Good:")
    assert "app.run(debug=True)" in run.stdout


@pytest.mark.parametrize("rule", [r.id for r in REGISTRY])
def test_every_rule_has_docs(tmp_path, rule):
    run = invoke_runner(["rule", rule], tmp_path)
    assert run.code == 0
    assert run.stdout.startswith(f"{rule} {REGISTRY.get(rule).name}\n")
    assert "Bad:" in run.stdout and "Good:" in run.stdout


def test_unknown_rule_exits_2_with_one_line(cli, tmp_path):
    run = cli(["rule", "PF999"], tmp_path)
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr == "flask-preflight: error: unknown rule 'PF999'; see `flask-preflight rules`\n"
    assert_no_traceback(run)


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(cli, tmp_path, flag):
    run = cli([flag], tmp_path)
    assert run.code == 0
    assert run.stdout.strip() == f"flask-preflight, version {__version__}"


def test_help(cli, tmp_path):
    run = cli(["--help"], tmp_path)
    assert run.code == 0
    assert re.search(r"check\s", run.stdout) and re.search(r"rules\s", run.stdout)
    assert cli(["check", "-h"], tmp_path).code == 0


# --- paths and configuration ---------------------------------------------------------------------------------------


def test_default_path_is_the_current_directory(cli, tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP, "sub/more.py": UNSAFE_APP})
    default = cli(["check", "--format", "json"], tmp_path)
    dot = cli(["check", "--format", "json", "."], tmp_path)
    assert default.code == dot.code == 1
    assert findings_of(default) == findings_of(dot)
    assert {f[1] for f in findings_of(default)} == {"app.py", "sub/more.py"}  # relative, no "./" prefix
    assert json.loads(default.stdout)["summary"]["files_scanned"] == 2


def test_explicit_file_is_checked_even_when_excluded_by_config(cli, tmp_path):
    write(tmp_path, {
        "legacy/old.py": UNSAFE_APP,
        "app.py": SAFE_APP,
        "pyproject.toml": '[tool.flask-preflight]\nexclude = ["legacy/"]\n',
    })
    walked = cli(["check", "--format", "json"], tmp_path)
    assert walked.code == 0
    assert json.loads(walked.stdout)["summary"]["files_scanned"] == 1
    explicit = cli(["check", "--format", "json", "legacy/old.py"], tmp_path)
    assert explicit.code == 1
    assert {f[1] for f in findings_of(explicit)} == {"legacy/old.py"}


def test_exclude_and_extend_exclude_flags(tmp_path):
    write(tmp_path, {"a/x.py": UNSAFE_APP, "b/y.py": UNSAFE_APP})
    run = invoke_runner(["check", "--format", "json", "--exclude", "a/"], tmp_path)
    assert {f[1] for f in findings_of(run)} == {"b/y.py"}
    run = invoke_runner(["check", "--format", "json", "--extend-exclude", "a/", "--extend-exclude", "b/"], tmp_path)
    assert run.code == 0 and json.loads(run.stdout)["summary"]["files_scanned"] == 0


def test_explicit_config_file(tmp_path):
    write(tmp_path, {"app.py": UNSAFE_APP, "preflight.toml": 'select = ["PF102"]\n'})
    run = invoke_runner(["check", "--config", "preflight.toml", "--format", "json"], tmp_path)
    assert [f[0] for f in findings_of(run)] == ["PF102"]


def test_check_never_modifies_scanned_files(cli, tmp_path):
    files = {
        "app.py": UNSAFE_APP,
        "crlf.py": "from flask import Flask\r\napp = Flask(__name__)\r\napp.debug = True\r\n",
        "broken.py": BROKEN,
        "ok.py": SAFE_APP,
    }
    write(tmp_path, {k: v for k, v in files.items() if k != "crlf.py"})
    (tmp_path / "crlf.py").write_bytes(files["crlf.py"].encode())
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfapp_debug = True\n")

    def digests():
        return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
                for p in sorted(tmp_path.iterdir()) if p.is_file()}

    before = digests()
    for fmt in ("text", "json", "sarif"):
        run = cli(["check", "--format", fmt], tmp_path)
        assert run.code == 3
    assert digests() == before
    assert not (tmp_path / "__pycache__").exists()  # nothing was imported or compiled
