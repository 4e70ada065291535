"""PF402 and PF406 for the deployment files: debug switches in the environment a launch sees, and secret
keys written into deployment files.

A mixin of :class:`~flask_preflight.static.deploy.checks.DeployChecks`, which follows every launch with the
environment it accumulates (Dockerfile ``ENV``, compose ``environment``/``env_file``, a unit's
``Environment=``, ``.env``/``.flaskenv``) and hands each variable here; ``.env`` files are also judged on their
own. The severity a variable gets is the launch's: high where it reaches Flask's development server, medium
under a WSGI server, low in development and template files.
"""

from __future__ import annotations

import os
import re
from typing import Dict, Iterable, Sequence, Tuple

from flask_preflight.findings import Severity
from flask_preflight.redact import Redactor
from flask_preflight.rules.deploy import PF402, PF406
from flask_preflight.static.deploy.commands import Launch
from flask_preflight.static.deploy.common import (DEFAULT_RE, Collector, Ctx, Env, debug_flag, effective,
                                                  last_per_name, lower, raise_, source_of)
from flask_preflight.static.deploy.model import DeployFile, EnvVar
from flask_preflight.static.deploy.pins import flask_floor
from flask_preflight.static.python.context import FileAnalysis
from flask_preflight.static.source import read_bytes

SECRET_NAMES = frozenset({"SECRET_KEY", "JWT_SECRET_KEY", "SECURITY_PASSWORD_SALT", "WTF_CSRF_SECRET_KEY",
                          "SECRET_KEY_FALLBACKS"})
_PLACEHOLDER_RE = re.compile(r"change|replace|your|example|placeholder|dummy|xxx|todo|<.*>|\{\{|secret|dev|test",
                             re.IGNORECASE)
# A template value that reads as a phrase - three or more runs of letters joined by single separators, no digit
# (`need-to-generate-this`, `put a long random string here`) - is an instruction, not a key: a generated key
# (`secrets.token_hex`/`token_urlsafe`) has digits almost surely, and hex or base64 has no such word shape.
_PHRASE_RE = re.compile(r"^[A-Za-z]+(?:[-_ .][A-Za-z]+){2,}$")
_SOURCE_MAX = 1 << 20  # a Python file read whole for a variable's name

