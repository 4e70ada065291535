"""Issue 13, item 13 (serve): a server started beside the app, without a guarded call, is never served with.

The pre-start check refuses it like inspect reports it (PF104 cannot be allowed). When only the worker's
import starts it (the app behaves during the check: ATTACK_MARKER), the worker finds it by its effect,
shuts it down, kills what the import started and refuses; serve exits 1 and nothing answers afterwards.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from .inspect_support import HOST, alive, attack_env, free_port, port_answers, serve, survivors

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux-only")


def _nothing_left(env, bind_port: int) -> None:
    assert survivors(env["ATTACK_TOKEN"]) == []
    assert not port_answers(int(env["ATTACK_PORT"]))
    assert not port_answers(bind_port)


def test_the_pre_start_check_refuses_a_debugger_in_an_import_time_thread() -> None:
    env = attack_env()
    port = free_port()
    run = serve("thread_debugger:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    assert run.code == 1, run.stderr
    assert "refusing to start thread_debugger:app: 1 blocking finding" in run.stderr
    assert (f"  PF104 werkzeug-debugger-enabled (critical) thread_debugger.py:14: A Werkzeug development server "
            f"started while thread_debugger:app was imported serves the Werkzeug debugger on "
            f"127.0.0.1:{env['ATTACK_PORT']} (held by this process)") in run.stderr
    assert "Booting worker" not in run.stderr
    _nothing_left(env, port)


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_a_worker_refuses_a_debugger_its_own_import_started(tmp_path: Path, server: str) -> None:
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"))
    port = free_port()
    extra = ["--workers", "1"] if server == "gunicorn" else []
    run = serve("thread_debugger:app", env, "--bind", f"{HOST}:{port}", "--server", server, *extra)
    reason = (f"a Werkzeug development server started by the import serves the debugger on "
              f"127.0.0.1:{env['ATTACK_PORT']} (held by this process)")
    assert run.code == 1, run.stderr
    if server == "gunicorn":
        assert "flask-preflight serve: worker " in run.stderr and f" refuses to serve: {reason}\n" in run.stderr
        assert run.stderr.count("Booting worker") == 1  # halted, not respawned
    else:
        assert f"flask-preflight serve: refusing to serve thread_debugger:app: {reason}\n" in run.stderr
    assert "Traceback" not in run.stderr
    _nothing_left(env, port)


def test_a_worker_refuses_and_kills_a_setsid_server_its_import_left(tmp_path: Path) -> None:
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"), ATTACK_PIDFILE=str(tmp_path / "pid"))
    port = free_port()
    run = serve("escape_setsid:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    pid = int((tmp_path / "pid").read_text())
    assert run.code == 1, run.stderr
    assert (f" refuses to serve: a Werkzeug development server started by the import serves the debugger on "
            f"127.0.0.1:{env['ATTACK_PORT']} (held by process {pid} (") in run.stderr
    assert not alive(pid)
    _nothing_left(env, port)


def test_a_metrics_port_opened_by_the_worker_is_a_warning_and_the_app_is_served(tmp_path: Path) -> None:
    # the tricky negative: a listening socket that is not Werkzeug does not stop the worker
    from probe.conftest import start_server

    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"))
    server = start_server("metrics", lambda port: [sys.executable, "-m", "flask_preflight", "serve",
                                                   "metrics_port:app", "--bind", f"{HOST}:{port}", "--workers", "1"],
                          log_dir=tmp_path, cwd=Path(__file__).parent / "apps", env=env, ready_timeout=45)
    try:
        import urllib.request

        import urllib.error

        status = None
        for _ in range(100):  # the arbiter binds before the worker has loaded the app
            try:
                urllib.request.urlopen(f"http://{HOST}:{server.port}/", timeout=5)
            except urllib.error.HTTPError as exc:
                status = exc.code  # the app answers: it has no routes
                break
            except OSError:
                time.sleep(0.1)
        assert status == 404, server.log()
    finally:
        server.stop()
    log = server.log()
    assert (f"importing metrics_port:app opened a listening socket on 127.0.0.1:{env['ATTACK_PORT']} (held by this "
            "process) that is not a Werkzeug server; serving beside it") in log
    assert "refuses to serve" not in log


def test_a_worker_refuses_a_debugger_whose_werkzeug_modules_it_reloaded(tmp_path: Path) -> None:
    """Review of issue 13: the worker's import starts the debugger on a port, then reloads ``werkzeug.debug``
    and ``werkzeug.serving``: the worker served the app beside it, warning about a non-Werkzeug socket."""
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"))
    port = free_port()
    run = serve("reload_after_start:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    assert run.code == 1, run.stderr
    assert (f" refuses to serve: a Werkzeug development server started by the import serves the debugger on "
            f"127.0.0.1:{env['ATTACK_PORT']} (held by this process)\n") in run.stderr
    assert "serving beside it" not in run.stderr
    _nothing_left(env, port)


def test_a_worker_refuses_to_serve_a_debugger_built_before_a_reload(tmp_path: Path) -> None:
    """Review of issue 13: the served object is a ``DebuggedApplication`` made before ``werkzeug.debug`` was
    reloaded; the worker's ``isinstance`` test missed it and served the evalex console on /console."""
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"))
    port = free_port()
    run = serve("reload_wrapper:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    assert run.code == 1, run.stderr
    assert (" refuses to serve: the app runs the Werkzeug debugger (the served object is a DebuggedApplication)\n"
            in run.stderr)
    assert run.stderr.count("Booting worker") == 1
    _nothing_left(env, port)


@pytest.mark.parametrize("app", ["patch_the_scan", "delayed_debugger"])
def test_the_master_stops_a_worker_whose_debugger_its_own_check_missed(tmp_path: Path, app: str) -> None:
    """Review of issue 13: the worker's check runs in the process that imported the app, and only when the
    import ends. ``patch_the_scan`` patches that check away; ``delayed_debugger`` starts the debugger two
    seconds later. Both served the evalex console beside the app. The gunicorn master, which never imports the
    app, watches its workers' sockets for as long as it runs, kills the worker and stops the server."""
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"))
    port = free_port()
    run = serve(f"{app}:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    assert run.code == 1, run.stderr
    [line] = [ln for ln in run.stderr.splitlines() if "found by the master's watch" in ln]
    pid = line.split("flask-preflight serve: worker ", 1)[1].split(" ", 1)[0]
    assert line == (f"flask-preflight serve: worker {pid} serves the Werkzeug debugger on "
                    f"127.0.0.1:{env['ATTACK_PORT']} (found by the master's watch); stopping the server")
    assert "Traceback" not in run.stderr
    _nothing_left(env, port)


def test_the_master_finds_a_debugger_behind_more_silent_sockets_than_it_asks_at_once(tmp_path: Path) -> None:
    """Forty silent sockets before the debugger: more than one round of probes. A socket counts as graded only
    once it was asked, so the debugger is asked in the next round (it was marked graded unasked)."""
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"), ATTACK_TARPITS="40")
    port = free_port()
    run = serve("tarpits_then_debugger:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    assert run.code == 1, run.stderr
    [line] = [ln for ln in run.stderr.splitlines() if "found by the master's watch" in ln]
    assert line.endswith(f" serves the Werkzeug debugger on 127.0.0.1:{env['ATTACK_PORT']} (found by the master's "
                         "watch); stopping the server")
    _nothing_left(env, port)


def test_the_master_stops_a_debugger_a_worker_double_forked_after_its_import(tmp_path: Path) -> None:
    """Review of issue 13: two seconds after the import (the worker is a subreaper only while it imports), a
    thread double-forks with ``setsid()`` and serves the debugger: re-parented to init, it was outside every
    tree flask-preflight looks at and outlived ``serve``. The master is a subreaper, so the orphan comes back
    to it, and its watch kills it and stops the server."""
    env = attack_env(ATTACK_MARKER=str(tmp_path / "imported-once"), ATTACK_PIDFILE=str(tmp_path / "pid"))
    port = free_port()
    run = serve("escape_later:app", env, "--bind", f"{HOST}:{port}", "--workers", "1")
    pid = int((tmp_path / "pid").read_text())
    assert run.code == 1, run.stderr
    assert (f"flask-preflight serve: process {pid} (an orphan of a worker) serves the Werkzeug debugger on "
            f"127.0.0.1:{env['ATTACK_PORT']} (found by the master's watch); stopping the server") in run.stderr
    assert not alive(pid)
    _nothing_left(env, port)
