"""PF301: exception details (messages, args, tracebacks) that a view or error handler sends to the client.

An exception value has an origin - an ``except ... as e`` clause or an error handler's parameter - and
leaks when a stringification of it (``str(e)``, ``e.args``, an f-string) reaches a response, an ``abort()``
description or an HTTP error. Exceptions whose class says the message is for the client (validation and
HTTP errors) have no origin worth tracking.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

from flask_preflight.findings import Location, Severity
from flask_preflight.rules.errors import PF301
from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.context import Pending
from flask_preflight.static.python.flaskapi import is_socketio
from flask_preflight.static.python.views.callees import callee_ref, exit_specs, keyed_read, tested_keys
from flask_preflight.static.python.views.facts import GETTEXT, literal_message
from flask_preflight.static.python.views.flow import (_MAX_DEPTH, Ancestors, Hit, Predicate, _Flow, _int_const, _Origin,
                                                      _root_name, _walk_expr, search)
from flask_preflight.static.python.views.guards import Guards
from flask_preflight.static.python.views.routes import View
from flask_preflight.static.python.views.vocabulary import (BUILTIN_EXCEPTIONS, CLIENT_FACING_PACKAGES, CLIENT_FACING_RE,
                                                            INTERNAL_ERROR_PACKAGES, WERKZEUG_HTTP)

TRACEBACK_CALLS = {"traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.extract_tb",
                   "traceback.TracebackException", "traceback.TracebackException.from_exception",
                   "traceback.print_exc", "traceback.print_exception", "traceback.print_tb", "sys.exc_info"}
STRINGIFIERS = {"str", "repr", "format", "ascii", "unicode", "six.text_type", "text_type"}
DETAIL_ATTRS = {"args", "message", "msg", "strerror", "filename", "statement", "params", "pgerror", "__dict__"}
EXC_ATTRS = {"original_exception", "__cause__", "__context__", "orig"}
# Calls that render a bare exception object as text for the client.
RENDERING_CALLS = {"render_template", "render_template_string", "abort"}
# Errors raised when a value does not convert (``int("x")``, ``json.loads``, ``Decimal``, ``base64``, a regular
# expression that does not compile): raised by code that handled only the caller's own input, their message
# describes that input (``re.error`` says where the pattern is malformed: the caller's own text).
BUILTIN_CONVERSION_ERRORS = {"ValueError", "TypeError", "UnicodeDecodeError", "OverflowError"}
CONVERSION_ERRORS = {"json.JSONDecodeError", "json.decoder.JSONDecodeError", "simplejson.JSONDecodeError",
                     "decimal.InvalidOperation", "binascii.Error", "re.error", "re.PatternError",
                     "sre_constants.error"}
# HTTP error classes with a 5xx status; the other Werkzeug/Flask HTTP errors are client errors.
SERVER_ERRORS = {"InternalServerError", "NotImplemented", "BadGateway", "ServiceUnavailable", "GatewayTimeout",
                 "HTTPVersionNotSupported"}
# Packages whose functions are never the project's own (a call into one is not followed).
_NOT_PROJECT = {"flask", "werkzeug", "json", "os", "sys", "re", "datetime", "decimal", "base64", "binascii",
                "uuid", "int", "float", "str"}
# Flask helpers that announce a success and move on: they raise no ValueError/TypeError of their own
# (``url_for`` raises ``BuildError``). Not ``jsonify`` (TypeError on what it cannot encode) or a template
# render (a filter may raise anything).
QUIET_HELPERS = {"flask.flash", "flask.redirect", "flask.url_for"}
# The project-index reference of "what some Celery task of the project returned" (views/project.py).
CELERY_RESULT = "celery:task-result"
# Flask-SocketIO's way of answering a client: an emitted event is a response.
SOCKET_SENDS = {"flask_socketio.emit", "flask_socketio.send"}
# ``flash(msg)`` stores the message in the session, which Flask's default session keeps in a signed (not
# encrypted) cookie sent with the response; the next page that calls ``get_flashed_messages()`` shows it.
FLASH_CALLS = {"flask.flash", "flask.helpers.flash"}


@dataclass
class _ExcContext:
    """What PF301 knows about one view: its def-use facts, where exceptions come from, a 500 handler's parameter."""

    flow: _Flow
    origins: List[_Origin]
    param500: Optional[str]


