"""``flask --app X preflight``: the Flask CLI plugin (entry point ``flask.commands``), run as real ``flask``
processes in tests/fixtures/inspect/. The checks are the same as ``inspect``; the app is loaded by Flask's CLI."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

import pytest

pytest.importorskip("flask")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "inspect"
TIMEOUT = 90


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str
    report: Optional[Dict[str, Any]]

    @property
    def ids(self) -> List[str]:
        assert self.report is not None, self.stdout + self.stderr
        return sorted(f["rule_id"] for f in self.report["findings"])


def flask_cli(app: str, *args: str, tmp_path: Path, env: Optional[Dict[str, str]] = None,
              json_report: bool = True) -> Run:
    """``python -m flask --app APP preflight ARGS`` with the JSON report written to a file (the app may print)."""
    report = tmp_path / f"report-{secrets.token_hex(4)}.json"
    cmd = [sys.executable, "-m", "flask", "--app", app, "preflight", *args]
    if json_report:
        cmd += ["--format", "json", "-o", str(report)]
    full_env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_DEBUG", "APP_SETTINGS")}
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=str(FIXTURES), env=full_env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=TIMEOUT)
    data = json.loads(report.read_text()) if report.exists() else None
    return Run(proc.returncode, proc.stdout, proc.stderr, data)


def inspect_ids(target: str, *args: str) -> List[str]:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "inspect", target, *args, "--format", "json"],
                          cwd=str(FIXTURES), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)
    return sorted(f["rule_id"] for f in json.loads(proc.stdout)["findings"])


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    eps = entry_points()
    group = eps.select(group="flask.commands") if hasattr(eps, "select") else eps.get("flask.commands", [])
    names = {ep.name: ep.value for ep in group}
    assert names.get("preflight") == "flask_preflight.runtime.plugin:preflight_command", \
        "reinstall with `pip install -e .` so the flask.commands entry point exists"
    listing = subprocess.run([sys.executable, "-m", "flask", "--help"], cwd=str(FIXTURES), capture_output=True,
                             text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert "preflight" in listing.stdout


def test_same_findings_as_inspect(tmp_path: Path) -> None:
    run = flask_cli("plain_app", tmp_path=tmp_path)
    assert run.code == 1, run.stderr
    assert run.ids == inspect_ids("plain_app") == ["PF210", "PF503", "PF504", "PF505", "PF506", "PF508"]
    assert {f["path"] for f in run.report["findings"]} == {"plain_app.py"}  # type: ignore[index]
    key = secrets.token_hex(32)
    run = flask_cli("hardened", tmp_path=tmp_path, env={"SECRET_KEY": key})
    assert (run.code, run.ids) == (0, []), run.stderr


def test_factory_and_environment(tmp_path: Path) -> None:
    cfg = FIXTURES / "settings" / "debug.cfg"
    run = flask_cli("envfactory", tmp_path=tmp_path, env={"APP_SETTINGS": str(cfg)})
    assert run.code == 1
    assert "PF101" in run.ids
    run = flask_cli("envfactory:make_named('x', debug=True)", tmp_path=tmp_path)
    assert "PF101" in run.ids


def test_debug_set_in_code_is_not_overwritten_by_the_flask_cli(tmp_path: Path) -> None:
    # Flask's CLI normally sets app.debug from FLASK_DEBUG after loading; gunicorn does not.
    run = flask_cli("code_debug", tmp_path=tmp_path)
    assert "PF101" in run.ids


def test_app_run_at_import_is_reported_and_does_not_serve(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = flask_cli("run_app", tmp_path=tmp_path, env={"PORT": str(port)})
    assert run.code == 1
    pf102 = [f for f in run.report["findings"] if f["rule_id"] == "PF102"]  # type: ignore[index]
    assert [(f["path"], f["line"]) for f in pf102] == [("run_app.py", 7)]
    assert "never reached" in run.stderr  # in-process the call returns None, so the import completes
    with socket.socket() as s:
        s.settimeout(0.5)
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_load_failures_exit_3(tmp_path: Path) -> None:
    run = flask_cli("boom_app", tmp_path=tmp_path)
    assert run.code == 3 and run.report is None
    assert "flask-preflight: error: could not load boom_app: RuntimeError: cannot connect to the database" in run.stderr
    assert 'boom_app.py", line 11, in <module>' in run.stderr
    assert "flask/cli.py" not in run.stderr and "click" not in run.stderr
    run = flask_cli("nosuch", tmp_path=tmp_path)
    assert run.code == 3
    assert "could not load nosuch: Could not import 'nosuch'." in run.stderr
    run = flask_cli("not_flask:app", tmp_path=tmp_path)
    assert run.code == 3


def test_usage_error_exit_2(tmp_path: Path) -> None:
    run = flask_cli("plain_app", "--select", "PF5O1", tmp_path=tmp_path)
    assert run.code == 2
    assert "unknown rule selector 'PF5O1'" in run.stderr


def test_text_report_and_filters(tmp_path: Path) -> None:
    run = flask_cli("plain_app", "--select", "PF503", "--fail-on", "critical", tmp_path=tmp_path,
                    json_report=False, env={"NO_COLOR": "1"})
    assert run.code == 1
    assert run.stdout.startswith("plain_app.py:3:1: PF503 [critical]")
    run = flask_cli("plain_app", "--ignore", "PF503", "--fail-on", "critical", tmp_path=tmp_path)
    assert run.code == 0 and "PF503" not in run.ids


MICROBLOG = FIXTURES / "microblog_proj"


def run_in(cwd: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_DEBUG", "APP_SETTINGS")}
    return subprocess.run([sys.executable, *args], cwd=str(cwd), env=full_env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_app_output_does_not_corrupt_the_report_and_threads_do_not_block_exit(fmt: str) -> None:
    # the factory prints and starts a non-daemon thread; the view prints during the test-client request
    proc = run_in(MICROBLOG, "-m", "flask", "--app", "microblog", "preflight", "--format", fmt)
    data = json.loads(proc.stdout)  # nothing but the report on stdout
    assert data
    assert "creating the app" in proc.stderr and "serving /" in proc.stderr
    assert proc.returncode == 1


def test_the_apps_logged_exceptions_are_not_dumped() -> None:
    proc = run_in(MICROBLOG, "-m", "flask", "--app", "microblog", "preflight", "--format", "json")
    assert "Exception on / [GET]" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_locations_are_those_of_inspect() -> None:
    proc = run_in(MICROBLOG, "-m", "flask", "--app", "microblog", "preflight", "--format", "json")
    plugin = {(f["rule_id"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]}
    ins = run_in(MICROBLOG, "-m", "flask_preflight", "inspect", "microblog", "--format", "json")
    inspected = {(f["rule_id"], f["path"], f["line"]) for f in json.loads(ins.stdout)["findings"]}
    assert ("PF504", "microblog.py", 3) in plugin
    assert plugin == inspected


def test_location_is_a_file_for_a_named_attribute(tmp_path: Path) -> None:
    run = flask_cli("dispatch_app:frontend", tmp_path=tmp_path)
    assert {(f["path"], f["line"]) for f in run.report["findings"]} == {("dispatch_app.py", 4)}  # type: ignore[index]


def test_dotenv_files_flask_loaded_are_named() -> None:
    proc = run_in(MICROBLOG, "-m", "flask", "--app", "microblog", "preflight", "--format", "json")
    assert "Flask's CLI loaded .flaskenv" in proc.stderr
    assert "inspect` does not read them" in proc.stderr
