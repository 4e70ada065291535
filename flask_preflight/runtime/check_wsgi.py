"""Checks of the WSGI middleware stack in ``app.wsgi_app``: the Werkzeug debugger (PF104) and ProxyFix (PF509).

Middleware wraps the app in layers that keep the next one in an attribute (``.app`` for Werkzeug's and most
others, ``.wsgi_app``, ``.application``); ``DispatcherMiddleware`` keeps its mounts in ``.mounts``. The walk
reads instance attributes only (no properties run), follows each object once and stops at the Flask app.
"""

from __future__ import annotations

import inspect
import os
from typing import Any, Iterator, List, Optional, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.debug import PF104
from flask_preflight.rules.runtime import PF509
from flask_preflight.runtime.check_common import CheckState, instance_of, target_location

_NEXT_ATTRS = ("app", "wsgi_app", "application")
_MAX_LAYERS = 64
PROXY_COUNTS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def wsgi_layers(app: Any, outer: Tuple[Any, ...] = (), outer_name: str = "the served object",
                mounts: Optional[List[Tuple[str, str, Any]]] = None) -> Iterator[Tuple[str, Any]]:
    """(how it is reached, object) for every layer around the app (``outer``: the served object when it
    wraps the Flask object) and below ``app.wsgi_app``, outermost first.

    The walk does not enter other Flask apps nor the mounts of a ``DispatcherMiddleware``: those are
    appended to ``mounts`` as (how it is reached, prefix, object) and checked as apps of their own."""
    queue: List[Tuple[str, Any]] = []
    if outer:
        queue.append((outer_name, outer[0]))
    try:
        queue.append(("app.wsgi_app", app.wsgi_app))
    except Exception:  # noqa: BLE001
        pass
    seen = {id(app)}
    count = 0
    while queue and count < _MAX_LAYERS:
        where, obj = queue.pop(0)
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        if inspect.ismethod(obj):
            owner = obj.__self__
            if owner is app or id(owner) in seen:
                continue  # Flask.wsgi_app of the app itself: the bottom of the stack
            queue.insert(0, (where, owner))
            continue
        if _is_flask(obj):  # another Flask app (the root app of a dispatcher): checked on its own
            if mounts is not None:
                mounts.append((where, "/", obj))
            continue
        count += 1
        yield where, obj
        attrs = getattr(obj, "__dict__", None)
        if not isinstance(attrs, dict):
            continue
        children: List[Tuple[str, Any]] = []
        for name in _NEXT_ATTRS:
            if name in attrs:
                children.append((f"{where}.{name}", attrs[name]))
        if "func" in attrs and callable(attrs["func"]):  # functools.partial
            children.append((f"{where}.func", attrs["func"]))
        found = attrs.get("mounts")
        if isinstance(found, dict):
            for prefix, mounted in list(found.items()):
                if mounts is not None:
                    mounts.append((f"{where}.mounts[{prefix!r}]", str(prefix), mounted))
                else:
                    children.append((f"{where}.mounts[{prefix!r}]", mounted))
        queue[0:0] = children


def resolve_mount(obj: Any) -> Tuple[Optional[Any], List[Any]]:
    """The Flask app a mounted WSGI object wraps (through ``.app``/``.wsgi_app``/``.application``) and the
    layers around it, outermost first; ``(None, layers)`` when there is no Flask app below."""
    layers: List[Any] = []
    seen = set()
    while obj is not None and id(obj) not in seen and len(layers) < _MAX_LAYERS:
        seen.add(id(obj))
        if inspect.ismethod(obj):
            obj = obj.__self__
            continue
        if _is_flask(obj):
            return obj, layers
        layers.append(obj)
        attrs = getattr(obj, "__dict__", None)
        if not isinstance(attrs, dict):
            break
        obj = next((attrs[n] for n in _NEXT_ATTRS if attrs.get(n) is not None), None)
    return None, layers


def _is_flask(obj: Any) -> bool:
    return instance_of(obj, "flask", "Flask")


