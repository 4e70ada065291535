"""Fly.io ``fly.toml``: ``[env]``, ``[processes]``, ``[experimental]`` cmd/entrypoint and ``[build.args]``.

The values come from tomllib (tomli before Python 3.11), which gives no positions, so ``_Locator`` finds
each key's lines by scanning the text for table headers and ``key =`` lines; it asks tomllib where each
value ends, so multi-line arrays and strings are spanned (and never mistaken for keys). A key it cannot
find (inline tables, say) falls back to its table's line, then to line 1. Fly starts processes without a
shell, splitting the command into words, which ``shlex.split`` matches.
"""

from __future__ import annotations

import re
import shlex
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

KIND = "fly"
WEB_PROCESSES = frozenset({"app", "web"})
MAX_VALUE_LINES = 200  # how far to look for the end of a multi-line value

_Path = Tuple[str, ...]
_ERROR_AT_RE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
_HEADER_RE = re.compile(r"^\s*\[\[?[^\[\]=]+\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
                     r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=""")


class _Locator:
    """Line spans of the keys and table headers in a TOML text, by dotted path."""

    def __init__(self, path: str, lines: Sequence[str]) -> None:
        self.path = path
        self.lines = lines
        self.spans: Dict[_Path, Tuple[int, int]] = {}
        self._scan()

    def origin(self, *keys: str) -> Origin:
        """Where ``keys`` is written, else the nearest enclosing table or key that is, else line 1."""
        for size in range(len(keys), 0, -1):
            span = self.spans.get(keys[:size])
            if span:
                return origin(self.path, self.lines, *span)
        return origin(self.path, self.lines, 1)

    def _scan(self) -> None:
        table: _Path = ()
        index = 0
        while index < len(self.lines):
            raw = self.lines[index]
            if _HEADER_RE.match(raw):
                table = _key_path(raw.strip())
                self.spans.setdefault(table, (index + 1, index + 1))
                index += 1
                continue
            match = _KEY_RE.match(raw)
            if not match:
                index += 1
                continue
            end = self._value_end(index)
            self.spans.setdefault(table + _key_path(match.group(1) + " = 0"), (index + 1, end))
            index = end

    def _value_end(self, index: int) -> int:
        """The 1-based last line of the ``key = value`` starting at 0-based ``index``: the first that parses."""
        for end in range(index + 1, min(len(self.lines), index + MAX_VALUE_LINES) + 1):
            try:
                tomllib.loads("\n".join(self.lines[index:end]))
            except tomllib.TOMLDecodeError:
                continue
            return end
        return index + 1


def _key_path(fragment: str) -> _Path:
    """The dotted path a header (``[build.args]``) or key (``"a".b = 0``) names, decoded by tomllib."""
    try:
        node: Any = tomllib.loads(fragment)
    except tomllib.TOMLDecodeError:
        return ()
    path: List[str] = []
    while isinstance(node, list) and node:
        node = node[-1]
    while isinstance(node, dict) and len(node) == 1:
        key, node = next(iter(node.items()))
        path.append(key)
        while isinstance(node, list) and node:
            node = node[-1]
    return tuple(path)


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """Env, build args and one Command per process (or one for ``[experimental]`` cmd/entrypoint)."""
    lines = split_lines(text)
    data = _load(text, len(lines))
    where = _Locator(path, lines)
    result = DeployFile(path, abs_path, KIND, suppressions=suppressions(lines, ("#",)))
    result.env = _variables(data.get("env"), ("env",), where, result.warnings)
    build = data.get("build")
    if isinstance(build, dict):
        result.build_args = _variables(build.get("args"), ("build", "args"), where, result.warnings)
    result.commands = _processes(data, where, tuple(result.env))
    experimental = _experimental(data.get("experimental"), where, tuple(result.env))
    if experimental is not None:
        result.commands.append(experimental)
    return result


def _load(text: str, line_count: int) -> Dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line = _error_position(str(exc), line_count)
        raise DeployParseError(f"invalid TOML: {reason}", line) from None


def _error_position(message: str, line_count: int) -> Tuple[str, Optional[int]]:
    """tomllib's message without its ``(at line N, column M)`` suffix, and that 1-based line
    (``at end of document`` is the last line)."""
    match = _ERROR_AT_RE.search(message)
    if not match:
        return message, None
    return message[:match.start()], int(match.group(1)) if match.group(1) else max(line_count, 1)


def _variables(table: Any, keys: _Path, where: _Locator, warnings: List[Tuple[int, str]]) -> List[EnvVar]:
    """``NAME = value`` pairs as strings (booleans as TOML writes them); tables and arrays are skipped."""
    if not isinstance(table, dict):
        if table is not None:
            warnings.append((where.origin(*keys).line, f"`{'.'.join(keys)}` is not a table"))
        return []
    found = []
    for name, value in table.items():
        spot = where.origin(*keys, name)
        if isinstance(value, (dict, list)):
            warnings.append((spot.line, f"`{'.'.join(keys)}.{name}` is not a string; Fly needs a plain value"))
            continue
        found.append(EnvVar(name, _string(value), spot))
    return found


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _processes(data: Mapping[str, Any], where: _Locator, env: Tuple[EnvVar, ...]) -> List[Command]:
    """``[processes]``: name -> command line, run without a shell."""
    table = data.get("processes")
    if not isinstance(table, dict):
        return []
    web = _web_processes(data, table)
    commands = []
    for name, command in table.items():
        spot = where.origin("processes", name)
        argv = _argv(command, spot)
        if argv:
            commands.append(Command(argv=argv, origins=((0, spot),), source=f"fly.toml process `{name}`",
                                    web=name in web, env=env))
    return commands


def _web_processes(data: Mapping[str, Any], table: Mapping[str, Any]) -> Set[str]:
    """Processes that serve requests: those the ``[http_service]``/``[[services]]`` name, else ``app``/``web``
    or the only one."""
    named: Set[str] = set()
    services = [data.get("http_service")] + list(data.get("services") or [])
    for service in services:
        if isinstance(service, dict) and isinstance(service.get("processes"), list):
            named.update(str(name) for name in service["processes"])
    if named:
        return named
    return set(table) if len(table) == 1 else set(WEB_PROCESSES)


def _experimental(table: Any, where: _Locator, env: Tuple[EnvVar, ...]) -> Optional[Command]:
    """``[experimental]`` ``entrypoint`` + ``cmd`` override the image's, joined the way Docker joins them."""
    if not isinstance(table, dict):
        return None
    origins: List[Tuple[int, Origin]] = []
    argv: Tuple[str, ...] = ()
    used = []
    for key in ("entrypoint", "cmd"):
        if key not in table:
            continue
        spot = where.origin("experimental", key)
        words = _argv(table[key], spot)
        if words:
            origins.append((len(argv), spot))
            argv += words
            used.append(key)
    if not argv:
        return None
    return Command(argv=argv, origins=tuple(origins), source=f"fly.toml experimental {' + '.join(used)}", env=env)


def _argv(command: Any, spot: Origin) -> Tuple[str, ...]:
    """A list is the argv; a string is split into words like Fly does (no shell)."""
    if isinstance(command, list):
        return tuple(str(word) for word in command)
    try:
        return tuple(shlex.split(str(command)))
    except ValueError as exc:
        raise DeployParseError(f"the command cannot be split into words ({str(exc).lower()})", spot.line) from None
