"""What every deployment check shares: the environment a launch runs with, where findings go, how files
refer to each other, and the context of one launch."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.rules import Rule
from flask_preflight.static.deploy.commands import Launch
from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar, Origin
from flask_preflight.static.python.context import FileAnalysis, ModuleSummary

ROOT_KINDS = ("dockerfile", "compose", "procfile", "systemd", "appengine", "fly", "supervisord", "render",
              "appjson", "kubernetes", "heroku")
PLATFORM_KINDS = frozenset({"procfile", "appengine", "fly", "render", "heroku"})  # a platform router sits in front
FALSE_WORDS = frozenset({"0", "false", "no"})  # flask.helpers.get_debug_flag: anything else non-empty is on
MAX_SANE_WORKERS = 32
DEFAULT_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?-(?P<default>[^}]*)\}$")


@dataclass
class Env:
    """The environment a launch runs with: name -> (value, where it was set, note)."""

    values: Dict[str, Tuple[Optional[str], Origin, str, str]] = field(default_factory=dict)  # + dev_reason

    def add(self, var: EnvVar, note: str = "", *, override: bool = True) -> None:
        if override or var.name not in self.values:
            self.values[var.name] = (var.value, var.origin, note, var.dev_reason)

    @classmethod
    def of(cls, variables: Iterable[EnvVar]) -> "Env":
        env = cls()
        for var in variables:
            env.add(var)
        return env

    def copy(self) -> "Env":
        return Env(dict(self.values))

    def get(self, name: str) -> Optional[Tuple[Optional[str], Origin, str, str]]:
        return self.values.get(name)

    def truthy(self, name: str) -> Optional[Tuple[str, Origin, str]]:
        """(value, origin, note) when ``name`` turns Flask's debug flag on."""
        hit = self.values.get(name)
        if hit is None:
            return None
        value = effective(hit[0])
        if value is None or not debug_flag(value):
            return None
        return value, hit[1], hit[2]


def effective(raw: Optional[str]) -> Optional[str]:
    """The value a variable has at run time when that can be known: literals, and ``${X:-default}``."""
    if raw is None:
        return None
    if "$" not in raw:
        return raw
    m = DEFAULT_RE.match(raw.strip())
    return m.group("default") if m else None


def debug_flag(value: str) -> bool:
    return bool(value) and value.strip().lower() not in FALSE_WORDS


class Collector:
    """Findings keyed by (rule, file, line) so one line reached from several launches is reported once, at the
    highest severity any of them gives it."""

    def __init__(self) -> None:
        self.items: Dict[Tuple[str, str, int, int], Finding] = {}

    def add(self, rule: Rule, where: Origin, message: str, severity: Severity, *, evidence: str = "",
            fix_hint: Optional[str] = None, related: Iterable[Location] = (), name: str = "") -> None:
        if name:
            where = narrow(where, name)
        loc = Location(where.path, where.line, where.column, where.end_line)
        key = (rule.id, where.path, where.line, where.column)
        old = self.items.get(key)
        if old is not None and old.severity.rank >= severity.rank:
            return
        self.items[key] = rule.finding(message, loc, severity=severity, snippet=where.snippet,
                                       evidence=evidence or where.snippet.strip(), fix_hint=fix_hint,
                                       related=tuple(related))


def narrow(where: Origin, name: str) -> Origin:
    """The line and column of ``name`` inside a multi-line instruction (``ENV A=1 \\ SECRET_KEY=x``)."""
    pattern = re.compile(r"(?:^|[\s\"'{(-])(" + re.escape(name) + r")\s*[=:\s\"']")
    for offset, text in enumerate(where.snippet.split("\n")):
        m = pattern.search(text + " ")
        if m:
            return Origin(where.path, where.line + offset, where.line + offset, text, m.start(1) + 1)
    return where


def loc(origin: Origin) -> Location:
    return Location(origin.path, origin.line, origin.column, origin.end_line)


