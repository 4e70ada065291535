"""Config values that cross a call: ``create_app(DEBUG=True)`` into a factory that applies its arguments.

Application factories take their settings as arguments: ``def create_app(**overrides)`` with
``app.config.update(**overrides)``, ``def create_app(test_config=None)`` with ``from_mapping(test_config)``,
``def create_app(config_object)`` with ``from_object(config_object)``. Looking at the factory alone, the value
is a parameter; looking at a caller alone, it is an argument to some function. This module joins the two:
each file records what its module-level functions do with their parameters (``factory_specs``, stored in
the module summary) and which of its calls pass config-looking arguments (deferred ``factory-call``
questions); ``resolve_factory_calls`` matches them across modules through the project index.

Only production paths count: a call in test code (``tests/``, ``conftest.py``) configures a test app, so it
is not recorded. Severity follows where the call runs: at import (a wsgi module), in a function, or only
under the ``__main__`` guard.
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.rules.debug import PF101
from flask_preflight.rules.secrets import PF201, PF202
from flask_preflight.static.python.context import Context, Deferred, unset_phrase
from flask_preflight.static.python.evaluate import ClassRef, Evaluator, ImportRef, ModuleRef, flag_verdict, truthy
from flask_preflight.static.python.flaskapi import config_receiver
from flask_preflight.static.python.model import Reach, Site

CONFIG_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
SECRET_KEYS = ("SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT")
# (how, parameter, position or -1 for **kwargs, where the factory applies it); how is "mapping", "kwargs",
# "object", or "object-key <dict qualname>" for from_object(CONFIGS[param])
FactorySpec = Tuple[str, str, int, Location]


# ---- per file: what factories do with their parameters ------------------------------------------------
def factory_specs(ctx: Context) -> Dict[str, List[FactorySpec]]:
    """``{function: [(how, param, position, location)]}`` for module-level functions that pass a parameter
    to ``config.update``/``from_mapping`` ("mapping", or "kwargs" for ``**overrides``) or ``from_object``
    ("object")."""
    model = ctx.model
    out: Dict[str, List[FactorySpec]] = {}
    for call, site in model.calls:
        fn_name = site.function
        func = call.func
        if not fn_name or fn_name not in model.functions or not isinstance(func, ast.Attribute) or \
                func.attr not in ("update", "from_mapping", "from_object"):
            continue
        fn = model.functions[fn_name]
        fscope = model.scope_of.get(id(fn))
        if fscope is None or site.scope.function_scope is not fscope or \
                not config_receiver(model, func.value, site.scope, call.lineno):
            continue
        positions = _param_positions(fn)
        kwarg = fn.args.kwarg.arg if fn.args.kwarg is not None else None  # type: ignore[attr-defined]
        keyed = _keyed_object(model, call, site) if func.attr == "from_object" else None
        if keyed is not None and keyed[0] in positions:
            # from_object(CONFIGS[config_name]): the caller's string picks a class from a name -> class dict
            out.setdefault(fn_name, []).append((f"object-key {keyed[1]}", keyed[0], positions[keyed[0]],
                                                ctx.location(call)))
            continue
        passed = [a for a in call.args[:1] if isinstance(a, ast.Name)]
        passed += [kw.value for kw in call.keywords if kw.arg is None and isinstance(kw.value, ast.Name)]
        for node in passed:
            name = node.id
            if name == kwarg and func.attr != "from_object":
                spec: Optional[FactorySpec] = ("kwargs", name, -1, ctx.location(call))
            elif name in positions and _still_param(model, name, site, call.lineno):
                how = "object" if func.attr == "from_object" else "mapping"
                spec = (how, name, positions[name], ctx.location(call))
            else:
                spec = None
            if spec is not None:
                out.setdefault(fn_name, []).append(spec)
    return out


def _keyed_object(model: Any, call: ast.Call, site: Site) -> Optional[Tuple[str, str]]:
    """``from_object(CONFIGS[param])`` (or ``CONFIGS.get(param)``) where ``CONFIGS`` is a module-level dict of this
    module or one imported from another: (the parameter, the dict's qualified name)."""
    arg = call.args[0] if len(call.args) == 1 else None
    if isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Name) and isinstance(arg.slice, ast.Name):
        holder, key = arg.value, arg.slice
    elif isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "get" and \
            isinstance(arg.func.value, ast.Name) and arg.args and isinstance(arg.args[0], ast.Name):
        holder, key = arg.func.value, arg.args[0]
    else:
        return None
    if not _still_param(model, key.id, site, call.lineno):
        return None
    binding, bscope = model.lookup(holder.id, site.scope, call.lineno)
    if binding is None:
        return None
    if binding.kind == "import" and binding.target:
        return key.id, binding.target
    if binding.kind == "assign" and bscope is model.module_scope:
        return key.id, f"{model.module_name}.{holder.id}" if model.module_name else holder.id
    return None


