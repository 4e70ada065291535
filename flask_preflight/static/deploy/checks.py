"""PF401-PF406: judge how the app is launched, across every deployment file and the Python it starts.

The checks run once per project, after every file has been read, because the interesting facts span files:
a Dockerfile ``CMD ["python", "app.py"]`` is only a development server if ``app.py`` calls ``app.run()``
when run as a script; whether that server has the debugger on depends on the Python (``debug=True``), the
Dockerfile ``ENV``, a compose ``env_file`` or the ``.flaskenv`` that ``flask run`` loads. Each launch is
followed through wrapper scripts (``ENTRYPOINT ["./entrypoint.sh"]``) with the environment accumulated on
the way, and gunicorn launches are merged with the config file gunicorn would read (gunicorn_checks.py);
what a launch executes in Python is followed in python_launches.py, the variables each launch sees (PF402)
and the secrets written into deployment files (PF406) are judged in env_checks.py, and which modules the
launches reach at all is collected for reach.py.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import replace
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding, Location, Problem, Severity
from flask_preflight.redact import Redactor
from flask_preflight.rules.deploy import PF401
from flask_preflight.static.deploy.commands import Launch, launches, split_shell
from flask_preflight.static.deploy.common import (ROOT_KINDS, Collector, Ctx, Env, Files, cap, effective,
                                                  find_by_tail, last_per_name, loc, loopback, note, short, source_of)
from flask_preflight.static.deploy.compose import MOUNT_REASON
from flask_preflight.static.deploy.context import Scopes, compose_context, inside
from flask_preflight.static.deploy.dockerheredoc import written_script
from flask_preflight.static.deploy.env_checks import EnvChecks, collect_secrets
from flask_preflight.static.deploy.gunicorn_checks import GunicornChecks
from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar, Guard, Origin
from flask_preflight.static.deploy.python_launches import PythonLaunches
from flask_preflight.static.deploy.reach import Reached, target_module
from flask_preflight.static.deploy.shell import inline_sourced
from flask_preflight.static.deploy.uwsgi_ini import ini_refs, ini_targets
from flask_preflight.static.gitignore import IgnoreSpec
from flask_preflight.static.python.context import FileAnalysis, ModuleSummary
from flask_preflight.static.python.project import config_debug_vars, debug_switches
from flask_preflight.static.source import read_bytes

ENTRY_SCRIPT_NAMES = frozenset({"entrypoint.sh", "docker-entrypoint.sh", "start.sh", "run.sh", "boot.sh",
                                "start-server.sh", "start_server.sh", "serve.sh", "prestart.sh"})
# What a critical PF401 says about the run call it links: debug mode and the debugger. The bind (PF103) is
# a fact of its own - where the server listens - and stays, at the call, for its own fix.
_SUBSUMED = frozenset({"PF101", "PF104"})
_LOCAL_DEV_NAME = re.compile(r"[.\-_](dev|devel|develop|development|local)[.\-_]", re.IGNORECASE)
UNUSED_SCRIPT = "no scanned Dockerfile, compose file, Procfile or unit runs this script"
_PROD_NAME = re.compile(r"(?:^|[^a-z])(prod|production)(?:$|[^a-z])", re.IGNORECASE)
_SERVING = frozenset({"flask-run", "python-script", "python-module", "gunicorn", "server"})
DOCKERIGNORE_MAX = 1 << 20


class DeployChecks(EnvChecks, GunicornChecks, PythonLaunches):
    def __init__(self, files: Sequence[DeployFile], python: Sequence[FileAnalysis], root: str,
                 project_findings: Sequence[Finding] = (), others: Sequence[str] = ()) -> None:
        self.root = os.path.abspath(root)
        self.index = Files(files, python)
        self.python = list(python)
        # PF101 at medium or above, per module path: debug mode the module's config switches on
        self.debug_config: Dict[str, List[Finding]] = {}
        for f in [f for a in python for f in a.findings] + list(project_findings):
            if f.rule_id == "PF101" and f.severity.at_least(Severity.MEDIUM):
                self.debug_config.setdefault(os.path.abspath(f.path), []).append(f)
        # (module, line) of a factory call whose config name is a literal only while these variables are unset
        # (`create_app(os.getenv("APP_ENV") or "dev")`): a launch that sets one decides the config instead
        self.debug_config_env: Dict[Tuple[str, int], Tuple[str, ...]] = {
            (os.path.abspath(d.path), d.location.line): tuple(n for _, kind, info in d.values if kind == "env"
                                                           for n in info.split())
            for a in python for d in a.deferred
            if d.kind == "factory-call" and any(kind == "env" for _, kind, _ in d.values)}
        # modules whose loaded config makes DEBUG follow an app-specific variable (python/project.py)
        self.debug_switches = debug_switches(self.python)
        # app-specific variables a config class turns into DEBUG (``DEBUG = bool_env("DEBUG")``): PF402
        self.debug_vars = config_debug_vars(self.python)
        self.out = Collector()
        # (module path, first line, last line) of a run call -> (path, line) of the PF401 that reports it
        self.subsumed: Dict[Tuple[str, int, int], Tuple[str, int]] = {}
        self.dev_server_launch = False
        # env files (absolute path) a production launch loads (compose env_file, systemd EnvironmentFile, a
        # `. ./.flaskenv` in an entry script or `sh -c`) -> how severe what they set is for that launch
        self.loaded_env: Dict[str, Severity] = {}
        self.followed: Set[str] = set()
        # compose lines whose bare ``${VAR}`` compose fills from the project's .env: the value is written there
        self.interpolated: Set[Origin] = set()
        self.dockerignores: Dict[str, Optional[IgnoreSpec]] = {}
        self.conf_users: Dict[str, Set[str]] = {}  # gunicorn config file -> kinds of the files that launch with it
        self.named_configs: Dict[str, Optional[DeployFile]] = {}  # `-c config.py`: read when a launch names it
        self.proxy_dirs = [os.path.dirname(f.abs_path) for f in files if f.proxies]
        self.secrets = Redactor()  # secret values met anywhere; no finding may show them
        self.reached = Reached()  # which modules the launches import or run (see reach.py)
        self.others = list(others)  # Python files the analysis skipped (nothing Flask-like in them)
        self._named_vars: Dict[str, bool] = {}  # variable -> whether the project's own Python names it
        self.skipped: Dict[str, Optional[ModuleSummary]] = {}  # launched ones among them, analysed on demand
        self.scopes = Scopes(self.root, self._build_contexts())  # the directory each launch can see

    # ---- entry points --------------------------------------------------------------------------------
    def run(self) -> Tuple[List[Finding], "Subsumed"]:
        self._flask_apps()
        replaced = self._replaced_cmds()
        for f in self.index.by_kind(*ROOT_KINDS):
            # What the file sets for the app (and, for a Dockerfile, its ARGs), whether or not it has a command:
            # a base image or an App Engine default entrypoint still runs with this environment.
            for var in last_per_name(f.env):
                self._env_var(var, f, f.dev_reason, Severity.MEDIUM)
            for var in f.build_args:
                self._secret(var, f, f.dev_reason)
            interpolation = self._compose_dotenv(f) if f.kind == "compose" else {}
            deployed = f.kind == "compose" and self._has_dev_sibling(f)
            for cmd in f.commands:
                if deployed and MOUNT_REASON in cmd.dev_reason:
                    # docker-compose.yml beside docker-compose.local.yml: the project keeps its development
                    # setup in the other file, so this one is what `docker compose up` deploys, mount or not.
                    cmd = replace(cmd, dev_reason="")
                if f.kind == "dockerfile" and cmd.source == "Dockerfile CMD" and not cmd.dev_reason \
                        and os.path.normpath(f.abs_path) in replaced:
                    cmd = replace(cmd, dev_reason=replaced[os.path.normpath(f.abs_path)])
                env = Env()
                if f.kind == "procfile":
                    self._heroku_config(f, env)
                self._load_env_files(f, cmd, env)
                for var in cmd.env:
                    filled = _interpolate(var, interpolation)
                    if filled is not var:
                        self.interpolated.add(var.origin)
                    env.add(filled)
                self._command(Ctx(f, cmd, cmd.dev_reason or f.dev_reason, env, scope=self.scopes.of_file(f, cmd)))
                if cmd.build is not None and (not cmd.argv or "entrypoint" not in cmd.source):
                    self._built_image(f, cmd, env)
        for f in self.index.by_kind("shell"):
            if f.abs_path not in self.followed and self._is_entry_script(f):
                # A script nothing runs may be the platform's start command - or a local helper.
                unused = f.dev_reason or UNUSED_SCRIPT
                self._script(f, Ctx(f, Command((), (), f.path), unused, Env()), None)
            elif f.abs_path not in self.followed and not f.dev_reason and self._production_launch_script(f):
                # scripts/flask_run_prod.sh, run by hand on the server: its name (or the environment file it
                # sources) says it is how production is started, so its launches are judged as production ones
                self._script(f, Ctx(f, Command((), (), f.path), "", Env()), None)
        self._env_files()
        self._gunicorn_files()
        collect_secrets(self.index.files, self.secrets)
        return [self.secrets.finding(f) for f in self.out.items.values()], self.subsumed

    def _flask_apps(self) -> None:
        """``FLASK_APP`` set in any deployment file names a module every ``flask`` command imports."""
        for f in self.index.files:
            for var in [*f.env, *(v for c in f.commands for v in c.env)]:
                value = (var.value or "").strip().split(":", 1)[0] if var.name == "FLASK_APP" else ""
                if value.endswith(".py"):  # FLASK_APP=src/app.py: a file path
                    value = value[:-3].replace("/", ".").strip(".")
                module = target_module(self.index, value, f, self.scopes.of_file(f)) if value else None
                if module is not None:
                    self.reached.wsgi.add(os.path.abspath(module.path))

    def _replaced_cmds(self) -> Dict[str, str]:
        """Dockerfiles whose CMD no file that builds them keeps: a compose service's ``command`` and a
        heroku.yml ``run`` entry replace the image's CMD, so that CMD runs only under a plain ``docker run``
        of the image. Dockerfile path -> why (empty when a builder keeps the CMD, or nothing builds it)."""
        kept: Set[str] = set()
        found: Dict[str, str] = {}
        for f in self.index.by_kind(*ROOT_KINDS):
            for cmd in f.commands:
                path = self._built_path(f, cmd)
                if path is None:
                    continue
                if not cmd.argv or "entrypoint" in cmd.source:
                    kept.add(path)
                else:
                    found.setdefault(path, f"{cmd.source} in {f.path} replaces this CMD when it builds the image, "
                                           f"so only a plain `docker run` of the image runs it")
        return {path: why for path, why in found.items() if path not in kept}

    def _build_contexts(self) -> Dict[str, str]:
        """Dockerfile -> the context the compose services (or heroku.yml processes) that build it send; the
        directory they share when several build it with different ones."""
        found: Dict[str, str] = {}
        for f in self.index.by_kind(*ROOT_KINDS):
            for cmd in f.commands:
                path = self._built_path(f, cmd)
                context = compose_context(f.abs_path, cmd.build[0]) if path is not None and cmd.build else None
                if path is not None and context is not None:
                    found[path] = os.path.commonpath([found[path], context]) if path in found else context
        return found

    def _built_path(self, f: DeployFile, cmd: Command) -> Optional[str]:
        """The Dockerfile a compose service or heroku.yml process builds, when it is among the scanned files."""
        if cmd.build is None:
            return None
        context, name, _target = cmd.build
        path = os.path.normpath(os.path.join(os.path.dirname(f.abs_path), context, name))
        dockerfiles = {os.path.normpath(d.abs_path) for d in self.index.by_kind("dockerfile")}
        if path not in dockerfiles and name == "Dockerfile":
            path = os.path.join(os.path.dirname(path), "dockerfile")
        return path if path in dockerfiles else None

    def _built_image(self, compose: DeployFile, service: Command, env: Env) -> None:
        """A compose service that keeps its image's CMD runs the Dockerfile's command with the service's
        environment added (``FLASK_DEBUG: 1`` in compose + ``CMD flask run`` in the Dockerfile); one with only
        a ``command`` keeps the image's ENTRYPOINT and replaces its CMD (``command: dev_server`` becomes the
        ``$1`` of ``ENTRYPOINT ["./entrypoint.sh"]``)."""
        context, name, target = service.build  # type: ignore[misc]
        path = os.path.normpath(os.path.join(os.path.dirname(compose.abs_path), context, name))
        dockerfiles = {os.path.normpath(f.abs_path): f for f in self.index.by_kind("dockerfile")}
        image = dockerfiles.get(path)
        if image is None and name == "Dockerfile":  # docker build's fallback to a lowercase `dockerfile`
            image = dockerfiles.get(os.path.join(os.path.dirname(path), "dockerfile"))
        if image is None:
            return
        commands = image.stages.get(target.lower(), []) if target else image.commands
        for cmd in commands:
            merged = Env()
            for var in cmd.env:
                merged.add(var)
            for name_, hit in env.values.items():
                merged.values[name_] = (hit[0], hit[1], hit[2] or f"set by {service.source} in {compose.path}", hit[3])
            dev = service.dev_reason or compose.dev_reason or cmd.dev_reason or image.dev_reason
            mounted = [m for m, target in service.mounts if cmd.workdir and target == os.path.normpath(cmd.workdir)]
            if not dev and mounted:
                dev = f"{service.source} mounts `{mounted[0]}` over the image's WORKDIR, a local-development setup"
            source = f"{cmd.source} run by {service.source}"
            argv, origins = cmd.argv, cmd.origins
            if service.argv:
                entry = (cmd.origins[1][0] if len(cmd.origins) > 1 else len(cmd.argv)) \
                    if cmd.source.startswith("Dockerfile ENTRYPOINT") else 0
                if not entry:
                    continue  # no ENTRYPOINT: the service's command is the whole command line, checked as such
                argv = cmd.argv[:entry] + service.argv
                origins = ((0, cmd.origins[0][1]), (entry, service.origin))
                source = f"Dockerfile ENTRYPOINT with the {service.source}"
            ctx = Ctx(image, Command(argv, origins, source, cmd.web, cmd.env, (), cmd.workdir,
                                      cmd.dev_reason), dev, merged, scope=self.scopes.of_file(compose, service))
            if any(self._serves_dev(launch, ctx) for launch in launches(ctx.command)):
                # the service's own variables reach the development server
                self._env_vars(env, Ctx(compose, service, service.dev_reason or compose.dev_reason, env),
                               Severity.HIGH)
            self._command(ctx, report_env=False)

    def _has_dev_sibling(self, compose: DeployFile) -> bool:
        """A compose file whose own name is not development-like, next to one named for local development
        (``.local``, ``.dev``, ``-development``; a ``-tests`` or ``.override`` file says nothing about which
        one is deployed: CI runs the first, and compose merges the second into this one)."""
        if compose.dev_reason:
            return False
        here = os.path.dirname(compose.abs_path)
        return any(os.path.dirname(g.abs_path) == here and _LOCAL_DEV_NAME.search(os.path.basename(g.abs_path))
                   for g in self.index.by_kind("compose") if g is not compose)

    def _compose_dotenv(self, compose: DeployFile) -> Dict[str, str]:
        """compose fills ``${VAR}`` from the ``.env`` next to the compose file (when the shell does not)."""
        here = os.path.join(os.path.dirname(compose.abs_path), ".env")
        for f in self.index.by_kind("dotenv"):
            if os.path.normpath(f.abs_path) == os.path.normpath(here):
                return {v.name: v.value for v in f.env if v.value is not None}
        return {}

    def _is_entry_script(self, f: DeployFile) -> bool:
        name = os.path.basename(f.abs_path)
        if name not in ENTRY_SCRIPT_NAMES:
            return False
        here = os.path.dirname(f.abs_path)
        roots = {os.path.dirname(r.abs_path) for r in self.index.by_kind(*ROOT_KINDS)}
        return here in roots or here == self.root

    def _production_launch_script(self, f: DeployFile) -> bool:
        """A shell script nothing here runs that starts the app (``flask run``, ``python app.py``, gunicorn...)
        and says it is the production launch: its name has a prod/production word, or a file it sources does
        (``source scripts/prod_env.sh``). Other such scripts are left alone: a helper may be anything."""
        named = _PROD_NAME.search(os.path.splitext(os.path.basename(f.abs_path))[0])
        sourced = any(_PROD_NAME.search(os.path.basename(ref)) for cmd in f.commands for ref, _ in cmd.env_files)
        if not (named or sourced):
            return False
        return any(launch.kind in _SERVING for cmd in f.commands for launch in launches(cmd))

    def _heroku_config(self, procfile: DeployFile, env: Env) -> None:
        """The config vars of the app.json beside a Procfile: Heroku sets them for every process type."""
        here = os.path.dirname(procfile.abs_path)
        for manifest in self.index.by_kind("appjson"):
            if os.path.dirname(manifest.abs_path) == here:
                for var in manifest.env:
                    env.add(var, f"from {manifest.path}")

    def _load_env_files(self, f: DeployFile, cmd: Command, env: Env,
                        refs: Optional[Sequence[Tuple[str, Origin]]] = None) -> None:
        for ref, where in cmd.env_files + inline_sourced(cmd) if refs is None else refs:
            target = self.index.find_file(ref.lstrip("-"), f, ("dotenv",))
            if target is None:
                continue
            for var in target.env:
                env.add(var, f"from {target.path}, loaded by {where.path}:{where.line}")

    def _note_loaded(self, f: DeployFile, refs: Sequence[Tuple[str, Origin]], ctx: Ctx, severity: Severity) -> None:
        """Remember the env files a production web launch loads: what they set is then reported at the launch's
        severity (a ``.flaskenv`` is otherwise read only by ``flask run``/``app.run()``, so low on its own)."""
        if ctx.dev_reason or not ctx.command.web:
            return
        for ref, _where in refs:
            target = self.index.find_file(ref.lstrip("-"), f, ("dotenv",))
            if target is None:
                continue
            key = os.path.normpath(target.abs_path)
            if key not in self.loaded_env or severity.rank > self.loaded_env[key].rank:
                self.loaded_env[key] = severity

    # ---- commands and launches -----------------------------------------------------------------------
    def _command(self, ctx: Ctx, report_env: bool = True) -> None:
        found = launches(ctx.command)
        if not ctx.command.web:
            # a release/worker/Job line is still a committed file: its literal secrets are reported
            for var in ctx.command.env:
                self._secret(var, ctx.file, ctx.dev_reason)
            for launch in found:
                for var in launch.env:
                    self._secret(var, ctx.file, ctx.dev_reason)
            return
        severity = Severity.HIGH if any(self._serves_dev(launch, ctx) for launch in found) else Severity.MEDIUM
        self._note_loaded(ctx.file, ctx.command.env_files + inline_sourced(ctx.command), ctx, severity)
        if report_env:
            self._env_vars(ctx.env, ctx, severity)
        for launch in found:
            env = ctx.env.copy()
            for var in launch.env:
                env.add(var)
            self._env_vars(Env.of(launch.env), ctx, severity)
            self._launch(launch, Ctx(ctx.file, ctx.command, ctx.dev_reason, env, ctx.via, ctx.scope))

    def _serves_dev(self, launch: Launch, ctx: Ctx) -> bool:
        """Whether the launch is Flask's development server (where FLASK_DEBUG means the debugger)."""
        if launch.kind == "flask-run":
            return "--no-debugger" not in launch.options  # Flask's run command: the debugger stays off
        if launch.kind == "script":
            return True  # judged line by line when the script is followed
        if launch.kind == "flask-command":
            name = launch.args[0] if launch.args else ""
            scope = self.scopes.of(ctx)
            return any(r.reach == "function" and r.function == name and not r.gated
                       for path, m in self.index.modules if not m.is_test and inside(path, scope)
                       for r in m.dev_servers)
        module = self._module(launch, ctx)
        return module is not None and bool(self._dev_runs(launch, module, ctx.env))

    def _launch(self, launch: Launch, ctx: Ctx) -> None:
        if launch.kind in _SERVING and ctx.command.web:
            # An entry script nothing here runs (start.sh, started by a boot script or the platform) that
            # starts a WSGI server still shows how the project is served.
            wsgi = launch.kind in ("gunicorn", "server")
            if not ctx.dev_reason or wsgi and ctx.dev_reason == UNUSED_SCRIPT:
                self.reached.add_production(f"{source_of(ctx)} runs `{short(launch)}`", wsgi, self.scopes.of(ctx))
        if launch.kind == "flask-run":
            self._flask_run(launch, ctx)
        elif launch.kind == "flask-command":
            self._flask_command(launch, ctx)
        elif launch.kind in ("python-script", "python-module"):
            self._python(launch, ctx)
        elif launch.kind == "gunicorn":
            self._gunicorn(launch, ctx)
            self._wsgi_import(launch, launch.target, ctx)
        elif launch.kind == "server":
            targets = _server_targets(launch.args)
            for word in targets:
                self._wsgi_import(launch, word, ctx)
            if not targets:  # `uwsgi --ini uwsgi.ini`: the module is named in the ini file
                targets = self._ini_targets(launch, ctx)
                for word in targets:
                    self._wsgi_import(launch, word, ctx)
            if not targets:  # an ini file outside the scan, or a target from the environment
                self.reached.unknown.add(self.scopes.of(ctx))
        elif launch.kind == "script":
            self._follow(launch, ctx)

    def _ini_targets(self, launch: Launch, ctx: Ctx) -> List[str]:
        """The app targets of the uwsgi ini files the launch loads (empty when one is not in the project)."""
        found: List[str] = []
        for ref, section in ini_refs(launch.args):
            path = find_by_tail(self.scopes.of(ctx), ref, ctx.file.abs_path)
            targets = ini_targets(path, section) if path is not None else []
            if not targets:
                return []
            found += targets
        return found

    def _follow(self, launch: Launch, ctx: Ctx) -> None:
        script = self.index.find_file(launch.target, ctx.file, ("shell",), self.scopes.of(ctx)) \
            or written_script(ctx.file, ctx.command.workdir, launch.target)
        if script is not None and script.abs_path not in ctx.via and len(ctx.via) < 6:
            self.followed.add(script.abs_path)
            self._script(script, ctx, launch.args)
        if launch.args and not launch.args[0].startswith("-"):
            # ENTRYPOINT ["./entrypoint.sh"] + CMD ["gunicorn", ...]: the script ends with exec "$@", possibly
            # with options of its own after it (`exec "$@" --workers "$WORKERS"`), which the program gets too.
            extra = appended_args(script, launch.args, ctx.env) if script is not None else None
            argv = ctx.command.argv
            if tuple(argv[len(argv) - len(launch.args):]) == launch.args:
                command = ctx.command
            else:  # arguments inside shell text: they share its origin
                command = Command(launch.args, ((0, launch.origin),), ctx.command.source)
            if extra is not None:
                words, where = extra
                command = replace(command, argv=command.argv + words,
                                  origins=command.origins + ((len(command.argv), where),))
            inner = launches(command, launch.args + (extra[0] if extra is not None else ()))
            for found in inner:
                self._launch(found, ctx)

    def _script(self, script: DeployFile, parent: Ctx, args: Optional[Tuple[str, ...]]) -> None:
        """The script's lines as launches; ``args`` are its arguments (``$1``...) when a command passes them."""
        env = parent.env.copy()
        seen = 0  # each command carries every assignment above it: take only the new ones
        # A name such as run-dev.sh marks a developer's script only until a deployment file names it: once a
        # Dockerfile CMD, compose command or Procfile line starts it, that launcher's own verdict decides
        # (`CMD ["/app/bin/run-dev.sh"]` in the only image is how the container serves the app). A script
        # started by another script keeps its name's verdict: entry scripts dispatch to several (by an
        # argument, or a directory an ARG picks), and the name says which of them is the developer's.
        named = bool(parent.command.argv) and parent.file.kind != "shell"
        own = "" if named else script.dev_reason
        found = [launches(cmd) for cmd in script.commands]
        scope = self.scopes.of(parent)
        here = Ctx(script, Command((), (), script.path), parent.dev_reason, env, parent.via, scope)
        # Variables the script sets reach the development server if any of its lines starts one.
        severity = Severity.HIGH if any(self._serves_dev(launch, here) and launch.kind != "script"
                                        for line in found for launch in line) else Severity.MEDIUM
        sourced = 0  # likewise for the env files it sources (`set -a; . ./.flaskenv`)
        guards = {c.origin.line: c.guards for c in script.commands}
        loaded: Tuple[Tuple[str, Origin], ...] = ()
        for cmd, cmd_launches in zip(script.commands, found):
            fresh = Env()
            new_files, sourced = cmd.env_files[sourced:], len(cmd.env_files)
            # judged by the guards of the line that sources the file (`if [ "$1" = dev ]; then . ./.flaskenv`):
            # a branch the launch rules out, or a development-only one, does not load it for production
            new_files = tuple(ref for ref in new_files
                              if _guard_verdict(guards.get(ref[1].line, ()), env, args, script.path) == (True, ""))
            if new_files:
                self._load_env_files(script, cmd, env, new_files)
                loaded += new_files
            for var in cmd.env[seen:]:
                reached, why = _guard_verdict(var.guards, env, args, script.path)
                if reached:
                    var = replace(var, dev_reason=var.dev_reason or why)
                    env.add(var)
                    fresh.add(var)
            seen = len(cmd.env)
            reached, why = _guard_verdict(cmd.guards, env, args, script.path)
            dev = parent.dev_reason or own or (cmd.dev_reason if not named or cmd.dev_reason != script.dev_reason
                                               else "") or why
            sub = Ctx(script, cmd, dev, env, parent.via + (script.abs_path,), scope)
            if fresh.values:
                self._env_vars(fresh, sub, severity)
            if not reached:
                continue  # the launch's own environment or arguments rule this line out
            if cmd_launches:
                self._note_loaded(script, loaded, sub, severity)
            for launch in cmd_launches:
                lenv = env.copy()
                for var in launch.env:
                    lenv.add(var)
                if launch.env:  # `FLASK_DEBUG=1 flask run`, `docker run -e FLASK_DEBUG=1 ...` on this line
                    self._env_vars(Env.of(launch.env), sub, severity)
                self._launch(launch, Ctx(script, cmd, dev, lenv.copy(), sub.via, scope))

    # ---- PF401: the development server -------------------------------------------------------------
    def _flask_run(self, launch: Launch, ctx: Ctx) -> None:
        env = self._with_dotenv(ctx)
        why: List[Tuple[str, Optional[Origin]]] = []
        if "--debug" in launch.options and "--no-debug" not in launch.options:
            why.append(("`--debug` on the command line", None))
        hit = env.truthy("FLASK_DEBUG")
        if hit is not None and "--no-debug" not in launch.options:
            why.append((f"FLASK_DEBUG={hit[0]} {note(hit)}", hit[1]))
        if "--debugger" in launch.options:
            why.append(("`--debugger` on the command line", None))
        if "--no-debugger" in launch.options:
            why = []
        for flag in ("--debug", "--debugger", "--reload"):
            if flag in launch.options and not (flag == "--debugger" and "--no-debugger" in launch.options):
                self._pf402_flag(launch, ctx, flag, no_debugger="--no-debugger" in launch.options)
        host = launch.option("--host")
        if host is None:
            set_host = env.get("FLASK_RUN_HOST")
            host = effective(set_host[0]) if set_host is not None else "127.0.0.1"
        self._pf401(launch, ctx, f"`{short(launch)}`", why, [], host=host)

    def _with_dotenv(self, ctx: Ctx) -> Env:
        """``flask run`` and ``app.run()`` load ``.flaskenv`` and ``.env`` (values already set win) - unless
        the image never gets them because ``.dockerignore`` keeps them out of the build context."""
        env = ctx.env.copy()
        dirs = {os.path.dirname(ctx.file.abs_path), self.root}
        ignored = None
        if ctx.file.kind == "dockerfile":
            context = os.path.dirname(ctx.file.abs_path)
            if context not in self.dockerignores:
                self.dockerignores[context] = _dockerignore(context)
            ignored = self.dockerignores[context]
        for f in self.index.by_kind("dotenv"):
            name = os.path.basename(f.abs_path)
            if ignored is not None and ignored.match_file(name):
                continue
            if name in (".flaskenv", ".env") and os.path.dirname(f.abs_path) in dirs:
                for var in f.env:
                    env.add(var, f"from {f.path}, which Flask loads when python-dotenv is installed", override=False)
        return env

    def _pf401(self, launch: Launch, ctx: Ctx, what: str, why: List[Tuple[str, Optional[Origin]]],
               related: List[Location], host: Optional[str] = None) -> bool:
        self.dev_server_launch = self.dev_server_launch or not ctx.dev_reason
        source = source_of(ctx)
        related = related + [loc(o) for _, o in why if o is not None]
        if why:
            reasons = "; ".join(dict.fromkeys(w for w, _ in why))
            message = (f"{cap(source)} serves the app with Flask's development server and the interactive Werkzeug "
                       f"debugger: {what}, with debug mode on ({reasons}).")
            if host is not None and loopback(host):
                message += (f" It binds {host}, so only processes on the same host or in the same container reach "
                            f"the debugger, which executes Python for them; production traffic cannot reach the "
                            f"app at all.")
                severity = Severity.HIGH
            else:
                message += " Anyone who can reach the port can run Python on the server."
                severity = Severity.CRITICAL
        else:
            message = (f"{cap(source)} serves the app with Flask's development server: {what}. It is single-process, "
                       f"unhardened and not meant for production traffic.")
            severity = PF401.severity
        if ctx.dev_reason:
            severity = Severity.LOW
            message += f" Reported as low because {ctx.dev_reason}."
        self.out.add(PF401, launch.origin, message, severity, related=related)
        return bool(why) and not ctx.dev_reason

    # ---- gunicorn: PF403-PF405 -----------------------------------------------------------------------
