"""PF301, PF310: what views and error handlers send back to clients.

Both rules need the same two things: which functions Flask calls to answer a request (route functions,
class-based view methods, error handlers - found from decorators, ``add_url_rule``, ``add_resource`` and
``register_error_handler`` in the same module), and where a value in a view body comes from. The second is a
deliberately small def-use analysis over one function (``_Flow``): a name at a use resolves to the
assignments that may reach it, stopping at one that dominates the use. That is enough for the shapes real
views have (``msg = str(e); return jsonify(error=msg)``) without pretending to be a taint engine.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple, Union

from flask_preflight.findings import Severity
from flask_preflight.rules.errors import PF301, PF310
from flask_preflight.static.python.context import Context
from flask_preflight.static.python.evaluate import Evaluator
from flask_preflight.static.python.flaskapi import (config_receiver, is_flask_app, module_imports_flask,
                                                    module_imports_non_flask_framework)
from flask_preflight.static.python.model import Scope, Site
from flask_preflight.static.python.astutil import child_nodes, walk as walk_nodes

FuncDef = Union[ast.FunctionDef, ast.AsyncFunctionDef]

ROUTE_DECORATORS = {"route", "get", "post", "put", "delete", "patch"}
HANDLER_DECORATORS = {"errorhandler", "app_errorhandler"}
HOOK_NAMES = {"before_request", "before_app_request"}
VIEW_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"}
VIEW_BASE_NAMES = {"View", "MethodView", "Resource"}
_MAX_DEPTH = 12
# Methods that put a value into their receiver (``app.logger.error(msg)`` does not put msg into ``app``).
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add", "write", "writelines", "__setitem__"}

# ---- PF301 vocabulary ---------------------------------------------------------------------------
TRACEBACK_CALLS = {"traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.extract_tb",
                   "traceback.TracebackException", "traceback.TracebackException.from_exception",
                   "traceback.print_exc", "traceback.print_exception", "traceback.print_tb", "sys.exc_info"}
STRINGIFIERS = {"str", "repr", "format", "ascii", "unicode", "six.text_type", "text_type"}
DETAIL_ATTRS = {"args", "message", "msg", "strerror", "filename", "statement", "params", "pgerror"}
EXC_ATTRS = {"original_exception", "__cause__", "__context__", "orig"}
# Calls that render a bare exception object as text for the client.
RENDERING_CALLS = {"render_template", "render_template_string", "abort"}
WERKZEUG_HTTP = {
    "HTTPException", "BadRequest", "BadRequestKeyError", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed",
    "NotAcceptable", "RequestTimeout", "Conflict", "Gone", "LengthRequired", "PreconditionFailed",
    "RequestEntityTooLarge", "RequestURITooLarge", "UnsupportedMediaType", "RequestedRangeNotSatisfiable",
    "ExpectationFailed", "ImATeapot", "UnprocessableEntity", "Locked", "FailedDependency", "PreconditionRequired",
    "TooManyRequests", "RequestHeaderFieldsTooLarge", "UnavailableForLegalReasons", "InternalServerError",
    "NotImplemented", "BadGateway", "ServiceUnavailable", "GatewayTimeout", "HTTPVersionNotSupported",
    "SecurityError", "ClientDisconnected",
}
# Exceptions whose message is meant for the client: validation errors and HTTP errors.
CLIENT_FACING_RE = re.compile(r"Validation|Invalid|BadRequest|HTTPException|NotFound|Unauthori[sz]ed|Forbidden|"
                              r"Conflict|MethodNotAllowed|Unprocessable|Marshmallow|JSONDecodeError|Abort|"
                              r"(Schema|Form|Auth|Authentication|Authorization)(?![a-z])|"
                              r"API(Error|Exception)|Api(Error|Exception)|PublicError|UserError|UserFacing")
CLIENT_FACING_PACKAGES = ("werkzeug", "flask", "marshmallow", "pydantic", "wtforms", "jsonschema", "cerberus",
                          "voluptuous", "webargs", "flask_smorest", "flask_restful", "flask_restx", "apiflask")
BUILTIN_EXCEPTIONS = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                      and issubclass(getattr(builtins, n), BaseException)}
# Libraries whose exceptions describe internals (SQL, hosts, URLs): an errorhandler for one of these leaks.
INTERNAL_ERROR_PACKAGES = {"sqlalchemy", "flask_sqlalchemy", "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql",
                           "sqlite3", "pymongo", "mongoengine", "redis", "requests", "urllib3", "httpx", "urllib",
                           "botocore", "boto3", "peewee", "elasticsearch", "celery", "kombu", "smtplib", "socket",
                           "ssl", "subprocess", "os", "io", "json", "http", "ldap", "ldap3", "grpc", "stripe",
                           "openai"}

# ---- PF310 vocabulary ---------------------------------------------------------------------------
REQUEST_QUALNAMES = {"flask.request", "flask.globals.request"}
REQUEST_ATTRS = {"args", "form", "json", "values", "data", "files", "cookies", "headers", "stream", "get_json",
                 "get_data", "view_args", "environ", "query_string"}
EVAL_BUILTINS = {"eval", "exec", "compile", "__import__"}
SHELL_CALLS = {"os.system", "os.popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
               "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput",
               "commands.getoutput", "pty.spawn"}
SHELL_PREFIXES = ("os.exec", "os.spawn")
DESERIALIZERS = {"pickle.loads", "pickle.load", "cPickle.loads", "_pickle.loads", "dill.loads", "marshal.loads",
                 "marshal.load", "jsonpickle.decode", "yaml.unsafe_load", "yaml.unsafe_load_all"}
YAML_LOADERS = {"yaml.load", "yaml.load_all"}
FINGERPRINT_ATTRS = {"sys.version": "the Python version (`sys.version`)",
                     "sys.version_info": "the Python version (`sys.version_info`)",
                     "sys.path": "the import path (`sys.path`)", "sys.modules": "the loaded modules (`sys.modules`)",
                     "sys.executable": "the interpreter path (`sys.executable`)",
                     "sys.prefix": "the interpreter prefix (`sys.prefix`)"}
STACK_DUMPS = {"traceback.format_stack", "traceback.extract_stack", "sys._current_frames"}
SINGLE_KEY_ATTRS = {"get", "pop", "setdefault", "__getitem__", "__contains__", "get_namespace"}
DIAGNOSTIC_SEGMENTS = {"debug", "__debug__", "_debug", "console", "env", "environ", "environment", "config",
                       "shell", "_internal", "phpinfo", "exec", "eval"}
WEAK_SEGMENTS = {"config", "env", "environment"}
LITERAL_WRAPPERS = {"jsonify", "make_response", "Response", "dict", "list", "str", "int", "float", "bool",
                    "render_template", "redirect", "url_for", "json.dumps", "dumps"}

# ---- guards --------------------------------------------------------------------------------------
# "protect", "secure" and "restrict" alone name CSRF and header helpers (csrf_protect, secure_headers), not auth.
AUTH_NAME_RE = re.compile(r"login|auth|admin|role|permission|token|jwt|api_?key|credential|signin|scope|"
                          r"whitelist|allowlist|localhost|local_only|internal_only",
                          re.IGNORECASE)
AUTH_TEST_RE = re.compile(r"current_user|is_authenticated|is_admin|is_anonymous|is_staff|is_superuser|session|"
                          r"authoriz|token|api_?key|password|secret|remote_addr|access_route|\bg\.user|jwt|"
                          r"permission|role", re.IGNORECASE)
LOGIN_URL_RE = re.compile(r"login|signin|sign_in|auth", re.IGNORECASE)
_TYPED_PARAM_RE = re.compile(r"<(int|float|uuid)(\([^)]*\))?:(\w+)>")
DEBUG_COND_RE = re.compile(r"debug|testing|development|\bdev\b|flask_env|\benv\b", re.IGNORECASE)


class _Span:
    """A location covering just a function's ``def name`` (stable for ``# preflight: ignore`` comments)."""

    def __init__(self, fn: FuncDef) -> None:
        self.lineno = fn.lineno
        self.end_lineno = fn.lineno
        self.col_offset = fn.col_offset
        keyword = "async def " if isinstance(fn, ast.AsyncFunctionDef) else "def "
        self.end_col_offset = fn.col_offset + len(keyword) + len(fn.name)