class ExceptionLeaks(Guards):
    """PF301's judgement over the views the route model found."""

    def _origins(self, view: View, flow: _Flow) -> List[_Origin]:
        origins: List[_Origin] = []
        tries = {id(h): stmt for stmt in flow.stmts for h in getattr(stmt, "handlers", []) or []}
        params = self._url_params(view)
        for h in flow.handlers:
            if not h.name or not h.body or self._client_facing(h.type):
                continue
            caught = self._src(h.type) if h.type is not None else "BaseException"
            try_stmt = tries.get(id(h))
            validation = try_stmt is not None and self._conversion_error(h.type) and \
                self._only_request_input(try_stmt, flow, params)
            signalled: Tuple[str, ...] = ()
            if try_stmt is not None and not validation and self._conversion_error(h.type):
                signalled = self._signalling_calls(try_stmt, flow, params, self._builtin_names(h.type))
            origins.append(_Origin(h.name, h.body[0].lineno, h.body[-1].end_lineno or h.body[-1].lineno,
                                   f"the exception caught by `except {caught} as {h.name}` (line {h.lineno})",
                                   validation=validation, classes=self._caught_classes(h.type, view.node),
                                   signals=signalled))
        if view.handler in ("catchall", "specific"):
            param = self._first_param(view)
            if param:
                fn = view.node
                origins.append(_Origin(param, fn.lineno, fn.end_lineno or fn.lineno,
                                       "the exception passed to the handler",
                                       catchall=view.handler == "catchall"))
        return origins

    def _caught_classes(self, node: Optional[ast.expr], fn: Optional[ast.AST] = None) -> Tuple[str, ...]:
        """Qualified names of the caught classes, or () when one is a builtin (``Exception``, ``KeyError``) or
        cannot be named: only the project can say whether the others are its own fixed-message exceptions.
        A class imported inside the view (``from .errors import MyError`` in the function) is named too."""
        elts = node.elts if isinstance(node, ast.Tuple) else [node] if node is not None else []
        out: List[str] = []
        for e in elts:
            q = self.model.qualname(e) or ""
            if isinstance(e, ast.Name) and e.id not in self.model.module_scope.bindings and fn is not None:
                q = self._local_import(fn, e.id) or q
            if not q or (q in BUILTIN_EXCEPTIONS and q not in self.model.module_scope.bindings):
                return ()
            if "." not in q and self.model.module_name:
                q = f"{self.model.module_name}.{q}"
            out.append(q)
        return tuple(out)

    def _local_import(self, fn: ast.AST, name: str) -> Optional[str]:
        """The target of an import inside ``fn`` that binds ``name``."""
        for stmt in walk_nodes(fn):
            if isinstance(stmt, ast.ImportFrom):
                base = self.model.resolve_relative(stmt.module, stmt.level)
                for alias in stmt.names:
                    if (alias.asname or alias.name) == name and alias.name != "*":
                        return f"{base}.{alias.name}" if base else alias.name
        return None

    def _url_params(self, view: View) -> Set[str]:
        args = view.node.args
        return {a.arg for a in list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)} - {"self", "cls"} \
            if view.route or view.socket else set()

    def _conversion_error(self, node: Optional[ast.expr]) -> bool:
        """``except ValueError`` / ``except (TypeError, json.JSONDecodeError)``: only conversion errors."""
        if node is None:
            return False
        if isinstance(node, ast.Tuple):
            return bool(node.elts) and all(self._conversion_error(e) for e in node.elts)
        q = self.model.qualname(node) or ""
        if q in BUILTIN_CONVERSION_ERRORS:
            return q not in self.model.module_scope.bindings
        return q in CONVERSION_ERRORS

    def _only_request_input(self, try_stmt: ast.stmt, flow: _Flow, params: Set[str]) -> bool:
        """Every call the ``try`` body makes works on the caller's own data (``int(request.args["n"])``,
        ``json.loads(request.data)``, ``upload(file=f, **form)`` with both taken from the request): nothing
        else - a database, a file, another service - can be behind the error."""
        calls = self._try_calls(try_stmt)
        return calls is not None and bool(calls) and \
            all(self._request_call(call, stmt, flow, params) for call, stmt in calls)

    def _try_calls(self, try_stmt: ast.stmt) -> Optional[List[Tuple[ast.Call, ast.stmt]]]:
        """The calls of a ``try`` body with their statements; None when it defines a function or lambda."""
        out: List[Tuple[ast.Call, ast.stmt]] = []
        for stmt in getattr(try_stmt, "body", []):
            for node in walk_nodes(stmt):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    return None
                if isinstance(node, ast.Call):
                    out.append((node, stmt))
        return out

    def _request_call(self, node: ast.Call, stmt: ast.stmt, flow: _Flow, params: Set[str]) -> bool:
        """A call that reads the request or works only on values taken from it (or on constants)."""
        if self._request_data(node, (), stmt, params) is not None or \
                isinstance(node.func, ast.Attribute) and self._is_request(node.func.value):
            return True  # request.get_json() / parse_args(): reading the request itself
        from_request = lambda n, ancestors, use: self._request_data(n, ancestors, use, params)  # noqa: E731
        inputs: List[ast.AST] = list(node.args) + [k.value for k in node.keywords]
        if isinstance(node.func, ast.Attribute) and _root_local(node.func.value, flow):
            inputs.append(node.func.value)  # data.get("n"): the receiver is an input too
        if not inputs:
            return False
        for value in inputs:
            value = value.value if isinstance(value, ast.Starred) else value
            if not isinstance(value, ast.Constant) and not search(flow, value, stmt, from_request):
                return False
        return True

    def _builtin_names(self, node: Optional[ast.expr]) -> Tuple[str, ...]:
        elts = node.elts if isinstance(node, ast.Tuple) else [node] if node is not None else []
        names = [self.model.qualname(e) or "" for e in elts]
        return tuple(n for n in names if n in BUILTIN_EXCEPTIONS)

    def _signalling_calls(self, try_stmt: ast.stmt, flow: _Flow, params: Set[str],
                          caught: Tuple[str, ...]) -> Tuple[str, ...]:
        """``try: token = auth.login(**args) except ValueError as e``: when every call of the ``try`` body
        reads the request or calls a function by its module-level name (imported, or defined here), those
        functions as "module.function|ValueError" for the project index to check that each raises the caught
        class itself with a message it wrote. A method of a local object, a database session or any other
        call leaves the error's source open: ()."""
        calls = self._try_calls(try_stmt)
        if not calls or not caught:
            return ()
        out: List[str] = []
        for call, stmt in calls:
            q = self.model.qualname(call.func) or ""
            local = isinstance(call.func, ast.Name) and call.func.id in self.model.functions
            if local and self.model.module_name:
                q = f"{self.model.module_name}.{call.func.id}"
            if not local and (q in QUIET_HELPERS or q.rsplit(".", 1)[-1] in GETTEXT or _literal_format(call)):
                continue  # the success message and redirect after the call: they raise no conversion error
            if q and (local or "." in q) and q.split(".")[0] not in _NOT_PROJECT and \
                    (local or self._imported_root(call.func)):
                out.append(f"{q}|{','.join(caught)}")
            elif not self._request_call(call, stmt, flow, params):
                return ()
        return tuple(sorted(set(out)))

    def _imported_root(self, func: ast.expr) -> bool:
        """``login`` / ``auth.login`` whose first name is bound by an import of this module."""
        root = _root_name(func)
        b = self.model.module_scope.bindings.get(root or "")
        return bool(b) and b[-1].kind == "import"

    def _status(self, at: ast.AST, stmt: ast.stmt) -> Optional[int]:
        """The HTTP status a sink answers with: ``(body, 400)``, ``abort(400, ...)``, ``raise BadRequest(...)``;
        200 for a plain return, None when it cannot be told."""
        if isinstance(at, ast.Call):  # abort(code, ...)
            return _int_const(at.args[0]) if at.args else None
        if isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call):
            if self._simple(stmt.exc.func) == "abort":
                return _int_const(stmt.exc.args[0]) if stmt.exc.args else None
            return 500 if self._simple(stmt.exc.func) in SERVER_ERRORS | {"HTTPException"} else 400
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            value = stmt.value
            if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
                return _int_const(value.elts[1])
            if isinstance(value, ast.Call) and self._simple(value.func) == "make_response" and len(value.args) >= 2:
                return _int_const(value.args[1])
            return 200
        if isinstance(stmt, ast.Expr):
            return 200  # an emitted Socket.IO event
        return None

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
            if q == "vars" and len(node.args) == 1 and "vars" not in self.model.module_scope.bindings:
                origin = self._exc(node.args[0], use, ctx)
                if origin is not None:
                    return Hit(node, f"`{self._src(node, 40)}`", "detail", origin)
            serializer = self._serializer(node.func)
            if serializer is not None:
                for arg in node.args[:1]:
                    origin = self._exc(arg, use, ctx)
                    if origin is not None:
                        helper = None if serializer == "" else serializer
                        return Hit(node, f"`{self._src(node, 40)}`", "detail", origin, helper=helper)
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

    def _serializer(self, func: ast.expr) -> Optional[str]:
        """"" for a function of this module that returns all of its argument's attributes (``facts.serializers``),
        the qualified name of an imported function (the project index decides whether it does), else None."""
        if not isinstance(func, ast.Name):
            return None
        facts = self.ctx.view_facts
        if func.id in self.model.functions and facts is not None and func.id in facts.serializers:
            return ""
        b = self.model.module_scope.bindings.get(func.id)
        if b and b[-1].kind == "import" and b[-1].target and "." in b[-1].target and \
                b[-1].target.split(".")[0] not in ("flask", "werkzeug", "json", "traceback", "logging", "sys"):
            return b[-1].target
        return None

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
        calls_project = any(isinstance(n, ast.Call) and (self._project_callee(n) or self._task_result(n))
                            for n in walk_nodes(view.node))
        if not ctx.origins and not ctx.param500 and not has_tb and not calls_project:
            return

        def pred(node: ast.AST, ancestors: Ancestors, use: ast.stmt) -> Optional[Hit]:
            hit = self._leak(node, ancestors, use, ctx)
            return hit if hit is not None or not calls_project else self._callee_hit(node, use, flow)
        keywords = self._template_keywords(view.node)
        for stmt in flow.stmts:
            sinks: List[Tuple[ast.AST, ast.AST]] = []  # (where to report, what to search)
            if view.socket_helper_of or view.request_helper:  # its return goes to its caller; its emits go out
                if isinstance(stmt, (ast.Return, ast.Expr)) and stmt.value is not None:
                    sinks += [(stmt, node) for node, _ in _walk_expr(stmt.value)
                              if isinstance(node, ast.Call) and self._socket_send(node) and
                              (not view.request_helper or self._outside_event(node))]
            elif view.stream_of is not None:  # Werkzeug sends what the generator yields; its return is dropped
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Yield, ast.YieldFrom)) and \
                        stmt.value.value is not None:
                    sinks.append((stmt, stmt.value.value))
            elif isinstance(stmt, ast.Return) and stmt.value is not None:
                sinks.append((stmt, stmt.value))
            elif isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call) and (
                    self._http_exception(stmt.exc.func) or self._simple(stmt.exc.func) == "abort"):
                sinks.append((stmt, stmt.exc))
            elif isinstance(stmt, ast.Expr):
                for node, _ in _walk_expr(stmt.value):
                    if isinstance(node, ast.Call) and self._simple(node.func) == "abort":
                        sinks.append((node, node))
                    elif isinstance(node, ast.Call) and self._socket_send(node):
                        sinks.append((stmt, node))
                    elif isinstance(node, ast.Call) and self._flash(node):
                        sinks.append((node, node.args[0] if node.args else node))
            for at, expr in sinks:
                hits = self._search_sink(flow, expr, stmt, pred, keywords)
                callees = [h for h in hits if h.grade == "callee"]  # decided by the project index
                hits = [h for h in hits if h.grade != "callee"]
                # a flashed message is the page's notice to the user, like a 4xx body
                client_error = bool(hits) and self._client_error(at, stmt)
                if client_error and all(h.origin is not None and h.origin.validation for h in hits):
                    hits = []  # the caller's own bad input, answered as a client error
                signalled: Tuple[str, ...] = ()
                if client_error and hits and all(h.origin is not None and h.origin.signals for h in hits):
                    signalled = tuple(sorted({s for h in hits for s in h.origin.signals}))  # type: ignore[union-attr]
                if hits:
                    self._report301(view, stmt, at, hits, signalled)
                elif callees:
                    self._report_callees(view, at, callees)

    def _search_sink(self, flow: _Flow, expr: ast.AST, stmt: ast.stmt, pred: Predicate,
                     keywords: Dict[int, str]) -> List[Hit]:
        """The hits of one sink; a value that reaches it only as a keyword of ``render_template("t.html", ...)``
        is tagged with "t.html|key" (shown only if the template names it), one under a keyword a literal
        ``render_template_string`` source never names with "|key" (shown only through Python code that reads
        the context)."""
        reached: List[Tuple[ast.AST, ast.stmt]] = []
        hits = search(flow, expr, stmt, pred, skip=set(keywords) or None, skipped=reached)
        done: Set[int] = set()
        while reached:
            kw, use = reached.pop()
            if id(kw) in done or id(kw) not in keywords:
                continue
            done.add(id(kw))
            for hit in search(flow, kw.value, use, pred, skip=set(keywords), skipped=reached):  # type: ignore[attr-defined]
                hit.template = hit.template or keywords[id(kw)]
                hits.append(hit)
        return hits

    def _template_keywords(self, fn: ast.AST) -> Dict[int, str]:
        """The context keywords of the view's template renders whose template is named by a literal:
        ``render_template("error.html", error_message=...)`` -> "error.html|error_message";
        ``render_template_string("<p>{{ a }}</p>", b=...)`` -> "|b" (the source never names ``b``)."""
        out: Dict[int, str] = {}
        for node in walk_nodes(fn):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and
                    isinstance(node.args[0].value, str)):
                continue
            q = self.model.qualname(node.func) or ""
            if q in ("flask.render_template", "flask.templating.render_template"):
                for kw in node.keywords:
                    if kw.arg:
                        out[id(kw)] = f"{node.args[0].value}|{kw.arg}"
            elif q in ("flask.render_template_string", "flask.templating.render_template_string"):
                source = node.args[0].value
                if not re.search(r"\b(?:extends|include|import)\b|\{%[-+]?\s*debug\b", source):
                    for kw in node.keywords:
                        if kw.arg and not re.search(rf"\b{re.escape(kw.arg)}\b", source):
                            out[id(kw)] = f"|{kw.arg}"
        return out

    def _socket_send(self, call: ast.Call) -> bool:
        """``emit("error", {...})`` / ``send(...)`` from Flask-SocketIO, or ``socketio.emit(...)``: the event goes
        to the client (or a whole room) just as a response would."""
        q = self.model.qualname(call.func) or ""
        if q in SOCKET_SENDS:
            return True
        func = call.func
        return isinstance(func, ast.Attribute) and func.attr in ("emit", "send") and \
            is_socketio(self.model, func.value, self.model.module_scope, call.lineno)

    def _outside_event(self, call: ast.Call) -> bool:
        """A Socket.IO send that works in a plain HTTP request too: ``socketio.emit(...)`` on the server object
        (broadcast unless ``to`` names a room), or Flask-SocketIO's ``emit``/``send`` with ``broadcast=True``,
        ``to=`` or ``room=``. A bare ``emit(...)`` needs the event's ``request.sid`` and fails in a view."""
        q = self.model.qualname(call.func) or ""
        if q not in SOCKET_SENDS:
            return True  # socketio.emit(...): Flask-SocketIO's server-level emit
        return any(k.arg in ("to", "room") or k.arg == "broadcast" and not (isinstance(k.value, ast.Constant) and
                                                                          not k.value.value) for k in call.keywords)

    def _client_error(self, at: ast.AST, stmt: ast.stmt) -> bool:
        """The sink answers with a 4xx status, or flashes a notice for the next page."""
        status = 400 if self._flash(at) else self._status(at, stmt)
        return status is not None and 400 <= status < 500

    def _flash(self, node: ast.AST) -> bool:
        """``flash(str(e))`` / ``flask.flash(...)``: the message goes to the client with the session."""
        return isinstance(node, ast.Call) and (self.model.qualname(node.func) or "") in FLASH_CALLS

    def _task_result(self, node: ast.AST) -> bool:
        """``celery_app.AsyncResult(task_id)`` / ``AsyncResult(id, app=...)`` / ``task.delay(...)``: a handle on
        a Celery task's result."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("AsyncResult", "delay", "apply_async"):
            return True
        return (self.model.qualname(func) or "") in ("celery.result.AsyncResult", "celery.AsyncResult")

    def _task_result_hit(self, node: ast.AST, use: ast.stmt, flow: _Flow) -> Optional[Hit]:
        """``task.info`` / ``task.result`` / ``task.get()`` of a Celery result handle: what a task of the project
        returned (or stored with ``update_state(meta=...)``), decided by the project index; ``task.traceback``
        is the worker's traceback itself."""
        attr = node.attr if isinstance(node, ast.Attribute) else \
            node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "get" and not node.args else ""
        if attr not in ("info", "result", "get", "traceback"):
            return None
        handle = node.value if isinstance(node, ast.Attribute) else node.func.value  # type: ignore[attr-defined]
        if isinstance(handle, ast.Name):
            defs = [d for d in flow.reaching(handle.id, use) if d.dominating]
            handle = defs[0].value if len(defs) == 1 else handle
        if not self._task_result(handle):
            return None
        if attr == "traceback":
            return Hit(node, f"the Celery worker's traceback (`{self._src(node, 40)}`)", "traceback")
        return Hit(node, f"`{self._src(node, 40)}` (what a Celery task returned)", "callee", helper=CELERY_RESULT)

    def _callee_hit(self, node: ast.AST, use: ast.stmt, flow: _Flow) -> Optional[Hit]:
        """What a project function returned, in the response: the call itself (``jsonify(svc.get())``, or
        a local assigned from it and returned whole) or one key of it (``result["error"]``)."""
        task = self._task_result_hit(node, use, flow)
        if task is not None:
            return task
        keyed = keyed_read(node)
        if keyed is not None:
            for d in flow.reaching(keyed[0], use):
                if d.dominating and isinstance(d.value, ast.Call):
                    ref = self._project_callee(d.value)
                    if ref is not None:
                        # the view's early exits on the result: the text's return may never get this far
                        exits = exit_specs(flow, keyed[0], flow.exit_tests(keyed[0], d, use))
                        guard = f"<{';'.join(exits)}>" if exits else ""
                        return Hit(node, f"`{self._src(node, 40)}` (what `{self._src(d.value, 40)}` returned)",
                                   "callee", helper=f"{ref}[{keyed[1]}]{guard}")
            return None
        if isinstance(node, ast.Call):
            ref = self._project_callee(node)
            if ref is not None:
                return Hit(node, f"what `{self._src(node, 40)}` returns", "callee", helper=ref)
        return None

    def _project_callee(self, call: ast.Call) -> Optional[str]:
        """``user_tb.add_user(data)`` -> the project function it may run (``callees.callee_ref``)."""
        ref = callee_ref(self.model, call)
        return ref if ref is not None and ref.split(".")[0] not in _NOT_PROJECT | INTERNAL_ERROR_PACKAGES else None

    def _report301(self, view: View, stmt: ast.stmt, at: ast.AST, hits: List[Hit],
                   signalled: Tuple[str, ...] = ()) -> None:
        direct = [h for h in hits if h.helper is None]
        if not direct:  # only through imported helpers: reported if one of them serializes the exception
            self._report_helpers(view, stmt, at, hits)
            return
        hits = direct

        def rank(h: Hit) -> int:
            return 2 if h.grade == "traceback" else 1 if h.origin is not None and h.origin.catchall else 0
        hit = max(hits, key=rank)
        sev = Severity.HIGH if rank(hit) > 0 else Severity.MEDIUM
        who = f"Error handler `{view.name}` (for {view.handler_for})" if view.handler else \
            f"`{view.name}`, which Socket.IO handler `{view.socket_helper_of}` calls," if view.socket_helper_of else \
            f"`{view.name}`, which a view calls," if view.request_helper else \
            f"Generator `{view.name}`, which view `{view.stream_of.name}` streams," if view.stream_of else \
            f"`{view.name}`, the wrapper decorator `@{view.wraps}` serves in place of the views it decorates," \
            if view.wraps else \
            f"Socket.IO handler `{view.name}`" if view.socket and not view.route else \
            f"before_request hook `{view.name}`" if view.hook and not view.route else f"View `{view.name}`"
        subject = hit.label
        if hit.grade == "detail" and hit.origin is not None:
            subject += f" of {hit.origin.describe}"
        sink_line = getattr(at, "lineno", 0)
        line = getattr(hit.node, "lineno", sink_line)
        via = f" through `{hit.via.name}` (line {line})" if hit.via is not None and line != sink_line else ""
        sink = "is flashed to the client (stored in the session cookie and shown by the next page it renders)" \
            if self._flash(at) else \
            "becomes the `abort()` description" if isinstance(at, ast.Call) else \
            "becomes the HTTP error's description" if isinstance(at, ast.Raise) else \
            "is streamed to the client as part of the response body" if view.stream_of is not None else \
            "is emitted to Socket.IO clients" if isinstance(at, ast.Expr) and view.request_helper else \
            "is emitted to the Socket.IO client" if isinstance(at, ast.Expr) else "reaches the response"
        note = ""
        debug_only = self._debug_condition(self.sites.get(id(stmt)))
        if not debug_only and all(h.debug_only for h in hits):
            debug_only = hit.debug_only
        if debug_only:
            sev = Severity.LOW
            note = f" This only happens when `{debug_only}`, which must never be true in production."
        else:
            sev, note = self._reach(view, sev)
        message = (f"{who} sends exception details to the client: {subject}{via} {sink}; error messages and "
                   f"tracebacks reveal SQL, file paths, hosts and library versions.{note}")
        related = (self.ctx.location(hit.node),) if line != sink_line else ()
        classes = tuple(sorted({c for h in hits for c in (h.origin.classes if h.origin is not None else ())}))
        findings, pending = len(self.ctx.result.findings), len(self.ctx.result.pending)
        self._emit301(at, message, sev, related, hits, classes, signalled)
        if all(h.template for h in hits):  # only as template keywords: shown if a template names one
            templates = tuple(sorted({h.template for h in hits}))
            for p in self.ctx.result.pending[pending:]:
                p.templates = templates
            moved = self.ctx.result.findings[findings:]
            del self.ctx.result.findings[findings:]
            self.ctx.result.pending += [Pending(f, "", (), "", templates) for f in moved]

    def _emit301(self, at: ast.AST, message: str, sev: Severity, related: Tuple[Location, ...], hits: List[Hit],
                 classes: Tuple[str, ...], signalled: Tuple[str, ...]) -> None:
        if signalled:
            self._emit_unless("literal-signals", signalled, PF301, at, message, sev, related=related)
        elif all(h.origin is not None and h.origin.classes for h in hits):
            self._emit_unless("fixed-message", classes, PF301, at, message, sev, related=related)
        else:
            self.ctx.emit(PF301, at, message, sev, related=related)


    def _reach(self, view: View, sev: Severity) -> Tuple[Severity, str]:
        """Low, with a note, when only administrators reach the view: the text goes to the operator who
        configures what failed, not to an anonymous prober."""
        admin = self._administrators_only(view.stream_of or view)
        if admin is None:
            return sev, ""
        return Severity.LOW, (f" Only administrators reach this route (`{admin}`), so the text goes to the "
                              f"operator; still, log it and show a summary.")

    def _report_callees(self, view: View, at: ast.AST, hits: List[Hit]) -> None:
        """``return jsonify(error=result["error"])`` where ``result = user_tb.add_user(data)``: the finding stands
        only if the project index finds that one of the functions returns a caught exception's text."""
        refs_set: Set[str] = set()
        for h in hits:
            if h.helper == CELERY_RESULT:
                refs_set.add(h.helper)
            elif h.helper and "[" not in h.helper:  # "ref[key]" or "ref[key]<exits>" read one key
                # the whole value: "{keys}" are those the view looks for on it (its error test)
                tested = tested_keys(view.node, h.via.name) if h.via is not None else set()
                refs_set.add(f"{h.helper}{{{','.join(sorted(tested))}}}")
            elif h.helper:
                refs_set.add(h.helper)
        refs = tuple(sorted(refs_set))
        hit = min(hits, key=lambda h: 0 if h.helper and "[" in h.helper else 1)
        if hit.via is None and getattr(hit.node, "lineno", 0):
            at = hit.node  # the key read or the call in the returned expression: where the text enters
        who = f"Error handler `{view.name}` (for {view.handler_for})" if view.handler else f"View `{view.name}`"
        names = ", ".join(sorted({"a Celery task of the project" if r == CELERY_RESULT else
                                  f"`{r.split('[')[0].split('{')[0].rsplit('.', 1)[-1]}`" for r in refs}))
        whose = names if len(refs) == 1 else f"one of {names}"
        message = (f"{who} sends exception details to the client: {hit.label} reaches the response, and {whose} "
                   f"returns the text of an exception it caught (`str(e)` of a database or library error) "
                   f"instead of raising; error messages reveal SQL, file paths, hosts and library versions.")
        sev, note = self._reach(view, Severity.MEDIUM)
        related = (self.ctx.location(hit.node),) if getattr(hit.node, "lineno", 0) != getattr(at, "lineno", 0) else ()
        self._emit_unless("no-leaky-callee", refs, PF301, at, message + note, sev, related=related)

    def _report_helpers(self, view: View, stmt: ast.stmt, at: ast.AST, hits: List[Hit]) -> None:
        """``return error(errors=[object_to_json(e)])`` with ``object_to_json`` from another module: the finding
        stands only if the project index finds that function returns every attribute of its argument."""
        hit = hits[0]
        who = f"Error handler `{view.name}` (for {view.handler_for})" if view.handler else f"View `{view.name}`"
        described = f" of {hit.origin.describe}" if hit.origin is not None else ""
        sev = Severity.HIGH if hit.origin is not None and hit.origin.catchall else Severity.MEDIUM
        message = (f"{who} sends exception details to the client: {hit.label}{described} serializes every attribute "
                   f"of the exception (`{hit.helper}` encodes its `__dict__`), which for database and HTTP client "
                   f"errors includes the SQL statement, its parameters, hosts and URLs.")
        refs = tuple(sorted({h.helper for h in hits if h.helper}))
        related = (self.ctx.location(hit.node),) if getattr(hit.node, "lineno", 0) != getattr(at, "lineno", 0) else ()
        sev, note = self._reach(view, sev)
        self._emit_unless("no-serializer", refs, PF301, at, message + note, sev, related=related)


def _root_local(node: ast.expr, flow: _Flow) -> bool:
    """``data`` in ``data.get("n")`` when ``data`` is a local of the view (not a module like ``json``)."""
    name = _root_name(node)
    return name is not None and name in flow.defs


def _literal_format(call: ast.Call) -> bool:
    """``"Stored {}".format(name)`` / ``_("Stored {}").format(name)``: a message the project wrote (a bad
    template's own error would describe that template, not data)."""
    return isinstance(call.func, ast.Attribute) and call.func.attr == "format" and literal_message(call.func.value)
