"""Shell entry scripts (``entrypoint.sh``, ``boot.sh``, ...): the command lines they run, and what they export.

This is not a shell parser. It cuts the script into logical lines the way the shell reads them - backslash
continuations joined, quotes left open carried onto the next line, comments and here-document bodies
dropped - and hands each line to the shared interpreter as ``/bin/sh -c`` text, which splits on ``;``,
``&&`` and pipes and skips words such as ``if`` and ``then``. Only lines that carry no command at all
(``fi``, ``done``, ``;;``, function headers, ``case ... in`` and its patterns) are dropped, and plain
assignments (``export A=1``, ``A=1``, ``: "${A:=default}"``) become environment instead of commands.
Nothing is executed or expanded: a value built by ``$(...)`` or backticks is recorded as unknown (None).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import Iterator, List, Optional, Sequence, Tuple

from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar, Guard, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

KIND = "shell"
DEV_WORDS = frozenset({"dev", "development", "local", "test", "tests", "testing"})
DEV_REASON = "the script name marks it as a local-development script"
CONTROL_WORDS = frozenset({"then", "else", "fi", "do", "done", "esac", "{", "}", "(", ")"})
EXPORT_WORDS = frozenset({"export", "readonly"})
COMMAND_STARTERS = frozenset({"then", "else", "do", "{", "!"})  # a command follows these words directly
MAX_QUOTED_LINES = 200  # an unclosed quote carries over at most this many lines before we give up on it

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_NAME_RE = re.compile(rf"^{_NAME}$")
_SUBSTITUTION_RE = re.compile(rf"^(?:(?:export|readonly)\s+)?({_NAME})=(.*)$", re.DOTALL)
_DEFAULT_RE = re.compile(rf"""^:\s+(["']?)\$\{{({_NAME}):?=([^}}]*)\}}\1$""")
_FUNCTION_RE = re.compile(rf"^(?:function\s+{_NAME}(?:\s*\(\s*\))?|{_NAME}\s*\(\s*\))\s*\{{?$")
_CASE_RE = re.compile(r"^case\s.*\sin$")
_FOR_RE = re.compile(rf"^(?:for|select)\s+{_NAME}(?:\s+in\b[^;]*)?(?:;?\s*do)?$")
_PATTERN_RE = re.compile(r"""^\(?\s*[^\s()|;]+(?:\s*\|\s*[^\s()|;]+)*\s*\)\s*""")
_CASE_END_RE = re.compile(r"\s*;;&?\s*$|\s*;&\s*$")
_WORD_BREAK = " \t\n;&|()<>"
_OPERATOR_CHARS = frozenset("();<>|&")


@dataclass
class _Scan:
    """What matters about a logical line's text: where its comment starts, whether a quote or a
    backslash-newline leaves it open, and the here-documents it opens."""

    comment_at: int
    open_quote: str = ""
    continued: bool = False
    heredocs: List[Tuple[str, bool]] = field(default_factory=list)  # (delimiter, strip leading tabs)


@dataclass(frozen=True)
class _Line:
    """A logical line without its comment, and the physical lines it spans (1-based)."""

    text: str
    line: int
    end_line: int


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """Assignments become env (and the env of later commands); every other line is a Command."""
    lines = split_lines(text)
    name = posixpath.basename(path.replace("\\", "/"))
    dev_reason = dev_reason_for(name)
    result = DeployFile(path, abs_path, KIND, dev_reason=dev_reason, suppressions=suppressions(lines, ("#",)))
    env: Tuple[EnvVar, ...] = ()  # rebuilt only when it changes: most lines share it
    env_files: Tuple[Tuple[str, Origin], ...] = ()
    case_depth = 0
    branches = _Branches()
    for logical in _logical_lines(lines, result.warnings):
        spot = origin(path, lines, logical.line, logical.end_line)
        guards = branches.feed(logical.text)
        command_text, case_depth = _command_text(logical.text, case_depth)
        if not command_text:
            continue
        assignments = _assignments(command_text)
        if assignments is not None:
            result.env.extend(EnvVar(var, value, spot, guards=guards) for var, value in assignments)
            env = tuple(result.env)
            continue
        result.commands.append(Command(
            argv=("/bin/sh", "-c", command_text),
            origins=((0, spot),),
            source=f"{name} line {logical.line}",
            env=env,
            env_files=env_files,
            dev_reason=dev_reason,
            guards=guards,
        ))
        sourced = _sourced_file(command_text)
        if sourced:
            env_files += ((sourced, spot),)
    return result


_TEST_EQ_RE = re.compile(r"""^!?\s*(?:\[\[?|test)\s+"?\$\{?(\w+)\}?"?\s*(==?|!=)\s*["']?([^"'\]\s]*)["']?\s*\]?\]?$""")
_TEST_Z_RE = re.compile(r"""^!?\s*(?:\[\[?|test)\s+(-z|-n)\s+"?\$\{?(\w+)\}?"?\s*\]?\]?$""")
_TEST_SET_RE = re.compile(r"""^!?\s*(?:\[\[?|test)\s+"\$\{?(\w+)\}?"\s*\]?\]?$""")
_CASE_WORD_RE = re.compile(r"""^case\s+"?\$\{?(\w+)\}?"?\s+in$""")


def guard_for(condition: str, holds: bool = True) -> Guard:
    """The test an ``if``/``elif`` line makes, when it is a simple one on one variable."""
    text = condition.strip()
    negate = text.startswith("!")
    m = _TEST_EQ_RE.match(text)
    if m:
        guard = Guard(text, m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3), holds)
    elif _TEST_Z_RE.match(text):
        z = _TEST_Z_RE.match(text)
        guard = Guard(text, z.group(2), z.group(1), "", holds)  # type: ignore[union-attr]
    elif _TEST_SET_RE.match(text):
        guard = Guard(text, _TEST_SET_RE.match(text).group(1), "-n", "", holds)  # type: ignore[union-attr]
    else:
        guard = Guard(text, holds=holds)
    return replace(guard, holds=not guard.holds) if negate and guard.op else guard