def run(state: CheckState) -> None:
    app, ctx = state.app, state.ctx
    loc = target_location(ctx)
    proxies: List[Tuple[str, Any]] = []
    mounts: List[Tuple[str, str, Any]] = []
    outer_name = ctx.target.split(":", 1)[1] if ":" in ctx.target else "the served object"
    outer_name = ctx.outer_name or outer_name
    for where, layer in wsgi_layers(app, tuple(ctx.outer_layers or ()), outer_name, mounts):
        if instance_of(layer, "werkzeug", "DebuggedApplication"):
            _debugger(state, loc, where, layer)
        elif instance_of(layer, "werkzeug", "ProxyFix"):
            proxies.append((where, layer))
    _proxy_fix(state, loc, proxies)
    for where, prefix, mounted in mounts:
        flask_app, layers = resolve_mount(mounted)
        if flask_app is None:  # a plain WSGI app: only its middleware can be judged
            for i, layer in enumerate(layers):
                if instance_of(layer, "werkzeug", "DebuggedApplication"):
                    _debugger(state, loc, where + ".app" * i, layer, f"the WSGI app mounted at {prefix}")
        elif flask_app is not app:
            state.mounts.append((prefix, flask_app, tuple(layers), where))


def _debugger(state: CheckState, loc, where: str, layer: Any, wrapped: str = "") -> None:
    evalex = bool(getattr(layer, "evalex", False))
    pin_off = (os.environ.get("WERKZEUG_DEBUG_PIN", "").lower() == "off"
               or dict(state.ctx.env or ()).get("WERKZEUG_DEBUG_PIN", "").lower() == "off"
               or ("_pin" in vars(layer) and vars(layer)["_pin"] is None))
    console = getattr(layer, "console_path", "/console")
    if evalex:
        what = (f"with evalex=True: anyone who reaches a traceback page or {console} can run Python in the "
                f"server process")
        what += " and the PIN is disabled" if pin_off else ", protected only by the debugger PIN"
    else:
        what = "with evalex=False: tracebacks with source code and local variables are shown to clients"
    wrapped = wrapped or state.ctx.app_label
    state.findings.append(PF104.finding(
        f"The Werkzeug debugger wraps {wrapped} ({where} is a DebuggedApplication) {what}.",
        loc, severity=Severity.CRITICAL if evalex else Severity.HIGH,
        evidence=f"{where}: DebuggedApplication(evalex={evalex}{', PIN off' if pin_off else ''})"))


def _proxy_fix(state: CheckState, loc, proxies: List[Tuple[str, Any]]) -> None:
    deploy_proxy = state.ctx.deploy_proxy
    if not proxies:
        if deploy_proxy:
            state.findings.append(PF509.finding(
                "The deployment files show a reverse proxy but the app has no ProxyFix: request.remote_addr is "
                "the proxy's address, request.is_secure is False and external URLs are built with http.",
                loc, severity=Severity.LOW, evidence="no ProxyFix layer in app.wsgi_app; reverse proxy in deploy files",
                fix_hint="Wrap the app once: app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1) "
                         "(or set gunicorn's forwarded_allow_ips to the proxy's address)."))
        return
    totals = {name: sum(int(getattr(p, name, 0) or 0) for _, p in proxies) for name in PROXY_COUNTS}
    trusted = {k: v for k, v in totals.items() if v}
    counts = ", ".join(f"{k}={v}" for k, v in trusted.items()) or "all counts 0"
    where = proxies[0][0] if len(proxies) == 1 else f"{len(proxies)} ProxyFix layers"
    allowed = 0 if deploy_proxy is False else 1
    over = {k: v for k, v in trusted.items() if v > 1}
    if len(proxies) > 1 and trusted:
        state.findings.append(PF509.finding(
            f"ProxyFix is applied {len(proxies)} times, so each X-Forwarded-* header is trusted for the sum of "
            f"the hops ({counts}): values the client writes itself are taken as the client's address and scheme.",
            loc, severity=Severity.MEDIUM, evidence=f"{where}: {counts}"))
    elif over:
        state.findings.append(PF509.finding(
            f"ProxyFix trusts {join_counts(over)} hops of X-Forwarded-* headers; with fewer real proxies in front "
            f"the client's own header values are trusted (spoofed addresses, schemes and hosts).",
            loc, severity=Severity.MEDIUM, evidence=f"{where}: ProxyFix({counts})"))
    elif trusted and allowed == 0:
        state.findings.append(PF509.finding(
            f"ProxyFix trusts X-Forwarded-* headers ({counts}) but the deployment files show no reverse proxy: "
            f"if clients reach the app directly they choose their own address and scheme.",
            loc, severity=Severity.LOW, evidence=f"{where}: ProxyFix({counts}); no reverse proxy in deploy files"))


def join_counts(over: dict) -> str:
    return ", ".join(f"{v} ({k})" for k, v in over.items())
