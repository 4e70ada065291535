"""PF001 unused-suppression: ``# preflight: ignore`` comments that name an unknown rule or silence nothing.

Each file's directives are collected when the file is read (cached with the file's result); after the
project's findings are filtered, the filter says which directive silenced which rule, and every code of a
directive that silenced nothing is reported - but only codes this run could have used: a rule that ``check``
does not run (inspect/probe rules), or that ``--select``/``ignore``/``per-file-ignores`` switched off, may
well be silenced by the comment elsewhere, so it is left alone rather than called unused.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from flask_preflight.config import Settings
from flask_preflight.findings import Finding, Location
from flask_preflight.rules import REGISTRY
from flask_preflight.rules.hygiene import PF001
from flask_preflight.suppress import raw_directives, resolve_code

#: One directive: line, column and end column (1-based, end exclusive), the codes as written (None for a
#: bare ``# preflight: ignore``) and the whole line, for the report's code frame.
Directive = Tuple[int, int, int, Optional[Tuple[str, ...]], str]
#: (path, line of the directive, rule id it silenced) for every suppression the filter applied.
Used = Set[Tuple[str, int, str]]

_QUICK_RE = re.compile(r"preflight\s*:\s*ignore", re.IGNORECASE)
_END_RE = re.compile(r"#\s*preflight\s*:\s*ignore(?![\w-])(?:\s*\[[^\]]*\])?", re.IGNORECASE)


def find_directives(text: str, *, python: bool) -> List[Directive]:
    """The directives of one file. In Python only comment tokens count, so a string literal that quotes the
    syntax (docs, tests of this very tool) is not reported; other formats have no tokenizer here and every
    line counts, exactly as it does for suppressing."""
    if _QUICK_RE.search(text) is None:
        return []
    lines = text.split("\n")
    found: List[Directive] = []
    if python:
        last = text.count("\n", 0, _last_match(text).start()) + 1  # no need to tokenize past it
        for line, col0, comment in _comments(text, last):
            found += _directives_in(comment, line, col0, lines)
    else:
        for number, raw in enumerate(lines, start=1):
            found += _directives_in(raw, number, 0, lines)
    return found


def _last_match(text: str) -> "re.Match[str]":
    match = None
    for match in _QUICK_RE.finditer(text):
        pass
    assert match is not None  # the caller found one
    return match


def _comments(text: str, last_line: int) -> Iterable[Tuple[int, int, str]]:
    """(line, 0-based column, text) of each comment token up to ``last_line``; a tokenize error ends the list
    where it occurs (the file's syntax error is reported on its own)."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.start[0] > last_line:
                return
            if tok.type == tokenize.COMMENT:
                yield tok.start[0], tok.start[1], tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


def _directives_in(segment: str, line: int, col0: int, lines: List[str]) -> List[Directive]:
    out: List[Directive] = []
    for (column, codes), match in zip(raw_directives(segment), _END_RE.finditer(segment)):
        out.append((line, col0 + column, col0 + match.end() + 1, codes, lines[line - 1] if line <= len(lines) else ""))
    return out


def unused_findings(directives: Dict[str, List[Directive]], used: Used, settings: Settings) -> List[Finding]:
    """PF001 findings for ``directives`` (by display path) given what the filter marked ``used``."""
    selected = settings.selected_rule_ids()
    if PF001.id not in selected:
        return []
    checkable = frozenset(r.id for r in REGISTRY if "check" in r.modes and r.id != PF001.id)
    by_place: Dict[Tuple[str, int], Set[str]] = {}
    for path, line, rule in used:
        by_place.setdefault((path, line), set()).add(rule)
    findings: List[Finding] = []
    for path, items in directives.items():
        ignored = settings.ignored_for(path)
        if PF001.id in ignored:
            continue
        judged = (checkable & selected) - ignored  # rules whose silence on this path means "nothing to silence"
        for line, column, end_column, codes, text in items:
            silenced = by_place.get((path, line), set())
            for message in _complaints(codes, silenced, judged, checkable):
                findings.append(PF001.finding(message, Location(path, line, column, line, end_column), snippet=text))
    return findings


def _complaints(codes: Optional[Tuple[str, ...]], silenced: Set[str], judged: FrozenSet[str],
                checkable: FrozenSet[str]) -> List[str]:
    """What is wrong with one directive, one sentence per code that silences nothing."""
    resolved = [resolve_code(c) for c in codes or ()]
    if any(ids is not None and PF001.id in ids for ids in resolved):
        return []  # the comment itself says: do not report this line's suppressions
    if codes is None or any(c.upper() == "ALL" for c in codes):
        if silenced or checkable - judged:  # something used it, or an unselected rule might
            return []
        word = "`# preflight: ignore`" if codes is None else "`ignore[ALL]`"
        return [f"Unused suppression: `check` finds nothing where this {word} applies (name the rule if it is "
                f"for an `inspect` finding)"]
    if not codes:
        return ["Suppression names no rule: `ignore[]` silences nothing"]
    out: List[str] = []
    for code, ids in zip(codes, resolved):
        if ids is None:
            out.append(f"Suppression names unknown rule `{code}`; it silences nothing")
        elif ids & silenced or not ids <= judged:
            continue  # it was used, or covers a rule this run cannot judge
        else:
            out.append(f"Unused suppression: {_nothing_of(code, ids)} where this comment applies")
    return out


def _nothing_of(code: str, ids: FrozenSet[str]) -> str:
    """The code as the user wrote it, with the id when that was a name: ``no debug-mode-enabled (PF101)
    finding``; a prefix: ``no finding of the PF1 rules``."""
    if len(ids) == 1:
        (rule_id,) = ids
        return f"no {rule_id if code.upper() == rule_id else f'{code} ({rule_id})'} finding"
    return f"no finding of the {code.upper()} rules"


__all__ = ["Directive", "Used", "find_directives", "unused_findings"]
