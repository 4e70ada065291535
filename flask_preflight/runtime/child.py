"""The child process of ``inspect``: import the app the way gunicorn does, check it, write JSON.

Run as ``python -m flask_preflight.runtime.child REQUEST_JSON_PATH RESULT_JSON_PATH``. The request (written
by :mod:`flask_preflight.runtime.inspect`) holds the parsed target, the working directory, the environment
and the paths of a status file and a stack-dump file. The result is::

    {"findings": [Finding.to_dict(), ...], "problems": [Problem.to_dict(), ...],
     "server_starts": [{"kind", "path", "line"}, ...], "flask_version": "3.1.3" | null,
     "notes": ["GET / raised ...", ...],   # what the checks could not do, sockets that are not servers
     "target_location": [path, line] | null}   # where findings about the target point

What it does, in order: arrange a stack dump on the parent's signal (``SIGUSR1``; elsewhere a timer shortly
before the timeout) so a hanging import can be located; set ``os.environ``, ``cwd`` and ``sys.path[0]`` (the
import root, like gunicorn's ``--chdir``/cwd); import Flask and install the server-start guards (``Flask.run``, ``werkzeug.serving.run_simple``,
``flask_socketio.SocketIO.run``, ``waitress.serve``) *before* the app's module is imported; import the module
and find the app; run the checks; look for servers the guards did not stop (new listening sockets in this
process tree, ``DebuggedApplication`` objects outside the served stack: :mod:`flask_preflight.runtime.listeners`);
write the result; leave with ``os._exit`` so threads the app started at import (schedulers, pools) cannot keep
the process alive. On Linux all of this runs in a fork below a subreaper that kills whatever the import left
running (:mod:`flask_preflight.runtime.reaper`).

A guarded call records a :class:`ServerStart` at its caller and raises :class:`_ServerStartBlocked`, a
``BaseException`` so the app's ``except Exception`` cannot swallow it. The import is then incomplete, so the
module is not checked: the result is PF102 at the call plus an ``import-error`` problem. If the app
swallows it anyway (``except BaseException``) and the import completes, the app is checked as usual and
PF102 is still reported.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple

from flask_preflight.findings import Finding, Location, Problem, ProblemKind
from flask_preflight.runtime.context import AppContext, ServerStart
from flask_preflight.runtime.listeners import ServerScan
from flask_preflight.runtime.target import LoadError, Loaded, Target, TargetError, definition_line, load_app

TRACEBACK_LINES = 15
_HERE = os.path.dirname(os.path.abspath(__file__))


class _ServerStartBlocked(BaseException):
    """Raised by a guarded server start during the import (BaseException: ``except Exception`` in the app's
    code does not catch it)."""


# --- server-start guards ----------------------------------------------------------------------------


class ServerGuards:
    """Replace the calls that start a server with recorders; ``raising`` decides whether the call then
    raises :class:`_ServerStartBlocked` (the child, during the import) or returns ``None`` (the Flask CLI
    plugin, and the child while checking, like Flask's own no-op ``app.run()`` under ``flask``).

    ``install`` patches only what is importable; ``restore`` puts the originals back."""

    def __init__(self, raising: bool = True) -> None:
        self.raising = raising
        self.starts: List[ServerStart] = []
        self._saved: List[Tuple[Any, str, Any]] = []

    def install(self) -> "ServerGuards":
        import flask
        import werkzeug.serving

        self._patch(flask.Flask, "run", self._method("app.run()"))
        self._patch(werkzeug.serving, "run_simple", self._function("run_simple()"))
        socketio = _optional_import("flask_socketio")
        if socketio is not None and hasattr(socketio, "SocketIO"):
            self._patch(socketio.SocketIO, "run", self._method("socketio.run()"))
        waitress = _optional_import("waitress")
        if waitress is not None and hasattr(waitress, "serve"):
            self._patch(waitress, "serve", self._function("waitress.serve()"))
        return self

    def restore(self) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()

    def _patch(self, owner: Any, name: str, replacement: Callable[..., Any]) -> None:
        self._saved.append((owner, name, owner.__dict__.get(name, getattr(owner, name))))
        setattr(owner, name, replacement)

    def _record(self, kind: str) -> None:
        frame = sys._getframe(2)  # _record <- guard <- the caller
        self.starts.append(ServerStart(kind=kind, path=os.path.abspath(frame.f_code.co_filename),
                                       line=frame.f_lineno))
        del frame
        if self.raising:
            raise _ServerStartBlocked(kind)

    def _method(self, kind: str) -> Callable[..., Any]:
        guards = self

        def blocked(self: Any, *args: Any, **kwargs: Any) -> None:
            guards._record(kind)

        blocked.__name__ = blocked.__qualname__ = "run"
        return blocked

    def _function(self, kind: str) -> Callable[..., Any]:
        guards = self

        def blocked(*args: Any, **kwargs: Any) -> None:
            guards._record(kind)

        blocked.__name__ = blocked.__qualname__ = kind.rstrip("()").split(".")[-1]
        return blocked


def _optional_import(name: str) -> Any:
    import importlib
    import importlib.util

    try:
        if importlib.util.find_spec(name) is None:
            return None
        return importlib.import_module(name)
    except Exception:
        return None


def server_start_findings(starts: List[ServerStart], *, aborted: bool) -> List[Finding]:
    """One PF102 per stopped server start, at the call."""
    from flask_preflight.rules.debug import PF102

    out: List[Finding] = []
    for s in starts:
        message = (f"{s.kind} was called while the module was imported: a WSGI server (gunicorn, uWSGI, "
                   f"waitress) importing it would start the development server here instead of serving the app")
        if aborted:
            message += " (flask-preflight stopped the call, so the rest of the import did not run)"
        col, end_line, end_col, snippet = call_span(s.path, s.line)
        out.append(PF102.finding(message, Location(s.path, s.line, col, end_line, end_col), snippet=snippet,
                                 evidence=f"{s.kind} called at import time"))
    return out


def debugger_wrapper_findings(loaded: Loaded, where: Location) -> List[Finding]:
    """PF104 for a ``DebuggedApplication`` the target wraps around the app (outside ``app.wsgi_app``, where
    the app's own checks cannot see it)."""
    try:
        from werkzeug.debug import DebuggedApplication
    except Exception:  # pragma: no cover - werkzeug always comes with flask
        return []
    from flask_preflight.rules.debug import PF104

    out = []
    for layer in loaded.wrappers:
        if isinstance(layer, DebuggedApplication):
            evalex = " with evalex (code execution from the browser)" if getattr(layer, "evalex", False) else ""
            out.append(PF104.finding(
                f"The WSGI object {loaded.attribute or 'the target'} is a Werkzeug DebuggedApplication{evalex} "
                "around the Flask app", where, snippet=source_line(where.path, where.line),
                evidence="the served object is werkzeug.debug.DebuggedApplication"))
    return out


def call_span(path: str, line: int) -> Tuple[int, Optional[int], Optional[int], str]:
    """Column span of the server-start call on ``line`` (``.run(``/``run_simple(``/``serve(``), and the
    source line; column 1 when the call cannot be found."""
    import ast

    text = source_line(path, line)
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except Exception:
        return 1, None, None, text
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno == line:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("run", "run_simple", "serve"):
                if best is None or node.col_offset < best.col_offset:
                    best = node
    if best is None:
        return 1, None, None, text
    end_line = getattr(best, "end_lineno", None)
    end_col = getattr(best, "end_col_offset", None)
    if end_line is not None and end_line != line:  # keep the span on the reported line
        end_line, end_col = line, len(text.encode("utf-8")) if text else None
    # ast offsets are UTF-8 byte offsets; convert to characters on this line
    raw = text.encode("utf-8")
    col = len(raw[:best.col_offset].decode("utf-8", "replace")) + 1
    ecol = len(raw[:end_col].decode("utf-8", "replace")) + 1 if end_col is not None else None
    return col, end_line, ecol, text


def source_line(path: str, line: int) -> str:
    import linecache

    return linecache.getline(path, line).rstrip("\r\n")


# --- tracebacks -------------------------------------------------------------------------------------


def _machinery_dirs() -> Tuple[str, ...]:
    import importlib
    import runpy

    return (_HERE + os.sep, os.path.dirname(os.path.abspath(importlib.__file__)) + os.sep,
            os.path.abspath(runpy.__file__))


_MACHINERY = _machinery_dirs()


def _ours(filename: str) -> bool:
    """Frames of flask-preflight's loader, importlib and runpy: not the app's, so left out of reports."""
    return filename.startswith("<frozen ") or os.path.abspath(filename).startswith(_MACHINERY)


def traceback_tail(exc: BaseException, limit: int = TRACEBACK_LINES, skip: Tuple[str, ...] = ()) -> str:
    """The last ``limit`` lines of the traceback with flask-preflight's, importlib's and runpy's frames (and
    frames in files starting with one of ``skip``) left out."""
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    seen = set()
    stack = [te]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        t.stack = traceback.StackSummary.from_list(
            [f for f in t.stack if not _ours(f.filename) and not os.path.abspath(f.filename).startswith(skip)])
        for nxt in (t.__cause__, t.__context__):
            if nxt is not None:
                stack.append(nxt)
    lines = "".join(te.format()).rstrip("\n").splitlines()
    if len(lines) > limit:
        lines = ["..."] + lines[-limit:]
    return "\n".join(lines)


def user_frame(exc: BaseException, roots: List[str]) -> Optional[Tuple[str, int]]:
    """The innermost frame of the traceback in the project (under one of ``roots``, not in site-packages),
    else the innermost frame that is not flask-preflight's."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _ours(f.filename)]
    for f in reversed(frames):
        path = os.path.abspath(f.filename)
        if _in_project(path, roots):
            return path, f.lineno or 1
    if frames:
        return os.path.abspath(frames[-1].filename), frames[-1].lineno or 1
    return None


def _in_project(path: str, roots: List[str]) -> bool:
    if "site-packages" in path.split(os.sep) or "dist-packages" in path.split(os.sep):
        return False
    return any(path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


# --- the run ----------------------------------------------------------------------------------------


class _Run:
    def __init__(self, request: Dict[str, Any]) -> None:
        self.request = request
        self.target = Target.from_dict(request["target"])
        self.display = request.get("display_target") or self.target.original
        self.cwd = os.path.abspath(request.get("cwd") or os.getcwd())
        self.findings: List[Finding] = []
        self.problems: List[Problem] = []
        self.starts: List[ServerStart] = []
        self.flask_version: Optional[str] = None
        self.notes: List[str] = []
        self.rss_bytes: Optional[int] = None
        self.where: Optional[Tuple[str, int]] = None  # where findings about the target point

    def problem(self, kind: ProblemKind, reason: str, where: Optional[Tuple[str, int]] = None) -> None:
        path, line = where if where else (self.target.original, None)
        self.problems.append(Problem(path=path, kind=kind, reason=reason, line=line))

    def status(self, phase: str) -> None:
        path = self.request.get("status_path")
        if path:
            try:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(phase)
            except OSError:
                pass

    def run(self) -> None:
        env = self.request.get("env")
        if isinstance(env, dict):
            os.environ.clear()
            os.environ.update({str(k): str(v) for k, v in env.items()})
        started_in = os.path.abspath(os.getcwd())
        os.chdir(self.cwd)
        if sys.path and os.path.abspath(sys.path[0] or ".") == started_in:
            sys.path[0] = self.target.import_root  # replaces the entry `python -m` put there
        else:  # PYTHONSAFEPATH: `-m` added nothing
            sys.path.insert(0, self.target.import_root)
        self.status("importing")
        try:
            import flask
        except ImportError as exc:
            self.problem(ProblemKind.IMPORT_ERROR,
                         f"Flask cannot be imported in {sys.executable} ({exc}); inspect loads the app in the "
                         "Python environment flask-preflight runs in, so install flask-preflight there")
            return
        self.flask_version = _flask_version(flask)
        guards = ServerGuards(raising=True).install()
        self.starts = guards.starts
        baseline = ServerScan.before_import()
        loaded = self.load(flask.Flask)
        guards.raising = False  # a server start during the checks is recorded, not fatal
        self.rss_bytes = peak_rss()
        if loaded is None:
            if self.starts and not any(f.rule_id == "PF102" for f in self.findings):
                # the blocked call's exception was replaced by another one (a `finally:` that raised)
                self.findings.extend(server_start_findings(self.starts, aborted=True))
            self.scan_servers(baseline, None)
            return
        self.status("checking")
        self.check(loaded)
        self.scan_servers(baseline, loaded)

    def scan_servers(self, baseline: "ServerScan", loaded: Optional[Loaded]) -> None:
        """Servers the guards did not stop, found by their effect: new listening sockets here and in the
        processes the import started, and ``DebuggedApplication`` objects outside the served stack."""
        if loaded is not None:
            path, line = self._target_where(loaded)
        else:
            path, line = self._module_where() or (self.target.original, 1)
        self.where = (path, line)
        try:
            found, notes = baseline.findings(loaded, self.display, Location(path, line), source_line(path, line))
        except Exception as exc:  # noqa: BLE001 - report, never crash the run
            self.notes.append(f"the search for servers started by the import failed ({type(exc).__name__}: "
                              f"{_one_line(exc)}); listening sockets were not checked")
            return
        have = {(f.rule_id, f.message) for f in self.findings}
        self.findings.extend(f for f in found if (f.rule_id, f.message) not in have)
        self.notes.extend(notes)

    def load(self, flask_class: type) -> Optional[Loaded]:
        t = self.target
        roots = [t.import_root, self.cwd]
        try:
            return load_app(t, flask_class)
        except _ServerStartBlocked as exc:
            self.findings.extend(server_start_findings(self.starts, aborted=True))
            where = (self.starts[-1].path, self.starts[-1].line) if self.starts else None
            self.problem(ProblemKind.IMPORT_ERROR,
                         f"import stopped at {exc.args[0] if exc.args else 'a server start'}: the rest of the "
                         f"module did not run, so {self.display} was not checked; guard the call with "
                         "`if __name__ == \"__main__\":` and try again", where)
        except SystemExit as exc:
            code = exc.code
            self.problem(ProblemKind.IMPORT_ERROR,
                         f"sys.exit({code!r}) was called while importing {self.display}, so there is no app to "
                         f"check\n{traceback_tail(exc)}", user_frame(exc, roots))
        except LoadError as exc:
            self.problem(ProblemKind.IMPORT_ERROR, str(exc), self._module_where())
        except TargetError as exc:  # pragma: no cover - the parent validated the target
            self.problem(ProblemKind.IMPORT_ERROR, str(exc))
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if missing and (t.module == missing or t.module.startswith(missing + ".")) \
                    and user_frame(exc, roots) is None:
                self.problem(ProblemKind.IMPORT_ERROR,
                             f"cannot import {t.module!r} for {self.display}: no module named {missing!r} "
                             f"(searched {t.import_root} and the installed packages of {sys.executable})")
            else:
                self.problem(ProblemKind.IMPORT_ERROR,
                             f"importing {self.display} failed: a module it needs is missing ({exc}); is it "
                             f"installed in {sys.executable}?\n{traceback_tail(exc)}", user_frame(exc, roots))
        except BaseException as exc:  # noqa: B036 - anything the app raises is reported, never re-raised
            self.problem(ProblemKind.IMPORT_ERROR,
                         f"importing {self.display} raised {type(exc).__name__}: {_one_line(exc)}{_env_hint(exc)}\n"
                         f"{traceback_tail(exc)}", user_frame(exc, roots))
        return None

    def _module_where(self) -> Optional[Tuple[str, int]]:
        mod = sys.modules.get(self.target.module)
        path = getattr(mod, "__file__", None)
        return (os.path.abspath(path), 1) if path else None

    def _target_where(self, loaded: Loaded) -> Tuple[str, int]:
        module_file = getattr(sys.modules.get(loaded.module.__name__), "__file__", None) or \
            getattr(loaded.module, "__file__", None)
        target_path = os.path.abspath(module_file) if module_file else self.target.original
        return target_path, definition_line(target_path, loaded.attribute)

    def check(self, loaded: Loaded) -> None:
        target_path, target_line = self._target_where(loaded)
        env_pairs = tuple((str(k), str(v)) for k, v in self.request.get("env_pairs", []))
        ctx = AppContext(target=self.display, target_path=target_path, target_line=target_line,
                         server_starts=list(self.starts), env=env_pairs, outer_layers=tuple(loaded.wrappers),
                         deploy_proxy=self.request.get("deploy_proxy"))
        where = Location(target_path, target_line)
        own = debugger_wrapper_findings(loaded, where) + server_start_findings(list(self.starts), aborted=False)
        try:
            runner = checks_runner()
        except Exception as exc:  # noqa: BLE001 - the checks are another module; report, do not crash
            self.findings.extend(own)
            self.problem(ProblemKind.INTERNAL_ERROR,
                         f"the runtime checks could not be loaded ({type(exc).__name__}: {exc}); "
                         f"{self.display} was imported but not checked", (target_path, target_line))
            return
        try:
            found, notes = runner(loaded.app, ctx)
            self.notes.extend(notes)
        except BaseException as exc:  # noqa: B036
            self.findings.extend(own)
            self.problem(ProblemKind.INTERNAL_ERROR,
                         f"checking {self.display} failed with {type(exc).__name__}: {_one_line(exc)} - please "
                         f"report this as a bug\n{_full_tail(exc)}", (target_path, target_line))
            return
        have = {(f.rule_id, f.location.path, f.location.line) for f in found}
        self.findings.extend(found)
        self.findings.extend(f for f in own if (f.rule_id, f.location.path, f.location.line) not in have)

    def result(self) -> Dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "problems": [p.to_dict() for p in self.problems],
            "server_starts": [{"kind": s.kind, "path": s.path, "line": s.line} for s in self.starts],
            "flask_version": self.flask_version,
            "notes": self.notes,
            "rss_bytes": self.rss_bytes,
            "target_location": list(self.where) if self.where else None,
        }


def peak_rss() -> Optional[int]:
    """This process's peak resident size in bytes (what one server worker holding the app needs), or None
    where the ``resource`` module does not exist (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # bytes on macOS, KiB elsewhere


def checks_runner() -> Callable[[Any, AppContext], Tuple[List[Finding], List[str]]]:
    """``(app, ctx) -> (findings, notes)`` from :mod:`flask_preflight.runtime.checks`: its ``run_checks``
    when it has one (notes: requests that failed, check groups that crashed), else ``check_app``."""
    from flask_preflight.runtime import checks

    run_checks = getattr(checks, "run_checks", None)
    if callable(run_checks):
        def run(app: Any, ctx: AppContext) -> Tuple[List[Finding], List[str]]:
            found, notes = run_checks(app, ctx)
            return list(found), [str(n) for n in notes]
        return run
    check_app = checks.check_app

    def run_plain(app: Any, ctx: AppContext) -> Tuple[List[Finding], List[str]]:
        return list(check_app(app, ctx)), []
    return run_plain


def _flask_version(flask_module: Any) -> Optional[str]:
    try:
        from importlib.metadata import version

        return version("flask")
    except Exception:
        return getattr(flask_module, "__version__", None)


def _env_hint(exc: BaseException) -> str:
    """For ``os.environ["NAME"]`` failing at import: how to pass the variable."""
    if not isinstance(exc, KeyError) or len(exc.args) != 1 or not isinstance(exc.args[0], str):
        return ""
    name = exc.args[0]
    if not name or not name.replace("_", "").isalnum() or name in os.environ:
        return ""
    return (f" (is the environment variable {name} missing? inspect runs the app with flask-preflight's "
            f"environment: pass it with --env {name}=... or --env-file FILE)")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else "(no message)"


def _full_tail(exc: BaseException) -> str:
    lines = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip("\n").splitlines()
    return "\n".join(lines[-TRACEBACK_LINES:])


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m flask_preflight.runtime.child REQUEST_JSON_PATH RESULT_JSON_PATH\n")
        return 2
    request_path, result_path = args
    with open(request_path, encoding="utf-8") as fh:
        request = json.load(fh)
    dump = None
    dump_after = request.get("dump_after")
    dump_signal = getattr(signal, str(request.get("dump_signal") or ""), None)
    if request.get("dump_path"):
        # Where a hanging import is stuck: on POSIX the parent sends ``dump_signal`` just before it kills
        # the process (faulthandler dumps from C, even while Python is blocked); else a timer shortly before.
        try:
            dump = open(request["dump_path"], "w", encoding="utf-8")
            if dump_signal is not None:
                faulthandler.register(dump_signal, file=dump, all_threads=True)
            elif dump_after:
                faulthandler.dump_traceback_later(max(float(dump_after), 0.05), repeat=False, file=dump)
        except (OSError, ValueError, RuntimeError):
            dump = None
    run = _Run(request)
    try:
        run.run()
    except BaseException as exc:  # noqa: B036 - our own failure; still write a result
        run.problem(ProblemKind.INTERNAL_ERROR,
                    f"flask-preflight failed while inspecting {run.display}: {type(exc).__name__}: "
                    f"{_one_line(exc)} - please report this as a bug\n{_full_tail(exc)}")
    data = run.result()
    tmp = result_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)  # ASCII: undecodable path bytes survive as \\udcXX
    os.replace(tmp, result_path)
    if dump is not None:
        faulthandler.cancel_dump_traceback_later()
        if dump_signal is not None:
            faulthandler.unregister(dump_signal)
    return 0


def _main_flushed() -> int:
    code = 2
    try:
        code = main()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    return code


if __name__ == "__main__":
    from flask_preflight.runtime.reaper import supervise

    _code = 2
    try:
        # On Linux this process stays behind as a subreaper and a fork loads the app (see reaper.py); the
        # report of what the import left running goes next to the result.
        _code = supervise(_main_flushed, sys.argv[2] + ".reaper.json") if len(sys.argv) == 3 else _main_flushed()
    finally:
        # Threads or atexit handlers the app registered at import must not keep the process alive.
        os._exit(_code)
