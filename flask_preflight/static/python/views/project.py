"""The view findings only the whole project can decide (``Pending``), decided from every module's ``ViewFacts``.

* PF310 ("guarded"): withdrawn when a guarding ``before_request`` hook is registered, in any module, on the
  blueprint or app the route is registered on (names resolved through imports and re-exports), or when an
  app-wide guard (``app.before_request``, ``bp.before_app_request``) sits in the same package or above it.
* PF301 ("no-serializer"): an exception passed to an imported function is reported only when that function
  returns all of its argument's attributes (``vars(obj)``, an encoder whose ``default`` returns ``o.__dict__``).
* PF301 ("fixed-message"): withdrawn when every caught class is a project exception whose message is fixed
  text - its ``__init__``/``__str__`` supplies a literal, or every ``raise`` of it and of its project
  subclasses passes only literals, or its ``__init__`` writes a sentence around its parameters and no
  ``raise`` passes a caught exception's text. A class the project does not define (a library's) keeps the finding.
* PF301 (``templates``): withdrawn when the exception text reaches the response only as ``render_template``
  keywords that no file of those templates names (``views/templates.py``).
* PF301 (``called_by_view``): an emit of a module function that is no view stands only when a view of the
  project calls that function.
* PF301 (``registered_as``): a finding in a module function no decorator of its module routes stands only
  when another production module hands that function to ``add_url_rule``.
* PF301 (``decorates``): a finding in a decorator's wrapper stands only when a production module puts that
  decorator on a view.
* PF301 ("no-leaky-callee"): a key read (``ref[key]<exits>``) after the view's early exits on the result is
  cleared when every return of the function that carries the text sets a literal those exits leave on.
* PF301 (``unserved``): withdrawn when the view's module only puts routes on its own blueprint and no
  production module imports it or names it in a string, while the scan holds the application (``served.py``).
"""

from __future__ import annotations

import builtins
import os
from typing import Dict, List, Optional, Set, Tuple

from flask_preflight.findings import Finding
from flask_preflight.static.python.context import ClassSummary, FileAnalysis, ModuleSummary
from flask_preflight.static.python.project import ProjectIndex
from flask_preflight.static.python.views.callees import exits_on
from flask_preflight.static.python.views.leaks import CELERY_RESULT
from flask_preflight.static.python.views.templates import CONTEXT_READERS, TemplateNames


def resolve_pending(analyses: List[FileAnalysis], index: ProjectIndex,
                    reads: Optional[Dict[str, str]] = None) -> List[Finding]:
    """The pending view findings that stand; ``reads`` collects the template files consulted (path -> digest)."""
    pending = [(a, p) for a in analyses for p in a.pending]
    if not pending:
        return []
    summaries = [a.summary for a in analyses if a.summary is not None]
    resolver = _Resolver(summaries, index)
    templates = TemplateNames({os.path.dirname(os.path.abspath(s.path)) for s in summaries if not s.is_test}, reads,
                              any(i.startswith(CONTEXT_READERS) for s in summaries for i in s.imported))
    out: List[Finding] = []
    for analysis, p in pending:
        if p.unserved and resolver.unserved(p.unserved, analysis.path):
            continue
        if p.templates and not any(templates.may_show(*t.rsplit("|", 1)) for t in p.templates):
            continue
        if p.called_by_view and not resolver.view_calls(p.called_by_view, analysis.path):
            continue
        if p.registered_as and not resolver.view_calls(p.registered_as, analysis.path, "registered_views"):
            continue
        if p.decorates and not resolver.view_calls(p.decorates, analysis.path, "view_decorators"):
            continue
        if p.unless == "guarded" and resolver.guarded(p.refs, analysis.path):
            continue
        if p.unless == "fixed-message" and resolver.all_fixed(p.refs, analysis.path):
            continue
        if p.unless == "no-serializer" and not resolver.any_serializer(p.refs, analysis.path):
            continue
        if p.unless == "literal-signals" and resolver.all_signal_literally(p.refs, analysis.path):
            continue
        if p.unless == "no-leaky-callee" and not resolver.any_leaky(p.refs, analysis.path):
            continue
        out.append(p.finding)
    return out


