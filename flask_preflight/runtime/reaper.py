"""The supervisor of ``inspect``'s child: a subreaper that outlives the app's code and kills all it left behind.

A process group kill misses what left the group: a double fork with ``setsid()`` or
``Popen(..., start_new_session=True)`` serving on a port would outlive ``inspect``. On Linux the child
process therefore splits in two before any of the app's code runs: the original process marks itself a
*child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``, so every orphan below it is re-parented to it rather
than to init) and forks; the fork loads and checks the app. When the fork ends - or the parent asks for a
stop with SIGTERM at the timeout - the supervisor looks at what is still running below it (processes and
their listening sockets, graded like the child's own, see :mod:`flask_preflight.runtime.listeners`), stops
them all with SIGSTOP until the set no longer changes (a stopped process cannot fork), kills them with
SIGKILL, reaps them, and writes a JSON report next to the result (``RESULT.reaper.json``)::

    {"worker_exit": 0, "left": [{"pid": 123, "command": "python -c ..."}],
     "listening": [{"where": "127.0.0.1:8123", "address": "127.0.0.1", "port": 8123, "pid": 123,
                    "command": "...", "kind": "debugger", "evalex": true}],
     "survivors": []}

SIGUSR1 (the parent's stack-dump request) is passed on to the fork. Elsewhere (no prctl) the child runs as
before, in its own process group, and the parent's group kill is all there is (a documented limit).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any, Callable, Dict, List, Optional

PR_SET_CHILD_SUBREAPER = 36
KILL_ROUNDS = 200
_supervisor: Optional[int] = None


def supervisor_pid() -> Optional[int]:
    """The supervising process's pid in the fork that loads the app; None without a supervisor."""
    return _supervisor


def set_subreaper(on: bool = True) -> bool:
    """Mark this process a child subreaper (Linux; False where prctl is missing or refuses)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0
    except Exception:  # noqa: BLE001 - no libc, no prctl: fall back to the group kill
        return False


def supervise(work: Callable[[], int], report_path: str) -> int:
    """Run ``work`` in a forked process below this subreaper; afterwards kill everything left below it.

    Returns ``work``'s exit code (the fork's). Without subreaper support, ``work`` runs here directly."""
    global _supervisor
    if not set_subreaper():
        return work()
    me = os.getpid()
    watch = _Watch(me)
    pid = os.fork()
    if pid == 0:  # the fork: load and check the app
        _supervisor = me
        os.close(watch.done_r)
        os.close(watch.ack_w)
        code = 2
        try:
            code = work()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
            _last_look(watch)
            os._exit(code)
    os.close(watch.done_w)
    os.close(watch.ack_r)
    stopping: List[bool] = []

    def forward(signum: int, frame: Any) -> None:
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    def stop(signum: int, frame: Any) -> None:
        if not stopping:
            stopping.append(True)
            raise _Stop()

    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, forward)
    signal.signal(signal.SIGTERM, stop)
    status: Optional[int] = None
    try:
        status = _wait_for(pid, watch)
    except _Stop:
        pass  # the fork is still running: its sockets are graded with the rest, then it is killed
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the parent may repeat it while we clean up
    code = -signal.SIGKILL if status is None else _exit_code(status)
    report: Dict[str, Any] = {"worker_exit": code, "stopped": bool(stopping)}
    try:
        report.update(clean_up(me, worker=pid if status is None else None))
        known = {entry.get("where") for entry in report["listening"]}
        report["listening"] += [e for e in watch.seen(pid) if e["where"] not in known][:32]
    finally:
        _write(report_path, report)
    return code if code >= 0 else 128 - code


def _exit_code(status: int) -> int:
    if hasattr(os, "waitstatus_to_exitcode"):
        return os.waitstatus_to_exitcode(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)  # pragma: no cover


class _Stop(BaseException):
    """Raised by the SIGTERM handler to leave the wait: the parent's timeout. Not an ``Exception``, so the
    watch's best-effort ``except Exception`` (it may be probing a socket when the signal comes) lets it through."""


def _last_look(watch: "_Watch", wait: float = 5.0) -> None:
    """In the fork, before it exits: tell the supervisor and wait (bounded) until it has looked at the sockets
    once more, so a socket that lives only as long as the fork is still there to be asked."""
    import select

    try:
        os.write(watch.done_w, b"d")
        ready, _, _ = select.select([watch.ack_r], [], [], wait)
        if ready:
            os.read(watch.ack_r, 1)
    except OSError:
        pass


