"""``flask-preflight serve``: resolve the settings, check the app, then hand it to the server.

The order matters: every usage error (a bad flag, a bad environment value, ``--allow PF104``) is found
before any project code runs; the app is then checked in the ``inspect`` child process; only when nothing
blocks does the server bind its port. A refused app never opens a socket.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterator, Mapping, Optional, Sequence

import click

from flask_preflight.serve.options import OptionError, ServeOptions, render_config, resolve

EXIT_OK, EXIT_REFUSED, EXIT_NOT_STARTED = 0, 1, 3  # 2, a usage error, is raised as UsageError
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


class UsageError(Exception):
    """Reported as ``flask-preflight: error: ...`` with exit code 2."""


@dataclass
class ServeRequest:
    target: Optional[str]
    flags: Dict[str, Any]
    allow: Sequence[str] = ()
    env: Dict[str, str] = field(default_factory=dict)
    cwd: str = "."
    check_timeout: float = 30.0
    config_file: Optional[str] = None
    print_config: bool = False
    generate: Optional[str] = None
    out: Optional[str] = None
    overwrite: bool = False


def _err(message: str) -> None:
    click.echo(message, err=True)


def serve(req: ServeRequest) -> int:
    """Run ``serve`` for ``req``; the exit code (usage errors raise UsageError)."""
    from flask_preflight.serve.gate import AllowError, parse_allow

    cwd = os.path.abspath(req.cwd)
    environ: Dict[str, str] = dict(os.environ)
    environ.update(req.env)
    try:
        opts = resolve(req.flags, environ)
        allow = parse_allow(req.allow)
    except (OptionError, AllowError) as exc:
        raise UsageError(str(exc)) from None
    if req.generate:
        return _generate(req, opts, cwd)

    from flask_preflight.runtime.inspect import resolve_target
    from flask_preflight.runtime.target import TargetError

    try:
        resolved = resolve_target(req.target, environ, cwd)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    shown = req.target if req.target is not None else resolved.original
    if req.print_config:
        click.echo(render_config(opts, shown), nl=False)
        return EXIT_OK

    try:
        with _terminate_as_exit():
            verdict = _check(req, shown, cwd, allow)
    except KeyboardInterrupt:
        _err("flask-preflight serve: interrupted during the pre-start check; not started")
        return EXIT_SIGINT
    except _Terminated:
        _err("flask-preflight serve: terminated during the pre-start check; not started")
        return EXIT_SIGTERM
    if verdict is None:
        return EXIT_NOT_STARTED
    from flask_preflight.serve.gate import refusal_message, summary_lines

    if verdict.blocking:
        _err(refusal_message(verdict, shown))
        return EXIT_REFUSED
    for line in summary_lines(verdict):
        _err(line)
    if verdict.rss_bytes and opts.sources.get("workers", "").startswith("computed"):
        opts = resolve(req.flags, environ, app_rss=verdict.rss_bytes)  # the loaded app's size caps workers
    os.environ.update(req.env)
    _err(f"flask-preflight serve: {shown} passed the pre-start checks; {_describe(opts)} "
         "(--print-config shows every setting and its source)")
    from flask_preflight.serve.exposure import exposure_warning

    warning = exposure_warning(opts)
    if warning:
        _err(f"flask-preflight serve: warning: {warning}")
    return _run(opts, resolved.to_dict(), cwd, shown)


class _Terminated(BaseException):
    """SIGTERM while the app is being checked: unwinds like Ctrl-C so the check's child process and its
    temporary directory are cleaned up (the child runs in its own session and gets no signal of its own)."""


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding caller): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check(req: ServeRequest, shown: str, cwd: str, allow: FrozenSet[str]) -> Any:
    """The ``inspect`` verdict, or None (after printing why) when the app could not be loaded or checked."""
    from flask_preflight.config import ConfigError, load_settings
    from flask_preflight.runtime.inspect import load_runtime_rules, run_inspect
    from flask_preflight.serve.gate import judge

    load_runtime_rules()
    try:
        settings = load_settings(req.config_file, start=cwd)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    details: Dict[str, Any] = {}
    notes: list = []
    result = run_inspect(req.target, dict(req.env), timeout=req.check_timeout, cwd=cwd, settings=settings,
                         notes=notes, details=details)
    for note in notes:
        _err(f"flask-preflight serve: warning: {note}")
    if result.problems:
        _err(f"flask-preflight serve: not starting: {shown} could not be checked")
        for p in result.problems:
            where = p.path + (f":{p.line}" if p.line else "")
            reason = p.reason.rstrip().replace("\n", "\n    ")
            _err(f"  {where}: {reason}")
        return None
    return judge(result, details.get("findings") or [], allow, rss_bytes=details.get("rss_bytes"))


def _describe(opts: ServeOptions) -> str:
    where = ", ".join(("https://" if opts.certfile else "http://") + b if not b.startswith("unix:") else b
                      for b in opts.bind)
    if opts.server == "waitress":
        return f"starting waitress with {opts.threads} threads on {where}"
    threads = f" × {opts.threads} threads" if opts.worker_class == "gthread" else ""
    return f"starting gunicorn with {opts.workers} {opts.worker_class} worker{'s' if opts.workers != 1 else ''}" \
           f"{threads} on {where}"


def _run(opts: ServeOptions, target: Dict[str, Any], cwd: str, shown: str) -> int:
    if opts.server == "waitress":
        from flask_preflight.serve import waitress_server
        from flask_preflight.serve.wsgi import Refused

        try:
            return waitress_server.run(opts, target, cwd)
        except Refused as exc:
            _err(f"flask-preflight serve: refusing to serve {shown}: {exc}")
            return EXIT_REFUSED
    from flask_preflight.serve import gunicorn_server

    return gunicorn_server.run(opts, target, cwd, proc_name=f"flask-preflight serve {shown}")


def _generate(req: ServeRequest, opts: ServeOptions, cwd: str) -> int:
    from flask_preflight.serve import generate

    bind = next((b for b in opts.bind if not b.startswith("unix:")), opts.bind[0])
    if opts.sources.get("bind", "").startswith("PORT"):
        bind = "127.0.0.1:" + bind.rsplit(":", 1)[1]  # the templates put a proxy in front
    from flask_preflight.runtime.target import TargetError

    environ = dict(os.environ)
    environ.update(req.env)
    try:
        ctx = generate.context_for(req.target, cwd, bind, opts.behind_proxy, env=environ)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    text = generate.render(req.generate, ctx)
    out = req.out or os.path.join(cwd, generate.default_filename(req.generate, ctx))
    if out == "-":
        click.echo(text, nl=False)
        return EXIT_OK
    if os.path.exists(out) and not req.overwrite:
        raise UsageError(f"{out} exists; pass --overwrite to replace it, or --out PATH / --out - for stdout")
    try:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    _err(f"flask-preflight serve: wrote {out}")
    return EXIT_OK


def env_overrides(env_files: Sequence[str], env_items: Sequence[str],
                  read_file: Callable[[str], Mapping[str, str]]) -> Dict[str, str]:
    """``--env-file`` values, then ``--env KEY=VALUE`` over them."""
    env: Dict[str, str] = {}
    for path in env_files:
        env.update(read_file(path))
    for item in env_items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--env {item!r}: expected KEY=VALUE")
        env[key.strip()] = value
    return env