class _Resolver:
    def __init__(self, summaries: List[ModuleSummary], index: ProjectIndex) -> None:
        self.index = index
        self.summaries = [s for s in summaries if s.view_facts is not None]
        self._guards: Optional[Tuple[Set[str], List[ModuleSummary]]] = None
        self._classes: Optional[Dict[str, Tuple[ClassSummary, ModuleSummary]]] = None
        self._raises: Dict[str, List[Tuple[bool, bool]]] = {}  # class -> [(written message, no exception text)]
        self._children: Dict[str, List[str]] = {}  # class qualname -> project classes deriving from it
        self._fixed: Dict[str, bool] = {}

    # ---- names ----------------------------------------------------------------------------------
    def canonical(self, ref: str, importer: str) -> str:
        """``pkg.bp`` re-exported from ``pkg/__init__.py`` is ``pkg.views.bp``: follow re-exports to the
        module that defines the name."""
        for _ in range(8):
            owner, _, name = ref.rpartition(".")
            mod = self.index.find_module(owner, importer) if owner else None
            if mod is None:
                return ref
            target = mod.reexports.get(name)
            if not target or target == ref:
                return f"{mod.module_name}.{name}"
            ref, importer = target, mod.path
        return ref

    # ---- helpers views call ------------------------------------------------------------------------
    def view_calls(self, function: str, path: str, fact: str = "view_calls") -> bool:
        """Some view, handler or hook of a production module calls ``function`` of the module at ``path``
        (by a name bound in its own module, or imported); with ``fact`` "registered_views", some production
        module hands it to ``add_url_rule``, which makes it a view; with "view_decorators", some production
        module decorates a view with it."""
        where = os.path.normpath(path)
        for s in self.summaries:
            if s.is_test:
                continue
            for ref in getattr(s.view_facts, fact):
                owner, _, name = ref.rpartition(".")
                if name != function or not owner:
                    continue
                mod = self.index.find_module(owner, s.path)
                if mod is not None and os.path.normpath(mod.path) == where:
                    return True
        return False

    # ---- served modules (views/served.py) -----------------------------------------------------------
    def unserved(self, module: str, path: str) -> bool:
        """No production module imports ``module`` (or a submodule of it), names it in a string, or wildcard-
        imports it through its package's ``__all__`` (a string there), while some module builds the application: its blueprint is never registered."""
        production = [s for s in self.summaries if not s.is_test]
        if not any(s.view_facts.creates_app for s in production):  # type: ignore[union-attr]
            return False  # the application is outside the scan: it may import this module
        stem = module.rpartition(".")[2]
        for s in production:
            if os.path.normpath(s.path) == os.path.normpath(path):
                continue
            # by its last name in any import: a directory without ``__init__.py`` or a ``sys.path`` entry
            # gives the importer a different dotted name than the module's own (``api.views`` / ``views``)
            if any(stem in i.split(".") for i in s.imported):
                return False
            names = s.view_facts.names  # type: ignore[union-attr]
            if module in names or stem in names or any(n.startswith(module + ".") for n in names):
                return False
        return True

    # ---- PF310 ----------------------------------------------------------------------------------
    def guarded(self, refs: Tuple[str, ...], path: str) -> bool:
        if self._guards is None:
            receivers: Set[str] = set()
            app_wide: List[ModuleSummary] = []
            for s in self.summaries:
                if s.is_test:
                    continue
                for receiver, wide in s.view_facts.guard_hooks:  # type: ignore[union-attr]
                    if wide:
                        app_wide.append(s)
                    elif receiver:
                        receivers.add(self.canonical(receiver, s.path))
            self._guards = (receivers, app_wide)
        receivers, app_wide = self._guards
        for ref in refs:
            name = self.canonical(ref, path)
            if name in receivers or any(_reexported(name, r) or _reexported(r, name) for r in receivers):
                return True
        view = self.index.by_path.get(os.path.normpath(path))
        return any(_same_app(hook, view, path) for hook in app_wide)

    # ---- PF301 ----------------------------------------------------------------------------------
    def any_serializer(self, refs: Tuple[str, ...], path: str) -> bool:
        """One of the imported functions returns all of its argument's attributes (``facts.serializers``)."""
        for ref in refs:
            owner, _, name = self.canonical(ref, path).rpartition(".")
            mod = self.index.find_module(owner, path) if owner else None
            if mod is not None and mod.view_facts is not None and name in mod.view_facts.serializers:
                return True
        return False

    def any_leaky(self, refs: Tuple[str, ...], path: str) -> bool:
        """One of the called functions (``pkg.model.f`` or ``pkg.model.Class.method``) returns a caught
        exception's text (``callees.leaky_functions``) where the view reads it: ``ref[key]`` reads the key
        the text is returned under; ``ref{keys}`` uses the whole value, which carries the text unless the
        view tests for that key (then this use is its success path)."""
        for ref in refs:
            if ref == CELERY_RESULT:  # AsyncResult(id) fetches any task's result: one that returns the text
                if any(name in s.view_facts.celery_tasks for s in self.summaries if not s.is_test  # type: ignore
                       for name in s.view_facts.leaky):  # type: ignore[union-attr]
                    return True
                continue
            key: Optional[str] = None
            tested: Set[str] = set()
            exits: List[str] = []
            if ref.endswith(">"):  # "ref[key]<spec;spec>": the view leaves early on these tests of the result
                ref, _, specs = ref[:-1].partition("<")
                exits = specs.split(";")
            if ref.endswith("]"):
                ref, _, key = ref[:-1].partition("[")
            elif ref.endswith("}"):
                ref, _, keys = ref[:-1].partition("{")
                tested = set(keys.split(",")) - {""}
            owner, _, name = ref.rpartition(".")
            mod = self.index.find_module(self.canonical(owner, path), path) if owner else None
            if mod is None:
                owner = self.canonical(owner, path)  # a class, perhaps re-exported: pkg.model.Cls
                mod_name, _, cls = owner.rpartition(".")
                mod = self.index.find_module(mod_name, path) if mod_name else None
                name = f"{cls}.{name}"
            if mod is None or mod.is_test or mod.view_facts is None or name not in mod.view_facts.leaky:
                continue
            returned_under = mod.view_facts.leaky[name]
            marks = mod.view_facts.leaky_markers.get(name, [{}])
            if exits and all(any(exits_on(e, m) for e in exits) for m in marks):
                continue  # every return that carries the text makes the view leave before this read
            if key is not None and returned_under == key:
                return True
            if key is None and (not returned_under or returned_under not in tested):
                return True
        return False

    def all_signal_literally(self, refs: Tuple[str, ...], path: str) -> bool:
        """Each "module.function|ValueError,..." is a project function that raises a caught class itself and
        every such ``raise`` passes text it wrote (no bare re-raise): the message is the function's own."""
        return bool(refs) and all(self._signals_literally(r, path) for r in refs)

    def _signals_literally(self, ref: str, path: str) -> bool:
        func, _, caught = ref.partition("|")
        owner, _, name = self.canonical(func, path).rpartition(".")
        mod = self.index.find_module(owner, path) if owner else None
        if mod is None or mod.is_test or mod.view_facts is None:
            return False
        raised = mod.view_facts.signals.get(name, {})
        if raised.get("*") is False:
            return False
        catches = [getattr(builtins, c) for c in caught.split(",") if isinstance(getattr(builtins, c, None), type)]
        relevant = [r for r in raised if r != "*" and isinstance(getattr(builtins, r, None), type)
                    and issubclass(getattr(builtins, r), tuple(catches))]
        return bool(relevant) and all(raised[r] for r in relevant)

    def all_fixed(self, refs: Tuple[str, ...], path: str) -> bool:
        return bool(refs) and all(self._class_fixed(r, path) for r in refs)

    def _class_fixed(self, ref: str, path: str) -> bool:
        kind, cls = self.index.resolve(ref, path)
        if kind != "class":
            return False  # not a class of this project: a library's exception says what the library says
        if cls.qualname not in self._fixed:
            self._index_classes()
            family = [cls.qualname] + self._subclasses(cls.qualname)
            self._fixed[cls.qualname] = all(self._own_fixed(q) for q in family)
        return self._fixed[cls.qualname]

    def _index_classes(self) -> None:
        if self._classes is not None:
            return
        self._classes = {}
        for s in self.summaries:
            for c in s.classes.values():
                self._classes[c.qualname] = (c, s)
        for q, (c, s) in self._classes.items():
            for base in c.bases:
                parent = self._base_qualname(base, s.path)
                if parent is not None:
                    self._children.setdefault(parent, []).append(q)
        for s in self.summaries:
            if s.is_test:
                continue  # tests raise what they like; production never runs them
            for raised, literal, *rest in s.view_facts.raises:  # type: ignore[union-attr]
                kind, cls = self.index.resolve(raised, s.path)
                if kind == "class":
                    self._raises.setdefault(cls.qualname, []).append((literal, bool(rest) and rest[0]))

    def _subclasses(self, qualname: str) -> List[str]:
        """Project classes deriving from ``qualname`` (``except Base`` catches them too)."""
        out: List[str] = []
        frontier = [qualname]
        while frontier and len(out) < 500:
            for q in self._children.get(frontier.pop(), []):
                if q not in out and q != qualname:
                    out.append(q)
                    frontier.append(q)
        return out

    def _base_qualname(self, base: str, path: str) -> Optional[str]:
        kind, cls = self.index.resolve(base, path)
        return cls.qualname if kind == "class" else None

    def _kind(self, qualname: str, depth: int = 0) -> str:
        """The class's message kind, inherited from the nearest project base that defines one."""
        assert self._classes is not None
        entry = self._classes.get(qualname)
        if entry is None or depth > 8:
            return "args"
        cls, summary = entry
        kind = summary.view_facts.exceptions.get(cls.name, "") if summary.view_facts else ""
        if kind:
            return kind
        for base in cls.bases:
            q = self._base_qualname(base, summary.path)
            if q is not None:
                return self._kind(q, depth + 1)
        return "args"

    def _own_fixed(self, qualname: str) -> bool:
        kind = self._kind(qualname)
        if kind == "fixed":
            return True
        if kind == "computed":
            return False
        if kind == "template":  # the class wrote the sentence: only exception text passed in can leak
            return all(clean for _, clean in self._raises.get(qualname, []))
        return all(literal for literal, _ in self._raises.get(qualname, []))


def _same_app(hook: ModuleSummary, view: Optional[ModuleSummary], path: str) -> bool:
    """An app-wide hook covers the views of its own package and those below its directory (the factory in
    ``pkg/__init__.py`` or ``app.py`` above the blueprints), not another project scanned alongside."""
    here = os.path.dirname(os.path.abspath(path))
    hook_dir = os.path.dirname(os.path.abspath(hook.path))
    if here == hook_dir or here.startswith(hook_dir + os.sep):
        return True
    if view is not None and "." in hook.module_name and "." in view.module_name:
        return hook.module_name.split(".")[0] == view.module_name.split(".")[0]
    return False


def _reexported(imported: str, defined: str) -> bool:
    """``pkg.api.bp`` names ``pkg.api.views.bp`` when ``pkg/api/__init__.py`` re-exports it (an ``__init__.py``
    with no Flask code in it is not parsed, so its re-exports are not in the index): a name imported from a
    package is defined in one of its submodules."""
    owner, _, name = imported.rpartition(".")
    d_owner, _, d_name = defined.rpartition(".")
    return bool(owner) and name == d_name and d_owner.startswith(owner + ".")
