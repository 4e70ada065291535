"""gunicorn, embedded through its custom-application API (``gunicorn.app.base.BaseApplication``).

The arbiter runs in this process; each worker imports the app itself after the fork (no ``preload_app``:
connections and threads the app opens at import are not shared between workers). gunicorn's own
config files and ``GUNICORN_CMD_ARGS`` are not read: ``--print-config`` must be the whole truth.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Sequence

from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError

from flask_preflight.serve import resources, watch
from flask_preflight.serve.options import ServeOptions
from flask_preflight.serve.wsgi import Refused, load_wsgi

APP_LOAD_ERROR = 4  # gunicorn's Arbiter.APP_LOAD_ERROR: a worker exiting with it halts the server


def gunicorn_settings(opts: ServeOptions, proc_name: str) -> Dict[str, Any]:
    """``ServeOptions`` as gunicorn setting names and values."""
    settings: Dict[str, Any] = {
        "bind": list(opts.bind),
        "workers": opts.workers,
        "worker_class": opts.worker_class,
        "threads": opts.threads,
        "timeout": opts.timeout,
        "graceful_timeout": opts.graceful_timeout,
        "keepalive": opts.keepalive,
        "max_requests": opts.max_requests,
        "max_requests_jitter": opts.max_requests_jitter,
        "forwarded_allow_ips": ",".join(_accepted_peers(opts.forwarded_allow_ips)),
        "accesslog": None if opts.access_log == "off" else os.path.abspath(opts.access_log)
        if opts.access_log != "-" else "-",
        "errorlog": os.path.abspath(opts.error_log) if opts.error_log != "-" else "-",
        "loglevel": opts.log_level,
        "logger_class": "flask_preflight.serve.accesslog.JsonAccessLogger",
        "proc_name": proc_name,
        "preload_app": False,
        "reload": False,
        # gunicorn >= 24 opens a control socket at a fixed per-user path; two servers would fight over it.
        "control_socket_disable": True,
    }
    if opts.certfile:
        settings["certfile"] = opts.certfile
        settings["keyfile"] = opts.keyfile
    tmp = resources.worker_tmp_dir()
    if tmp:
        settings["worker_tmp_dir"] = tmp
    return settings


def _accepted_peers(peers: Sequence[str]) -> List[str]:
    """The entries the installed gunicorn accepts: before version 24 it takes addresses, not networks.
    A network left out here only loses gunicorn's own X-Forwarded-Proto handling, which TrustedProxyFix
    (it does take networks) performs anyway."""
    from gunicorn.config import validate_string_to_addr_list

    accepted = []
    for peer in peers:
        try:
            validate_string_to_addr_list(peer)
        except ValueError:
            continue
        accepted.append(peer)
    return accepted


class PreflightApplication(BaseApplication):
    """The app named by TARGET on gunicorn with ``ServeOptions``."""

    def __init__(self, opts: ServeOptions, target: Dict[str, Any], cwd: str, proc_name: str) -> None:
        self.opts = opts
        self.target = target
        self.cwd = cwd
        self.settings = gunicorn_settings(opts, proc_name)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)
        self.cfg.set("when_ready", watch.start)  # the arbiter watches its workers' sockets (serve/watch.py)

    def load(self) -> Any:
        try:
            return load_wsgi(self.target, self.cwd, self.opts.behind_proxy, self.opts.forwarded_allow_ips)
        except Refused as exc:
            # gunicorn's own "the app cannot be loaded" error: the worker prints it and exits with
            # APP_LOAD_ERROR, and the arbiter halts instead of booting replacements in a loop.
            raise AppImportError(f"flask-preflight serve: worker {os.getpid()} refuses to serve: {exc}") from None


def run(opts: ServeOptions, target: Dict[str, Any], cwd: str, proc_name: str) -> int:
    """Run until stopped; 0 after a clean shutdown (SIGTERM/SIGINT), 1 when a worker refused the app
    (it exits with APP_LOAD_ERROR and gunicorn halts with that code) or the master's watch caught a worker
    serving a development server, 3 when gunicorn halted on another error (could not bind, a worker failed
    to boot)."""
    master = os.getpid()
    try:
        PreflightApplication(opts, target, cwd, proc_name).run()
    except SystemExit as exc:
        if os.getpid() != master:
            raise  # a forked worker unwinding through here: its exit code is for the arbiter
        code = exc.code
        if code in (0, None):
            return 1 if watch.refusal() else 0
        return 1 if code == APP_LOAD_ERROR else 3
    return 1 if watch.refusal() else 0
