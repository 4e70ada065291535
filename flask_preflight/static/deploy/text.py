"""Helpers every deployment-file format shares: spans with snippets, and inline suppressions."""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Sequence

from flask_preflight.static.deploy.model import Origin
from flask_preflight.static.source import SNIPPET_MAX_LINES
from flask_preflight.suppress import parse_suppressions


def split_lines(text: str) -> List[str]:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def origin(path: str, lines: Sequence[str], line: int, end_line: int = 0, column: int = 1) -> Origin:
    """An Origin for lines ``line``..``end_line`` (1-based, inclusive) with their text as the snippet."""
    end = max(end_line, line)
    shown = lines[line - 1:min(end, line + SNIPPET_MAX_LINES - 1)] if 1 <= line <= len(lines) else []
    return Origin(path, line, end, "\n".join(shown), column)


def suppressions(lines: Sequence[str], comment_prefixes: Sequence[str] = ("#",)) -> Dict[int, FrozenSet[str]]:
    """Rule ids silenced per line: by a ``# preflight: ignore[...]`` on the line itself, or by comment-only
    lines directly above it (formats such as Dockerfile and systemd have no trailing comments)."""
    result: Dict[int, FrozenSet[str]] = {}
    pending: FrozenSet[str] = frozenset()
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        codes = parse_suppressions(raw) or frozenset()
        if stripped and any(stripped.startswith(p) for p in comment_prefixes):
            pending = pending | codes
            continue
        if not stripped:
            pending = frozenset()
            continue
        here = pending | codes
        if here:
            result[number] = here
        pending = frozenset()
    return result


def spread(file_suppressions: Dict[int, FrozenSet[str]], spans: Sequence[Origin]) -> Dict[int, FrozenSet[str]]:
    """A directive on any line of an entry covers all of its lines: findings about one variable of a
    multi-line ``ENV`` point at a continuation line, and a YAML variable's finding points at its ``name:``
    line while the natural place for the comment is the ``value:`` line below it."""
    if not file_suppressions:
        return {}
    result = dict(file_suppressions)
    for span in spans:
        lines = range(span.line, max(span.line, span.end_line) + 1)
        codes: FrozenSet[str] = frozenset().union(*(file_suppressions.get(n, frozenset()) for n in lines))
        if codes:
            for line in lines:
                result[line] = result.get(line, frozenset()) | codes
    return result


def directive_reach(lines: Sequence[str], comment_prefixes: Sequence[str] = ("#",)) -> Dict[int, FrozenSet[int]]:
    """For each line a directive covers, the lines the covering directives are written on - the same walk as
    :func:`suppressions`, kept apart so a suppressed finding can mark the comment that silenced it as used."""
    result: Dict[int, FrozenSet[int]] = {}
    pending: FrozenSet[int] = frozenset()
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        here = frozenset({number}) if parse_suppressions(raw) is not None else frozenset()
        if stripped and any(stripped.startswith(p) for p in comment_prefixes):
            pending = pending | here
            continue
        if not stripped:
            pending = frozenset()
            continue
        if pending | here:
            result[number] = pending | here
        pending = frozenset()
    return result


def spread_reach(reach: Dict[int, FrozenSet[int]], spans: Sequence[Origin]) -> Dict[int, FrozenSet[int]]:
    """:func:`spread` for :func:`directive_reach`: a directive reaching one line of an entry reaches all of it."""
    if not reach:
        return {}
    result = dict(reach)
    for span in spans:
        lines = range(span.line, max(span.line, span.end_line) + 1)
        sources: FrozenSet[int] = frozenset().union(*(reach.get(n, frozenset()) for n in lines))
        if sources:
            for line in lines:
                result[line] = result.get(line, frozenset()) | sources
    return result
