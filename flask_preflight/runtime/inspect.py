"""The parent side of ``inspect``: run the child process, enforce the timeout, turn its JSON into a ScanResult.

The app's code runs only in the child (:mod:`flask_preflight.runtime.child`), started as
``sys.executable -m flask_preflight.runtime.child REQUEST RESULT`` in a new session (its own process group),
with stdin from ``/dev/null`` and stdout/stderr sent to pipes drained by threads that keep only the last
64 KiB of each (:mod:`flask_preflight.runtime.output`; a note says when more was printed). On Linux the child
is a subreaper supervising a fork that loads the app (:mod:`flask_preflight.runtime.reaper`): when the fork
ends, or at the timeout on our SIGTERM, it kills every process the import started, including those that
left the session, and reports them. The whole process group is killed afterwards in any case (the only
clean-up where there is no subreaper). Whatever the child printed is kept only for error messages.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, ScanResult
from flask_preflight.runtime.output import StreamTail
from flask_preflight.runtime.reaper import RUN_ID_VAR, Backstop
from flask_preflight.runtime.target import Target, TargetError, default_target, parse_target

DEFAULT_TIMEOUT = 30.0
OUTPUT_TAIL_LINES = 10
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
_IMPORTLIB_DIR = os.path.dirname(os.path.abspath(__import__("importlib").__file__))
_RUNPY = os.path.abspath(__import__("runpy").__file__)
_FAULT_FRAME_RE = re.compile(r'^\s*File "(?P<path>.*)", line (?P<line>\d+)(?: in (?P<func>.*))?$')


def resolve_target(target: Optional[str], env: Mapping[str, str], cwd: str) -> Target:
    """TARGET, else ``FLASK_APP`` from ``env``, else ``wsgi.py``/``app.py`` in ``cwd`` (Flask's CLI order).

    Raises TargetError for a malformed target or when nothing names an app."""
    if target is not None:
        return parse_target(target, cwd)
    flask_app = env.get("FLASK_APP")
    if flask_app:
        return parse_target(flask_app, cwd, source="FLASK_APP")
    found = default_target(cwd)
    if found is None:
        raise TargetError(f"no TARGET given, FLASK_APP is not set and there is no wsgi.py or app.py in "
                          f"{cwd}; name the app, e.g. `wsgi:app`")
    return found


def run_inspect(target: Optional[str], env: Dict[str, str], timeout: float = DEFAULT_TIMEOUT, cwd: str = ".",
                *, settings: Any = None, display_root: Optional[str] = None,
                notes: Optional[List[str]] = None, details: Optional[Dict[str, Any]] = None) -> ScanResult:
    """Load the app named by ``target`` in a child process and check it.

    ``env`` holds the variables from ``--env``/``--env-file``; they are laid over this process's
    environment for the child (and looked up for ``FLASK_APP`` when ``target`` is None). ``cwd`` is the
    directory the app is loaded in (gunicorn's ``--chdir``). Findings pass through ``apply_filters`` with
    ``settings`` (default: the settings found from ``cwd``). Paths are shown relative to ``display_root``
    (default: the current directory) when below it. ``notes``, when given, receives what the checks
    could not do (a test-client request that raised, a check group that failed): warnings, not problems.
    ``details``, when given, receives ``findings`` (before any selection or suppression: ``serve`` never
    lets a suppressed debugger through) and ``rss_bytes`` (the child's peak size after loading the app).

    A malformed target raises TargetError; everything that goes wrong while loading is a Problem."""
    from flask_preflight.static.engine import apply_filters

    cwd = os.path.abspath(cwd)
    display_root = os.path.abspath(display_root or os.getcwd())
    child_env = dict(os.environ)
    child_env.update(env)
    resolved = resolve_target(target, child_env, cwd)
    shown = target if target is not None else resolved.original
    if settings is None:
        from flask_preflight.config import load_settings

        settings = load_settings(None, start=cwd)
    load_runtime_rules()

    data, problems, left_findings, run_notes = _run_child(resolved, shown, child_env, env, timeout, cwd,
                                                          display_root)
    if notes is not None:
        notes.extend(run_notes)
    findings: List[Finding] = list(left_findings)
    if data is not None:
        try:
            decoded, child_problems = _decode(data)
            findings.extend(decoded)
            problems.extend(child_problems)
            if notes is not None:
                notes.extend(str(n) for n in data.get("notes") or [] if n)
        except ValueError as exc:
            problems.append(Problem(path=shown, kind=ProblemKind.INTERNAL_ERROR,
                                    reason=f"the inspection process wrote an unreadable result: {exc}"))
    findings = localize_findings(findings, display_root)
    problems = [_localize_problem(p, display_root) for p in problems]
    if details is not None:
        details["findings"] = list(findings)
        details["rss_bytes"] = data.get("rss_bytes") if data is not None else None
    filtered = apply_filters(findings, settings)
    return ScanResult(findings=filtered.kept, problems=problems, files_scanned=1,
                      suppressed=filtered.suppressed, suppressed_by_rule=filtered.suppressed_by_rule).sorted()


def load_runtime_rules() -> None:
    """Make sure the registry knows the runtime rules (PF5xx) in this process too, so --select/--ignore
    and ``filter_findings`` accept them even if the rule pack is not imported by default."""
    try:
        import flask_preflight.rules.runtime  # noqa: F401
    except Exception:
        pass


def render_inspect_report(result: ScanResult, fmt: str, *, color: bool = False, statistics: bool = False,
                          tool_version: str) -> str:
    """``render`` for inspect results. JSON and SARIF carry a problem's whole reason (traceback tail,
    last output); the text report shows its first line in the usual problem line and the rest indented
    below it, because the text reporter prints every message on one line."""
    from flask_preflight.report import render

    if fmt == "html":
        return _render_html(result, tool_version=tool_version)
    if fmt != "text":
        return render(result, fmt, color=color, statistics=statistics, tool_version=tool_version)
    return _not_loaded_summary(_render_text(result, color=color, statistics=statistics,
                                            tool_version=tool_version), result)


def _render_html(result: ScanResult, *, tool_version: str) -> str:
    """The shared HTML page; its summary says plainly when the app was not loaded (as the text report does)."""
    from flask_preflight.report.html import Layout, render_html
    from flask_preflight.report.text import summary_line

    summary = summary_line(result)
    if app_not_loaded(result):
        n = len(result.findings)
        found = f" ({n} finding{'s' if n != 1 else ''} from the import itself)" if n else ""
        summary = f"The app was not loaded, so it was not checked{found}; see the error below."
    layout = Layout(command="inspect", summary=summary, problems_heading="What could not be inspected",
                    no_problems="None: the app was loaded and every check ran.")
    return render_html(result, tool_version=tool_version, layout=layout)


def app_not_loaded(result: ScanResult) -> bool:
    """The app could not be imported or found: nothing but what the import showed (PF102) was checked."""
    return any(p.kind is ProblemKind.IMPORT_ERROR for p in result.problems)


def _not_loaded_summary(text: str, result: ScanResult) -> str:
    """Replace the "No findings in 1 file" summary by a plain statement when the app was not loaded."""
    if not app_not_loaded(result):
        return text
    from flask_preflight.report.text import summary_line

    brief = replace(result, problems=[replace(p, reason=p.reason.split("\n", 1)[0]) for p in result.problems])
    old = summary_line(brief)
    n = len(result.findings)
    found = f" ({n} finding{'s' if n != 1 else ''} from the import itself)" if n else ""
    new = f"The app was not loaded, so it was not checked{found}; see the error above."
    if old in text:
        return text.replace(old, new, 1)
    return text.rstrip("\n") + "\n" + new + "\n"


def _render_text(result: ScanResult, *, color: bool, statistics: bool, tool_version: str) -> str:
    from flask_preflight.report import render

    fmt = "text"
    if not any("\n" in p.reason for p in result.problems):
        return render(result, fmt, color=color, statistics=statistics, tool_version=tool_version)
    from flask_preflight.report.text import escape, format_problem

    short = [replace(p, reason=p.reason.split("\n", 1)[0]) for p in result.problems]
    text = render(replace(result, problems=short), fmt, color=color, statistics=statistics,
                  tool_version=tool_version)
    for full, brief in zip(result.problems, short):
        rest = full.reason.split("\n")[1:]
        if rest:
            line = format_problem(brief, color=color)
            block = "\n".join("    " + escape(r) for r in rest)
            text = text.replace(line + "\n", line + "\n" + block + "\n", 1)
    return text


# --- the child process ------------------------------------------------------------------------------


def _run_child(target: Target, shown: str, child_env: Dict[str, str], overrides: Mapping[str, str],
               timeout: float, cwd: str, display_root: str
               ) -> Tuple[Optional[Dict[str, Any]], List[Problem], List[Finding], List[str]]:
    """Run the child; (its result, problems, findings about what it left running, notes)."""
    with tempfile.TemporaryDirectory(prefix="flask-preflight-inspect-") as tmp:
        paths = {name: os.path.join(tmp, name) for name in
                 ("request.json", "result.json", "status", "stack.txt")}
        paths["reaper"] = paths["result.json"] + ".reaper.json"  # written by the supervisor (reaper.py)
        margin = min(2.0, max(0.5, timeout * 0.25))
        run_id = uuid.uuid4().hex  # marks this run's processes for the backstop (reaper.Backstop)
        child_env = dict(child_env, **{RUN_ID_VAR: run_id})
        request = {
            "target": target.to_dict(),
            "display_target": shown,
            "cwd": cwd,
            "env": child_env,
            "env_pairs": sorted(overrides.items()),
            "deploy_proxy": _deploy_proxy(cwd),
            "status_path": paths["status"],
            "dump_path": paths["stack.txt"],
            "dump_after": max(timeout - margin, 0.05),  # where signals are missing (Windows)
            "dump_signal": "SIGUSR1" if hasattr(signal, "SIGUSR1") else None,
        }
        with open(paths["request.json"], "w", encoding="utf-8") as fh:
            json.dump(request, fh)
        cmd = [sys.executable, "-m", "flask_preflight.runtime.child", paths["request.json"], paths["result.json"]]
        timed_out = False
        backstop = Backstop(run_id)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            proc = _spawn(cmd, child_env, out_w, err_w)
        except BaseException:
            backstop.finish()
            raise
        finally:
            os.close(out_w)
            os.close(err_w)
        out, err = StreamTail(out_r, "stdout"), StreamTail(err_r, "stderr")
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _request_stack_dump(proc, paths["stack.txt"])
            _stop_supervisor(proc)
        finally:
            _kill_group(proc)  # on timeout, and whatever the import left running (where there is no supervisor)
            proc.wait()
            escaped = backstop.finish()
            out.close()
            err.close()
        output = err.lines(OUTPUT_TAIL_LINES) or out.lines(OUTPUT_TAIL_LINES)
        notes = [n for n in (out.truncation_note(shown), err.truncation_note(shown)) if n]
        data: Optional[Dict[str, Any]] = None
        problems: List[Problem] = []
        text = None if timed_out else _read(paths["result.json"])
        if timed_out:
            problems.append(_timeout_problem(target, shown, timeout, _read(paths["status"]),
                                             _read(paths["stack.txt"]), output, cwd, display_root))
        elif text is None:
            problems.append(_crash_problem(shown, proc.returncode, output))
        else:
            try:
                loaded = json.loads(text)
                if not isinstance(loaded, dict):
                    raise ValueError("not an object")
                data = loaded
            except ValueError:
                problems.append(_crash_problem(shown, proc.returncode, output, unreadable=True))
        near = next(((p.path, p.line) for p in problems if p.line), None)  # where a timeout was stuck
        findings, reaped_notes = _left_running(_read(paths["reaper"]), data, shown, near)
        if escaped:
            listed = "; ".join(f"pid {p['pid']}: {p['command']}" for p in escaped[:5])
            reaped_notes.append(f"{len(escaped)} process{'es' if len(escaped) != 1 else ''} started by importing "
                                f"{shown} escaped its supervisor ({listed}); inspect killed "
                                f"{'them' if len(escaped) != 1 else 'it'}")
        return data, problems, findings, notes + reaped_notes


def _stop_supervisor(proc: "subprocess.Popen[bytes]", grace: float = 15.0) -> None:
    """At the timeout: SIGTERM asks the supervisor (reaper.py) to kill the app's process and everything it
    started, and to write its report; the group kill that follows is the fallback."""
    if os.name != "posix" or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=grace)
    except (OSError, subprocess.TimeoutExpired):
        pass


def _left_running(text: Optional[str], data: Optional[Dict[str, Any]], shown: str,
                  near: Optional[Tuple[str, int]]) -> Tuple[List[Finding], List[str]]:
    """Findings and notes from the supervisor's report: processes the import left running (killed), and
    the servers among them the child had not reported already. Findings point at the app's definition
    (from the child's result), else at ``near`` (where a timed-out import was stuck), else at TARGET."""
    from flask_preflight.runtime.listeners import Listener, Served, server_findings, supported

    if text is None:
        if supported() and sys.platform.startswith("linux"):
            return [], [f"the supervisor of the process that imported {shown} left no report (was it killed?): "
                        "what the import left running was found by this run's environment marker only"]
        return [], []
    try:
        report = json.loads(text)
        if not isinstance(report, dict):
            raise ValueError("not an object")
    except ValueError:
        return [], [f"the supervisor of the process that imported {shown} wrote an unreadable report"]
    notes: List[str] = []
    left = [p for p in report.get("left") or [] if isinstance(p, dict)]
    if left:
        shown_left = "; ".join(f"pid {p.get('pid')}: {p.get('command')}" for p in left[:5])
        more = f"; and {len(left) - 5} more" if len(left) > 5 else ""
        notes.append(f"importing {shown} left {len(left)} process{'es' if len(left) != 1 else ''} running "
                     f"({shown_left}{more}); inspect killed {'them' if len(left) != 1 else 'it'}")
    survivors = report.get("survivors") or []
    if survivors:
        notes.append(f"{len(survivors)} process{'es' if len(survivors) != 1 else ''} started by importing {shown} "
                     f"could not be killed: {', '.join(str(p) for p in survivors[:10])}")
    reported = set()
    for f in (data or {}).get("findings") or []:
        evidence = f.get("evidence") if isinstance(f, dict) else None
        if isinstance(evidence, str) and evidence.startswith("listening socket "):
            reported.add(evidence[len("listening socket "):].rsplit(": ", 1)[0])
    child_notes = [str(n) for n in (data or {}).get("notes") or []]
    served = []
    for entry in report.get("listening") or []:
        if not isinstance(entry, dict) or "error" in entry:
            if isinstance(entry, dict):
                notes.append(f"grading the sockets left open by {shown} failed: {entry.get('error')}")
            continue
        where = str(entry.get("where"))
        if where in reported or any(f"{where} (held by" in n for n in child_notes):
            continue
        served.append(Served(Listener(0, str(entry.get("address")), int(entry.get("port") or 0),
                                      int(entry.get("pid") or 0)),
                             str(entry.get("kind")), evalex=bool(entry.get("evalex")), own_process=False,
                             command=str(entry.get("command") or "")))
    loc = (data or {}).get("target_location")
    if isinstance(loc, list) and len(loc) == 2:
        where_loc = Location(str(loc[0]), int(loc[1]))
    elif near is not None:
        where_loc = Location(near[0], near[1])
    else:
        where_loc = Location(shown, 1)
    found, more_notes = server_findings(served, [], shown, where_loc)
    return found, notes + more_notes


def _spawn(cmd: Sequence[str], env: Dict[str, str], out: Any, err: Any) -> "subprocess.Popen[bytes]":
    kwargs: Dict[str, Any] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True
    else:  # pragma: no cover - Windows
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    # cwd: the directory holding this flask_preflight, so `-m` finds it even when it is not installed;
    # the child changes to the app's directory before importing anything of the app.
    return subprocess.Popen(list(cmd), cwd=_PACKAGE_PARENT, env=env, stdin=subprocess.DEVNULL,
                            stdout=out, stderr=err, **kwargs)


def _request_stack_dump(proc: "subprocess.Popen[bytes]", path: str, wait: float = 1.0) -> None:
    """Ask the child for a stack dump (SIGUSR1, see child.py) and give it up to ``wait`` seconds to write it."""
    sig = getattr(signal, "SIGUSR1", None)
    if sig is None or proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
    except OSError:
        return
    deadline = time.monotonic() + wait
    last = -1
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0
        if size and size == last:  # written and no longer growing
            return
        last = size
        time.sleep(0.05)


def _kill_group(proc: "subprocess.Popen[bytes]") -> None:
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
    if proc.poll() is None:  # pragma: no cover - killpg already did it on POSIX
        try:
            proc.kill()
        except OSError:
            pass


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _last_output(output: List[str]) -> str:
    if not output:
        return "no output"
    last = output[-1].strip()
    return "last output: " + (last if len(last) <= 200 else last[:197] + "...")


def _timeout_problem(target: Target, shown: str, timeout: float, status: Optional[str], stack: Optional[str],
                     output: List[str], cwd: str, display_root: str) -> Problem:
    phase = (status or "").strip()
    if phase == "checking":
        what = (f"checking {shown} did not finish within {timeout:g} s: the app was imported, but a request "
                "made through app.test_client() may be waiting on something")
    elif phase == "importing":
        what = f"import did not finish within {timeout:g} s"
    else:
        what = f"the inspection process did not start within {timeout:g} s"
    frames = [(_display(os.path.abspath(p), display_root) if not p.startswith("<") else p, ln, fn)
              for p, ln, fn in _stack_frames(stack or "")]
    where = _pick_frame(frames, [target.import_root, cwd], display_root)
    reason = f"{what} ({_last_output(output)}); the process was killed"
    if where is not None:
        reason += f"; it was at {where[0]}:{where[1]}" + (f" in {where[2]}" if where[2] else "")
    details: List[str] = []
    if frames:
        details.append("stack when stopped (most recent call first):")
        details += [f'  File "{p}", line {ln}' + (f" in {fn}" if fn else "") for p, ln, fn in frames[:8]]
    if output:
        details.append("last output:")
        details += ["  " + ln for ln in output]
    if details:
        reason += "\n" + "\n".join(details)
    path, line = (where[0], where[1]) if where is not None else (shown, None)
    return Problem(path=path, kind=ProblemKind.TIMEOUT, reason=reason, line=line)


def _stack_frames(dump: str) -> List[Tuple[str, int, str]]:
    """Frames of the main thread from a faulthandler dump (the block that runs flask-preflight's child),
    most recent first, without flask-preflight's and importlib's own frames."""
    blocks: List[List[Tuple[str, int, str]]] = []
    for line in dump.splitlines():
        if line.startswith(("Thread ", "Current thread ")) or not blocks:
            blocks.append([])
            if line.startswith(("Thread ", "Current thread ")):
                continue
        m = _FAULT_FRAME_RE.match(line)
        if m:
            blocks[-1].append((m.group("path"), int(m.group("line")), (m.group("func") or "").strip()))
    main = next((b for b in blocks if any(_is_ours(p) for p, _, _ in b)), None)
    if main is None:
        main = blocks[0] if blocks else []
    return [f for f in main if not _is_ours(f[0])]


def _is_ours(path: str) -> bool:
    """flask-preflight's child, importlib and runpy: the machinery around the import, not the app."""
    if path.startswith("<frozen "):
        return True
    path = os.path.abspath(path)
    return path.startswith((_RUNTIME_DIR + os.sep, _IMPORTLIB_DIR + os.sep)) or path == _RUNPY


def _pick_frame(frames: List[Tuple[str, int, str]], roots: List[str],
                display_root: str) -> Optional[Tuple[str, int, str]]:
    """The innermost frame in the project (under one of ``roots``, outside site-packages), else the
    innermost frame. Frame paths are display paths (relative to ``display_root`` when below it)."""
    for f in frames:
        path = os.path.join(display_root, f[0]) if not os.path.isabs(f[0]) else f[0]
        parts = path.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts:
            continue
        if any(os.path.abspath(path).startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            return f
    return frames[0] if frames else None


def _crash_problem(shown: str, code: Optional[int], output: List[str], unreadable: bool = False) -> Problem:
    if code is not None and code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited with code {code}"
    what = "wrote an unreadable result" if unreadable else "left no result"
    reason = (f"the process importing {shown} {how} and {what} (did the app call os._exit() or crash the "
              f"interpreter?); {_last_output(output)}")
    if output:
        reason += "\nlast output:\n" + "\n".join("  " + ln for ln in output)
    return Problem(path=shown, kind=ProblemKind.IMPORT_ERROR, reason=reason)


# --- results ----------------------------------------------------------------------------------------


def _decode(data: Dict[str, Any]) -> Tuple[List[Finding], List[Problem]]:
    """Findings and problems from the child's JSON, rebuilt by the JSON report loader."""
    from flask_preflight.report.json import SCHEMA_VERSION, load_json_report

    findings = data.get("findings") or []
    problems = data.get("problems") or []
    if not isinstance(findings, list) or not isinstance(problems, list):
        raise ValueError("findings and problems must be lists")
    wrapped = {"schema_version": SCHEMA_VERSION, "findings": findings, "errors": problems}
    loaded = load_json_report(json.dumps(wrapped))
    return loaded.findings, loaded.problems


def localize_findings(findings: Sequence[Finding], root: str) -> List[Finding]:
    """Paths relative to ``root`` when below it; missing snippets read from the files (for code frames
    and ``# preflight: ignore`` comments)."""
    return [_localize_finding(f, root) for f in findings]


def display_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` (POSIX separators) when it is below it, else unchanged."""
    return _display(path, root)


def _display(path: str, root: str) -> str:
    """``path`` relative to ``root`` (POSIX separators) when it is below it, else unchanged."""
    if not path or not os.path.isabs(path):
        return path
    root = root.rstrip(os.sep)
    if path == root:
        return "."
    if path.startswith(root + os.sep):
        return os.path.relpath(path, root).replace(os.sep, "/")
    return path


def _localize_location(loc: Location, root: str) -> Location:
    return replace(loc, path=_display(loc.path, root))


def _localize_finding(f: Finding, root: str) -> Finding:
    snippet = f.snippet
    if not snippet and os.path.isabs(f.location.path) and os.path.isfile(f.location.path):
        snippet = _source_lines(f.location.path, f.location.line, f.location.end_line)
    return replace(f, location=_localize_location(f.location, root), snippet=snippet,
                   related=tuple(_localize_location(r, root) for r in f.related))


def _localize_problem(p: Problem, root: str) -> Problem:
    return replace(p, path=_display(p.path, root))


def _source_lines(path: str, line: int, end_line: Optional[int]) -> str:
    """The finding's lines from the file, so code frames and ``# preflight: ignore`` comments work."""
    import linecache

    last = end_line if end_line is not None and end_line >= line else line
    last = min(last, line + 4)
    lines = [linecache.getline(path, n).rstrip("\r\n") for n in range(line, last + 1)]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _deploy_proxy(cwd: str) -> Optional[bool]:
    """What the project's deployment files say about a reverse proxy (PF509/PF513 use it); never fatal."""
    try:
        from flask_preflight.static.deploy.proxyhint import deploy_proxy_hint

        return deploy_proxy_hint(cwd)
    except Exception:  # noqa: BLE001 - a hint, not a requirement
        return None
