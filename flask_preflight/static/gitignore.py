"""Gitignore patterns matched the way git matches them, in time linear in the path (no backtracking).

pathspec turns each pattern into a Python regular expression, and Python's ``re`` backtracks: a hostile
repository's ``.gitignore`` line ``*a*a*a*a*a*a*a*a*b`` took 25 s against one 52-character file name.
Here a pattern is read with git's own rules (``dir.c``: trailing spaces, ``!``, a trailing ``/`` for
directories only, a pattern without a slash matches the base name at any depth, a leading ``/`` anchors)
and matched with ``wildmatch.c``'s rules (``*``/``?``/``[...]`` never match ``/`` in a path pattern;
``**/``, ``/**/`` and ``/**`` span directories; ``[!...]``, ranges, ``[:alpha:]`` classes; backslash
escapes; a malformed class never matches) on UTF-8 bytes, as git does. A pattern with at most one
wildcard run is a regular expression (it cannot backtrack badly); any other is simulated as a
nondeterministic automaton with one integer as the set of states: O(path length x pattern length).

As in git, the last pattern that matches decides (``!`` re-includes), and nothing below an ignored
directory can be re-included.
"""

from __future__ import annotations

import re
import string
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

_SLASH = ord("/")
_ALL = frozenset(range(256))
_CLASSES: Dict[bytes, FrozenSet[int]] = {  # git's own ASCII-only ctype (sane_ctype), as wildmatch uses it
    b"alnum": frozenset(string.ascii_letters.encode() + string.digits.encode()),
    b"alpha": frozenset(string.ascii_letters.encode()),
    b"blank": frozenset(b" \t"),
    b"cntrl": frozenset(list(range(32)) + [127]),
    b"digit": frozenset(string.digits.encode()),
    b"graph": frozenset(range(33, 127)),
    b"lower": frozenset(string.ascii_lowercase.encode()),
    b"print": frozenset(range(32, 127)),
    b"punct": frozenset(string.punctuation.encode()),
    b"space": frozenset(b" \t\n\r"),
    b"upper": frozenset(string.ascii_uppercase.encode()),
    b"xdigit": frozenset(b"0123456789abcdefABCDEF"),
}

# Tokens of a compiled glob: a byte set consumed once, a star (a byte set repeated), or ``**/`` (a star
# over every byte that may also be skipped together with the ``/`` after it).
_One = Tuple[str, FrozenSet[int]]


class _Abort(Exception):
    """wildmatch's WM_ABORT_ALL at compile time: the pattern can never match (malformed class, trailing \\)."""


def _class(p: bytes, i: int) -> Tuple[FrozenSet[int], int]:
    """The bracket expression starting at ``p[i] == '['``, read exactly as wildmatch.c reads it, and the
    index just past its closing ``]``."""
    k = i + 1
    negated = k < len(p) and p[k] in b"!^"
    if negated:
        k += 1
    members: set = set()
    prev = 0
    while True:
        if k >= len(p):
            raise _Abort()
        ch = p[k]
        if ch == 0x5C:  # backslash
            k += 1
            if k >= len(p):
                raise _Abort()
            ch = p[k]
            members.add(ch)
        elif ch == 0x2D and prev and k + 1 < len(p) and p[k + 1] != 0x5D:  # a range a-z
            k += 1
            high = p[k]
            if high == 0x5C:
                k += 1
                if k >= len(p):
                    raise _Abort()
                high = p[k]
            members.update(range(prev, high + 1))
            ch = 0
        elif ch == 0x5B and k + 1 < len(p) and p[k + 1] == 0x3A:  # [:name:]
            start = end = k + 2
            while end < len(p) and p[end] != 0x5D:
                end += 1
            if end >= len(p):
                raise _Abort()
            if end - start - 1 < 0 or p[end - 1] != 0x3A:  # no ":]": the "[" is an ordinary member
                members.add(0x5B)
                ch = 0x5B
            else:
                named = _CLASSES.get(p[start:end - 1])
                if named is None:
                    raise _Abort()
                members.update(named)
                ch, k = 0, end
        else:
            members.add(ch)
        prev = ch
        k += 1
        if k >= len(p):
            raise _Abort()
        if p[k] == 0x5D:
            break
    chosen = _ALL.difference(members) if negated else frozenset(members)
    return chosen, k + 1


