"""``flask --app myapp preflight``: the inspect checks on the app Flask's own CLI loads, in-process.

Registered under the ``flask.commands`` entry point, so it appears in every ``flask`` command of an
environment where flask-preflight is installed. Flask imports this module each time ``flask`` starts,
so it imports nothing heavy at module level.

Differences from ``flask-preflight inspect`` (which loads the app the way gunicorn does, in a child process):

* the app is imported in the ``flask`` process itself; there is no timeout;
* ``app.run()``/``run_simple()``/``socketio.run()`` during the import are recorded and reported as PF102,
  and do nothing (Flask's CLI makes ``app.run()`` a no-op too), so the import completes and is checked;
* Flask's CLI normally overwrites ``app.debug`` with ``FLASK_DEBUG``/``--debug`` after loading the app; the
  plugin switches that off, so ``app.debug`` is what the code and the environment set, as under gunicorn;
* Flask's CLI loads ``.env``/``.flaskenv`` before the app (inspect does not): the files it loaded are named in a
  note on stderr.

While the app is loaded and checked, whatever it prints goes to stderr (the report on stdout stays valid JSON/
SARIF) and logging is off (the app's own "Exception on / [GET]" from the test-client requests is not dumped).
After the report is written the process leaves with ``os._exit``, so a non-daemon thread the app started at
import cannot keep it alive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any, Iterator, List, Optional, Sequence, Tuple

import click
from flask.cli import ScriptInfo, with_appcontext

from flask_preflight.cli import FORMAT_HELP
from flask_preflight.report import FORMATS

EXIT_INCOMPLETE = 3


@click.command("preflight", context_settings={"help_option_names": ["-h", "--help"]},
               short_help="Check the loaded app for production hazards (flask-preflight).")
@click.option("--select", multiple=True, metavar="RULES", help="Rules to report (ids, names or prefixes; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to skip.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "never"]), default=None,
              help="Exit 1 when a finding has at least this severity [default: medium].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help=FORMAT_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the report to FILE (- for stdout).")
@click.option("--statistics", is_flag=True, help="Also print the number of findings per rule.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", help="Colour the text report.")
@click.pass_context
def preflight_command(ctx: click.Context, select: Sequence[str], ignore: Sequence[str], fail_on: Optional[str],
                      fmt: Optional[str], output: Optional[str], statistics: bool, color: str) -> None:
    """Check the loaded app for production hazards (flask-preflight's inspect checks, in-process)."""
    from flask_preflight.cli import _split, _usage_error
    from flask_preflight.config import ConfigError, load_settings
    from flask_preflight.runtime.inspect import load_runtime_rules

    load_runtime_rules()
    overrides = {"select": _split(select), "ignore": _split(ignore), "fail_on": fail_on, "format": fmt,
                 "output": output}
    try:
        settings = load_settings(None, start=".", overrides=overrides)
        settings.selected_rule_ids()
    except ConfigError as exc:
        _usage_error(str(exc))

    from flask_preflight.runtime.child import ServerGuards

    info = ctx.ensure_object(ScriptInfo)
    dotenv_files = loaded_dotenv_files(ctx)
    if dotenv_files:
        click.echo(f"flask-preflight: note: Flask's CLI loaded {', '.join(dotenv_files)} before the app; "
                   "`flask-preflight inspect` does not read them (pass them with --env-file)", err=True)
    guards = ServerGuards(raising=False)
    if getattr(info, "_loaded_app", None) is None:
        info.set_debug_flag = False  # keep app.debug as the code and environment set it (see module docs)
        guards.install()
        try:
            with quiet_app():
                info.load_app()
        except Exception as exc:  # noqa: BLE001 - the app's own error; report it like inspect does
            _load_failed(exc, info)
        finally:
            guards.restore()
    ctx.invoke(_check_loaded, settings=settings, starts=list(guards.starts), info=info, color=color,
               statistics=statistics)


@contextlib.contextmanager
def quiet_app() -> Iterator[None]:
    """What the app prints goes to stderr, and logging is off, while it is loaded and checked."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        logging.disable(previous)


def loaded_dotenv_files(ctx: click.Context) -> List[str]:
    """The dotenv files Flask's CLI loaded before this command (``.flaskenv``/``.env`` found from the cwd
    upwards, and ``flask --env-file``), as paths relative to the cwd when below it."""
    try:
        from flask.cli import get_load_dotenv
    except ImportError:  # pragma: no cover
        return []
    files: List[str] = []
    try:
        import dotenv
    except ImportError:
        return []
    root = ctx.find_root()
    env_file = root.params.get("env_file") if root is not None else None
    if get_load_dotenv(getattr(root.command, "load_dotenv", True) if root is not None else True):
        for name in (".flaskenv", ".env"):
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                files.append(found)
    if env_file and os.path.isfile(env_file):
        files.append(os.path.abspath(env_file))
    from flask_preflight.runtime.inspect import display_path

    return [display_path(f, os.getcwd()) for f in files]


def _exit(code: int) -> None:
    """Flush and leave now: threads the app started at import (non-daemon ones too) must not keep the
    process alive after the report is written."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


