"""Checks of registered extensions: Flask-CORS options (PF512) and Flask-Talisman's force_https (PF513).

Flask-CORS keeps no entry in ``app.extensions``: ``CORS(app)`` registers an ``after_request`` function
``cors_after_request`` whose closure holds the resolved ``(pattern, options)`` list, and ``@cross_origin``
wraps a view in ``wrapped_function`` whose closure holds the decorator's options (resolved against the app
config with Flask-CORS's own ``get_cors_options``). Talisman is found as the owner of its bound hooks.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.runtime import PF512, PF513
from flask_preflight.runtime.check_common import (CheckState, code_of, iter_hook_funcs, source_location,
                                                  target_location, unwrap_chain)

WILDCARDS = {"*", r".*"}


def _closure(func: Any) -> Dict[str, Any]:
    code = code_of(func)
    cells = getattr(func, "__closure__", None) or ()
    if code is None:
        return {}
    values = {}
    for name, cell in zip(code.co_freevars, cells):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # empty cell
            pass
    return values


def _from_flask_cors(func: Any) -> bool:
    """Defined in Flask-CORS (by its code's file: ``update_wrapper`` copies ``__module__`` from the view)."""
    code = code_of(func)
    return code is not None and os.path.basename(os.path.dirname(code.co_filename)) == "flask_cors"


def _option(options: Any, name: str) -> Any:
    """Flask-CORS < 6.0.5 resolves options to a dict, later versions to an object with attributes."""
    if isinstance(options, dict):
        return options.get(name)
    return getattr(options, name, None)


def _origins(options: Any) -> List[Any]:
    origins = _option(options, "origins")
    if origins is None:
        return []
    if isinstance(origins, str) or hasattr(origins, "pattern"):
        return [origins]
    try:
        return list(origins)
    except TypeError:
        return []


def _wildcard_with_credentials(options: Any) -> bool:
    if not _option(options, "supports_credentials"):
        return False
    if _option(options, "allow_all_origins"):
        return True
    return any(_pattern(o) in WILDCARDS for o in _origins(options))


def _pattern(regex: Any) -> str:
    return getattr(regex, "pattern", None) or str(regex)


# Flask-CORS's matching (core.py ``try_match_pattern``/``probably_regex``): a compiled pattern, or a string with
# one of these characters, is applied with ``re.match`` - anchored at the start only, IGNORECASE for strings;
# any other string is compared literally (casefold). Used only when Flask-CORS's own function is unavailable.
_REGEX_CHARS = "*\\]?$^[()"


def _model_match(value: str, pattern: Any, case_sensitive: bool) -> bool:
    if hasattr(pattern, "pattern") and hasattr(pattern, "match"):
        return bool(pattern.match(value))
    text = str(pattern)
    if any(c in text for c in _REGEX_CHARS):
        try:
            return bool(re.match(text, value, 0 if case_sensitive else re.IGNORECASE))
        except re.error:
            return False
    return value == text if case_sensitive else value.casefold() == text.casefold()


def _cors_match(value: str, pattern: Any, case_sensitive: bool = False) -> bool:
    """Whether Flask-CORS matches ``value`` (an Origin, or a request path with ``case_sensitive``) against one
    configured pattern - with the installed Flask-CORS's own function where it has one."""
    core = sys.modules.get("flask_cors.core")
    try:
        func = getattr(core, "try_match_pattern", None)  # Flask-CORS >= 5
        if func is not None:
            return bool(func(value, pattern, caseSensitive=case_sensitive))
        func = getattr(core, "try_match", None)  # older releases: try_match(value, pattern)
        if func is not None:
            return bool(func(value, pattern))
    except Exception:  # noqa: BLE001 - another signature: fall back to the model
        pass
    return _model_match(value, pattern, case_sensitive)


ATTACKER_DOMAIN = "attacker.invalid"
ANY_ORIGIN = f"https://{ATTACKER_DOMAIN}"


def _sample_origin(pattern: str) -> Optional[Tuple[str, str, str]]:
    """(scheme, host, port) of the origin a pattern was written for (``https://.*\\.example\\.com`` ->
    ``https``, ``x.example.com``, ``""``), or None when the pattern does not read as one origin."""
    text = re.sub(r"^\^|(?:\$|\\Z|\\z)$", "", pattern.strip())
    text = re.sub(r"\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)", r"\1", text)  # a group: its first alternative
    text = re.sub(r"(?:\.|\\[wdsS]|\[[^\]]*\])(?:[*+]|\{\d*,?\d*\})\??", "x", text)  # a run of anything
    text = re.sub(r"\\([.\-/:])", r"\1", text)
    text = re.sub(r"(.)\?", r"\1", text)  # an optional character (https?)
    if any(c in text for c in "*\\]?$^[()|+{}"):
        return None
    match = re.match(r"([a-z][a-z0-9+.-]*)://([a-z0-9.-]+)(:\d+)?/?$", text, re.IGNORECASE)
    if not match:
        return None
    return match.group(1).lower(), match.group(2).lower(), match.group(3) or ""


def _crafted_origins(origins: List[Any]) -> List[Tuple[str, str]]:
    """(origin, why it is the attacker's) for origins an attacker can send from a site they control, derived
    from the configured patterns. Every one is on a domain the attacker can register, or is ``null``."""
    crafted = [(ANY_ORIGIN, "any origin"),
               ("null", "`Origin: null`, which any page can send from a sandboxed iframe or a data: URL")]
    for origin in origins:
        sample = _sample_origin(_pattern(origin))
        if sample is None:
            continue
        scheme, host, port = sample
        if not port:
            crafted.append((f"{scheme}://{host}.{ATTACKER_DOMAIN}",
                            "origins that merely start with the allowed one (re.match does not anchor at the end)"))
        labels = host.split(".")
        if len(labels) >= 2 and all(labels):
            site = ".".join(labels[-2:])
            crafted.append((f"{scheme}://attacker{site}{port}",
                            f"look-alike domains ending in {site!r} (no '.' required before it)"))
            for i in range(len(labels) - 2):  # a dot inside the name, not the one before the top-level domain
                lookalike = ".".join(labels[:i + 1]) + "x" + ".".join(labels[i + 1:])
                crafted.append((f"{scheme}://{lookalike}{port}",
                                "look-alike domains (an unescaped '.' matches any character)"))
    seen, unique = set(), []
    for origin, why in crafted:
        if origin not in seen:
            seen.add(origin)
            unique.append((origin, why))
    return unique


def _attacker_origins(options: Any) -> List[Tuple[str, str, str]]:
    """(configured pattern, accepted attacker origin, why) for each pattern that lets an attacker's origin in
    together with credentials; empty when credentials are off."""
    if not _option(options, "supports_credentials"):
        return []
    origins = _origins(options)
    accepted: List[Tuple[str, str, str]] = []
    for origin, why in _crafted_origins(origins):
        for pattern in origins:
            if _cors_match(origin, pattern) and all(p != _pattern(pattern) for p, _, _ in accepted):
                accepted.append((_pattern(pattern), origin, why))
                break
    return accepted


def _cors_registrations(app: Any) -> Iterator[Tuple[Optional[str], List[Tuple[Any, Any]]]]:
    """(blueprint or None, [(resource pattern, options), ...] in the order Flask-CORS tries them) for every
    ``CORS(app)`` registration."""
    for scope, func in iter_hook_funcs(app, "after_request_funcs"):
        if not _from_flask_cors(func) or getattr(code_of(func), "co_name", "") != "cors_after_request":
            continue
        resources = _closure(func).get("resources") or []
        yield scope, [entry for entry in list(resources) if isinstance(entry, tuple) and len(entry) == 2]


def cors_app_resources(app: Any) -> Iterator[Tuple[Optional[str], str, Dict[str, Any]]]:
    """(blueprint or None, resource pattern, options) for every ``CORS(app)`` registration."""
    for scope, resources in _cors_registrations(app):
        for pattern, options in resources:
            yield scope, _pattern(pattern), options


_ARG_RE = re.compile(r"<(?:[^<>:]+:)?[^<>]+>")


def _routes(app: Any, scope: Optional[str]) -> List[Tuple[str, Any]]:
    """(a concrete path, rule) for the app's routes; for a blueprint's hook only that blueprint's routes, the
    requests its ``after_request`` functions run for."""
    try:
        rules = list(app.url_map.iter_rules())
    except Exception:  # noqa: BLE001
        return []
    routes = []
    for rule in rules:
        if scope is not None and not str(getattr(rule, "endpoint", "")).startswith(f"{scope}."):
            continue
        routes.append((_ARG_RE.sub("1", str(getattr(rule, "rule", ""))), rule))
    return routes


def _covered_routes(app: Any, scope: Optional[str], resources: List[Tuple[Any, Any]],
                    index: int) -> List[Tuple[str, Any]]:
    """Routes answered with ``resources[index]``'s options: Flask-CORS applies the first resource whose pattern
    matches the request path, case-sensitively (extension.py ``cors_after_request``). A resource that covers
    no route only ever answers 404s, which carry nothing worth reading."""
    covered = []
    for path, rule in _routes(app, scope):
        for i, (pattern, _) in enumerate(resources):
            if _cors_match(path, pattern, case_sensitive=True):
                if i == index:
                    covered.append((path, rule))
                break
    return covered


def _probe_route(app: Any, routes: List[Tuple[str, Any]]) -> Optional[str]:
    """A covered path that can take a CORS preflight without running a view: Flask answers OPTIONS itself
    (``provide_automatic_options``) and the view is not wrapped by ``@cross_origin``, whose options would win."""
    usable = []
    for path, rule in routes:
        if not getattr(rule, "provide_automatic_options", False) or getattr(rule, "host", None) \
                or getattr(rule, "subdomain", None):
            continue
        view = app.view_functions.get(getattr(rule, "endpoint", None))
        if any(_from_flask_cors(layer) for layer in unwrap_chain(view)):
            continue
        usable.append((bool(getattr(rule, "arguments", None)), path))
    return min(usable)[1] if usable else None


def _view_probe_route(app: Any, endpoint: str, options: Any) -> Optional[str]:
    """The path of a ``@cross_origin`` view when the decorator answers OPTIONS itself (automatic_options), so
    the preflight does not run the view."""
    if not _option(options, "automatic_options"):
        return None
    try:
        rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    except Exception:  # noqa: BLE001
        return None
    for rule in rules:
        if getattr(rule, "provide_automatic_options", True) is False and not getattr(rule, "arguments", None) \
                and not getattr(rule, "host", None) and not getattr(rule, "subdomain", None):
            return str(rule.rule)
    return None


def cors_view_options(app: Any) -> Iterator[Tuple[str, Any, Dict[str, Any]]]:
    """(endpoint, view, resolved options) for every view wrapped by ``@cross_origin``."""
    core = sys.modules.get("flask_cors.core")
    for endpoint, view in list(app.view_functions.items()):
        for layer in unwrap_chain(view):
            if not _from_flask_cors(layer) or getattr(code_of(layer), "co_name", "") != "wrapped_function":
                continue
            raw = _closure(layer).get("_options")
            if not isinstance(raw, dict):
                continue
            raw = dict(raw)
            try:
                options = core.get_cors_options(app, raw) if core is not None else raw
            except Exception:  # noqa: BLE001 - Flask-CORS raises ValueError for forbidden combinations
                options = raw
            yield endpoint, view, options
            break


def run(state: CheckState) -> None:
    _cors(state)
    _talisman(state)


def _cors(state: CheckState) -> None:
    app, ctx = state.app, state.ctx
    patterns: List[str] = []
    loose: List[Tuple[str, List[Tuple[str, str, str]], Optional[str]]] = []  # (resource, accepted, probe path)
    for scope, resources in _cors_registrations(app):
        for index, (pattern, options) in enumerate(resources):
            name = _pattern(pattern) if scope is None else f"{_pattern(pattern)} (blueprint {scope})"
            if not _option(options, "supports_credentials"):
                continue
            covered = _covered_routes(app, scope, resources, index)
            if not covered:
                continue
            if _wildcard_with_credentials(options):
                patterns.append(name)
                continue
            accepted = _attacker_origins(options)
            if accepted:
                loose.append((name, accepted, _probe_route(app, covered)))
    if patterns:
        state.findings.append(PF512.finding(
            f"Flask-CORS allows every origin with supports_credentials=True for {', '.join(patterns)}: it echoes "
            f"any site's Origin back with Access-Control-Allow-Credentials: true, so any website can read "
            f"responses made with a logged-in user's cookies.",
            target_location(ctx), evidence=f"CORS resources {patterns}: origins='*', supports_credentials=True"))
    confirmed = [(name, _confirm(app, accepted, path, label=f"CORS resource {name}"))
                 for name, accepted, path in loose]
    confirmed = [(name, accepted, proof) for name, (accepted, proof) in confirmed if accepted]
    if confirmed:
        names = [name for name, _, _ in confirmed]
        details = "; ".join(f"{name}: {_describe(accepted)}" for name, accepted, _ in confirmed)
        proofs = [proof for _, _, proof in confirmed]
        state.findings.append(PF512.finding(
            f"Flask-CORS with supports_credentials=True lets attacker-controlled origins in for "
            f"{', '.join(names)} ({details}): such a site's requests carry a logged-in user's cookies and it can "
            f"read the responses.", target_location(ctx), evidence="; ".join(proofs)))
    for endpoint, view, options in cors_view_options(app):
        if _wildcard_with_credentials(options):
            loc, snippet = source_location(view, ctx)
            state.findings.append(PF512.finding(
                f"@cross_origin on `{endpoint}` allows every origin with supports_credentials=True: any website "
                f"can read this view's responses made with a logged-in user's cookies.",
                loc, snippet=snippet, evidence=f"{endpoint}: @cross_origin(origins='*', supports_credentials=True)"))
            continue
        accepted, proof = _confirm(app, _attacker_origins(options), _view_probe_route(app, endpoint, options),
                                   label=f"{endpoint}: @cross_origin")
        if accepted:
            loc, snippet = source_location(view, ctx)
            state.findings.append(PF512.finding(
                f"@cross_origin on `{endpoint}` with supports_credentials=True lets attacker-controlled origins in "
                f"({_describe(accepted)}): such a site can read this view's responses made with a logged-in "
                f"user's cookies.", loc, snippet=snippet, evidence=proof))


def _describe(accepted: List[Tuple[str, str, str]]) -> str:
    return "; ".join(f"{pattern!r} accepts {why}, e.g. {origin}" for pattern, origin, why in accepted)


def _confirm(app: Any, accepted: List[Tuple[str, str, str]], path: Optional[str],
             label: str = "") -> Tuple[List[Tuple[str, str, str]], str]:
    """Send each accepted attacker origin to ``path`` as a CORS preflight. A normal answer that does not echo
    the origin with credentials (another hook owns the CORS headers) drops it; without a usable answer
    Flask-CORS's own matcher is the evidence."""
    from flask_preflight.runtime.check_client import cors_preflight  # the test client lives there

    kept: List[Tuple[str, str, str]] = []
    proofs: List[str] = []
    for pattern, origin, why in accepted:
        if path is None:
            kept.append((pattern, origin, why))
            continue
        reply = cors_preflight(app, path, origin)
        allowed = reply.header("Access-Control-Allow-Origin").strip()
        credentials = reply.header("Access-Control-Allow-Credentials").strip().lower() == "true"
        if reply.ok and allowed == origin and credentials:
            kept.append((pattern, origin, why))
            proofs.append(f"OPTIONS {reply.url} Origin: {origin} -> {reply.status}, Access-Control-Allow-Origin: "
                          f"{allowed}, Access-Control-Allow-Credentials: true")
        elif not (reply.ok and (reply.status or 500) < 400):
            kept.append((pattern, origin, why))
    if kept and not proofs:
        matched = ", ".join(f"{pattern!r} matches {origin!r}" for pattern, origin, _ in kept)
        proofs.append(f"{label + ': ' if label else ''}Flask-CORS origins {matched}; supports_credentials=True")
    return kept, "; ".join(proofs)


def _talisman(state: CheckState) -> None:
    talisman = state.talisman
    if talisman is None or getattr(talisman, "force_https", True):
        return
    behind_proxy = bool(state.ctx.deploy_proxy)
    state.findings.append(PF513.finding(
        "Flask-Talisman is registered with force_https=False: http requests are answered instead of redirected, "
        "and browsers that arrive over http never receive HSTS."
        + (" The deployment files show a reverse proxy; make sure it redirects to https." if behind_proxy else ""),
        target_location(state.ctx), severity=Severity.LOW if behind_proxy else Severity.MEDIUM,
        evidence="Talisman.force_https=False"))
