"""Cross-module facts: config classes and settings modules, and the questions files defer about them.

Each file is analysed alone (so files can be analysed in parallel and cached); what one file needs to
know about another - the DEBUG a class imported from ``config.py`` sets, the module a ``from_object``
string names - is answered here from compact per-module summaries.
"""

from __future__ import annotations

import ast
import dataclasses
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.rules.debug import PF101, PF104
from flask_preflight.static.python.baseconfig import overridden_base
from flask_preflight.static.python.context import (ClassSummary, Context, Deferred, Fact, FileAnalysis,
                                                   ModuleSummary)
from flask_preflight.static.python.debug import (ENV_SAMPLES, INSTANCE_PREFIX, class_module, classify_config_class,
                                                 config_module_name, name_tokens)
from flask_preflight.static.python.evaluate import (SUBSCRIPT, ClassRef, Evaluator, ImportRef, ModuleRef,
                                                    flag_verdict, truthy)
from flask_preflight.static.python.factories import (default_callers, factory_specs, resolve_factory_calls,
                                                     resolve_imported_mappings, secret_dicts)
from flask_preflight.static.python.model import ModuleModel, Reach, Scope
from flask_preflight.static.python.csrf import CsrfChecks, resolve_csrf_gates
from flask_preflight.static.python.csrf_resources import resource_verdicts
from flask_preflight.static.python.envflags import FlagEvaluator, module_env_flags
from flask_preflight.static.python.randomkeys import random_constants, random_functions, resolve_random_helpers
from flask_preflight.static.python.startguards import PENDING_KIND, exiting_functions
from flask_preflight.static.python.testonly import idle_functions
from flask_preflight.static.testpaths import is_test_path
from flask_preflight.static.python.mappinguse import (names_default, readers, referenced_names, text_names_default,
                                                     used_elsewhere)
from flask_preflight.static.python.configpick import config_selectors, resolve_selected
from flask_preflight.static.python.confighost import HOST_KEY_RE, module_config_hosts, resolve_config_hosts

_SIMPLE = (bool, int, float, str, type(None))

# Config names whose values other modules may ask about; rule packs add theirs. Evaluating every
# UPPERCASE constant of every module would cost time for nothing.
SUMMARY_KEYS: Set[str] = {"DEBUG", "FLASK_DEBUG", "APP_DEBUG", "DEBUG_MODE", "TESTING", "ENV"}


# ---- per-module summaries -----------------------------------------------------------------------
def _fact(ctx: Context, name: str, value: ast.expr, scope: Scope, line: int, node: ast.AST) -> Fact:
    verdict = flag_verdict(ctx.model, value, scope, line)
    v = verdict.unset
    if isinstance(v, _SIMPLE):
        stored, known = v, True
    elif isinstance(v, (ClassRef, ImportRef, ModuleRef)):
        stored, known = ("ref", v.qualname), True
    else:
        stored, known = None, False
    names = tuple(n for n in verdict.env_names if n != "?")
    debug_name = name in ("DEBUG", "FLASK_DEBUG", "APP_DEBUG", "DEBUG_MODE")
    evaluator = Evaluator
    if debug_name and not names:
        # a bool parser of the project (``DEBUG = bool_env("DEBUG", False)``): the variable it reads, and what
        # DEBUG becomes when a deployment sets it; the fact stays unknown for the checks that need a value
        flags = FlagEvaluator(ctx.model, None)
        flags.eval(value, scope, line)
        names, evaluator = tuple(n for n in flags.trace.env_names if n != "?"), FlagEvaluator
    table = tuple((sample, truthy(evaluator(ctx.model, sample).eval(value, scope, line))) for sample in ENV_SAMPLES) \
        if names and debug_name else ()
    return Fact(name, stored, known, verdict.env_driven, ctx.location(node), ctx.snippet(node), names, table)