def _tokens(p: bytes, pathname: bool) -> List[Union[_One, Tuple[str]]]:
    """wildmatch's reading of a pattern: ("one", bytes) / ("star", bytes) / ("dstar/",)."""
    not_slash = _ALL.difference({_SLASH}) if pathname else _ALL
    out: List[Union[_One, Tuple[str]]] = []
    i = 0
    while i < len(p):
        ch = p[i]
        if ch == 0x5C:
            if i + 1 >= len(p):
                raise _Abort()
            out.append(("one", frozenset({p[i + 1]})))
            i += 2
        elif ch == 0x3F:  # ?
            out.append(("one", not_slash))
            i += 1
        elif ch == 0x5B:
            members, i = _class(p, i)
            out.append(("one", members & not_slash))
        elif ch == 0x2A:  # *
            j = i
            while j < len(p) and p[j] == 0x2A:
                j += 1
            spans = not pathname
            if j - i >= 2 and pathname and (i == 0 or p[i - 1] == _SLASH):
                after = p[j:j + 1]
                if after == b"/":
                    out.append(("dstar/",))
                    spans = None  # type: ignore[assignment]
                elif after == b"" or p[j:j + 2] == b"\\/":
                    spans = True
            if spans is not None:
                out.append(("star", _ALL if spans else not_slash))
            i = j
        else:
            out.append(("one", frozenset({ch})))
            i += 1
    return out


def _byte_class(members: FrozenSet[int]) -> bytes:
    if members == _ALL:
        return b"."
    return b"[" + b"".join(re.escape(bytes([b])) for b in sorted(members)) + b"]" if members else b"(?!)"


class _Glob:
    """One wildmatch pattern over bytes: a regular expression when it has one wildcard run at most, else a
    bit-parallel automaton (bit i set = "the pattern's first i tokens match the text read so far")."""

    def __init__(self, pattern: bytes, pathname: bool) -> None:
        tokens = _tokens(pattern, pathname)
        stars = sum(1 for t in tokens if t[0] != "one")
        self.regex: Optional["re.Pattern[bytes]"] = None
        if stars <= 1:
            parts, index = [], 0
            while index < len(tokens):
                token = tokens[index]
                if token[0] == "one":
                    parts.append(_byte_class(token[1]))  # type: ignore[misc]
                elif token[0] == "star":
                    parts.append(_byte_class(token[1]) + b"*")  # type: ignore[misc]
                else:  # "**/" and the "/" token after it: nothing, or anything ending in a slash
                    parts.append(b"(?:.*/)?")
                    index += 1
                index += 1
            self.regex = re.compile(b"".join(parts), re.DOTALL)
            return
        # the automaton: state i reads tokens[i]; "star" loops on i, "dstar/" loops and may skip the "/"
        self.sets: List[FrozenSet[int]] = []
        self.loops, self.skip1, self.skip2 = 0, 0, 0
        for index, token in enumerate(tokens):
            bit = 1 << index
            if token[0] == "one":
                self.sets.append(token[1])  # type: ignore[misc]
            else:
                self.sets.append(frozenset())
                self.loops |= bit
                self.skip1 |= bit
                if token[0] == "dstar/":
                    self.skip2 |= bit
        self.loop_sets = [token[1] if token[0] == "star" else _ALL for token in tokens]  # type: ignore[misc]
        self.final = 1 << len(tokens)
        self._advance: Dict[int, Tuple[int, int]] = {}

    def _masks(self, byte: int) -> Tuple[int, int]:
        found = self._advance.get(byte)
        if found is None:
            step = sum(1 << i for i, members in enumerate(self.sets) if byte in members)
            stay = sum(1 << i for i, members in enumerate(self.loop_sets) if self.loops >> i & 1 and byte in members)
            found = self._advance[byte] = (step, stay)
        return found

    def _closure(self, states: int) -> int:
        while True:
            more = states | (states & self.skip1) << 1 | (states & self.skip2) << 2
            if more == states:
                return states
            states = more

    def match(self, text: bytes) -> bool:
        if self.regex is not None:
            return self.regex.fullmatch(text) is not None
        states = self._closure(1)
        for byte in text:
            step, stay = self._masks(byte)
            states = (states & step) << 1 | (states & stay)
            if not states:
                return False
            states = self._closure(states)
        return bool(states & self.final)


