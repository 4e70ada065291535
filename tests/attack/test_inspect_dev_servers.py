"""Issue 13, item 13 (inspect): servers the guards do not see are found by their effect.

``make_server(..., DebuggedApplication(app, evalex=True))`` in an import-time thread and
``importlib.reload(werkzeug.serving).run_simple(...)`` start a debugger without a guarded call; a
``DebuggedApplication`` kept in a global is never in the served stack. inspect finds the listening socket
(and the Werkzeug server object holding it) or the object itself (gc).
"""

from __future__ import annotations

import socket
import sys

import pytest

from .inspect_support import attack_env, inspect, port_answers, survivors

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")

GUARDS = "the app.run()/run_simple() guards did not stop it (found by its listening socket)."


def _after(env) -> None:
    assert survivors(env["ATTACK_TOKEN"]) == []
    assert not port_answers(int(env["ATTACK_PORT"]))


@pytest.mark.parametrize("app, line", [("thread_debugger", 14), ("reload_run_simple", 13)])
def test_debugger_served_from_an_import_time_thread_is_pf104_critical(app: str, line: int) -> None:
    env = attack_env()
    run = inspect(f"{app}:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == [(
        "PF104", f"{app}.py", line, 1, "critical",
        f"A Werkzeug development server started while {app}:app was imported serves the Werkzeug debugger on "
        f"127.0.0.1:{env['ATTACK_PORT']} (held by this process) with evalex=True: anyone who reaches it can run "
        f"Python in that process; {GUARDS}")]
    [f] = [f for f in run.data["findings"] if f["rule_id"] == "PF104"]
    assert f["evidence"] == f"listening socket 127.0.0.1:{env['ATTACK_PORT']}: DebuggedApplication(evalex=True)"
    assert run.warnings == []
    _after(env)


def test_a_debugger_on_ipv6_loopback_is_named_with_its_bracketed_address() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    env = attack_env(ATTACK_HOST="::1")
    run = inspect("thread_debugger:app", env)
    assert run.code == 1, run.stderr
    assert [(r[0], r[4]) for r in run.rows("PF102", "PF104")] == [("PF104", "critical")]
    [f] = [f for f in run.data["findings"] if f["rule_id"] == "PF104"]
    assert f["evidence"] == f"listening socket [::1]:{env['ATTACK_PORT']}: DebuggedApplication(evalex=True)"
    assert survivors(env["ATTACK_TOKEN"]) == []


def test_a_bare_development_server_in_a_thread_is_pf102_not_pf104() -> None:
    env = attack_env(ATTACK_PLAIN="1")
    run = inspect("thread_debugger:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == [(
        "PF102", "thread_debugger.py", 14, 1, "high",
        "A Werkzeug development server started while thread_debugger:app was imported listens on "
        f"127.0.0.1:{env['ATTACK_PORT']} (held by this process): a WSGI server importing the module starts it "
        f"beside the app; {GUARDS}")]
    _after(env)


def test_a_debugger_kept_outside_the_served_stack_is_found_in_memory() -> None:
    env = attack_env()
    run = inspect("hidden_debugger:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == [(
        "PF104", "hidden_debugger.py", 7, 1, "critical",
        "A Werkzeug DebuggedApplication (evalex=True) exists in memory after hidden_debugger:app was imported, "
        "outside the served WSGI stack: whatever holds it (a thread, a global, a second server) can hand it "
        "requests.")]


def test_a_debugger_in_the_served_stack_is_reported_once_by_the_stack_check() -> None:
    env = attack_env()
    run = inspect("stack_debugger:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == [(
        "PF104", "stack_debugger.py", 7, 1, "critical",
        "The Werkzeug debugger wraps the loaded app (app.wsgi_app is a DebuggedApplication) with evalex=True: "
        "anyone who reaches a traceback page or /console can run Python in the server process, protected only "
        "by the debugger PIN.")]


def test_a_metrics_port_is_a_warning_not_a_debugger_finding() -> None:
    env = attack_env()
    run = inspect("metrics_port:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == []
    assert run.warnings == [
        f"flask-preflight: warning: importing metrics_port:app opened a listening socket on "
        f"127.0.0.1:{env['ATTACK_PORT']} (held by this process) that is not a Werkzeug server (a metrics or admin "
        "endpoint?); every server worker importing the app opens it too; inspect closed it when it ended"]
    _after(env)


def test_a_debugger_whose_werkzeug_modules_were_reloaded_after_it_started_is_still_pf104() -> None:
    """Review of issue 13: after ``importlib.reload(werkzeug.debug)`` and ``(werkzeug.serving)`` the live server
    and its debugger are instances of classes the modules no longer name; ``isinstance`` missed both, and the
    debugger on its port was a mere warning about "a metrics or admin endpoint"."""
    env = attack_env()
    run = inspect("reload_after_start:app", env)
    assert run.code == 1, run.stderr
    assert run.rows("PF102", "PF104") == [(
        "PF104", "reload_after_start.py", 14, 1, "critical",
        f"A Werkzeug development server started while reload_after_start:app was imported serves the Werkzeug "
        f"debugger on 127.0.0.1:{env['ATTACK_PORT']} (held by this process) with evalex=True: anyone who reaches "
        f"it can run Python in that process; {GUARDS}")]
    assert run.warnings == []
    _after(env)


def test_a_debugger_that_patched_the_in_process_scan_is_found_by_the_supervisor() -> None:
    """Review of issue 13: the import replaces ``ServerScan``'s methods and serves the debugger from a thread;
    the in-process scan reported nothing. The supervisor, whose memory the app never touched, watches the
    sockets below it while the import runs and asks the new one ``GET /console``."""
    env = attack_env()
    run = inspect("patch_the_scan:app", env)
    assert run.code == 1, run.stderr
    [row] = run.rows("PF102", "PF104")
    pid = row[5].split("(held by process ", 1)[1].split(" ", 1)[0]
    assert row == (
        "PF104", "patch_the_scan.py", 15, 1, "critical",
        f"A Werkzeug development server started while patch_the_scan:app was imported serves the Werkzeug "
        f"debugger on 127.0.0.1:{env['ATTACK_PORT']} (held by process {pid} (the process importing the app)) with "
        f"evalex=True: anyone who reaches it can run Python in that process; {GUARDS}")
    [f] = [f for f in run.data["findings"] if f["rule_id"] == "PF104"]
    assert f["evidence"] == f"listening socket 127.0.0.1:{env['ATTACK_PORT']}: DebuggedApplication(evalex=True)"
    _after(env)


def test_silent_sockets_do_not_hide_a_debugger_from_the_supervisor() -> None:
    """Twenty sockets that never answer, opened before the debugger: probed one by one (2 s each), the
    supervisor's watch would still be waiting on them when the import's process ended; probed together, the
    debugger is answered in time."""
    env = attack_env(ATTACK_TARPITS="20")
    run = inspect("tarpits_then_debugger:app", env)
    assert run.code == 1, run.stderr
    assert [(r[0], r[4]) for r in run.rows("PF102", "PF104")] == [("PF104", "critical")]
    [f] = [f for f in run.data["findings"] if f["rule_id"] == "PF104"]
    assert f["evidence"] == f"listening socket 127.0.0.1:{env['ATTACK_PORT']}: DebuggedApplication(evalex=True)"
    _after(env)
