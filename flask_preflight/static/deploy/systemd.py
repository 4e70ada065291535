"""systemd ``*.service`` units: the ``ExecStart=`` lines of ``[Service]`` and the environment they get.

The unit syntax (systemd.syntax(7)) is INI-like: ``[Section]`` headers, ``Key=value`` lines, ``#``/``;``
comment lines and a trailing backslash that joins the next line (replaced by a space). ``ExecStart=`` is
split into words with shell-like quoting but runs without a shell, which ``shlex.split`` matches closely;
``$VAR`` and ``%`` specifiers are left as written. ``Environment=`` applies to every command of the unit
wherever it is written, so the commands are built once the whole unit has been read. A unit whose name
carries a development word (``app-dev.service``, ``myapp.local.service``) is a development service.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Sequence, Tuple

from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

KIND = "systemd"
COMMENT_PREFIXES = ("#", ";")
EXEC_PREFIXES = "-@:+!"  # ignore failure, custom argv[0], no specifiers, privileged, no sandboxing
SOURCE = "systemd ExecStart"
DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "local", "test", "tests", "testing", "debug"})
DEV_REASON = "the unit name marks it as a development service"

_SECTION_RE = re.compile(r"^\[([^\[\]]+)\]$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class _Entry:
    """A logical ``Key=value`` line of a section; ``line``..``end_line`` cover its continuation lines."""

    section: str
    key: str
    value: str
    line: int
    end_line: int


@dataclass
class _Service:
    """What ``[Service]`` says, collected before the commands are built."""

    execs: List[Tuple[Tuple[str, ...], Origin]] = field(default_factory=list)
    env: List[EnvVar] = field(default_factory=list)
    env_files: List[Tuple[str, Origin]] = field(default_factory=list)
    workdir: Optional[str] = None


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """One Command per effective ``ExecStart=``; a unit without ``[Service]`` simply has no commands."""
    lines = split_lines(text)
    result = DeployFile(path, abs_path, KIND, suppressions=suppressions(lines, COMMENT_PREFIXES),
                        dev_reason=dev_reason_for(path))
    service = _Service()
    for entry in _entries(lines):
        if entry.section == "Service":
            _apply(service, entry, origin(path, lines, entry.line, entry.end_line), result.warnings)
    result.commands = [
        Command(argv=argv, origins=((0, where),), source=SOURCE, env=tuple(service.env),
                env_files=tuple(service.env_files), workdir=service.workdir, dev_reason=result.dev_reason)
        for argv, where in service.execs
    ]
    return result


def dev_reason_for(path: str) -> str:
    """``app-dev.service``, ``myapp.local.service``, ``web_test.service``, ``app@dev.service``."""
    words = re.split(r"[.\-_@]", posixpath.basename(path.replace("\\", "/")).lower())
    return DEV_REASON if DEV_WORDS.intersection(words) else ""


def _entries(lines: Sequence[str]) -> Iterator[_Entry]:
    """``Key=value`` entries with their section, continuation lines joined; raises on lines systemd rejects."""
    section = ""
    for text, line, end_line in _logical_lines(lines):
        header = _SECTION_RE.match(text)
        if header:
            section = header.group(1)
            continue
        if text.startswith("["):
            raise DeployParseError(f"malformed section header `{text}`", line)
        key, equals, value = text.partition("=")
        if not equals or not key.strip():
            raise DeployParseError(f"`{_short(text)}` is not a `Key=value` line", line)
        if not section:
            raise DeployParseError(f"`{key.strip()}=` appears before any [Section] header", line)
        yield _Entry(section, key.strip(), value.strip(), line, end_line)


def _logical_lines(lines: Sequence[str]) -> Iterator[Tuple[str, int, int]]:
    """Non-comment lines with backslash continuations joined (comment lines inside are skipped, as systemd does)."""
    pending: List[str] = []
    start = end = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped.startswith(COMMENT_PREFIXES) or not (stripped or pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            end = number
            continue
        if stripped:
            pending.append(stripped)
            end = number
        yield " ".join(pending).strip(), start, end
        pending = []
    if pending:
        yield " ".join(pending).strip(), start, end


def _apply(service: _Service, entry: _Entry, where: Origin, warnings: List[Tuple[int, str]]) -> None:
    """Record one ``[Service]`` setting; an empty value resets list settings, as systemd does."""
    if entry.key == "ExecStart":
        if not entry.value:
            service.execs.clear()
            return
        argv = _exec_argv(entry)
        if argv:
            service.execs.append((argv, where))
        else:
            warnings.append((entry.line, "ExecStart= has no command after its prefixes; systemd ignores it"))
    elif entry.key == "Environment":
        if not entry.value:
            service.env.clear()
            return
        service.env.extend(_assignments(entry, where, warnings))
    elif entry.key == "EnvironmentFile":
        if not entry.value:
            service.env_files.clear()
            return
        service.env_files.append((entry.value[1:] if entry.value.startswith("-") else entry.value, where))
    elif entry.key == "WorkingDirectory":
        service.workdir = entry.value.lstrip("-") or None


def _exec_argv(entry: _Entry) -> Tuple[str, ...]:
    """The argv systemd executes: prefixes stripped; with ``@`` the second word is only argv[0], so it goes."""
    body = entry.value.lstrip(EXEC_PREFIXES)
    prefixes = entry.value[:len(entry.value) - len(body)]
    words = _split(body, entry)
    if "@" in prefixes and len(words) >= 2:
        del words[1]
    return tuple(words)


def _assignments(entry: _Entry, where: Origin, warnings: List[Tuple[int, str]]) -> List[EnvVar]:
    """``Environment="A=1" "B=two words" C=3``; systemd ignores words that are not ``NAME=value``."""
    try:
        words = shlex.split(entry.value)
    except ValueError:
        warnings.append((entry.line, "Environment= has an unterminated quote; systemd ignores the line"))
        return []
    found = []
    for word in words:
        name, equals, value = word.partition("=")
        if equals and _NAME_RE.match(name):
            found.append(EnvVar(name, value, where))
        else:
            warnings.append((entry.line, f"`{_short(word)}` is not a `NAME=value` assignment; systemd ignores it"))
    return found


# A unit shipped as a template (Ansible/Jinja, cookiecutter: ``ExecStart={{ venv }}/bin/gunicorn ...``) is
# rendered before systemd reads it; each placeholder becomes one value, so it is kept as one word.
_PLACEHOLDER_RE = re.compile(r"\{\{[^{}\n]*\}\}")


def _split(value: str, entry: _Entry) -> List[str]:
    value = _PLACEHOLDER_RE.sub(lambda m: "{{" + re.sub(r"\s+", "_", m.group(0)[2:-2].strip()) + "}}", value)
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise DeployParseError(f"{entry.key}= cannot be split into words ({str(exc).lower()})", entry.line) from None


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit - 3] + "..."
