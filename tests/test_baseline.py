"""`check --write-baseline FILE` / `check --baseline FILE`, end to end in real processes, plus the file format.

A baseline must keep old findings hidden through unrelated edits (lines inserted above, reformatting), report
a second copy of a recorded line and anything changed in the flagged code itself, and call an entry stale
only where the run would have found it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple

import pytest

from flask_preflight import baseline
from flask_preflight.findings import Location
from flask_preflight.rules import REGISTRY

UNSAFE = """\
from flask import Flask

app = Flask(__name__)
app.run(debug=True)
"""

DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 \\
    FLASK_DEBUG=1
COPY . .
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]
"""


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


def check(cwd: Path, *args: str) -> Run:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "NO_COLOR": "1"})
    return Run(proc.returncode, proc.stdout, proc.stderr)


def last_line(run: Run) -> str:
    return run.stdout.splitlines()[-1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(UNSAFE, encoding="utf-8")
    return tmp_path


def test_write_then_check_hides_everything(project: Path) -> None:
    written = check(project, "--write-baseline", "baseline.json")
    assert (written.code, written.stdout) == (0, "")
    assert written.stderr == "flask-preflight: wrote 2 findings from 1 file to the baseline baseline.json\n"
    run = check(project, "--baseline", "baseline.json")
    assert (run.code, run.stdout) == (0, "No findings in 1 file; 2 hidden by the baseline.\n")
    # Without it the same findings fail the run: the baseline did the hiding.
    assert check(project).code == 1


def test_file_format_is_sorted_hashes_without_source_or_line_numbers(project: Path) -> None:
    (project / "app.py").write_text(UNSAFE + 'app.config["SECRET_KEY"] = "s3cr3t-value-here-123"\n', encoding="utf-8")
    check(project, "--write-baseline", "baseline.json")
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert list(data) == ["format", "version", "tool", "findings"]
    assert (data["format"], data["version"]) == ("flask-preflight-baseline", 1)
    assert [(e["rule_id"], e["rule_name"], e["path"], e["occurrence"]) for e in data["findings"]] == [
        ("PF101", "debug-mode-enabled", "app.py", 1),
        ("PF102", "unguarded-app-run", "app.py", 1),
        ("PF201", "hardcoded-secret-key", "app.py", 1),
    ]
    assert all(list(e) == ["rule_id", "rule_name", "path", "fingerprint", "occurrence"] and len(e["fingerprint"]) == 32
               for e in data["findings"])
    assert "s3cr3t" not in (project / "baseline.json").read_text(encoding="utf-8")
    # Rewriting after an unrelated edit changes nothing (no line numbers in the file).
    before = (project / "baseline.json").read_bytes()
    (project / "app.py").write_text("import os\n\n" + (project / "app.py").read_text(encoding="utf-8"), encoding="utf-8")
    check(project, "--write-baseline", "baseline.json")
    assert (project / "baseline.json").read_bytes() == before


def test_lines_inserted_above_keep_the_finding_hidden(project: Path) -> None:
    check(project, "--write-baseline", "baseline.json")
    text = UNSAFE.replace("app = Flask(__name__)\n", "app = Flask(__name__)\n\n\ndef helper():\n    return 1\n\n")
    (project / "app.py").write_text("import os\n" + text, encoding="utf-8")
    run = check(project, "--baseline", "baseline.json")
    assert (run.code, run.stdout) == (0, "No findings in 1 file; 2 hidden by the baseline.\n")


def test_reformatting_and_comments_keep_it_hidden_but_a_changed_statement_is_new(project: Path) -> None:
    check(project, "--write-baseline", "baseline.json")
    (project / "app.py").write_text(UNSAFE.replace("app.run(debug=True)", "app.run( debug = True )  # local"),
                                    encoding="utf-8")
    assert check(project, "--baseline", "baseline.json").code == 0
    (project / "app.py").write_text(UNSAFE.replace("app.run(debug=True)", "app.run(debug=True, port=5001)"),
                                    encoding="utf-8")
    run = check(project, "--baseline", "baseline.json", "--format", "json")
    data = json.loads(run.stdout)
    assert [(f["rule_id"], f["line"]) for f in data["findings"]] == [("PF102", 4), ("PF101", 4)]
    assert (data["summary"]["baseline"]["hidden"], data["summary"]["baseline"]["stale"]) == (0, 2)


def test_a_second_copy_of_the_same_line_is_reported(project: Path) -> None:
    check(project, "--write-baseline", "baseline.json")
    (project / "app.py").write_text(UNSAFE + "app.run(debug=True)\n", encoding="utf-8")
    run = check(project, "--baseline", "baseline.json")
    assert run.code == 1
    assert [ln for ln in run.stdout.splitlines() if ": PF" in ln] == [
        "app.py:5:1: PF102 [high] " + _message(run, "app.py:5:1: PF102"),
        "app.py:5:15: PF101 [high] " + _message(run, "app.py:5:15: PF101"),
    ]
    assert last_line(run) == "Found 2 findings (2 high) in 1 file; 2 hidden by the baseline."


def _message(run: Run, prefix: str) -> str:
    line = next(ln for ln in run.stdout.splitlines() if ln.startswith(prefix))
    return line.split("] ", 1)[1]


def test_a_fixed_finding_makes_its_entry_stale_in_text_json_and_sarif(project: Path) -> None:
    check(project, "--write-baseline", "baseline.json")
    (project / "app.py").write_text(UNSAFE.replace("app.run(debug=True)", "app.run()"), encoding="utf-8")
    run = check(project, "--baseline", "baseline.json")
    assert run.code == 1  # PF102 for the new `app.run()` statement
    assert last_line(run) == ("Found 1 finding (1 high) in 1 file; 0 hidden by the baseline; "
                              "2 baseline entries are stale.")
    data = json.loads(check(project, "--baseline", "baseline.json", "--format", "json").stdout)
    stale = data["summary"]["baseline"]["stale_entries"]
    assert data["summary"]["baseline"]["path"] == "baseline.json"
    assert [(e["rule_id"], e["path"], e["occurrence"]) for e in stale] == [("PF101", "app.py", 1), ("PF102", "app.py", 1)]
    sarif = json.loads(check(project, "--baseline", "baseline.json", "--format", "sarif").stdout)
    props = sarif["runs"][0]["invocations"][0]["properties"]
    assert (props["baseline"], props["baselineHiddenFindings"], props["baselineStaleEntries"]) == ("baseline.json", 0, 2)
    assert [r["baselineState"] for r in sarif["runs"][0]["results"]] == ["new"]


def test_sarif_keeps_hidden_findings_as_suppressed_unchanged_results(project: Path) -> None:
    check(project, "--write-baseline", "baseline.json")
    (project / "app.py").write_text(UNSAFE + 'app.config["SECRET_KEY"] = "s3cr3t-value-here-123"\n',
                                    encoding="utf-8")
    run = check(project, "--baseline", "baseline.json", "--format", "sarif")
    assert run.code == 1
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["baselineState"], "suppressions" in r) for r in results] == [
        ("PF201", "new", False), ("PF102", "unchanged", True), ("PF101", "unchanged", True)]
    assert results[1]["suppressions"] == [{"kind": "external", "status": "accepted",
                                           "justification": "Recorded in the baseline baseline.json."}]
    # Without --baseline there is no baselineState at all (no comparison was made).
    plain = json.loads(check(project, "--format", "sarif").stdout)["runs"][0]["results"]
    assert all("baselineState" not in r and "suppressions" not in r for r in plain)