class Pattern:
    """One gitignore line: ``negative`` (``!``), ``dir_only`` (trailing ``/``), ``basename`` (no slash:
    matches the name at any depth), and its glob (None: it can never match)."""

    def __init__(self, line: str) -> None:
        self.line = line
        text = _trim_trailing_spaces(line)
        self.negative = text.startswith("!")
        if self.negative:
            text = text[1:]
        self.dir_only = text.endswith("/")
        if self.dir_only:
            text = text[:-1]
        self.basename = "/" not in text
        if not self.basename and text.startswith("/"):
            text = text[1:]
        try:
            self.glob: Optional[_Glob] = _Glob(text.encode("utf-8", "surrogateescape"), not self.basename)
        except _Abort:
            self.glob = None

    def matches(self, path: bytes, name: bytes, is_dir: bool) -> bool:
        if self.glob is None or (self.dir_only and not is_dir):
            return False
        return self.glob.match(name if self.basename else path)


def _trim_trailing_spaces(line: str) -> str:
    """git's trim_trailing_spaces: unescaped trailing spaces go (tabs stay)."""
    last_space = None
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == " ":
            if last_space is None:
                last_space = i
        elif ch == "\\":
            i += 1
            if i >= len(line):
                return line
            last_space = None
        else:
            last_space = None
        i += 1
    return line if last_space is None else line[:last_space]


class Decision:
    """What a spec says about a path: ``include`` True (ignored), False (re-included by ``!``), None."""

    __slots__ = ("include",)

    def __init__(self, include: Optional[bool]) -> None:
        self.include = include


class IgnoreSpec:
    """The patterns of one ignore file (or of the ``exclude`` setting), checked against paths relative to
    its directory; a directory's path ends with ``/``."""

    def __init__(self, patterns: List[Pattern]) -> None:
        self.patterns = patterns
        self._dirs: Dict[bytes, Optional[bool]] = {}  # directory decisions, asked for again by their files

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> "IgnoreSpec":
        patterns = []
        for number, line in enumerate(lines):
            if number == 0 and line.startswith("\ufeff"):
                line = line[1:]  # git skips a UTF-8 byte order mark
            line = line[:-1] if line.endswith("\r") else line
            if line and not line.startswith("#"):
                patterns.append(Pattern(line))
        return cls(patterns)

    def _own(self, path: bytes, is_dir: bool) -> Optional[bool]:
        name = path.rsplit(b"/", 1)[-1]
        for pattern in reversed(self.patterns):
            if pattern.matches(path, name, is_dir):
                return not pattern.negative
        return None

    def _dir(self, path: bytes) -> Optional[bool]:
        if path not in self._dirs:
            self._dirs[path] = self._own(path, True)
        return self._dirs[path]

    def check_file(self, rel: str) -> Decision:
        """git's decision for ``rel``: ignored when a directory above it is ignored, else its own last
        matching pattern."""
        is_dir = rel.endswith("/")
        path = rel.rstrip("/").encode("utf-8", "surrogateescape")
        parts = path.split(b"/")
        for depth in range(1, len(parts)):
            if self._dir(b"/".join(parts[:depth])):
                return Decision(True)
        return Decision(self._dir(path) if is_dir else self._own(path, False))

    def match_file(self, rel: str) -> bool:
        """True when ``rel`` is ignored."""
        return bool(self.check_file(rel).include)
