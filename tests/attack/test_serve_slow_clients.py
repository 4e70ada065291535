"""Issue 13, item 15: slow-header clients against real ``flask-preflight serve`` processes on 127.0.0.1.

What was measured (benchmarks/bench_slow_clients.py) and is pinned here:
- gunicorn gthread / sync: a connection that has started its headers holds a thread / a whole worker until
  they are complete, so workers x threads such connections stall an ordinary request until they go away
  (and one fewer does not);
- gunicorn gevent and waitress read headers without holding a thread: an ordinary request is answered
  while dozens of slow connections are open, and those connections are still being read (each gets its
  answer when it finishes);
- waitress stops accepting at its connection limit (about 100 open connections), so 100 slow ones do stall it.

No timing is asserted beyond "answered at all within a generous wait" and "nothing within STALL_WAIT_S while
the slow connections are still dripping", which a loaded machine can only make truer.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import sys
from pathlib import Path
from typing import List

import pytest

from flask_preflight.serve.generate import TemplateContext, render
from probe.conftest import HOST, free_port, make_self_signed_cert, start_server
from serve.conftest import APPS, start_serve

from .slowclients import SlowHeaderClients, answer_within, send_request

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn and POSIX process groups")

ANSWER_WAIT_S = 30.0  # an ordinary request on a free server: answered well within this on a loaded 2-core box
STALL_WAIT_S = 3.0    # a stalled server sends nothing however long we wait; 3 s shows it without slowing the suite
OK = "HTTP/1.1 200 OK"


@pytest.fixture
def servers():
    started: List = []
    yield started
    for s in started:
        s.stop()


def _no_exposure_warning(log: str) -> None:
    assert "not a loopback address" not in log, log  # 127.0.0.1: nothing to warn about


@pytest.mark.parametrize("args, capacity", [
    (("--workers", "1", "--threads", "2"), 2),           # gthread: 1 worker × 2 threads
    (("--workers", "2", "--worker-class", "sync"), 2),  # sync: 2 workers
], ids=["gthread-1x2", "sync-2"])
def test_thread_per_request_servers_stall_when_every_thread_reads_a_slow_header(args, capacity, tmp_path,
                                                                                  servers):
    server = start_serve("good_app:app", *args, log_dir=tmp_path)
    servers.append(server)
    _no_exposure_warning(server.log())

    # One fewer slow connection than threads/workers: a request still finds a free one.
    with SlowHeaderClients(server.port, capacity - 1), send_request(server.port) as s:
        assert answer_within(s, ANSWER_WAIT_S) == OK, server.log()

    # As many as there are threads/workers: the request waits behind them, unanswered...
    slow = SlowHeaderClients(server.port, capacity)
    with slow, send_request(server.port) as s:
        assert answer_within(s, STALL_WAIT_S) is None, "answered although every thread holds a slow header"
        slow.close()
        # ...and is answered as soon as they go away: queued, not dropped.
        assert answer_within(s, ANSWER_WAIT_S) == OK, server.log()


@pytest.mark.parametrize("args, slow_count", [
    (("--workers", "1", "--worker-class", "gevent"), 60),
    (("--server", "waitress"), 60),  # waitress: 4 threads
], ids=["gevent-1", "waitress"])
def test_buffering_servers_answer_while_many_slow_headers_are_open(args, slow_count, tmp_path, servers):
    server = start_serve("good_app:app", *args, log_dir=tmp_path)
    servers.append(server)
    _no_exposure_warning(server.log())

    slow = SlowHeaderClients(server.port, slow_count)  # 15 × waitress's threads, 60 × a gevent worker's "1"
    with slow:
        with send_request(server.port) as s:
            assert answer_within(s, ANSWER_WAIT_S) == OK, server.log()
        # The slow connections were held open and read, not refused or dropped: each finishes and is answered.
        assert slow.finish() == [OK] * slow_count, server.log()


def test_waitress_stalls_at_its_connection_limit(tmp_path, servers):
    server = start_serve("good_app:app", "--server", "waitress", log_dir=tmp_path)
    servers.append(server)

    slow = SlowHeaderClients(server.port, 100)  # waitress's connection_limit: it stops accepting
    with slow, send_request(server.port) as s:
        assert answer_within(s, STALL_WAIT_S) is None, "answered although waitress is at its connection limit"
        slow.close()
        assert answer_within(s, ANSWER_WAIT_S) == OK, server.log()
    assert "no longer accepting new connections" in server.log(tail=None)


def _nginx_in_front(app_port: int, https_port: int, directory: Path) -> Path:
    """The nginx site ``serve --generate nginx`` writes for an app on ``app_port``, its HTTPS listener moved to
    ``https_port`` on loopback with a self-signed certificate, inside a minimal nginx.conf."""
    cert, key = make_self_signed_cert(directory)
    ctx = TemplateContext("good_app:app", f"{HOST}:{app_port}", "shop", str(APPS), None, "/static", 1, "3.12")
    site = render("nginx", ctx)
    site = site.replace("/etc/letsencrypt/live/example.com/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/example.com/privkey.pem", str(key))
    http_port = free_port()
    site = re.sub(r"^\s*listen \[::\]:(80|443)( ssl)?;\n", "", site, flags=re.MULTILINE)
    site = site.replace("listen 443 ssl;", f"listen {HOST}:{https_port} ssl;")
    site = site.replace("listen 80;", f"listen {HOST}:{http_port};")
    (directory / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = directory / "nginx.conf"
    conf.write_text(f"""{user}pid {directory}/nginx.pid;
error_log {directory}/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    include {directory}/site.conf;
}}
""")
    return conf


def test_nginx_in_front_takes_the_slow_headers_the_app_server_cannot(tmp_path, servers):
    """The warning's advice, checked: the generated nginx site in front of the same gthread 1 × 2 server that
    two slow headers stall directly answers an ordinary request while 40 slow headers are open on nginx."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if nginx is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    app = start_serve("good_app:app", "--workers", "1", "--threads", "2", "--behind-proxy", "1",
                      log_dir=tmp_path, name="app")
    servers.append(app)
    proxy = start_server("nginx", lambda port: [nginx, "-c", str(_nginx_in_front(app.port, port, tmp_path)),
                                                "-e", str(tmp_path / "error.log"), "-g", "daemon off;"],
                         log_dir=tmp_path, cwd=tmp_path)
    servers.append(proxy)
    https_port = proxy.port
    tls = ssl.create_default_context()
    tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE  # the self-signed test certificate

    slow = SlowHeaderClients(https_port, 40, tls=tls)
    with slow:
        with send_request(https_port, tls=tls) as s:
            assert answer_within(s, ANSWER_WAIT_S) == OK, app.log() + (tmp_path / "error.log").read_text()
        assert slow.finish() == [OK] * 40  # nginx passed each on once its headers were complete

    # The same app server without nginx: two slow headers and an ordinary request waits.
    direct = SlowHeaderClients(app.port, 2)
    with direct, send_request(app.port) as s:
        assert answer_within(s, STALL_WAIT_S) is None
        direct.close()
        assert answer_within(s, ANSWER_WAIT_S) == OK
