"""``flask-preflight inspect`` end to end, in real processes, on the fixture apps in tests/fixtures/inspect/.

What is asserted here is the loader's contract: which app gets loaded and with which environment, exit
codes, error messages, the timeout, the server-start guard, and that findings flow through the reporters
and --select/--ignore/inline suppression. The exact rule ids come from the runtime checks
(flask_preflight/runtime/checks.py); they are asserted where the fixture's configuration makes them certain.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

import pytest

pytest.importorskip("flask")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "inspect"
REPO = Path(__file__).resolve().parents[2]
# Every subprocess gets one: the liveness bound (a hang fails the test instead of stopping the suite); a run
# normally takes about a second. No test asserts how fast a run is: that is benchmarks/bench_inspect.py's job.
TIMEOUT = 90

PLAIN_IDS = ["PF210", "PF503", "PF504", "PF505", "PF506", "PF508"]


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str
    elapsed: float

    @property
    def data(self) -> Dict[str, Any]:
        return json.loads(self.stdout)

    @property
    def ids(self) -> List[str]:
        return sorted(f["rule_id"] for f in self.data["findings"])

    @property
    def errors(self) -> List[Dict[str, Any]]:
        return self.data["errors"]

    def finding(self, rule_id: str) -> Dict[str, Any]:
        (found,) = [f for f in self.data["findings"] if f["rule_id"] == rule_id]
        return found


def inspect(*args: str, cwd: Path = FIXTURES, env: Optional[Dict[str, str]] = None, fmt: Optional[str] = "json",
            timeout: float = TIMEOUT) -> Run:
    cmd = [sys.executable, "-m", "flask_preflight", "inspect", *args]
    if fmt:
        cmd += ["--format", fmt]
    full_env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_DEBUG", "APP_SETTINGS")}
    full_env.update(env or {})
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=str(cwd), env=full_env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def strong_key() -> str:
    return secrets.token_hex(32)


# --- loading: the forms of TARGET and the environment --------------------------------------------------


def test_factory_config_from_envvar_named_file() -> None:
    cfg = FIXTURES / "settings" / "debug.cfg"
    run = inspect("envfactory", "--env", f"APP_SETTINGS={cfg}")
    assert run.code == 1, run.stderr
    assert run.errors == []
    assert run.ids == sorted(["PF101"] + PLAIN_IDS)
    pf101 = run.finding("PF101")
    assert (pf101["path"], pf101["line"]) == ("envfactory/__init__.py", 6)  # `def create_app():`
    assert pf101["evidence"] == "app.debug is True after loading"


def test_factory_without_its_env_var_cannot_load() -> None:
    run = inspect("envfactory")
    assert run.code == 3
    (err,) = run.errors
    assert (err["kind"], err["path"], err["line"]) == ("import-error", "envfactory/__init__.py", 8)
    assert err["reason"].startswith("importing envfactory raised RuntimeError: The environment variable "
                                    "'APP_SETTINGS' is not set")
    assert 'envfactory/__init__.py", line 8, in create_app' in err["reason"]


def test_env_file_and_env_override_it() -> None:
    run = inspect("envfactory", "--env-file", "settings/production.env")
    assert run.code == 1
    assert "PF501" in run.ids and "PF101" not in run.ids  # prod.cfg: TESTING = True
    # python-dotenv skips the malformed line 3; we say so, with the file and line
    assert "settings/production.env:3: python-dotenv cannot parse this line" in run.stderr
    cfg = FIXTURES / "settings" / "debug.cfg"
    run = inspect("envfactory", "--env-file", "settings/production.env", "--env", f"APP_SETTINGS={cfg}")
    assert "PF101" in run.ids and "PF501" not in run.ids


def test_factory_call_with_literal_arguments() -> None:
    run = inspect("envfactory:make_named('x', debug=True)")
    assert run.code == 1, run.stdout + run.stderr
    assert "PF101" in run.ids
    assert run.finding("PF101")["line"] == 12  # `def make_named(...)`
    run = inspect("envfactory:make_named('x')")
    assert "PF101" not in run.ids


def test_file_path_target_uses_the_package_root() -> None:
    run = inspect("src_layout/proj/web/wsgi.py")  # `from proj.web import build` needs src_layout on sys.path
    assert run.code == 1, run.stdout
    assert run.errors == []
    assert {f["path"] for f in run.data["findings"]} == {"src_layout/proj/web/wsgi.py"}
    assert {f["line"] for f in run.data["findings"]} == {3}
    run = inspect("src_layout/proj/web/wsgi.py:application")
    assert run.errors == []


def test_chdir_loads_from_that_directory_and_paths_stay_relative_to_the_caller() -> None:
    run = inspect("--chdir", str(FIXTURES.relative_to(REPO)), "plain_app", cwd=REPO)
    assert run.code == 1
    assert {f["path"] for f in run.data["findings"]} == {"tests/fixtures/inspect/plain_app.py"}


def test_flask_app_from_the_environment() -> None:
    run = inspect(env={"FLASK_APP": "plain_app:app"})
    assert run.code == 1 and run.ids == PLAIN_IDS
    run = inspect("--env", "FLASK_APP=plain_app")
    assert run.code == 1 and run.ids == PLAIN_IDS
    run = inspect(env={"FLASK_APP": "plain_app:app("})
    assert run.code == 2
    assert "FLASK_APP 'plain_app:app(': cannot parse" in run.stderr


def test_dotenv_files_are_read_only_when_passed() -> None:
    proj = FIXTURES / "dotenv_proj"
    run = inspect(cwd=proj)
    assert run.code == 2
    assert "no TARGET given, FLASK_APP is not set" in run.stderr
    run = inspect("--env-file", ".flaskenv", cwd=proj)
    assert run.code == 1 and "PF501" not in run.ids  # .env (SITE_MODE) was not read
    run = inspect("--env-file", ".flaskenv", "--env-file", ".env", cwd=proj)
    assert "PF501" in run.ids


def test_default_wsgi_py() -> None:
    run = inspect(cwd=FIXTURES / "wsgi_proj")
    assert run.code == 1
    assert "PF501" in run.ids  # application.testing = True
    assert {f["path"] for f in run.data["findings"]} == {"wsgi.py"}


def test_several_apps_need_a_name() -> None:
    run = inspect("two_apps")
    assert run.code == 3
    assert "module 'two_apps' has several Flask applications (admin, public)" in run.errors[0]["reason"]
    assert inspect("two_apps:admin").code == 1


def test_factory_that_needs_arguments() -> None:
    run = inspect("needs_args")
    assert run.code == 3
    assert "needs_args:create_app() could not be called with these arguments" in run.errors[0]["reason"]
    assert inspect("needs_args:create_app('prod')").errors == []


# --- middleware ------------------------------------------------------------------------------------


def test_debugged_application_in_wsgi_app() -> None:
    run = inspect("debugged_app")
    assert run.code == 1
    assert run.ids == sorted(["PF104", "PF210", "PF502", "PF504", "PF505", "PF506", "PF508"])
    assert run.finding("PF104")["severity"] == "critical"


@pytest.mark.parametrize("target", ["debugged_outer:application", "debugged_outer"])
def test_debugged_application_around_the_app(target: str) -> None:
    run = inspect(target)
    assert run.code == 1
    pf104 = run.finding("PF104")
    assert (pf104["path"], pf104["line"]) == ("debugged_outer.py", 5)
    assert "DebuggedApplication) with evalex=True" in pf104["message"]


def test_dispatcher_middleware_is_unwrapped() -> None:
    run = inspect("dispatch_app:application")
    assert run.code == 1 and run.errors == []


def test_dispatcher_mounts_are_checked_too() -> None:
    run = inspect("dispatch_debug:application")
    assert run.code == 1 and run.errors == []
    by_rule: Dict[str, List[Dict[str, Any]]] = {}
    for f in run.data["findings"]:
        by_rule.setdefault(f["rule_id"], []).append(f)
    (pf104,) = by_rule["PF104"]
    assert pf104["severity"] == "critical" and "the app mounted at /api" in pf104["message"]
    (pf101,) = by_rule["PF101"]
    assert "the app mounted at /api" in pf101["message"]
    (pf503,) = by_rule["PF503"]
    assert "the app mounted at /api" in pf503["message"]
    (pf502,) = by_rule["PF502"]  # the frontend, which has no key
    assert "mounted" not in pf502["message"]
    assert {(f["path"], f["line"]) for f in run.data["findings"]} == {("dispatch_debug.py", 8)}


def test_proxy_fix_around_the_app_is_checked() -> None:
    run = inspect("proxy_outer:application")
    assert run.errors == []
    pf509 = run.finding("PF509")
    assert (pf509["path"], pf509["line"], pf509["severity"]) == ("proxy_outer.py", 5, "medium")
    assert "3 (x_for)" in pf509["message"]


def test_hardened_app_has_no_findings() -> None:
    run = inspect("hardened", "--env", f"SECRET_KEY={strong_key()}")
    assert (run.code, run.ids, run.errors) == (0, [], []), run.stdout + run.stderr


# --- imports that misbehave --------------------------------------------------------------------------


def test_hanging_import_is_killed_at_the_timeout() -> None:
    run = inspect("hang_app", "--timeout", "3", timeout=60)  # the app sleeps an hour: 60 s is the liveness bound
    assert run.code == 3
    (err,) = run.errors
    assert err["kind"] == "timeout"
    assert (err["path"], err["line"]) == ("hang_app.py", 8)  # time.sleep(3600), from the stack dump
    first = err["reason"].splitlines()[0]
    assert first.startswith("import did not finish within 3 s (last output: connecting to the database...)")


def test_hanging_import_text_report() -> None:
    run = inspect("hang_app", "--timeout", "2", fmt="text", timeout=60)
    assert run.code == 3
    assert "hang_app.py:8: error: timeout: import did not finish within 2 s" in run.stdout
    assert '      File "hang_app.py", line 8 in <module>' in run.stdout


def test_checks_that_hang_are_killed_too() -> None:
    run = inspect("slow_route", "--timeout", "3", timeout=60)  # GET / sleeps for an hour; 60 s: liveness bound
    assert run.code == 3
    (err,) = run.errors
    assert err["kind"] == "timeout"
    assert err["reason"].startswith("checking slow_route did not finish within 3 s: the app was imported")
    assert (err["path"], err["line"]) == ("slow_route.py", 10)


def test_what_the_checks_could_not_do_is_a_warning() -> None:
    run = inspect("slow_route")  # the checks give up on GET / after their own request timeout
    assert run.code == 1 and run.errors == []
    assert "flask-preflight: warning: " in run.stderr


def test_app_run_at_import_is_stopped_and_reported() -> None:
    port = free_port()
    # A started server would block until --timeout: with 600 s the run would outlive the 120 s liveness bound
    # (the subprocess timeout), so waiting for the timeout fails without asserting any speed.
    run = inspect("run_app", "--env", f"PORT={port}", "--timeout", "600", timeout=120)
    assert not listening(port)
    assert run.code == 3
    pf102 = run.finding("PF102")
    assert (pf102["path"], pf102["line"], pf102["column"]) == ("run_app.py", 7, 1)
    assert pf102["message"].startswith("app.run() was called while the module was imported")
    (err,) = run.errors
    assert (err["kind"], err["path"], err["line"]) == ("import-error", "run_app.py", 7)
    assert err["reason"].startswith("import stopped at app.run()")
    assert run.ids == ["PF102"]  # the module is incomplete, so nothing else is checked
    assert "never reached" not in run.stdout + run.stderr


def test_app_run_swallowed_by_the_app_still_reported_and_checked() -> None:
    port = free_port()
    run = inspect("swallow_run", "--env", f"PORT={port}")
    assert not listening(port)
    assert run.code == 1 and run.errors == []
    assert (run.finding("PF102")["line"]) == 9
    assert "PF502" in run.ids  # the rest of the module ran and was checked


def test_exception_at_import_reports_the_traceback_tail() -> None:
    run = inspect("boom_app")
    assert run.code == 3
    (err,) = run.errors
    assert (err["kind"], err["path"], err["line"]) == ("import-error", "boom_app.py", 7)
    reason = err["reason"]
    assert reason.startswith("importing boom_app raised RuntimeError: cannot connect to the database at "
                             "'postgres://localhost/shop'\nTraceback (most recent call last):\n")
    assert 'boom_app.py", line 11, in <module>' in reason
    assert reason.rstrip().endswith("RuntimeError: cannot connect to the database at 'postgres://localhost/shop'")
    assert "flask_preflight" not in reason and "importlib" not in reason  # none of our frames
    assert len(reason.splitlines()) <= 17
    assert "Traceback" not in run.stderr


def test_exception_text_report_indents_the_traceback() -> None:
    run = inspect("boom_app", fmt="text")
    assert run.code == 3
    lines = run.stdout.splitlines()
    i = lines.index("boom_app.py:7: error: import-error: importing boom_app raised RuntimeError: cannot connect "
                    "to the database at 'postgres://localhost/shop'")
    assert lines[i + 1] == "    Traceback (most recent call last):"
    assert run.stdout.rstrip().endswith("The app was not loaded, so it was not checked; see the error above.")


def test_sys_exit_at_import() -> None:
    run = inspect("exit_app")
    assert run.code == 3
    (err,) = run.errors
    assert (err["path"], err["line"]) == ("exit_app.py", 9)
    assert err["reason"].startswith("sys.exit(4) was called while importing exit_app")
    ok = inspect("exit_app", "--env", f"SECRET_KEY={strong_key()}")
    assert ok.errors == [] and ok.code == 1


def test_missing_module() -> None:
    run = inspect("nosuch:app")
    assert run.code == 3
    (err,) = run.errors
    assert (err["kind"], err["path"]) == ("import-error", "nosuch:app")
    assert err["reason"].startswith("cannot import 'nosuch' for nosuch:app: no module named 'nosuch'")


def test_missing_dependency_of_the_app() -> None:
    run = inspect("missing_dep")
    assert run.code == 3
    (err,) = run.errors
    assert (err["path"], err["line"]) == ("missing_dep.py", 3)
    assert "a module it needs is missing (No module named 'nosuch_dependency_for_preflight_tests')" in err["reason"]


@pytest.mark.parametrize("target, message", [
    ("not_flask:app", "not_flask:app is not a Flask application (a function)"),
    ("not_flask", "no Flask application or factory found in module 'not_flask'"),
    ("plain_app:nothing_here", "module 'plain_app' has no attribute 'nothing_here'"),
])
def test_not_a_flask_app(target: str, message: str) -> None:
    run = inspect(target)
    assert run.code == 3
    assert run.errors[0]["reason"] == message or run.errors[0]["reason"].startswith(message)


def test_output_stdin_threads_of_the_app_do_not_leak_or_block() -> None:
    run = inspect("noisy_app")  # prints 2000 JSON-looking lines, reads stdin
    assert run.code == 1 and run.errors == []  # stdout is exactly our report
    run = inspect("thread_app")  # a non-daemon thread that never ends: waiting for it would hit TIMEOUT
    assert run.code == 1 and run.errors == []  # not stopped by --timeout (that would be exit 3, a timeout error)


def test_processes_the_import_started_are_killed(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    run = inspect("grandchild_app", "--env", f"PIDFILE={pidfile}")
    assert run.code == 1 and run.errors == []
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 30  # liveness: a killed process is normally gone at once
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    if status.exists():  # a killed process whose parent is gone may linger as a zombie until init reaps it
        try:
            return "\nState:\tZ" not in status.read_text()
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


# --- usage errors: exit 2, nothing runs -------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["plain_app:app.wsgi_app"], "TARGET 'plain_app:app.wsgi_app': cannot parse 'app.wsgi_app'"),
    (["plain_app:create(os.environ)"], "the arguments must be literal values"),
    (["no_such_file.py"], "TARGET 'no_such_file.py': no_such_file.py: no such file"),
    (["plain_app", "--env", "NOEQUALS"], "--env 'NOEQUALS': expected KEY=VALUE"),
    (["plain_app", "--env-file", "missing.env"], "--env-file missing.env: cannot read"),
    (["plain_app", "--env-file", "settings"], "Error: Invalid value for '--env-file'"),
    (["plain_app", "--select", "PF5O1"], "unknown rule selector 'PF5O1'"),
    (["plain_app", "--timeout", "0"], "Invalid value for '--timeout'"),
    (["plain_app", "--chdir", "no/such/dir"], "Invalid value for '--chdir'"),
])
def test_usage_errors(args: List[str], message: str) -> None:
    run = inspect(*args)
    assert run.code == 2, run.stdout + run.stderr
    assert message in run.stderr
    assert run.stdout == ""


def test_no_target_anywhere(tmp_path: Path) -> None:
    run = inspect(cwd=tmp_path)
    assert run.code == 2
    assert f"no TARGET given, FLASK_APP is not set and there is no wsgi.py or app.py in {tmp_path}" in run.stderr


# --- reporting: formats, filters, exit codes ---------------------------------------------------------


def test_select_ignore_fail_on_and_inline_suppression() -> None:
    assert inspect("plain_app", "--select", "PF503").ids == ["PF503"]
    assert inspect("plain_app", "--ignore", "PF5").ids == ["PF210"]
    assert inspect("plain_app", "--fail-on", "never").code == 0
    assert inspect("plain_app", "--fail-on", "critical").code == 1  # PF503 'dev' is critical
    assert inspect("plain_app", "--ignore", "PF503", "--fail-on", "critical").code == 0
    assert inspect("boom_app", "--fail-on", "never").code == 3  # could not inspect: never a pass
    run = inspect("suppressed_app")  # `# preflight: ignore[PF502, PF504]` on the app's line
    assert "PF502" not in run.ids and "PF504" not in run.ids and "PF210" in run.ids
    assert run.data["summary"]["suppressed"] == 2


def test_sarif_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    run = inspect("boom_app", "-o", str(out), fmt="sarif")
    assert run.code == 3 and run.stdout == ""
    assert "the app could not be fully inspected" in run.stderr
    sarif = json.loads(out.read_text())
    (note,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "import-error"
    assert "RuntimeError: cannot connect" in note["message"]["text"]
    run = inspect("plain_app", fmt="sarif")
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == PLAIN_IDS


def test_text_report() -> None:
    run = inspect("plain_app", fmt="text", env={"NO_COLOR": "1"})
    assert run.code == 1
    assert "plain_app.py:3:1: PF503 [critical]" in run.stdout
    assert "  3 | app = Flask(__name__)" in run.stdout
    assert run.stdout.rstrip().endswith("in 1 file.")


def test_help_says_it_executes_code() -> None:
    run = inspect("--help", fmt=None)
    assert run.code == 0
    assert "IMPORTS AND EXECUTES" in run.stdout
    listing = subprocess.run([sys.executable, "-m", "flask_preflight", "--help"], capture_output=True, text=True,
                             timeout=TIMEOUT)
    assert "inspect" in listing.stdout


# --- the pieces, in-process ---------------------------------------------------------------------------


def test_run_inspect_api() -> None:
    from flask_preflight.runtime.inspect import run_inspect
    from flask_preflight.runtime.target import TargetError

    notes: List[str] = []
    result = run_inspect("plain_app", {}, timeout=60, cwd=str(FIXTURES), display_root=str(FIXTURES), notes=notes)
    assert sorted(f.rule_id for f in result.findings) == PLAIN_IDS
    assert result.problems == [] and notes == []
    assert {f.location.path for f in result.findings} == {"plain_app.py"}
    result = run_inspect(None, {"FLASK_APP": "boom_app"}, timeout=60, cwd=str(FIXTURES), display_root=str(FIXTURES))
    assert [p.kind.value for p in result.problems] == ["import-error"]
    with pytest.raises(TargetError):
        run_inspect("plain_app:", {}, cwd=str(FIXTURES))


def test_server_guards_record_the_caller_and_cannot_be_caught_as_exception() -> None:
    import flask
    import werkzeug.serving

    from flask_preflight.runtime.child import ServerGuards, _ServerStartBlocked

    original_run, original_run_simple = flask.Flask.run, werkzeug.serving.run_simple
    guards = ServerGuards(raising=True).install()
    try:
        app = flask.Flask("guarded")
        with pytest.raises(_ServerStartBlocked):
            try:
                run_line = sys._getframe().f_lineno + 1
                app.run(port=free_port())
            except Exception:  # what an app's broad handler would do
                pytest.fail("the guard's exception must not be an Exception")
        from werkzeug.serving import run_simple

        guards.raising = False
        simple_line = sys._getframe().f_lineno + 1
        assert run_simple("127.0.0.1", free_port(), app) is None
        assert [(s.kind, s.path, s.line) for s in guards.starts] == [
            ("app.run()", __file__, run_line), ("run_simple()", __file__, simple_line)]
    finally:
        guards.restore()
    assert (flask.Flask.run, werkzeug.serving.run_simple) == (original_run, original_run_simple)


def test_stack_dump_parsing_prefers_the_main_thread() -> None:
    from flask_preflight.runtime import inspect as parent

    child_file = os.path.join(os.path.dirname(parent.__file__), "child.py")
    dump = "\n".join([
        "Thread 0x00007f0000000001 (most recent call first):",
        '  File "/srv/app/poller.py", line 9 in poll_forever',
        '  File "/usr/lib/python3.11/threading.py", line 975 in run',
        "",
        "Current thread 0x00007f0000000002 (most recent call first):",
        '  File "/srv/app/db.py", line 40 in connect',
        '  File "/srv/app/wsgi.py", line 7 in <module>',
        '  File "<frozen importlib._bootstrap>", line 241 in _call_with_frames_removed',
        f'  File "{child_file}", line 300 in main',
    ])
    frames = parent._stack_frames(dump)
    assert frames == [("/srv/app/db.py", 40, "connect"), ("/srv/app/wsgi.py", 7, "<module>")]
    assert parent._pick_frame(frames, ["/srv/app"], "/elsewhere") == ("/srv/app/db.py", 40, "connect")
    assert parent._stack_frames("") == []


def test_text_summary_says_the_app_was_not_loaded() -> None:
    run = inspect("boom_app", fmt="text", env={"NO_COLOR": "1"})
    assert run.code == 3
    assert "the app was not loaded" in run.stdout.lower()
    assert "No findings in 1 file" not in run.stdout
    run = inspect("run_app", "--env", f"PORT={free_port()}", fmt="text", env={"NO_COLOR": "1"})
    assert "the app was not loaded" in run.stdout.lower() and "1 finding from the import itself" in run.stdout


def test_missing_environment_variable_suggests_env() -> None:
    run = inspect("env_key_app")
    assert run.code == 3
    (err,) = run.errors
    assert "KeyError: 'PF_TEST_SECRET_KEY'" in err["reason"]
    assert "--env PF_TEST_SECRET_KEY=..." in err["reason"]
    run = inspect("env_key_app", "--env", "PF_TEST_SECRET_KEY=x")
    assert run.errors == []


def test_deployment_files_tell_inspect_there_is_a_reverse_proxy():
    """PF509's "proxy in front but no ProxyFix" needs the deploy files: inspect reads them from the project."""
    run = inspect("app:app", "--select", "PF509", cwd=FIXTURES / "behind_nginx")
    report = json.loads(run.stdout)
    assert [(f["rule_id"], f["severity"]) for f in report["findings"]] == [("PF509", "low")], run.stderr
    assert "reverse proxy" in report["findings"][0]["message"]
    # The same app without deployment files: unknown, so no finding.
    assert json.loads(inspect("debugged_app:app", "--select", "PF509").stdout)["findings"] == []