class Files:
    """Deployment and Python files found by path, the way a launch refers to them."""

    def __init__(self, files: Sequence[DeployFile], python: Sequence[FileAnalysis]) -> None:
        self.files = list(files)
        self.modules: List[Tuple[str, ModuleSummary]] = [
            (_norm(os.path.abspath(a.path)), a.summary) for a in python if a.summary is not None]
        self.named: Dict[str, List[Tuple[str, ModuleSummary]]] = {}  # dotted name -> every module of that name
        for path, module in self.modules:
            if module.module_name:
                self.named.setdefault(module.module_name, []).append((path, module))
        self.module_names = _by_basename(self.modules)

    def by_kind(self, *kinds: str) -> List[DeployFile]:
        return [f for f in self.files if f.kind in kinds]

    # ``within``: the directory the launch can see (its build context or project, see context.py); "" for any.
    def find_file(self, ref: str, near: DeployFile, kinds: Tuple[str, ...], within: str = "") -> Optional[DeployFile]:
        return _best(_by_basename([(_norm(f.abs_path), f) for f in self.by_kind(*kinds)]), ref, near.abs_path,
                     within)

    def find_script(self, ref: str, near: DeployFile, within: str = "") -> Optional[ModuleSummary]:
        return _best(self.module_names, ref, near.abs_path, within)

    def find_module(self, dotted: str, near: DeployFile, within: str = "") -> Optional[ModuleSummary]:
        """What ``python -m dotted`` executes (runpy): the package's ``__main__.py`` when ``dotted`` is a
        package, else the module itself. Only directories above the dotted path may differ (sys.path), so
        ``pb.runonce`` is ``pb/runonce.py``, never ``pb/__main__.py``."""
        base = dotted.replace(".", "/")
        for ref in (base + "/__main__.py", base + ".py"):
            hit = _best(self.module_names, ref, near.abs_path, within, whole=True)
            if hit is not None:
                return hit
        return None

    def module_named(self, dotted: str, near: str, within: str = "") -> Optional[ModuleSummary]:
        """The module of that dotted name inside ``within``, nearest to the file ``near`` (the launching file or
        the importing module: several projects in one scan may each have a ``wsgi`` or ``config`` module)."""
        hits = [(path, m) for path, m in self.named.get(dotted, []) if not within or _under(path, within)]
        if not hits:
            return None
        near_dir = _norm(os.path.dirname(os.path.abspath(near))) + "/"
        return sorted(hits, key=lambda h: (-len(os.path.commonprefix([h[0], near_dir])), h[0]))[0][1]


def _norm(path: str) -> str:
    return path.replace("\\", "/")


def _by_basename(items: Sequence[Tuple[str, object]]) -> Dict[str, List[Tuple[str, object]]]:
    grouped: Dict[str, List[Tuple[str, object]]] = {}
    for path, item in items:
        grouped.setdefault(path.rsplit("/", 1)[-1], []).append((path, item))
    return grouped


def _under(path: str, within: str) -> bool:
    top = _norm(within).rstrip("/")
    return path == top or path.startswith(top + "/")


def _best(items: Dict[str, List[Tuple[str, object]]], ref: str, near: str, within: str = "",
          whole: bool = False) -> Optional[object]:
    """The item whose path ends with the longest tail of ``ref`` (container paths such as ``/app/src/app.py``
    differ from the checkout), nearest to the file that refers to it, among those inside ``within`` (when
    given); with ``whole``, only a path ending with all of ``ref`` (a module's dotted path). ``items`` are
    grouped by file name."""
    if not ref or "$" in ref or "%" in ref:
        return None
    parts = [p for p in _norm(ref).split("/") if p not in ("", ".")]
    if not parts:
        return None
    same_name = [(path, item) for path, item in items.get(parts[-1], []) if not within or _under(path, within)]
    near_dir = _norm(os.path.dirname(near))
    for start in range(1 if whole else len(parts)):
        tail = "/" + "/".join(parts[start:])
        hits = [(path, item) for path, item in same_name if path.endswith(tail)]
        if hits:
            hits.sort(key=lambda h: (-len(os.path.commonprefix([h[0], near_dir + "/"])), h[0]))
            return hits[0][1]
    return None


_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "env", "__pycache__", "site-packages", ".tox"})
MAX_FILES = 20_000


