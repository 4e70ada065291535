"""``flask-preflight serve`` as real processes on 127.0.0.1: gunicorn workers, graceful SIGTERM, a killed
worker replaced, refusals that never open the port, one trusted proxy hop, waitress and TLS."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

import httpx
import pytest

from probe.conftest import free_port, make_self_signed_cert

from .conftest import APPS as APPS_DIR
from .conftest import HOST, PortWatch, children, port_answers, run_serve, start_serve, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn and POSIX signals")
CLIENT_TIMEOUT = 20.0


def get(port: int, path: str = "/", headers: Optional[Dict[str, str]] = None, scheme: str = "http",
        **kw) -> httpx.Response:
    with httpx.Client(timeout=CLIENT_TIMEOUT, trust_env=False, **kw) as client:
        return client.get(f"{scheme}://{HOST}:{port}{path}", headers=headers)


def access_lines(text: str) -> List[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_three_workers_serve_concurrent_requests_and_sigterm_finishes_the_slow_one(logs, servers):
    from .conftest import serve_env

    marker = logs / "slow-request-started"
    server = start_serve("good_app:app", "--workers", "3", "--graceful-timeout", "20", log_dir=logs,
                         env=serve_env(SLOW_MARKER=str(marker)))
    servers.append(server)
    workers = wait_for(lambda: len(children(server.proc.pid)) == 3 and children(server.proc.pid), 30,
                       "3 worker processes")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: get(server.port), range(64)))
    assert time.monotonic() - started < 60, "a liveness bound, not a performance target"
    assert [r.status_code for r in responses] == [200] * 64
    assert {r.json()["pid"] for r in responses} <= set(workers)

    result: Dict[str, httpx.Response] = {}
    slow = threading.Thread(target=lambda: result.setdefault("r", get(server.port, "/slow?s=2")))
    slow.start()
    wait_for(marker.exists, 10, "the slow request to reach the view")
    os.kill(server.proc.pid, signal.SIGTERM)
    slow.join(timeout=30)
    assert result["r"].status_code == 200 and result["r"].text == "slow done"
    assert server.proc.wait(timeout=30) == 0
    assert not port_answers(server.port)
    log = server.log(tail=None)
    lines = access_lines(log)
    assert any(e["path"] == "/slow" and e["status"] == 200 and e["duration_ms"] >= 1900 for e in lines), log[-2000:]
    assert sum(1 for e in lines if e["path"] == "/") == 64
    assert "passed the pre-start checks" in log and "3 gthread workers" in log


def test_a_worker_killed_with_sigkill_is_replaced(logs, servers):
    server = start_serve("good_app:app", "--workers", "2", log_dir=logs)
    servers.append(server)
    before = wait_for(lambda: len(children(server.proc.pid)) == 2 and children(server.proc.pid), 30, "2 workers")
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    after = wait_for(lambda: (lambda c: len(c) == 2 and victim not in c and c)(children(server.proc.pid)), 30,
                     "a replacement worker")
    served_by = {get(server.port).json()["pid"] for _ in range(10)}
    assert served_by <= set(after) and victim not in served_by
    assert server.proc.poll() is None


@pytest.mark.parametrize("target, rule", [
    ("debug_app:app", "PF101"),
    ("debugger_app:application", "PF104"),
    ("nokey_app:app", "PF502"),
])
def test_refused_apps_exit_1_and_never_open_the_port(target, rule):
    port = free_port()
    with PortWatch(port) as watch:
        proc = run_serve([target, "--bind", f"{HOST}:{port}"])
    assert proc.returncode == 1, proc.stderr
    assert not watch.opened
    assert f"refusing to start {target}" in proc.stderr and rule in proc.stderr
    assert "Listening at" not in proc.stderr + proc.stdout


def test_allow_lets_a_reviewed_rule_through_but_never_the_debugger(logs, servers):
    denied = run_serve(["debugger_app:application", "--allow", "PF104", "--bind", f"{HOST}:{free_port()}"])
    assert denied.returncode == 2 and "PF104 cannot be allowed" in denied.stderr
    server = start_serve("nokey_app:app", "--allow", "PF502", "--workers", "1", log_dir=logs)
    servers.append(server)
    assert get(server.port).status_code == 500  # the app really has no key: the session write fails
    assert "allowed by --allow: PF502" in server.log()


def test_an_app_that_cannot_be_imported_is_not_served():
    port = free_port()
    with PortWatch(port) as watch:
        proc = run_serve(["broken_app:app", "--bind", f"{HOST}:{port}"])
    assert proc.returncode == 3, proc.stderr
    assert not watch.opened
    assert "could not be checked" in proc.stderr and "NO_SUCH_VARIABLE_FOR_SERVE_TESTS" in proc.stderr


def test_behind_proxy_1_trusts_one_forwarded_hop_and_not_two(logs, servers):
    server = start_serve("good_app:app", "--workers", "1", "--behind-proxy", "1", log_dir=logs)
    servers.append(server)
    one = get(server.port, headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}).json()
    assert one["remote_addr"] == "203.0.113.7" and one["scheme"] == "https"
    two = get(server.port, headers={"X-Forwarded-For": "198.51.100.66, 203.0.113.7"}).json()
    assert two["remote_addr"] == "203.0.113.7"
    assert get(server.port).json()["remote_addr"] == "127.0.0.1"


def test_without_behind_proxy_forwarded_headers_are_ignored(logs, servers):
    server = start_serve("good_app:app", "--workers", "1", log_dir=logs)
    servers.append(server)
    got = get(server.port, headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}).json()
    assert got["remote_addr"] == "127.0.0.1" and got["scheme"] == "http"


def test_forwarded_headers_from_an_untrusted_peer_are_dropped(logs, servers):
    server = start_serve("good_app:app", "--workers", "1", "--behind-proxy", "1",
                         "--forwarded-allow-ips", "10.0.0.0/8", log_dir=logs)
    servers.append(server)
    got = get(server.port, headers={"X-Forwarded-For": "203.0.113.7"}).json()
    assert got["remote_addr"] == "127.0.0.1" and got["forwarded"] is None


def test_waitress_serves_logs_json_and_stops_on_sigterm(logs, servers):
    server = start_serve("good_app:app", "--server", "waitress", "--threads", "2", "--behind-proxy", "1",
                         log_dir=logs)
    servers.append(server)
    r = get(server.port, headers={"X-Forwarded-For": "198.51.100.66, 203.0.113.7"})
    assert r.status_code == 200 and r.headers["server"] == "waitress"
    assert r.json()["remote_addr"] == "203.0.113.7"
    os.kill(server.proc.pid, signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0
    entries = access_lines(server.log(tail=None))
    assert entries and entries[-1]["status"] == 200 and entries[-1]["remote_addr"] == "203.0.113.7"


def test_tls_with_certfile_and_keyfile(logs, servers, tmp_path):
    cert, key = make_self_signed_cert(tmp_path)
    server = start_serve("good_app:app", "--workers", "1", "--certfile", str(cert), "--keyfile", str(key),
                         log_dir=logs)
    servers.append(server)
    r = get(server.port, scheme="https", verify=False)
    assert r.status_code == 200 and r.json()["scheme"] == "https"


def test_a_port_in_use_is_reported_and_exits_3():
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_serve(["good_app:app", "--bind", f"{HOST}:{port}", "--workers", "1"], timeout=180)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "Address already in use" in proc.stderr or "in use" in proc.stderr


def test_a_worker_that_would_start_the_dev_server_refuses_and_the_server_halts(tmp_path):
    from .conftest import serve_env

    env = serve_env(RERUN_MARKER=str(tmp_path / "imported-once"))
    proc = run_serve(["rerun_app:app", "--bind", f"{HOST}:{free_port()}", "--workers", "1"], env=env)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "refuses to serve: the app calls app.run()" in proc.stderr
    assert proc.stderr.count("Booting worker") <= 2  # halted, not a respawn loop
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_stdout_carries_only_json_access_lines(logs, servers, server):
    import subprocess

    from .conftest import SERVE, serve_env

    port = free_port()
    out, err = logs / "out.log", logs / "err.log"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([*SERVE, "chatty_app:app", "--server", server, "--bind", f"{HOST}:{port}"]
                                + (["--workers", "1"] if server == "gunicorn" else []),
                                cwd=str(APPS_DIR), env=serve_env(), stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        wait_for(lambda: port_answers(port), 45, "the server")
        assert all(get(port).status_code == 200 for _ in range(3))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    lines = [line for line in out.read_text().splitlines() if line.strip()]
    assert len(lines) == 3 and all(json.loads(line)["status"] == 200 for line in lines)
    assert "chatty_app: handling /" in err.read_text() and "Listening at" in err.read_text()


def test_sigterm_during_the_pre_start_check_kills_the_check_and_exits_143(tmp_path):
    import subprocess

    from .conftest import SERVE, serve_env

    pid_file = tmp_path / "import.pid"
    (tmp_path / "hang_app.py").write_text(
        "import os, time\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(600)\n")
    port = free_port()
    proc = subprocess.Popen([*SERVE, "hang_app:app", "--bind", f"{HOST}:{port}", "--check-timeout", "120"],
                            cwd=str(tmp_path), env=serve_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), 30, "the import to start")
        child = int(pid_file.read_text())
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143 and "terminated during the pre-start check" in err
    wait_for(lambda: not _alive(child), 10, "the import child to be gone")
    assert not port_answers(port)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = f"/proc/{pid}/stat"
    if os.path.exists(stat):  # a zombie has exited; only its parent has not reaped it
        with open(stat) as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


@pytest.mark.parametrize("worker_args, n", [
    (["--worker-class", "gthread", "--threads", "4"], 4),
    (["--worker-class", "gevent"], 8),
])
def test_one_worker_serves_requests_concurrently(logs, servers, worker_args, n):
    if "gevent" in worker_args:
        pytest.importorskip("gevent")
    server = start_serve("good_app:app", "--workers", "1", *worker_args, log_dir=logs)
    servers.append(server)
    with ThreadPoolExecutor(max_workers=n) as pool:
        responses = list(pool.map(lambda _: get(server.port, f"/rendezvous?n={n}"), range(n)))
    assert [r.status_code for r in responses] == [200] * n, server.log()
    assert len({r.json()["pid"] for r in responses}) == 1
    assert f"Using worker: {worker_args[1]}" in server.log()


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_access_and_error_logs_can_go_to_files(logs, servers, server, tmp_path):
    access, errors = tmp_path / "access.jsonl", tmp_path / "error.log"
    args = ["--server", server, "--access-log", str(access), "--error-log", str(errors)]
    server_proc = start_serve("good_app:app", *args, *(["--workers", "1"] if server == "gunicorn" else []),
                              log_dir=logs)
    servers.append(server_proc)
    assert get(server_proc.port, "/?from=test").status_code == 200
    wait_for(lambda: access.exists() and "from=test" in access.read_text(), 10, "the access line")
    entry = json.loads(access.read_text().splitlines()[-1])
    assert entry["query"] == "from=test" and entry["status"] == 200
    assert "Listening at" in errors.read_text()
    assert "from=test" not in server_proc.log(tail=None)


def test_access_log_off_writes_no_access_lines(logs, servers):
    server = start_serve("good_app:app", "--server", "waitress", "--access-log", "off", log_dir=logs)
    servers.append(server)
    assert get(server.port, "/?quiet=1").status_code == 200
    os.kill(server.proc.pid, signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0
    assert not access_lines(server.log(tail=None))