class EnvChecks:
    """The environment half of the deployment checks (see the module docstring). Needs from its host: ``out``
    (the findings), ``root``, ``python`` (the analysed modules), ``index`` (the deployment files),
    ``debug_vars`` (app-specific variables a config turns into DEBUG), ``dev_server_launch``, ``loaded_env``
    (env files a launch loads, with that launch's severity), ``secrets`` (the redactor), ``interpolated``
    (compose lines filled from the project's ``.env``) and ``_named_vars`` (a cache)."""

    out: Collector
    root: str
    python: Sequence[FileAnalysis]
    debug_vars: Dict[str, Tuple[Dict[str, bool], object]]
    dev_server_launch: bool
    loaded_env: Dict[str, Severity]
    secrets: Redactor
    interpolated: set
    _named_vars: Dict[str, bool]

    def _flask_reads_env(self, f: DeployFile) -> bool:
        """Whether Flask itself may still read FLASK_ENV for the project of ``f``: not when the project pins
        Flask 2.3 or later (that release removed the variable)."""
        floor, _ = flask_floor(f.abs_path, self.root)
        return floor is None or floor < (2, 3) or self._app_reads("FLASK_ENV")

    def _own_reader(self, name: str) -> str:
        return f" The project's own Python reads {name} too, so what it means there decides." \
            if self._app_reads(name) else ""

    def _app_reads(self, name: str) -> bool:
        """Whether non-test Python of the project names the variable (``config[os.getenv("FLASK_ENV") or
        "development"]``): then the app gives it a meaning of its own, whatever Flask does with it."""
        if name not in self._named_vars:
            found = False
            for a in self.python:
                if a.summary is None or a.summary.is_test:
                    continue
                data = read_bytes(a.path, a.path, max_bytes=_SOURCE_MAX)
                if isinstance(data, bytes) and name.encode() in data:
                    found = True
                    break
            self._named_vars[name] = found
        return self._named_vars[name]

    # ---- PF402: debug switches in the environment --------------------------------------------------
    def _env_vars(self, env: Env, ctx: Ctx, severity: Severity = Severity.MEDIUM) -> None:
        """``severity`` is high when the variables reach Flask's development server (FLASK_DEBUG then means
        the debugger), medium when a WSGI server runs the app (debug mode without the debugger)."""
        for name, (value, where, origin_note, dev) in env.values.items():
            if origin_note:
                continue  # reported where the env file itself is checked
            self._env_var(EnvVar(name, value, where, dev), ctx.file, ctx.dev_reason, severity)

    def _env_var(self, var: EnvVar, f: DeployFile, dev_reason: str, severity: Severity) -> None:
        dev_reason = dev_reason or var.dev_reason
        value = effective(var.value)
        unset_note = ""
        if var.value is not None and value is not None and "$" in var.value:
            unset = DEFAULT_RE.match(var.value.strip()).group('name')  # type: ignore[union-attr]
            unset_note = (f" when the build does not set {unset}" if f.kind == "dockerfile"
                          else f" when {unset} is not set on the host")
        if dev_reason:
            severity, suffix = Severity.LOW, f" Reported as low because {dev_reason}."
        elif f.example:
            severity, suffix = Severity.LOW, " Reported as low because the file is a template."
        else:
            suffix = ""
        if value is not None and var.name == "FLASK_DEBUG" and debug_flag(value):
            self.out.add(PF402, var.origin, f"FLASK_DEBUG={value} is set in {f.path}{unset_note}: Flask turns debug "
                         f"mode on when the app is created, and `flask run`/`app.run()` start the interactive "
                         f"debugger.{suffix}", severity, name=var.name)
        elif value is not None and var.name == "FLASK_ENV" and value.strip() == "development" \
                and var.name not in self.debug_vars and self._flask_reads_env(f):
            self.out.add(PF402, var.origin, f"FLASK_ENV=development is set in {f.path}{unset_note}: Flask < 2.3 "
                         f"turns debug mode and the debugger on (Flask 2.3 and later ignore it; use FLASK_DEBUG "
                         f"locally and nothing in production).{self._own_reader(var.name)}{suffix}", lower(severity),
                         name=var.name)
        elif value is not None and var.name in self.debug_vars and self.debug_vars[var.name][0].get(value.strip()):
            where = self.debug_vars[var.name][1]
            self.out.add(PF402, var.origin, f"{var.name}={value} is set in {f.path}{unset_note}, and the app's "
                         f"config turns it into DEBUG = True ({where.path}:{where.line}): debug mode is on, and "
                         f"`flask run`/`app.run()` start the interactive debugger.{suffix}", severity,
                         name=var.name, related=[where])
        elif value is not None and var.name == "WERKZEUG_DEBUG_PIN" and value.strip().lower() == "off":
            self.out.add(PF402, var.origin, f"WERKZEUG_DEBUG_PIN=off is set in {f.path}: whenever the Werkzeug "
                         f"debugger is active it runs Python for anyone, without asking for the PIN.{suffix}",
                         raise_(severity) if severity != Severity.LOW else severity, name=var.name)
        self._secret(var, f, dev_reason)

    def _pf402_flag(self, launch: Launch, ctx: Ctx, flag: str, no_debugger: bool = False) -> None:
        """``no_debugger``: the command also passes ``--no-debugger`` (Flask's run command then keeps the
        debugger off whatever debug mode says), so ``--debug`` only means debug mode."""
        what = {"--debug": "turns debug mode and the interactive debugger on",
                "--debugger": "turns the interactive debugger on",
                "--reload": "turns the reloader on (it restarts the server on file changes)"}[flag]
        if flag == "--debug" and no_debugger:
            what = "turns debug mode on (`--no-debugger` keeps the interactive debugger off)"
        medium = flag == "--reload" or (flag == "--debug" and no_debugger)
        severity = Severity.LOW if ctx.dev_reason else (Severity.MEDIUM if medium else PF402.severity)
        suffix = f" Reported as low because {ctx.dev_reason}." if ctx.dev_reason else ""
        self.out.add(PF402, launch.origin, f"`flask run {flag}` in {source_of(ctx)} {what}.{suffix}", severity)

    def _env_files(self) -> None:
        """.env/.flaskenv files on their own: what they set reaches production only in some setups."""
        for f in self.index.by_kind("dotenv"):
            name = os.path.basename(f.abs_path)
            if f.dev_reason or f.example:
                base = Severity.LOW
            elif name == ".flaskenv":
                # Only the flask command and app.run() read it; gunicorn never does - unless a launch loads it.
                base = Severity.HIGH if self.dev_server_launch else Severity.LOW
            elif self.dev_server_launch:
                base = Severity.HIGH
            else:
                base = Severity.MEDIUM
            loaded = self.loaded_env.get(os.path.normpath(f.abs_path))
            if loaded is not None and not (f.dev_reason or f.example) and loaded.rank > base.rank:
                base = loaded
            for var in last_per_name(f.env):
                self._env_var(var, f, f.dev_reason, base)

    # ---- PF406: committed secrets -------------------------------------------------------------------
    def _secret(self, var: EnvVar, f: DeployFile, dev_reason: str) -> None:
        name = var.name[6:] if var.name.startswith("FLASK_") else var.name
        if name not in SECRET_NAMES or var.value is None:
            return
        value, fallback = _secret_value(var.value, f.kind)
        _add_secret(self.secrets, var, value)
        if not value or var.origin in self.interpolated:
            # `SECRET_KEY: ${SECRET_KEY}` filled from the compose project's .env: the literal is written in the
            # .env, which is judged (and reported) as itself, git-ignored or not; this line names a variable
            return
        if f.kind == "dotenv" and f.tracked == "ignored":
            return  # a local, git-ignored .env is where secrets belong
        if f.example:
            if not _PLACEHOLDER_RE.search(value) and not _PHRASE_RE.match(value.strip("'\"")) and len(value) >= 16:
                severity, why = Severity.MEDIUM, " The template holds what looks like a real key, not a placeholder."
            else:
                return
        elif dev_reason:
            severity, why = Severity.LOW, f" Reported as low because {dev_reason}."
        elif f.kind == "dotenv" and f.tracked == "untracked":
            severity, why = Severity.MEDIUM, " It is not committed yet, but nothing ignores it: `git add .` would."
        elif f.kind == "dotenv" and f.tracked is None:
            severity, why = Severity.MEDIUM, " If it is committed, rotate the key."
        else:
            severity, why = Severity.HIGH, ""
        where = {"dockerfile": "baked into every image layer (`docker history` shows it)",
                 "dotenv": "a file git tracks" if f.tracked == "tracked" else "a file that is not git-ignored"
                 }.get(f.kind, "committed to the repository")
        self.out.add(PF406, var.origin, f"{var.name} is given a literal value{fallback} in {f.path}, {where}: "
                     f"{_SECRET_IMPACT.get(name, _SECRET_IMPACT['SECRET_KEY'])}.{why}", severity,
                     evidence=f"{var.name}=<redacted>", name=var.name)