def _param_positions(fn: Any) -> Dict[str, int]:
    args = list(fn.args.posonlyargs) + list(fn.args.args)
    out = {a.arg: i for i, a in enumerate(args)}
    out.update({a.arg: 10_000 + i for i, a in enumerate(fn.args.kwonlyargs)})  # keyword-only: no position
    return out


def _still_param(model: Any, name: str, site: Site, line: int) -> bool:
    binding, _ = model.lookup(name, site.scope, line)
    return binding is not None and binding.kind == "param"


# ---- per file: calls that pass config-looking arguments -------------------------------------------------
def record_calls(ctx: Context) -> None:
    """Defer a ``factory-call`` question for each call passing an UPPERCASE keyword, a dict or a string.

    ``Deferred.values`` holds, per argument, ``(slot, kind, info)``: slot is ``"#<position>"`` or the keyword;
    kind ``debug`` (info on/env) or ``secret`` (info the weakness, never the value) for a config key, ``dict``
    for a dict argument (info: nothing; its keys follow as ``<slot>.<KEY>`` rows), ``str`` for a string."""
    if ctx.is_test:
        return
    record_imported_mappings(ctx)
    model = ctx.model
    for call, site in model.calls:
        target = _target(model, call.func)
        if target is None:
            continue
        values: List[Tuple[str, str, str]] = []
        for kw in call.keywords:
            if kw.arg is None:
                continue
            if CONFIG_KEY_RE.match(kw.arg):
                values += _config_value(ctx, kw.arg, kw.value, site, kw.arg)
            else:
                values += _argument(ctx, kw.value, site, kw.arg)
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                break
            values += _argument(ctx, arg, site, f"#{i}")
        if not values:
            if not call.args and not call.keywords and site.reach != Reach.MAIN and not ctx.gate(site).skip:
                # create_app() with every parameter at its default: project.py asks who does this
                ctx.defer("bare-call", target, PF101, call, Severity.LOW, _where_phrase(site), site)
            continue
        reach = site.reach
        sev = {Reach.IMPORT: Severity.HIGH, Reach.FUNCTION: Severity.MEDIUM}.get(reach, Severity.LOW)
        gate = ctx.gate(site)
        if gate.skip:
            continue
        if gate.conditional_unknown and sev == Severity.HIGH:
            sev = Severity.MEDIUM
        ctx.defer("factory-call", target, PF101, call, sev, _where_phrase(site), site)
        ctx.result.deferred[-1].values = tuple(values)


def record_imported_mappings(ctx: Context) -> None:
    """``app.config.from_mapping(config)`` / ``update(config)`` where ``config`` is a dict imported from another
    module: defer a ``load-mapping`` question; project.py reports that module's literal keys (``secret_dicts``)."""
    if ctx.is_test:
        return
    model = ctx.model
    for call, site in model.calls:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in ("update", "from_mapping") and call.args
                and isinstance(call.args[0], ast.Name)
                and config_receiver(model, func.value, site.scope, call.lineno)):
            continue
        binding, _ = model.lookup(call.args[0].id, site.scope, call.lineno)
        if binding is None or binding.kind != "import" or not binding.target or ctx.gate(site).skip:
            continue
        sev = Severity.MEDIUM if site.reach == Reach.MAIN else Severity.HIGH
        ctx.defer("load-mapping", binding.target, PF201, call, sev, _where_phrase(site), site)


def secret_dicts(ctx: Context) -> Dict[str, Dict[str, Tuple[str, Location, str]]]:
    """Module-level dicts with a literal signing key: ``{name: {KEY: (weakness, location, snippet)}}``.
    The value itself is never stored; the snippet is redacted."""
    from flask_preflight.static.python.secrets import weakness
    out: Dict[str, Dict[str, Tuple[str, Location, str]]] = {}
    if ctx.is_test:
        return out
    for name, bindings in ctx.model.module_scope.bindings.items():
        b = bindings[-1]
        if b.kind != "assign" or not isinstance(b.value, ast.Dict) or b.conditions:
            continue
        for k, v in zip(b.value.keys, b.value.values):
            if not (isinstance(k, ast.Constant) and k.value in SECRET_KEYS):
                continue
            ev = Evaluator(ctx.model)
            value = ev.eval(v, ctx.model.module_scope, b.line)
            if ev.trace.env_reads or not isinstance(value, (str, bytes)) or not value or value == k.value:
                continue
            ctx.add_secret(value, v)
            snippet = ctx.redactor.text(ctx.snippet(k).split("\n")[0])
            out.setdefault(name, {})[k.value] = (weakness(value) or "", ctx.location(k), snippet)
    _subscript_writes(ctx, out, weakness)
    return out


