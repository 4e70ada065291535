"""The gunicorn master's watch over its workers' listening sockets, from outside the app's reach.

Each worker checks what its own import started (:func:`flask_preflight.serve.wsgi.refuse_started_servers`),
but that check runs in the process that imported the app: the app's code can patch it away, and it sees
only the moment the import ends - a thread that starts the debugger two seconds later, or on the first
request, is not there yet. The arbiter never imports the app, so a thread in it looks at the workers from
/proc every ``INTERVAL`` seconds for as long as the server runs: a listening socket a worker, a process below
it, or an orphan of theirs (the master is made a subreaper, so a late ``setsid()`` double fork comes back to
it) holds that is not one of gunicorn's own is asked ``GET /console``; a Werkzeug debugger or
development server stops the whole server (the worker tree is killed, the arbiter told to shut down, and
``serve`` exits 1); anything else is left alone (the worker warned about what its import opened). Linux only
(/proc), like the worker's own check; waitress has no separate master, so this is gunicorn's only.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any, Dict, Optional, Set

INTERVAL = 2.0  # a /proc scan of every process each time: cheap at this pace even on a busy host
_refusal: Dict[str, str] = {}  # "reason" once a worker was caught serving a development server


def refusal() -> Optional[str]:
    """Why the watch stopped the server, or None."""
    return _refusal.get("reason")


def _say(text: str) -> None:
    # os.write, not print or logging: no Python lock the arbiter's next fork could inherit held
    try:
        os.write(2, (text + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def start(arbiter: Any) -> None:
    """gunicorn's ``when_ready`` hook: start the watch thread in the arbiter."""
    from flask_preflight.runtime import listeners as ls

    from flask_preflight.runtime.reaper import set_subreaper

    if not ls.supported():
        return
    # orphans of the workers (a setsid() double fork after the import, when the worker is no longer a
    # subreaper) come back to the master instead of init, so they stay in the tree watched below
    set_subreaper(True)
    master = os.getpid()
    own: Set[int] = set()
    for sock in getattr(arbiter, "LISTENERS", []) or []:
        try:
            own.add(os.fstat(sock.fileno()).st_ino)
        except (OSError, ValueError, AttributeError):
            continue
    thread = threading.Thread(target=_watch, args=(arbiter, master, own), name="flask-preflight-watch",
                              daemon=True)
    thread.start()


def _watch(arbiter: Any, master: int, own: Set[int]) -> None:
    from flask_preflight.runtime import listeners as ls
    from flask_preflight.runtime.reaper import kill_tree

    graded: Set[int] = set()
    warned = False
    while os.getpid() == master and not _refusal:
        time.sleep(INTERVAL)
        try:
            workers = [int(pid) for pid in list(getattr(arbiter, "WORKERS", {}) or {})]
            parents = ls.parent_map()
            tree = ls.descendants(master, parents)  # the workers, what they started, and orphans re-parented here
            new = [lst for lst in ls.listeners(tree) if lst.inode not in own and lst.inode not in graded]
            if not new:
                continue
            batch = new[:ls.MAX_PROBES]  # the rest next time: a socket counts as graded only once asked
            graded.update(lst.inode for lst in batch)
            for s in ls.classify(batch, master):
                holder = s.listener.pid
                owner = next((w for w in workers if w == holder or holder in ls.descendants(w, parents)), holder)
                if s.kind in ("debugger", "werkzeug"):
                    what = "serves the Werkzeug debugger" if s.kind == "debugger" else \
                        "runs a Werkzeug development server"
                    held = "" if holder == owner else f" (held by process {holder}: {s.command})"
                    who = f"worker {owner}" if owner in workers else f"process {owner} (an orphan of a worker)"
                    reason = f"{who} {what} on {s.listener.where}{held}"
                    _refusal["reason"] = reason
                    _say(f"flask-preflight serve: {reason} (found by the master's watch); stopping the server")
                    kill_tree(owner)
                    try:
                        os.kill(owner, signal.SIGKILL)
                    except OSError:
                        pass
                    os.kill(master, signal.SIGTERM)
                    return
                # anything else: the worker's own check warned about what its import opened (a metrics port)
        except Exception as exc:  # noqa: BLE001 - the watch must never take the server down by itself
            # nor be switched off by one odd answer: say it once and keep looking
            if not warned:
                warned = True
                _say(f"flask-preflight serve: warning: the master's watch over worker sockets failed once "
                     f"({type(exc).__name__}: {exc}); it keeps looking")
