"""PF403-PF405: gunicorn launches - command-line flags, GUNICORN_CMD_ARGS and the config file gunicorn reads.

A mixin of ``DeployChecks``: it needs the project's files, the finding collector and the env-var reporting
that the main checks own.
"""

from __future__ import annotations

import os
import shlex
from typing import Dict, List, Optional, Set, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.deploy import PF403, PF404, PF405
from flask_preflight.static.deploy.commands import Launch, parse_gunicorn_args
from flask_preflight.static.deploy.common import (MAX_SANE_WORKERS, PLATFORM_KINDS, Collector, Ctx, Files, as_int,
                                                  effective, find_by_tail, source_of)
from flask_preflight.static.deploy.context import Scopes
from flask_preflight.static.deploy.gunicorn import parse as parse_gunicorn_config
from flask_preflight.static.deploy.model import COMPUTED, ENV_VALUE, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.python.context import FileAnalysis
from flask_preflight.static.source import read_text


class GunicornChecks:
    out: Collector
    index: Files
    python: List[FileAnalysis]
    root: str
    proxy_dirs: List[str]
    conf_users: Dict[str, Set[str]]
    named_configs: Dict[str, Optional[DeployFile]]  # -c files with ordinary names, parsed on demand
    scopes: Scopes  # the directory each launch can see (context.py)

    def _env_var(self, var: EnvVar, f: DeployFile, dev_reason: str, severity: Severity) -> None:
        raise NotImplementedError  # provided by DeployChecks

    def _gunicorn(self, launch: Launch, ctx: Ctx) -> None:
        conf = self._config_for(launch, ctx)
        cmd_args: Dict[str, List[str]] = {}
        extra = ctx.env.get("GUNICORN_CMD_ARGS")
        if extra is not None and effective(extra[0]):
            try:
                cmd_args = parse_gunicorn_args(shlex.split(effective(extra[0]) or ""))[0]
            except ValueError:
                cmd_args = {}
        for values in launch.options.get("raw_env", []) + cmd_args.get("raw_env", []):
            key, _, val = values.partition("=")
            self._env_var(EnvVar(key, val, launch.origin), ctx.file, ctx.dev_reason, Severity.HIGH)

        def setting(name: str) -> Tuple[Optional[object], Optional[Origin]]:
            if name in launch.options:
                return launch.options[name][-1], launch.origin
            if name in cmd_args:
                return cmd_args[name][-1], ctx.env.get("GUNICORN_CMD_ARGS")[1]  # type: ignore[index]
            if conf is not None and name in conf.gunicorn:
                s = conf.gunicorn[name]
                return s.value, s.origin
            return None, None

        def here(where: Optional[Origin]) -> bool:
            """Set on this command line (or GUNICORN_CMD_ARGS), not in the config file reported on its own."""
            return where is not None and (conf is None or where.path != conf.path)

        dev = ctx.dev_reason
        low_note = f" Reported as low because {dev}." if dev else ""
        reload, where = setting("reload")
        if reload is not None and reload is not False and here(where):
            self.out.add(PF403, where, f"gunicorn runs with `--reload` in {source_of(ctx)}: a development "
                         f"feature that, after a syntax error in a reloaded file, serves the traceback to every "
                         f"client.{low_note}",
                         Severity.LOW if dev else PF403.severity)
        if not dev:
            self._workers(launch, ctx, setting)
        if dev:
            return
        fwd, where = setting("forwarded_allow_ips")
        if fwd is None and ctx.env.get("FORWARDED_ALLOW_IPS") is not None:
            fwd, where = effective(ctx.env.get("FORWARDED_ALLOW_IPS")[0]), ctx.env.get("FORWARDED_ALLOW_IPS")[1]  # type: ignore[index]
        if here(where):
            self._forwarded(fwd, where, ctx.file, "--forwarded-allow-ips")
        level, where = setting("loglevel")
        if here(where) and str(level).lower() == "debug":
            self._loglevel(where, "--log-level")  # type: ignore[arg-type]
        timeout, where = setting("timeout")
        klass, _ = setting("worker_class")
        threads, _ = setting("threads")
        if here(where) and str(timeout).strip() == "0" and ctx.file.kind not in PLATFORM_KINDS:
            # A gthread/async worker notifies the arbiter from its main loop, so a stuck request never trips the
            # timeout anyway (Cloud Run's sample uses --threads 8 --timeout 0); Heroku's router times out at 30s.
            if as_int(threads, 1) <= 1 and str(klass or "sync").split(".")[-1].lower() in ("sync", "syncworker"):
                self._timeout(where, "--timeout")  # type: ignore[arg-type]
        bind, where = setting("bind")
        if where is launch.origin and ctx.file.kind == "compose" and not self._proxied(ctx.file) and ctx.command.public_ports:
            if any(b.rsplit(":", 1)[0] in ("0.0.0.0", "", "[::]", "::") for b in launch.options.get("bind", [])):
                self.out.add(PF405, launch.origin, "gunicorn binds all interfaces and this compose project publishes "
                             "its port with no reverse-proxy service in front: clients talk to gunicorn directly "
                             "(no TLS termination, buffering of slow clients, or request limits).", Severity.LOW)

    def _workers(self, launch: Launch, ctx: Ctx, setting) -> None:  # type: ignore[no-untyped-def]
        workers, where = setting("workers")
        klass, _ = setting("worker_class")
        threads, _ = setting("threads")
        if workers is None and ctx.env.get("WEB_CONCURRENCY") is not None:
            return
        if workers is None:
            if ctx.file.kind in ("procfile", "appengine"):
                return  # Heroku-style platforms set WEB_CONCURRENCY for gunicorn
            if str(klass or "sync").split(".")[-1].lower() not in ("sync", "syncworker") or as_int(threads, 1) > 1:
                return
            self.out.add(PF404, launch.origin, f"gunicorn in {source_of(ctx)} runs its default single synchronous "
                         f"worker (no `--workers`, `workers =` or WEB_CONCURRENCY): one slow request blocks every "
                         f"other client. gunicorn suggests (2 x CPU cores) + 1 workers as a starting point.",
                         Severity.LOW)
            return
        count = as_int(workers, None)
        if count is not None and count > MAX_SANE_WORKERS and where is not None:
            self.out.add(PF404, where, f"gunicorn is told to start {count} workers: far above (2 x CPU cores) + 1 "
                         f"for any common instance (gunicorn's docs: 4-12 workers handle hundreds of requests per "
                         f"second); each worker is a full copy of the app in memory.", Severity.LOW)
        preload, _ = setting("preload_app")
        if preload is not None and preload is not False and (count is None or count > 1):
            per_process = [f for a in self.python for f in a.findings if f.rule_id == "PF203"]
            if per_process:
                self.out.add(PF404, launch.origin, f"gunicorn runs several workers with `--preload` while the app "
                             f"generates its secret key at import ({per_process[0].path}:{per_process[0].line}, "
                             f"PF203): preloading makes the workers share one key, but it changes on every restart "
                             f"and differs between replicas, so sessions still break.", Severity.LOW,
                             related=[per_process[0].location])

    def _forwarded(self, value: Optional[object], where: Optional[Origin], f: DeployFile, flag: str = "") -> None:
        """``*`` is right behind a platform router or a proxy service (their addresses change); not otherwise."""
        if where is None or str(value).strip().strip("'\"") != "*":
            return
        if f.kind in PLATFORM_KINDS or self._proxied(f):
            return
        self.out.add(PF405, where, "gunicorn trusts X-Forwarded-* headers from any address "
                     "(forwarded_allow_ips=\"*\") and no reverse proxy is configured in this project: anyone who "
                     "reaches the port directly can claim to be on HTTPS or come from any IP. List the proxy's "
                     "addresses instead.", Severity.MEDIUM, name=flag)

    def _proxied(self, f: DeployFile) -> bool:
        """A compose file at or above ``f`` runs a reverse-proxy service."""
        here = os.path.dirname(f.abs_path)
        return any(here == d or here.startswith(d + os.sep) for d in self.proxy_dirs)

    def _loglevel(self, where: Origin, flag: str = "") -> None:
        self.out.add(PF405, where, "gunicorn logs at debug level: request details and internals go to production "
                     "logs. Use `info` or `warning`.", Severity.LOW, name=flag)

    def _timeout(self, where: Origin, flag: str = "") -> None:
        self.out.add(PF405, where, "gunicorn's worker timeout is disabled (timeout 0) for synchronous workers: a "
                     "stuck request holds its worker forever and is never recycled. Keep a finite timeout.",
                     Severity.LOW, name=flag)

    def _config_for(self, launch: Launch, ctx: Ctx) -> Optional[DeployFile]:
        ref = launch.option("config")
        if ref is not None:
            ref = ref.split(":", 1)[1] if ref.startswith(("python:", "file:")) else ref
            if not ref.endswith(".py") and "/" not in ref:
                ref = ref.replace(".", "/") + ".py"
        if ref is not None:
            conf = self.index.find_file(ref, ctx.file, ("gunicorn",), self.scopes.of(ctx)) or \
                self._named_config(ref, ctx)
        else:
            # gunicorn reads ./gunicorn.conf.py from its working directory: the launcher's, the project's, or
            # the one the WSGI module is imported from (`COPY src/ .` puts src/gunicorn.conf.py next to it).
            scope = self.scopes.of(ctx)
            dirs = {os.path.dirname(ctx.file.abs_path), scope}
            module = launch.target.split(":", 1)[0]
            if module:
                top = self.index.find_script(module.replace(".", "/") + ".py", ctx.file, scope) or \
                    self.index.find_script(module.replace(".", "/") + "/__init__.py", ctx.file, scope)
                if top is not None:
                    path = os.path.abspath(top.path)
                    for _ in range(module.count(".") + (2 if path.endswith("__init__.py") else 1)):
                        path = os.path.dirname(path)
                    dirs.add(path)
            conf = next((f for f in self.index.by_kind("gunicorn") if os.path.basename(f.abs_path) == "gunicorn.conf.py"
                         and os.path.dirname(f.abs_path) in dirs), None)
        if conf is not None:
            self.conf_users.setdefault(conf.abs_path, set()).add(ctx.file.kind)
        return conf

    def _named_config(self, ref: str, ctx: Ctx) -> Optional[DeployFile]:
        """A config file ``-c`` names whose name is not gunicorn-like (``--config=config.py``): gunicorn
        executes whatever file it is given, so its settings count for this launch. Read on demand, once; not
        reported on its own (only files with gunicorn-like names are)."""
        path = find_by_tail(self.scopes.of(ctx), ref, ctx.file.abs_path) if ref.endswith(".py") else None
        if path is None:
            return None
        if path not in self.named_configs:
            text = read_text(path, limit=1_000_000)
            try:
                self.named_configs[path] = (None if text is None else
                                            parse_gunicorn_config(text, os.path.relpath(path, self.root), path))
            except DeployParseError:
                self.named_configs[path] = None
        return self.named_configs[path]

    def _gunicorn_files(self) -> None:
        """Settings in a gunicorn config file are reported where they are written, once."""
        for f in self.index.by_kind("gunicorn"):
            dev = f.dev_reason
            s = f.gunicorn
            if "reload" in s and s["reload"].value not in (False, None, 0, COMPUTED, ENV_VALUE):
                suffix = f" Reported as low because {dev}." if dev else ""
                self.out.add(PF403, s["reload"].origin, f"`reload = True` in {f.path}: gunicorn's reloader is for "
                             f"development; after a syntax error in a reloaded file it serves the traceback to "
                             f"every client.{suffix}", Severity.LOW if dev else PF403.severity)
            if dev:
                continue
            users = self.conf_users.get(f.abs_path, set())
            if "forwarded_allow_ips" in s and not (users and users <= PLATFORM_KINDS):
                self._forwarded(s["forwarded_allow_ips"].value, s["forwarded_allow_ips"].origin, f)
            if "loglevel" in s and str(s["loglevel"].value).lower() == "debug":
                self._loglevel(s["loglevel"].origin)
            if "timeout" in s and s["timeout"].value == 0:
                self._timeout(s["timeout"].origin)
            workers = s.get("workers")
            if workers is not None and isinstance(workers.value, int) and workers.value > MAX_SANE_WORKERS:
                self.out.add(PF404, workers.origin, f"`workers = {workers.value}` in {f.path}: far above "
                             f"(2 x CPU cores) + 1 for any common instance; each worker is a full copy of the app in "
                             f"memory.", Severity.LOW)
            for var in f.env:
                self._env_var(var, f, dev, Severity.HIGH)
