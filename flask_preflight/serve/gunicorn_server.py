"""gunicorn, embedded through its custom-application API (``gunicorn.app.base.BaseApplication``).

The arbiter runs in this process; each worker imports the app itself after the fork (no ``preload_app``:
connections and threads the app opens at import are not shared between workers). gunicorn's own
config files and ``GUNICORN_CMD_ARGS`` are not read: ``--print-config`` must be the whole truth.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict

from gunicorn.app.base import BaseApplication

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
        "forwarded_allow_ips": ",".join(opts.forwarded_allow_ips),
        "accesslog": "-",
        "errorlog": "-",
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
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        # The heartbeat file is touched on every request; on a container's overlay disk that can block.
        settings["worker_tmp_dir"] = "/dev/shm"
    return settings


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

    def load(self) -> Any:
        try:
            return load_wsgi(self.target, self.cwd, self.opts.behind_proxy, self.opts.forwarded_allow_ips)
        except Refused as exc:
            print(f"flask-preflight serve: worker {os.getpid()} refuses to serve: {exc}", file=sys.stderr,
                  flush=True)
            sys.exit(APP_LOAD_ERROR)


def run(opts: ServeOptions, target: Dict[str, Any], cwd: str, proc_name: str) -> int:
    """Run until stopped; 0 after a clean shutdown (SIGTERM/SIGINT), 3 when gunicorn halted on an error
    (could not bind, a worker failed to boot or refused the app)."""
    try:
        PreflightApplication(opts, target, cwd, proc_name).run()
    except SystemExit as exc:
        code = exc.code
        return 0 if code in (0, None) else 3
    return 0
