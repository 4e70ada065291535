"""supervisord configs: each ``[program:NAME]`` section's ``command``, ``environment`` and ``directory``.

The file is read the way supervisord 4 reads it on Python 3: ``configparser.RawConfigParser`` (no
interpolation) with ``;``/``#`` inline comments after whitespace and duplicate sections allowed, keys
case-insensitive; ``[DEFAULT]`` values reach every section. configparser gives no positions, so a small
scan of the text finds the lines of each section and key (a value continues on more-indented lines).

supervisord expands ``%(name)s`` in values before using them: ``%(ENV_X)s`` (its own environment) becomes
``${X}`` here, so such a value is not a literal; ``%(program_name)s``/``%(group_name)s`` become the program
name; ``%%`` is ``%``; other expansions (``%(here)s`` ...) stay as written. ``command`` is split into words
with ``shlex.split`` and run without a shell, as supervisord does. ``environment`` is a comma-separated
``KEY=val`` list tokenised with supervisord's own rules (a non-POSIX ``shlex`` whose words may contain
``/.+-():``, quotes kept and then stripped), so ``A="x,y"`` is one value and an unquoted ``@`` or ``$``
breaks the list, which supervisord refuses. The ``[supervisord]`` section's ``environment`` is inherited
by every program. ``[include]`` files are not followed; they are read wherever the scan finds them.

Other tools use ``*.conf`` names in ``conf.d/`` (nginx, Apache): a file that is not called
``supervisord.conf`` is only reported as malformed when it has a ``[program:...]`` header line.
"""

from __future__ import annotations

import configparser
import posixpath
import re
import shlex
from typing import Dict, List, Optional, Sequence, Tuple

from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

KIND = "supervisord"
COMMENT_PREFIXES = ("#", ";")
PROGRAM_PREFIX = "program:"
MAIN_SECTION = "supervisord"
CERTAIN_NAMES = frozenset({"supervisord.conf"})
DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "local", "test", "tests", "testing", "debug"})
DEV_REASON = "the file name marks it as a development supervisord config"
WORD_CHARS = "/.+-():"  # supervisord adds these to shlex's word characters for ``environment``

_PROGRAM_HEADER_RE = re.compile(r"^[ \t]*\[program:[^\]\n]*\]", re.MULTILINE)
_HEADER_RE = re.compile(r"\[(.+)\]")
_OPTION_RE = re.compile(r"(.*?)\s*[=:]")
_INLINE_COMMENT_RE = re.compile(r"\s[;#]")
_EXPANSION_RE = re.compile(r"%%|%\(([^)]*)\)s")
_PLACEHOLDER = "zzpreflightexpansion{}zz"
_PLACEHOLDER_RE = re.compile(r"zzpreflightexpansion(\d+)zz")

_Span = Tuple[int, int]