_SERVER_TARGET_OPTIONS = frozenset({"--module", "-w", "--wsgi-file", "--file", "--call", "--mount", "--app"})


def _server_targets(args: Sequence[str]) -> List[str]:
    """What another WSGI server loads: ``module:app`` words, ``.py`` files, and the values of its
    module/file options (``uwsgi --module app:app``, ``uwsgi --wsgi-file wsgi.py``, ``waitress-serve --call``)."""
    found: List[str] = []
    for i, word in enumerate(args):
        name, eq, value = word.partition("=")
        if name in _SERVER_TARGET_OPTIONS:
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            found.append(value.split("=", 1)[-1])  # uwsgi --mount /=app:app
        elif not word.startswith("-") and (":" in word or word.endswith(".py")) and word not in found:
            found.append(word)
    return [w for w in dict.fromkeys(found) if w]


def _dockerignore(context: str) -> Optional[IgnoreSpec]:
    """The build context's ``.dockerignore`` (gitignore-style patterns are close enough for a file name)."""
    # Only a regular file, not a symlink (out of the tree, or `-> /dev/zero`, which never ends), read up to a
    # bound; an unread .dockerignore only means more is taken to reach the image.
    path = os.path.join(context, ".dockerignore")
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    data = read_bytes(path, ".dockerignore", max_bytes=DOCKERIGNORE_MAX)
    if isinstance(data, Problem):
        return None
    return IgnoreSpec.from_lines(data.decode("utf-8", "replace").splitlines())


