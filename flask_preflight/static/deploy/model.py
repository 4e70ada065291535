"""What a deployment file says about how the app runs, independent of the file's format.

Each format module (``dockerfile``, ``compose``, ``procfile``, ...) turns one file into a ``DeployFile``:
the command lines it runs, the environment it sets, build arguments, and a few facts (a reverse-proxy
service in compose). Everything Flask-specific - is that command the development server, does that
variable turn debug mode on - is decided once, in ``commands`` and ``checks``, so every format gets the
same judgement. All types are plain, picklable data so results can be cached and sent between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple


class DeployParseError(Exception):
    """The file is malformed for its format; ``line`` is 1-based when the parser knows it."""

    def __init__(self, message: str, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Origin:
    """A span of a deployment file (1-based lines) and its text, for locations and code frames."""

    path: str
    line: int
    end_line: int
    snippet: str
    column: int = 1


@dataclass(frozen=True)
class Guard:
    """A shell test a line depends on: it runs only when the test is true (``holds``) or false (``else``).

    ``op`` is ``=``/``!=`` (``[ "$NAME" = value ]``), ``-z``/``-n``, ``case`` (``value`` is the pattern,
    alternatives joined by ``|``), or "" when the test is not a simple one (then only ``text`` is known).
    """

    text: str
    name: str = ""
    op: str = ""
    value: str = ""
    holds: bool = True


@dataclass(frozen=True)
class EnvVar:
    """``name=value`` set for the app's process. ``value`` is None when it is not written in the file
    (``${SECRET_KEY}``, ``ARG X`` without a default, compose's bare ``- NAME`` passthrough)."""

    name: str
    value: Optional[str]
    origin: Origin
    dev_reason: str = ""  # why this assignment only happens in development ("" when it does not)
    guards: Tuple[Guard, ...] = ()  # shell tests the assignment depends on

    @property
    def literal(self) -> bool:
        return self.value is not None and "$" not in self.value


@dataclass(frozen=True)
class Command:
    """A command line the file runs, as an argv list.

    Shell forms are given as ``["/bin/sh", "-c", text]`` so one interpreter handles both forms.
    ``origins`` maps argv positions to where they are written: ``((0, entrypoint_origin), (2, cmd_origin))``
    means argv[0:2] come from ENTRYPOINT and argv[2:] from CMD.
    """

    argv: Tuple[str, ...]
    origins: Tuple[Tuple[int, Origin], ...]
    source: str  # for messages: "Dockerfile CMD", "compose service `web` command", "Procfile `web`", ...
    web: bool = True  # serves the app's requests (a Procfile ``release:``/``worker:`` line does not)
    env: Tuple[EnvVar, ...] = ()  # environment in effect for this command, in order (later wins)
    env_files: Tuple[Tuple[str, Origin], ...] = ()  # env files it loads (compose env_file, systemd EnvironmentFile)
    workdir: Optional[str] = None  # working directory inside the container / unit, when known
    dev_reason: str = ""  # non-empty when this is evidently a local-development setup, and why
    build: Optional[Tuple[str, str, str]] = None  # compose ``build``: (context dir, Dockerfile, target stage or "")
    guards: Tuple[Guard, ...] = ()  # shell tests the line depends on (entry scripts)
    public_ports: Tuple[Origin, ...] = ()  # compose ``ports:`` of this service published on all interfaces
    # compose: relative directories bind-mounted read-write (as written, target): code mounted over the image's
    # WORKDIR is a local-development setup even where the target is not a conventional code directory
    mounts: Tuple[Tuple[str, str], ...] = ()

    @property
    def origin(self) -> Origin:
        return self.origins[-1][1] if self.origins else Origin("", 1, 1, "")

    def origin_at(self, index: int) -> Origin:
        """Where argv[index] is written."""
        chosen = self.origins[0][1] if self.origins else Origin("", 1, 1, "")
        for start, origin in self.origins:
            if start <= index:
                chosen = origin
        return chosen


@dataclass
class DeployFile:
    """One deployment file, understood. ``kind`` is one of ``KINDS``."""

    path: str
    abs_path: str
    kind: str
    commands: List[Command] = field(default_factory=list)
    env: List[EnvVar] = field(default_factory=list)  # file-level environment (.env, .flaskenv, fly [env], app.yaml)
    # Dockerfile ARG defaults (visible in image history), build-time values of other formats, Kubernetes ConfigMap
    # data: written in the file, not the app's environment as such, so judged only as committed secrets (PF406)
    build_args: List[EnvVar] = field(default_factory=list)
    proxies: List[Origin] = field(default_factory=list)  # compose services that are reverse proxies (nginx, traefik, ...)
    public_ports: List[Origin] = field(default_factory=list)  # compose ``ports:`` that publish on all interfaces
    dev_reason: str = ""  # the whole file is for local development (Dockerfile.dev, Procfile.dev, .env.development)
    example: bool = False  # a template meant to be copied (.env.example, .env.sample)
    gunicorn: Dict[str, "Setting"] = field(default_factory=dict)  # gunicorn.conf.py settings
    suppressions: Dict[int, FrozenSet[str]] = field(default_factory=dict)  # line -> rule ids silenced there
    suppression_sources: Dict[int, FrozenSet[int]] = field(default_factory=dict)  # line -> its directives' lines
    tracked: Optional[str] = None  # .env files: "tracked", "ignored" or "untracked" by git; None when unknown
    warnings: List[Tuple[int, str]] = field(default_factory=list)  # (line, reason): lines skipped, file still used
    stages: Dict[str, List[Command]] = field(default_factory=dict)  # Dockerfile: commands per named stage (--target)
    # Dockerfile: scripts a RUN/COPY heredoc writes into the image, by container path (dockerheredoc.py)
    scripts: Dict[str, "DeployFile"] = field(default_factory=dict)


@dataclass(frozen=True)
class Setting:
    """A gunicorn setting from a config file: the evaluated value when literal, and where it is."""

    name: str
    value: object  # a constant, or ENV / COMPUTED when it is read from the environment or computed
    origin: Origin


ENV_VALUE = "<environment>"  # setting read from the environment at start-up
COMPUTED = "<computed>"  # setting computed at start-up (cpu_count() * 2 + 1)

KINDS = ("dockerfile", "compose", "procfile", "dotenv", "gunicorn", "systemd", "appengine", "fly", "shell",
         "supervisord", "render", "appjson", "kubernetes", "heroku")
