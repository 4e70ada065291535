"""What a server worker loads: the app named by TARGET, checked once more, wrapped for the proxy.

The pre-start check ran in another process; a worker imports the app again (gunicorn's workers each
import it, as without ``--preload``), so the two things that must never be served - debug mode and the
Werkzeug debugger - are checked again on the object the worker is about to serve. The import also runs
with the server-start guards of ``inspect``: an ``app.run()`` the module calls at import raises instead of
starting a development server inside the worker. Servers started without those calls are found by their
effect, as ``inspect`` finds them (:mod:`flask_preflight.runtime.listeners`): a new listening socket in the
worker or a process the import started that is a Werkzeug server, or a ``DebuggedApplication`` anywhere in
the worker's memory, refuses the app; the worker then shuts those servers down and kills the processes
the import started (on Linux the worker is a subreaper during the import, so a ``setsid()`` double fork is
among them). Any other new listening socket is named in a warning and served beside.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

WSGIApp = Callable[..., Any]
_FORWARDED_PREFIX = "HTTP_X_FORWARDED_"


class Refused(Exception):
    """The loaded app is in debug mode or runs the debugger: the worker does not serve it."""


def load_wsgi(target: Dict[str, Any], cwd: str, behind_proxy: int, trusted: Sequence[str]) -> WSGIApp:
    """Import the app like ``inspect`` does and return the WSGI callable to serve."""
    import flask

    from flask_preflight.runtime.child import ServerGuards
    from flask_preflight.runtime.listeners import ServerScan
    from flask_preflight.runtime.reaper import set_subreaper
    from flask_preflight.runtime.target import Target, load_app

    t = Target.from_dict(target)
    os.chdir(cwd)
    if t.import_root not in sys.path:
        sys.path.insert(0, t.import_root)
    # stdout carries the JSON access log only (its handler keeps the original stream): what the app
    # prints, at import or in a view, goes to stderr with the error log.
    sys.stdout = sys.stderr
    guards = ServerGuards(raising=True).install()  # left in place: a worker never starts another server
    baseline = ServerScan.before_import(root=os.getpid())
    reaping = set_subreaper(True)  # orphans of the import (a setsid() double fork) come back to the worker
    try:
        loaded = load_app(t, flask.Flask)
    except BaseException as exc:  # noqa: B036 - only the guard's own exception is translated
        if guards.starts and not isinstance(exc, Exception):
            start = guards.starts[-1]
            raise Refused(f"the app calls {start.kind} while it is imported ({start.path}:{start.line}); "
                          "guard it with `if __name__ == \"__main__\":`") from None
        raise
    finally:
        if reaping:
            set_subreaper(False)
    served = loaded.wrappers[0] if loaded.wrappers else loaded.app
    refuse_started_servers(baseline, loaded, t.original)
    refuse_debug(loaded.app, tuple(loaded.wrappers))
    if behind_proxy:
        served = TrustedProxyFix(served, behind_proxy, trusted)
    return served


def refuse_started_servers(baseline: Any, loaded: Any, target: str) -> None:
    """Raise Refused when the import started a Werkzeug server or left a ``DebuggedApplication`` anywhere
    (found by effect, see :mod:`flask_preflight.runtime.listeners`); stop what it started first."""
    from flask_preflight.runtime.listeners import ServerScan, stop_servers
    from flask_preflight.runtime.reaper import kill_tree

    served = baseline.served()
    hidden = ServerScan.hidden_debuggers(loaded, served)
    bad: List[str] = []
    for s in served:
        if s.kind == "debugger":
            bad.append(f"a Werkzeug development server started by the import serves the debugger on {s.describe()}")
        elif s.kind == "werkzeug":
            bad.append(f"a Werkzeug development server started by the import listens on {s.describe()}")
        else:
            print(f"flask-preflight serve: warning: worker {os.getpid()}: importing {target} opened a listening "
                  f"socket on {s.describe()} that is not a Werkzeug server; serving beside it", file=sys.stderr)
    for dbg in hidden:
        bad.append(f"a DebuggedApplication (evalex={bool(getattr(dbg, 'evalex', False))}) exists in the worker "
                   "outside the served WSGI stack")
    if not bad:
        return
    stop_servers(s.listener.inode for s in served if s.own_process)
    kill_tree(os.getpid())
    raise Refused("; ".join(bad))


def refuse_debug(app: Any, outer: Tuple[Any, ...]) -> None:
    """Raise Refused when ``app`` (or an app mounted below it) is in debug mode or has the debugger."""
    import flask

    from flask_preflight.runtime.check_common import instance_of
    from flask_preflight.runtime.check_wsgi import wsgi_layers
    from flask_preflight.runtime.target import unwrap

    def is_debugger(obj: Any) -> bool:  # by name: one built before a reload of werkzeug.debug counts too
        return instance_of(obj, "werkzeug", "DebuggedApplication")

    pending: List[Tuple[Any, Tuple[Any, ...], str]] = [(app, outer, "the app")]
    seen = set()
    while pending:
        current, layers_out, label = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if getattr(current, "debug", False):
            raise Refused(f"{label} is in debug mode (app.debug is {current.debug!r}) in the server worker")
        mounts: List[Tuple[str, str, Any]] = []
        for where, layer in wsgi_layers(current, layers_out, mounts=mounts):
            if is_debugger(layer):
                raise Refused(f"{label} runs the Werkzeug debugger ({where} is a DebuggedApplication)")
        for where, prefix, mounted in mounts:
            if is_debugger(mounted):
                raise Refused(f"the WSGI app mounted at {prefix} is a DebuggedApplication")
            inner, layers = unwrap(mounted, flask.Flask)  # a mount may itself be middleware around an app
            if inner is not None:
                pending.append((inner, tuple(layers), f"the app mounted at {prefix}"))


class TrustedProxyFix:
    """Werkzeug's ProxyFix for requests that come from a trusted proxy address, nothing for the rest.

    ProxyFix alone trusts the X-Forwarded-* headers of whoever connects, so a client that reaches the
    server without going through the proxy picks its own ``remote_addr`` and scheme. Here the headers
    count only when the peer is in ``trusted`` (the same list gunicorn's ``forwarded_allow_ips`` gets), and
    are removed otherwise, as waitress's ``clear_untrusted_proxy_headers`` does. A unix-socket peer has no
    address and is trusted: only processes allowed to open the socket can connect."""

    def __init__(self, app: WSGIApp, hops: int, trusted: Iterable[str]) -> None:
        from werkzeug.middleware.proxy_fix import ProxyFix

        self.app = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        peers = list(trusted)
        self.any_peer = "*" in peers
        self.networks = [ipaddress.ip_network(p, strict=False) for p in peers if p != "*"]

    def trusts(self, remote: Optional[str]) -> bool:
        if self.any_peer:
            return True
        if not remote:
            return True
        try:
            addr = ipaddress.ip_address(remote.split("%", 1)[0])
        except ValueError:
            return True  # not an IP: a unix socket peer
        if getattr(addr, "ipv4_mapped", None):
            addr = addr.ipv4_mapped  # type: ignore[union-attr]
        return any(addr in net for net in self.networks)

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith(_FORWARDED_PREFIX)]:
            del environ[key]
        return self.app(environ, start_response)