@with_appcontext
def _check_loaded(settings: Any, starts: list, info: ScriptInfo, color: str, statistics: bool) -> None:
    from flask import current_app

    from flask_preflight.cli import emit_report
    from flask_preflight.findings import Problem, ProblemKind, ScanResult
    from flask_preflight.runtime.child import checks_runner, server_start_findings
    from flask_preflight.runtime.context import AppContext
    from flask_preflight.runtime.inspect import localize_findings
    from flask_preflight.runtime.target import definition_line
    from flask_preflight.static.engine import apply_filters

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    target, target_path, attribute = app_location(info, app)
    target_line = definition_line(target_path, attribute)
    ctx = AppContext(target=target, target_path=target_path, target_line=target_line, server_starts=starts)
    findings = server_start_findings(starts, aborted=False)
    problems = []
    notes: list = []
    try:
        runner = checks_runner()
    except Exception as exc:  # noqa: BLE001
        problems.append(Problem(path=target_path, kind=ProblemKind.INTERNAL_ERROR, line=target_line,
                                reason=f"the runtime checks could not be loaded ({type(exc).__name__}: {exc})"))
    else:
        try:
            with quiet_app():
                found, notes = runner(app, ctx)
        except Exception as exc:  # noqa: BLE001
            problems.append(Problem(path=target_path, kind=ProblemKind.INTERNAL_ERROR, line=target_line,
                                    reason=f"checking the app failed with {type(exc).__name__}: {exc} - please "
                                           "report this as a bug"))
        else:
            have = {(f.rule_id, f.location.path, f.location.line) for f in found}
            findings = found + [f for f in findings if (f.rule_id, f.location.path, f.location.line) not in have]
    root = os.getcwd()
    findings = localize_findings(findings, root)
    problems = [p if not os.path.isabs(p.path) else _relocate(p, root) for p in problems]
    filtered = apply_filters(findings, settings)
    result = ScanResult(findings=filtered.kept, problems=problems, files_scanned=1,
                      suppressed=filtered.suppressed, suppressed_by_rule=filtered.suppressed_by_rule).sorted()
    for note in notes:
        click.echo(f"flask-preflight: warning: {note}", err=True)
    _exit(emit_report(result, settings, color=color, statistics=statistics))


def app_location(info: ScriptInfo, app: Any) -> Tuple[str, str, Optional[str]]:
    """(target as named, file that defines the app object, module attribute holding it), the same as
    ``inspect`` reports: the module Flask's CLI imported (``--app``/``FLASK_APP``, else ``wsgi.py``/``app.py``),
    not the module ``Flask(__name__)`` ran in (``app/__init__.py`` for a factory in a package)."""
    from flask_preflight.runtime.target import TargetError, default_target, parse_expression, parse_target

    import_path = getattr(info, "app_import_path", None)
    cwd = os.getcwd()
    parsed = None
    try:
        parsed = parse_target(import_path, cwd, source="--app") if import_path else default_target(cwd)
    except TargetError:
        parsed = None
    module = sys.modules.get(parsed.module) if parsed is not None else None
    attribute: Optional[str] = None
    if parsed is not None and parsed.expr:
        try:
            attribute = parse_expression(parsed.expr, parsed.original)[0]
        except TargetError:
            attribute = None
    path = getattr(module, "__file__", None)
    if not path:  # fall back to the module the app was created in
        module = sys.modules.get(app.import_name)
        path = getattr(module, "__file__", None)
    if attribute is None:
        attribute = _attribute_of(module, app)
    target = import_path or (parsed.original if parsed is not None else app.import_name)
    target_path = os.path.abspath(path) if path else os.path.abspath(app.root_path or cwd)
    return target, target_path, attribute


def _attribute_of(module: Any, app: Any) -> Optional[str]:
    """The module attribute holding the app (for its line), if any."""
    if module is None:
        return None
    for name in ("app", "application"):
        if getattr(module, name, None) is app:
            return name
    for name, value in list(vars(module).items()):
        if value is app:
            return name
    for name in ("create_app", "make_app"):
        if hasattr(module, name):
            return name
    return None


def _relocate(problem: Any, root: str) -> Any:
    from dataclasses import replace

    from flask_preflight.runtime.inspect import display_path

    return replace(problem, path=display_path(problem.path, root))


def _load_failed(exc: BaseException, info: ScriptInfo) -> None:
    """The app could not be loaded: one line (Flask's own message for NoAppException, else the exception
    and the tail of its traceback) on stderr, exit code 3."""
    from flask.cli import NoAppException

    from flask_preflight.runtime.child import traceback_tail

    if isinstance(exc, NoAppException):
        message = exc.format_message()
    else:
        import flask.cli

        skip = (os.path.abspath(flask.cli.__file__), os.path.dirname(os.path.abspath(click.__file__)) + os.sep)
        message = f"{type(exc).__name__}: {exc}\n{traceback_tail(exc, skip=skip)}"
    target = getattr(info, "app_import_path", None) or "the app"
    click.echo(f"flask-preflight: error: could not load {target}: {message}", err=True)
    _exit(EXIT_INCOMPLETE)
