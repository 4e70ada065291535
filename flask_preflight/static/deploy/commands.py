"""What a command line starts: Flask's development server, gunicorn, another WSGI server, or a script.

Deployment files hold argv lists (exec form) or shell text (``sh -c "..."``). Shell text is split into
simple commands with ``shlex`` (punctuation aware, so ``&&``, ``;`` and ``|`` separate commands); leading
``NAME=value`` assignments become the command's own environment; launch wrappers (``exec``, ``env``,
``tini --``, ``gosu user``, ``poetry run``, ``ddtrace-run`` ...) are peeled off. gunicorn's options are read
with gunicorn's own option table, so every flag and its arity match the real command line.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from flask_preflight.static.deploy.model import Command, EnvVar, Origin

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
PYTHON_RE = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?$")
OTHER_SERVERS = frozenset({"waitress-serve", "uwsgi", "uwsgi_python3", "hypercorn", "uvicorn", "daphne", "granian",
                           "mod_wsgi-express", "bjoern", "cheroot", "meinheld", "twistd", "gevent"})
OTHER_SERVER_MODULES = frozenset({"waitress", "uvicorn", "hypercorn", "granian", "daphne", "cheroot"})
# Wrapper -> number of its own arguments to skip after it (or "--": skip through a "--" separator).
_WRAPPERS: Dict[str, object] = {
    "exec": 0, "nohup": 0, "time": 0, "nice": 0, "stdbuf": 0, "dumb-init": 0, "tini": 0, "catatonit": 0,
    "ddtrace-run": 0, "newrelic-admin": 1, "opentelemetry-instrument": 0, "sentry-run": 0,
    "gosu": 1, "su-exec": 1, "setpriv": 0, "chpst": 0, "s6-setuidgid": 1, "doppler": "--", "op": "--",
    "wait-for-it": "--", "wait-for-it.sh": "--", "wait-for": "--", "dockerize": "-",
}
_RUNNERS = {"poetry": "run", "pipenv": "run", "uv": "run", "pdm": "run", "hatch": "run", "rye": "run",
            "conda": "run", "micromamba": "run", "foreman": None, "honcho": None}
_PYTHON_VALUE_FLAGS = frozenset({"-W", "-X", "-Q"})
_FLASK_GLOBAL_VALUE = frozenset({"--app", "-A", "--env-file", "-e"})
_FLASK_RUN_VALUE = frozenset({"--host", "-h", "--port", "-p", "--cert", "--key", "--extra-files", "--exclude-patterns"})
_ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")", "{", "}", "\n"})
_FD_RE = re.compile(r"(?<=\s)\d+(?=[<>])")
_REDIRECTS = frozenset({">", ">>", "<", "<<", ">&", "<&", "&>", ">|", "2>", "1>"})
_CMDSUB_RE = re.compile(r"\$\([^()]*\)")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "time"})


@dataclass(frozen=True)
class Launch:
    """One program a command line starts.

    ``kind``: ``flask-run`` (the development server through the CLI), ``python-script`` (``python x.py``),
    ``python-module`` (``python -m pkg``), ``flask-command`` (another ``flask`` command: ``args[0]`` is its
    function name), ``gunicorn``, ``server`` (another production server) or
    ``script`` (a shell script the command runs; ``args`` are passed to it, e.g. for ``exec "$@"``), or
    ``other`` (any other program, reported only for the ``NAME=value`` assignments in front of it).
    """

    kind: str
    words: Tuple[str, ...]
    command: Command
    origin: Origin
    target: str = ""  # script path, module name, or WSGI target ("app:app")
    args: Tuple[str, ...] = ()
    env: Tuple[EnvVar, ...] = ()  # inline ``NAME=value`` assignments before the program
    options: Dict[str, List[str]] = field(default_factory=dict)  # option name -> values ("" for flags)

    def option(self, name: str) -> Optional[str]:
        values = self.options.get(name)
        return values[-1] if values else None

    @property
    def display(self) -> str:
        """The words as written; quoted only where a word holds spaces (``$PORT`` stays as it is)."""
        return " ".join(f'"{w}"' if not w or any(c.isspace() for c in w) else w for w in self.words)


def launches(command: Command, words: Optional[Sequence[str]] = None) -> List[Launch]:
    """Every program ``command`` starts, in order; ``words`` (a tail of its argv, e.g. the arguments an entry
    script receives as ``"$@"``) restricts it to that tail, keeping each word's origin."""
    found: List[Launch] = []
    tail = list(command.argv if words is None else words)
    if tail != list(command.argv[len(command.argv) - len(tail):]):
        raise ValueError("words must be a tail of the command's argv")
    _interpret(tail, command, None, (), found, depth=0)
    return found


