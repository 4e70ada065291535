"""PF310: routes that expose internals (environment, config, versions) or evaluate request data, unguarded.

What a route returns is searched for whole sensitive objects (a single key is not an exposure); what it
passes to ``eval``/``subprocess``/``pickle`` is searched for request data. A diagnostic-looking URL alone
is reported only when the route returns something computed.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.errors import PF310
from flask_preflight.static.python.context import Context
from flask_preflight.static.python.flaskapi import config_receiver
from flask_preflight.static.python.model import Scope
from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.views.flow import (_MAX_DEPTH, SINGLE_KEY_ATTRS, Ancestors, Hit, _Def, _Flow, _own_exprs,
                                                      _walk_expr, search)
from flask_preflight.static.python.views.facts import qualify
from flask_preflight.static.python.views.guards import Guards, _first_line
from flask_preflight.static.python.views.routes import View, _Span

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
DIAGNOSTIC_SEGMENTS = {"debug", "__debug__", "_debug", "console", "env", "environ", "environment", "config",
                       "shell", "_internal", "phpinfo", "exec", "eval"}
WEAK_SEGMENTS = {"config", "env", "environment"}
LITERAL_WRAPPERS = {"jsonify", "make_response", "Response", "dict", "list", "str", "int", "float", "bool",
                    "render_template", "redirect", "url_for", "json.dumps", "dumps"}
# Calls whose result carries their argument whole (a serialisation or a copy of it): `jsonify(app.config)` is
# the config, `search(app.config, query)` is whatever the helper computes with it.
PASS_THROUGH = {"jsonify", "make_response", "Response", "dict", "list", "tuple", "str", "repr", "format", "sorted",
                "OrderedDict", "copy", "deepcopy", "dumps", "dump", "safe_dump", "pformat", "render_template",
                "render_template_string", "to_dict"}
# Methods of a dict (Flask's Config is one) that hand over every key; any other attribute read is one key.
WHOLE_DICT_METHODS = {"items", "values", "keys", "copy", "__iter__", "__repr__", "__str__", "to_dict"}
# Methods of the request's own data that give back (part of) what the caller sent.
ECHO_METHODS = {"items", "values", "keys", "copy", "get", "getlist", "to_dict", "get_json", "get_data", "lower",
                "upper", "strip"}
# Helpers that return the caller's own address (`get_ip()`, `get_remote_addr()`), as request.remote_addr does.
CLIENT_ADDRESS_RE = re.compile(r"^(get_)?(client_|remote_|real_|user_|request_)?(ip|addr|address|ip_addr(ess)?)$",
                               re.IGNORECASE)
# Parts of the request that are not the caller's own data: the WSGI environ carries server variables.
SERVER_REQUEST_ATTRS = {"environ"}
_TYPED_PARAM_RE = re.compile(r"<(int|float|uuid)(\([^)]*\))?:(\w+)>")


class DiagnosticRoutes(Guards):
    """PF310's judgement over the routes the route model found."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._literal_cache: Dict[int, bool] = {}

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

    def _exposure(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt, scope: Scope, flow: _Flow) -> Optional[Hit]:
        hit = self._exposed(node, ancestors, use, scope, flow)
        if hit is not None and hit.grade == "secret" and self._handed_to_helper(node, ancestors, use):
            return None
        return hit

    def _handed_to_helper(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt) -> bool:
        """``search(current_app.config, query)`` / ``GPGImport(current_app.config)``: the view returns what the
        helper computes with the object, not the object. A pass-through (``jsonify``, ``dict``, ``json.dumps``)
        still carries it, and so does a one-argument helper whose result is itself the response
        (``return send_result(current_app.config)``)."""
        i = len(ancestors) - 1
        while i >= 0 and isinstance(ancestors[i], (ast.keyword, ast.Starred)):
            i -= 1
        call = ancestors[i] if i >= 0 else None
        if not isinstance(call, ast.Call) or call.func is node:
            return False
        if self._simple(call.func) in PASS_THROUGH or (isinstance(call.func, ast.Name) and call.func.id in PASS_THROUGH):
            return False
        if len(call.args) + len(call.keywords) == 1 and isinstance(use, ast.Return) and all(
                isinstance(a, (ast.Tuple, ast.List, ast.Dict, ast.keyword, ast.Starred)) or
                isinstance(a, ast.Call) and self._simple(a.func) in PASS_THROUGH for a in ancestors[:i]):
            return False
        return True

    def _loop_bound(self, name: str, ancestors: Ancestors, use: ast.stmt, flow: _Flow) -> bool:
        """``[s.config for s in servers]`` / ``for app in apps:``: a loop variable over other objects, whatever
        it is called, is not the Flask app."""
        for anc in ancestors:
            if isinstance(anc, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and any(
                    isinstance(n, ast.Name) and n.id == name for g in anc.generators for n in walk_nodes(g.target)):
                return True
        return any(isinstance(d.stmt, (ast.For, ast.AsyncFor)) for d in flow.reaching(name, use))

    def _exposed(self, node: ast.AST, ancestors: Ancestors, use: ast.stmt, scope: Scope, flow: _Flow) -> Optional[Hit]:
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
                if isinstance(node.value, ast.Name) and self._loop_bound(node.value.id, ancestors, use, flow):
                    return None
                # `server.config.identifier`: Flask's Config is a dict, so any attribute but a whole-dict method
                # is either one key's method or an object that is not Flask's config at all
                if isinstance(parent, ast.Attribute) and parent.attr not in WHOLE_DICT_METHODS:
                    return None
                return None if single_key else Hit(node, f"the app configuration (`{self._src(node, 40)}`)", "secret")
            if node.attr == "environ" and self._is_request(node.value):
                return None if single_key else Hit(node, "the WSGI environment (`request.environ`)", "secret")
            if q.startswith("platform.") and not isinstance(parent, ast.Call):
                return Hit(node, f"platform details (`{self._src(node, 40)}`)", "fingerprint")
        return None

    def _literalish(self, node: Optional[ast.AST], flow: _Flow, use: ast.stmt, depth: int = 0) -> bool:
        """Nothing internal: built only from constants, module-level ALL_CAPS names (``{"version": VERSION}``)
        and the caller's own request data echoed back (``dict(request.headers)``, the client's IP address)."""
        if node is None or depth > _MAX_DEPTH:
            return node is None
        d = depth + 1
        if isinstance(node, ast.Constant) or self._echo(node):
            return True
        if isinstance(node, ast.Subscript):
            return self._literalish(node.value, flow, use, d)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ECHO_METHODS:
            return self._literalish(node.func.value, flow, use, d) and \
                all(self._literalish(a, flow, use, d) for a in node.args)
        if isinstance(node, ast.Call) and not node.args and not node.keywords and \
                CLIENT_ADDRESS_RE.match(self._simple(node.func) or ""):
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

    def _echo(self, node: ast.AST) -> bool:
        """``request.headers``, ``request.remote_addr``, ``request.args``: what the caller itself sent."""
        if not isinstance(node, ast.Attribute) or node.attr in SERVER_REQUEST_ATTRS:
            return False
        return self._is_request(node.value)

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
        expose = lambda node, ancestors, use: self._exposure(node, ancestors, use, fscope, flow)  # noqa: E731
        from_request = lambda node, ancestors, use: self._request_data(node, ancestors, use, params)  # noqa: E731
        for stmt in flow.stmts:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                # A template picks what it shows from what it is given (every template already sees
                # `config`), so values handed to one only count on a diagnostic-looking route.
                templates = [n for n, _ in _walk_expr(stmt.value) if isinstance(n, ast.Call)
                             and self._simple(n.func) in ("render_template", "render_template_string")]
                exposures += search(flow, stmt.value, stmt, expose, skip={id(t) for t in templates})
                for t in templates:
                    in_templates += search(flow, t, stmt, expose)
                literal_only = literal_only and self._literalish(stmt.value, flow, stmt)
            for expr in _own_exprs(stmt):
                for node, _ in _walk_expr(expr):
                    if not isinstance(node, ast.Call):
                        continue
                    found = self._evaluator(node)
                    if found is None:
                        continue
                    for arg in found[1]:
                        hits = search(flow, arg, stmt, from_request)
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
        # a guarding before_request hook on the blueprint (or app) may be registered in another module
        refs = tuple(sorted({q for q in (qualify(self.model, r) for r in view.receivers) if q}))
        self._emit_unless("guarded", refs, PF310, _Span(view.node), message, sev)

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