def _negated(guards: Sequence[Guard]) -> Tuple[Guard, ...]:
    return tuple(replace(g, holds=not g.holds) for g in guards)


@dataclass
class _Block:
    """An open ``if`` or ``case``: the tests of the branch being read and of the branches before it."""

    kind: str
    current: Tuple[Guard, ...] = ()
    earlier: Tuple[Guard, ...] = ()  # tests of earlier branches, all false in a later one
    word: str = ""  # the variable a ``case`` switches on
    exits: List[Tuple[Guard, ...]] = field(default_factory=list)  # branches that end in exec/exit
    last_exits: bool = False


class _Branches:
    """The shell tests each line depends on, so the development server in
    ``if [ "$FLASK_ENV" = development ]; then exec flask run --debug; else exec gunicorn ...; fi`` can be told
    apart from the production path once the launch's environment is known. Tracks lines, not a grammar:
    enough for entry scripts. A branch that ends in ``exec``/``exit`` makes the lines after its ``fi`` depend on
    the opposite test."""

    def __init__(self) -> None:
        self.stack: List[_Block] = []
        self.after: Tuple[Guard, ...] = ()  # from branches above that exec'd away

    def feed(self, text: str) -> Tuple[Guard, ...]:
        words = text.replace(";", " ; ").split()
        first = words[0] if words else ""
        one_line: Tuple[Guard, ...] = ()
        if first in ("if", "elif"):
            condition = text[len(first):].split("; then", 1)[0].split(" then", 1)[0].strip(" ;")
            guard = guard_for(condition)
            if first == "if" and words[-1] == "fi":
                one_line = (guard,)
            elif first == "if":
                self.stack.append(_Block("if", (guard,)))
            elif self.stack:
                block = self.stack[-1]
                self._close_branch(block)
                block.earlier += _negated(block.current[-1:])
                block.current = block.earlier + (guard,)
        elif first == "else" and self.stack:
            block = self.stack[-1]
            self._close_branch(block)
            block.current = block.earlier + _negated(block.current[-1:])
        elif first == "case":
            m = _CASE_WORD_RE.match(text)
            self.stack.append(_Block("case", word=m.group(1) if m else ""))
        elif self.stack and self.stack[-1].kind == "case" and _PATTERN_RE.match(text) and first != "esac":
            block = self.stack[-1]
            pattern = _PATTERN_RE.match(text).group(0).strip().lstrip("(").rstrip(")").replace(" ", "")  # type: ignore[union-attr]
            if pattern == "*":
                block.current = block.earlier
            else:
                guard = Guard(f"case {pattern})", block.word, "case" if block.word else "", pattern)
                block.current = (guard,)
                block.earlier += _negated((guard,))
        guards = self.after + tuple(g for b in self.stack for g in b.current) + one_line
        if self.stack and first not in ("if", "elif", "else", "fi", "case", "esac", ";;"):
            self.stack[-1].last_exits = first in ("exec", "exit") or bool(re.search(r"(^|[;&]\s*)(exec|exit)\s", text))
        if (first == "fi" or words[-1:] == ["fi"] and first != "if") and self.stack:
            block = self.stack.pop()
            self._close_branch(block)
            if len(block.exits) == 1 and len(block.exits[0]) == 1:
                self.after += _negated(block.exits[0])
        elif (first == "esac" or words[-1:] == ["esac"]) and self.stack:
            self.stack.pop()
        return guards

    @staticmethod
    def _close_branch(block: _Block) -> None:
        if block.last_exits:
            block.exits.append(block.current)
        block.last_exits = False


