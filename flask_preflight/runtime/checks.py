"""The checks ``inspect`` runs on a loaded Flask app object: ``check_app(app, ctx) -> List[Finding]``.

Order matters: configuration is read first, exactly as the import left it, and the test-client requests
come last (a request can change state - Flask-Talisman, for one, rewrites SESSION_COOKIE_SECURE on the
first request). The checks never register anything on the app. Each group lives in its own module:

- ``check_config``      DEBUG/TESTING, exception propagation, SECRET_KEY(_FALLBACKS), cookies, limits, hosts
- ``check_wsgi``        the middleware stack: Werkzeug debugger, ProxyFix
- ``check_routes``      the URL map: diagnostic routes, static folders, CSRF coverage
- ``check_extensions``  Flask-CORS options, Flask-Talisman force_https
- ``check_client``      two test-client requests: security headers, version headers, tracebacks, CORS
"""

from __future__ import annotations

import logging
from typing import Any, List, Tuple

from flask_preflight.findings import Finding
from flask_preflight.runtime import check_client, check_config, check_extensions, check_routes, check_wsgi
from flask_preflight.runtime.check_common import CheckState, find_extension
from flask_preflight.runtime.context import AppContext

log = logging.getLogger("flask_preflight.runtime")

STEPS = (
    ("config", check_config.run),
    ("middleware", check_wsgi.run),
    ("routes", check_routes.run),
    ("extensions", check_extensions.run),
    ("test client", check_client.run),
)


def run_checks(app: Any, ctx: AppContext) -> Tuple[List[Finding], List[str]]:
    """Findings, sorted, and notes: requests that failed or timed out and checks that crashed (a crash in
    one group never hides the findings of the others)."""
    state = CheckState(app=app, ctx=ctx)
    try:
        state.talisman = find_extension(app, "flask_talisman", "Talisman")
        state.seasurf = find_extension(app, "flask_seasurf", "SeaSurf")
    except Exception as exc:  # noqa: BLE001
        state.notes.append(f"could not look up extensions: {type(exc).__name__}: {exc}")
    for name, step in STEPS:
        try:
            step(state)
        except Exception as exc:  # noqa: BLE001 - an odd app must not abort the other checks
            state.notes.append(f"the {name} checks failed: {type(exc).__name__}: {exc}")
            log.debug("runtime check %s failed", name, exc_info=True)
    return sorted(state.findings, key=Finding.sort_key), state.notes


def check_app(app: Any, ctx: AppContext) -> List[Finding]:
    """Run every runtime check on ``app``; notes are logged as warnings (use ``run_checks`` to get them)."""
    findings, notes = run_checks(app, ctx)
    for note in notes:
        log.warning("%s", note)
    return findings
