"""Per-file analysis context: the parsed model, source lines, emitted findings and deferred questions."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.redact import Redactor
from flask_preflight.rules import Rule
from flask_preflight.static.python.evaluate import Evaluator, truthy
from flask_preflight.static.python.model import ModuleModel, Reach, Site
from flask_preflight.static.segments import ColumnMap, SourceSegments
from flask_preflight.static.testpaths import is_test_path  # noqa: F401 - re-exported for the checks

_DEVISH_RE = re.compile(r"debug|dev|develop|test|local|sandbox|staging_?debug|args\.|options\.|opts\.|argv|environ|getenv|\benv\b",
                        re.IGNORECASE)


@dataclass
class Fact:
    """A configuration value found in source: what it evaluates to with no environment set, and where."""

    name: str
    value: Any  # python constant, or ("ref", qualname), or None when unknown
    known: bool
    env_driven: bool
    location: Location
    snippet: str
    # an env-driven value: the variables it reads and whether it is true when they are set to common values
    env_names: Tuple[str, ...] = ()
    env_table: Tuple[Tuple[str, Optional[bool]], ...] = ()


@dataclass
class ClassSummary:
    name: str
    qualname: str
    location: Location
    snippet: str
    bases: List[str]  # qualified names of bases (resolved through imports)
    attrs: Dict[str, Fact] = field(default_factory=dict)


@dataclass(frozen=True)
class DevServerRun:
    """A call that starts Werkzeug's development server, as deployment files need to see it.

    ``debug`` is "on", "off", "env" (follows the environment variables in ``debug_env``; ``debug_default`` is
    its value when they are unset) or "" when no debug argument is passed (Flask.run then reads FLASK_DEBUG).
    """

    kind: str  # "app.run()", "socketio.run()", "run_simple()", "Dash.run()" (Flask's app.run underneath)
    reach: str  # Reach value: "import", "main", "function"
    location: Location
    snippet: str
    debug: str
    debug_env: Tuple[str, ...] = ()
    debug_default: bool = False
    debugger: bool = False  # use_debugger=True passed explicitly
    gated: bool = False  # inside a condition other than the __main__ guard that may be false
    unsafe_werkzeug: bool = False  # socketio.run(allow_unsafe_werkzeug=True): Werkzeug even without debug
    debug_for: Tuple[Tuple[str, Optional[bool]], ...] = ()  # env-driven debug: (variable value, debug on?)
    function: str = ""  # the enclosing function (a CLI command such as `def runserver(): app.run()`)
    host: Optional[str] = ""  # the host argument: "" when not passed, None when it cannot be evaluated
    # A call inside a branch one environment variable decides (``if os.getenv("DEBUG") == "1":``): the
    # variable, and whether the branch runs for the values deployment files commonly give it.
    gate_env: str = ""
    gate_for: Tuple[Tuple[str, Optional[bool]], ...] = ()
    host_param: str = ""  # the host argument is this parameter of the enclosing function (a task's --host)
    # gated, but by a condition neither known nor shaped like a development switch (``if ssl_mode:``): a
    # launch reaching the code may take the branch
    gate_open: bool = False
    # the host is ``<app>.config["HOST"]``: the key, and where the argument is (confighost.py resolves it)
    host_key: str = ""
    host_at: Optional[Location] = None


@dataclass
class ViewFacts:
    """What the view rules (PF301, PF310) of other modules need to know about this one.

    A blueprint's ``before_request`` guard is often registered in another module than its routes, and the
    exception class a view catches is defined and raised elsewhere; each file is analysed alone, so these
    facts travel in the summary and are joined in ``views/project.py``.
    """

    guard_hooks: List[Tuple[str, bool]] = field(default_factory=list)  # (receiver's qualified name, app-wide)
    exceptions: Dict[str, str] = field(default_factory=dict)  # class name -> "fixed" | "template" | "args" | "computed"
    # (raised class as named here, written message, no argument carries a caught exception's text)
    raises: List[Tuple[str, bool, bool]] = field(default_factory=list)
    serializers: Set[str] = field(default_factory=set)  # functions returning all of an object's attributes
    # function -> {builtin exception it raises itself: every such raise passes written text} (facts.signals)
    signals: Dict[str, Dict[str, bool]] = field(default_factory=dict)
    # function or "Class.method" -> the key its return puts a caught exception's text under, "" for the value
    leaky: Dict[str, str] = field(default_factory=dict)
    # the same functions -> for every return that carries the text, the keys it sets to a literal
    # (``{"rowcount": -1, "data": f"{e}"}`` -> {"rowcount": -1}): a caller that leaves on those reads no text
    leaky_markers: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)
    celery_tasks: Set[str] = field(default_factory=set)  # functions registered as Celery tasks (callees.celery_tasks)
    creates_app: bool = False  # the module constructs ``Flask(...)``: the scan sees an application
    # dotted names written as string constants (``importlib.import_module("pkg.views")``, ``__all__``,
    # ``import_string``): a module named there may be imported without an import statement
    names: Set[str] = field(default_factory=set)
    # the project functions this module's views, handlers and hooks call (``callees.callee_ref``): a helper of
    # another module that emits to Socket.IO clients answers them only when a view runs it
    view_calls: Set[str] = field(default_factory=set)
    # the project functions this module hands to ``add_url_rule`` (``bp.add_url_rule("/x", "x", views.x)``)
    # that are not defined here: Flask calls them as views wherever they are defined
    registered_views: Set[str] = field(default_factory=set)
    # the project decorators this module puts on its views (``@auth_required(...)``, a resource class's
    # ``method_decorators``): Flask serves the decorator's wrapper in the view's place
    view_decorators: Set[str] = field(default_factory=set)


@dataclass
class Pending:
    """A view finding that stands unless the project says otherwise (``unless``: "guarded" - a guarding hook
    is registered on one of ``refs``, the blueprints/apps the route is registered on, or app-wide; or
    "fixed-message" - every class in ``refs`` is a project exception whose message is fixed text)."""

    finding: Finding
    unless: str
    refs: Tuple[str, ...] = ()
    # the module whose blueprint the view is on: withdrawn when no production module imports it (unserved)
    unserved: str = ""
    # "template|key" entries: the exception text reaches the response only as these render_template keywords,
    # so the finding is withdrawn when no file of those templates names its key (views/templates.py)
    templates: Tuple[str, ...] = ()
    # a module function (not itself a view) whose Socket.IO emit this is: stands only if some view calls it
    called_by_view: str = ""
    # a module function no decorator of its module routes: stands only if another module registers it with
    # ``add_url_rule`` (ViewFacts.registered_views)
    registered_as: str = ""
    # a top-level decorator whose wrapper this finding is in: stands only if some production module puts it
    # on a view (ViewFacts.view_decorators)
    decorates: str = ""


@dataclass
class ModuleSummary:
    path: str
    module_name: str
    is_test: bool
    classes: Dict[str, ClassSummary] = field(default_factory=dict)
    constants: Dict[str, Fact] = field(default_factory=dict)
    # (key, class qualname, loc, snippet, mapping name) of the "default" entries of name -> config class mappings
    config_dicts: List[Tuple[str, str, Location, str, str]] = field(default_factory=list)
    # mapping name -> the names through which only another module could use it (mappinguse.readers); a
    # mapping that code of its own module uses is not listed
    unused_dicts: Dict[str, List[str]] = field(default_factory=dict)
    referenced: Set[str] = field(default_factory=set)  # qualified names this module refers to (mappinguse)
    # the string "default" appears as a value (not a mapping key): `create_app(os.getenv("CFG") or "default")`,
    # `config["default"]`, `getenv("CFG", "default")` - the only ways a lookup reaches a mapping's "default"
    names_default: bool = True
    dicts: Dict[str, Dict[str, str]] = field(default_factory=dict)  # NAME -> {key: qualname of the value}
    reexports: Dict[str, str] = field(default_factory=dict)  # local name -> qualified import target
    dev_servers: List[DevServerRun] = field(default_factory=list)
    # top-level functions with a debug finding that no running code of this module calls (testonly.py)
    idle_functions: Dict[str, Tuple[int, int, Tuple[str, ...]]] = field(default_factory=dict)
    random_functions: Set[str] = field(default_factory=set)  # top-level functions returning a random value (PF203)
    random_constants: Set[str] = field(default_factory=set)  # module-level names bound to a random value (PF203)
    exiting_functions: Set[str] = field(default_factory=set)  # top-level functions that always exit (startguards)
    config_selectors: Dict[str, str] = field(default_factory=dict)  # function -> config class it returns (configpick)
    env_flags: Dict[str, Optional[bool]] = field(default_factory=dict)  # env switches' truth when unset (PF211)
    csrf_gates: Dict[str, str] = field(default_factory=dict)  # decorator -> the token it requires (PF211)
    csrf_resources: Dict[str, str] = field(default_factory=dict)  # resource class -> what it relies on (PF211)
    # credentials the browser sends by itself that this module uses (the session, a login, basic auth): an
    # exempt view can only be forged to act as the victim in a project where some module has one (PF211)
    csrf_ambient: List[str] = field(default_factory=list)
    view_facts: Optional[ViewFacts] = None
    # function -> what it does with its parameters: [(how, param, position, loader location)] (factories.py)
    factories: Dict[str, List[Tuple[str, str, int, Location]]] = field(default_factory=dict)
    # dict name -> {signing key: (weakness, location, redacted snippet)} for literal keys (factories.py)
    secret_dicts: Dict[str, Dict[str, Tuple[str, Location, str]]] = field(default_factory=dict)
    # Entry-point linkage for deployment files: every module the file imports (at any depth, dotted and
    # absolute: ``import a.b`` -> "a.b"), and the imported functions it calls when run as a script
    # (``from pkg.cli import main`` ... ``main()`` under the ``__main__`` guard -> "pkg.cli.main").
    imported: List[str] = field(default_factory=list)
    main_calls: List[str] = field(default_factory=list)
    # host-like config keys the module sets at import: KEY -> (value unset, where, variables) (confighost.py)
    config_hosts: Dict[str, Tuple[str, Location, Tuple[str, ...]]] = field(default_factory=dict)


@dataclass
class Deferred:
    """A question only the whole project can answer, e.g. "what does the class this from_object loads set?"."""

    kind: str  # "load-object" | "load-pyfile" | "sink"
    ref: str
    rule_id: str
    location: Location
    snippet: str
    severity: Severity
    context: str  # text appended to the message ("unconditionally", "when APP_SETTINGS is unset", ...)
    reach: str
    path: str
    values: Tuple[Tuple[str, str, str], ...] = ()  # "factory-call": the config-looking arguments (factories.py)


@dataclass
class FileAnalysis:
    path: str
    findings: List[Finding] = field(default_factory=list)
    summary: Optional[ModuleSummary] = None
    deferred: List[Deferred] = field(default_factory=list)
    pending: List[Pending] = field(default_factory=list)  # view findings the whole project decides on


class Gate:
    """Whether a site runs when the environment is empty."""

    def __init__(self, reached: Optional[bool], devish: bool, env_names: List[str], text: str) -> None:
        self.reached = reached  # True, False, or None (unknown)
        self.devish = devish  # the unknown condition looks like a debug/dev/test switch
        self.env_names = env_names
        self.text = text

    @property
    def skip(self) -> bool:
        return self.reached is False or (self.reached is None and self.devish)

    @property
    def conditional_unknown(self) -> bool:
        return self.reached is None

    def describe(self) -> str:
        return f"`if {self.text}`" if self.text else "a conditional block (an `except` handler or a loop)"


class Context:
    def __init__(self, model: ModuleModel, text: str, path: str, *, is_test: Optional[bool] = None) -> None:
        self.model = model
        self.path = path
        self.text = text
        self.lines = text.split("\n")
        self.columns = ColumnMap(self.lines)
        self._segments: Optional[SourceSegments] = None
        self.is_test = is_test_path(path) if is_test is None else is_test
        self.result = FileAnalysis(path)
        self._seen: set = set()
        self.dev_servers: List[DevServerRun] = []
        self.view_facts: Optional[ViewFacts] = None
        self.redactor = Redactor()  # the secret values this file holds; see redact_findings

    def add_secret(self, value: Any, node: ast.AST, env_names: Tuple[str, ...] = ()) -> None:
        """Remember a secret value and how its string literals are written in ``node`` (quotes, escapes and
        implicit concatenation included), so no finding of this file shows it."""
        if isinstance(value, (str, bytes)):
            self.redactor.add(value)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, (str, bytes)) and sub.value \
                    and sub.value not in env_names:
                self.redactor.add(sub.value)
                for piece in self._source_lines(sub):
                    self.redactor.add_source(piece)
                    self.redactor.add_source(piece.strip())  # messages quote source with its indent collapsed

    def _source_lines(self, node: ast.AST) -> List[str]:
        """The text of ``node`` on each of its lines (columns are UTF-8 byte offsets)."""
        first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
        if not 1 <= first <= last <= len(self.lines):
            return []
        pieces = []
        for n in range(first, last + 1):
            raw = self.lines[n - 1].encode("utf-8", "surrogatepass")
            start = getattr(node, "col_offset", 0) if n == first else 0
            end = getattr(node, "end_col_offset", None) if n == last else None
            pieces.append(raw[start:end].decode("utf-8", "replace"))
        return pieces

    def redact_findings(self) -> None:
        """Hide the file's secret values in every finding and deferred snippet it produced, whatever the rule:
        a PF101 on ``app.config.update(DEBUG=True, SECRET_KEY="...")`` quotes the same line as the PF201."""
        if not self.redactor:
            return
        self.result.findings = [self.redactor.finding(f) for f in self.result.findings]
        for pending in self.result.pending:
            pending.finding = self.redactor.finding(pending.finding)
        for d in self.result.deferred:
            d.snippet = self.redactor.text(d.snippet)

    # locations --------------------------------------------------------------------------------
    def _col(self, line: int, byte_col: int) -> int:
        return self.columns.char_column(line, byte_col) + 1

    def segment(self, node: ast.AST) -> Optional[str]:
        """``ast.get_source_segment(self.text, node)``, from lines split once per file (linear in findings)."""
        if self._segments is None:
            self._segments = SourceSegments(self.text)
        return self._segments.segment(node)

    def location(self, node: ast.AST) -> Location:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self._col(line, getattr(node, "col_offset", 0))
        end_col_b = getattr(node, "end_col_offset", None)
        end_col = self._col(end_line, end_col_b) if end_col_b is not None else col
        return Location(self.path, line, col, end_line, end_col)

    def snippet(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 1)
        end = min(getattr(node, "end_lineno", None) or line, line + 9)
        return "\n".join(self.lines[line - 1:end])

    # gating ------------------------------------------------------------------------------------
    def gate(self, site: Site) -> Gate:
        reached: Optional[bool] = True
        devish = False
        names: List[str] = []
        texts: List[str] = []
        for test, polarity in site.conditions:
            if test is None:
                reached = None if reached is not False else False
                continue
            ev = Evaluator(self.model, None)
            t = truthy(ev.eval(test, site.scope, test.lineno))
            if t is not None and self._path_dependent(test, site):
                t = None
            for n in ev.trace.env_names:
                if n not in names:
                    names.append(n)
            src = self.segment(test) or ""
            texts.append(src if polarity else f"not ({src})")
            if t is None:
                if reached is True:
                    reached = None
                # `if app.debug:` / `if env == "dev":` gate a dev-only branch; `if not app.testing:` or
                # `if "pytest" not in sys.modules:` is the branch production takes.
                if _DEVISH_RE.search(src) and not _negated(test, polarity):
                    devish = True
            elif t != polarity:
                reached = False
        return Gate(reached, devish, names, " and ".join(texts))

    def _path_dependent(self, test: ast.expr, site: Site) -> bool:
        """Whether ``test`` reads a variable whose value depends on the path taken: the nearest assignment
        that runs whenever ``site`` does (``batch_mode = False``) gives it one truth value, and the later one
        the lookup sees runs only on some paths (``if "-b" in argv: batch_mode = True``) and gives the other.
        Such a branch cannot be decided statically."""
        enclosing = tuple(id(c[0]) for c in site.conditions)
        for node in ast.walk(test):
            if not isinstance(node, ast.Name):
                continue
            seen = truthy(Evaluator(self.model, None).eval(node, site.scope, node.lineno))
            binding, scope = self.model.lookup(node.id, site.scope, test.lineno)
            for _ in range(8):
                if binding is None or binding.kind != "assign" or binding.value is None:
                    break
                if tuple(id(c[0]) for c in binding.conditions) == enclosing[:len(binding.conditions)]:
                    base = truthy(Evaluator(self.model, None).eval(binding.value, scope, binding.line))
                    if base is not None and seen is not None and base != seen:
                        return True
                    break
                binding, found = self.model.lookup(node.id, scope, binding.line)
                if found is not scope:
                    break
        return False

    # emitting ----------------------------------------------------------------------------------
    def emit(self, rule: Rule, node: ast.AST, message: str, severity: Severity, *, fix_hint: Optional[str] = None,
             evidence: str = "", related: Tuple[Location, ...] = ()) -> None:
        loc = self.location(node)
        key = (rule.id, loc.line, loc.column)
        if key in self._seen:
            return
        self._seen.add(key)
        if self.is_test:
            severity = Severity.LOW
            message += " (in test code)"
        self.result.findings.append(rule.finding(message, loc, severity=severity, snippet=self.snippet(node),
                                                 evidence=evidence or self.snippet(node).strip(),
                                                 fix_hint=fix_hint, related=related))

    def defer(self, kind: str, ref: str, rule: Rule, node: ast.AST, severity: Severity, context: str, site: Site) -> None:
        self.result.deferred.append(Deferred(kind, ref, rule.id, self.location(node), self.snippet(node),
                                             Severity.LOW if self.is_test else severity, context, site.reach.value,
                                             self.path))


def linked_modules(module: ModuleSummary, lookup: Callable[[str, str], Optional[ModuleSummary]],
                   depth: int = 3) -> List[ModuleSummary]:
    """``module`` and the project modules it imports names from, ``depth`` levels deep (``from config import
    app``; the factory package an app module imports). ``lookup(dotted, importer_path)`` finds a module the
    way the caller's index does; a name that is not a module is tried as an attribute of its parent."""
    out, queue, seen = [], [(module, 0)], {module.path}
    while queue:
        current, level = queue.pop(0)
        out.append(current)
        if level >= depth:
            continue
        for target in set(current.reexports.values()):
            parts = target.split(".")
            for cut in (len(parts), len(parts) - 1):
                found = lookup(".".join(parts[:cut]), current.path) if cut > 0 else None
                if found is not None and found.path not in seen:
                    seen.add(found.path)
                    queue.append((found, level + 1))
                    break
    return out


def unset_phrase(names: List[str]) -> str:
    """``"FLASK_DEBUG is unset"``: how messages name the environment a default applies in."""
    shown = [n for n in names if n and n != "?"]
    if not shown:
        return "the environment variable is unset"
    return " and ".join(shown) + (" is unset" if len(shown) == 1 else " are unset")


def _negated(test: ast.expr, polarity: bool) -> bool:
    negated = not polarity
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        negated = not negated
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.NotEq, ast.NotIn, ast.IsNot)):
        negated = not negated
    return negated


def reach_phrase(site: Site) -> str:
    if site.reach == Reach.MAIN:
        return 'only when the file is run as a script (`python file.py`)'
    if site.reach == Reach.FUNCTION:
        fn = site.function or "its function"
        return f"whenever `{fn}()` is called"
    return "whenever the module is imported, including by gunicorn or `flask run`"
