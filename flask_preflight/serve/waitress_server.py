"""waitress, for Windows (where gunicorn cannot run) and for ``--server waitress``.

One process with a thread pool: no worker recycling, no timeouts for a stuck request, no TLS. The proxy
handling is the same ``TrustedProxyFix`` gunicorn gets (waitress's own ``trusted_proxy`` options are left
off so there is one implementation to reason about), and its JSON access log comes from a middleware.
SIGTERM stops it the way Ctrl-C does, so ``docker stop`` and systemd get a clean exit.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Any, Dict, List, Optional, TextIO

from flask_preflight.serve.accesslog import AccessLogMiddleware
from flask_preflight.serve.options import ServeOptions
from flask_preflight.serve.wsgi import load_wsgi


class _Stop(KeyboardInterrupt):
    """Raised by the SIGTERM handler. A KeyboardInterrupt because waitress's event loop re-raises those
    (and SystemExit) but reports and swallows every other exception a handler raises."""


def waitress_settings(opts: ServeOptions) -> Dict[str, Any]:
    tcp: List[str] = [b for b in opts.bind if not b.startswith("unix:")]
    unix = [b[5:] for b in opts.bind if b.startswith("unix:")]
    settings: Dict[str, Any] = {
        "threads": opts.threads,
        "expose_tracebacks": False,
        "ident": "waitress",
        # waitress would strip every X-Forwarded-* header (no trusted_proxy is set); TrustedProxyFix
        # strips them itself for peers outside --forwarded-allow-ips and reads them for the others.
        "clear_untrusted_proxy_headers": False,
    }
    if tcp:
        settings["listen"] = " ".join(tcp)
    if unix:
        settings["unix_socket"] = unix[0]
    return settings


def _configure_logging(level: str, error_log: str) -> None:
    """waitress logs through the ``waitress`` logger and configures no handler: without one its start-up
    line and its errors are lost."""
    logger = logging.getLogger("waitress")
    handler: logging.Handler = logging.StreamHandler(sys.stderr) if error_log == "-" else \
        logging.FileHandler(os.path.abspath(error_log), encoding="utf-8")
    handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def run(opts: ServeOptions, target: Dict[str, Any], cwd: str) -> int:
    """Load the app in this process and serve it until SIGTERM/SIGINT; 0 after a clean stop."""
    from waitress.server import create_server

    access_stream: Optional[TextIO] = None
    if opts.access_log == "-":
        access_stream = sys.stdout  # load_wsgi points sys.stdout at stderr for the app's own prints
    elif opts.access_log != "off":
        access_stream = open(os.path.abspath(opts.access_log), "a", encoding="utf-8")  # noqa: SIM115
    _configure_logging(opts.log_level, opts.error_log)
    app = load_wsgi(target, cwd, opts.behind_proxy, opts.forwarded_allow_ips)
    if access_stream is not None:
        app = AccessLogMiddleware(app, access_stream)
    try:
        server = create_server(app, **waitress_settings(opts))
    except (OSError, ValueError) as exc:  # waitress raises ValueError for a host it cannot resolve
        where = ", ".join(opts.bind)
        print(f"flask-preflight serve: waitress could not listen on {where}: {exc}", file=sys.stderr)
        return 3

    def stop(signum: int, frame: Any) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.print_listen("Listening at: http://{}:{}")
        server.run()
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM through _Stop
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
    return 0
