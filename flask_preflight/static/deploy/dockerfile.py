"""Dockerfile extractor: the final image's command line, runtime environment and build arguments.

Docker runs only the *final* stage, so commands and runtime env come from there; an earlier stage matters
when the final one is built ``FROM`` it (ENV, WORKDIR, SHELL, CMD and ENTRYPOINT are inherited). ARGs and
the ENV of stages that never reach the final image are still committed in the file, hence ``build_args``.
``stages`` holds, per ``AS name`` stage, what the image would run if built with ``--target name``.
BuildKit's own parser (the ``dockerfile`` binding) splits the instructions; values then go through the
part of Docker's word processing that matters here (quote removal and ``$VAR`` expansion). Nothing runs.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

import dockerfile as buildkit

from flask_preflight.static.deploy import shell
from flask_preflight.static.deploy.dockerheredoc import written_files
from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

DEFAULT_SHELL = ("/bin/sh", "-c")
DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "local", "test", "tests", "testing"})
DEV_REASON = "the file name marks it as a development image"
STAGE_DEV_WORDS = DEV_WORDS | {"debug"}  # ``FROM base AS development``: the image a developer builds
_PARSER_ERRORS = (buildkit.GoParseError, buildkit.GoIOError)
_ESCAPE_DIRECTIVE = re.compile(r"#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEREDOC_INSTRUCTION = re.compile(r"\s*(RUN|COPY|ADD)\s", re.IGNORECASE)
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")  # <<EOF, <<-EOF, <<"EOF", <<'EOF'


Lookup = Callable[[str], Optional[str]]  # a variable's value, None when unknown at build time


class _Unterminated(Exception):
    """A quote or ``${`` without its closing character (Docker fails the build on it)."""


class _Word:
    """One pass of Docker's ProcessWord: quotes, escapes, ``$NAME`` and ``${NAME}``/``:-``/``-``/``:+``/``+``.
    An unknown variable (or another modifier) sets ``missing`` and is kept as written."""

    def __init__(self, text: str, lookup: Lookup, escape: str) -> None:
        self.text, self.lookup, self.escape = text, lookup, escape
        self.pos = 0
        self.missing = False

    def run(self, stop: str = "") -> str:
        out: List[str] = []
        while self.pos < len(self.text) and self.text[self.pos] != stop:
            char = self.text[self.pos]
            if char == "'":
                out.append(self._single())
            elif char == '"':
                out.append(self._double())
            elif char == "$":
                out.append(self._dollar())
            else:
                self.pos += 1
                if char == self.escape:  # escapes any character; a trailing one is dropped
                    char, self.pos = self.text[self.pos:self.pos + 1], self.pos + 1
                out.append(char)
        return "".join(out)

    def _single(self) -> str:
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise _Unterminated("single quote")
        value, self.pos = self.text[self.pos + 1:end], end + 1
        return value

    def _double(self) -> str:
        out: List[str] = []
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "$":
                out.append(self._dollar())
                continue
            self.pos += 1
            if char == self.escape and self.pos < len(self.text) and self.text[self.pos] in ('"', "$", self.escape):
                char, self.pos = self.text[self.pos], self.pos + 1
            out.append(char)
        raise _Unterminated("double quote")

    def _dollar(self) -> str:
        start = self.pos
        if not self.text.startswith("${", start):
            name = _NAME.match(self.text, start + 1)
            self.pos = name.end() if name else start + 1
            return self._known(self.lookup(name.group()) if name else "$", start)
        name = _NAME.match(self.text, start + 2)
        self.pos = name.end() if name else start + 2
        operator = next((op for op in (":-", ":+", "-", "+") if self.text.startswith(op, self.pos)), "")
        self.pos += len(operator)
        missing, word = self.missing, self.run(stop="}")
        if self.pos >= len(self.text):
            raise _Unterminated("${")
        self.pos += 1
        value = self.lookup(name.group()) if name else None
        if value is None or (not operator and word):  # unknown, or a modifier outside this subset (#, %, /, ?)
            return self._known(None, start)
        if operator == ":-" and not value or operator == ":+" and value or operator == "+":
            return word
        self.missing = missing  # the alternative word is not used: its own references do not matter
        return "" if operator == ":+" else value

    def _known(self, value: Optional[str], start: int) -> str:
        if value is None:
            self.missing = True
            return self.text[start:self.pos]
        return value


def expand(text: str, lookup: Lookup, escape: str = "\\") -> Tuple[str, bool]:
    """Docker's value of ``text`` and whether every reference resolved. When one does not, every reference
    is kept as written (quotes still removed), so the value visibly depends on the build environment."""
    first = _Word(text, lookup, escape)
    value = first.run()
    if not first.missing:
        return value, True
    return _Word(text, lambda _name: None, escape).run(), False


@dataclass(frozen=True)
class _Part:
    """A CMD or ENTRYPOINT as Docker stores it: the argv it contributes and whether it was exec form."""

    argv: Tuple[str, ...]
    origin: Origin
    exec_form: bool


@dataclass
class _Stage:
    """What a stage has set so far; a stage built FROM an earlier one starts as a copy of it."""

    parent: Optional["_Stage"] = None
    env: List[EnvVar] = field(default_factory=list)
    values: Dict[str, Optional[str]] = field(default_factory=dict)  # ENV name -> resolved value or None
    args: Dict[str, Optional[str]] = field(default_factory=dict)
    workdir: Optional[str] = None
    shell: Tuple[str, ...] = DEFAULT_SHELL
    cmd: Optional[_Part] = None
    cmd_inherited: bool = False
    entrypoint: Optional[_Part] = None
    # files written from a heredoc (dockerheredoc.py): container path -> (first body line, body)
    scripts: Dict[str, Tuple[int, str]] = field(default_factory=dict)

    def child(self) -> "_Stage":
        """A stage built FROM this one: same settings, its own ARG scope, CMD marked as inherited."""
        return replace(self, parent=self, env=list(self.env), values=dict(self.values), args={},
                       cmd_inherited=self.cmd is not None, scripts=dict(self.scripts))

    def lineage(self) -> List["_Stage"]:
        """This stage and the stages it is built FROM: what reaches its image."""
        chain, stage = [], self
        while stage is not None:
            chain.append(stage)
            stage = stage.parent
        return chain


class _Builder:
    """Replays the instructions in order, the way the builder would, without running anything."""

    def __init__(self, path: str, lines: Sequence[str], escape: str) -> None:
        self.path, self.lines, self.escape = path, lines, escape
        self.global_args: Dict[str, Optional[str]] = {}
        self.named: Dict[str, _Stage] = {}  # lower-cased ``AS`` name -> stage (Docker ignores the case)
        self.spelled: Dict[str, str] = {}  # lower-cased name -> as written, for messages
        self.stage: Optional[_Stage] = None
        self.written: List[Tuple[Optional[_Stage], bool, EnvVar]] = []  # (stage, is ARG, variable) in file order

    def feed(self, ins: buildkit.Command) -> None:
        kind = ins.cmd.upper()
        if kind == "FROM":
            self._from(ins)
        elif kind == "ARG":
            self._arg(ins)
        elif self.stage is not None and kind in ("RUN", "COPY") and "<<" in ins.original:
            for target, body in written_files(kind, ins.start_line, self.lines, self.escape,
                                              self.stage.workdir).items():
                self.stage.scripts[target] = body
        elif self.stage is not None:
            handler = {"ENV": self._env, "WORKDIR": self._workdir, "SHELL": self._shell,
                       "CMD": self._cmd, "ENTRYPOINT": self._entrypoint}.get(kind)
            if handler:
                handler(ins, self.stage)

    def lookup(self, name: str) -> Optional[str]:
        stage = self.stage
        if stage is not None and name in stage.values:
            return stage.values[name]
        if stage is not None and stage.args.get(name) is not None:
            return stage.args[name]
        return self.global_args.get(name)

    def _origin(self, ins: buildkit.Command) -> Origin:
        return origin(self.path, self.lines, ins.start_line, ins.end_line)

    def _expand(self, text: str, ins: buildkit.Command) -> Tuple[str, bool]:
        try:
            return expand(text, self.lookup, self.escape)
        except _Unterminated as error:
            raise DeployParseError(f"{ins.cmd.upper()} has an unterminated {error}.", ins.start_line) from None

    def _from(self, ins: buildkit.Command) -> None:
        self.stage = None  # FROM lines see only the global ARGs
        image = self._expand(ins.value[0], ins)[0].lower() if ins.value else ""
        parent = self.named.get(image)
        self.stage = parent.child() if parent else _Stage()
        if len(ins.value) >= 3 and ins.value[1].lower() == "as":
            self.named[ins.value[2].lower()] = self.stage
            self.spelled[ins.value[2].lower()] = ins.value[2]

    def _arg(self, ins: buildkit.Command) -> None:
        scope = self.stage.args if self.stage is not None else self.global_args
        for item in ins.value:
            name, has_default, default = item.partition("=")
            value, resolved = self._expand(default, ins) if has_default else (None, False)
            scope[name] = value if resolved else None
            self.written.append((self.stage, True, EnvVar(name, value, self._origin(ins))))

    def _env(self, ins: buildkit.Command, stage: _Stage) -> None:
        # Every pair sees the values from before this instruction: ``ENV a=1 b=$a`` uses the old ``a``.
        pairs = [(name, self._expand(raw, ins)) for name, raw in zip(ins.value[0::2], ins.value[1::2])]
        for name, (value, resolved) in pairs:
            if not name:
                raise DeployParseError("ENV has a variable with an empty name.", ins.start_line)
            var = EnvVar(name, value, self._origin(ins))
            stage.env.append(var)
            stage.values[name] = value if resolved else None
            self.written.append((stage, False, var))

    def _workdir(self, ins: buildkit.Command, stage: _Stage) -> None:
        if ins.value:
            stage.workdir = posixpath.join(stage.workdir or "/", self._expand(ins.value[0], ins)[0])

    def _shell(self, ins: buildkit.Command, stage: _Stage) -> None:
        if not ins.json:
            raise DeployParseError('SHELL must be written in JSON form, e.g. SHELL ["/bin/bash", "-c"].',
                                   ins.start_line)
        stage.shell = tuple(ins.value)

    def _part(self, ins: buildkit.Command, stage: _Stage) -> _Part:
        argv = tuple(ins.value) if ins.json or not ins.value else stage.shell + (ins.value[0],)
        return _Part(argv, self._origin(ins), ins.json)

    def _cmd(self, ins: buildkit.Command, stage: _Stage) -> None:
        stage.cmd, stage.cmd_inherited = self._part(ins, stage), False

    def _entrypoint(self, ins: buildkit.Command, stage: _Stage) -> None:
        stage.entrypoint = self._part(ins, stage)
        if stage.cmd_inherited:  # Docker: ENTRYPOINT resets a CMD that came from the base image
            stage.cmd, stage.cmd_inherited = None, False


def final_command(stage: _Stage, dev_reason: str) -> Optional[Command]:
    """What ``docker run`` executes for the final stage: ENTRYPOINT (+ CMD as its arguments), or CMD alone."""
    entry, cmd = stage.entrypoint, stage.cmd
    if entry is not None and (cmd is None or not entry.exec_form):
        argv, origins, source = entry.argv, ((0, entry.origin),), "Dockerfile ENTRYPOINT"
    elif entry is not None and cmd is not None:
        argv = entry.argv + cmd.argv
        origins, source = ((0, entry.origin), (len(entry.argv), cmd.origin)), "Dockerfile ENTRYPOINT + CMD"
    elif cmd is not None:
        argv, origins, source = cmd.argv, ((0, cmd.origin),), "Dockerfile CMD"
    else:
        return None
    if not argv:
        return None
    return Command(argv, origins, source, env=tuple(stage.env), workdir=stage.workdir, dev_reason=dev_reason)


def _is_dev_name(name: str, words: FrozenSet[str]) -> bool:
    return bool(words.intersection(re.split(r"[.\-_]", name.lower())))


def stage_dev_reason(name: str, final: bool) -> str:
    """Why a stage named ``dev``/``development``/``test``/``debug``... builds a development image."""
    if not _is_dev_name(name, STAGE_DEV_WORDS):
        return ""
    if final:
        return (f"the final stage is named `{name}`, a development image "
                "(production builds usually pass --target)")
    return f"the stage is named `{name}`, a development image"


def _stage_command(stage: _Stage, dev_reason: str, mark_env: bool) -> List[Command]:
    """The command ``docker run`` gives an image built up to ``stage``; with ``mark_env`` its environment
    carries ``dev_reason`` too (a development stage's ENV is development settings)."""
    command = final_command(stage, dev_reason)
    if command is None:
        return []
    if mark_env:
        command = replace(command, env=tuple(replace(var, dev_reason=dev_reason) for var in command.env))
    return [command]


def file_dev_reason(path: str) -> str:
    """Dockerfile.dev, dev.Dockerfile, Dockerfile-local...: by convention not the image that is deployed."""
    return DEV_REASON if _is_dev_name(posixpath.basename(path.replace("\\", "/")), DEV_WORDS) else ""


def _escape_token(lines: Sequence[str]) -> str:
    """The ``# escape=`` parser directive; it may only appear in the leading comment lines."""
    for line in lines:
        if not line.strip().startswith("#"):
            break
        found = _ESCAPE_DIRECTIVE.match(line.strip())
        if found:
            return found.group(1)
    return "\\"


def _has_instruction(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _fails(lines: Sequence[str], count: int, message: str) -> bool:
    try:
        buildkit.parse_string("\n".join(lines[:count]) + "\n")
    except _PARSER_ERRORS as error:
        return str(error) == message
    return False


def _open_heredoc_line(lines: Sequence[str], escape: str) -> Optional[int]:
    """The first line of the RUN/COPY/ADD whose heredoc is never closed, by one pass over the lines with
    BuildKit's heredoc rules (``<<WORD``, ``<<-WORD`` strips leading tabs, quotes allowed, bodies in order);
    None when this reading finds none."""
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if not _HEREDOC_INSTRUCTION.match(line):
            continue
        start, words = number, []
        while True:  # the instruction's own lines (escape continuations), then its bodies
            words.extend(_HEREDOC.findall(line))
            if not line.rstrip().endswith(escape) or number >= len(lines):
                break
            line, number = lines[number], number + 1
        for strip, _quote, word in words:
            while True:
                if number >= len(lines):
                    return start
                body, number = lines[number], number + 1
                if (body.lstrip("\t") if strip else body) == word:
                    break
    return None


def _last_good_prefix(lines: Sequence[str], message: str, escape: str) -> int:
    """The longest prefix that does not fail with ``message`` (an unterminated heredoc swallows the rest).

    Stepping down one line at a time re-parsed every prefix (10,000 lines: minutes), and bisecting is
    wrong because a prefix that ends inside an earlier, closed heredoc fails the same way. So the heredoc
    is located in one pass (``_open_heredoc_line``) and confirmed with two parses: the prefix before it is
    good, the one through it fails. Should the two readings ever disagree (a file written to make them),
    the boundary is bisected from the end instead: still O(log n) parses, though the line it names may
    then be the start of an earlier heredoc."""
    found = _open_heredoc_line(lines, escape)
    if found is not None and not _fails(lines, found - 1, message) and _fails(lines, found, message):
        return found - 1
    low, high, step = 0, len(lines), 1  # prefix ``high`` fails; gallop down to a good one, then bisect
    while high - step > 0:
        if not _fails(lines, high - step, message):
            low = high - step
            break
        high, step = high - step, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if _fails(lines, middle, message) else (middle, high)
    return low


def _error_line(lines: Sequence[str], message: str, escape: str) -> Optional[int]:
    """BuildKit's errors carry no line number: find the instruction by parsing prefixes of the file."""
    if message == "unterminated heredoc":  # it swallows the rest of the file: it starts after the last good prefix
        count = _last_good_prefix(lines, message, escape)
        return next((n for n in range(count + 1, len(lines) + 1) if _has_instruction(lines[n - 1])), None)
    low, high = 1, len(lines)
    if not _fails(lines, high, message):
        return None
    while low < high:  # the shortest prefix that fails the same way ends in the bad instruction
        middle = (low + high) // 2
        low, high = (low, middle) if _fails(lines, middle, message) else (middle + 1, high)
    while low > 1 and lines[low - 2].rstrip().endswith(escape):  # back to the instruction's first line
        low -= 1
    return low


def _instructions(text: str, lines: Sequence[str], escape: str) -> List[buildkit.Command]:
    try:
        return list(buildkit.parse_string(text))
    except _PARSER_ERRORS as error:
        message = str(error)
        raise DeployParseError(f"BuildKit cannot parse this Dockerfile: {message.rstrip('.')}.",
                               _error_line(lines, message, escape)) from None


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """The final stage's CMD/ENTRYPOINT and runtime env, every ARG, ENV left behind in other stages, and
    per named stage the command ``--target`` would give. A final stage named like development
    (``AS dev``) marks its commands and env as development, unless the file name already does."""
    lines = split_lines(text)
    dev_reason = file_dev_reason(path)
    result = DeployFile(path, abs_path, "dockerfile", suppressions=suppressions(lines), dev_reason=dev_reason)
    if not any(_has_instruction(line) for line in lines):
        return result  # BuildKit rejects a file without instructions; there is simply nothing to check
    escape = _escape_token(lines)
    builder = _Builder(path, lines, escape)
    for ins in _instructions(text, lines, escape):
        builder.feed(ins)
    final = builder.stage
    if final is None:
        result.build_args = [var for _stage, _is_arg, var in builder.written]
        return result
    reaching = {id(stage) for stage in final.lineage()}
    result.build_args = [var for owner, is_arg, var in builder.written if is_arg or id(owner) not in reaching]
    final_name = next((name for name, stage in builder.named.items() if stage is final), "")
    final_reason = "" if dev_reason else stage_dev_reason(builder.spelled.get(final_name, ""), final=True)
    result.env = [replace(var, dev_reason=final_reason) for var in final.env] if final_reason else list(final.env)
    result.commands = _stage_command(final, dev_reason or final_reason, bool(final_reason))
    for stage in [final, *builder.named.values()]:  # a script the final image (or a --target) may run
        for target, (first, body) in stage.scripts.items():
            if target not in result.scripts:
                result.scripts[target] = shell.parse("\n" * (first - 1) + body, path, abs_path)
    for name, stage in builder.named.items():  # what ``docker build --target name`` would run
        reason = "" if dev_reason else stage_dev_reason(builder.spelled[name], final=False)
        result.stages[name] = _stage_command(stage, dev_reason or reason, bool(reason))
    return result
