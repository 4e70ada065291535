"""Servers found by their effect: listening TCP sockets and Werkzeug debuggers in a process and its descendants.

The server-start guards (``app.run()``, ``run_simple()``, ...) stop the usual calls, but an app can start
a server without them: ``make_server(...).serve_forever()`` in an import-time thread, ``importlib.reload``
of ``werkzeug.serving``, or a child process. What none of these can hide is the listening socket. So
``inspect``'s child and every ``serve`` worker compare the listening sockets they own (and the ones their
descendants own) before and after the app is imported, and look for ``DebuggedApplication`` objects
anywhere in memory (``gc``), not only in the served WSGI stack.

Linux only: sockets are read from ``/proc/net/tcp{,6}`` (state ``0A``, LISTEN) and ``/proc/PID/fd``;
processes from ``/proc/PID/stat``. Elsewhere every function returns nothing (a documented limit).

How a new listening socket is graded (docs/inspect.md):

* it serves a ``DebuggedApplication`` (in this process: the Werkzeug server object's app; in a descendant:
  its ``/console`` answers with the Werkzeug debugger page) - PF104, critical with evalex;
* it is a Werkzeug development server without the debugger - PF102 (high);
* anything else (a metrics endpoint, a database driver's listener) - a warning note naming the address and
  the process, not a finding: flask-preflight cannot tell what it serves, and it is not a debugger.
"""

from __future__ import annotations

import gc
import os
import socket
import struct
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

PROC = "/proc"
_LISTEN = "0A"
PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class Listener:
    """A listening TCP socket: its inode, address, port and the process holding it."""

    inode: int
    address: str
    port: int
    pid: int

    @property
    def where(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


def supported() -> bool:
    return os.path.isfile(os.path.join(PROC, "net", "tcp"))


def _decode_address(hex_addr: str) -> Tuple[str, int]:
    host, port = hex_addr.split(":")
    raw = bytes.fromhex(host)
    # the kernel prints each 32-bit word of the (network order) address as a native-endian integer
    words = [struct.pack("=I", int(host[i:i + 8], 16)) for i in range(0, len(host), 8)]
    packed = b"".join(words) if len(raw) in (4, 16) else raw
    family = socket.AF_INET if len(packed) == 4 else socket.AF_INET6
    text = socket.inet_ntop(family, packed)
    if text.startswith("::ffff:") and "." in text:
        text = text[7:]
    return text, int(port, 16)


def listening_table() -> Dict[int, Tuple[str, int]]:
    """``{inode: (address, port)}`` of every listening TCP socket in this network namespace."""
    table: Dict[int, Tuple[str, int]] = {}
    for name in ("tcp", "tcp6"):
        try:
            with open(os.path.join(PROC, "net", name), encoding="ascii", errors="replace") as fh:
                next(fh, None)
                for line in fh:
                    parts = line.split()
                    if len(parts) < 10 or parts[3] != _LISTEN:
                        continue
                    try:
                        table[int(parts[9])] = _decode_address(parts[1])
                    except (ValueError, OSError):
                        continue
        except OSError:
            continue
    return table


def socket_inodes(pid: int) -> Set[int]:
    """Inodes of the sockets ``pid`` has open (``/proc/PID/fd/N -> socket:[INODE]``)."""
    fd_dir = os.path.join(PROC, str(pid), "fd")
    found: Set[int] = set()
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return found
    for name in names:
        try:
            target = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if target.startswith("socket:["):
            try:
                found.add(int(target[8:-1]))
            except ValueError:
                continue
    return found


def parent_map() -> Dict[int, int]:
    """``{pid: ppid}`` for every process visible in /proc."""
    out: Dict[int, int] = {}
    try:
        entries = os.listdir(PROC)
    except OSError:
        return out
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(PROC, entry, "stat"), "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        # the command name is in parentheses and may itself contain ") "
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) >= 2:
            try:
                out[int(entry)] = int(rest[1])
            except ValueError:
                continue
    return out


