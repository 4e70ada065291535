"""The route model: which functions Flask calls to answer a request, and where they are registered.

Route functions, class-based view methods and error handlers are found from decorators, ``add_url_rule``,
``add_resource`` and ``register_error_handler``; ``before_request`` hooks and blueprint prefixes and
registrations are recorded for the guards. Everything is read from one module: a view's registration and its
hooks are normally written next to it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from flask_preflight.findings import Location, Severity
from flask_preflight.rules import Rule
from flask_preflight.static.python.context import Context, Pending
from flask_preflight.static.python.evaluate import Evaluator
from flask_preflight.static.python.flaskapi import is_flask_app, is_socketio, module_imports_flask
from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.model import Scope, Site
from flask_preflight.static.python.views.flow import Ancestors, FuncDef, Hit, _Flow, _int_const
from flask_preflight.static.python.views.vocabulary import (BUILTIN_EXCEPTIONS, CLIENT_FACING_PACKAGES, CLIENT_FACING_RE,
                                                            INTERNAL_ERROR_PACKAGES, WERKZEUG_HTTP)

ROUTE_DECORATORS = {"route", "get", "post", "put", "delete", "patch"}
HANDLER_DECORATORS = {"errorhandler", "app_errorhandler"}
HOOK_NAMES = {"before_request", "before_app_request"}
VIEW_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"}
VIEW_BASE_NAMES = {"View", "MethodView", "Resource"}
REQUEST_QUALNAMES = {"flask.request", "flask.globals.request"}
REQUEST_ATTRS = {"args", "form", "json", "values", "data", "files", "cookies", "headers", "stream", "get_json",
                 "get_data", "view_args", "environ", "query_string"}


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
    socket: bool = False  # a Flask-SocketIO event handler: what it emits or returns goes to the client
    socket_helper_of: str = ""  # a module function a Socket.IO handler calls: only what it emits goes out
    request_helper: bool = False  # a module function a view may call: only its emits to every client go out
    hook: bool = False  # a before_request hook: a value it returns is the response and the view never runs
    stream_of: Optional["View"] = None  # a generator this view streams as its body: what it yields goes out
    wraps: str = ""  # the top-level decorator whose wrapper this is: served in place of the views it decorates
    cls: Optional[ast.ClassDef] = None



class RouteModel:
    """The views, hooks and blueprints of one module, plus the source helpers every view check uses."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.sites: Dict[int, Site] = {id(stmt): site for stmt, site in ctx.model.statements}
        self.views: Dict[int, View] = {}
        self.hooks: List[Tuple[str, FuncDef, Scope, bool]] = []  # (receiver source, function, scope, app-wide)
        self.bp_prefix: Dict[str, List[str]] = {}
        self.bp_registrations: Dict[str, List[Site]] = {}
        self._flows: Dict[int, _Flow] = {}

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

    def _socket_helpers(self, depth: int = 3) -> None:
        """Module functions a Socket.IO handler calls by name, directly or through each other (up to ``depth``
        calls deep), run inside the handler's event context: Flask-SocketIO's ``emit()``/``send()`` there answer
        the client that sent the event (``request.sid``), so what they emit is the handler's answer. What they
        return goes back to the handler, not to the client (``View.socket_helper_of``)."""
        frontier = [v for v in self.views.values() if v.socket]
        for _ in range(depth):
            found: List[View] = []
            for view in frontier:
                params = {a.arg for a in ast.walk(view.node.args) if isinstance(a, ast.arg)}
                for n in walk_nodes(view.node):
                    if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Name)) or n.func.id in params:
                        continue
                    b = self.model.module_scope.bindings.get(n.func.id, [])
                    if len(b) != 1 or b[0].kind != "def" or id(b[0].node) in self.views:
                        continue  # rebound, not a function, or already judged as a view of its own
                    helper = self._view(b[0].node, self.model.module_scope)  # type: ignore[arg-type]
                    helper.socket = True
                    helper.socket_helper_of = view.socket_helper_of or view.name
                    found.append(helper)
            frontier = found

    def _decorated_function(self, fn: FuncDef, site: Site) -> None:
        for dec in fn.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr not in ROUTE_DECORATORS | HANDLER_DECORATORS | HOOK_NAMES | {"on", "event", "on_event"}:
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
            elif func.attr in ("on", "event", "on_event") and \
                    is_socketio(self.model, func.value, site.scope, fn.lineno):
                self._view(fn, site.scope).socket = True
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


    def _emit_unless(self, unless: str, refs: Tuple[str, ...], rule: Rule, node: ast.AST, message: str,
                     severity: Severity, related: Tuple[Location, ...] = ()) -> None:
        """Emit a finding that the whole project may still withdraw (see ``views/project.py``)."""
        before = len(self.ctx.result.findings)
        self.ctx.emit(rule, node, message, severity, related=related)
        if len(self.ctx.result.findings) > before:
            self.ctx.result.pending.append(Pending(self.ctx.result.findings.pop(), unless, refs))

    def _flow(self, fn: FuncDef) -> _Flow:
        flow = self._flows.get(id(fn))
        if flow is None:
            flow = self._flows[id(fn)] = _Flow(fn)
        return flow

    def _simple(self, func: ast.expr) -> str:
        return (self.model.qualname(func) or "").rsplit(".", 1)[-1]

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
