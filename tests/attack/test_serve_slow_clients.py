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

import sys
from typing import List

import pytest

from serve.conftest import start_serve

from .slowclients import SlowHeaderClients, answer_within, send_request

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn and POSIX process groups")

ANSWER_WAIT_S = 30.0  # an ordinary request on a free server: answered well within this on a loaded 2-core box
STALL_WAIT_S = 3.0    # a stalled server sends nothing at all, however long we wait; 3 s shows it without slowing the suite
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
    with SlowHeaderClients(server.port, capacity - 1):
        with send_request(server.port) as s:
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
