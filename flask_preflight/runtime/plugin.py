"""``flask --app myapp preflight``: the inspect checks on the app Flask's own CLI loads, in-process.

Registered under the ``flask.commands`` entry point, so it appears in every ``flask`` command of an
environment where flask-preflight is installed. Flask imports this module each time ``flask`` starts,
so it imports nothing heavy at module level.

Differences from ``flask-preflight inspect`` (which loads the app the way gunicorn does, in a child process):

* the app is imported in the ``flask`` process itself; there is no timeout;
* ``app.run()``/``run_simple()``/``socketio.run()`` during the import are recorded and reported as PF102,
  and do nothing (Flask's CLI makes ``app.run()`` a no-op too), so the import completes and is checked;
* Flask's CLI normally overwrites ``app.debug`` with ``FLASK_DEBUG``/``--debug`` after loading the app; the
  plugin switches that off, so ``app.debug`` is what the code and the environment set, as under gunicorn.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional, Sequence

import click
from flask.cli import ScriptInfo, with_appcontext

EXIT_INCOMPLETE = 3


@click.command("preflight", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--select", multiple=True, metavar="RULES", help="Rules to report (ids, names or prefixes; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to skip.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "never"]), default=None,
              help="Exit 1 when a finding has at least this severity [default: low].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default=None, help="Report format [default: text].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the report to FILE.")
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
    guards = ServerGuards(raising=False)
    if getattr(info, "_loaded_app", None) is None:
        info.set_debug_flag = False  # keep app.debug as the code and environment set it (see module docs)
        guards.install()
        try:
            info.load_app()
        except Exception as exc:  # noqa: BLE001 - the app's own error; report it like inspect does
            _load_failed(exc, info)
        finally:
            guards.restore()
    ctx.invoke(_check_loaded, settings=settings, starts=list(guards.starts), info=info, color=color,
               statistics=statistics)


@with_appcontext
def _check_loaded(settings: Any, starts: list, info: ScriptInfo, color: str, statistics: bool) -> None:
    from flask import current_app

    from flask_preflight.cli import emit_report
    from flask_preflight.findings import Problem, ProblemKind, ScanResult
    from flask_preflight.runtime.child import checks_runner, server_start_findings
    from flask_preflight.runtime.context import AppContext
    from flask_preflight.runtime.inspect import localize_findings
    from flask_preflight.runtime.target import definition_line
    from flask_preflight.static.engine import filter_findings

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    target = getattr(info, "app_import_path", None) or app.import_name
    module = sys.modules.get(app.import_name)
    path = getattr(module, "__file__", None)
    target_path = os.path.abspath(path) if path else target
    attribute = _attribute_of(module, app)
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
    kept, suppressed = filter_findings(findings, settings)
    result = ScanResult(findings=kept, problems=problems, files_scanned=1, suppressed=suppressed).sorted()
    for note in notes:
        click.echo(f"flask-preflight: warning: {note}", err=True)
    sys.exit(emit_report(result, settings, color=color, statistics=statistics))


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
    sys.exit(EXIT_INCOMPLETE)
