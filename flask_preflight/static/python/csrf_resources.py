"""PF211 for ``Api(app, decorators=[csrf.exempt])``: what the resources registered on that Api rely on.

Flask-RESTful and Flask-RESTX apply an Api's ``decorators`` to the view function of every resource added with
``api.add_resource(Resource, "/path")``, so ``csrf.exempt`` there exempts them all. Whether that matters is
decided by the resources, exactly as for one exempt view: a forging site can only ride on a credential the
browser sends by itself (the session cookie, cached basic auth). The resource classes usually live in other
modules, so each module summarises its own resource classes (``resource_verdicts``) and the Api's module
defers the question to the project index (``resolve_api_exemption``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from flask_preflight.findings import Finding, Severity
from flask_preflight.rules.secrets import PF211
from flask_preflight.static.python.model import Site

if TYPE_CHECKING:
    from flask_preflight.static.python.context import Deferred, ModuleSummary
    from flask_preflight.static.python.csrf import CsrfChecks
    from flask_preflight.static.python.project import ProjectIndex

API_KIND = "csrf-exempt-api"  # Deferred.kind: which resources an exempting Api serves
# MethodView/Resource handlers that change state; get/head/options are the safe methods CSRF does not cover.
_STATE_METHODS = ("post", "put", "patch", "delete")
# A resource's own decorator lists: Flask-RESTful's ``method_decorators``, MethodView's ``decorators``.
_CLASS_DECORATORS = ("method_decorators", "decorators")
_RANK = {"gated": 0, "inert": 1, "open": 2, "ambient": 3}


def resource_verdicts(checks: "CsrfChecks") -> Dict[str, str]:
    """Each class of the module with a state-changing handler method: ``gated`` (every such method needs a
    header token or other secret the forger cannot send), ``ambient: <credential>`` (one relies on what the
    browser sends by itself), ``open`` (no credential visible), or ``imported <refs>`` (gated only if the
    project decorators it imports refuse requests without a token)."""
    out: Dict[str, str] = {}
    for name, info in checks.model.classes.items():
        methods = [s for s in info.node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and s.name in _STATE_METHODS]
        if not methods:
            continue
        shared: List[ast.expr] = []
        for stmt in info.node.body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id in _CLASS_DECORATORS
                                                    for t in stmt.targets):
                if isinstance(stmt.value, (ast.List, ast.Tuple)):
                    shared += stmt.value.elts
                elif isinstance(stmt.value, ast.Dict):  # method_decorators = {"post": [...]}: per method
                    shared = []
                    break
        out[name] = _class_verdict(checks, methods, shared, info.site)
    return out


def _class_verdict(checks: "CsrfChecks", methods: List[ast.AST], shared: List[ast.expr], site: Site) -> str:
    verdict = "gated"
    refs: List[str] = []
    for fn in methods:
        cred = checks.credential(fn, site)
        for dec in shared:
            checks._decorator_credential(dec, site, cred, depth=0)
        ambient = cred.ambient + cred.user + ([] if cred.verified else cred.writes)
        if ambient:
            return f"ambient: {ambient[0]}"
        if cred.gate or cred.token:
            continue
        if cred.imported:
            refs += cred.imported
            continue
        verdict = "open"
    if verdict == "gated" and refs:
        return "imported " + " ".join(refs)
    return verdict


def api_resource_refs(checks: "CsrfChecks", call: ast.Call, site: Site) -> Optional[List[str]]:
    """The qualified names of the resource classes added to the Api built by ``call``
    (``api = Api(...)`` ... ``api.add_resource(UserResource, "/users")`` in this module), or None when the
    Api is not bound to a module-level name or nothing is added here (other modules may add resources)."""
    target: Optional[str] = None
    for name, bindings in checks.model.module_scope.bindings.items():
        if any(b.value is call for b in bindings):
            target = name
    if target is None:
        return None
    refs: List[str] = []
    for c, s in checks.model.calls:
        func = c.func
        if not (isinstance(func, ast.Attribute) and func.attr == "add_resource" and isinstance(func.value, ast.Name)
                and func.value.id == target and c.args):
            continue
        cls = c.args[0]
        if not isinstance(cls, ast.Name):
            return None
        b, _ = checks.model.lookup(cls.id, s.scope, 10 ** 9)
        if b is not None and b.kind == "class":
            module = checks.model.module_name
            refs.append(f"{module}.{cls.id}" if module else cls.id)
        elif b is not None and b.kind == "import" and b.target and "." in b.target:
            refs.append(b.target)
        else:
            return None
    return refs or None


def _lookup_resource(index: "ProjectIndex", ref: str, importer: str) -> Tuple[Optional["ModuleSummary"], str]:
    """The module summary that defines the class ``ref`` names, following package re-exports
    (``from .users import UserResource`` in ``api/__init__.py``)."""
    for _ in range(4):
        owner, _, name = ref.rpartition(".")
        mod = index.find_module(owner, importer) if owner else None
        if mod is None:
            return _in_package(index, owner, name), name
        if name in mod.csrf_resources or name in mod.classes:
            return mod, name
        nxt = mod.reexports.get(name)
        if not nxt or nxt == ref:
            return None, name
        ref, importer = nxt, mod.path
    return None, ref


def _in_package(index: "ProjectIndex", package: str, name: str) -> Optional["ModuleSummary"]:
    """The one module below ``package`` that defines class ``name``, when the package's ``__init__`` (which
    re-exports it, and has nothing else worth parsing) is not in the index; None when none or several do."""
    found = [m for dotted, mods in index.by_name.items() if dotted.startswith(package + ".")
             for m in mods if name in m.classes]
    return found[0] if len(found) == 1 else None


def resolve_api_exemption(d: "Deferred", index: "ProjectIndex") -> Optional[Finding]:
    """No finding when every resource of the Api needs a token the forger cannot send; high when one relies
    on the session cookie or another credential the browser sends by itself; else the Api module's finding."""
    worst, why = "gated", ""
    for ref in d.ref.split(" "):
        mod, name = _lookup_resource(index, ref, d.path)
        if mod is None:
            worst = max(worst, "open", key=_RANK.__getitem__)
            continue
        verdict = mod.csrf_resources.get(name, "inert")  # a known class without state-changing handlers
        if verdict.startswith("imported "):
            gated = True
            for dec in verdict.split(" ")[1:]:
                owner, _, dname = dec.rpartition(".")
                dmod = index.find_module(owner, mod.path) if owner else None
                if dmod is None or dname not in dmod.csrf_gates:
                    gated = False
            verdict = "gated" if gated else "open"
        if verdict.startswith("ambient: "):
            if worst != "ambient":
                why = f"`{name}` relies on {verdict[len('ambient: '):]}"
            verdict = "ambient"
        worst = max(worst, verdict, key=_RANK.__getitem__)
    if worst in ("gated", "inert"):
        return None
    if worst == "ambient":
        head = d.context.split(", fine only if", 1)[0]
        message = (f"{head}, and {why}, which the browser sends by itself, so another site can trigger it in a "
                   f"victim's browser.")
        return PF211.finding(message, d.location, severity=Severity.HIGH if d.severity is not Severity.LOW
                             else Severity.LOW, snippet=d.snippet, evidence=d.snippet.strip())
    return PF211.finding(d.context, d.location, severity=d.severity, snippet=d.snippet, evidence=d.snippet.strip())