def _subscript_writes(ctx: Context, out: Dict[str, Dict[str, Tuple[str, Location, str]]], weakness: Any) -> None:
    """``CONFIG["SECRET_KEY"] = environ.get("SECRET_KEY") or "dev"`` at module level, into a module-level dict
    that another module applies: the key's value is what this statement leaves. A literal is recorded as in a
    dict display; a fallback for an unset variable adds the variables' names (a fourth item) for PF202."""
    model = ctx.model
    for stmt in model.tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript)):
            continue
        target = stmt.targets[0]
        key = target.slice.value if isinstance(target.slice, ast.Constant) else None  # type: ignore[attr-defined]
        if key not in SECRET_KEYS or not isinstance(target.value, ast.Name):
            continue
        bindings = model.module_scope.bindings.get(target.value.id, [])
        if not bindings or bindings[-1].kind != "assign" or not isinstance(bindings[-1].value, ast.Dict):
            continue
        ev = Evaluator(model)
        value = ev.eval(stmt.value, model.module_scope, stmt.lineno)
        if not isinstance(value, (str, bytes)) or not value or value == key:
            out.get(target.value.id, {}).pop(key, None)  # a later non-literal write replaces the display's value
            continue
        ctx.add_secret(value, stmt.value)
        snippet = ctx.redactor.text(ctx.snippet(stmt).split("\n")[0])
        entry: Tuple[Any, ...] = (weakness(value) or "", ctx.location(target), snippet)
        if ev.trace.env_reads:
            entry += (" ".join(n for n in ev.trace.env_names if n and n != "?"),)
        out.setdefault(target.value.id, {})[key] = entry  # type: ignore[assignment]


def resolve_imported_mappings(index: Any, deferred: List[Deferred], findings: List[Finding]) -> None:
    """PF201 at the literal key of a dict another module applies with ``from_mapping``/``update``."""
    seen = set()
    for d in deferred:
        if d.kind != "load-mapping":
            continue
        owner, _, name = d.ref.rpartition(".")
        mod = index.find_module(owner, d.path) if owner else None
        if mod is None or name not in mod.secret_dicts:
            continue
        for key, entry in mod.secret_dicts[name].items():
            weak, loc, snippet = entry[:3]
            if (loc.path, loc.line, key) in seen:
                continue
            seen.add((loc.path, loc.line, key))
            sev = Severity.CRITICAL if weak == "a well-known placeholder" and d.severity == Severity.HIGH else d.severity
            if len(entry) > 3:  # a fallback for an unset variable, written into the dict
                findings.append(PF202.finding(
                    f"{key} in the `{name}` dict falls back to a literal when {unset_phrase(entry[3].split())}, and "
                    f"{d.location.path}:{d.location.line} applies the dict to app.config ({d.context}): a deployment "
                    f"that forgets the variable runs with a key from the source code." +
                    (f" The value is also weak ({weak})." if weak else ""),
                    loc, severity=sev, snippet=snippet, evidence=snippet.strip(), related=(d.location,)))
                continue
            findings.append(PF201.finding(
                f"Hard-coded {key} in the `{name}` dict, which {d.location.path}:{d.location.line} applies to "
                f"app.config ({d.context}): with the source in hand, anyone can forge the signed data it protects "
                f"(session cookies, tokens)." + (f" The value is also weak ({weak})." if weak else ""),
                loc, severity=sev, snippet=snippet, evidence=snippet.strip(), related=(d.location,)))


def _target(model: Any, func: ast.expr) -> Optional[str]:
    """The qualified name of a function this module defines or imports (``pkg.create_app``); None for
    methods of local objects and for the standard library and the frameworks, which define no factories."""
    if isinstance(func, ast.Name):
        if func.id in model.functions:
            return f"{model.module_name}.{func.id}" if model.module_name else func.id
        q = model.imports.get(func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in model.imports:
        q = model.qualname(func)
    else:
        return None
    if not q or "." not in q or q.split(".")[0] in _NOT_PROJECT:
        return None
    return q


_NOT_PROJECT = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names) | {
    "os", "sys", "json", "re", "logging", "subprocess", "flask", "werkzeug", "flask_socketio", "gunicorn",
    "click", "typer", "argparse", "pytest", "unittest", "requests", "sqlalchemy", "flask_sqlalchemy"}


