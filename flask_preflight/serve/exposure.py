"""What a client that sends its request slowly can do to ``serve`` when nothing stands in front of it.

None of the servers serve offers puts a deadline on reading a request's headers, so a client that sends
one byte a second keeps its connection as long as it likes. What that connection holds meanwhile depends
on the server (measured with ``benchmarks/bench_slow_clients.py``, confirmed in the servers' source):

* gunicorn ``gthread``: a thread, from the first byte until the headers are complete, so workers × threads
  such connections stall every other request (the worker accepts them; they wait for a thread);
* gunicorn ``sync``: the whole worker, until the headers are complete or ``--timeout`` kills it;
* gunicorn ``gevent``: a greenlet, one of the worker's 1000 connection slots; the worker keeps serving;
* waitress: a channel in its event loop, which reads whole requests before a thread runs them; it stops
  accepting at 98 open connections (its ``connection_limit``, 100, counts two sockets of its own).

A reverse proxy such as nginx reads the whole request before it passes it on (and times out slow ones),
so behind one (``--behind-proxy``) none of this reaches the app server. This module says so, in one line,
when serve listens on an address other hosts can reach and ``--behind-proxy`` is not given.
"""

from __future__ import annotations

import ipaddress
from typing import List, Optional, Sequence

from flask_preflight.serve.options import ServeOptions

GEVENT_CONNECTIONS = 1000  # gunicorn's worker_connections default: greenlets per gevent worker
WAITRESS_CONNECTIONS = 100  # waitress's connection_limit default (it counts two sockets of its own)
ADVICE = "put a reverse proxy that reads whole requests (nginx) in front and pass --behind-proxy 1"


def exposed_binds(binds: Sequence[str]) -> List[str]:
    """The TCP binds other hosts may reach: every address except loopback ones (``127.0.0.0/8``, ``::1``,
    ``localhost``). A host name is counted as reachable: it is not resolved here (no DNS lookups before
    the server starts), and a name that only means this host is spelled ``localhost``."""
    return [b for b in binds if not b.startswith("unix:") and not _is_loopback(b.rpartition(":")[0])]


def _is_loopback(host: str) -> bool:
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    name = bare.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is loopback too
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def held_by_slow_client(opts: ServeOptions) -> str:
    """What one slow client holds in this configuration, and how many of them stall every other request."""
    if opts.server == "waitress":
        return ("waitress reads requests without holding a thread, but a client that sends its headers slowly "
                f"keeps its connection with no deadline, and about {WAITRESS_CONNECTIONS} such connections (its "
                "connection limit) stop it accepting any other")
    workers = _count(opts.workers, "worker")
    if opts.worker_class == "gevent":
        slots = opts.workers * GEVENT_CONNECTIONS
        return ("gevent workers read requests without holding the worker, but a client that sends its headers "
                f"slowly keeps its connection with no deadline, and {slots} such connections ({workers} × "
                f"{GEVENT_CONNECTIONS}) stall every other request")
    if opts.worker_class == "sync":
        return (f"a client that sends its headers slowly holds a whole sync worker until they are complete or "
                f"--timeout ({opts.timeout} s) kills the worker, so {_count(opts.workers, 'such connection')} "
                f"({workers}) {_stall(opts.workers)} every other request")
    held = opts.workers * opts.threads
    return (f"a client that sends its headers slowly holds a gthread thread until they are complete (no "
            f"deadline), so {_count(held, 'such connection')} ({workers} × {_count(opts.threads, 'thread')}) "
            f"{_stall(held)} every other request")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _stall(n: int) -> str:
    return "stalls" if n == 1 else "stall"


def exposure_warning(opts: ServeOptions) -> Optional[str]:
    """One line (without a prefix) when serve listens where other hosts reach it and ``--behind-proxy`` is
    not given; None otherwise. Shown on stderr at start and by ``--print-config``."""
    if opts.behind_proxy:
        return None
    exposed = exposed_binds(opts.bind)
    if not exposed:
        return None
    where = ", ".join(exposed)
    verb = "is not a loopback address" if len(exposed) == 1 else "are not loopback addresses"
    advice = ADVICE
    if opts.server == "gunicorn" and opts.worker_class in ("gthread", "sync"):
        advice += ", or serve directly with --worker-class gevent or --server waitress, which read requests " \
                  "without holding a thread"
    return (f"{where} {verb} and --behind-proxy is not set, so clients reach {opts.server} directly: "
            f"{held_by_slow_client(opts)}; {advice}")