def find_by_tail(root: str, ref: str, near: str) -> Optional[str]:
    """The project file (of any kind) a launch's path means - ``/app/uwsgi.ini`` is ``docker/uwsgi.ini`` copied
    there, ``-c conf/server.py`` a gunicorn config with an ordinary name: the file ending with the longest tail
    of the path, nearest to the launching file ``near``. The walk skips virtualenvs and VCS directories."""
    if "$" in ref:
        return None
    parts = [p for p in ref.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        return None
    same: List[str] = []
    seen = 0
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        seen += len(files)
        same += [os.path.join(here, f).replace("\\", "/") for f in files if f == parts[-1]]
        if seen > MAX_FILES:
            break
    near_dir = os.path.dirname(near).replace("\\", "/") + "/"
    for start in range(len(parts)):
        tail = "/" + "/".join(parts[start:])
        hits = [p for p in same if p.endswith(tail)]
        if hits:
            return sorted(hits, key=lambda h: (-len(os.path.commonprefix([h, near_dir])), h))[0]
    return None



@dataclass
class Ctx:
    """Where a launch comes from: the file, the command, and whether it is a production launch."""

    file: DeployFile
    command: Command
    dev_reason: str
    env: Env
    via: Tuple[str, ...] = ()  # scripts followed to get here
    scope: str = ""  # the directory the launch can see (build context / project, context.py); "" until known




def loopback(host: str) -> bool:
    return host.strip().strip("[]") in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


def lower(severity: Severity) -> Severity:
    return _ORDER[max(0, _ORDER.index(severity) - 1)]


def raise_(severity: Severity) -> Severity:
    return _ORDER[min(len(_ORDER) - 1, _ORDER.index(severity) + 1)]


def last_per_name(env: Sequence[EnvVar]) -> List[EnvVar]:
    """A later assignment replaces an earlier one (``ENV FLASK_DEBUG=1`` ... ``ENV FLASK_DEBUG=0``)."""
    return list({var.name: var for var in env}.values())


def as_int(value: object, default: Optional[int]) -> Optional[int]:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def short(launch: Launch, limit: int = 80) -> str:
    text = launch.display
    return text if len(text) <= limit else text[: limit - 3] + "..."


def note(hit: Tuple[object, ...]) -> str:
    origin, note = hit[1], hit[2]
    return f"- {note}" if note else f"at {origin.path}:{origin.line}"  # type: ignore[union-attr]


def source_of(ctx: Ctx) -> str:
    """"the Dockerfile CMD", "the compose service `web` command", "entrypoint.sh line 5"."""
    if ctx.via or ctx.file.kind == "shell":
        return ctx.command.source or ctx.file.path  # "entrypoint.sh line 5" already names the script
    return f"the {ctx.command.source}" if ctx.command.source else ctx.file.path


def cap(text: str) -> str:
    """Sentence case for "the Dockerfile CMD"; file names ("entrypoint.sh line 5") keep their spelling."""
    return text[:1].upper() + text[1:] if text.startswith("the ") else text


# The rules of a development-server run call (debug mode, the unguarded run, the public bind, the debugger, a
# fail-open debug default): what the launch regrading (reach.py, stale.py) lowers when no launch runs the call.
RUN_RULES = frozenset({"PF101", "PF102", "PF103", "PF104", "PF105"})

# Where a project declares its dependencies, as glob patterns relative to a directory.
DEPENDENCY_FILES = ("requirements*.txt", "requirements*.in", "requirements/*.txt", "pyproject.toml", "Pipfile",
                    "setup.py", "setup.cfg")

Spans = Dict[str, List[Tuple[int, int, str]]]


def lower_in_spans(findings: Iterable[Finding], spans: Spans) -> List[Finding]:
    """Each run-call finding (``RUN_RULES``) inside a span (absolute path -> (first line, last line, why)) is
    lowered to low, its message saying why; everything else is kept as it is."""
    out: List[Finding] = []
    for f in findings:
        hit = next((why for a, b, why in spans.get(os.path.abspath(f.path), []) if a <= f.line <= b), None)
        if hit is not None and f.rule_id in RUN_RULES and f.severity != Severity.LOW:
            f = replace(f, severity=Severity.LOW, message=f"{f.message} Reported as low because {hit}.")
        out.append(f)
    return out