def _entry_links(model: ModuleModel) -> Tuple[List[str], List[str]]:
    """What a deployment file needs to follow a launch out of this file: the modules it imports anywhere
    (a launcher script nobody imports is not what a WSGI server loads), and the imported functions it calls
    when run as a script (``python run.py`` whose ``__main__`` calls ``pkg.main()``, which runs ``app.run()``)."""
    imported: List[str] = []
    for node in ast.walk(model.tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = model.resolve_relative(node.module, node.level)
            if base:
                imported.append(base)
            imported += [f"{base}.{alias.name}" if base else alias.name for alias in node.names if alias.name != "*"]
    local = set(model.functions)
    calls: List[str] = []
    for call, site in model.calls:
        if site.reach != Reach.MAIN:
            continue
        name = model.qualname(call.func)
        if name and "." in name and name.split(".")[0] not in local and name not in calls:
            calls.append(name)
    return sorted(set(imported)), calls


def summarize(ctx: Context) -> ModuleSummary:
    model = ctx.model
    summary = ModuleSummary(ctx.path, model.module_name, ctx.is_test)
    summary.reexports = dict(model.imports)
    summary.dev_servers = list(ctx.dev_servers)
    summary.random_functions = random_functions(model)
    summary.random_constants = random_constants(model)
    summary.exiting_functions = exiting_functions(model)
    summary.config_selectors = config_selectors(model)
    summary.env_flags = module_env_flags(model)
    checks = CsrfChecks(ctx, lambda _w: False)
    summary.csrf_gates = checks.gates()
    summary.csrf_resources = resource_verdicts(checks)
    summary.csrf_ambient = [] if ctx.is_test else checks.ambient()
    summary.factories = factory_specs(ctx)
    summary.secret_dicts = secret_dicts(ctx)
    summary.imported, summary.main_calls = _entry_links(model)
    summary.referenced = referenced_names(model)
    summary.names_default = names_default(model)
    summary.idle_functions = idle_functions(model, ctx.result.findings)
    summary.config_hosts = module_config_hosts(ctx)
    for name, info in model.classes.items():
        qual = f"{model.module_name}.{name}" if model.module_name else name
        bases: List[str] = []
        for base in info.node.bases:
            v = Evaluator(model).eval(base, model.module_scope, info.node.lineno)
            if isinstance(v, (ClassRef, ImportRef)):
                bases.append(v.qualname)
        cls = ClassSummary(name, qual, ctx.location(info.node), ctx.snippet(info.node).split("\n")[0], bases)
        for attr, bindings in info.scope.bindings.items():
            b = bindings[-1]
            if (attr in SUMMARY_KEYS or HOST_KEY_RE.match(attr)) and b.kind == "assign" and b.value is not None:
                target = _target_node(b.node, attr) or b.node
                cls.attrs[attr] = _fact(ctx, attr, b.value, info.scope, b.line, target)
        summary.classes[name] = cls
    for name, bindings in model.module_scope.bindings.items():
        b = bindings[-1]
        if (name in SUMMARY_KEYS or HOST_KEY_RE.match(name)) and b.kind == "assign" and b.value is not None:
            summary.constants[name] = _fact(ctx, name, b.value, model.module_scope, b.line,
                                            _target_node(b.node, name) or b.node)
        pairs = _dict_pairs(b.value) if b.kind == "assign" else None
        if pairs is not None:
            entries: Dict[str, str] = {}
            for k, v in pairs:
                if not (isinstance(k, ast.Constant) and isinstance(k.value, str)) or not isinstance(v, (ast.Name, ast.Attribute)):
                    continue
                ref = Evaluator(model).eval(v, model.module_scope, b.line)
                if isinstance(ref, (ClassRef, ImportRef)):
                    entries[k.value] = ref.qualname
                    if k.value == "default":
                        summary.config_dicts.append(("default", ref.qualname, ctx.location(k), ctx.snippet(k), name))
                        users = readers(model, name, b.node)
                        if users is not None:
                            summary.unused_dicts[name] = sorted(users)
            if entries:
                summary.dicts[name] = entries
    return summary


def _dict_pairs(value: Optional[ast.expr]) -> Optional[List[Tuple[Optional[ast.expr], ast.expr]]]:
    """(key, value) nodes of a dict display or of ``dict(development=DevConfig, ...)`` (keys as constants)."""
    if isinstance(value, ast.Dict) and len(value.keys) <= 200:
        return list(zip(value.keys, value.values))
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" and \
            not value.args and 0 < len(value.keywords) <= 200 and all(kw.arg for kw in value.keywords):
        return [(ast.copy_location(ast.Constant(kw.arg), kw), kw.value) for kw in value.keywords]
    return None


def _target_node(stmt: ast.AST, name: str) -> Optional[ast.AST]:
    targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
    for t in targets:
        if isinstance(t, ast.Name) and t.id == name:
            return stmt
    return None


# ---- the project index ------------------------------------------------------------------------
class ProjectIndex:
    def __init__(self, summaries: Iterable[ModuleSummary]) -> None:
        self.by_name: Dict[str, List[ModuleSummary]] = {}
        self.by_suffix: Dict[str, List[ModuleSummary]] = {}  # "b.c" -> modules named "<x>.b.c"
        self.by_path: Dict[str, ModuleSummary] = {}
        self._dir_cache: Dict[str, Tuple[str, ...]] = {}
        for s in summaries:
            self.by_name.setdefault(s.module_name, []).append(s)
            parts = s.module_name.split(".")
            for i in range(1, len(parts)):
                self.by_suffix.setdefault(".".join(parts[i:]), []).append(s)
            self.by_path[os.path.normpath(s.path)] = s

    def find_module(self, dotted: str, importer: str) -> Optional[ModuleSummary]:
        candidates = self.by_name.get(dotted) or self.by_suffix.get(dotted)
        if not candidates:
            return self._namespace_module(dotted, importer)
        if len(candidates) == 1:
            return candidates[0]
        # Many projects in one scan each have an `app.config`: prefer the importer's own checkout.
        key = self._dirs(importer)
        return max(candidates, key=lambda s: (_shared(self._dirs(s.path), key), -len(s.path)))

    def _namespace_module(self, dotted: str, importer: str) -> Optional[ModuleSummary]:
        """``core.settings`` when ``core/`` has no ``__init__.py``: Python 3 imports it as a namespace package
        from the directory the app runs in, while module names here start below the last package directory.
        Tried from the importer's folder upwards."""
        if "." not in dotted:
            return None
        rel = os.path.join(*dotted.split("."))
        here = os.path.dirname(os.path.normpath(importer))
        for _ in range(12):
            for candidate in (rel + ".py", os.path.join(rel, "__init__.py")):
                hit = self.by_path.get(os.path.normpath(os.path.join(here, candidate)))
                if hit is not None:
                    return hit
            if not here or here == os.path.dirname(here):
                break
            here = os.path.dirname(here)
        return None

    def _dirs(self, path: str) -> Tuple[str, ...]:
        hit = self._dir_cache.get(path)
        if hit is None:
            hit = self._dir_cache[path] = tuple(os.path.dirname(os.path.abspath(path)).split(os.sep))
        return hit

    def resolve(self, ref: str, importer: str, depth: int = 0) -> Tuple[str, Any]:
        """("class", ClassSummary) | ("module", ModuleSummary) | ("fact", Fact) | ("none", None)."""
        if depth > 6 or not ref:
            return "none", None
        if SUBSCRIPT in ref:
            base, key = ref.split(SUBSCRIPT, 1)
            owner, _, name = base.rpartition(".")
            mod = self.find_module(owner, importer) if owner else None
            if mod is not None and name in mod.dicts and key in mod.dicts[name]:
                return self.resolve(mod.dicts[name][key], mod.path, depth + 1)
            if mod is not None and name in mod.reexports:
                return self.resolve(mod.reexports[name] + SUBSCRIPT + key, mod.path, depth + 1)
            return "none", None
        parts = ref.split(".")
        for i in range(len(parts), 0, -1):
            mod = self.find_module(".".join(parts[:i]), importer)
            if mod is None:
                continue
            rest = parts[i:]
            if not rest:
                return "module", mod
            head = rest[0]
            if head in mod.classes:
                cls = mod.classes[head]
                if len(rest) == 1:
                    return "class", cls
                if len(rest) == 2:
                    found = self.class_attr(cls, rest[1], mod.path)
                    return ("fact", found[0]) if found else ("none", None)
                return "none", None
            if head in mod.constants and len(rest) == 1:
                fact = mod.constants[head]
                if isinstance(fact.value, tuple) and fact.value and fact.value[0] == "ref":
                    return self.resolve(fact.value[1], mod.path, depth + 1)
                return "fact", fact
            reexports = mod.reexports
            if head in reexports and reexports[head] != ref:
                return self.resolve(".".join([reexports[head]] + rest[1:]), mod.path, depth + 1)
            return "none", None
        return "none", None

    def class_attr(self, cls: ClassSummary, attr: str, importer: str,
                   seen: Optional[Set[str]] = None) -> Optional[Tuple[Fact, ClassSummary]]:
        seen = seen if seen is not None else set()
        if cls.qualname in seen:
            return None
        seen.add(cls.qualname)
        if attr in cls.attrs:
            return cls.attrs[attr], cls
        for base in cls.bases:
            kind, obj = self.resolve(base, cls.location.path)
            if kind == "class":
                found = self.class_attr(obj, attr, cls.location.path, seen)
                if found:
                    return found
        return None


_CONFIG_WORDS = {"config", "configuration", "settings", "conf", "cfg", "options"}
_ENUM_BASES = {"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"}


def _config_like(cls: ClassSummary, module: ModuleSummary, loaded: Dict[str, Any], index: "ProjectIndex",
                 depth: int = 0) -> bool:
    """Only classes that look like Flask config are judged by their names: a log level or an enum member
    called DEBUG is not debug mode."""
    if any(b in _ENUM_BASES for b in cls.bases):
        return False
    if cls.qualname in loaded or config_module_name(module.module_name):
        return True
    if any(t in _CONFIG_WORDS for t in name_tokens(cls.name)):
        return True
    if depth < 4:
        for base in cls.bases:
            kind, obj = index.resolve(base, cls.location.path)
            if kind == "class":
                mod = index.find_module(obj.qualname.rsplit(".", 1)[0], cls.location.path) or module
                if _config_like(obj, mod, loaded, index, depth + 1):
                    return True
    return False


def _shared(pa: Tuple[str, ...], pb: Tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(pa, pb):
        if x != y:
            break
        n += 1
    return n



def _debug_on(fact: Optional[Fact]) -> bool:
    return bool(fact and fact.known and not fact.env_driven and fact.value not in (None, False, 0, "")
                and not (isinstance(fact.value, tuple)))


def _where(fact: Fact) -> str:
    return f"{fact.location.path}:{fact.location.line}"


# ---- cross-module rules -----------------------------------------------------------------------
def resolve_project(analyses: List[FileAnalysis], reads: Optional[Dict[str, str]] = None,
                    others: Sequence[str] = ()) -> List[Finding]:
    """Findings only the whole project decides. ``reads`` collects the non-Python files consulted (templates);
    ``others`` are the Python files the analysis skipped or could not parse (a Python 2 ``manage.py``): only
    their text is consulted."""
    summaries = [a.summary for a in analyses if a.summary is not None]
    index = ProjectIndex(summaries)
    findings: List[Finding] = []
    loaded: Dict[str, List[Deferred]] = {}
    test_paths = {s.path for s in summaries if s.is_test}
    resolve_selected([d for a in analyses for d in a.deferred], index)  # from_object(pick_config())
    findings += resolve_config_hosts(analyses, index)  # app.run(host=app.config["HOST"])
    for a in analyses:
        for d in a.deferred:
            if d.kind == "load-object" and d.path not in test_paths and d.reach != "main":
                kind, obj = index.resolve(d.ref, d.path)
                if kind == "class":
                    loaded.setdefault(obj.qualname, []).append(d)

    def emit(loc: Location, snippet: str, message: str, severity: Severity, related: Tuple[Location, ...] = (),
             in_test: bool = False) -> None:
        if in_test:
            severity, message = Severity.LOW, message + " (in test code)"
        findings.append(PF101.finding(message, loc, severity=severity, snippet=snippet,
                                      evidence=snippet.strip(), related=related))

    # 1. config classes named like production/default/base that end up with DEBUG on
    inherited_from: Dict[str, bool] = {}
    for s in summaries:
        for cls in s.classes.values():
            kind = classify_config_class(cls.name, class_module(cls.qualname, cls.name))
            if kind == "dev" or not _config_like(cls, s, loaded, index):
                continue
            found = index.class_attr(cls, "DEBUG", s.path)
            if not found or not _debug_on(found[0]):
                continue
            fact, owner = found
            if owner is cls:
                if kind == "neutral":
                    continue
                if cls.qualname not in loaded and overridden_base(cls, index, summaries, loaded):
                    continue  # every subclass sets DEBUG itself and nothing loads the base (baseconfig.py)
                sev = Severity.HIGH if kind == "prod" or cls.qualname in loaded else Severity.MEDIUM
                if kind == "base":
                    # a base that production-like subclasses inherit from is as bad as a production config
                    sev = Severity.HIGH if cls.qualname in loaded else sev
                label = {"prod": "a production/default config", "base": "a base config every subclass inherits"}[kind]
                emit(fact.location, fact.snippet,
                     f"Debug mode is enabled in config class `{cls.name}`, {label}: DEBUG = {fact.value!r}.",
                     sev, in_test=s.is_test)
            elif kind in ("prod", "neutral") and (kind == "prod" or cls.qualname in loaded):
                emit(cls.location, cls.snippet,
                     f"Config class `{cls.name}` inherits DEBUG = {fact.value!r} from `{owner.name}` "
                     f"({_where(fact)}), so this {'production ' if kind == 'prod' else ''}config runs in debug mode.",
                     Severity.HIGH, related=(fact.location,), in_test=s.is_test)
                inherited_from[owner.qualname] = True

    # 2. deferred loaders and sinks
    bare = default_callers(index, [d for a in analyses for d in a.deferred if d.path not in test_paths])
    for a in analyses:
        for d in a.deferred:
            if d.kind == "load-object":
                d = _with_default_callers(d, bare)
                kind, obj = index.resolve(d.ref, d.path)
                if kind == "class":
                    ck = classify_config_class(obj.name, class_module(obj.qualname, obj.name))
                    found = index.class_attr(obj, "DEBUG", d.path)
                    if ck in ("prod", "base") or not found or not _debug_on(found[0]):
                        continue
                    fact, owner = found
                    if ck == "neutral" and owner is not obj and classify_config_class(owner.name, class_module(owner.qualname, owner.name)) != "dev":
                        continue  # reported at the class above
                    src = f" (inherited from `{owner.name}`)" if owner is not obj else ""
                    findings.append(PF101.finding(
                        f"Debug mode is enabled: `from_object` loads `{obj.name}`, which sets DEBUG = "
                        f"{fact.value!r}{src} at {_where(fact)}, {d.context}.",
                        d.location, severity=d.severity, snippet=d.snippet, evidence=d.snippet.strip(),
                        related=(fact.location,)))
                elif kind == "module":
                    _module_loader(obj, d, findings)
            elif d.kind == "load-pyfile":
                target = _pyfile_path(d.path, d.ref)
                mod = index.by_path.get(target)
                if mod is not None:
                    _module_loader(mod, d, findings)
            elif d.kind == "debugger-gate":
                _debugger_gate(index, d, d.path in test_paths, findings)
            elif d.kind == "sink":
                kind, obj = index.resolve(d.ref, d.path)
                if kind == "fact" and _debug_on(obj):
                    findings.append(PF101.finding(
                        f"Debug mode is enabled: {d.context}, with a value imported from {_where(obj)} "
                        f"({obj.name} = {obj.value!r}).", d.location, severity=d.severity, snippet=d.snippet,
                        evidence=d.snippet.strip(), related=(obj.location,)))

    # 3. signing keys made by a random helper another module defines (PF203); CSRF hooks gated on a setting
    #    another module reads from the environment (PF211)
    findings += resolve_random_helpers(analyses, index)
    findings += resolve_csrf_gates(analyses, index)

    # 3b. config values passed to a factory that applies them (create_app(DEBUG=True), create_app("config.Dev"))
    def class_debug(ref: str, importer: str) -> Optional[Fact]:
        kind, obj = index.resolve(ref, importer)
        if kind == "class":
            found = index.class_attr(obj, "DEBUG", importer)
            return found[0] if found and _debug_on(found[0]) else None
        if kind == "module":
            fact = obj.constants.get("DEBUG")
            return fact if fact is not None and _debug_on(fact) else None
        return None

    resolve_factory_calls(index, [d for a in analyses for d in a.deferred], findings, class_debug)
    resolve_imported_mappings(index, [d for a in analyses for d in a.deferred], findings)

    # 4. the fallback entry of a name -> config class mapping, when some code of the project names "default"
    #    (a `mapping[name]` lookup never falls back to it by itself)
    default_named = any(getattr(o, "names_default", True) for o in summaries if not o.is_test) \
        or any(text_names_default(p) for p in others if not is_test_path(p))
    for s in summaries:
        for key, qual, loc, snippet, mapping in s.config_dicts if default_named else ():
            if mapping in s.unused_dicts and not used_elsewhere(
                    s.module_name, s.unused_dicts[mapping], (o.referenced for o in summaries if o is not s)):
                continue  # neither this module's running code nor another module looks a name up in it
            kind, obj = index.resolve(qual, s.path)
            if kind != "class" or classify_config_class(obj.name, class_module(obj.qualname, obj.name)) in ("prod", "base"):
                continue
            found = index.class_attr(obj, "DEBUG", s.path)
            if found and _debug_on(found[0]):
                emit(loc, snippet,
                     f"The fallback config {key!r} maps to `{obj.name}`, which sets DEBUG = {found[0].value!r} "
                     f"({_where(found[0])}): an app created without an explicit config name runs in debug mode.",
                     Severity.MEDIUM, related=(found[0].location,), in_test=s.is_test)

    # 5. literal keys whose start-up guard calls another module's function: refused when that one always exits
    findings += _resolve_refused_starts(analyses, index)
    # 6. view findings that depend on other modules (guards registered elsewhere, project exception classes)
    from flask_preflight.static.python.views.project import resolve_pending
    findings += resolve_pending(analyses, index, reads)
    return findings


def _resolve_refused_starts(analyses: List[FileAnalysis], index: ProjectIndex) -> List[Finding]:
    """PF201/PF202 findings (``startguards``) that stand unless a guard's imported function always exits
    (``from app import fatal_error`` ... ``if key == "CHANGE ME": fatal_error(...)``). They are taken out of
    ``pending`` here, so the view resolver never sees them."""
    out: List[Finding] = []
    for a in analyses:
        mine = [p for p in a.pending if p.unless == PENDING_KIND]
        if not mine:
            continue
        a.pending = [p for p in a.pending if p.unless != PENDING_KIND]
        for p in mine:
            if not any(_exits(ref, a.path, index) for ref in p.refs):
                out.append(p.finding)
    return out


def _exits(ref: str, importer: str, index: ProjectIndex) -> bool:
    owner, _, func = ref.rpartition(".")
    mod = index.find_module(owner, importer) if owner else None
    if mod is None:
        return False
    if func in (getattr(mod, "exiting_functions", None) or set()):  # summaries cached before the field existed
        return True
    target = mod.reexports.get(func)
    if not target or target == ref:
        return False
    t_owner, _, t_func = target.rpartition(".")
    t_mod = index.find_module(t_owner, mod.path) if t_owner else None
    return t_mod is not None and t_func in (getattr(t_mod, "exiting_functions", None) or set())


def _pyfile_path(loader: str, ref: str) -> str:
    """Where Flask looks: next to the app's module (root_path), or in the instance folder beside it/its package."""
    here = os.path.dirname(loader)
    if ref.startswith(INSTANCE_PREFIX):
        base = os.path.dirname(here) if os.path.basename(loader) == "__init__.py" else here
        return os.path.normpath(os.path.join(base, "instance", ref[len(INSTANCE_PREFIX):]))
    return os.path.normpath(os.path.join(here, ref))


def _module_loader(mod: ModuleSummary, d: Deferred, findings: List[Finding]) -> None:
    fact = mod.constants.get("DEBUG")
    if fact is None or not _debug_on(fact):
        return
    findings.append(PF101.finding(
        f"Debug mode is enabled: the config loaded from `{mod.path}` sets DEBUG = {fact.value!r} "
        f"({_where(fact)}), {d.context}.", d.location, severity=d.severity, snippet=d.snippet,
        evidence=d.snippet.strip(), related=(fact.location,)))


def _with_default_callers(d: Deferred, bare: Dict[Tuple[str, str], Deferred]) -> Deferred:
    """A loader whose argument is a parameter's default is medium (debug.py) until some production module
    calls the factory with no argument at import time: then that default is what gets served."""
    for _, fn, param in (v for v in d.values if v[0] == "default"):
        caller = bare.get((d.path, fn))
        if caller is not None and caller.reach == "import" and d.severity == Severity.MEDIUM:
            where = f"{caller.location.path}:{caller.location.line}"
            return dataclasses.replace(d, severity=Severity.HIGH,
                                       context=f"{d.context}, as {where} does at import time")
    return d


def _debugger_gate(index: ProjectIndex, d: Deferred, in_test: bool, findings: List[Finding]) -> None:
    """``if app.debug: DebuggedApplication(..., evalex=True)`` in a module that loads config objects: a loaded
    class with DEBUG True makes it critical; when every loaded class sets DEBUG to a constant False, debug
    mode can never be on (from_object overrides what FLASK_DEBUG gave) and there is nothing to report."""
    facts: List[Optional[Fact]] = []
    for ref in d.ref.split("|"):
        kind, obj = index.resolve(ref, d.path) if ref != "?" else ("none", None)
        if kind == "class":
            found = index.class_attr(obj, "DEBUG", d.path)
            facts.append(found[0] if found else None)
        elif kind == "module":
            facts.append(obj.constants.get("DEBUG"))
        else:
            facts.append(Fact("DEBUG", None, False, False, d.location, ""))  # unknown: keep the local grade
    on = next((f for f in facts if f is not None and _debug_on(f)), None)
    severity, message, related = d.severity, d.context, ()  # type: Tuple[Severity, str, Tuple[Location, ...]]
    if on is not None:
        severity = Severity.CRITICAL
        message = (d.context.split(";")[0] + f"; the config loaded here sets DEBUG = {on.value!r} ({_where(on)}), "
                   "so the debugger is on whenever the app is created.")
        related = (on.location,)
    elif facts and all(f is not None and f.known and not f.env_driven and f.value in (False, 0, None)
                       for f in facts):
        return
    else:
        env = next((f for f in facts if f is not None and f.env_driven), None)
        if env is not None and severity != Severity.LOW:
            severity = Severity.HIGH
            message = (d.context.split(";")[0] + f"; the config loaded here reads DEBUG from the environment "
                       f"({_where(env)}), so a deployment that sets that variable starts the debugger.")
            related = (env.location,)
    if in_test:
        severity, message = Severity.LOW, message + " (in test code)"
    findings.append(PF104.finding(message, d.location, severity=severity, snippet=d.snippet,
                                  evidence=d.snippet.strip(), related=related))


# ---- for deployment files: debug mode switched by an app-specific variable ---------------------------------
DebugSwitch = Tuple[Tuple[str, ...], Dict[str, bool], Location]


def debug_switches(analyses: List[FileAnalysis]) -> Dict[str, DebugSwitch]:
    """``{module path: (variables, {value: debug on?}, loader location)}`` for modules whose ``from_object``
    makes DEBUG follow a variable other than FLASK_DEBUG: a config class picked by ``os.getenv("DEBUG") ==
    "True"``, or a loaded class with ``DEBUG = os.getenv("DEBUG") == "True"``. Deployment files that set the
    variable (Dockerfile ENV, compose environment, a committed .env) decide debug mode through it."""
    summaries = [a.summary for a in analyses if a.summary is not None]
    index = ProjectIndex(summaries)
    tests = {s.path for s in summaries if s.is_test}
    out: Dict[str, DebugSwitch] = {}
    for a in analyses:
        for d in a.deferred:
            if d.kind != "load-object" or d.path in tests or d.reach == "main":
                continue
            names: Tuple[str, ...] = ()
            table: Dict[str, bool] = {}
            choices = [(v[1], v[2]) for v in d.values if v[0] == "env-choice"]
            if choices:
                names = tuple(n for v in d.values if v[0] == "env-names" for n in v[1].split(","))
                for sample, ref in choices:
                    fact = _loaded_debug(index, ref, d.path)
                    table[sample] = bool(fact is not None and (_debug_on(fact) or dict(fact.env_table).get(sample)))
            else:
                fact = _loaded_debug(index, d.ref, d.path)
                if fact is not None and fact.env_table:
                    names, table = fact.env_names, {k: bool(v) for k, v in fact.env_table}
            if names and any(table.values()):
                out.setdefault(os.path.abspath(d.path), (names, table, d.location))
    return out


def config_debug_vars(analyses: List[FileAnalysis]) -> Dict[str, Tuple[Dict[str, bool], Location]]:
    """``{variable: ({value: DEBUG on?}, where DEBUG reads it)}`` for the app-specific variables that a config
    class of the project turns into DEBUG (``DEBUG = bool_env("DEBUG")``, ``DEBUG = os.getenv("APP_DEBUG") ==
    "1"``), outside test code. A deployment file or committed ``.env`` that sets one of them to a value in the
    table switches debug mode on the way FLASK_DEBUG does. A class attribute is what ``from_object`` copies into
    ``app.config``; a module-level ``DEBUG`` constant is often only an argument some launch passes
    (``socketio.run(app, debug=DEBUG)`` under ``__main__``), which the launch checks judge, so it is left out,
    as are FLASK_DEBUG and FLASK_ENV (judged on their own)."""
    out: Dict[str, Tuple[Dict[str, bool], Location]] = {}
    for a in analyses:
        s = a.summary
        if s is None or s.is_test:
            continue
        for fact in [c.attrs.get("DEBUG") for c in s.classes.values()]:
            if fact is None or len(fact.env_names) != 1 or not fact.env_table:
                continue  # one variable decides; with several, which one wins is not known here
            name = fact.env_names[0]
            if name in ("FLASK_DEBUG", "FLASK_ENV"):
                continue
            table = {k: True for k, v in fact.env_table if v}
            if table and name not in out:
                out[name] = (table, fact.location)
    return out


def _loaded_debug(index: ProjectIndex, ref: str, importer: str) -> Optional[Fact]:
    kind, obj = index.resolve(ref, importer)
    if kind == "class":
        found = index.class_attr(obj, "DEBUG", importer)
        return found[0] if found else None
    if kind == "module":
        return obj.constants.get("DEBUG")
    return None
