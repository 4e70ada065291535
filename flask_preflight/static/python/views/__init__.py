"""PF301, PF310: what views and error handlers send back to clients.

Both rules need the same two things: which functions Flask calls to answer a request (``routes``: route
functions, class-based view methods, error handlers, hooks; ``guards``: which of them are protected), and
where a value in a view body comes from (``flow``: a small def-use analysis over one function). The rules'
judgements live in ``leaks`` (PF301) and ``diagnostic`` (PF310).
"""

from __future__ import annotations

import ast
from typing import List, Set

from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.context import Context, Pending, ViewFacts
from flask_preflight.static.python.flaskapi import module_imports_flask, module_imports_non_flask_framework
from flask_preflight.static.python.views.callees import callee_ref, celery_tasks, leaky_functions
from flask_preflight.static.python.views.diagnostic import DiagnosticRoutes, _diagnostic_path
from flask_preflight.static.python.views.facts import module_exceptions, qualify, serializers, signals
from flask_preflight.static.python.views.guards import AUTH_NAME_RE
from flask_preflight.static.python.views.leaks import ExceptionLeaks
from flask_preflight.static.python.views.routes import View
from flask_preflight.static.python.views.served import blueprint_only, creates_app, dotted_strings, unimportable
from flask_preflight.static.python.views.streams import decorator_wrappers, own_yields, streamed_generators

__all__ = ["AUTH_NAME_RE", "ViewChecks", "_diagnostic_path", "check"]