def test_deploy_findings_fingerprint_their_flagged_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    check(tmp_path, "--write-baseline", "baseline.json", "--select", "PF402")
    # Another line of the same ENV instruction changes: the flagged line did not.
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace("PYTHONUNBUFFERED=1", "PYTHONUNBUFFERED=0"), encoding="utf-8")
    run = check(tmp_path, "--baseline", "baseline.json", "--select", "PF402")
    assert (run.code, last_line(run)) == (0, "No findings in 2 files; 1 hidden by the baseline.")
    # The flagged line itself changes: a new finding, and the old entry is stale.
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace("FLASK_DEBUG=1", "FLASK_DEBUG=true"), encoding="utf-8")
    run = check(tmp_path, "--baseline", "baseline.json", "--select", "PF402")
    assert (run.code, last_line(run)) == (1, "Found 1 finding (1 medium) in 2 files; 0 hidden by the baseline; "
                                             "1 baseline entry is stale.")


def test_paths_are_relative_to_the_baseline_file_not_the_cwd(project: Path) -> None:
    (project / "ci").mkdir()
    check(project, "--write-baseline", "ci/baseline.json")
    assert json.loads((project / "ci" / "baseline.json").read_text(encoding="utf-8"))["findings"][0]["path"] == "../app.py"
    run = check(project / "ci", "--baseline", "baseline.json", "..")
    assert (run.code, last_line(run)) == (0, "No findings in 1 file; 2 hidden by the baseline.")


def test_entries_the_run_could_not_have_matched_are_not_stale(project: Path) -> None:
    (project / "other.py").write_text(UNSAFE, encoding="utf-8")
    check(project, "--write-baseline", "baseline.json")
    # Only app.py checked: other.py's entries are neither hidden nor stale.
    run = check(project, "--baseline", "baseline.json", "app.py")
    assert last_line(run) == "No findings in 1 file; 2 hidden by the baseline."
    # PF102 not selected: its entries are not stale; PF101's are hidden.
    run = check(project, "--baseline", "baseline.json", "--select", "PF101")
    assert last_line(run) == "No findings in 2 files; 2 hidden by the baseline."
    # A deleted file under the scanned directory: its entries are stale.
    (project / "other.py").unlink()
    run = check(project, "--baseline", "baseline.json")
    assert last_line(run) == "No findings in 1 file; 2 hidden by the baseline; 2 baseline entries are stale."