_SECRET_IMPACT = {
    "SECRET_KEY": "anyone with the file can sign session cookies (log in as anyone)",
    "SECRET_KEY_FALLBACKS": "cookies signed with these keys are still accepted, so anyone with the file can forge them",
    "JWT_SECRET_KEY": "anyone with the file can mint valid JWTs for any identity",
    "WTF_CSRF_SECRET_KEY": "anyone with the file can forge CSRF tokens",
    "SECURITY_PASSWORD_SALT": "together with SECRET_KEY it signs Flask-Security's reset and confirmation tokens, so "
                              "it must stay as secret as the key",
}
_REFERENCE_RE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_BRACED_RE = re.compile(r"\$\{[^}]*\}")


def collect_secrets(files: Iterable[DeployFile], redactor: Redactor) -> None:
    """Every literal value of a secret-named variable in the deployment files, reported or not (a git-ignored
    ``.env``, a template): no finding on the same line or command (``ENV FLASK_DEBUG=1 SECRET_KEY=...``,
    ``SECRET_KEY=... flask run`` in a Procfile) may show it. Variables set inside commands are added by
    ``_secret`` as the launches are read."""
    for f in files:
        for var in [*f.env, *f.build_args, *(v for c in f.commands for v in c.env)]:
            name = var.name[6:] if var.name.startswith("FLASK_") else var.name
            if name in SECRET_NAMES and var.value:
                _add_secret(redactor, var, _secret_value(var.value, f.kind)[0])


def _add_secret(redactor: Redactor, var: EnvVar, value: str) -> None:
    if var.value and var.literal:
        redactor.add(var.value)
        redactor.add(var.value.strip())
    redactor.add(value)
    if value and var.origin.snippet and redactor.text(var.origin.snippet) == var.origin.snippet:
        # The value is spelled differently where it is written (a YAML or TOML escape, a folded block
        # scalar): no form of it is found in its own lines, so those whole lines are hidden instead.
        for line in var.origin.snippet.split("\n"):
            redactor.add_source(line.strip())


def _secret_value(raw: str, kind: str) -> Tuple[str, str]:
    """(the literal a secret has at run time or "", a note) - ``${SECRET_KEY:-literal}`` falls back to the
    literal; a value that is mostly a reference is not a secret written in the file, but one that merely
    contains a ``$`` is (python-dotenv only expands ``${...}``, compose writes a literal ``$`` as ``$$``)."""
    raw = raw.strip()
    m = DEFAULT_RE.match(raw)
    if m:
        default = m.group("default").strip()
        return (default, f" as the fallback of `{raw}` (used whenever {m.group('name')} is unset)") if default else ("", "")
    text = raw.replace("$$", "") if kind == "compose" else raw
    pattern = _BRACED_RE if kind == "dotenv" else _REFERENCE_RE
    literal = pattern.sub("", text)
    if "$" not in raw:
        return raw, ""
    return (raw, "") if len(literal.strip()) >= 8 else ("", "")