_DEVISH = re.compile(r"(?:^|[^a-z])(dev|devel|develop|development|local|debug|test|testing)(?:$|[^a-z])",
                     re.IGNORECASE)


def appended_args(script: DeployFile, args: Sequence[str], env: Env) -> Optional[Tuple[Tuple[str, ...], Origin]]:
    """The words an entry script adds after ``"$@"`` on the line that runs its arguments, and where: the first
    such line whose guards the launch does not rule out (``if [ "$1" = gunicorn ]; then exec "$@" --workers
    4``). None when the line that runs ``"$@"`` adds nothing (or no line does)."""
    for cmd in script.commands:
        reached, _why = _guard_verdict(cmd.guards, env, args, script.path)
        if not reached:
            continue
        text = cmd.argv[2] if cmd.argv[:2] == ("/bin/sh", "-c") and len(cmd.argv) > 2 else ""
        for words in split_shell(text):
            while words and words[0] in ("exec", "command"):
                words = words[1:]
            if words[:1] == ["$@"]:
                return (tuple(words[1:]), cmd.origins[0][1]) if len(words) > 1 else None
    return None


def _guard_verdict(guards: Sequence[Guard], env: Env, args: Optional[Sequence[str]],
                   script: str) -> Tuple[bool, str]:
    """Whether a script line runs, and why it counts as development-only ("" when it does not).

    A test the launch decides (the variable is set by the Dockerfile/compose/..., or ``$1`` is the CMD)
    is evaluated; a variable nobody sets is taken as unset, which is what runs by default. A branch that
    only runs when a debug/dev-named variable is set is development-only; the default branch is not."""
    reason = ""
    for g in guards:
        if not g.op:
            if g.holds and _DEVISH.search(g.text) and not reason:
                reason = f"it runs only in a development branch of {script} (`{g.text}`)"
            continue
        if g.name.isdigit():
            index = int(g.name) - 1
            decided = args is not None
            value = args[index] if args is not None and index < len(args) else ""
        else:
            hit = env.get(g.name)
            value = effective(hit[0]) if hit is not None else None
            decided = value is not None
            value = value or ""
        test = {"=": value == g.value, "!=": value != g.value, "-z": value == "", "-n": value != "",
                "case": any(fnmatch.fnmatchcase(value, p) for p in g.value.split("|"))}.get(g.op, True)
        if test == g.holds:
            continue
        if decided:
            return False, ""
        if not reason and (_DEVISH.search(g.name) or _DEVISH.search(g.value)):
            state = "holds" if g.holds else "is false"
            reason = f"it runs only when `{g.text}` {state} in {script}, a development switch"
    return True, reason