class ViewChecks(ExceptionLeaks, DiagnosticRoutes):
    """Both rules over one module: discover its views once, then judge each."""

    def run(self) -> None:
        exceptions, raises = module_exceptions(self.model)
        leaky, markers = leaky_functions(self.model)
        facts = self.ctx.view_facts = ViewFacts(exceptions=exceptions, raises=raises,
                                                serializers=serializers(self.model), signals=signals(self.model),
                                                leaky=leaky, leaky_markers=markers,
                                                celery_tasks=celery_tasks(self.model), creates_app=creates_app(self.model),
                                                names=dotted_strings(self.model))
        if module_imports_non_flask_framework(self.model) and not module_imports_flask(self.model):
            return
        if unimportable(self.model):  # its import stops at a NameError: no view in it is ever served
            return
        self._discover()
        self._socket_helpers()
        for receiver, hook, scope, app_wide in self.hooks:
            if self._guards(hook):
                facts.guard_hooks.append((qualify(self.model, receiver) or "", app_wide))
            self._view(hook, scope).hook = True
        served = [v for v in self.views.values() if v.route or v.handler or v.socket or v.hook]
        receivers = [r for v in served for r in v.receivers] + [r for r, _, _, _ in self.hooks]
        unregistered = not any(v.socket for v in served) and blueprint_only(self.model, receivers)
        findings, pending = len(self.ctx.result.findings), len(self.ctx.result.pending)
        for view in served:
            self._pf301(view)
            for gen in streamed_generators(self.model, view.node):
                streamed = self._view(gen, self.model.scope_of[id(gen)].parent or self.model.module_scope)
                if not (streamed.route or streamed.handler or streamed.socket or streamed.hook):
                    streamed.stream_of = view
                    self._pf301(streamed)
        if unregistered and self.model.module_name:  # PF301 stands only if some module imports this one
            for p in self.ctx.result.pending[pending:]:
                p.unserved = self.model.module_name
            moved = self.ctx.result.findings[findings:]
            del self.ctx.result.findings[findings:]
            self.ctx.result.pending += [Pending(f, "", (), self.model.module_name) for f in moved]
        facts.view_calls = {r for v in served for n in walk_nodes(v.node) if isinstance(n, ast.Call)
                            for r in (callee_ref(self.model, n),) if r}
        facts.registered_views = self._registered_elsewhere()
        facts.view_decorators = self._decorators_on(served)
        self._request_helpers(served)
        self._registered_here()
        self._wrappers()
        for view in self.views.values():
            if view.route:
                self._pf310(view)

    def _registered_elsewhere(self) -> Set[str]:
        """``bp.add_url_rule("/stations/add", "add_station", manager.add_station)``: the qualified names of the
        functions this module registers as views but does not define (the route model judges its own)."""
        out: Set[str] = set()
        for call, _site in self.model.calls:
            if not (isinstance(call.func, ast.Attribute) and call.func.attr == "add_url_rule"):
                continue
            target = next((k.value for k in call.keywords if k.arg == "view_func"),
                          call.args[2] if len(call.args) > 2 else None)
            if isinstance(target, ast.Name) and target.id in self.model.functions:
                continue
            if isinstance(target, (ast.Name, ast.Attribute)):
                ref = callee_ref(self.model, ast.Call(func=target, args=[], keywords=[]))
                if ref:
                    out.add(ref)
        return out

    def _registered_here(self) -> None:
        """The module's top-level functions that no decorator or registration of this module serves, judged as
        views: each finding stands only if another module hands the function to ``add_url_rule``."""
        for stmt in self.model.tree.body:  # type: ignore[attr-defined]
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or own_yields(stmt):
                continue
            known = self.views.get(id(stmt))
            if known is not None and (known.route or known.handler or known.socket or known.hook or
                                      known.request_helper or known.stream_of is not None):
                continue
            view = self._view(stmt, self.model.module_scope)
            findings, pending = len(self.ctx.result.findings), len(self.ctx.result.pending)
            self._pf301(view)
            for p in self.ctx.result.pending[pending:]:
                p.registered_as = stmt.name
            moved = self.ctx.result.findings[findings:]
            del self.ctx.result.findings[findings:]
            self.ctx.result.pending += [Pending(f, "", (), registered_as=stmt.name) for f in moved]

    def _decorators_on(self, served: List[View]) -> Set[str]:
        """The qualified names of the decorators on the served views, and in their resource classes'
        ``method_decorators`` / ``decorators`` lists (Flask-RESTful, MethodView)."""
        exprs: List[ast.expr] = []
        for view in served:
            exprs += view.node.decorator_list
            for stmt in view.cls.body if view.cls is not None else []:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.List, ast.Tuple)) and any(
                        isinstance(t, ast.Name) and t.id in ("method_decorators", "decorators") for t in stmt.targets):
                    exprs += stmt.value.elts
        out: Set[str] = set()
        for dec in exprs:
            target = dec.func if isinstance(dec, ast.Call) else dec
            ref = callee_ref(self.model, ast.Call(func=target, args=[], keywords=[])) \
                if isinstance(target, (ast.Name, ast.Attribute)) else None
            if ref:
                out.add(ref)
        return out

    def _wrappers(self) -> None:
        """The wrappers of the module's decorators, judged as views: each finding stands only if some
        production module puts the decorator on a view."""
        for decorator, fn in decorator_wrappers(self.model):
            known = self.views.get(id(fn))
            if known is not None:
                continue
            view = self._view(fn, self.model.scope_of[id(fn)].parent or self.model.module_scope)
            view.wraps = decorator
            findings, pending = len(self.ctx.result.findings), len(self.ctx.result.pending)
            self._pf301(view)
            for p in self.ctx.result.pending[pending:]:
                p.decorates = decorator
            moved = self.ctx.result.findings[findings:]
            del self.ctx.result.findings[findings:]
            self.ctx.result.pending += [Pending(f, "", (), decorates=decorator) for f in moved]

    def _request_helpers(self, served: List[View]) -> None:
        """Top-level functions that are no view but emit to Socket.IO clients in a way that works outside an
        event handler (``socketio.emit(...)``, ``emit(..., broadcast=True)``, ``to=``/``room=``): when a view
        runs one (``return upload_file(socketio)``), what it emits goes to those clients during the request.
        Judged like a view's emits; each finding stands only if some view of the project calls the function."""
        judged = {id(v.node) for v in self.views.values()}
        for stmt in self.model.tree.body:  # type: ignore[attr-defined]
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or id(stmt) in judged or \
                    not any(isinstance(n, ast.Call) and self._socket_send(n) and self._outside_event(n)
                            for n in walk_nodes(stmt)):
                continue
            helper = self._view(stmt, self.model.module_scope)
            helper.request_helper = True
            findings, pending = len(self.ctx.result.findings), len(self.ctx.result.pending)
            self._pf301(helper)
            for p in self.ctx.result.pending[pending:]:
                p.called_by_view = stmt.name
            moved = self.ctx.result.findings[findings:]
            del self.ctx.result.findings[findings:]
            self.ctx.result.pending += [Pending(f, "", (), "", (), stmt.name) for f in moved]


def check(ctx: Context) -> None:
    ViewChecks(ctx).run()