class _Watch:
    """Listening sockets that appear below the supervisor while the fork runs, graded from here.

    The fork's own scan (:class:`flask_preflight.runtime.listeners.ServerScan`) runs in the process that
    imported the app, whose code can patch it away (``ServerScan.served = lambda self: []``); and a socket a
    thread of the fork holds is gone once the fork exits, before :func:`clean_up` looks. So the supervisor,
    whose memory the app never touched, also looks every ``WATCH_INTERVAL`` seconds while it waits, and asks
    each new socket ``GET /console`` while it is still open: each in a thread of its own (at most
    ``MAX_ASKED`` in all), so sockets that never answer do not hold up the question to the next one."""

    MAX_ASKED = 128

    def __init__(self, root: int) -> None:
        import threading

        from flask_preflight.runtime import listeners as ls

        self.root = root
        self.on = ls.supported()
        self.baseline = {lst.inode for lst in ls.tree_listeners(root)} if self.on else set()
        self.found: Dict[int, Dict[str, Any]] = {}  # inode -> entry as in the report's "listening"
        self.asked: set = set()  # inodes already being asked
        self.threads: List[Any] = []
        self.lock = threading.Lock()
        self.done_r, self.done_w = os.pipe()  # the fork says "about to exit" (see _last_look)
        self.ack_r, self.ack_w = os.pipe()  # the supervisor answers "looked"

    def look(self) -> None:
        if not self.on:
            return
        import threading

        from flask_preflight.runtime import listeners as ls

        try:
            below = [p for p in ls.descendants(self.root) if not _zombie(p)]
            for lst in ls.listeners(below):
                if lst.inode in self.baseline or lst.inode in self.asked or len(self.asked) >= self.MAX_ASKED:
                    continue
                self.asked.add(lst.inode)
                thread = threading.Thread(target=self._grade, args=(lst,), daemon=True)
                thread.start()
                self.threads.append(thread)
        except Exception:  # noqa: BLE001 - watching is best effort; waiting for the fork is not
            self.on = False

    def _grade(self, lst: Any) -> None:
        from flask_preflight.runtime import listeners as ls

        try:
            [s] = ls.classify([lst], self.root)
            entry = {"where": s.listener.where, "address": s.listener.address, "port": s.listener.port,
                     "pid": s.listener.pid, "command": ls.command_line(s.listener.pid), "kind": s.kind,
                     "evalex": s.evalex}
        except Exception:  # noqa: BLE001
            return
        with self.lock:
            self.found[lst.inode] = entry

    def wait(self, interval: float) -> None:
        """Sleep up to ``interval``; when the fork says it is about to exit, look once more, let the questions
        finish, and let it go."""
        import select

        try:
            ready, _, _ = select.select([self.done_r], [], [], interval)
            if not ready or not os.read(self.done_r, 1):
                return
        except OSError:
            time.sleep(interval)
            return
        self.look()
        self.finish()
        try:
            os.write(self.ack_w, b"a")
        except OSError:
            pass

    def finish(self) -> None:
        from flask_preflight.runtime.listeners import PROBE_TIMEOUT

        deadline = time.monotonic() + PROBE_TIMEOUT + 0.5
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def seen(self, worker: int) -> List[Dict[str, Any]]:
        """What the watch found (waiting for questions still open), debuggers and development servers first."""
        self.finish()
        with self.lock:
            entries = list(self.found.values())
        out = []
        for entry in entries:
            if entry["pid"] == worker:
                entry = dict(entry, command="the process importing the app")
            out.append(entry)
        return sorted(out, key=lambda e: e["kind"] == "other")


WATCH_INTERVAL = 0.1


def _wait_for(pid: int, watch: Optional[_Watch] = None) -> int:
    """Reap children until ``pid`` itself has ended (orphans re-parented here are reaped on the way),
    looking for new listening sockets meanwhile when ``watch`` is given."""
    while True:
        try:
            got, status = os.waitpid(-1, os.WNOHANG if watch is not None else 0)
        except InterruptedError:  # pragma: no cover - PEP 475 retries
            continue
        except ChildProcessError:
            return 0
        if got == pid:
            return status
        if got == 0 and watch is not None:
            watch.look()
            watch.wait(WATCH_INTERVAL)