def _argument(ctx: Context, node: ast.expr, site: Site, slot: str) -> List[Tuple[str, str, str]]:
    from flask_preflight.static.python.configwrites import dict_nodes
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return [(slot, "str", node.value)]
    entries = dict_nodes(ctx.model, node, site)
    if not entries:
        ev = Evaluator(ctx.model)
        value = ev.eval(node, site.scope, node.lineno)
        if isinstance(value, (ClassRef, ImportRef, ModuleRef)):
            value = value.qualname  # create_app(DevelopmentConfig): the class itself
        if not isinstance(value, str) or not value:
            return []
        if not ev.trace.env_reads:
            return [(slot, "str", value)]
        # `create_app(os.getenv("APP_ENV", "dev"))` or `os.getenv("APP_ENV") or "dev"`: with the variable
        # unset (the Evaluator's default) the factory gets the literal; the variables go in a row of their own
        names = [n for n in ev.trace.env_names if n != "?"]
        return [(slot, "str", value), (slot + "?env", "env", " ".join(names))] if names else []
    rows: List[Tuple[str, str, str]] = []
    for key, value in entries.items():
        if CONFIG_KEY_RE.match(key):
            rows += _config_value(ctx, key, value, site, f"{slot}.{key}")
    return [(slot, "dict", "")] + rows if rows else []


def _config_value(ctx: Context, key: str, node: ast.expr, site: Site, slot: str) -> List[Tuple[str, str, str]]:
    from flask_preflight.static.python.secrets import weakness
    if key == "DEBUG":
        verdict = flag_verdict(ctx.model, node, site.scope, node.lineno)
        if verdict.env_driven:
            return []  # PF105 territory: judged where the flag is read
        return [(slot, "debug", "on")] if truthy(verdict.unset) else []
    if key in SECRET_KEYS:
        ev = Evaluator(ctx.model)
        value = ev.eval(node, site.scope, node.lineno)
        if ev.trace.env_reads or not isinstance(value, (str, bytes)) or not value or value == key:
            return []
        ctx.add_secret(value, node)
        return [(slot, "secret", weakness(value) or "")]
    return []


def _where_phrase(site: Site) -> str:
    if site.reach == Reach.MAIN:
        return "only when the file is run as a script"
    if site.reach == Reach.FUNCTION:
        return f"whenever `{site.function or 'its function'}()` is called"
    return "whenever the module is imported, including by gunicorn or `flask run`"


# ---- the project: match calls to factories ----------------------------------------------------------------
def resolve_factory_calls(index: Any, deferred: List[Deferred], findings: List[Finding],
                          class_debug: Any) -> None:
    """Emit PF101/PF201 at each call whose arguments a factory applies to ``app.config``.

    ``class_debug(ref, importer)`` returns the DEBUG fact of a config object named by a string (for
    ``create_app("config.DevelopmentConfig")`` into ``from_object``), or None."""
    for d in deferred:
        if d.kind != "factory-call":
            continue
        specs = _factory(index, d.ref, d.path)
        if not specs:
            continue
        fn = d.ref.rsplit(".", 1)[-1]
        rows = {slot: (kind, info) for slot, kind, info in d.values}
        env_rows = {slot[: -len("?env")]: info for slot, (kind, info) in rows.items() if kind == "env"}
        for how, param, pos, loader in specs:
            if how == "kwargs":
                applied = [(s, k, i) for s, (k, i) in rows.items() if not s.startswith("#") and "." not in s
                           and k in ("debug", "secret")]
            else:
                slot = param if param in rows else f"#{pos}"
                kind, info = rows.get(slot, ("", ""))
                if how == "mapping" and kind == "dict":
                    applied = [(s, k, i) for s, (k, i) in rows.items() if s.startswith(slot + ".")]
                elif how.startswith("object-key ") and kind == "str":
                    _keyed_debug(index, how.split(" ", 1)[1], info, fn, loader, d, findings, class_debug,
                                 env_rows.get(slot, ""))
                    continue
                elif how == "object" and kind == "str":
                    fact = class_debug(info, loader.path)
                    if fact is not None:
                        findings.append(PF101.finding(
                            f"Debug mode is enabled: `{fn}()` is called with {info!r}{_when_unset(env_rows.get(slot, ''))}, "
                            f"which `{fn}()` passes to "
                            f"`from_object` ({loader.path}:{loader.line}); it sets DEBUG = {fact.value!r} at "
                            f"{fact.location.path}:{fact.location.line}. The call runs {d.context}.",
                            d.location, severity=d.severity, snippet=d.snippet, evidence=d.snippet.strip(),
                            related=(loader, fact.location)))
                    continue
                else:
                    continue
            for slot, kind, info in applied:
                key = slot.rsplit(".", 1)[-1]
                via = f"`{fn}()` applies it to app.config ({loader.path}:{loader.line})"
                if kind == "debug":
                    findings.append(PF101.finding(
                        f"Debug mode is enabled: {key}=True is passed to `{fn}()`, and {via}. The call runs "
                        f"{d.context}.", d.location, severity=d.severity, snippet=d.snippet,
                        evidence=d.snippet.strip(), related=(loader,)))
                elif kind == "secret":
                    placeholder = info == "a well-known placeholder"
                    sev = Severity.MEDIUM if d.reach == "main" else (
                        Severity.CRITICAL if placeholder else Severity.HIGH)
                    weak = f" The value is also weak ({info})." if info else ""
                    findings.append(PF201.finding(
                        f"Hard-coded {key} passed to `{fn}()`, and {via}: with the source in hand, anyone can "
                        f"forge the signed data it protects (session cookies, tokens). The call runs "
                        f"{d.context}.{weak}", d.location, severity=sev, snippet=d.snippet,
                        evidence=d.snippet.strip(), related=(loader,)))