def _logical_lines(lines: Sequence[str], warnings: List[Tuple[int, str]]) -> Iterator[_Line]:
    """Lines as the shell reads them: continuations and open quotes joined, here-document bodies skipped."""
    index = 0
    while index < len(lines):
        start = index
        text = lines[index]
        scan = _scan(text)
        while (scan.continued or scan.open_quote) and index + 1 < len(lines):
            if scan.open_quote and index - start >= MAX_QUOTED_LINES:
                break
            index += 1
            text = text[:-1] + lines[index] if scan.continued else text + "\n" + lines[index]
            scan = _scan(text)
        if scan.open_quote:
            warnings.append((start + 1, f"unterminated {scan.open_quote} quote; the line is read on its own"))
            index = start
            text = lines[index]
            scan = _scan(text)
            scan.heredocs.clear()
        yield _Line(text[:scan.comment_at].strip(), start + 1, index + 1)
        index += 1
        opened = index  # the 1-based line that opens the here-documents
        for delimiter, strip_tabs in scan.heredocs:
            while index < len(lines) and (lines[index].lstrip("\t") if strip_tabs else lines[index]) != delimiter:
                index += 1
            if index >= len(lines):
                warnings.append((opened, f"here-document is never closed by a `{delimiter}` line; "
                                         "the shell reads the rest of the file as its text"))
                break
            index += 1


def _scan(text: str) -> _Scan:
    """One pass over shell text tracking quotes, to find comments, open quotes, continuations and ``<<``.

    shlex can split words and drop comments but reports no positions, and knows nothing of here-documents,
    so the few rules needed are applied here: ``'...'`` is literal, ``"..."`` and bare text honour
    backslash escapes, and ``#`` starts a comment only at the start of a word outside quotes.
    """
    quote = ""
    index = 0
    heredocs: List[Tuple[str, bool]] = []
    while index < len(text):
        char = text[index]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            if index + 1 == len(text):
                return _Scan(len(text), quote, continued=True, heredocs=heredocs)
            index += 1
        elif quote == '"':
            quote = "" if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in _WORD_BREAK):
            return _Scan(index, heredocs=heredocs)
        elif text.startswith("<<<", index):  # a here-string, not a here-document
            index += 3
            continue
        elif text.startswith("<<", index):
            index = _heredoc(text, index + 2, heredocs)
            continue
        index += 1
    return _Scan(len(text), quote, heredocs=heredocs)


def _heredoc(text: str, index: int, heredocs: List[Tuple[str, bool]]) -> int:
    """Read the delimiter after ``<<`` (``-`` strips tabs; quotes and backslashes are removed from it)."""
    strip_tabs = text.startswith("-", index)
    index += 1 if strip_tabs else 0
    while index < len(text) and text[index] in " \t":
        index += 1
    end = index
    while end < len(text) and text[end] not in _WORD_BREAK:
        end += 1
    word = text[index:end]
    if word[:1].isalpha() or word[:1] in "_'\"\\":
        delimiter = word.replace("'", "").replace('"', "").replace("\\", "")
        if delimiter:
            heredocs.append((delimiter, strip_tabs))
    return max(end, index)


