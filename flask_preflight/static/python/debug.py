"""PF101-PF105: debug mode, the Werkzeug debugger and the development server, in Python source.

Every sink is graded by when it runs (see model.Reach) and whether the environment can switch it off
(see evaluate.flag_verdict). Cross-module questions (a config class imported from elsewhere) are
deferred to project.py, which sees every module's summary.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Any, Dict, List, Optional, Tuple

from flask_preflight.findings import Severity
from flask_preflight.rules.debug import PF101, PF102, PF103, PF104, PF105
from flask_preflight.static.python.context import Context, DevServerRun, Gate, reach_phrase, unset_phrase
from flask_preflight.static.python.evaluate import (UNKNOWN, ClassRef, EnvVerdict, Evaluator, ImportRef, ModuleRef,
                                                    flag_verdict, truthy)
from flask_preflight.static.python.configpick import selector_ref
from flask_preflight.static.python.configwrites import (config_writes, dict_nodes, mapping_args, outside,
                                                        subscript_key)
from flask_preflight.static.python.confighost import config_key_read
from flask_preflight.static.python.flaskapi import (config_receiver, is_dash, is_flask_app, is_socketio, module_imports_flask,
                                                   module_imports_non_flask_framework)
from flask_preflight.static.python.model import Reach, Site
from flask_preflight.static.python.runoverride import overridden_by_run

DEBUG_NAMES = re.compile(r"^(FLASK_)?(APP_)?DEBUG(_MODE)?$")
PUBLIC_HOSTS = {"0.0.0.0", "::", "", "0", "[::]", "::0", "0:0:0:0:0:0:0:0"}
RUN_SIMPLE = {"werkzeug.serving.run_simple", "werkzeug.run_simple"}
DEBUGGED_APP = {"werkzeug.debug.DebuggedApplication", "werkzeug.DebuggedApplication"}
PIN_VAR = "WERKZEUG_DEBUG_PIN"
INSTANCE_PREFIX = "@instance/"
FLASK_SCRIPT_SERVER = {"flask_script.Server", "flask_script.commands.Server"}
# Values deployment files give debug switches; env-driven debug arguments are evaluated for each.
ENV_SAMPLES = ("1", "0", "true", "false", "True", "False", "yes", "no", "on", "off", "development", "production",
               "debug", "dev", "prod")


def _arg(call: ast.Call, name: str, pos: Optional[int], star: Optional[Dict[str, ast.expr]] = None) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if star and name in star:
        return star[name]
    if pos is not None and len(call.args) > pos and not any(isinstance(a, ast.Starred) for a in call.args[: pos + 1]):
        return call.args[pos]
    return None


def _gate_suffix(gate: Gate) -> str:
    if gate.reached is True and gate.env_names:
        return f" (this branch is taken when {unset_phrase(gate.env_names)})"
    if gate.conditional_unknown:
        return f" (inside {gate.describe()})"
    return ""


class DebugChecks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self._defaults: Tuple[Tuple[str, str, str], ...] = ()

    def run(self) -> None:
        for call, site in self.model.calls:
            self._call(call, site)
        self._config_writes()
        for stmt, site in self.model.statements:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                self._environ_assignments(stmt, site)

    # ---- debug value sinks ------------------------------------------------------------------
    def _debug_sink(self, value: ast.expr, site: Site, what: str, *, is_run: bool = False,
                    at: Optional[ast.AST] = None) -> bool:
        """Report PF101/PF105 for a value that becomes Flask's debug flag. Returns True if debug is on."""
        gate = self.ctx.gate(site)
        if gate.skip:
            return False
        src = self._src(value)
        what = what.replace("{src}", src)
        verdict = flag_verdict(self.model, value, site.scope, value.lineno)
        if isinstance(verdict.unset, ImportRef) and not verdict.env_driven:
            sev = self._debug_severity(site, gate, is_run)[0]
            self.ctx.defer("sink", verdict.unset.qualname, PF101, value, sev, f"{what} {reach_phrase(site)}", site)
            return False
        if not verdict.env_driven:
            if truthy(verdict.unset):
                sev, note = self._debug_severity(site, gate, is_run)
                resolved = "" if isinstance(value, ast.Constant) else f" ({src} is {verdict.unset!r})"
                self.ctx.emit(PF101, at or value, f"Debug mode is enabled by {what}{resolved} {note}"
                                            f"{_gate_suffix(gate)}.", sev)
                return True
            return False
        return self._fail_open(value, verdict, site, gate, what, raw_string_is_bug=True, at=at)

    def _src(self, node: ast.AST, limit: int = 40) -> str:
        text = self.ctx.segment(node) or "..."
        text = " ".join(text.split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def _debug_severity(self, site: Site, gate: Gate, is_run: bool) -> Tuple[Severity, str]:
        if site.reach == Reach.MAIN:
            return Severity.LOW, "(it runs only under `python file.py`, never under a WSGI server)"
        if site.reach == Reach.FUNCTION:
            if is_run:
                return Severity.MEDIUM, f"(it runs {reach_phrase(site)})"
            return (Severity.MEDIUM if gate.conditional_unknown else Severity.HIGH), f"(it runs {reach_phrase(site)})"
        return (Severity.MEDIUM if gate.conditional_unknown else Severity.HIGH), "at import time"

    def _fail_open(self, value: ast.expr, verdict: EnvVerdict, site: Site, gate: Gate, what: str,
                   raw_string_is_bug: bool, at: Optional[ast.AST] = None) -> bool:
        sev = Severity.MEDIUM if site.reach == Reach.MAIN else Severity.HIGH
        if truthy(verdict.unset):
            self.ctx.emit(PF105, at or value,
                          f"Debug mode defaults to on: {what} is true when {unset_phrase(verdict.env_names)}, "
                          f"so any environment that forgets the variable (usually production) runs in debug mode.", sev)
            return True
        false_on = truthy(verdict.set_false) and truthy(verdict.set_zero)
        if false_on and (raw_string_is_bug or isinstance(verdict.set_false, bool)) \
                and not self._some_value_switches_off(value, site):
            var = next((n for n in verdict.env_names if n != "?"), "the variable")
            self.ctx.emit(PF105, at or value,
                          f"Debug mode cannot be switched off: {what} takes the raw string from {var}, and "
                          f"'False' and '0' are non-empty strings, so {var}=False still enables debug mode.", sev,
                          fix_hint='Parse the string: `os.getenv("FLASK_DEBUG", "0").lower() in ("1", "true", "yes")`.')
            return True
        return False

    def _some_value_switches_off(self, value: ast.expr, site: Site) -> bool:
        """Whether a value the module compares a string with turns ``value`` off when the variable holds it:
        ``is_production = os.environ["ENVIRONMENT"] == "production"`` then ``debug=not is_production`` is a
        selector, not a raw-string flag - ENVIRONMENT=production switches debug off, whatever 'False' does."""
        literals = sorted({c.value for node in ast.walk(self.model.tree) if isinstance(node, ast.Compare)
                           for c in [node.left, *node.comparators]
                           if isinstance(c, ast.Constant) and isinstance(c.value, str) and 0 < len(c.value) <= 40})
        for env in literals[:24]:
            result = Evaluator(self.model, env).eval(value, site.scope, value.lineno)
            if result is not UNKNOWN and truthy(result) is False:
                return True
        return False

    # ---- calls ----------------------------------------------------------------------------------
    def _call(self, call: ast.Call, site: Site) -> None:
        func = call.func
        q = self.model.qualname(func) or ""
        if q in RUN_SIMPLE:
            self._run_simple(call, site)
            return
        if q in DEBUGGED_APP:
            self._debugged_application(call, site)
            return
        if q in ("os.environ.setdefault", "os.putenv") and len(call.args) >= 2:
            self._env_write(call.args[0], call.args[1], call, site, default_only=q.endswith("setdefault"))
            return
        if q == "os.environ.update":
            for key, value in mapping_args(self.model, call, site).items():
                self._env_write(key, value, call, site, default_only=False)
            return
        if q in FLASK_SCRIPT_SERVER:
            self._flask_script_server(call, site)
            return
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in ("run", "run_server"):
            self._run(call, site)
        elif func.attr == "from_object" and config_receiver(self.model, func.value, site.scope, call.lineno):
            self._from_object(call, site)
        elif func.attr == "from_pyfile" and config_receiver(self.model, func.value, site.scope, call.lineno):
            self._from_pyfile(call, site)

    def _run(self, call: ast.Call, site: Site) -> None:
        recv = call.func.value  # type: ignore[attr-defined]
        if is_dash(self.model, recv, site.scope, call.lineno):
            # Dash.run(host, port, proxy, debug, ...) (run_server is its older name) ends in
            # self.server.run(host=host, port=port, debug=debug): Flask's app.run, so debug=True is the debugger
            kind, host_pos, debug_pos = "Dash.run()", 0, 3
        elif call.func.attr != "run":  # type: ignore[attr-defined]
            return  # run_server is Dash's name only
        elif is_socketio(self.model, recv, site.scope, call.lineno):
            kind, host_pos, debug_pos = "socketio.run()", 1, None
        elif is_flask_app(self.model, recv, site.scope, call.lineno):
            kind, host_pos, debug_pos = "app.run()", 0, 2
        elif any(kw.arg == "allow_unsafe_werkzeug" for kw in call.keywords):
            # Only Flask-SocketIO's SocketIO.run takes this keyword: the receiver is a SocketIO object even
            # when it comes from a factory in another module (``socketio = init_socketio(app)``).
            kind, host_pos, debug_pos = "socketio.run()", 1, None
        else:
            return
        self._dev_server_call(call, site, kind, host_pos=host_pos, debug_pos=debug_pos)

    def _run_simple(self, call: ast.Call, site: Site) -> None:
        self._dev_server_call(call, site, "run_simple()", host_pos=0, debug_pos=None, debugger_pos=4, evalex_pos=5)

    def _dev_server_call(self, call: ast.Call, site: Site, kind: str, *, host_pos: Optional[int],
                         debug_pos: Optional[int], debugger_pos: Optional[int] = None,
                         evalex_pos: Optional[int] = None, starts_server: bool = True) -> None:
        gate = self.ctx.gate(site)
        star: Dict[str, ast.expr] = {}
        for kw in call.keywords:
            if kw.arg is None:
                star.update(dict_nodes(self.model, kw.value, site))
        statically_dead = gate.reached is False and not gate.env_names
        if starts_server and site.reach == Reach.IMPORT and not statically_dead:
            where = "at module level" if not site.conditions else f"inside {gate.describe()}, which is not the `__name__ == \"__main__\"` guard"
            if site.function:
                where = f"in `{site.function}()`, which is called at import time"
            severity, switch = Severity.HIGH, ""
            if gate.skip:
                # `if app.config.get("RUN_LOCAL"):` - a switch named for local/development use that nothing here
                # decides: the import starts the server only where a developer turns the switch on
                severity = Severity.LOW
                switch = (f" Reported as low because the call runs only when {gate.describe()} holds, which reads "
                          f"like a local/development switch.")
            self.ctx.emit(PF102, call,
                          f"{kind} runs when the module is imported ({where}): a WSGI server importing this module "
                          f"starts Werkzeug's development server instead of serving the app, and `flask run` "
                          f"ignores the call and its settings, printing only a warning.{switch}", severity)
        debug_on = False
        debug_node = _arg(call, "debug", debug_pos, star)
        if debug_node is not None:
            debug_on = self._debug_sink(debug_node, site, "`" + kind.rstrip("()") + "(debug={src})`", is_run=True,
                                        at=outside(debug_node, call))
        # the interactive debugger, explicitly
        dbg = _arg(call, "use_debugger", debugger_pos, star)
        explicit_debugger = dbg is not None and truthy(Evaluator(self.model).eval(dbg, site.scope, dbg.lineno)) is True
        if dbg is not None and not gate.skip:
            v = flag_verdict(self.model, dbg, site.scope, dbg.lineno)
            if not v.env_driven and truthy(v.unset):
                evalex = _arg(call, "use_evalex", evalex_pos, star)
                ev_off = evalex is not None and truthy(Evaluator(self.model).eval(evalex, site.scope, evalex.lineno)) is False
                sev = Severity.HIGH if (site.reach == Reach.MAIN or ev_off) else Severity.CRITICAL
                what = "shows tracebacks with source code" if ev_off else "executes arbitrary Python from the browser (use_evalex defaults to True)"
                when = (f"this runs {reach_phrase(site)}" if kind != "flask_script.Server()" else
                        "building the command starts nothing, so this runs only when a developer runs its command "
                        "(`python manage.py runserver`), never when the module is imported")
                self.ctx.emit(PF104, dbg, f"The Werkzeug debugger is enabled with use_debugger=True in {kind}: it {what}; "
                              f"{when}.", sev)
                debug_on = True
        host = _arg(call, "host" if kind != "run_simple()" else "hostname", host_pos, star)
        if not statically_dead:  # Flask-Script's Server too: its runserver command is what deploy files may run
            self._record_run(call, site, kind, debug_node, gate, explicit_debugger, host)
        # public bind
        if host is not None and not gate.skip:
            self._public_bind(host, site, kind, debug_on)

    def _record_run(self, call: ast.Call, site: Site, kind: str, debug_node: Optional[ast.expr], gate: Gate,
                    debugger: bool, host_node: Optional[ast.expr]) -> None:
        """Summarise the call for deployment files, which decide whether it is what production runs.

        An environment-driven debug argument is evaluated for the values deployment files commonly set, so
        ``debug=os.environ.get("DEBUG", False)`` with ``DEBUG=False`` is on and ``== "1"`` with ``true`` is off."""
        debug, names, default, table = "", (), False, ()
        if debug_node is not None:
            verdict = flag_verdict(self.model, debug_node, site.scope, debug_node.lineno)
            if verdict.env_driven:
                debug, names, default = "env", tuple(n for n in verdict.env_names if n != "?"), bool(truthy(verdict.unset))
                table = tuple((value, truthy(Evaluator(self.model, value).eval(debug_node, site.scope, debug_node.lineno)))
                              for value in ENV_SAMPLES)
            else:
                debug = "on" if truthy(verdict.unset) else "off"
        unsafe = _arg(call, "allow_unsafe_werkzeug", None)
        unsafe_on = unsafe is not None and truthy(Evaluator(self.model).eval(unsafe, site.scope, unsafe.lineno)) is True
        host: Optional[str] = ""
        host_param = ""
        host_key, host_at = "", None
        if host_node is not None:
            ev = Evaluator(self.model)
            value = ev.eval(host_node, site.scope, host_node.lineno)
            if not isinstance(value, str) and isinstance(host_node, ast.Name):
                value = self._default_kept(host_node, site, ev)  # what it binds when no option replaces it
            host = value if isinstance(value, str) else None
            if host is None:
                host_key = config_key_read(self.model, host_node, site.scope, host_node.lineno)
                host_at = self.ctx.location(host_node) if host_key else None
            if isinstance(host_node, ast.Name):
                binding, _ = self.model.lookup(host_node.id, site.scope, host_node.lineno)
                host_param = host_node.id if binding is not None and binding.kind == "param" else ""
        gate_env, gate_for = "", ()
        gate_names = [n for n in gate.env_names if n != "?"]
        if gate.reached is not True and len(gate_names) == 1 and all(test is not None for test, _ in site.conditions):
            gate_env = gate_names[0]
            gate_for = tuple((value, self._branch_runs(site, value)) for value in ENV_SAMPLES)
        # An undecidable branch that is no development switch (``if ssl_mode:`` / ``else:`` around two run
        # calls): some run of the program takes it, so a launch that reaches the function may start the server.
        gate_open = gate.reached is None and not gate.devish
        self.ctx.dev_servers.append(DevServerRun(kind, site.reach.value, self.ctx.location(call), self.ctx.snippet(call),
                                                 debug, names, default, debugger, gate.reached is not True, unsafe_on,
                                                 table, site.function or "", host, gate_env, gate_for, host_param,
                                                 gate_open, host_key, host_at))

    def _branch_runs(self, site: Site, value: str) -> Optional[bool]:
        """Whether the branch holding ``site`` runs when the environment variable it tests is ``value``."""
        for test, polarity in site.conditions:
            t = truthy(Evaluator(self.model, value).eval(test, site.scope, test.lineno))  # type: ignore[union-attr]
            if t is None:
                return None
            if t != polarity:
                return False
        return True

    def _flask_script_server(self, call: ast.Call, site: Site) -> None:
        """Flask-Script's ``Server`` command (old manage.py files) wraps app.run with the same options.

        Building it starts nothing: ``Server.__call__`` runs ``app.run(host, port, debug=use_debugger,
        use_debugger=use_debugger, ...)`` only when ``python manage.py runserver`` invokes the command. So its
        options are graded like a ``__main__`` run (a developer's command), and a deployment file that runs
        ``manage.py runserver`` picks them up from the recorded run (deploy/python_launches.py)."""
        if site.reach == Reach.IMPORT:
            site = replace(site, reach=Reach.MAIN)
        self._dev_server_call(call, site, "flask_script.Server()", host_pos=0, debug_pos=None, debugger_pos=None,
                              starts_server=False)

    def _public_bind(self, host: ast.expr, site: Site, kind: str, debug_on: bool) -> None:
        ev = Evaluator(self.model, None)
        value = ev.eval(host, site.scope, host.lineno)
        kept = ""
        if not isinstance(value, str) and isinstance(host, ast.Name):
            value = self._default_kept(host, site, ev)
            kept = " unless an option given at run time replaces it" if isinstance(value, str) else ""
        if not isinstance(value, str) or value.strip() not in PUBLIC_HOSTS:
            return
        if value.strip() == "" and kind in ("app.run()", "Dash.run()", "flask_script.Server()"):
            return  # Flask.run treats a falsy host as 127.0.0.1 (or SERVER_NAME's host)
        shown = value if value else '""'
        when = f" when {unset_phrase(ev.trace.env_names)}" if ev.trace.env_reads else ""
        sev = Severity.HIGH if debug_on and site.reach != Reach.MAIN else Severity.MEDIUM
        extra = (" With debug mode on, anyone who can reach the port gets the interactive debugger."
                 if debug_on else "")
        server = ("The server `socketio.run()` starts (Werkzeug's development server, or eventlet/gevent when "
                  "installed)" if kind == "socketio.run()" else f"The development server ({kind})")
        self.ctx.emit(PF103, host, f"{server} binds to all interfaces ({shown}){when}{kept}, "
                      f"so it is reachable from every network this machine is on.{extra}", sev)

    def _default_kept(self, host: ast.Name, site: Site, ev: Evaluator) -> Any:
        """``host = os.environ.get("LISTEN_HOST", "0.0.0.0")`` then ``host = arg`` inside an option loop or an
        ``if``: the later assignment runs only on some paths, so the earlier value is what the server gets
        when nothing is passed. Returns the value of the nearest assignment that runs whenever the call does
        (its conditions enclose the call too) before the conditional ones, or UNKNOWN."""
        line = host.lineno
        for _ in range(8):
            binding, bscope = self.model.lookup(host.id, site.scope, line)
            if binding is None or binding.kind != "assign" or bscope.function_scope is not site.scope.function_scope:
                return None
            if tuple(id(c[0]) for c in binding.conditions) == tuple(id(c[0]) for c in site.conditions)[:len(binding.conditions)]:
                if line == host.lineno:
                    return None  # the nearest assignment is unconditional: the plain evaluation already said it
                return ev.eval(binding.value, bscope, binding.line)
            line = binding.line
        return None

    def _debugged_application(self, call: ast.Call, site: Site) -> None:
        gate = self.ctx.gate(site)
        env_switch = gate.reached is False and bool(gate.env_names)
        if gate.skip and not env_switch:
            self._debug_gated_debugger(call, site)
            return
        evalex = _arg(call, "evalex", 1)
        pin_sec = _arg(call, "pin_security", 6)
        ev = Evaluator(self.model)
        evalex_on = evalex is not None and truthy(ev.eval(evalex, site.scope, evalex.lineno)) is True
        pin_off = pin_sec is not None and truthy(ev.eval(pin_sec, site.scope, pin_sec.lineno)) is False
        target = call.args[0] if call.args else None
        wraps = isinstance(target, ast.Attribute) and target.attr == "wsgi_app" or isinstance(
            target, ast.Name) and is_flask_app(self.model, target, site.scope, call.lineno)
        parent_assign = self._assigned_to_wsgi_app(call, site)
        if not (evalex_on or wraps or parent_assign):
            return
        main = site.reach == Reach.MAIN
        if evalex_on:
            sev = Severity.HIGH if main else Severity.CRITICAL
            msg = ("The Werkzeug debugger is mounted with evalex=True: anyone who reaches a traceback page can "
                   "execute Python on the server")
            if pin_off:
                msg += ", and pin_security=False removes the PIN"
        else:
            sev = Severity.MEDIUM if main else Severity.HIGH
            msg = ("The app is wrapped in Werkzeug's DebuggedApplication: every unhandled error shows a full "
                   "traceback with source code and local variables")
        if env_switch:
            names = " or ".join(gate.env_names)
            self.ctx.emit(PF104, call, f"{msg} when {names} is set: production code carries a switch that turns on "
                          f"the debugger ({gate.text}).", Severity.MEDIUM)
            return
        self.ctx.emit(PF104, call, f"{msg}; this runs {reach_phrase(site)}.", sev)

    def _debug_gated_debugger(self, call: ast.Call, site: Site) -> None:
        """``if app.debug: app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)``.

        Debug mode alone never starts the debugger under gunicorn (only ``app.run``/``flask run`` add it); this
        wrapper does, whatever server imports the module. So the finding is graded by what debug mode can be
        here: this module's own DEBUG writes, the config classes it loads (judged in project.py) or, failing
        both, FLASK_DEBUG, which Flask reads into DEBUG when the app is created. Under the ``__main__`` guard
        it is the developer's own debugger and not reported."""
        if site.reach == Reach.MAIN or not self._gated_on_debug_mode(site):
            return
        evalex = _arg(call, "evalex", 1)
        if evalex is None or truthy(Evaluator(self.model).eval(evalex, site.scope, evalex.lineno)) is not True:
            return  # without evalex the wrapper shows tracebacks, which debug mode under a server does not add
        state, names = "flask_debug", ["FLASK_DEBUG"]
        for w in config_writes(self.model):
            if not (w.in_app_code and w.key == "DEBUG") or self.ctx.gate(w.site).reached is False:
                continue
            verdict = flag_verdict(self.model, w.value, w.site.scope, w.value.lineno)
            if not verdict.env_driven and truthy(verdict.unset):
                state = "on"
                break
            if verdict.env_driven:
                state, names = "env", [n for n in verdict.env_names if n != "?"] or names
        msg = ("The Werkzeug debugger is mounted with evalex=True whenever debug mode is on: anyone who reaches a "
               "traceback page can execute Python on the server, and this wrapper does it under any WSGI server")
        if state == "on":
            self.ctx.emit(PF104, call, f"{msg}; this module sets DEBUG on, so it runs {reach_phrase(site)}.",
                          Severity.CRITICAL)
            return
        sev = Severity.HIGH if state == "env" else Severity.MEDIUM
        text = f"{msg}; debug mode follows {' or '.join(names)} here, so setting it in a deployment starts the debugger."
        loads = [ref for ref in self._loaded_refs()]
        if loads:
            # the config classes loaded decide: project.py makes it critical, keeps it, or drops it
            self.ctx.defer("debugger-gate", "|".join(loads), PF104, call, sev, text, site)
            return
        self.ctx.emit(PF104, call, text, sev)

    def _gated_on_debug_mode(self, site: Site) -> bool:
        """Every condition on the path is either true or a positive test of the app's debug flag."""
        gated = False
        for test, polarity in site.conditions:
            if test is not None and polarity and self._is_debug_test(test, site):
                gated = True
                continue
            if test is None:
                return False
            t = truthy(Evaluator(self.model).eval(test, site.scope, test.lineno))
            if t is None or t != polarity:
                return False
        return gated

    def _is_debug_test(self, test: ast.expr, site: Site) -> bool:
        """``app.debug``, ``app.config["DEBUG"]``, ``app.config.get("DEBUG")`` (``current_app`` too)."""
        line = getattr(test, "lineno", site.stmt.lineno)
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return any(self._is_debug_test(v, site) for v in test.values)
        if isinstance(test, ast.Attribute) and test.attr == "debug":
            return is_flask_app(self.model, test.value, site.scope, line)
        key: Optional[ast.expr] = None
        recv: Optional[ast.expr] = None
        if isinstance(test, ast.Subscript):
            recv, key = test.value, subscript_key(test)
        elif isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "get" and test.args:
            recv, key = test.func.value, test.args[0]
        return (recv is not None and isinstance(key, ast.Constant) and key.value == "DEBUG"
                and config_receiver(self.model, recv, site.scope, line))

    def _loaded_refs(self) -> List[str]:
        """What this module's ``from_object`` calls load, as qualified names the project index can resolve."""
        refs: List[str] = []
        for call, site in self.model.calls:
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr == "from_object" and call.args
                    and config_receiver(self.model, func.value, site.scope, call.lineno)):
                continue
            obj = Evaluator(self.model).eval(call.args[0], site.scope, call.lineno)
            if isinstance(obj, (ClassRef, ImportRef, ModuleRef)):
                refs.append(obj.qualname)
            elif isinstance(obj, str) and obj:
                refs.append(obj)
            else:
                refs.append("?")  # something the index cannot tell: it may turn debug on
        return refs

    def _assigned_to_wsgi_app(self, call: ast.Call, site: Site) -> bool:
        stmt = site.stmt
        if isinstance(stmt, ast.Assign) and stmt.value is call:
            return any(isinstance(t, ast.Attribute) and t.attr == "wsgi_app" or isinstance(t, ast.Name) and t.id in ("application", "app")
                       for t in stmt.targets)
        return False

    # ---- environment variables set from code ---------------------------------------------------------
    def _env_write(self, key: Any, value: ast.expr, node: ast.AST, site: Site, *, default_only: bool) -> None:
        """``os.environ[...] = ...`` and friends: Flask reads FLASK_DEBUG when the app is created and in run()."""
        k = key if isinstance(key, str) else Evaluator(self.model).eval(key, site.scope, getattr(key, "lineno", site.stmt.lineno))
        if k == PIN_VAR:
            self._pin_value(value, node, site)
        elif k == "FLASK_DEBUG":
            gate = self.ctx.gate(site)
            if gate.skip:
                return
            v = Evaluator(self.model).eval(value, site.scope, value.lineno)
            if not isinstance(v, str) or v.strip().lower() not in ("1", "true", "yes", "on"):
                return
            if default_only:
                self.ctx.emit(PF105, node, f"Debug mode defaults to on: FLASK_DEBUG is set to {v!r} whenever the "
                              f"environment does not set it, and Flask reads it when the app is created.",
                              Severity.MEDIUM if site.reach == Reach.MAIN else Severity.HIGH)
            else:
                sev, note = self._debug_severity(site, gate, is_run=False)
                self.ctx.emit(PF101, node, f"Debug mode is enabled by setting FLASK_DEBUG={v!r} in code, which Flask "
                              f"reads when the app is created and in app.run() {note}{_gate_suffix(gate)}.", sev)

    def _pin_value(self, value: ast.expr, node: ast.AST, site: Site) -> None:
        if self.ctx.gate(site).skip:
            return
        v = Evaluator(self.model).eval(value, site.scope, value.lineno)
        if isinstance(v, str) and v.strip().lower() == "off":
            sev = Severity.HIGH if site.reach == Reach.MAIN else Severity.CRITICAL
            self.ctx.emit(PF104, node, "WERKZEUG_DEBUG_PIN is set to 'off': the Werkzeug debugger, whenever it is "
                          "active, executes Python for anyone without asking for the PIN.", sev,
                          fix_hint="Never disable the debugger PIN; keep the debugger off outside your own machine.")

    # ---- config writes ---------------------------------------------------------------------------
    def _config_writes(self) -> None:
        for w in config_writes(self.model):
            if w.in_app_code and w.key == "DEBUG":
                if overridden_by_run(self.model, w.site):
                    continue  # `app.run(debug=False)` below sets debug mode off before anything is served
                self._debug_sink(w.value, w.site, w.display, at=None if w.node is w.value else w.node)
            elif not w.in_app_code and DEBUG_NAMES.match(w.key):
                self._debug_constant(w.key, w.value, w.site)

    def _environ_assignments(self, stmt: ast.stmt, site: Site) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[attr-defined]
        for target in targets:
            if isinstance(target, ast.Subscript) and self.model.qualname(target.value) in ("os.environ", "environ"):
                key = Evaluator(self.model).eval(subscript_key(target), site.scope, stmt.lineno)
                self._env_write(key, stmt.value, stmt, site, default_only=False)  # type: ignore[attr-defined]

    def _debug_constant(self, name: str, value: ast.expr, site: Site) -> None:
        """``DEBUG = os.getenv(...)`` at module or class level: the env handling is wrong regardless of use."""
        if site.scope.kind == "class" and classify_config_class(site.scope.name, self.model.module_name) == "dev":
            return
        if site.scope.kind == "function" or not flask_or_config_module(self.model):
            return
        gate = self.ctx.gate(site)
        if gate.skip:
            return
        verdict = flag_verdict(self.model, value, site.scope, value.lineno)
        if verdict.env_driven:
            owner = f"{site.scope.name}.{name}" if site.scope.kind == "class" else name
            # a config class attribute or settings-module constant named DEBUG is copied into app.config as is
            as_config = site.scope.kind == "class" or config_module_name(self.model.module_name)
            self._fail_open(value, verdict, site, gate, f"`{owner}`", raw_string_is_bug=as_config)

    def _loader_context(self, site: Site, gate: Gate, ev: Evaluator) -> Tuple[Severity, str]:
        """How surely the loaded value is the one production gets. A value that comes from a parameter's
        default holds only for callers that omit the argument (``flask run`` calls ``create_app()`` bare;
        entry points that pass a name do not), so it is medium, not unconditional."""
        names = list(gate.env_names) + [n for n in ev.trace.env_names if n not in gate.env_names]
        defaults = [f"`{fn}()` is called without `{param}`" for fn, param in ev.trace.defaults]
        if site.reach == Reach.MAIN:
            sev, ctx = Severity.LOW, "only when the file is run as a script"
        elif gate.conditional_unknown:
            sev, ctx = Severity.MEDIUM, f"inside {gate.describe()}"
        elif defaults:
            sev = Severity.MEDIUM
            ctx = "when " + " and ".join(([unset_phrase(names)] if names or ev.trace.env_reads else []) + defaults)
        else:
            sev = Severity.HIGH
            ctx = f"when {unset_phrase(names)}" if names else "unconditionally"
        return sev, ctx

    def _loader_arg(self, call: ast.Call, site: Site) -> Optional[Tuple[Any, Severity, str]]:
        """The value a ``from_object``/``from_pyfile`` call loads when the environment is empty, graded."""
        if not call.args:
            return None
        gate = self.ctx.gate(site)
        if gate.skip:
            return None
        ev = Evaluator(self.model, None)
        value = ev.eval(call.args[0], site.scope, call.lineno)
        sev, ctx = self._loader_context(site, gate, ev)
        self._defaults = tuple(("default", fn, param) for fn, param in ev.trace.defaults)
        return value, sev, ctx

    def _from_object(self, call: ast.Call, site: Site) -> None:
        loaded = self._loader_arg(call, site)
        if loaded is None:
            return
        obj, sev, ctx = loaded
        if isinstance(obj, (ClassRef, ImportRef, ModuleRef)):
            self.ctx.defer("load-object", obj.qualname, PF101, call, sev, ctx, site)
        elif isinstance(obj, str) and obj:
            ref = self.model.module_name if obj == "__main__" else obj
            self.ctx.defer("load-object", ref, PF101, call, sev, ctx, site)
        else:
            picker = selector_ref(self.model, call.args[0], site.scope, call.lineno)
            if picker is None:
                return
            # the class a function of the project returns (configpick.py); what it reads is its business
            fn = picker[: -len("()")].rsplit(".", 2)
            name = ".".join(fn[-2:]) if len(fn) > 2 and fn[-2][:1].isupper() else fn[-1]
            if sev == Severity.HIGH:
                ctx = f"as `{name}()` returns it when the environment variables it reads are unset"
            self.ctx.defer("load-object", picker, PF101, call, sev, ctx, site)
        # which parameter defaults chose it: project.py restores "high" when a production caller omits them
        self.ctx.result.deferred[-1].values = self._defaults + self._env_choices(call, site)

    def _env_choices(self, call: ast.Call, site: Site) -> Tuple[Tuple[str, str, str], ...]:
        """What the loaded object is when the variables it is chosen by are set to common values
        (``DevelopmentConfig if os.getenv("DEBUG") == "True" else ProductionConfig``), for deployment files."""
        ev = Evaluator(self.model, None)
        ev.eval(call.args[0], site.scope, call.lineno)
        names = [n for n in ev.trace.env_names if n != "?"]
        if not names:
            return ()
        rows: List[Tuple[str, str, str]] = [("env-names", ",".join(names), "")]
        for sample in ENV_SAMPLES:
            obj = Evaluator(self.model, sample).eval(call.args[0], site.scope, call.lineno)
            ref = obj.qualname if isinstance(obj, (ClassRef, ImportRef, ModuleRef)) else obj if isinstance(obj, str) else ""
            if ref:
                rows.append(("env-choice", sample, ref))
        return tuple(rows)

    def _from_pyfile(self, call: ast.Call, site: Site) -> None:
        loaded = self._loader_arg(call, site)
        if loaded is None:
            return
        name, sev, ctx = loaded
        if isinstance(name, str) and name.endswith(".py"):
            if self._instance_relative():
                name = INSTANCE_PREFIX + name
            self.ctx.defer("load-pyfile", name, PF101, call, sev, ctx, site)

    def _instance_relative(self) -> bool:
        """``Flask(__name__, instance_relative_config=True)`` makes from_pyfile read from the instance folder."""
        from flask_preflight.static.python.flaskapi import FLASK_CLASSES
        for call, site in self.model.calls:
            if self.model.qualname(call.func) in FLASK_CLASSES:
                for kw in call.keywords:
                    if kw.arg == "instance_relative_config":
                        return truthy(Evaluator(self.model).eval(kw.value, site.scope, kw.value.lineno)) is True
        return False