def _when_unset(names: str) -> str:
    """" when APP_ENV is unset" for an argument that is a literal only while its variables are unset."""
    return f" when {unset_phrase(names.split())}" if names else ""


def _keyed_debug(index: Any, dict_ref: str, name: str, fn: str, loader: Location, d: Deferred,
                 findings: List[Finding], class_debug: Any, env_names: str = "") -> None:
    """PF101 at ``create_app("development")`` when the factory's ``from_object(CONFIGS[name])`` picks a class
    that sets DEBUG = True."""
    owner, _, dict_name = dict_ref.rpartition(".")
    mod = index.find_module(owner, loader.path) if owner else None
    qual = (mod.dicts.get(dict_name) or {}).get(name) if mod is not None else None
    fact = class_debug(qual, mod.path) if qual else None
    if fact is None:
        return
    cls = qual.rsplit(".", 1)[-1]  # type: ignore[union-attr]
    findings.append(PF101.finding(
        f"Debug mode is enabled: `{fn}()` is called with {name!r}{_when_unset(env_names)}, which `{fn}()` looks "
        f"up in `{dict_name}` and "
        f"passes to `from_object` ({loader.path}:{loader.line}): it picks `{cls}`, which sets DEBUG = "
        f"{fact.value!r} at {fact.location.path}:{fact.location.line}. The call runs {d.context}.",
        d.location, severity=d.severity, snippet=d.snippet, evidence=d.snippet.strip(),
        related=(loader, fact.location)))


def default_callers(index: Any, deferred: List[Deferred]) -> Dict[Tuple[str, str], Deferred]:
    """``{(module path, function): call}`` for production calls that pass no argument at all."""
    out: Dict[Tuple[str, str], Deferred] = {}
    for d in deferred:
        if d.kind == "bare-call":
            found = _function_home(index, d.ref, d.path)
            if found is not None:
                out.setdefault(found, d)
    return out


def _function_home(index: Any, ref: str, importer: str, depth: int = 0) -> Optional[Tuple[str, str]]:
    owner, _, name = ref.rpartition(".")
    mod = index.find_module(owner, importer) if owner and depth <= 4 else None
    if mod is None:
        return None
    target = mod.reexports.get(name)
    if target and target != ref:
        return _function_home(index, target, mod.path, depth + 1)
    return mod.path, name


def _factory(index: Any, ref: str, importer: str, depth: int = 0) -> List[FactorySpec]:
    """The specs of the function ``ref`` names, following re-exports (``from .factory import create_app``)."""
    owner, _, name = ref.rpartition(".")
    if not owner or depth > 4:
        return []
    mod = index.find_module(owner, importer)
    if mod is None:
        return []
    if name in mod.factories:
        return list(mod.factories[name])
    target = mod.reexports.get(name)
    if target and target != ref:
        return _factory(index, target, mod.path, depth + 1)
    return []


__all__ = ["default_callers", "factory_specs", "record_calls", "resolve_factory_calls", "resolve_imported_mappings",
           "secret_dicts", "ClassRef", "ImportRef", "ModuleRef"]
