"""Command-line interface (click, like Flask's own CLI).

Exit codes, for CI: 0 no findings at or above --fail-on; 1 findings at or above it; 2 usage or
configuration error (an unknown option, a bad setting, a PATH or TARGET file that does not exist); 3 the scan was incomplete (a file could not be analysed), whatever was found; for
``inspect``, 3 also means the app could not be loaded or checked; for ``probe``, that some URL could not be
(fully) probed. ``serve``: 0 clean stop, 1 refused (blocking findings), 2 usage error, 3 the app could not
be checked or the server failed.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

import click

from flask_preflight import __version__
from flask_preflight.findings import ScanResult, Severity
from flask_preflight.report import FORMATS
from flask_preflight.rules import REGISTRY

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
FORMAT_HELP = ("Report format: text, json, sarif, html (one self-contained page), github (Actions annotations) "
               "or gitlab (Code Quality JSON) [default: text].")


def _split(values: Sequence[str]) -> Optional[List[str]]:
    if not values:
        return None
    out: List[str] = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def use_color(mode: str, stream: Any) -> bool:
    """Whether to colour a report going to ``stream``.

    ``--color always/never`` decides first: no-color.org says a per-instance command-line argument overrides
    NO_COLOR. Then NO_COLOR (set and not empty, whatever its value) turns colour off, and FORCE_COLOR (set
    and not empty, whatever its value, as force-color.org says) turns it on without a terminal, e.g. in a CI
    log that renders ANSI. When both are set, NO_COLOR wins: the user who asked for no colour may be one
    who cannot read it, and force-color.org defines no order between them.
    """
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except Exception:
        return False


def exit_code(result: ScanResult, fail_on: str) -> int:
    if result.problems:
        return EXIT_INCOMPLETE
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(f.severity.at_least(threshold) for f in result.findings) else EXIT_OK


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> List[str]:
        return ["check", "inspect", "probe", "serve", "rules", "rule"]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="flask-preflight")
def main() -> None:
    """Find Flask production hazards: debug mode, the dev server, the Werkzeug debugger and more."""


@main.command(short_help="Statically check code and deployment files; never runs them.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, metavar="RULES", help="Rules to run (ids, names or prefixes like PF1; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to skip.")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Gitignore-style patterns to skip (replaces the configured list).")
@click.option("--extend-exclude", multiple=True, metavar="PATTERN", help="Patterns to skip in addition to the configured ones.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "never"]), default=None,
              help="Exit 1 when a finding has at least this severity [default: medium].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help=FORMAT_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the report to FILE (- for stdout).")
@click.option("--statistics", is_flag=True, help="Also print the number of findings per rule.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Read settings from this TOML file instead of searching for pyproject.toml.")
@click.option("--max-file-size", default=None, metavar="SIZE", help="Skip (and report) files larger than this, e.g. 10MB.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Honour .gitignore files [default: on].")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", help="Colour the text report.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Processes to analyse files in [default: the number of CPUs]; small trees use one.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write .flask_preflight_cache/.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Report only findings this baseline does not record (see --write-baseline).")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Record every current finding in FILE and exit; later runs with --baseline FILE report new ones.")
def check(paths: Sequence[str], select: Sequence[str], ignore: Sequence[str], exclude: Sequence[str],
          extend_exclude: Sequence[str], fail_on: Optional[str], fmt: Optional[str], output: Optional[str],
          statistics: bool, config_file: Optional[str], max_file_size: Optional[str],
          respect_gitignore: Optional[bool], color: str, jobs: Optional[int], no_cache: bool,
          baseline_file: Optional[str], write_baseline: Optional[str]) -> None:
    """Statically check PATHS (default: the current directory). Never imports or runs the scanned code."""
    from flask_preflight.config import ConfigError, load_settings
    from flask_preflight.report import render
    from flask_preflight.static.engine import run_check

    overrides: Dict[str, Any] = {
        "select": _split(select), "ignore": _split(ignore), "exclude": _split(exclude),
        "extend_exclude": _split(extend_exclude), "fail_on": fail_on, "format": fmt, "output": output,
        "max_file_size": max_file_size, "respect_gitignore": respect_gitignore,
    }
    try:
        settings = load_settings(config_file, start=".", overrides=overrides)
        settings.selected_rule_ids()
    except ConfigError as exc:
        _usage_error(str(exc))
    for path in paths:
        if not os.path.lexists(path):  # a broken symlink exists: it is reported as a problem (exit 3)
            _usage_error(f"PATH {path!r}: no such file or directory")
    from flask_preflight import baseline

    if baseline_file and write_baseline:
        _usage_error("--baseline and --write-baseline cannot be combined (rewriting a baseline records every "
                     "current finding: use --write-baseline alone)")
    try:
        entries = baseline.load(baseline_file) if baseline_file else None  # a broken file fails before the scan
    except baseline.BaselineError as exc:
        _usage_error(str(exc))
    progress = _Progress(enabled=settings.format == "text" and sys.stderr.isatty())
    try:
        result = run_check(list(paths) or ["."], settings, progress=progress, jobs=jobs, use_cache=not no_cache,
                           project_context=True)
    finally:
        progress.close()
    if write_baseline:
        sys.exit(_write_baseline(result, write_baseline))
    if entries is not None:
        baseline.apply(result, entries, baseline_file, scanned_paths=list(paths) or ["."],  # type: ignore[arg-type]
                       judged_rules=set(settings.selected_rule_ids()))
    colored = _colored(settings, color)
    report = render(result, settings.format, color=colored, statistics=statistics, tool_version=__version__)
    _deliver(report, settings, colored, _short_summary(result))
    sys.exit(exit_code(result, settings.fail_on))


def _write_baseline(result: ScanResult, path: str) -> int:
    """``check --write-baseline``: record the findings, say so on stderr (with any file that could not be
    analysed: its findings are missing from the baseline) and return the exit code (3 when incomplete)."""
    from flask_preflight import baseline
    from flask_preflight.report.text import format_problem

    try:
        n = baseline.write(result.findings, path, __version__)
    except baseline.BaselineError as exc:
        _usage_error(str(exc))
    for problem in sorted(result.problems, key=lambda p: (p.path, p.line or 0)):
        click.echo(format_problem(problem), err=True)
    files = f"{result.files_scanned} file{'s' if result.files_scanned != 1 else ''}"
    line = f"flask-preflight: wrote {n} finding{'s' if n != 1 else ''} from {files} to the baseline {path}"
    if result.problems:
        line += f"; {len({p.path for p in result.problems})} could not be analyzed and are not in it"
    click.echo(line, err=True)
    return EXIT_INCOMPLETE if result.problems else EXIT_OK
def _to_stdout(settings: Any) -> bool:
    """No ``-o``, or ``-o -``: the report goes to stdout (as ``serve --out -``)."""
    return settings.output in (None, "", "-")


def _colored(settings: Any, color: str) -> bool:
    return settings.format == "text" and _to_stdout(settings) and use_color(color, sys.stdout)


def _deliver(report: str, settings: Any, colored: bool, summary: str) -> None:
    """The report to ``-o FILE`` (plus ``summary`` on stderr for machine formats, so a CI log still says
    something) or to stdout (no ``-o``, or ``-o -``)."""
    if _to_stdout(settings):
        click.echo(report, nl=not report.endswith("\n"), color=colored)
        return
    try:
        with open(settings.output, "w", encoding="utf-8") as fh:
            fh.write(report)
    except OSError as exc:
        _usage_error(f"{settings.output}: cannot write report: {exc.strerror or exc}")
    if settings.format != "text":
        click.echo(summary, err=True)


class _Progress:
    """A progress bar on stderr for big trees on a terminal; never in JSON/SARIF runs or when piped."""

    MIN_FILES = 500

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, advance: int, total: int) -> None:
        if not self.enabled or total < self.MIN_FILES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Checking", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _short_summary(result: ScanResult) -> str:
    n = len(result.findings)
    s = f"flask-preflight: {n} finding{'s' if n != 1 else ''} in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}"
    if result.problems:
        s += f"; {len(result.problems)} could not be analyzed"
    if result.excluded:
        s += f"; {result.excluded} excluded by the exclude settings"
    if result.baseline is not None:
        s += f"; {len(result.baseline.hidden)} hidden by the baseline"
        if result.baseline.stale:
            s += f", {len(result.baseline.stale)} of its entries stale"
    return s


def _usage_error(message: str) -> None:
    click.echo(f"flask-preflight: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The rule-selection and report options ``inspect`` and ``probe`` share (``check`` adds file options)."""
    options = [
        click.option("--select", multiple=True, metavar="RULES",
                     help="Rules to report (ids, names or prefixes; comma-separated)."),
        click.option("--ignore", multiple=True, metavar="RULES", help="Rules to skip."),
        click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "never"]), default=None,
                     help="Exit 1 when a finding has at least this severity [default: medium]."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help=FORMAT_HELP),
        click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
                     help="Write the report to FILE (- for stdout)."),
        click.option("--statistics", is_flag=True, help="Also print the number of findings per rule."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
                     help="Read settings from this TOML file instead of searching for pyproject.toml."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     help="Colour the text report."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _env_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--env``/``--env-file``, shared by ``inspect`` and ``serve`` (the app sees the same variables)."""
    command = click.option("--env-file", "env_files", multiple=True, type=click.Path(dir_okay=False),
                           metavar="FILE", help="Load variables from a dotenv FILE (python-dotenv); "
                           ".env/.flaskenv are NOT read otherwise.")(command)
    return click.option("--env", "env_items", multiple=True, metavar="KEY=VALUE",
                        help="Set an environment variable for the app (repeatable; applied after --env-file).")(command)


@main.command("inspect", short_help="Import the app in a child process and check what it runs with.")
@click.argument("target", required=False)
@_env_options
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds the import and the checks may take before the process is killed.")
@click.option("--chdir", "chdir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Load the app from DIR (like gunicorn --chdir): TARGET is resolved and the app runs there.")
@_report_options
def inspect_cmd(target: Optional[str], env_items: Sequence[str], env_files: Sequence[str], timeout: float,
                chdir: Optional[str], select: Sequence[str], ignore: Sequence[str], fail_on: Optional[str],
                fmt: Optional[str], output: Optional[str], statistics: bool, config_file: Optional[str],
                color: str) -> None:
    """Import the app and check what it really runs with (Flask's missing `check --deploy`).

    TARGET is what gunicorn and `flask --app` accept: `module:app`, `module:create_app()` (literal
    arguments allowed), `module` (finds app/application/create_app/make_app), `path/to/app.py`; without
    it, FLASK_APP (after --env/--env-file), else wsgi.py or app.py.

    This IMPORTS AND EXECUTES the project's code, in a child process that is killed after --timeout.
    """
    from flask_preflight.config import ConfigError, load_settings
    from flask_preflight.runtime.inspect import load_runtime_rules, run_inspect
    from flask_preflight.runtime.target import TargetError

    load_runtime_rules()
    overrides: Dict[str, Any] = {"select": _split(select), "ignore": _split(ignore), "fail_on": fail_on,
                                 "format": fmt, "output": output}
    cwd = os.path.abspath(chdir or ".")
    try:
        settings = load_settings(config_file, start=cwd, overrides=overrides)
        settings.selected_rule_ids()
    except ConfigError as exc:
        _usage_error(str(exc))
    env = _env_overrides(env_files, env_items)
    notes: List[str] = []
    try:
        result = run_inspect(target, env, timeout=timeout, cwd=cwd, settings=settings, notes=notes)
    except TargetError as exc:
        _usage_error(str(exc))
    for note in notes:
        click.echo(f"flask-preflight: warning: {note}", err=True)
    sys.exit(emit_report(result, settings, color=color, statistics=statistics))


def _env_overrides(env_files: Sequence[str], env_items: Sequence[str]) -> Dict[str, str]:
    from flask_preflight.serve.command import UsageError, env_overrides

    try:
        return env_overrides(env_files, env_items, _read_env_file)
    except UsageError as exc:
        _usage_error(str(exc))
        raise  # unreachable: _usage_error exits


@main.command("serve", short_help="Serve the app on gunicorn or waitress with production settings.")
@click.argument("target", required=False)
@click.option("--server", type=click.Choice(["gunicorn", "waitress"]), default=None,
              help="WSGI server [env PREFLIGHT_SERVER; default: gunicorn, waitress on Windows].")
@click.option("-b", "--bind", multiple=True, metavar="ADDR",
              help="HOST:PORT, [IPv6]:PORT or unix:PATH (repeatable) [env PREFLIGHT_BIND; 0.0.0.0:$PORT when "
                   "PORT is set; default: 127.0.0.1:8000].")
@click.option("-w", "--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes [env PREFLIGHT_WORKERS, WEB_CONCURRENCY; default: 2 x CPUs + 1, capped by "
                   "available memory].")
@click.option("-k", "--worker-class", type=click.Choice(["sync", "gthread", "gevent"]), default=None,
              help="gunicorn worker type; gthread and sync give a slow client a thread or a worker until its "
                   "request is complete, gevent does not [env PREFLIGHT_WORKER_CLASS; default: gthread].")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Threads per worker (gthread, waitress) [env PREFLIGHT_THREADS; default: 4].")
@click.option("--timeout", type=click.IntRange(min=1), default=None,
              help="Seconds a worker may be silent before it is killed and replaced [env PREFLIGHT_TIMEOUT; 30].")
@click.option("--graceful-timeout", type=click.IntRange(min=0), default=None,
              help="Seconds in-flight requests get to finish after SIGTERM [env PREFLIGHT_GRACEFUL_TIMEOUT; 30].")
@click.option("--keep-alive", "keepalive", type=click.IntRange(min=0), default=None,
              help="Seconds an idle keep-alive connection is held [env PREFLIGHT_KEEPALIVE; 5].")
@click.option("--max-requests", type=click.IntRange(min=0), default=None,
              help="Recycle a worker after this many requests, 0 never [env PREFLIGHT_MAX_REQUESTS; 1000].")
@click.option("--max-requests-jitter", type=click.IntRange(min=0), default=None,
              help="Random extra requests so workers do not recycle together [env PREFLIGHT_MAX_REQUESTS_JITTER; 100].")
@click.option("--behind-proxy", type=click.IntRange(min=0), default=None, metavar="N",
              help="N reverse proxies in front: trust N X-Forwarded-For/-Proto/-Host values from "
                   "--forwarded-allow-ips [env PREFLIGHT_BEHIND_PROXY; 0].")
@click.option("--forwarded-allow-ips", default=None, metavar="IPS",
              help="Proxy addresses/networks whose X-Forwarded-* headers count [env FORWARDED_ALLOW_IPS; "
                   "127.0.0.1,::1 with --behind-proxy, none without].")
@click.option("--certfile", type=click.Path(dir_okay=False), default=None, help="TLS certificate (gunicorn).")
@click.option("--keyfile", type=click.Path(dir_okay=False), default=None, help="TLS private key (gunicorn).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error", "critical"]), default=None,
              help="Error-log level [env PREFLIGHT_LOG_LEVEL; info].")
@click.option("--access-log", default=None, metavar="FILE",
              help="JSON access log: - for stdout, a file, or off [env PREFLIGHT_ACCESS_LOG; -].")
@click.option("--error-log", default=None, metavar="FILE",
              help="Error log: - for stderr, or a file [env PREFLIGHT_ERROR_LOG; -].")
@click.option("--allow", multiple=True, metavar="RULES",
              help="Start even with these high/critical findings (not PF101/PF104: debug is never served).")
@_env_options
@click.option("--chdir", "chdir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Load the app from DIR (like gunicorn --chdir).")
@click.option("--check-timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds the pre-start check (import and inspect) may take.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Read settings (ignore lists) from this TOML file instead of searching for pyproject.toml.")
@click.option("--print-config", is_flag=True, help="Print the effective settings and their sources, then exit.")
@click.option("--generate", type=click.Choice(["gunicorn-conf", "systemd", "nginx", "dockerfile"]), default=None,
              help="Write a production template for this app, then exit.")
@click.option("--out", default=None, metavar="PATH", help="Where --generate writes (default: a conventional "
              "file name in the current directory; - for stdout).")
@click.option("--overwrite", is_flag=True, help="Let --generate replace an existing file.")
def serve_cmd(target: Optional[str], allow: Sequence[str], env_items: Sequence[str], env_files: Sequence[str],
              chdir: Optional[str], check_timeout: float, config_file: Optional[str], print_config: bool,
              generate: Optional[str], out: Optional[str], overwrite: bool, **flags: Any) -> None:
    """Run the app on gunicorn (waitress on Windows) with production settings - never in debug.

    The app is first checked as `inspect` checks it (in a child process); a critical or high finding,
    or a missing SECRET_KEY, stops serve before it binds (exit 1). `--allow RULES` lets reviewed rules
    through; debug mode (PF101) and the Werkzeug debugger (PF104) cannot be allowed. Exit codes: 0 clean
    stop, 1 refused, 2 usage error, 3 the app could not be checked or the server failed.
    """
    from flask_preflight.serve.command import ServeRequest, UsageError, serve
    from flask_preflight.serve.options import split_list

    flags["bind"] = tuple(flags.get("bind") or ())
    if flags.get("forwarded_allow_ips") is not None:
        flags["forwarded_allow_ips"] = split_list(flags["forwarded_allow_ips"])
    req = ServeRequest(target=target, flags=flags, allow=allow, env=_env_overrides(env_files, env_items),
                       cwd=chdir or ".", check_timeout=check_timeout, config_file=config_file,
                       print_config=print_config, generate=generate, out=out, overwrite=overwrite)
    try:
        code = serve(req)
    except UsageError as exc:
        _usage_error(str(exc))
    sys.exit(code)


def _read_env_file(path: str) -> Dict[str, str]:
    """Variables of a dotenv file, read by python-dotenv (the loader Flask uses); an unreadable file is a
    usage error, a line python-dotenv cannot parse is skipped with a warning (as python-dotenv does)."""
    import io

    from dotenv import dotenv_values

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        _usage_error(f"--env-file {path}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        _usage_error(f"--env-file {path}: not valid UTF-8 ({exc.reason} at byte {exc.start})")
    try:
        from dotenv.parser import parse_stream

        for binding in parse_stream(io.StringIO(text)):
            if binding.error:
                click.echo(f"flask-preflight: warning: {path}:{binding.original.line}: python-dotenv cannot "
                           "parse this line; it is ignored", err=True)
    except Exception:  # pragma: no cover - python-dotenv internals changed; the values below still load
        pass
    import logging

    dotenv_logger = logging.getLogger("dotenv.main")
    previous = dotenv_logger.disabled
    dotenv_logger.disabled = True  # its warnings were reported above with the file name
    try:
        values = dotenv_values(stream=io.StringIO(text))
    finally:
        dotenv_logger.disabled = previous
    return {k: v for k, v in values.items() if v is not None}


def emit_report(result: ScanResult, settings: Any, *, color: str = "auto", statistics: bool = False) -> int:
    """Render ``result`` as ``settings`` say (stdout or ``settings.output``) and return the exit code.
    Used by ``inspect`` and the ``flask preflight`` plugin."""
    from flask_preflight.runtime.inspect import render_inspect_report

    colored = _colored(settings, color)
    report = render_inspect_report(result, settings.format, color=colored, statistics=statistics,
                                   tool_version=__version__)
    n = len(result.findings)
    summary = f"flask-preflight: {n} finding{'s' if n != 1 else ''}"
    if result.problems:
        summary += "; the app could not be fully inspected"
    _deliver(report, settings, colored, summary)
    return exit_code(result, settings.fail_on)


@main.command("probe", short_help="Check live deployments you own with a few read-only requests.")
@click.argument("urls", nargs=-1, required=True, metavar="URL [URL ...]")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds each request may take (connect, headers and body); a URL's whole probe at most 3x this.")
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True,
              help="URLs probed at the same time (requests to one URL are sent one after the other).")
@click.option("--insecure", is_flag=True, help="Do not verify TLS certificates (reported in the output).")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="Send this header to the target host (repeatable), e.g. for authentication; never sent over "
                   "plain http for an https URL, nor to other hosts.")
@click.option("--secret-wordlist", "wordlists", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="More candidate SECRET_KEYs for PF606, one per line (repeatable).")
@_report_options
def probe_cmd(urls: Sequence[str], timeout: float, concurrency: int, insecure: bool, headers: Sequence[str],
              wordlists: Sequence[str], select: Sequence[str], ignore: Sequence[str], fail_on: Optional[str],
              fmt: Optional[str], output: Optional[str], statistics: bool, config_file: Optional[str],
              color: str) -> None:
    """Check live deployments you own with a few read-only requests (GET only; no PIN, nothing executed).

    Per URL: the page itself (redirects followed), its http:// twin for an https URL, the Werkzeug
    debugger's resource files and /console, a random missing path and a malformed query - at most 7
    requests plus redirects. The Flask session cookie's key is tested offline. Exit codes as for
    `check`; 3 when some URL could not be (fully) probed.
    """
    from flask_preflight.config import ConfigError, load_settings
    from flask_preflight.probe.output import render_probe_report
    from flask_preflight.probe.runner import ProbeOptions, check_url, parse_header, run_probe

    overrides: Dict[str, Any] = {"select": _split(select), "ignore": _split(ignore), "fail_on": fail_on,
                                 "format": fmt, "output": output}
    try:
        settings = load_settings(config_file, start=".", overrides=overrides)
        settings.selected_rule_ids()
    except ConfigError as exc:
        _usage_error(str(exc))
    try:
        targets = [check_url(u) for u in urls]
        header_pairs = [parse_header(h) for h in headers]
    except ValueError as exc:
        _usage_error(str(exc))
    for path in wordlists:
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            _usage_error(f"--secret-wordlist {path}: cannot read: {exc.strerror or exc}")
    if insecure:
        click.echo("flask-preflight: warning: --insecure: TLS certificates are not verified", err=True)
    options = ProbeOptions(timeout=timeout, insecure=insecure, headers=header_pairs, concurrency=concurrency,
                           wordlists=list(wordlists))
    result, reports = run_probe(list(dict.fromkeys(targets)), options, settings)
    colored = _colored(settings, color)
    text = render_probe_report(result, reports, settings.format, color=colored, statistics=statistics,
                               tool_version=__version__, insecure=insecure, timeout=timeout)
    n = len(result.findings)
    summary = (f"flask-preflight: {n} finding{'s' if n != 1 else ''} in {len(reports)} "
               f"URL{'s' if len(reports) != 1 else ''}")
    if result.problems:
        summary += f"; {len({p.path for p in result.problems})} not (fully) probed"
    _deliver(text, settings, colored, summary)
    sys.exit(exit_code(result, settings.fail_on))


@main.command("rules", short_help="List every rule.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_cmd(fmt: str) -> None:
    """List every rule."""
    from flask_preflight.docs import rules_markdown_table

    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in REGISTRY], indent=2))
    elif fmt == "markdown":
        click.echo(rules_markdown_table())
    else:
        width = max(len(r.name) for r in REGISTRY)
        for r in REGISTRY:
            modes = ",".join(m for m in ("check", "inspect", "probe", "serve") if m in r.modes)
            click.echo(f"{r.id}  {r.name:<{width}}  {r.severity.value:<8}  {modes:<20}  {r.summary}")


@main.command("rule", short_help="Show one rule's documentation (by id or name).")
@click.argument("rule_id")
def rule_cmd(rule_id: str) -> None:
    """Show one rule's documentation (by id or name)."""
    rule = REGISTRY.get(rule_id)
    if rule is None:
        _usage_error(f"unknown rule {rule_id!r}; see `flask-preflight rules`")
    click.echo(rule.docs())  # type: ignore[union-attr]
