"""Issue 13, item 12: processes that leave inspect's process group must not outlive inspect.

A double fork with ``setsid()`` and ``Popen(..., start_new_session=True)`` used to survive the group kill
and keep serving on their port. The child is now a subreaper's fork (flask_preflight/runtime/reaper.py):
after inspect ends, a /proc scan for the test's token finds nothing and the port is closed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .inspect_support import (Run, alive, app_constant, attack_env, inspect, port_answers, shown_command,
                              survivors)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the subreaper is Linux-only")


def _gone(run: Run, env, pid: int) -> None:
    assert survivors(env["ATTACK_TOKEN"]) == [], run.stderr
    assert not alive(pid)
    assert not port_answers(int(env["ATTACK_PORT"]))


def test_setsid_double_fork_serving_the_debugger_is_killed_and_reported(tmp_path: Path) -> None:
    env = attack_env(ATTACK_PIDFILE=str(tmp_path / "pid"))
    run = inspect("escape_setsid:app", env)
    pid = int((tmp_path / "pid").read_text())
    port = env["ATTACK_PORT"]
    command = shown_command(sys.executable, "-c", app_constant("escape_setsid.py", "SERVER"), port,
                            env["ATTACK_PIDFILE"])
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == [(
        "PF104", "escape_setsid.py", 9, 1, "critical",
        "A Werkzeug development server started while escape_setsid:app was imported serves the Werkzeug "
        f"debugger on 127.0.0.1:{port} (held by process {pid} ({command})) with evalex=True: anyone who reaches "
        "it can run Python in that process; the app.run()/run_simple() guards did not stop it (found by its "
        "listening socket).")]
    assert run.warnings == [f"flask-preflight: warning: importing escape_setsid:app left 1 process running "
                            f"(pid {pid}: {command}); inspect killed it"]
    _gone(run, env, pid)


def test_new_session_popen_plain_server_is_killed_and_named_honestly(tmp_path: Path) -> None:
    env = attack_env(ATTACK_PIDFILE=str(tmp_path / "pid"))
    run = inspect("escape_popen:app", env)
    pid = int((tmp_path / "pid").read_text())
    port = env["ATTACK_PORT"]
    command = shown_command(sys.executable, "-m", "http.server", "--bind", "127.0.0.1", port)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == []  # not Werkzeug: no debugger finding is invented
    assert run.warnings == [
        f"flask-preflight: warning: importing escape_popen:app left 1 process running (pid {pid}: {command}); "
        "inspect killed it",
        f"flask-preflight: warning: importing escape_popen:app opened a listening socket on 127.0.0.1:{port} "
        f"(held by process {pid} ({command})) that is not a Werkzeug server (a metrics or admin endpoint?); "
        "every server worker importing the app opens it too; inspect closed it when it ended"]
    _gone(run, env, pid)


def test_an_import_that_cleans_up_after_itself_is_not_reported() -> None:
    # the tricky negative: a listening socket opened and closed, a subprocess that ended by itself
    env = attack_env()
    run = inspect("tidy_import:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == []
    assert run.warnings == []
    assert survivors(env["ATTACK_TOKEN"]) == []


def test_a_timed_out_import_serving_the_debugger_is_graded_then_killed() -> None:
    env = attack_env(ATTACK_BLOCK="1")  # run_simple in the main thread: the import never ends
    run = inspect("reload_run_simple:app", env, "--timeout", "5")
    port = env["ATTACK_PORT"]
    assert run.code == 3, run.stderr
    [error] = run.data["errors"]
    assert (error["kind"], error["path"], error["line"]) == ("timeout", "reload_run_simple.py", 20)
    assert error["reason"].startswith("import did not finish within 5 s (")
    assert run.rows("PF102", "PF104") == [(
        "PF104", "reload_run_simple.py", 20, 1, "critical",
        "A Werkzeug development server started while reload_run_simple:app was imported serves the Werkzeug "
        f"debugger on 127.0.0.1:{port} (held by process {_pid_in(run)} (the process importing the app)) with "
        "evalex=True: anyone who reaches it can run Python in that process; the app.run()/run_simple() guards "
        "did not stop it (found by its listening socket).")]
    assert survivors(env["ATTACK_TOKEN"]) == []
    assert not port_answers(int(port))


def _pid_in(run: Run) -> str:
    """The pid inspect named (the timed-out child's: not known to the test beforehand)."""
    [f] = [f for f in run.data["findings"] if f["rule_id"] == "PF104"]
    return f["message"].split("(held by process ", 1)[1].split(" ", 1)[0]


def test_killing_the_supervisor_does_not_let_a_setsid_server_escape(tmp_path: Path) -> None:
    env = attack_env(ATTACK_PIDFILE=str(tmp_path / "pid"))
    run = inspect("kill_supervisor:app", env)
    pid = int((tmp_path / "pid").read_text())
    command = shown_command(sys.executable, "-m", "http.server", "--bind", "127.0.0.1", env["ATTACK_PORT"])
    assert run.code == 3, run.stderr
    [error] = run.data["errors"]
    assert (error["kind"], error["path"]) == ("import-error", "kill_supervisor:app")
    assert error["reason"].startswith("the process importing kill_supervisor:app was killed by SIGKILL and left no "
                                      "result")
    assert run.warnings == [
        "flask-preflight: warning: the supervisor of the process that imported kill_supervisor:app left no report "
        "(was it killed?): what the import left running was found by this run's environment marker only",
        f"flask-preflight: warning: 1 process started by importing kill_supervisor:app escaped its supervisor "
        f"(pid {pid}: {command}); inspect killed it"]
    _gone(run, env, pid)