def split_shell(text: str) -> List[List[str]]:
    """Shell text -> simple commands (lists of words); tolerant of constructs shlex cannot model."""
    out: List[List[str]] = []
    for line in text.replace("\\\n", " ").split("\n"):
        line = _CMDSUB_RE.sub("__command_output__", line)  # `$(pwd):/work` stays one word
        line = _FD_RE.sub("", line)  # `2>&1`: the descriptor is part of the redirection, not an argument
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: List[str] = []
        try:
            tokens = list(lexer)
        except ValueError:  # unbalanced quotes: fall back to plain whitespace splitting
            tokens = line.split()
        skip_next = False
        for tok in tokens:
            if skip_next:
                skip_next = False
                continue
            if tok in _SEPARATORS or set(tok) <= set("&|;()") and tok:
                if current:
                    out.append(current)
                current = []
                continue
            if tok in _REDIRECTS or tok.rstrip("&") in _REDIRECTS or re.fullmatch(r"\d?[<>]+&?\d*", tok):
                skip_next = not re.fullmatch(r"\d?[<>]+&\d+", tok)
                continue
            current.append(tok)
        if current:
            out.append(current)
    return out


def _interpret(words: List[str], command: Command, fixed: Optional[Origin], env: Tuple[EnvVar, ...],
               out: List[Launch], depth: int) -> None:
    """``fixed`` is the origin of shell text; for argv lists (always suffixes of ``command.argv`` here) the
    origin is wherever the program word is written (ENTRYPOINT or CMD)."""
    if depth > 8 or not words:
        return
    words = list(words)
    assigns: List[EnvVar] = list(env)
    while words and _ASSIGN_RE.match(words[0]):
        word = words.pop(0)
        name, _, value = word.partition("=")
        assigns.append(EnvVar(name, value, fixed or command.origin_at(len(command.argv) - len(words) - 1)))
    while words and words[0] in _KEYWORDS:
        words.pop(0)
    if not words:
        return
    origin = fixed or command.origin_at(len(command.argv) - len(words))
    prog = os.path.basename(words[0])
    rest = words[1:]
    if prog in SHELLS:
        text = shell_c(rest)
        if text is not None:
            for sub in split_shell(text):
                _interpret(sub, command, origin, tuple(assigns), out, depth + 1)
            return
        script = next((w for w in rest if not w.startswith("-")), None)
        if script is not None:
            out.append(Launch("script", tuple(words), command, origin, script,
                              tuple(rest[rest.index(script) + 1:]), tuple(assigns)))
        return
    if prog == "env":
        i = 0
        while i < len(rest) and (rest[i].startswith("-") or _ASSIGN_RE.match(rest[i])):
            if _ASSIGN_RE.match(rest[i]):
                name, _, value = rest[i].partition("=")
                assigns.append(EnvVar(name, value, origin))
            i += 1
        _interpret(rest[i:], command, fixed, tuple(assigns), out, depth + 1)
        return
    if prog in ("docker", "podman") and rest[:1] == ["run"] or rest[:2] == ["container", "run"]:
        inner, run_env = _docker_run(rest[2:] if rest[:1] == ["container"] else rest[1:], origin)
        _interpret(inner, command, origin, tuple(assigns) + run_env, out, depth + 1)
        return
    if prog in _WRAPPERS or prog in _RUNNERS:
        inner = _unwrap(prog, rest)
        if inner is not None:
            _interpret(inner, command, fixed, tuple(assigns), out, depth + 1)
        return
    if fixed is not None and origin.end_line > origin.line:
        origin = _line_of(origin, words)  # `docker run ... \` then `sh -c "python run.py"` on the next line
    launch = _program(prog, words, rest, command, origin, tuple(assigns))
    if launch is None and assigns:  # `SECRET_KEY=... flask db upgrade`: the assignment is still written there
        launch = Launch("other", tuple(words), command, origin, prog, tuple(rest), tuple(assigns))
    if launch is not None:
        out.append(launch)


