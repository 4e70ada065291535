"""Whether a route is protected: auth decorators, checks at the top of the body, ``before_request`` hooks,
and registrations that only happen in debug mode.

A guard is recognised by what it does (aborts with 401/403, checks ``current_user``, redirects to a login
page) or by an auth-looking name; a route that only answers when debug is on is still reachable whenever
debug gets switched on, so those gates are reported, with a lower severity, rather than trusted.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple, Union

from flask_preflight.static.python.context import Context
from flask_preflight.static.python.model import Scope, Site
from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.views.flow import FuncDef, Hit, _Flow, _int_const
from flask_preflight.static.python.views.routes import HANDLER_DECORATORS, HOOK_NAMES, ROUTE_DECORATORS, RouteModel, View


# "protect", "secure" and "restrict" alone name CSRF and header helpers (csrf_protect, secure_headers), not auth.
AUTH_NAME_RE = re.compile(r"login|auth|admin|role|permission|token|jwt|api_?key|credential|signin|scope|"
                          r"whitelist|allowlist|localhost|local_only|internal_only",
                          re.IGNORECASE)
AUTH_TEST_RE = re.compile(r"current_user|is_authenticated|is_admin|is_anonymous|is_staff|is_superuser|session|"
                          r"authoriz|token|api_?key|password|secret|remote_addr|access_route|\bg\.user|jwt|"
                          r"permission|role", re.IGNORECASE)
LOGIN_URL_RE = re.compile(r"login|signin|sign_in|auth", re.IGNORECASE)
# An administrator role named in a decorator or an access test (``Permission.ADMINISTER`` included).
ADMIN_RE = re.compile(r"admin|superuser|is_staff|staff_required", re.IGNORECASE)
DEBUG_COND_RE = re.compile(r"debug|testing|development|\bdev\b|flask_env|\benv\b", re.IGNORECASE)


class Guards(RouteModel):
    """The auth model of a module's routes (shared by PF310's judgement and PF301's debug-only test)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._guard_cache: Dict[int, bool] = {}

    def _administrators_only(self, view: View) -> Optional[str]:
        """The check that lets only administrators reach a view: a decorator naming an administrator role
        (``@admin_required``, ``@roles_required("admin")``, ``@permission_required(Permission.ADMIN)``) or an
        ``if not current_user.is_admin: abort(403)`` at the top of its body; None for any other view."""
        if not view.route:
            return None
        for dec in self._view_decorators(view):
            src = self._src(dec, 80)
            if ADMIN_RE.search(src):
                return f"@{src}"
        for stmt in view.node.body[:3]:
            # `if not current_user.is_admin: abort(403)`; not `if not admin and user.id != id:`, which lets
            # the owner in too
            test = stmt.test if isinstance(stmt, ast.If) else None
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and \
                    not any(isinstance(n, ast.BoolOp) for n in walk_nodes(test)) and \
                    self._aborts(stmt.body) and ADMIN_RE.search(self._segment(test.operand)):  # type: ignore[union-attr]
                return f"if {self._src(test, 60)}: ..."
        return None

    def _view_decorators(self, view: View) -> List[ast.expr]:
        """The view's own decorators, its class's, and a class's ``decorators``/``method_decorators`` list."""
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
        return decorators

    def _guarded(self, view: View, flow: _Flow, exposures: List[Hit], runs: List[Tuple[str, Hit, ast.Call]]) -> bool:
        for dec in self._view_decorators(view):
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


def _first_line(exposures: List[Hit], runs: List[Tuple[str, Hit, ast.Call]]) -> int:
    """The first line where a view exposes or runs something; auth checks must come before it."""
    return min([getattr(h.node, "lineno", 10 ** 9) for h in exposures] + [c.lineno for _, _, c in runs] + [10 ** 9])