@dataclass
class View:
    node: FuncDef
    name: str  # "index" or "UserAPI.get"
    scope: Scope  # where the function is defined (decorator arguments are evaluated here)
    site: Optional[Site]
    paths: List[str] = field(default_factory=list)
    route: bool = False
    receivers: List[str] = field(default_factory=list)  # source of the objects it is registered on: app, bp
    registrations: List[Site] = field(default_factory=list)  # add_url_rule calls (decorators use ``site``)
    handler: Optional[str] = None  # "catchall" | "500" | "specific" for error handlers worth checking
    handler_for: str = ""  # what the handler handles, for messages
    cls: Optional[ast.ClassDef] = None


@dataclass
class _Def:
    """One way a name gets (part of) its value: ``x = v``, ``x += v``, ``x["k"] = v``, ``x.append(v)``..."""

    name: str
    value: ast.AST
    stmt: ast.stmt
    index: int
    dominating: bool  # replaces the whole value (plain assignment) rather than adding to it


@dataclass
class Hit:
    node: ast.AST
    label: str
    grade: str  # PF301: "traceback" | "detail" (+ "catchall" origin); PF310: "secret" | "fingerprint" | "request"
    origin: Optional["_Origin"] = None
    via: Optional[_Def] = None
    debug_only: Optional[str] = None  # `x if app.debug else None`: the debug-looking test that guards the value


@dataclass
class _Origin:
    """Where an exception value comes from: an ``except ... as e`` clause or an error handler's parameter."""

    name: str
    start: int
    end: int
    describe: str
    catchall: bool = False


Ancestors = Tuple[ast.AST, ...]


def _walk_expr(node: ast.AST, skip: Optional[Set[int]] = None) -> Iterator[Tuple[ast.AST, Ancestors]]:
    """(node, ancestors) pairs of an expression, nearest ancestor last; nested function/class bodies and the
    subtrees of ``skip`` (node ids) are not entered."""
    stack: List[Tuple[ast.AST, Ancestors]] = [] if skip and id(node) in skip else [(node, ())]
    while stack:
        n, ancestors = stack.pop()
        yield n, ancestors
        below = ancestors + (n,)
        for child in child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or (skip and id(child) in skip):
                continue
            stack.append((child, below))