# `docker run` options that take a value (the rest are flags: -d, -i, -t, --rm, --init, --privileged, -P).
_DOCKER_SHORT_VALUE = frozenset("aceEhlmpuvw")
_DOCKER_LONG_FLAGS = frozenset({"--rm", "--detach", "--interactive", "--tty", "--init", "--privileged",
                                "--publish-all", "--read-only", "--sig-proxy", "--disable-content-trust",
                                "--no-healthcheck", "--oom-kill-disable", "--quiet"})


def _docker_run(rest: List[str], origin: Origin) -> Tuple[List[str], Tuple[EnvVar, ...]]:
    """``docker run [OPTIONS] IMAGE [COMMAND...]`` -> (the command run inside the container, its ``-e``
    variables). ``--entrypoint X`` puts X in front of the command; an image without a command yields []."""
    env: List[EnvVar] = []
    entrypoint: List[str] = []
    i = 0
    while i < len(rest) and rest[i].startswith("-") and rest[i] != "-":
        word = rest[i]
        name, eq, value = word.partition("=")
        if word.startswith("--"):
            takes = name not in _DOCKER_LONG_FLAGS and not eq
        else:
            takes = len(word) == 2 and word[1] in _DOCKER_SHORT_VALUE
            name, value = (word, "") if takes else (word[:2], word[2:])
            eq = "" if takes else eq
        if takes:
            value = rest[i + 1] if i + 1 < len(rest) else ""
            i += 1
        if name in ("-e", "--env") and _ASSIGN_RE.match(value):
            key, _, val = value.partition("=")
            env.append(EnvVar(key, val, origin))
        elif name == "--entrypoint" and value:
            entrypoint = [value]
        i += 1
    inner = rest[i + 1:] if i < len(rest) else []
    return (entrypoint + inner if inner or entrypoint else []), tuple(env)


def _line_of(origin: Origin, words: List[str]) -> Origin:
    """The line of a multi-line shell command on which the launched program and its first argument are
    written, so the finding points at it; the whole command's origin when they are not found together."""
    lines = origin.snippet.split("\n")
    needle = " ".join(words[:2])
    for offset, text in enumerate(lines):
        col = " ".join(text.split()).find(needle) if offset else -1
        if col >= 0:
            return Origin(origin.path, origin.line + offset, origin.end_line, "\n".join(lines[offset:]),
                          max(text.find(words[0]), 0) + 1)
    return origin


def shell_c(rest: List[str]) -> Optional[str]:
    """The script text of ``sh -c TEXT`` / ``bash -lc TEXT``, else None."""
    for i, word in enumerate(rest):
        if word.startswith("-") and "c" in word[1:] and not word.startswith("--"):
            return rest[i + 1] if i + 1 < len(rest) else None
        if not word.startswith("-"):
            return None
    return None