def descendants(root: int, parents: Optional[Dict[int, int]] = None) -> List[int]:
    """Every process below ``root`` (children, their children, ...), found by a /proc ppid scan."""
    parents = parent_map() if parents is None else parents
    children: Dict[int, List[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out: List[int] = []
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        if pid in out or pid == root:
            continue
        out.append(pid)
        pending.extend(children.get(pid, []))
    return sorted(out)


def listeners(pids: Iterable[int]) -> List[Listener]:
    """The listening TCP sockets the processes ``pids`` hold."""
    table = listening_table()
    out: List[Listener] = []
    seen: Set[int] = set()
    for pid in pids:
        for inode in sorted(socket_inodes(pid)):
            if inode in table and inode not in seen:
                seen.add(inode)
                address, port = table[inode]
                out.append(Listener(inode, address, port, pid))
    return out


def tree_listeners(root: int) -> List[Listener]:
    """Listening sockets held by ``root`` and every process below it."""
    return listeners([root] + descendants(root))


def command_line(pid: int) -> str:
    """``/proc/PID/cmdline`` as a shell-like string (shortened), or ``pid N`` when it cannot be read."""
    try:
        with open(os.path.join(PROC, str(pid), "cmdline"), "rb") as fh:
            raw = fh.read()
    except OSError:
        return f"pid {pid}"
    text = " ".join(" ".join(p.decode("utf-8", "replace").split()) for p in raw.split(b"\0") if p)  # one line
    return text if len(text) <= 120 else text[:117] + "..."


# --- what a socket serves -----------------------------------------------------------------------------


_DEBUGGER = ("werkzeug.debug", "DebuggedApplication")
_DEV_SERVER = ("werkzeug.serving", "BaseWSGIServer")


class _KindOf:
    """Whether an object is an instance of a class named ``module.name`` or of a subclass of one, judged by
    the names in ``type(obj).__mro__``, not by ``isinstance`` against the class the module names now: after
    ``importlib.reload(werkzeug.debug)`` a debugger built before the reload is an instance of a class the
    module no longer names (and ``type()`` cannot be faked by a ``__class__`` property)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name
        self._known: Dict[type, bool] = {}

    def __call__(self, obj: Any) -> bool:
        cls = type(obj)
        hit = self._known.get(cls)
        if hit is None:
            try:
                hit = any(getattr(c, "__module__", None) == self.module and getattr(c, "__name__", None) == self.name
                          for c in cls.__mro__)
            except Exception:  # noqa: BLE001 - a hostile metaclass
                hit = False
            self._known[cls] = hit
        return hit


def debugged_applications() -> List[Any]:
    """Every ``werkzeug.debug.DebuggedApplication`` instance alive in this process (a ``gc`` walk: one
    held by a thread, a closure or a module global counts, not only one in the served WSGI stack; one made
    before ``werkzeug.debug`` was reloaded too)."""
    is_debugger = _KindOf(*_DEBUGGER)
    return [obj for obj in gc.get_objects() if is_debugger(obj)]


def werkzeug_servers() -> Dict[int, Any]:
    """``{socket inode: server}`` for the Werkzeug development servers (``BaseWSGIServer``) alive here."""
    is_server = _KindOf(*_DEV_SERVER)
    out: Dict[int, Any] = {}
    for obj in gc.get_objects():
        try:
            if not is_server(obj):
                continue
            fd = obj.socket.fileno()
            if fd >= 0:
                out[os.fstat(fd).st_ino] = obj
        except Exception:  # noqa: BLE001 - a closed or odd server object
            continue
    return out


def debugger_in_chain(app: Any, limit: int = 32) -> Optional[Any]:
    """The ``DebuggedApplication`` in the WSGI chain below ``app`` (``.app``/``.application``/``.wsgi_app``
    links), if any."""
    is_debugger = _KindOf(*_DEBUGGER)
    seen: Set[int] = set()
    current = app
    for _ in range(limit):
        if current is None or id(current) in seen:
            return None
        seen.add(id(current))
        if is_debugger(current):
            return current
        nxt = None
        for attr in ("app", "application", "wsgi_app"):
            try:
                nxt = vars(current).get(attr) if hasattr(current, "__dict__") else None
            except TypeError:
                nxt = None
            if nxt is not None:
                break
        current = nxt
    return None


@dataclass(frozen=True)
class Probe:
    """What an HTTP ``GET /console`` on a listening port answered: the Server header, and whether the page
    is the Werkzeug debugger's console."""

    server: str = ""
    debugger: bool = False

    @property
    def werkzeug(self) -> bool:
        return self.server.startswith("Werkzeug/")


def probe(listener: Listener, timeout: float = PROBE_TIMEOUT) -> Probe:
    """Ask the socket what it is, over the machine's own network: ``GET /console`` (read-only). Only used
    for sockets in other processes, whose objects cannot be looked at; a silent socket gives ``Probe()``."""
    import http.client

    host = listener.address
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    conn = http.client.HTTPConnection(host, listener.port, timeout=timeout)
    try:
        conn.request("GET", "/console", headers={"Host": "localhost", "Connection": "close"})
        resp = conn.getresponse()
        body = resp.read(65536)
        server = resp.getheader("Server") or ""
        return Probe(server=server, debugger=b"Werkzeug Debugger" in body and b"console" in body.lower())
    except (OSError, http.client.HTTPException, ValueError):
        return Probe()
    finally:
        conn.close()


@dataclass(frozen=True)
class Served:
    """A new listening socket and what was found about it."""

    listener: Listener
    kind: str  # "debugger" | "werkzeug" | "other"
    evalex: bool = False
    own_process: bool = True
    command: str = ""

    def describe(self) -> str:
        who = "this process" if self.own_process else f"process {self.listener.pid} ({self.command})"
        return f"{self.listener.where} (held by {who})"


MAX_PROBES = 32  # sockets asked over HTTP in one call, all at once; beyond that they are listed unprobed


def _probe_all(targets: List[Listener]) -> Dict[int, Probe]:
    """``probe`` for each listener, concurrently: silent sockets (a tarpit that never answers) cost one
    ``PROBE_TIMEOUT`` together, not one each, so they cannot push a debugger behind them out of the run."""
    if not targets:
        return {}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        answers = list(pool.map(probe, targets))
    return {lst.inode: answer for lst, answer in zip(targets, answers)}


def classify(new: Iterable[Listener], own_pid: int) -> List[Served]:
    """Grade each new listening socket: in ``own_pid`` by the Werkzeug server object holding it, else (another
    process, or no server object found) by probing it (at most ``MAX_PROBES`` of them, all at once, so silent
    sockets cannot stretch the run)."""
    new = list(new)
    servers = werkzeug_servers() if any(lst.pid == own_pid for lst in new) else {}
    # a socket in another process, or one here without a Werkzeug server object we can see (another class,
    # or one rebuilt to hide), is asked over HTTP
    asked = [lst for lst in new if lst.pid != own_pid or lst.inode not in servers][:MAX_PROBES]
    answers = _probe_all(asked)
    out: List[Served] = []
    for lst in new:
        server = servers.get(lst.inode) if lst.pid == own_pid else None
        if server is not None:
            dbg = debugger_in_chain(getattr(server, "app", None))
            if dbg is not None:
                out.append(Served(lst, "debugger", evalex=bool(getattr(dbg, "evalex", False))))
            else:
                out.append(Served(lst, "werkzeug"))
            continue
        answer = answers.get(lst.inode, Probe())
        kind = "debugger" if answer.debugger else "werkzeug" if answer.werkzeug else "other"
        if lst.pid == own_pid:
            out.append(Served(lst, kind, evalex=answer.debugger))
        else:
            out.append(Served(lst, kind, evalex=answer.debugger, own_process=False, command=command_line(lst.pid)))
    return out


# --- findings ---------------------------------------------------------------------------------------


def served_debugger_ids(app: Any, outer: Tuple[Any, ...]) -> Set[int]:
    """ids of the ``DebuggedApplication`` objects in the served WSGI stack (the wrappers around the app,
    ``app.wsgi_app`` and the apps mounted below it): the stack checks report those already."""
    from flask_preflight.runtime.check_wsgi import resolve_mount, wsgi_layers

    ids: Set[int] = set()
    pending: List[Tuple[Any, Tuple[Any, ...]]] = [(app, outer)]
    seen: Set[int] = set()
    while pending:
        current, layers = pending.pop()
        if id(current) in seen or len(seen) > 64:
            continue
        seen.add(id(current))
        mounts: List[Tuple[str, str, Any]] = []
        for _, layer in wsgi_layers(current, layers, mounts=mounts):
            ids.add(id(layer))
        for _, _, mounted in mounts:
            inner, inner_layers = resolve_mount(mounted)
            ids.update(id(x) for x in inner_layers)
            ids.add(id(mounted))
            if inner is not None:
                pending.append((inner, tuple(inner_layers)))
    return ids


def server_findings(served: Iterable[Served], hidden: Iterable[Any], target: str, where: Any,
                    snippet: str = "") -> Tuple[List[Any], List[str]]:
    """(findings, notes) for the new listening sockets and the ``DebuggedApplication`` objects outside the
    served stack (``hidden``). A debugger is PF104 (critical with evalex, as in the stack check), a Werkzeug
    server without it PF102, any other listening socket a note."""
    from flask_preflight.findings import Severity
    from flask_preflight.rules.debug import PF102, PF104

    findings: List[Any] = []
    notes: List[str] = []
    for s in served:
        who = s.describe()
        if s.kind == "debugger":
            what = ("with evalex=True: anyone who reaches it can run Python in that process" if s.evalex
                    else "with evalex=False: tracebacks with source and local variables are shown to clients")
            findings.append(PF104.finding(
                f"A Werkzeug development server started while {target} was imported serves the Werkzeug "
                f"debugger on {who} {what}; the app.run()/run_simple() guards did not stop it (found by its "
                "listening socket).", where, snippet=snippet,
                severity=Severity.CRITICAL if s.evalex else Severity.HIGH,
                evidence=f"listening socket {s.listener.where}: DebuggedApplication(evalex={s.evalex})"))
        elif s.kind == "werkzeug":
            findings.append(PF102.finding(
                f"A Werkzeug development server started while {target} was imported listens on {who}: a WSGI "
                "server importing the module starts it beside the app; the app.run()/run_simple() guards did "
                "not stop it (found by its listening socket).", where, snippet=snippet,
                evidence=f"listening socket {s.listener.where}: Werkzeug development server"))
        else:
            notes.append(f"importing {target} opened a listening socket on {who} that is not a Werkzeug server "
                         "(a metrics or admin endpoint?); every server worker importing the app opens it too; "
                         "inspect closed it when it ended")
    for dbg in hidden:
        evalex = bool(getattr(dbg, "evalex", False))
        findings.append(PF104.finding(
            f"A Werkzeug DebuggedApplication (evalex={evalex}) exists in memory after {target} was imported, "
            "outside the served WSGI stack: whatever holds it (a thread, a global, a second server) can hand it "
            "requests.", where, snippet=snippet,
            severity=Severity.CRITICAL if evalex else Severity.HIGH,
            evidence=f"gc: DebuggedApplication(evalex={evalex}) outside the served stack"))
    return findings, notes


SETTLE_SECONDS = 0.5  # how long threads the import started get to bind their socket before the last look


class ServerScan:
    """The listening sockets of this process tree before the import, compared with the ones after it.

    The tree is rooted at the supervisor (:mod:`flask_preflight.runtime.reaper`) when there is one, so a
    process that left with ``setsid()`` is still in it; else at this process."""

    def __init__(self, root: int, inodes: Set[int], threads: Set[int]) -> None:
        self.root = root
        self.inodes = inodes
        self.threads = threads

    @classmethod
    def before_import(cls, root: Optional[int] = None) -> "ServerScan":
        import threading

        from flask_preflight.runtime.reaper import supervisor_pid

        root = root or supervisor_pid() or os.getpid()
        inodes = {lst.inode for lst in tree_listeners(root)} if supported() else set()
        return cls(root, inodes, {t.ident or 0 for t in threading.enumerate()})

    def new_listeners(self) -> List[Listener]:
        """Listening sockets that were not there before the import; when none shows up yet but threads the
        import started are running, they get up to ``SETTLE_SECONDS`` to bind one."""
        import threading
        import time

        if not supported():
            return []
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            new = [lst for lst in tree_listeners(self.root) if lst.inode not in self.inodes]
            started = [t for t in threading.enumerate() if (t.ident or 0) not in self.threads and t.is_alive()]
            if new or not started or time.monotonic() >= deadline:
                return new
            time.sleep(0.05)

    def served(self) -> List[Served]:
        return classify(self.new_listeners(), os.getpid())

    def findings(self, loaded: Any, target: str, where: Any, snippet: str = "") -> Tuple[List[Any], List[str]]:
        """(findings, notes) for what the import started: see :func:`server_findings`."""
        served = self.served()
        hidden = self.hidden_debuggers(loaded, served)
        return server_findings(served, hidden, target, where, snippet)

    @staticmethod
    def hidden_debuggers(loaded: Any, served: Iterable[Served]) -> List[Any]:
        """``DebuggedApplication`` objects neither in the served stack nor behind a reported socket."""
        known: Set[int] = set()
        if loaded is not None:
            known = served_debugger_ids(loaded.app, tuple(loaded.wrappers))
        reported = {s.listener.inode for s in served if s.own_process}
        for inode, server in werkzeug_servers().items():
            if inode in reported:
                dbg = debugger_in_chain(getattr(server, "app", None))
                if dbg is not None:
                    known.add(id(dbg))
        return [d for d in debugged_applications() if id(d) not in known]


def stop_servers(inodes: Iterable[int], wait: float = 2.0) -> None:
    """Shut down the ``socketserver`` servers in this process listening on ``inodes`` (a refused worker must
    not keep serving the debugger from a thread the import started, nor wait for that thread at exit)."""
    import socketserver
    import threading

    wanted = set(inodes)
    for obj in gc.get_objects():
        try:
            if not isinstance(obj, socketserver.BaseServer):
                continue
            fd = obj.socket.fileno()
            if fd < 0 or os.fstat(fd).st_ino not in wanted:
                continue
        except Exception:  # noqa: BLE001
            continue
        stopper = threading.Thread(target=obj.shutdown, daemon=True)  # blocks if serve_forever never ran
        stopper.start()
        stopper.join(wait)
        try:
            obj.server_close()
        except Exception:  # noqa: BLE001
            pass