def _own_exprs(stmt: ast.stmt) -> List[ast.AST]:
    """The expressions of a statement itself, not those of statements nested in its body."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    out = [c for c in child_nodes(stmt)
           if not isinstance(c, (ast.stmt, ast.excepthandler)) and type(c).__name__ != "match_case"]
    for handler in getattr(stmt, "handlers", []) or []:
        if handler.type is not None:
            out.append(handler.type)
    return out


def _root_name(node: ast.expr) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _int_const(node: Optional[ast.AST]) -> Optional[int]:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return None


class _Flow:
    """Def-use facts for one function body (nested functions excluded)."""

    def __init__(self, fn: FuncDef) -> None:
        self.fn = fn
        self.stmts: List[ast.stmt] = []
        self.index: Dict[int, int] = {}
        self.ancestry: Dict[int, Tuple[int, ...]] = {}
        self.defs: Dict[str, List[_Def]] = {}
        self.handlers: List[ast.ExceptHandler] = []
        self._visit(fn.body, ())
        # `resp.data = v` / `errors.append(v)` change a local object; on `app` or `g` they are not this view's data
        self.local = {name for name, defs in self.defs.items() if any(d.dominating for d in defs)}

    def _visit(self, body: List[ast.stmt], ancestry: Tuple[int, ...]) -> None:
        anc = ancestry + (id(body),)
        for stmt in body:
            self.index[id(stmt)] = len(self.stmts)
            self.ancestry[id(stmt)] = anc
            self.stmts.append(stmt)
            self._record(stmt)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for name in ("body", "orelse", "finalbody"):
                sub = getattr(stmt, name, None)
                if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                    self._visit(sub, anc)
            for handler in getattr(stmt, "handlers", []) or []:
                self.handlers.append(handler)
                self._visit(handler.body, anc)
            for case in getattr(stmt, "cases", []) or []:
                self._visit(case.body, anc)

    def _add(self, name: Optional[str], value: ast.AST, stmt: ast.stmt, dominating: bool) -> None:
        if name:
            self.defs.setdefault(name, []).append(_Def(name, value, stmt, self.index[id(stmt)], dominating))

    def _record(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self._target(target, stmt.value, stmt)
        elif isinstance(stmt, ast.AugAssign):
            self._add(_root_name(stmt.target), stmt.value, stmt, False)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            for n in walk_nodes(stmt.target):
                if isinstance(n, ast.Name):
                    self._add(n.id, stmt.iter, stmt, True)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    for n in walk_nodes(item.optional_vars):
                        if isinstance(n, ast.Name):
                            self._add(n.id, item.context_expr, stmt, True)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            # x.append(v), d.update(...), buf.write(v); traceback.print_exc(file=buf), print(v, file=buf)
            if isinstance(call.func, ast.Attribute) and call.func.attr in MUTATORS:
                self._add(_root_name(call.func.value), call, stmt, False)
            for kw in call.keywords:
                if kw.arg == "file":
                    self._add(_root_name(kw.value), call, stmt, False)

    def _target(self, target: ast.expr, value: ast.expr, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self._add(target.id, value, stmt, True)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._target(elt.value if isinstance(elt, ast.Starred) else elt, value, stmt)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            self._add(_root_name(target), value, stmt, False)

    def reaching(self, name: str, use: ast.stmt) -> List[_Def]:
        """Definitions of ``name`` that may reach a use in ``use``, newest first, up to one that dominates it."""
        at = self.index.get(id(use))
        if at is None:
            return []
        anc = self.ancestry[id(use)]
        out: List[_Def] = []
        local = name in self.local
        for d in sorted((d for d in self.defs.get(name, ()) if d.index < at and (local or d.dominating)),
                        key=lambda d: d.index, reverse=True):
            out.append(d)
            if d.dominating and self.ancestry[id(d.stmt)][-1] in anc:
                break
        return out


class ViewChecks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.sites: Dict[int, Site] = {id(stmt): site for stmt, site in ctx.model.statements}
        self.views: Dict[int, View] = {}
        self.hooks: List[Tuple[str, FuncDef, Scope, bool]] = []  # (receiver source, function, scope, app-wide)
        self.bp_prefix: Dict[str, List[str]] = {}
        self.bp_registrations: Dict[str, List[Site]] = {}
        self._flows: Dict[int, _Flow] = {}
        self._guard_cache: Dict[int, bool] = {}
        self._literal_cache: Dict[int, bool] = {}

    # ---- discovery ---------------------------------------------------------------------------------
    def run(self) -> None:
        if module_imports_non_flask_framework(self.model) and not module_imports_flask(self.model):
            return
        self._discover()
        for view in self.views.values():
            if view.route or view.handler:
                self._pf301(view)
            if view.route:
                self._pf310(view)

    def _segment(self, node: ast.AST) -> str:
        """Source text of a node (``ast.get_source_segment`` re-splits the whole file on every call)."""
        try:
            l1, l2 = node.lineno, node.end_lineno  # type: ignore[attr-defined]
            c1, c2 = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ""
        if l2 is None or c2 is None or not 1 <= l1 <= l2 <= len(self.ctx.lines):
            return ""
        first = self.ctx.lines[l1 - 1].encode("utf-8")
        if l1 == l2:
            return first[c1:c2].decode("utf-8", "replace")
        last = self.ctx.lines[l2 - 1].encode("utf-8")
        return "\n".join([first[c1:].decode("utf-8", "replace")] + self.ctx.lines[l1:l2 - 1]
                         + [last[:c2].decode("utf-8", "replace")])

    def _src(self, node: ast.AST, limit: int = 60) -> str:
        text = " ".join((self._segment(node) or "...").split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def _view(self, fn: FuncDef, scope: Scope, cls: Optional[ast.ClassDef] = None) -> View:
        view = self.views.get(id(fn))
        if view is None:
            name = f"{cls.name}.{fn.name}" if cls is not None else fn.name
            view = self.views[id(fn)] = View(fn, name, scope, self.sites.get(id(fn)), cls=cls)
        return view

    def _eval_str(self, node: Optional[ast.expr], scope: Scope) -> Optional[str]:
        if node is None:
            return None
        value = Evaluator(self.model).eval(node, scope, getattr(node, "lineno", 1))
        return value if isinstance(value, str) else None

    def _discover(self) -> None:
        # blueprints first, so URL prefixes are known whichever order the module registers things in
        for call, site in self.model.calls:
            if self._simple(call.func) in ("Blueprint", "register_blueprint"):
                self._registration_call(call, site)
        for call, site in self.model.calls:
            if self._simple(call.func) not in ("Blueprint", "register_blueprint"):
                self._registration_call(call, site)
        for stmt, site in self.model.statements:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._decorated_function(stmt, site)
            elif isinstance(stmt, ast.ClassDef):
                self._class(stmt, site)

    def _decorated_function(self, fn: FuncDef, site: Site) -> None:
        for dec in fn.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr not in ROUTE_DECORATORS and func.attr not in HANDLER_DECORATORS and func.attr not in HOOK_NAMES:
                continue
            receiver = self._src(func.value)
            if isinstance(dec, ast.Call) and func.attr in ROUTE_DECORATORS:
                rule = dec.args[0] if dec.args else next((k.value for k in dec.keywords if k.arg == "rule"), None)
                path = self._eval_str(rule, site.scope)
                if func.attr != "route" and not (path or "").startswith("/"):
                    continue  # @cache.get(...) and friends; Flask 2 shortcuts take a URL rule
                if site.scope.kind == "class":
                    continue  # a method decorated inside a class is not a Flask route function
                view = self._view(fn, site.scope)
                view.route = True
                view.receivers.append(receiver)
                if path is not None:
                    view.paths.extend(self._prefixed(receiver, path))
            elif isinstance(dec, ast.Call) and func.attr in HANDLER_DECORATORS and dec.args:
                self._handler(fn, site.scope, dec.args[0])
            elif func.attr == "errorhandler" and not isinstance(dec, ast.Call):
                self._handler(fn, site.scope, None)  # flask-restx: a bare @api.errorhandler is the default handler
            elif func.attr in HOOK_NAMES and not isinstance(dec, ast.Call):
                app_wide = func.attr == "before_app_request" or self._is_app(func.value, site.scope, fn.lineno)
                self.hooks.append((receiver, fn, site.scope, app_wide))

    def _class(self, cls: ast.ClassDef, site: Site) -> None:
        cscope = self.model.scope_of.get(id(cls), site.scope)
        if any((self.model.qualname(b) or "").startswith(("flask_restful.Api", "flask_restx.Api", "flask_restplus.Api"))
               for b in cls.bases):
            for stmt in cls.body:  # Api.handle_error sees every exception a resource raises
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "handle_error":
                    self._handler(stmt, cscope, None, cls)
            return
        if not self._is_view_class(cls, site.scope, 0):
            return
        paths: List[str] = []
        receivers: List[str] = []
        for dec in cls.decorator_list:  # flask-restx / flask-smorest: @ns.route("/todos")
            if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "route":
                receivers.append(self._src(dec.func.value))
                path = self._eval_str(dec.args[0] if dec.args else None, site.scope)
                if path is not None:
                    paths.extend(self._prefixed(receivers[-1], path))
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in VIEW_METHODS:
                view = self._view(stmt, cscope, cls)
                view.route = True
                view.paths.extend(p for p in paths if p not in view.paths)
                view.receivers.extend(receivers)

    def _is_view_class(self, cls: ast.ClassDef, scope: Scope, depth: int) -> bool:
        if depth > 6:
            return False
        for base in cls.bases:
            q = self.model.qualname(base) or ""
            simple = q.rsplit(".", 1)[-1]
            if isinstance(base, ast.Name):
                binding, _ = self.model.lookup(base.id, scope, cls.lineno)
                if binding is not None and binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
                    if self._is_view_class(binding.node, self.model.scope_of.get(id(binding.node), scope).parent or scope,
                                           depth + 1):
                        return True
                    continue
            if q.split(".")[0].startswith("flask") and (simple in VIEW_BASE_NAMES or simple.endswith("Resource")):
                return True
            if (simple in VIEW_BASE_NAMES or simple.endswith(("Resource", "MethodView"))) and module_imports_flask(self.model):
                return True
        return False

    def _is_app(self, expr: ast.expr, scope: Scope, line: int) -> bool:
        """A Flask app (whose hooks run for every request), not a blueprint that happens to be called ``api``."""
        if isinstance(expr, ast.Name):
            binding, _ = self.model.lookup(expr.id, scope, line)
            if binding is not None and isinstance(binding.value, ast.Call) and \
                    self._simple(binding.value.func) == "Blueprint":
                return False
        return is_flask_app(self.model, expr, scope, line)

    def _prefixed(self, receiver: str, path: str) -> List[str]:
        prefixes = self.bp_prefix.get(receiver)
        if not prefixes:
            return [path]
        return [p.rstrip("/") + "/" + path.lstrip("/") if path else p for p in prefixes]

    def _function_named(self, node: ast.expr, site: Site) -> Optional[FuncDef]:
        if isinstance(node, ast.Name):
            binding, _ = self.model.lookup(node.id, site.scope, getattr(node, "lineno", 1))
            if binding is not None and binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return binding.node
        return None

    def _class_named(self, node: ast.expr, site: Site) -> Optional[ast.ClassDef]:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "as_view":
            node = node.func.value
        if isinstance(node, ast.Name):
            binding, _ = self.model.lookup(node.id, site.scope, getattr(node, "lineno", 1))
            if binding is not None and binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
                return binding.node
        return None

    def _registration_call(self, call: ast.Call, site: Site) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            if self.model.qualname(func) in ("flask.Blueprint", "flask.blueprints.Blueprint"):
                self._blueprint(call, site)
            return
        if func.attr not in ("Blueprint", "add_url_rule", "add_resource", "register_error_handler",
                             "register_blueprint") and func.attr not in HOOK_NAMES:
            return
        receiver = self._src(func.value)
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        if func.attr == "Blueprint" and (self.model.qualname(func) or "").startswith("flask"):
            self._blueprint(call, site)
        elif func.attr == "add_url_rule":
            rule = call.args[0] if call.args else kw.get("rule")
            target = kw.get("view_func", call.args[2] if len(call.args) > 2 else None)
            if target is None:
                return
            path = self._eval_str(rule, site.scope)
            paths = self._prefixed(receiver, path) if path is not None else []
            fn = self._function_named(target, site)
            cls = None if fn is not None else self._class_named(target, site)
            methods: List[Tuple[FuncDef, Scope, Optional[ast.ClassDef]]] = []
            if fn is not None:
                methods.append((fn, self._def_scope(fn, site.scope), None))
            elif cls is not None:
                cscope = self.model.scope_of.get(id(cls), site.scope)
                methods += [(m, cscope, cls) for m in cls.body
                            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name in VIEW_METHODS]
            for m, scope, owner in methods:
                view = self._view(m, scope, owner)
                view.route = True
                view.paths.extend(p for p in paths if p not in view.paths)
                view.receivers.append(receiver)
                view.registrations.append(site)
        elif func.attr == "add_resource" and call.args:
            cls = self._class_named(call.args[0], site)
            if cls is None:
                return
            paths = [p for a in call.args[1:] for p in [self._eval_str(a, site.scope)] if p is not None]
            cscope = self.model.scope_of.get(id(cls), site.scope)
            for m in cls.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name in VIEW_METHODS:
                    view = self._view(m, cscope, cls)
                    view.route = True
                    view.paths.extend(p for p in paths if p not in view.paths)
                    view.receivers.append(receiver)
                    view.registrations.append(site)
        elif func.attr == "register_error_handler" and len(call.args) >= 2:
            fn = self._function_named(call.args[1], site)
            if fn is not None:
                self._handler(fn, self._def_scope(fn, site.scope), call.args[0])
        elif func.attr in HOOK_NAMES and call.args:
            fn = self._function_named(call.args[0], site)
            if fn is not None:
                app_wide = func.attr == "before_app_request" or self._is_app(func.value, site.scope, call.lineno)
                self.hooks.append((receiver, fn, self._def_scope(fn, site.scope), app_wide))
        elif func.attr == "register_blueprint" and call.args:
            name = self._src(call.args[0])
            self.bp_registrations.setdefault(name, []).append(site)
            prefix = self._eval_str(kw.get("url_prefix"), site.scope)
            if prefix:
                self.bp_prefix.setdefault(name, []).append(prefix)

    def _blueprint(self, call: ast.Call, site: Site) -> None:
        stmt = site.stmt
        if not (isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1):
            return
        prefix = self._eval_str(next((k.value for k in call.keywords if k.arg == "url_prefix"), None), site.scope)
        if prefix:
            self.bp_prefix.setdefault(self._src(stmt.targets[0]), []).insert(0, prefix)

    def _def_scope(self, fn: FuncDef, fallback: Scope) -> Scope:
        site = self.sites.get(id(fn))
        return site.scope if site is not None else fallback

    def _handler(self, fn: FuncDef, scope: Scope, arg: Optional[ast.expr], cls: Optional[ast.ClassDef] = None) -> None:
        code = _int_const(arg)
        if arg is None:
            kind, what = "catchall", "every exception"
        elif code is not None:
            kind = "500" if code == 500 else None
            what = str(code)
        else:
            q = self.model.qualname(arg) or ""
            simple = q.rsplit(".", 1)[-1]
            what = simple or self._src(arg)
            top = q.split(".")[0]
            if simple in ("Exception", "BaseException") and top in ("Exception", "BaseException", "builtins"):
                kind = "catchall"
            elif simple == "InternalServerError":
                kind = "500"
            elif top in CLIENT_FACING_PACKAGES or simple in WERKZEUG_HTTP or CLIENT_FACING_RE.search(simple):
                kind = None
            elif (q == simple and simple in BUILTIN_EXCEPTIONS and simple not in self.model.module_scope.bindings) \
                    or (top in INTERNAL_ERROR_PACKAGES and "." in q):
                kind = "specific"
            else:
                kind = None  # the project's own exception classes are usually written for clients
        if kind is None:
            return
        view = self._view(fn, scope, cls)
        view.handler = kind
        view.handler_for = what

    # ---- shared flow helpers ------------------------------------------------------------------------
    def _flow(self, fn: FuncDef) -> _Flow:
        flow = self._flows.get(id(fn))
        if flow is None:
            flow = self._flows[id(fn)] = _Flow(fn)
        return flow

    def _search(self, flow: _Flow, expr: ast.AST, use: ast.stmt,
                pred: Callable[[ast.AST, Ancestors, ast.stmt], Optional[Hit]],
                seen: Optional[Set[int]] = None, depth: int = 0, skip: Optional[Set[int]] = None) -> List[Hit]:
        """Every hit of ``pred`` in ``expr`` and in the values its local names may hold."""
        seen = set() if seen is None else seen
        hits: List[Hit] = []
        for node, ancestors in _walk_expr(expr, skip):
            hit = pred(node, ancestors, use)
            if hit is not None:
                hits.append(hit)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and depth < _MAX_DEPTH:
                parent = ancestors[-1] if ancestors else None
                if (isinstance(parent, ast.Subscript) and parent.value is node) or \
                        (isinstance(parent, ast.Attribute) and parent.attr in SINGLE_KEY_ATTRS):
                    continue  # `cfg["APP_NAME"]` / `cfg.get(...)` through an alias reads one key, not the object
                for d in flow.reaching(node.id, use):
                    if id(d) in seen:
                        continue
                    seen.add(id(d))
                    for sub in self._search(flow, d.value, d.stmt, pred, seen, depth + 1):
                        if sub.via is None:
                            sub.via = d
                        hits.append(sub)
        return hits

    # ---- PF301 -------------------------------------------------------------------------------------------
    def _origins(self, view: View, flow: _Flow) -> List[_Origin]:
        origins: List[_Origin] = []
        for h in flow.handlers:
            if not h.name or not h.body or self._client_facing(h.type):
                continue
            caught = self._src(h.type) if h.type is not None else "BaseException"
            origins.append(_Origin(h.name, h.body[0].lineno, h.body[-1].end_lineno or h.body[-1].lineno,
                                   f"the exception caught by `except {caught} as {h.name}` (line {h.lineno})"))
        if view.handler in ("catchall", "specific"):
            param = self._first_param(view)
            if param:
                fn = view.node
                origins.append(_Origin(param, fn.lineno, fn.end_lineno or fn.lineno,
                                       "the exception passed to the handler",
                                       catchall=view.handler == "catchall"))
        return origins

    def _first_param(self, view: View) -> Optional[str]:
        args = list(view.node.args.posonlyargs) + list(view.node.args.args)
        if view.cls is not None and args:
            args = args[1:]
        return args[0].arg if args else None

    def _client_facing(self, node: Optional[ast.expr]) -> bool:
        if node is None:
            return False
        if isinstance(node, ast.Tuple):
            return bool(node.elts) and all(self._client_facing(e) for e in node.elts)
        q = self.model.qualname(node) or ""
        simple = q.rsplit(".", 1)[-1]
        return bool(simple) and (q.split(".")[0] in CLIENT_FACING_PACKAGES or simple in WERKZEUG_HTTP
                                 or bool(CLIENT_FACING_RE.search(simple)))

    def _narrowed(self, name: str, use: ast.stmt) -> bool:
        """The use sits under ``if isinstance(e, HTTPException):`` (or similar): a client-facing error there."""
        site = self.sites.get(id(use))
        if site is None:
            return False
        for test, polarity in site.conditions:
            if test is None:
                continue
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test, polarity = test.operand, not polarity
            if polarity and isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and \
                    test.func.id == "isinstance" and len(test.args) == 2 and \
                    isinstance(test.args[0], ast.Name) and test.args[0].id == name and self._client_facing(test.args[1]):
                return True
        return False

    def _exc(self, node: ast.AST, use: ast.stmt, ctx: "_ExcContext", depth: int = 0) -> Optional[_Origin]:
        """The origin of ``node`` if it evaluates to a caught exception (or one it wraps)."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            line = getattr(node, "lineno", 0)
            for origin in ctx.origins:
                if origin.name == node.id and origin.start <= line <= origin.end:
                    return None if self._narrowed(node.id, use) else origin
            for d in ctx.flow.reaching(node.id, use):
                if d.dominating and isinstance(d.value, (ast.Name, ast.Attribute)):
                    found = self._exc(d.value, d.stmt, ctx, depth + 1)
                    if found is not None:
                        return found
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" and \
                len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value in EXC_ATTRS:
            node = ast.Attribute(value=node.args[0], attr=node.args[1].value, ctx=ast.Load())
        if isinstance(node, ast.Attribute) and node.attr in EXC_ATTRS:
            if isinstance(node.value, ast.Name) and node.value.id == ctx.param500:
                return _Origin(node.value.id, 0, 0, "the unhandled exception behind the 500 error", catchall=True)
            return self._exc(node.value, use, ctx, depth + 1)
        return None

    def _leak(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt, ctx: "_ExcContext") -> Optional[Hit]:
        hit = self._leak_at(node, ancestors, use, ctx)
        if hit is not None:
            hit.debug_only = self._debug_branch(node, ancestors)
        return hit

    def _debug_branch(self, node: ast.AST, ancestors: Ancestors) -> Optional[str]:
        """The test of an enclosing ``value if app.debug else ...`` / ``app.debug and value``, if any."""
        chain = ancestors + (node,)
        for i, anc in enumerate(ancestors):
            child = chain[i + 1]
            test: Optional[ast.expr] = None
            if isinstance(anc, ast.IfExp) and child is anc.body:
                test = anc.test
            elif isinstance(anc, ast.BoolOp) and isinstance(anc.op, ast.And) and child is not anc.values[0]:
                test = anc.values[0]
            if test is not None:
                src = " ".join(self._segment(test).split())
                if re.search(r"debug|testing", src, re.IGNORECASE) and "request" not in src and not src.startswith("not "):
                    return src
        return None

    def _leak_at(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt, ctx: "_ExcContext") -> Optional[Hit]:
        if isinstance(node, ast.Call):
            q = self.model.qualname(node.func) or ""
            if q in TRACEBACK_CALLS or q.startswith("traceback.TracebackException"):
                return Hit(node, f"the traceback (`{self._src(node, 40)}`)", "traceback")
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("__str__", "__repr__"):
                origin = self._exc(node.func.value, use, ctx)
                if origin is not None:
                    return Hit(node, f"`{self._src(node, 40)}`", "detail", origin)
            if q in STRINGIFIERS and node.args:
                origin = self._exc(node.args[0], use, ctx)
                if origin is not None:
                    return Hit(node, f"`{self._src(node, 40)}`", "detail", origin)
            simple = q.rsplit(".", 1)[-1]
            formatting = isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            if formatting or simple in RENDERING_CALLS or self._http_exception(node.func):
                for arg in list(node.args) + [k.value for k in node.keywords]:
                    origin = self._exc(arg, use, ctx)
                    if origin is not None:
                        return Hit(node, f"`{self._src(node, 40)}`", "detail", origin)
        elif isinstance(node, ast.Attribute):
            if node.attr in DETAIL_ATTRS or node.attr == "__traceback__":
                origin = self._exc(node.value, use, ctx)
                if origin is not None:
                    grade = "traceback" if node.attr == "__traceback__" else "detail"
                    return Hit(node, f"`{self._src(node, 40)}`", grade, origin)
        elif isinstance(node, ast.FormattedValue):
            origin = self._exc(node.value, use, ctx)
            if origin is not None:
                shown = ancestors[-1] if ancestors and isinstance(ancestors[-1], ast.JoinedStr) else node
                return Hit(shown, f"`{self._src(shown, 40)}`", "detail", origin)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            right = node.right
            items = right.elts if isinstance(right, (ast.Tuple, ast.List)) else \
                list(right.values) if isinstance(right, ast.Dict) else [right]
            for item in items:
                origin = self._exc(item, use, ctx)
                if origin is not None:
                    return Hit(node, f"`{self._src(node, 40)}`", "detail", origin)
        return None

    def _simple(self, func: ast.expr) -> str:
        return (self.model.qualname(func) or "").rsplit(".", 1)[-1]

    def _http_exception(self, func: ast.expr) -> bool:
        q = self.model.qualname(func) or ""
        return q.startswith("werkzeug.exceptions.") or q.rsplit(".", 1)[-1] in WERKZEUG_HTTP - {"HTTPException"}

    def _pf301(self, view: View) -> None:
        flow = self._flow(view.node)
        ctx = _ExcContext(flow, self._origins(view, flow), self._first_param(view) if view.handler == "500" else None)
        # nothing can leak without an exception in hand, except tracebacks fetched from sys/traceback
        has_tb = any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in ("traceback", "sys")
                     or isinstance(n, ast.Name) and self.model.imports.get(n.id, "").startswith(("traceback.", "sys."))
                     for n in walk_nodes(view.node))
        if not ctx.origins and not ctx.param500 and not has_tb:
            return
        pred = lambda node, ancestors, use: self._leak(node, ancestors, use, ctx)  # noqa: E731
        for stmt in flow.stmts:
            sinks: List[Tuple[ast.AST, ast.AST]] = []  # (where to report, what to search)
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                sinks.append((stmt, stmt.value))
            elif isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call) and (
                    self._http_exception(stmt.exc.func) or self._simple(stmt.exc.func) == "abort"):
                sinks.append((stmt, stmt.exc))
            elif isinstance(stmt, ast.Expr):
                for node, _ in _walk_expr(stmt.value):
                    if isinstance(node, ast.Call) and self._simple(node.func) == "abort":
                        sinks.append((node, node))
            for at, expr in sinks:
                hits = self._search(flow, expr, stmt, pred)
                if hits:
                    self._report301(view, stmt, at, hits)

    def _report301(self, view: View, stmt: ast.stmt, at: ast.AST, hits: List[Hit]) -> None:
        def rank(h: Hit) -> int:
            return 2 if h.grade == "traceback" else 1 if h.origin is not None and h.origin.catchall else 0
        hit = max(hits, key=rank)
        sev = Severity.HIGH if rank(hit) > 0 else Severity.MEDIUM
        who = f"Error handler `{view.name}` (for {view.handler_for})" if view.handler else f"View `{view.name}`"
        subject = hit.label
        if hit.grade == "detail" and hit.origin is not None:
            subject += f" of {hit.origin.describe}"
        sink_line = getattr(at, "lineno", 0)
        line = getattr(hit.node, "lineno", sink_line)
        via = f" through `{hit.via.name}` (line {line})" if hit.via is not None and line != sink_line else ""
        sink = "becomes the `abort()` description" if isinstance(at, ast.Call) else \
            "becomes the HTTP error's description" if isinstance(at, ast.Raise) else "reaches the response"
        note = ""
        debug_only = self._debug_condition(self.sites.get(id(stmt)))
        if not debug_only and all(h.debug_only for h in hits):
            debug_only = hit.debug_only
        if debug_only:
            sev = Severity.LOW
            note = f" This only happens when `{debug_only}`, which must never be true in production."
        message = (f"{who} sends exception details to the client: {subject}{via} {sink}; error messages and "
                   f"tracebacks reveal SQL, file paths, hosts and library versions.{note}")
        related = (self.ctx.location(hit.node),) if line != sink_line else ()
        self.ctx.emit(PF301, at, message, sev, related=related)

    def _debug_condition(self, site: Optional[Site]) -> Optional[str]:
        """Source of an enclosing ``if app.debug:``-style test (positive, not about the request), if any."""
        if site is None:
            return None
        for test, polarity in site.conditions:
            if test is None:
                continue
            src = self._segment(test) or ""
            negated = (not polarity) != (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not))
            if re.search(r"debug|testing", src, re.IGNORECASE) and "request" not in src and not negated:
                return " ".join(src.split())
        return None

    # ---- PF310 ------------------------------------------------------------------------------------------
    def _is_request(self, node: ast.AST) -> bool:
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return False
        q = self.model.qualname(node)
        if q in REQUEST_QUALNAMES:
            return True
        return isinstance(node, ast.Name) and node.id == "request" and node.id not in self.model.imports \
            and module_imports_flask(self.model)

    def _request_data(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt, params: Set[str]) -> Optional[Hit]:
        if isinstance(node, ast.Attribute) and node.attr in REQUEST_ATTRS and self._is_request(node.value):
            return Hit(node, f"`{self._src(node, 40)}`", "request")
        if isinstance(node, ast.Name) and node.id in params and isinstance(node.ctx, ast.Load):
            return Hit(node, f"the URL parameter `{node.id}`", "request")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parse_args":
            return Hit(node, f"`{self._src(node, 40)}`", "request")
        return None

    def _evaluator(self, call: ast.Call) -> Optional[Tuple[str, List[ast.AST]]]:
        """(display name, arguments that matter) when ``call`` evaluates code or commands or unpickles data."""
        q = self.model.qualname(call.func) or ""
        args: List[ast.AST] = list(call.args) + [k.value for k in call.keywords if k.arg not in ("Loader",)]
        if q in EVAL_BUILTINS and q not in self.model.module_scope.bindings:
            return q, args[:1]
        if q.startswith("subprocess.") and q not in ("subprocess.getoutput", "subprocess.getstatusoutput"):
            shell = next((k.value for k in call.keywords if k.arg == "shell"), None)
            first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "args"), None)
            as_list = isinstance(first, (ast.List, ast.Tuple))
            if as_list and not (isinstance(shell, ast.Constant) and shell.value):
                return None  # an argv list without a shell: request data stays one argument, never code
            return q, args
        if q in SHELL_CALLS or q.startswith(SHELL_PREFIXES) or q in DESERIALIZERS:
            return q, args
        if q in YAML_LOADERS:
            loader = next((k.value for k in call.keywords if k.arg == "Loader"), call.args[1] if len(call.args) > 1 else None)
            if loader is not None and "Safe" in self._src(loader):
                return None
            return q, call.args[:1]
        return None

    def _exposure(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt, scope: Scope) -> Optional[Hit]:
        parent = ancestors[-1] if ancestors else None
        if isinstance(node, ast.Call):
            q = self.model.qualname(node.func) or ""
            if q in ("globals", "locals", "vars") and not node.args and q not in self.model.module_scope.bindings:
                return Hit(node, f"the interpreter's variables (`{q}()`)", "secret")
            if q.startswith("platform.") or q == "os.uname":
                return Hit(node, f"platform details (`{self._src(node, 40)}`)", "fingerprint")
            if q in STACK_DUMPS:
                return Hit(node, f"a stack dump (`{self._src(node, 40)}`)", "fingerprint")
            return None
        if not isinstance(node, (ast.Attribute, ast.Name)):
            return None
        single_key = (isinstance(parent, ast.Subscript) and parent.value is node) or \
            (isinstance(parent, ast.Attribute) and parent.attr in SINGLE_KEY_ATTRS) or isinstance(parent, ast.Compare) or \
            any(isinstance(a, ast.comprehension) and a.ifs for a in ancestors)  # {k: v for k, v in ... if k in SAFE}
        q = self.model.qualname(node) or ""
        if q in ("os.environ", "os.environb"):
            return None if single_key else Hit(node, "the process environment (`os.environ`)", "secret")
        if q in FINGERPRINT_ATTRS:
            return Hit(node, FINGERPRINT_ATTRS[q], "fingerprint")
        if isinstance(node, ast.Attribute):
            if node.attr == "config" and (q in ("flask.current_app.config", "flask.globals.current_app.config")
                                          or config_receiver(self.model, node, scope, getattr(node, "lineno", 1))):
                return None if single_key else Hit(node, f"the app configuration (`{self._src(node, 40)}`)", "secret")
            if node.attr == "environ" and self._is_request(node.value):
                return None if single_key else Hit(node, "the WSGI environment (`request.environ`)", "secret")
            if q.startswith("platform.") and not isinstance(parent, ast.Call):
                return Hit(node, f"platform details (`{self._src(node, 40)}`)", "fingerprint")
        return None

    def _literalish(self, node: Optional[ast.AST], flow: _Flow, use: ast.stmt, depth: int = 0) -> bool:
        """Built only from constants and module-level ALL_CAPS names (``{"version": VERSION}``)."""
        if node is None or depth > _MAX_DEPTH:
            return node is None
        d = depth + 1
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return all(self._literalish(e, flow, use, d) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(self._literalish(v, flow, use, d) for v in node.values) and \
                all(k is None or self._literalish(k, flow, use, d) for k in node.keys)
        if isinstance(node, ast.JoinedStr):
            return all(isinstance(v, ast.Constant) or isinstance(v, ast.FormattedValue) and
                       self._literalish(v.value, flow, use, d) for v in node.values)
        if isinstance(node, ast.BinOp):
            return self._literalish(node.left, flow, use, d) and self._literalish(node.right, flow, use, d)
        if isinstance(node, ast.Name):
            defs = flow.reaching(node.id, use)
            if defs:
                return all(self._literal_def(x, flow, d) for x in defs)
            name = node.id
            return name.isupper() or name.startswith("__") or name in ("True", "False", "None")
        if isinstance(node, ast.Attribute):
            return node.attr.isupper() or node.attr in ("__version__", "version")
        if isinstance(node, ast.Call):
            q = self.model.qualname(node.func) or ""
            if q.rsplit(".", 1)[-1] not in LITERAL_WRAPPERS:
                return False
            return all(self._literalish(a, flow, use, d) for a in node.args) and \
                all(self._literalish(k.value, flow, use, d) for k in node.keywords)
        return False

    def _literal_def(self, d: _Def, flow: _Flow, depth: int) -> bool:
        """Memoised per definition: branchy reassignments would otherwise be explored exponentially."""
        cached = self._literal_cache.get(id(d))
        if cached is None:
            self._literal_cache[id(d)] = True  # provisional, so a cycle through this definition terminates
            cached = isinstance(d.value, ast.expr) and self._literalish(d.value, flow, d.stmt, depth)
            self._literal_cache[id(d)] = cached
        return cached

    def _pf310(self, view: View) -> None:
        flow = self._flow(view.node)
        fscope = self.model.scope_of.get(id(view.node), view.scope)
        exposures: List[Hit] = []
        in_templates: List[Hit] = []
        runs: List[Tuple[str, Hit, ast.Call]] = []
        literal_only = True
        params = {a.arg for a in list(view.node.args.posonlyargs) + list(view.node.args.args) + list(view.node.args.kwonlyargs)}
        params -= {"self", "cls"}
        params -= {m.group(3) for p in view.paths for m in _TYPED_PARAM_RE.finditer(p)}  # <int:id> cannot inject
        expose = lambda node, ancestors, use: self._exposure(node, ancestors, use, fscope)  # noqa: E731
        from_request = lambda node, ancestors, use: self._request_data(node, ancestors, use, params)  # noqa: E731
        for stmt in flow.stmts:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                # A template picks what it shows from what it is given (every template already sees
                # `config`), so values handed to one only count on a diagnostic-looking route.
                templates = [n for n, _ in _walk_expr(stmt.value) if isinstance(n, ast.Call)
                             and self._simple(n.func) in ("render_template", "render_template_string")]
                exposures += self._search(flow, stmt.value, stmt, expose, skip={id(t) for t in templates})
                for t in templates:
                    in_templates += self._search(flow, t, stmt, expose)
                literal_only = literal_only and self._literalish(stmt.value, flow, stmt)
            for expr in _own_exprs(stmt):
                for node, _ in _walk_expr(expr):
                    if not isinstance(node, ast.Call):
                        continue
                    found = self._evaluator(node)
                    if found is None:
                        continue
                    for arg in found[1]:
                        hits = self._search(flow, arg, stmt, from_request)
                        if hits:
                            runs.append((found[0], hits[0], node))
                            break
        path_match = [p for p in view.paths if _diagnostic_path(p)]
        if path_match:
            exposures += in_templates
        # `/config` and `/env` are also the names of public SPA settings endpoints; on their own (no exposure
        # found in the body) only the unambiguous debugging paths are worth a finding.
        strong_path = [p for p in path_match if _diagnostic_path(p, strong=True)]
        if not (exposures or runs or (strong_path and not literal_only)):
            return
        if self._guarded(view, flow, exposures, runs):
            return
        gated = self._registration_gate(view)
        if gated is False:
            return  # registered only in statically dead code
        if gated is None:
            gated = self._body_debug_gate(view, _first_line(exposures, runs))
        path = path_match[0] if path_match else view.paths[0] if view.paths else None
        route = f"Route `{path}` (`{view.name}`)" if path else f"View `{view.name}`"
        debug_note = ""
        if isinstance(gated, str):
            debug_note = (f" It is registered only when `{gated}`, but a debug-only route is reachable whenever "
                          f"that is switched on in production.")
        if runs:
            fn, hit, call = runs[0]
            sev = Severity.CRITICAL
            message = (f"{route} passes request data ({hit.label}) to `{fn}()` with no authentication check: "
                       f"anyone who can reach it can run code on the server.{debug_note}")
        elif exposures:
            labels: List[str] = []
            for h in exposures:
                if h.label not in labels:
                    labels.append(h.label)
            secret = any(h.grade == "secret" for h in exposures)
            sev = Severity.HIGH if secret and not debug_note else Severity.MEDIUM
            consequence = ("secret keys, database URLs and tokens leak to anyone" if secret
                           else "it fingerprints the server for attackers")
            message = (f"{route} returns {_join(labels)} with no authentication check: {consequence}.{debug_note}")
        else:
            sev = Severity.MEDIUM
            message = (f"{route} looks like a diagnostic endpoint and returns computed data with no authentication "
                       f"check; make sure it exposes nothing internal, or protect it.{debug_note}")
        self.ctx.emit(PF310, _Span(view.node), message, sev)

    # ---- guards -----------------------------------------------------------------------------------------
    def _guarded(self, view: View, flow: _Flow, exposures: List[Hit], runs: List[Tuple[str, Hit, ast.Call]]) -> bool:
        decorators: List[ast.expr] = [d for d in view.node.decorator_list if not self._is_registration(d)]
        if view.cls is not None:
            decorators += [d for d in view.cls.decorator_list if not self._is_registration(d)]
            for stmt in view.cls.body:
                if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("decorators", "method_decorators")
                                                        for t in stmt.targets):
                    value = stmt.value
                    items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else \
                        list(value.values) if isinstance(value, ast.Dict) else []
                    for item in items:
                        decorators += item.elts if isinstance(item, (ast.List, ast.Tuple)) else [item]
        for dec in decorators:
            if self._guarding_decorator(dec, view.scope):
                return True
        first = _first_line(exposures, runs)
        for stmt in view.node.body:  # an auth check at the top of the body, before anything is exposed
            if stmt.lineno >= first:
                break
            if isinstance(stmt, ast.If) and self._aborts(stmt.body) and self._auth_check(stmt):
                return True
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                name = self.model.qualname(stmt.value.func) or self._src(stmt.value.func)
                if AUTH_NAME_RE.search(name):
                    return True
        for receiver, hook, scope, app_wide in self.hooks:
            if (app_wide or receiver in view.receivers) and self._guards(hook):
                return True
        return False

    def _is_hook(self, dec: ast.expr) -> bool:
        return isinstance(dec, ast.Attribute) and dec.attr in HOOK_NAMES

    def _is_registration(self, dec: ast.expr) -> bool:
        func = dec.func if isinstance(dec, ast.Call) else dec
        return isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATORS | HANDLER_DECORATORS | {"doc", "expect",
                                                                                                       "response", "marshal_with"}

    def _guarding_decorator(self, dec: ast.expr, scope: Scope) -> bool:
        func = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(dec, ast.Call) and any(k.arg == "optional" and isinstance(k.value, ast.Constant) and k.value.value
                                             for k in dec.keywords):
            return False  # jwt_required(optional=True) / login_required(optional=True) let anonymous requests in
        name = self.model.qualname(func) or self._src(func)
        if AUTH_NAME_RE.search(name):
            return True
        if isinstance(func, ast.Name):
            binding, _ = self.model.lookup(func.id, scope, func.lineno)
            if binding is not None and binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return self._guards(binding.node)
        return False

    def _guards(self, fn: FuncDef) -> bool:
        """A function (hook or decorator, nested wrappers included) that refuses unauthenticated requests."""
        cached = self._guard_cache.get(id(fn))
        if cached is not None:
            return cached
        self._guard_cache[id(fn)] = False  # a decorator that decorates itself must not recurse forever
        # @bp.before_request stacked on @login_required guards the hook, and with it the blueprint
        result = any(self._guarding_decorator(d, self._def_scope(fn, self.model.module_scope)) for d in fn.decorator_list
                     if not self._is_registration(d) and not self._is_hook(d))
        for node in walk_nodes(fn):
            if result:
                break
            if _int_const(node) in (401, 403):
                result = True
            elif isinstance(node, (ast.Name, ast.Attribute)):
                text = self.model.qualname(node) or ""
                if text.endswith("current_user") or (isinstance(node, ast.Attribute) and node.attr in (
                        "is_authenticated", "is_admin", "authorization", "is_anonymous")):
                    result = True
                elif isinstance(node, ast.Name) and node.id in ("Unauthorized", "Forbidden"):
                    result = True
            elif isinstance(node, ast.Call):
                callee = self.model.qualname(node.func) or ""
                if callee.rsplit(".", 1)[-1] == "url_for" and node.args and LOGIN_URL_RE.search(self._src(node.args[0])):
                    result = True
                elif AUTH_NAME_RE.search(callee) and callee.rsplit(".", 1)[-1] not in ("route",):
                    result = True
        self._guard_cache[id(fn)] = result
        return result

    def _aborts(self, body: List[ast.stmt]) -> bool:
        for stmt in body:
            if isinstance(stmt, (ast.Return, ast.Raise)):
                return True
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and \
                    (self.model.qualname(stmt.value.func) or "").rsplit(".", 1)[-1] == "abort":
                return True
        return False

    def _auth_check(self, stmt: ast.If) -> bool:
        if any(_int_const(n) in (401, 403) for n in walk_nodes(stmt)):
            return True
        test = self._segment(stmt.test) or ""
        if AUTH_TEST_RE.search(test):
            return True
        return any(isinstance(n, ast.Call) and (self.model.qualname(n.func) or "").rsplit(".", 1)[-1] == "url_for"
                   and n.args and LOGIN_URL_RE.search(self._src(n.args[0])) for b in stmt.body for n in walk_nodes(b))

    def _body_debug_gate(self, view: View, first: int) -> Optional[str]:
        """``if not app.debug: abort(404)`` at the top of the body: the route only answers in debug mode."""
        for stmt in view.node.body:
            if stmt.lineno >= first:
                break
            if isinstance(stmt, ast.If) and self._aborts(stmt.body):
                test = stmt.test
                if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                    src = " ".join((self._segment(test.operand) or "").split())
                    if DEBUG_COND_RE.search(src) and "request" not in src:
                        return src
        return None

    def _registration_gate(self, view: View) -> Union[None, bool, str]:
        """None: registered unconditionally; a string: only under that debug-looking condition; False: dead code."""
        sites = [s for s in [view.site] + view.registrations if s is not None]
        for receiver in view.receivers:
            sites += self.bp_registrations.get(receiver, [])
        conditions: List[str] = []
        for site in sites:
            gate = self.ctx.gate(site)
            if gate.reached is False and not gate.env_names:
                return False
            text = self._debug_condition(site) or (gate.text if gate.devish and DEBUG_COND_RE.search(gate.text) else None)
            if text:
                conditions.append(text)
        return conditions[0] if conditions else None


@dataclass
class _ExcContext:
    """What PF301 knows about one view: its def-use facts, where exceptions come from, a 500 handler's parameter."""

    flow: _Flow
    origins: List[_Origin]
    param500: Optional[str]


def _first_line(exposures: List[Hit], runs: List[Tuple[str, Hit, ast.Call]]) -> int:
    """The first line where a view exposes or runs something; auth checks must come before it."""
    return min([getattr(h.node, "lineno", 10 ** 9) for h in exposures] + [c.lineno for _, _, c in runs] + [10 ** 9])


def _diagnostic_path(path: str, strong: bool = False) -> bool:
    segments = DIAGNOSTIC_SEGMENTS - WEAK_SEGMENTS if strong else DIAGNOSTIC_SEGMENTS
    for segment in path.lower().split("/"):
        segment = segment.split(".", 1)[0] if segment.endswith((".php", ".html", ".json", ".txt")) else segment
        if segment in segments:
            return True
    return False


def _join(items: List[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def check(ctx: Context) -> None:
    ViewChecks(ctx).run()
