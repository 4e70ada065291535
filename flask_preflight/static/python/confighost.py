"""The host a run call reads from the app's config: ``app.run(host=app.config["HOST"])``.

``app.config["HOST"]`` is whatever the project wrote under that key before the call: a module-level
``app.config["HOST"] = "0.0.0.0"`` (often in the module that creates the app and that the launcher imports
it from), ``config.update(HOST=...)``, or the attribute of the class (or settings module) ``from_object``
loaded. Flask's ``Config`` is a dict, so the call binds exactly that value. One module cannot see those
writes, so the run call records the key it reads and the whole project answers here (PF103).
"""

from __future__ import annotations

import ast
import os
import re
from typing import Any, Dict, List, Optional, Tuple

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.rules.debug import PF103
from flask_preflight.static.python.configwrites import config_writes, subscript_key
from flask_preflight.static.python.context import Context, FileAnalysis, ModuleSummary, linked_modules, unset_phrase
from flask_preflight.static.python.evaluate import Evaluator
from flask_preflight.static.python.flaskapi import config_receiver
from flask_preflight.static.python.model import ModuleModel, Reach, Scope

# Config keys that hold a bind address: only these are summarised (never values of other keys, which may be secrets)
HOST_KEY_RE = re.compile(r"^(?:[A-Z0-9]+_)*(?:HOST|HOSTNAME|BIND|BIND_ADDRESS|ADDRESS|ADDR|IP|LISTEN)$")
PUBLIC_HOSTS = {"0.0.0.0", "::", "", "0", "[::]", "::0", "0:0:0:0:0:0:0:0"}


def config_key_read(model: ModuleModel, node: Optional[ast.expr], scope: Scope, line: int) -> str:
    """The key of ``<app>.config["KEY"]`` / ``<app>.config.get("KEY")`` when ``node`` reads a host-like key."""
    key: Any = None
    if isinstance(node, ast.Subscript) and config_receiver(model, node.value, scope, line):
        key_node = subscript_key(node)
        key = key_node.value if isinstance(key_node, ast.Constant) else None
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args and isinstance(node.args[0], ast.Constant) \
            and config_receiver(model, node.func.value, scope, line):
        key = node.args[0].value
    return key if isinstance(key, str) and HOST_KEY_RE.match(key) else ""


def module_config_hosts(ctx: Context) -> Dict[str, Tuple[str, Location, Tuple[str, ...]]]:
    """``{KEY: (value with no variable set, where, variables read)}`` for the host-like keys this module writes
    into an app's config unconditionally at import (``app.config["HOST"] = "0.0.0.0"``, ``update(HOST=...)``)."""
    out: Dict[str, Tuple[str, Location, Tuple[str, ...]]] = {}
    for w in config_writes(ctx.model):
        if w.how not in ("subscript", "mapping") or not HOST_KEY_RE.match(w.key):
            continue
        if w.site.reach != Reach.IMPORT or w.site.conditions or w.site.function:
            continue
        ev = Evaluator(ctx.model)
        value = ev.eval(w.value, w.site.scope, getattr(w.value, "lineno", 1))
        if isinstance(value, str):
            out[w.key] = (value, ctx.location(w.node), tuple(n for n in ev.trace.env_names if n != "?"))
    return out


def _loaded_value(index: Any, analyses: Dict[str, FileAnalysis], module: ModuleSummary,
                  key: str) -> Optional[Tuple[str, Location, Tuple[str, ...]]]:
    """The value a ``from_object`` of the module loads under ``key`` (a class attribute or module constant)."""
    analysis = analyses.get(os.path.abspath(module.path))
    for d in analysis.deferred if analysis is not None else []:
        if d.kind != "load-object":
            continue
        kind, obj = index.resolve(d.ref, d.path)
        fact = None
        if kind == "class":
            found = index.class_attr(obj, key, d.path)
            fact = found[0] if found else None
        elif kind == "module":
            fact = obj.constants.get(key)
        if fact is not None and isinstance(fact.value, str):
            return fact.value, fact.location, ()
    return None


def resolve_config_hosts(analyses: List[FileAnalysis], index: Any) -> List[Finding]:
    """PF103 at each run call whose host is a config key the project sets to an all-interfaces address."""
    by_path = {os.path.abspath(a.path): a for a in analyses}
    findings: List[Finding] = []
    for a in analyses:
        s = a.summary
        if s is None:
            continue
        for run in s.dev_servers:
            if not run.host_key or run.host_at is None or run.gated:
                continue
            hit = None
            for current in linked_modules(s, index.find_module):
                hit = current.config_hosts.get(run.host_key) or _loaded_value(index, by_path, current, run.host_key)
                if hit is not None:
                    break
            if hit is None or hit[0].strip() not in PUBLIC_HOSTS or hit[0].strip() == "" and run.kind == "app.run()":
                continue
            value, where, names = hit
            debug_on = run.debug == "on" or run.debugger
            sev = Severity.HIGH if debug_on and run.reach != Reach.MAIN.value else Severity.MEDIUM
            when = f" when {unset_phrase(list(names))}" if names else ""
            extra = " With debug mode on, anyone who can reach the port gets the interactive debugger." if debug_on else ""
            findings.append(PF103.finding(
                f"The development server ({run.kind}) binds to all interfaces ({value}){when}: its host is "
                f"config[{run.host_key!r}], which {where.path}:{where.line} sets, so it is reachable from every "
                f"network this machine is on.{extra}", run.host_at, severity=sev, snippet=run.snippet,
                evidence=run.snippet.strip().split("\n")[0], related=(where,)))
    return findings