class _Locator:
    """1-based line spans of the sections and keys of an INI text, as configparser splits it."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.sections: Dict[str, int] = {}
        self.keys: Dict[Tuple[str, str], _Span] = {}
        self._scan(lines)

    def _scan(self, lines: Sequence[str]) -> None:
        section = ""
        key: Optional[Tuple[str, str]] = None
        key_indent = 0
        for number, raw in enumerate(lines, start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith(COMMENT_PREFIXES):
                continue
            indent = len(raw) - len(raw.lstrip())
            if key is not None and indent > key_indent:
                self.keys[key] = (self.keys[key][0], number)  # a continuation line of the value
                continue
            text = _INLINE_COMMENT_RE.split(stripped, 1)[0].strip()
            header = _HEADER_RE.match(text)
            if header:
                section = header.group(1)
                self.sections.setdefault(section, number)
                key = None
                continue
            option = _OPTION_RE.match(text)
            if option and option.group(1).strip():
                key = (section, option.group(1).strip().lower())
                key_indent = indent
                self.keys[key] = (number, number)  # the last assignment wins, as in configparser
            else:
                key = None

    def span(self, section: str, key: str) -> _Span:
        """Where ``key`` is written in ``section``, else the section header (a ``[DEFAULT]`` value), else line 1."""
        found = self.keys.get((section, key)) or self.keys.get(("DEFAULT", key))
        if found:
            return found
        line = self.sections.get(section, 1)
        return line, line


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """One Command per ``[program:NAME]`` with a ``command``; env from ``[supervisord]`` and the program."""
    lines = split_lines(text)
    dev_reason = dev_reason_for(path)
    result = DeployFile(path, abs_path, KIND, dev_reason=dev_reason,
                        suppressions=suppressions(lines, COMMENT_PREFIXES))
    parser = _load(text, path)
    if parser is None:
        return result
    where = _Locator(lines)
    inherited: List[EnvVar] = []
    if parser.has_section(MAIN_SECTION):
        inherited = _environment(parser, MAIN_SECTION, "", where, path, lines, result.warnings)
        result.env.extend(inherited)
    for section in parser.sections():
        if not section.startswith(PROGRAM_PREFIX):
            continue
        name = section[len(PROGRAM_PREFIX):].strip()
        program_env = _environment(parser, section, name, where, path, lines, result.warnings)
        result.env.extend(program_env)  # committed, whether or not its command can be read
        if not parser.has_option(section, "command"):
            continue
        start, end = where.span(section, "command")
        spot = origin(path, lines, start, end)
        argv = _argv(_expand(parser.get(section, "command"), name), name, start, result.warnings)
        if not argv:
            continue
        workdir = parser.get(section, "directory").strip() if parser.has_option(section, "directory") else None
        result.commands.append(Command(
            argv=argv, origins=((0, spot),), source=f"supervisord program `{name}`",
            env=tuple(inherited) + tuple(program_env),
            workdir=_expand(workdir, name) if workdir else None, dev_reason=dev_reason))
    return result


def dev_reason_for(path: str) -> str:
    """``supervisord-dev.conf``, ``conf.d/web.local.conf``."""
    words = re.split(r"[.\-_]", posixpath.basename(path.replace("\\", "/")).lower())
    return DEV_REASON if DEV_WORDS.intersection(words) else ""


def _load(text: str, path: str) -> Optional[configparser.RawConfigParser]:
    """The parsed file; None for another tool's ``*.conf`` that is not INI (nginx's ``server { ... }``)."""
    parser = configparser.RawConfigParser(inline_comment_prefixes=COMMENT_PREFIXES, strict=False)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        if not (_PROGRAM_HEADER_RE.search(text) or posixpath.basename(path.replace("\\", "/")) in CERTAIN_NAMES):
            return None
        line = _error_line(exc)
        raise DeployParseError(_reason(exc, text, line), line) from None
    return parser


def _reason(exc: configparser.Error, text: str, line: Optional[int]) -> str:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return "a setting appears before any [section] header"
    if isinstance(exc, configparser.ParsingError) and line is not None:
        lines = split_lines(text)
        shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return f"`{_short(shown)}` is not a `key = value` line"
    return str(exc).splitlines()[0]


def _error_line(exc: configparser.Error) -> Optional[int]:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        return int(exc.errors[0][0])
    return getattr(exc, "lineno", None)


def _expand(value: str, program: str) -> str:
    """supervisord's ``%(name)s`` expansions, as far as they are known without running it."""
    def one(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name.startswith("ENV_") and len(name) > 4:
            return "${" + name[4:] + "}"
        if name in ("program_name", "group_name") and program:
            return program
        return match.group(0)
    return _EXPANSION_RE.sub(one, value)


def _argv(command: str, program: str, line: int, warnings: List[Tuple[int, str]]) -> Tuple[str, ...]:
    try:
        return tuple(shlex.split(command))
    except ValueError as exc:
        warnings.append((line, f"the command of program `{program}` cannot be split into words "
                               f"({str(exc).lower()}); supervisord refuses it"))
        return ()


def _environment(parser: configparser.RawConfigParser, section: str, program: str, where: _Locator, path: str,
                 lines: Sequence[str], warnings: List[Tuple[int, str]]) -> List[EnvVar]:
    """``environment = KEY="val",KEY2=val2`` as EnvVars, each at the line its name is written on."""
    if not parser.has_option(section, "environment"):
        return []
    start, end = where.span(section, "environment")
    raw = parser.get(section, "environment")
    try:
        pairs = key_value_pairs(raw, program)
    except ValueError as exc:
        warnings.append((start, f"`environment` of [{section}] {exc}; supervisord refuses it"))
        return []
    found = []
    for name, value in pairs:
        found.append(EnvVar(name, value, _name_origin(path, lines, start, end, name)))
    return found


def key_value_pairs(raw: str, program: str = "") -> List[Tuple[str, Optional[str]]]:
    """``KEY="val",KEY2=val2`` -> [(KEY, val), (KEY2, val2)] with supervisord's tokenising; ValueError when
    supervisord would reject the list. ``%(...)s`` expansions count as word characters (supervisord expands
    them first) and come back expanded by ``_expand``."""
    expansions: List[str] = []

    def hold(match: "re.Match[str]") -> str:
        expansions.append(match.group(0))
        return _PLACEHOLDER.format(len(expansions) - 1)

    held = _EXPANSION_RE.sub(hold, raw)
    lexer = shlex.shlex(held)  # non-POSIX: quotes stay part of the word, ``#`` starts a comment
    lexer.wordchars += WORD_CHARS
    try:
        tokens = list(lexer)
    except ValueError:
        raise ValueError("has a quote that is never closed") from None
    pairs: List[Tuple[str, Optional[str]]] = []
    index = 0
    while index < len(tokens):
        key, equals, value = (tokens[index:index + 3] + ["", "", ""])[:3]
        if equals != "=" or not value:
            near = "".join(tokens[max(0, index - 4):index + 3])
            near = _PLACEHOLDER_RE.sub(lambda m: expansions[int(m.group(1))], near)
            raise ValueError(f"is not a list of KEY=value pairs near `{_short(near)}` (quote values that contain "
                             f"characters other than letters, digits and _/.+-():)")
        restored = _PLACEHOLDER_RE.sub(lambda m: expansions[int(m.group(1))], value.strip("'\""))
        pairs.append((key.strip("'\""), _expand(restored, program)))
        index += 4  # the separator after the value (a comma)
    return pairs


def _name_origin(path: str, lines: Sequence[str], start: int, end: int, name: str) -> Origin:
    """The line (and column) of ``NAME=`` within a possibly multi-line ``environment`` value."""
    pattern = re.compile(r"(?<![A-Za-z0-9_])(" + re.escape(name) + r")\s*=")
    for number in range(start, end + 1):
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        if number == start:
            key = re.match(r"\s*[^=:]*[=:]", text)  # skip ``environment=`` itself
            offset = key.end() if key else 0
        else:
            offset = 0
        match = pattern.search(text, offset)
        if match:
            return origin(path, lines, number, number, match.start(1) + 1)
    return origin(path, lines, start, end)


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit - 3] + "..."
