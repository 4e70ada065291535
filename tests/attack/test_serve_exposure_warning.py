"""Issue 13, item 15: serve says, in one line, what a slow client can do when it listens on a non-loopback
address with nothing in front (no --behind-proxy) - on stderr when it starts and in --print-config - and
says nothing on loopback, on a unix socket or behind a proxy.

The start-up line is checked on a real ``flask-preflight serve`` run that binds 192.0.2.1 (TEST-NET-1, on no
interface here): the warning is printed after the pre-start check, then the bind fails (exit 3), so the
test exposes nothing beyond this host.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flask_preflight.cli import main
from probe.conftest import free_port
from serve.conftest import run_serve

APPS = Path(__file__).resolve().parents[1] / "serve" / "apps"
CLEAN = {k: None for k in os.environ if k.startswith("PREFLIGHT_") or k in ("PORT", "WEB_CONCURRENCY",
                                                                           "FORWARDED_ALLOW_IPS", "FLASK_APP")}
UNROUTABLE = "192.0.2.1"  # TEST-NET-1 (RFC 5737): not on any interface, so binding it fails

GTHREAD_2x3 = ("{bind} is not a loopback address and --behind-proxy is not set, so clients reach gunicorn "
               "directly: a client that sends its headers slowly holds a gthread thread until they are complete "
               "(no deadline), so 6 such connections (2 workers × 3 threads) stall every other request; put a "
               "reverse proxy that reads whole requests (nginx) in front and pass --behind-proxy 1, or serve "
               "directly with --worker-class gevent or --server waitress, which read requests without holding "
               "a thread")
SYNC_1 = ("{bind} is not a loopback address and --behind-proxy is not set, so clients reach gunicorn directly: a "
          "client that sends its headers slowly holds a whole sync worker until they are complete or --timeout "
          "(30 s) kills the worker, so 1 such connection (1 worker) stalls every other request; put a reverse "
          "proxy that reads whole requests (nginx) in front and pass --behind-proxy 1, or serve directly with "
          "--worker-class gevent or --server waitress, which read requests without holding a thread")
GEVENT_3 = ("{bind} is not a loopback address and --behind-proxy is not set, so clients reach gunicorn directly: "
            "gevent workers read requests without holding the worker, but a client that sends its headers slowly "
            "keeps its connection with no deadline, and 3000 such connections (3 workers × 1000) stall every "
            "other request; put a reverse proxy that reads whole requests (nginx) in front and pass "
            "--behind-proxy 1")
WAITRESS = ("{bind} is not a loopback address and --behind-proxy is not set, so clients reach waitress directly: "
            "waitress reads requests without holding a thread, but a client that sends its headers slowly keeps "
            "its connection with no deadline, and about 100 such connections (its connection limit) stop it "
            "accepting any other; put a reverse proxy that reads whole requests (nginx) in front and pass "
            "--behind-proxy 1")


def print_config(*args: str, env=None) -> list:
    r = CliRunner().invoke(main, ["serve", "good_app:app", "--chdir", str(APPS), "--print-config", *args],
                           env={**CLEAN, **(env or {})}, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return [line for line in r.output.splitlines() if line.startswith("warning:")]


@pytest.mark.parametrize("args, expected", [
    (("--bind", "0.0.0.0:8000", "-w", "2", "--threads", "3"), "warning: " + GTHREAD_2x3.format(bind="0.0.0.0:8000")),
    (("--bind", "[::]:8000", "-w", "1", "-k", "sync"), "warning: " + SYNC_1.format(bind="[::]:8000")),
    (("--bind", "10.1.2.3:80", "-w", "3", "-k", "gevent"), "warning: " + GEVENT_3.format(bind="10.1.2.3:80")),
    (("--bind", "0.0.0.0:8080", "--server", "waitress"), "warning: " + WAITRESS.format(bind="0.0.0.0:8080")),
    # a host name is not resolved: only "localhost" counts as loopback
    (("--bind", "app.example:8000", "-w", "2", "--threads", "3"),
     "warning: " + GTHREAD_2x3.format(bind="app.example:8000")),
], ids=["gthread-any", "sync-v6-any", "gevent-lan", "waitress-any", "hostname"])
def test_print_config_warns_on_a_public_bind_without_a_proxy(args, expected):
    assert print_config(*args) == [expected]


def test_print_config_names_only_the_public_binds_and_warns_for_PORT():
    lines = print_config("--bind", "127.0.0.1:8000", "--bind", "0.0.0.0:8001", "--bind", "[::]:8002",
                         "-w", "2", "--threads", "3")
    assert lines == ["warning: " + GTHREAD_2x3.format(bind="0.0.0.0:8001, [::]:8002").replace(
        "is not a loopback address", "are not loopback addresses")]
    # PORT (hosting platforms) means 0.0.0.0:$PORT: a platform router in front is declared with --behind-proxy
    assert print_config("-w", "2", "--threads", "3", env={"PORT": "5000"}) == \
        ["warning: " + GTHREAD_2x3.format(bind="0.0.0.0:5000")]


@pytest.mark.parametrize("args, env", [
    (("--bind", "127.0.0.1:8000"), {}),
    (("--bind", "127.8.9.10:8000"), {}),              # all of 127.0.0.0/8 is loopback
    (("--bind", "[::1]:8000"), {}),
    (("--bind", "[::ffff:127.0.0.1]:8000"), {}),      # IPv4-mapped loopback
    (("--bind", "localhost:8000"), {}),
    (("--bind", "unix:/run/app.sock"), {}),
    (("--bind", "0.0.0.0:8000", "--behind-proxy", "1"), {}),
    (("--bind", "0.0.0.0:8000", "--server", "waitress"), {"PREFLIGHT_BEHIND_PROXY": "2"}),
    ((), {"PORT": "5000", "PREFLIGHT_BEHIND_PROXY": "1"}),
    ((), {}),                                          # the default, 127.0.0.1:8000
], ids=["v4-loopback", "v4-loopback-net", "v6-loopback", "v4-mapped", "localhost", "unix", "behind-proxy",
        "behind-proxy-env", "PORT-behind-proxy", "default"])
def test_print_config_is_quiet_on_loopback_unix_sockets_and_behind_a_proxy(args, env):
    assert print_config(*args, env=env) == []


def _unbindable() -> bool:
    with socket.socket() as s:
        try:
            s.bind((UNROUTABLE, 0))
        except OSError as exc:
            return exc.errno == errno.EADDRNOTAVAIL
    return False  # this machine binds non-local addresses (ip_nonlocal_bind): the run would really listen


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process handling")
@pytest.mark.parametrize("server_args, expected", [
    (("-w", "2", "--threads", "3"), GTHREAD_2x3),
    (("--server", "waitress"), WAITRESS),
], ids=["gunicorn", "waitress"])
def test_serve_prints_the_warning_once_at_start(server_args, expected):
    if not _unbindable():
        pytest.skip(f"{UNROUTABLE} can be bound here; the test would listen beyond loopback")
    bind = f"{UNROUTABLE}:{free_port()}"
    proc = run_serve(["good_app:app", "--bind", bind, *server_args])
    assert proc.returncode == 3, proc.stderr  # the warning comes first, then the bind fails
    lines = proc.stderr.splitlines()
    warnings = [line for line in lines if "not a loopback address" in line]
    assert warnings == ["flask-preflight serve: warning: " + expected.format(bind=bind)], proc.stderr
    started = next(i for i, line in enumerate(lines) if "passed the pre-start checks" in line)
    assert lines[started + 1] == warnings[0]

    quiet = run_serve(["good_app:app", "--bind", bind, "--behind-proxy", "1", *server_args])
    assert quiet.returncode == 3 and "passed the pre-start checks" in quiet.stderr, quiet.stderr
    assert "not a loopback address" not in quiet.stderr + quiet.stdout