def test_statistics_count_what_the_baseline_hid(project: Path) -> None:
    check(project, "--write-baseline", "baseline.json")
    (project / "app.py").write_text(UNSAFE + "app.run(debug=True)\n", encoding="utf-8")
    run = check(project, "--baseline", "baseline.json", "--statistics")
    assert run.stdout.splitlines()[-2:] == [
        "  1  PF101  debug-mode-enabled  [high]      (1 in the baseline)",
        "  1  PF102  unguarded-app-run   [high]      (1 in the baseline)",
    ]


@pytest.mark.parametrize("content, reason", [
    ("{", "not a baseline: invalid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
    ('{"schema_version": 1, "findings": []}', 'not a baseline: no "format": "flask-preflight-baseline" '
                                              "(write one with `check --write-baseline`)"),
    ('{"format": "flask-preflight-baseline", "version": 2, "findings": []}',
     "unsupported baseline version 2 (this flask-preflight reads version 1)"),
    ('{"format": "flask-preflight-baseline", "version": 1, "findings": {}}', 'not a baseline: "findings" is not a list'),
    ('{"format": "flask-preflight-baseline", "version": 1, "findings": [{"rule_id": "PF101"}]}',
     'findings[0]: "rule_name" is missing or not a string'),
    ('{"format": "flask-preflight-baseline", "version": 1, "findings": [{"rule_id": "PF101", "rule_name": "x", '
     '"path": "a.py", "fingerprint": "f", "occurrence": 0}]}', 'findings[0]: "occurrence" is not a positive integer'),
])
def test_a_corrupt_baseline_is_one_line_naming_file_and_reason(project: Path, content: str, reason: str) -> None:
    (project / "baseline.json").write_text(content, encoding="utf-8")
    run = check(project, "--baseline", "baseline.json")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"flask-preflight: error: baseline.json: {reason}\n"  # one line, no traceback


def test_missing_and_undecodable_baselines(project: Path) -> None:
    run = check(project, "--baseline", "nope.json")
    assert (run.code, run.stderr) == (2, "flask-preflight: error: nope.json: cannot read baseline: "
                                         "No such file or directory\n")
    (project / "bin.json").write_bytes(b"\xff\xfe{}")
    run = check(project, "--baseline", "bin.json")
    assert (run.code, run.stderr) == (2, "flask-preflight: error: bin.json: not a baseline: not UTF-8 "
                                         "(invalid start byte at byte 0)\n")


def test_baseline_and_write_baseline_together_is_a_usage_error(project: Path) -> None:
    run = check(project, "--baseline", "a.json", "--write-baseline", "b.json")
    assert run.code == 2 and run.stderr.startswith("flask-preflight: error: --baseline and --write-baseline cannot")
    assert not (project / "b.json").exists()


def test_write_baseline_of_an_incomplete_scan_says_what_is_missing(project: Path) -> None:
    (project / "broken.py").write_text("from flask import Flask\ndef f(:\n    pass\n", encoding="utf-8")
    run = check(project, "--write-baseline", "baseline.json")
    assert run.code == 3
    assert run.stderr.splitlines() == [
        "broken.py:2:7: error: syntax-error: cannot parse: invalid syntax",
        "flask-preflight: wrote 2 findings from 2 files to the baseline baseline.json; 1 could not be analyzed "
        "and are not in it",
    ]


# ---- in process: the atomic write and the fingerprint ----------------------------------------------------

def _finding(path: str, snippet: str, line: int = 4):
    return REGISTRY["PF101"].finding("m", Location(path, line, 15, line, 19), snippet=snippet)


def test_write_is_atomic_an_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "baseline.json"
    baseline.write([_finding(str(tmp_path / "app.py"), "app.run(debug=True)")], str(target), "1.0")
    old = target.read_bytes()
    calls: List[tuple] = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append((src, dst))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(baseline.os, "replace", failing_replace)
    with pytest.raises(baseline.BaselineError) as err:
        baseline.write([], str(target), "1.0")
    assert str(err.value) == f"{target}: cannot write baseline: No space left on device"
    assert target.read_bytes() == old  # untouched
    assert os.path.dirname(calls[0][0]) == str(tmp_path)  # the temporary file is beside it (same filesystem)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]  # and it was removed


def test_fingerprint_ignores_layout_and_comments_but_not_code() -> None:
    base = "/p"
    same = [_finding("/p/a.py", "app.run(debug=True)"), _finding("/p/a.py", "app.run( debug = True )  # x", 9)]
    (e1, _), (e2, _) = baseline.entries_for(same[:1], base) + baseline.entries_for(same[1:], base)
    assert e1.fingerprint == e2.fingerprint and e1.occurrence == e2.occurrence == 1
    other = baseline.entries_for([_finding("/p/a.py", "app.run(debug=1)")], base)[0][0]
    assert other.fingerprint != e1.fingerprint
    moved = baseline.entries_for([_finding("/p/b.py", "app.run(debug=True)")], base)[0][0]
    assert moved.fingerprint != e1.fingerprint  # the path is part of it
    both = baseline.entries_for(same, base)
    assert [e.occurrence for e, _ in both] == [1, 2]