_VAR_RE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}?$")


def _interpolate(var: EnvVar, values: Dict[str, str]) -> EnvVar:
    """``FLASK_DEBUG: ${FLASK_DEBUG}`` with ``FLASK_DEBUG=1`` in the compose project's ``.env``."""
    if not values or var.value is None:
        return var
    m = _VAR_RE.match(var.value.strip())
    if m is None or m.group(1) not in values:
        return var
    return replace(var, value=values[m.group(1)])


Subsumed = Dict[Tuple[str, int, int], Tuple[str, int]]


def check_deploy(files: Sequence[DeployFile], python: Sequence[FileAnalysis], root: str = ".",
                 project_findings: Sequence[Finding] = (), others: Sequence[str] = ()
                 ) -> Tuple[List[Finding], Subsumed, Reached]:
    """All PF4xx findings of a project, the run calls whose Python findings a critical PF401 replaces, and
    which modules the launches reach (for ``reach.regrade``). ``root`` is the directory the scanned paths
    share; ``project_findings`` are the Python findings; ``others`` the Python files the analysis skipped."""
    if not files:
        return [], {}, Reached()
    checks = DeployChecks(files, python, root, project_findings, others)
    findings, subsumed = checks.run()
    return findings, subsumed, checks.reached


def drop_subsumed(findings: Iterable[Finding], subsumed: Subsumed) -> List[Finding]:
    """Debug findings at a run call are folded into the critical PF401 that links to it - but only when
    that PF401 is itself reported (not deselected or suppressed)."""
    findings = list(findings)
    if not subsumed:
        return findings
    reported = {(f.path, f.line) for f in findings if f.rule_id == PF401.id}
    live = [(p, a, b) for (p, a, b), by in subsumed.items() if by in reported]
    return [f for f in findings
            if not (f.rule_id in _SUBSUMED and any(f.path == p and a <= f.line <= b for p, a, b in live))]
