"""PF401 for launches that start Python: what ``python x.py``, ``python -m pkg``, a task runner or a WSGI
server's import actually executes, followed into the project's modules.

A mixin of ``DeployChecks`` (like ``GunicornChecks``): it needs the project's files, the finding collector
and the PF401 reporting the main checks own. The Python side is the run-call summary (``DevServerRun``) and
the entry-point links (``ModuleSummary.imported``/``main_calls``) of every module; scripts the directory
walk skipped (nothing Flask-like in them) are read on demand.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.rules.deploy import PF402
from flask_preflight.static.deploy.commands import Launch, flask_run
from flask_preflight.static.deploy.context import Scopes, inside
from flask_preflight.static.deploy.common import Collector, Ctx, Env, Files, debug_flag, effective, note, short
from flask_preflight.static.deploy.model import DeployFile, Origin
from flask_preflight.static.deploy.reach import (Reached, analyse_skipped, connexion_major, resolve_function,
                                                 skipped_module, skipped_script, target_module, text_imports)
from flask_preflight.static.python.context import DevServerRun, ModuleSummary, linked_modules

if TYPE_CHECKING:
    from flask_preflight.static.python.project import DebugSwitch


# Flask-Script's Server command: recorded so `manage.py runserver` sees its options; it runs under no other command
SCRIPT_SERVER = "flask_script.Server()"


class PythonLaunches:
    out: Collector
    index: Files
    root: str
    reached: Reached
    scopes: Scopes
    others: List[str]
    skipped: Dict[str, Optional[ModuleSummary]]
    subsumed: Dict[Tuple[str, int, int], Tuple[str, int]]
    debug_config: Dict[str, List[Finding]]
    debug_config_env: Dict[Tuple[str, int], Tuple[str, ...]]
    debug_switches: Dict[str, "DebugSwitch"]  # python/project.py: debug mode picked by an app variable

    def _pf401(self, launch: Launch, ctx: Ctx, what: str, why: List[Tuple[str, Optional[Origin]]],
               related: List[Location], host: Optional[str] = None) -> bool:
        raise NotImplementedError  # provided by DeployChecks

    def _flask_run(self, launch: Launch, ctx: Ctx) -> None:
        raise NotImplementedError  # provided by DeployChecks

    def _with_dotenv(self, ctx: Ctx) -> Env:
        raise NotImplementedError  # provided by DeployChecks

    def _wsgi_import(self, launch: Launch, target: str, ctx: Ctx) -> None:
        """A WSGI server imports its target and what that imports; an ``app.run()`` that runs at import time
        there starts Werkzeug's development server inside the production server's worker."""
        scope = self.scopes.of(ctx)  # a server imports from its own build context / project, not a sibling's
        module = target_module(self.index, target, ctx.file, scope)
        if module is None and target.endswith(".py"):  # uwsgi --wsgi-file app.py, mod_wsgi-express ... wsgi.py
            module = self.index.find_script(target, ctx.file, scope)
        skipped = skipped_module(self.others, target, scope) if module is None else None
        if module is not None:
            roots = [module]
            self.reached.wsgi.add(os.path.abspath(module.path))
        elif skipped is not None:  # a target the analysis skipped (`from server import app` alone): its imports
            found = [self.index.module_named(d, skipped, scope) for d in text_imports(skipped)]
            roots = [m for m in found if m is not None]
        else:  # `$APP_MODULE`, a config file's wsgi_app, a file outside the scan: anything may be imported
            self.reached.unknown.add(scope)
            return
        for run, owner in [hit for root in roots for hit in self._import_runs(root, scope)][:1]:
            reasons = self._run_debug(run, owner, ctx, first=True)
            if run.kind == "socketio.run()" and not reasons and not run.unsafe_werkzeug:
                continue  # Flask-SocketIO serves with eventlet/gevent unless told to use Werkzeug
            where = (f"`{short(launch)}` imports {owner.path}, which calls {run.kind} at import time "
                     f"({owner.path}:{run.location.line}): the worker starts Werkzeug's development server "
                     f"instead of serving the app")
            host = run.host if run.host != "" else "127.0.0.1"
            if self._pf401(launch, ctx, where, reasons, [run.location], host=host):
                span = (run.location.path, run.location.line, run.location.end_line or run.location.line)
                self.subsumed[span] = (launch.origin.path, launch.origin.line)

    def _import_runs(self, module: ModuleSummary, within: str) -> List[Tuple[DevServerRun, ModuleSummary]]:
        """Run calls executed when ``module`` is imported: its own, and those of the project modules it imports
        (three levels deep, inside the directory ``within`` the server can see), in import order."""
        queue, seen = [(module, 0)], {module.path}
        found: List[Tuple[DevServerRun, ModuleSummary]] = []
        while queue:
            current, depth = queue.pop(0)
            found += [(r, current) for r in current.dev_servers if r.reach == "import" and not r.gated]
            if depth >= 3:
                continue
            for dotted in current.imported:
                hit = self.index.module_named(dotted, current.path, within)
                if hit is not None and hit.path not in seen and not hit.is_test:
                    seen.add(hit.path)
                    queue.append((hit, depth + 1))
        return found

    def _module(self, launch: Launch, ctx: Ctx) -> Optional[ModuleSummary]:
        if launch.kind == "python-script":
            if not launch.target.endswith(".py"):
                return None
            scope = self.scopes.of(ctx)
            found = self.index.find_script(launch.target, ctx.file, scope)
            # A script the walk skipped (nothing Flask-like in it) may be the one meant - the main.py next
            # to this Dockerfile rather than another service's - and may still call into the project.
            skipped = skipped_script(self.others, launch.target, ctx.file, scope)
            if skipped is None or found is not None and _closeness(found.path, ctx.file) >= _closeness(skipped, ctx.file):
                return found
            if skipped not in self.skipped:
                self.skipped[skipped] = analyse_skipped(skipped)
            return self.skipped[skipped]
        if launch.kind == "python-module":
            return self.index.find_module(launch.target, ctx.file, self.scopes.of(ctx))
        return None

    def _dev_runs(self, launch: Launch, module: ModuleSummary,
                  env: Optional[Env] = None) -> List[Tuple[DevServerRun, ModuleSummary]]:
        """The development-server calls ``python file.py ARGS`` executes: at import or under ``__main__``, or in
        the CLI command ``ARGS`` names (``python manage.py runserver`` -> ``def runserver(): app.run()``), or
        in a function of another project module that the ``__main__`` block calls (``pkg.main()``). A call in a
        branch that one variable decides counts when the launch's ``env`` gives it a value that takes it."""
        command = launch.args[0].replace("-", "_") if launch.args and not launch.args[0].startswith("-") else ""
        found = [(r, module) for r in module.dev_servers if self._taken(r, env) and r.kind != SCRIPT_SERVER and (
            r.reach in ("main", "import") or r.reach == "function" and command and r.function == command)]
        for qualname in module.main_calls:
            linked = resolve_function(self.index, qualname, module.path)
            if linked is None or linked[0] is module:
                continue
            owner, name = linked
            found += [(r, owner) for r in owner.dev_servers if self._taken(r, env) and r.reach == "function"
                      and r.function == name]
        return found

    @staticmethod
    def _taken(run: DevServerRun, env: Optional[Env]) -> bool:
        """Whether the call's branch runs: always for an ungated call; for one in an ``if`` on a variable, when
        the launch sets that variable to a value that takes the branch; for one in a branch nothing decides
        statically and that is no development switch (``if ssl_mode:``), always: some run takes it."""
        if not run.gated:
            return True
        hit = env.get(run.gate_env) if env is not None and run.gate_env else None
        value = effective(hit[0]) if hit is not None else None
        if value is not None and dict(run.gate_for).get(value) is not None:
            return dict(run.gate_for)[value] is True
        return run.gate_open
    def _flask_command(self, launch: Launch, ctx: Ctx) -> None:
        """``flask serve``: the project's command function of that name, wherever it is defined in the
        directory the launch can see."""
        name = launch.args[0] if launch.args else ""
        scope = self.scopes.of(ctx)
        for path, module in self.index.modules:
            if not module.is_test and inside(path, scope) and any(
                    r.reach == "function" and r.function == name for r in module.dev_servers):
                self._python(launch, ctx, module)
                return

    def _python(self, launch: Launch, ctx: Ctx, module: Optional[ModuleSummary] = None) -> None:
        module = module or self._module(launch, ctx)
        if module is None:
            return
        imports = set(module.reexports.values())
        if launch.args[:1] == ("run",) and any(q.startswith("flask.cli") for q in imports):
            # FlaskGroup gives manage.py Flask's own `run` command: `python manage.py run` is `flask run`.
            self._flask_run(flask_run(launch), ctx)
            return
        why: List[Tuple[str, Optional[Origin]]] = []
        if launch.args[:1] == ("runserver",) and any(q.startswith("flask_script") for q in imports):
            # Flask-Script's Manager adds a `runserver` command that starts the development server.
            if {"-d", "--debug"} & set(launch.args):
                why.append(("`runserver --debug`", None))
            # Server(use_debugger=True) added as the command: Server.__call__ passes it to app.run as both
            # debug and use_debugger
            servers = [r for r in module.dev_servers if r.kind == SCRIPT_SERVER and r.debugger and not r.gated]
            why += [(f"use_debugger=True in {module.path}:{r.location.line}", None) for r in servers[:1]]
            self._pf401(launch, ctx, f"`{short(launch)}`, Flask-Script's development server", why,
                        [r.location for r in servers[:1]])
            return
        self.reached.scripts.add(os.path.abspath(module.path))
        runs: List[DevServerRun] = []
        owners: List[ModuleSummary] = []
        notes: List[str] = []
        for run, owner in self._dev_runs(launch, module, ctx.env):
            connexion = self._connexion(owner)
            if connexion is not None:
                major, pinned = connexion
                if major is not None and major >= 3:
                    continue  # Connexion 3's FlaskApp.run() serves with uvicorn, not Werkzeug
                version = f"Connexion 2, pinned in {pinned}," if major is not None else "Connexion before 3"
                notes.append(f"{version} hands App.run() to Flask's development server, binding 0.0.0.0 unless "
                             f"given a host")
                if run.host == "":
                    run = replace(run, host="0.0.0.0")
            if run.host_param and run.reach == "function":
                # a task/command parameter: `invoke serve --host 0.0.0.0` passes it on the command line
                flag = "--" + run.host_param.replace("_", "-")
                given = [a.partition("=")[2] or (launch.args[i + 1] if i + 1 < len(launch.args) else "")
                         for i, a in enumerate(launch.args) if a.partition("=")[0] == flag]
                if given:
                    run = replace(run, host=given[-1])
            reasons = self._run_debug(run, owner, ctx, first=not runs)
            if run.kind == "socketio.run()" and not reasons and not run.unsafe_werkzeug:
                # Flask-SocketIO serves with eventlet/gevent when installed and refuses Werkzeug in production
                # unless allow_unsafe_werkzeug=True; only debug mode brings Werkzeug's debugger back.
                continue
            runs.append(run)
            owners.append(owner)
            why += reasons
            if reasons:
                self._app_switch(run, owner, ctx)
        if not runs:
            return
        run = runs[0]
        related = [r.location for r in runs]
        where = f"`{short(launch)}`, which runs {run.kind} in {owners[0].path}:{run.location.line}"
        if owners[0] is not module:
            shown = os.path.relpath(module.path, self.root) if os.path.isabs(module.path) else module.path
            where += f" (called from the `__main__` block of {shown.replace(os.sep, '/')})"
        if notes:
            where += f" ({notes[0]})"
        host = run.host if run.host != "" else "127.0.0.1"
        if self._pf401(launch, ctx, where, why, related, host=host):
            for r in runs:
                span = (r.location.path, r.location.line, r.location.end_line or r.location.line)
                self.subsumed[span] = (launch.origin.path, launch.origin.line)

    def _app_switch(self, run: DevServerRun, owner: ModuleSummary, ctx: Ctx) -> None:
        """PF402 for an app-specific variable (``DEBUG=1``) that the launched code reads to run the development
        server with debug mode on: the branch it picks (``if os.getenv("DEBUG") == "1": app.run(debug=True)``)
        or the debug argument it becomes. FLASK_DEBUG is reported on its own."""
        names = ([run.gate_env] if run.gated and run.gate_env else []) + (list(run.debug_env) if run.debug == "env" else [])
        for name in names:
            hit = ctx.env.get(name)
            if name in ("FLASK_DEBUG", "FLASK_ENV") or hit is None or effective(hit[0]) is None:
                continue
            severity = Severity.LOW if ctx.dev_reason else PF402.severity
            suffix = f" Reported as low because {ctx.dev_reason}." if ctx.dev_reason else ""
            self.out.add(PF402, hit[1], f"{name}={effective(hit[0])} is set in {hit[1].path}: {owner.path}:"
                         f"{run.location.line} reads it and runs {run.kind} with debug mode on, so the development "
                         f"server serves the interactive debugger.{suffix}", severity, name=name,
                         related=[run.location])

    def _connexion(self, module: ModuleSummary) -> Optional[Tuple[Optional[int], str]]:
        """(the pinned Connexion major version or None, the file pinning it) when the module's app object
        comes from Connexion (it, or a project module it imports, imports connexion); None otherwise."""
        names = list(module.imported)
        here = os.path.dirname(os.path.abspath(module.path))
        for dotted in module.imported:
            # the project module beside this one (services often each have their own config.py)
            tails = [dotted.replace(".", "/") + ".py", dotted.rsplit(".", 1)[0].replace(".", "/") + ".py"]
            sibling = next((os.path.join(here, t) for t in tails if os.path.isfile(os.path.join(here, t))), None)
            if sibling is not None:
                analysed = next((m for p, m in self.index.modules if p == sibling.replace("\\", "/")), None)
                names += analysed.imported if analysed is not None else text_imports(sibling)
        if not any(n.split(".")[0] == "connexion" for n in names):
            return None
        return connexion_major(module.path, self.root)

    def _run_debug(self, run: DevServerRun, module: ModuleSummary, ctx: Ctx,
                   first: bool) -> List[Tuple[str, Optional[Origin]]]:
        """Why this call runs with debug mode on, for this launch's environment ([] when it does not).

        An argument expression is evaluated before ``Flask.run`` loads ``.flaskenv``/``.env``, so only the
        launch's own environment counts for it; without an argument, ``Flask.run`` loads them and then reads
        FLASK_DEBUG."""
        env = ctx.env
        at = "that call" if first else f"{run.kind} at {module.path}:{run.location.line}"
        if run.debugger:
            return [(f"use_debugger=True in {at}", None)]
        if run.debug == "on":
            return [(f"debug=True in {at}", None)]
        if run.debug == "env":
            table = dict(run.debug_for)
            for name in run.debug_env:
                hit = env.get(name)
                value = effective(hit[0]) if hit is not None else None
                if hit is not None and value is not None:
                    # Evaluated for common values when the Python was analysed; otherwise Flask's own rule.
                    on = table.get(value)
                    if on is None:
                        on = debug_flag(value)
                    if on:
                        return [(f"{name}={value} {note(hit)}, which the debug argument of {at} turns into True",
                                 hit[1])]
                    return []
            if run.debug_default and not any(env.get(n) for n in run.debug_env):
                names = " and ".join(run.debug_env) or "its variable"
                return [(f"the debug argument of {at} defaults to on and {names} is not set by this launch", None)]
            return []
        if run.debug == "" and run.kind == "app.run()":
            hit = self._with_dotenv(ctx).truthy("FLASK_DEBUG")
            if hit is not None:
                return [(f"FLASK_DEBUG={hit[0]} {note(hit)}, which app.run() reads", hit[1])]
            switched = self._switched_debug(module, ctx.env)
            if switched:
                return switched
            config = self._config_debug(module, ctx.env)
            if config is not None:
                return [(f"the app's config enables debug mode ({config.path}:{config.line})", config.location)]
        return []

    def _switched_debug(self, module: ModuleSummary, env: Env) -> List[Tuple[str, Optional[Origin]]]:
        """Debug mode chosen by a variable the app itself reads (``os.getenv("DEBUG") == "True"`` picking the
        config), set by this launch's environment: the value decides, not only FLASK_DEBUG."""
        for current in linked_modules(module, self.index.module_named):
            switch = self.debug_switches.get(os.path.abspath(current.path))
            if switch is None:
                continue
            names, table, where = switch
            for name in names:
                hit = env.get(name)
                value = effective(hit[0]) if hit is not None else None
                if hit is not None and value is not None and table.get(value):
                    return [(f"{name}={value} {note(hit)}, which the config loaded at {where.path}:{where.line} "
                             f"turns into DEBUG = True", hit[1])]
            return []
        return []

    def _config_debug(self, module: ModuleSummary, env: Env) -> Optional[Finding]:
        """A PF101 (medium or above) in the module or in what it imports, up to three levels deep: the
        ``DevelopmentConfig`` a ``create_app()`` loads is what ``app.run()`` then runs with. One that holds
        only while variables are unset (``create_app(os.getenv("APP_ENV") or "dev")``) does not count for a
        launch that sets one of them: the value it sets picks the config."""
        for current in linked_modules(module, self.index.module_named):
            for hit in self.debug_config.get(os.path.abspath(current.path), []):
                names = self.debug_config_env.get((os.path.abspath(hit.path), hit.line), ())
                if not any(env.get(name) is not None for name in names):
                    return hit
        return None


def _closeness(path: str, near: DeployFile) -> int:
    """How much of the launching file's directory a script's path shares: the nearer script is the one meant."""
    here = os.path.dirname(near.abs_path).replace("\\", "/") + "/"
    return len(os.path.commonprefix([os.path.abspath(path).replace("\\", "/"), here]))