_TOKEN_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
DEV_TOKENS = {"dev", "develop", "development", "local", "test", "testing", "tests", "debug", "sandbox", "mock",
              "fake", "ci", "unittest", "pytest", "e2e", "dummy", "example", "sample", "demo", "devel"}
PROD_TOKENS = {"prod", "production", "live", "deploy", "deployment", "release", "staging", "stage", "default"}
BASE_TOKENS = {"base", "common", "shared", "global", "core", "main"}
BASE_EXACT = {"config", "settings", "configuration", "appconfig", "flaskconfig", "appsettings", "conf", "cfg"}


def name_tokens(name: str) -> List[str]:
    return [t.lower() for t in _TOKEN_RE.findall(name.replace("_", " "))]


def classify_config_name(name: str) -> str:
    """"dev", "prod", "base" or "neutral", from the words of a config class or dict key."""
    tokens = name_tokens(name)
    if any(t in DEV_TOKENS for t in tokens):
        return "dev"
    if any(t in PROD_TOKENS for t in tokens):
        return "prod"
    if name.lower() in BASE_EXACT or any(t in BASE_TOKENS for t in tokens):
        return "base"
    return "neutral"


def classify_config_class(name: str, module_name: str) -> str:
    """``classify_config_name`` for a class, reading its module when the class name is generic: a project
    with one module per environment (``config/testing.py``, ``settings/local.py``) names every class
    ``Config`` and picks the module (``APP_SETTINGS=config.testing.Config``), so the module's name is the
    class's. Only "dev" is taken from the module: a ``Config`` in ``production.py`` is judged as before."""
    kind = classify_config_name(name)
    if kind == "neutral" or name.lower() in BASE_EXACT:
        if classify_config_name(module_name.rsplit(".", 1)[-1]) == "dev":
            return "dev"
    return kind


def class_module(qualname: str, name: str) -> str:
    """The module part of a class summary's ``module.Class`` qualified name."""
    return qualname[: -len(name) - 1] if qualname.endswith("." + name) else ""


def dev_named(name: str) -> bool:
    return classify_config_name(name) == "dev"


def config_module_name(module_name: str) -> bool:
    last = module_name.rsplit(".", 1)[-1].lower()
    return any(w in last for w in ("config", "settings", "conf", "cfg"))


def flask_or_config_module(model: Any) -> bool:
    """PF105 on a bare ``DEBUG = ...`` only where Flask may read it; Django settings and FastAPI apps are not ours."""
    if "INSTALLED_APPS" in model.module_scope.bindings or "ROOT_URLCONF" in model.module_scope.bindings:
        return False
    if module_imports_non_flask_framework(model) and not module_imports_flask(model):
        return False
    return True


def check(ctx: Context) -> None:
    DebugChecks(ctx).run()
