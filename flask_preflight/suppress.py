"""Inline suppressions: ``# preflight: ignore`` or ``# preflight: ignore[PF101, debug-mode-enabled]``.

A bare comment silences every rule on that line; a bracketed list silences only those rules. Rule names
are normalised to ids so either spelling works. Unknown codes are kept (upper-cased) instead of being
rejected, so a comment written for a newer version does not stop this one; ``check`` reports them, and
directives that silence nothing, as PF001 unused-suppression (see ``flask_preflight/static/unused.py``).

Caveat: the comment is found with a regular expression, not the tokenizer, so the same text inside a string
literal on that line also counts. That is cheap and almost never matters for real code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, List, Optional, Sequence, Tuple

from flask_preflight.rules import REGISTRY

ALL = "*"

# "#", the word preflight, ":", "ignore" not followed by more of a word ("ignore-file" is not this
# directive), then an optional bracketed list.
_DIRECTIVE_RE = re.compile(
    r"#\s*preflight\s*:\s*ignore(?![\w-])(?:\s*\[(?P<codes>[^\]]*)\])?",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(r"[\s,]+")


def parse_suppressions(line_text: str) -> Optional[FrozenSet[str]]:
    """None without a directive; ``{"*"}`` for a bare one; else the rule ids it names."""
    # Most lines have no comment at all; avoid the regex (and lower()) for them.
    if "#" not in line_text:
        return None
    return _parse(line_text)


@lru_cache(maxsize=4096)
def _parse(line_text: str) -> Optional[FrozenSet[str]]:
    if "preflight" not in line_text.lower():
        return None
    codes: set = set()
    found = False
    for match in _DIRECTIVE_RE.finditer(line_text):
        found = True
        listed = match.group("codes")
        if listed is None:
            return frozenset({ALL})
        for code in _SPLIT_RE.split(listed.strip()):
            if code:
                codes.update(_normalise(code))
    return frozenset(codes) if found else None


def _normalise(code: str) -> FrozenSet[str]:
    """Ids for a code: ``ALL`` means everything, names and id prefixes expand, anything else is kept."""
    if code.upper() == "ALL":
        return frozenset({ALL})
    try:
        return frozenset(rule.id for rule in REGISTRY.expand(code))
    except ValueError:
        return frozenset({code.upper()})


def raw_directives(line_text: str) -> List[Tuple[int, Optional[Tuple[str, ...]]]]:
    """Each directive on a line as written: its 1-based column and the codes in its brackets (None for a bare
    ``# preflight: ignore``). Kept unnormalised so a report can quote a misspelt rule as the user wrote it."""
    if "#" not in line_text or "preflight" not in line_text.lower():
        return []
    out: List[Tuple[int, Optional[Tuple[str, ...]]]] = []
    for match in _DIRECTIVE_RE.finditer(line_text):
        listed = match.group("codes")
        codes = None if listed is None else tuple(c for c in _SPLIT_RE.split(listed.strip()) if c)
        out.append((match.start() + 1, codes))
    return out


def resolve_code(code: str) -> Optional[FrozenSet[str]]:
    """The rule ids one written code stands for (``{"*"}`` for ALL); None when it names no known rule."""
    if code.upper() == "ALL":
        return frozenset({ALL})
    try:
        return frozenset(rule.id for rule in REGISTRY.expand(code))
    except ValueError:
        return None


def is_suppressed(rule_id: str, lines: Sequence[str]) -> bool:
    """Whether any of ``lines`` (a finding's first and last line) suppresses ``rule_id`` (an id or name)."""
    return bool(suppressing_lines(rule_id, lines))


def suppressing_lines(rule_id: str, lines: Sequence[str]) -> List[int]:
    """Indexes into ``lines`` of those whose directive silences ``rule_id``: every one of them counts as used
    (a finding with a comment on both its first and last line makes neither comment unused)."""
    rule = REGISTRY.get(rule_id)
    wanted = rule.id if rule is not None else rule_id.strip().upper()
    hits = []
    for i, text in enumerate(lines):
        codes = parse_suppressions(text)
        if codes and (ALL in codes or wanted in codes):
            hits.append(i)
    return hits