def clean_up(root: int, worker: Optional[int] = None) -> Dict[str, Any]:
    """Grade the listening sockets of every process still below ``root``, then stop and kill them all.
    ``worker`` is the fork that loads the app when it is still running (the timeout): its sockets are
    graded too, but it is not listed among the processes the import left behind."""
    from flask_preflight.runtime import listeners as ls

    below = [p for p in ls.descendants(root) if not _zombie(p)]
    left_pids = [p for p in below if p != worker]
    left = [{"pid": p, "command": ls.command_line(p)} for p in left_pids]
    listening: List[Dict[str, Any]] = []
    if below:
        try:
            for s in ls.classify(ls.listeners(below), root)[:16]:
                command = "the process importing the app" if s.listener.pid == worker else s.command
                listening.append({"where": s.listener.where, "address": s.listener.address,
                                  "port": s.listener.port, "pid": s.listener.pid, "command": command,
                                  "kind": s.kind, "evalex": s.evalex})
        except Exception as exc:  # noqa: BLE001 - grading is best effort; the killing is not
            listening.append({"error": f"{type(exc).__name__}: {exc}"})
    survivors = kill_tree(root)
    return {"left": left, "listening": listening, "survivors": survivors}


def kill_tree(root: int) -> List[int]:
    """SIGSTOP every process below ``root`` until no new one appears, then SIGKILL and reap them until none
    is left. Returns the pids still there after that (normally none)."""
    from flask_preflight.runtime.listeners import descendants

    for _ in range(KILL_ROUNDS):
        live = [p for p in descendants(root) if not _zombie(p) and not _stopped(p)]
        if not live:
            break
        for p in live:
            _signal(p, signal.SIGSTOP)
    remaining: List[int] = []
    for _ in range(KILL_ROUNDS):
        remaining = descendants(root)
        if not remaining:
            return []
        for p in remaining:
            _signal(p, signal.SIGKILL)
        _reap()
        time.sleep(0.005)
    return remaining


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _reap() -> None:
    while True:
        try:
            got, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if got == 0:
            return


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
        return stat[stat.rfind(")") + 2:][:1]
    except OSError:
        return "X"


def _zombie(pid: int) -> bool:
    return _state(pid) in ("Z", "X")


def _stopped(pid: int) -> bool:
    return _state(pid) in ("T", "t")


def _write(path: str, report: Dict[str, Any]) -> None:
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(report, fh)
        os.replace(tmp, path)
    except OSError:
        pass


RUN_ID_VAR = "FLASK_PREFLIGHT_RUN_ID"  # in the child's environment: marks every process an inspect run started


class Backstop:
    """The parent's second line, for a supervisor the app killed (``os.kill(os.getppid(), SIGKILL)``).

    While the child runs, the parent is a subreaper too, so processes orphaned by a dead supervisor come to
    it instead of init; afterwards :meth:`finish` kills those whose environment carries this run's
    ``RUN_ID_VAR`` (only those: an embedding program's own children are left alone) and switches the
    subreaper flag off again. Linux only; elsewhere it does nothing."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.me = os.getpid()
        self.active = set_subreaper(True)

    def finish(self) -> List[Dict[str, Any]]:
        """Kill and reap this run's processes still below the parent; what was killed (pid, command)."""
        if not self.active:
            return []
        from flask_preflight.runtime.listeners import command_line, descendants

        killed: Dict[int, str] = {}
        try:
            for _ in range(KILL_ROUNDS):
                ours = [p for p in descendants(self.me) if not _zombie(p) and _has_run_id(p, self.run_id)]
                if not ours:
                    break
                for p in ours:
                    killed.setdefault(p, command_line(p))
                    _signal(p, signal.SIGSTOP)
                for p in ours:
                    _signal(p, signal.SIGKILL)
                time.sleep(0.005)
            for p in killed:
                try:
                    os.waitpid(p, os.WNOHANG)  # our children now; others are reaped by their own parents
                except ChildProcessError:
                    pass
        finally:
            set_subreaper(False)
        return [{"pid": p, "command": c} for p, c in killed.items()]


def _has_run_id(pid: int, run_id: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return f"{RUN_ID_VAR}={run_id}".encode() in fh.read().split(b"\0")
    except OSError:
        return False