def _unwrap(prog: str, rest: List[str]) -> Optional[List[str]]:
    if prog in _RUNNERS:
        sub = _RUNNERS[prog]
        if sub is None or not rest or rest[0] != sub:
            return None
        rest = rest[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[1:]
        return rest
    how = _WRAPPERS[prog]
    if how == "--" or how == "-":
        if "--" in rest:
            return rest[rest.index("--") + 1:]
        if how == "-":  # dockerize -wait tcp://db:5432 -timeout 20s gunicorn ...: skip -flag value pairs
            i = 0
            while i < len(rest) and rest[i].startswith("-"):
                i += 2
            return rest[i:]
        return None
    i = 0
    if prog == "newrelic-admin":
        return rest[1:] if rest and rest[0] == "run-program" else None
    while i < len(rest) and rest[i].startswith("-") and rest[i] != "--":
        i += 1
    if i < len(rest) and rest[i] == "--":
        i += 1
    return rest[i + int(how):]  # type: ignore[call-overload]


def _program(prog: str, words: List[str], rest: List[str], command: Command, origin: Origin,
             env: Tuple[EnvVar, ...]) -> Optional[Launch]:
    if prog == "flask":
        return _flask(words, rest, command, origin, env)
    if PYTHON_RE.match(prog):
        return _python(words, rest, command, origin, env)
    if prog == "gunicorn":
        return _gunicorn(words, rest, command, origin, env)
    if prog in OTHER_SERVERS:
        return Launch("server", tuple(words), command, origin, prog, tuple(rest), env)
    if prog in _TASK_RUNNERS:
        return _task(prog, words, rest, command, origin, env)
    if prog.endswith(".sh") or (words[0].startswith(("./", "/")) and "." not in prog and prog not in ("true", "false")):
        return Launch("script", tuple(words), command, origin, words[0], tuple(rest), env)
    return None


def _python(words: List[str], rest: List[str], command: Command, origin: Origin,
            env: Tuple[EnvVar, ...]) -> Optional[Launch]:
    i = 0
    while i < len(rest):
        word = rest[i]
        if word == "-m" or (word.startswith("-m") and len(word) > 2 and not word.startswith("--")):
            module = rest[i + 1] if word == "-m" and i + 1 < len(rest) else word[2:]
            if not module:
                return None
            args = rest[i + 2:] if word == "-m" else rest[i + 1:]
            if module == "flask":
                return _flask(words, args, command, origin, env)
            if module == "gunicorn":
                return _gunicorn(words, args, command, origin, env)
            if module.split(".")[0] in OTHER_SERVER_MODULES:
                return Launch("server", tuple(words), command, origin, module, tuple(args), env)
            return Launch("python-module", tuple(words), command, origin, module, tuple(args), env)
        if word == "-c" or word == "-":
            return None
        if word in _PYTHON_VALUE_FLAGS:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return Launch("python-script", tuple(words), command, origin, word, tuple(rest[i + 1:]), env)
    return None


_TASK_RUNNERS = {"invoke": "tasks", "inv": "tasks", "fab": "fabfile"}
_TASK_VALUE = frozenset({"-c", "--collection", "-r", "--search-root", "-f", "--config", "-H", "--hosts",
                         "-i", "--identity", "-S", "--ssh-config", "-e", "--echo-format"})


def _task(prog: str, words: List[str], rest: List[str], command: Command, origin: Origin,
          env: Tuple[EnvVar, ...]) -> Optional[Launch]:
    """``invoke run --host 0.0.0.0`` / ``fab serve``: the task function of tasks.py / fabfile.py (or the
    ``-c`` collection), given as a ``python-script`` launch whose first argument is the task's function name,
    the way ``python manage.py runserver`` names its command (``app.run`` -> ``run``, ``run-dev`` -> ``run_dev``)."""
    module = _TASK_RUNNERS[prog]
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        name = rest[i].partition("=")[0]
        if name in ("-c", "--collection") and "=" not in rest[i] and i + 1 < len(rest):
            module = rest[i + 1]
        if name in _TASK_VALUE and "=" not in rest[i]:
            i += 1
        i += 1
    if i >= len(rest):
        return None
    task = rest[i].rsplit(".", 1)[-1].replace("-", "_")
    return Launch("python-script", tuple(words), command, origin, module.replace(".", "/") + ".py",
                  (task,) + tuple(rest[i + 1:]), env)


def _flask(words: List[str], rest: List[str], command: Command, origin: Origin,
           env: Tuple[EnvVar, ...]) -> Optional[Launch]:
    """``flask [--app X] [--debug] run [--host H] [--debugger] [--reload]`` (``flask run`` only)."""
    options: Dict[str, List[str]] = {}
    i = 0
    sub = None
    while i < len(rest):
        word = rest[i]
        name, eq, value = word.partition("=")
        if sub is None and not word.startswith("-"):
            sub = word
            i += 1
            continue
        if word.startswith("-"):
            takes = (_FLASK_GLOBAL_VALUE if sub is None else _FLASK_RUN_VALUE | _FLASK_GLOBAL_VALUE)
            if name in takes and not eq:
                value = rest[i + 1] if i + 1 < len(rest) else ""
                i += 1
            options.setdefault(_FLASK_ALIASES.get(name, name), []).append(value)
        i += 1
    target = (options.get("--app") or [""])[-1]
    if sub is not None and sub != "run":
        # a project command (`@app.cli.command() def serve(): app.run(...)`): named like python-script
        # arguments, the command first (`serve-dev` -> `serve_dev`)
        after = rest[rest.index(sub) + 1:] if sub in rest else []
        return Launch("flask-command", tuple(words), command, origin, target,
                      (sub.replace("-", "_"),) + tuple(after), env, options)
    if sub != "run":
        return None
    return Launch("flask-run", tuple(words), command, origin, target, (), env, options)


_FLASK_ALIASES = {"-A": "--app", "-e": "--env-file", "-h": "--host", "-p": "--port"}


def flask_run(launch: Launch) -> Launch:
    """``python manage.py run ...`` where manage.py is a ``FlaskGroup``: Flask's own ``run`` command."""
    found = _flask(list(launch.words), list(launch.args), launch.command, launch.origin, launch.env)
    return found if found is not None else launch


def _gunicorn(words: List[str], rest: List[str], command: Command, origin: Origin,
              env: Tuple[EnvVar, ...]) -> Launch:
    options, positional = parse_gunicorn_args(rest)
    target = positional[-1] if positional else ""
    return Launch("gunicorn", tuple(words), command, origin, target, tuple(positional), env, options)


def parse_gunicorn_args(args: Sequence[str]) -> Tuple[Dict[str, List[str]], List[str]]:
    """gunicorn's own option table decides which flags take a value; values stay raw text ("$PORT")."""
    table = _gunicorn_table()
    options: Dict[str, List[str]] = {}
    positional: List[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            positional.extend(args[i + 1:])
            break
        if word.startswith("--"):
            flag, eq, value = word.partition("=")
            dest, takes = table.get(flag, (flag[2:].replace("-", "_"), bool(eq)))
            if takes and not eq:
                value = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            options.setdefault(dest, []).append(value if takes else "")
        elif word.startswith("-") and len(word) > 1:
            flag = word[:2]
            dest, takes = table.get(flag, (flag[1:], False))
            if takes:
                value = word[2:].lstrip("=") if len(word) > 2 else (args[i + 1] if i + 1 < len(args) else "")
                if len(word) == 2:
                    i += 1
                options.setdefault(dest, []).append(value)
            else:
                options.setdefault(dest, []).append("")
        else:
            positional.append(word)
        i += 1
    return options, positional


# Used only where gunicorn cannot be imported (Windows): the options the checks read, with their arity.
_FALLBACK_TABLE: Dict[str, Tuple[str, bool]] = {
    "-c": ("config", True), "--config": ("config", True), "-b": ("bind", True), "--bind": ("bind", True),
    "-w": ("workers", True), "--workers": ("workers", True), "-k": ("worker_class", True),
    "--worker-class": ("worker_class", True), "--threads": ("threads", True), "-t": ("timeout", True),
    "--timeout": ("timeout", True), "--log-level": ("loglevel", True), "--forwarded-allow-ips": ("forwarded_allow_ips", True),
    "--reload": ("reload", False), "--preload": ("preload_app", False), "--access-logfile": ("accesslog", True),
    "--error-logfile": ("errorlog", True), "--log-file": ("errorlog", True), "-u": ("user", True), "-g": ("group", True),
    "--chdir": ("chdir", True), "-e": ("raw_env", True), "--env": ("raw_env", True), "-D": ("daemon", False),
    "--daemon": ("daemon", False), "-p": ("pidfile", True), "--pid": ("pidfile", True), "-n": ("proc_name", True),
    "--name": ("proc_name", True), "-m": ("umask", True), "--umask": ("umask", True),
}


@lru_cache(maxsize=1)
def _gunicorn_table() -> Dict[str, Tuple[str, bool]]:
    try:
        from gunicorn.config import Config  # noqa: PLC0415 - only when a gunicorn command is seen
        parser = Config().parser()
    except Exception:  # noqa: BLE001 - not installed, or not importable on this platform
        return dict(_FALLBACK_TABLE)
    table: Dict[str, Tuple[str, bool]] = {}
    for action in parser._actions:  # argparse keeps no public list of actions
        for flag in action.option_strings:
            table[flag] = (action.dest, action.nargs != 0)
    return table