def _command_text(text: str, case_depth: int) -> Tuple[str, int]:
    """The part of a line that runs something ("" for pure syntax), and the ``case`` nesting after it."""
    if not text:
        return "", case_depth
    if _CASE_RE.match(text):
        return "", case_depth + 1
    words = [word for word in re.split(r"[\s;]+", text) if word]
    if "esac" in words:
        case_depth = max(case_depth - 1, 0)
    if not words or all(word in CONTROL_WORDS for word in words):
        return "", case_depth
    if _FUNCTION_RE.match(text) or _FOR_RE.match(text):
        return "", case_depth
    if case_depth:
        pattern = _PATTERN_RE.match(text)
        if pattern:
            text = _CASE_END_RE.sub("", text[pattern.end():])
        elif _CASE_END_RE.search(text):
            text = _CASE_END_RE.sub("", text)
    return text.strip(), case_depth


def _assignments(text: str) -> Optional[List[Tuple[str, Optional[str]]]]:
    """``[(name, value)]`` when the line only assigns variables (``A=1; export B``), else None: it runs
    something. A value produced by a command (``$(...)``, backticks) is None: only start-up knows it."""
    default = _DEFAULT_RE.match(text)
    if default:
        value = default.group(3)
        return [(default.group(2), None if _runs_command(value) else value)]
    if _runs_command(text):
        match = _SUBSTITUTION_RE.match(text)
        return [(match.group(1), None)] if match else None
    segments = _segments(text)
    if segments is None:
        return None
    pairs: List[Tuple[str, Optional[str]]] = []
    for words in segments:
        found = _segment_assignments(words)
        if found is None:
            return None
        pairs.extend(found)
    return pairs


def _segment_assignments(words: List[str]) -> Optional[List[Tuple[str, Optional[str]]]]:
    """Assignments of one simple command, or None when it runs a command (``A=1 flask run``)."""
    exported = words[0] in EXPORT_WORDS
    pairs: List[Tuple[str, Optional[str]]] = []
    for word in words[1:] if exported else words:
        name, equals, value = word.partition("=")
        if not _NAME_RE.match(name) or not (equals or exported):
            return None
        if equals:
            pairs.append((name, value))
    return pairs


def _segments(text: str) -> Optional[List[List[str]]]:
    """The words of each ``;``-separated simple command; None when the line has other operators
    (``&&``, pipes, redirections) or does not split."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    segments: List[List[str]] = [[]]
    for token in tokens:
        if token == ";":
            segments.append([])
        elif _is_operator(token):
            return None
        else:
            segments[-1].append(token)
    return [words for words in segments if words]


def _runs_command(value: str) -> bool:
    return "$(" in value.replace("$((", "") or "`" in value


def inline_sourced(cmd: Command) -> Tuple[Tuple[str, Origin], ...]:
    """The env file a ``sh -c "set -a && . ./.flaskenv && exec gunicorn app:app"`` command sources (the
    commands of a Dockerfile, compose file or Procfile; an entry script's lines carry theirs in ``env_files``)."""
    from flask_preflight.static.deploy.commands import SHELLS, shell_c

    text = shell_c(list(cmd.argv[1:])) if cmd.argv and posixpath.basename(cmd.argv[0]) in SHELLS else None
    ref = _sourced_file(text) if text else ""
    return ((ref, cmd.origin),) if ref else ()


def _sourced_file(text: str) -> str:
    """The file a ``source FILE`` / ``. FILE`` reads (also in ``set -a; . ./.env``), else "". A
    virtualenv's ``activate`` and paths built from variables are not env files."""
    tokens = _tokens(text) or []
    for index, word in enumerate(tokens[:-1]):
        starts_command = index == 0 or _is_operator(tokens[index - 1]) or tokens[index - 1] in COMMAND_STARTERS
        target = tokens[index + 1]
        if starts_command and word in {"source", "."} and not _is_operator(target) and "$" not in target:
            return "" if posixpath.basename(target) == "activate" else target
    return ""


def _tokens(text: str) -> Optional[List[str]]:
    """Words (unquoted) and operators (``;``, ``&&``, ``|``, ``>``...) of a line, or None if it does not split."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return None


def _is_operator(token: str) -> bool:
    return bool(token) and set(token) <= _OPERATOR_CHARS


def dev_reason_for(name: str) -> str:
    """``run_dev.sh``, ``start-local.sh``: the name says the script is for a developer's machine."""
    stem = name[:-3] if name.lower().endswith(".sh") else name
    words = re.split(r"[._-]+", stem.lower())
    return DEV_REASON if DEV_WORDS.intersection(words) else ""
