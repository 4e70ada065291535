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
from dataclasses import replace
from typing import Any, List, Optional, Set, Tuple

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


def run_checks(app: Any, ctx: AppContext, _checked: Optional[Set[int]] = None) -> Tuple[List[Finding], List[str]]:
    """Findings, sorted, and notes: requests that failed or timed out and checks that crashed (a crash in
    one group never hides the findings of the others). Flask apps mounted in a ``DispatcherMiddleware``
    (around the app or in ``app.wsgi_app``) are checked too; their messages name the mount prefix."""
    checked = _checked if _checked is not None else set()
    checked.add(id(app))
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
    findings = list(state.findings)
    notes = list(state.notes)
    for prefix, mounted, layers, where in state.mounts:
        if id(mounted) in checked:
            continue
        sub_ctx = replace(ctx, outer_layers=layers, mount=prefix, outer_name=where)
        found, sub_notes = run_checks(mounted, sub_ctx, checked)
        findings.extend(_name_mount(f, sub_ctx.app_label) for f in found)
        notes.extend(f"{sub_ctx.app_label}: {n}" for n in sub_notes)
    return sorted(findings, key=Finding.sort_key), notes


def _name_mount(finding: Finding, label: str) -> Finding:
    """Say which mounted app a finding is about (the location is the served object's line for all of them)."""
    message = finding.message.replace("the loaded app", label).replace("The loaded app", label[:1].upper() + label[1:])
    if label not in message:
        message = f"In {label}: {message[:1].lower() + message[1:] if message[:2].istitle() else message}"
    return replace(finding, message=message)


def check_app(app: Any, ctx: AppContext) -> List[Finding]:
    """Run every runtime check on ``app``; notes are logged as warnings (use ``run_checks`` to get them)."""
    findings, notes = run_checks(app, ctx)
    for note in notes:
        log.warning("%s", note)
    return findings
