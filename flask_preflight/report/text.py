"""Human-readable output in the style of ruff/rustc: header line, code frame with carets, help, summary.

Source text is untrusted: control characters (including ANSI escapes), lone surrogates and bidi
overrides are shown escaped so a scanned file can never drive the user's terminal or hide code.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import click

from flask_preflight.findings import RUN_PROBLEMS, Finding, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import ordered
from flask_preflight.rules import REGISTRY, docs_url

TAB_SIZE = 4
MAX_FRAME_LINES = 5

_SEVERITY_STYLE: Dict[Severity, Dict[str, object]] = {
    Severity.CRITICAL: {"fg": "red", "bold": True},
    Severity.HIGH: {"fg": "red"},
    Severity.MEDIUM: {"fg": "yellow"},
    Severity.LOW: {"fg": "blue"},
}

# Bidirectional controls can make displayed code differ from what runs ("Trojan Source"), so show them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Python splits source lines only on these; str.splitlines() would also split on \f, \x1c, \u2028...
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def render_text(result: ScanResult, *, color: bool = False, statistics: bool = False) -> str:
    """The full report as one string ending in a newline; ANSI codes appear only when ``color`` is true."""
    style = _styler(color)
    findings, problems = ordered(result)
    sections: List[str] = [format_finding(f, color=color) for f in findings]
    if problems:
        sections.append("\n".join(format_problem(p, color=color) for p in problems))
    sections.append(summary_line(result))
    if statistics and (findings or result.suppressed_by_rule or result.baseline and result.baseline.hidden):
        hidden = result.baseline.hidden_by_rule() if result.baseline is not None else {}
        sections.append(_statistics_table(findings, style, result.suppressed_by_rule, hidden))
    return "\n\n".join(sections) + "\n"


def format_finding(finding: Finding, *, color: bool = False) -> str:
    """Header, code frame and help for one finding (no trailing newline)."""
    style = _styler(color)
    loc = finding.location
    header = (f"{escape(loc.path)}:{loc.line}:{loc.column}: {style(finding.rule_id, bold=True)} "
              f"{style('[' + finding.severity.value + ']', **_SEVERITY_STYLE[finding.severity])} "
              f"{escape(finding.message)}")
    lines = [header]
    lines += code_frame(finding, style)
    help_text = help_line(finding)
    if help_text:
        lines.append(f"  = help: {escape(help_text)}")
    return "\n".join(lines)


def help_line(finding: Finding) -> str:
    """The fix hint followed by where the rule is documented (``See <url>``), for registered rules; a
    finding of an unregistered rule (a plugin's) keeps its hint alone rather than a link that does not exist."""
    hint = finding.fix_hint.rstrip()
    if finding.rule_id not in REGISTRY:
        return hint
    if hint and not hint.endswith((".", "!", "?")):
        hint += "."
    return f"{hint} See {docs_url(finding.rule_id)}".lstrip()


def format_problem(problem: Problem, *, color: bool = False) -> str:
    """``path[:line[:col]]: error: <kind>: <reason>`` for a file that could not be analysed."""
    style = _styler(color)
    where = escape(problem.path)
    if problem.line is not None:
        where += f":{problem.line}"
        if problem.column is not None:
            where += f":{problem.column}"
    return f"{where}: {style('error', fg='red', bold=True)}: {problem.kind.value}: {escape(problem.reason)}"


#: How the summary names a problem about the whole run (its error line above gives the reason).
_RUN_PROBLEM_CLAUSES = {
    ProblemKind.NOTHING_CHECKED: "nothing was checked",
    ProblemKind.GIT_UNAVAILABLE: "git could not list the tracked files",
    ProblemKind.CACHE_REFUSED: "the cache was refused",
}


def summary_line(result: ScanResult, unit: str = "file",
                 not_done: Tuple[str, str] = ("file could not be analyzed", "files could not be analyzed")) -> str:
    """One sentence a person (or a CI log grep) can read at a glance. ``unit`` names what was scanned and
    ``not_done`` (singular, plural) what failed: files for ``check``, URLs for ``probe``."""
    files = _plural(result.files_scanned, unit)
    n = len(result.findings)
    if n:
        counts = result.counts_by_severity()
        parts = ", ".join(f"{counts[s.value]} {s.value}" for s in Severity if counts[s.value])
        clauses = [f"Found {_plural(n, 'finding')} ({parts}) in {files}"]
    else:
        clauses = [f"No findings in {files}"]
    if result.suppressed:
        clauses.append(f"{result.suppressed} suppressed")
    if result.baseline is not None:
        clauses.append(f"{len(result.baseline.hidden)} hidden by the baseline")
        stale = len(result.baseline.stale)
        if stale:
            clauses.append(f"{stale} baseline {'entry is' if stale == 1 else 'entries are'} stale")
    if result.excluded:
        clauses.append(f"{_plural(result.excluded, 'path')} excluded by the exclude settings")
    failed = len({p.path for p in result.problems if p.kind not in RUN_PROBLEMS})
    if failed:
        clauses.append(f"{failed} {not_done[0] if failed == 1 else not_done[1]}")
    clauses.extend(_RUN_PROBLEM_CLAUSES[k] for k in sorted({p.kind for p in result.problems if p.kind in RUN_PROBLEMS},
                                                         key=lambda k: k.value))
    return "; ".join(clauses) + "."


def code_frame(finding: Finding, style: Optional[Callable[..., str]] = None) -> List[str]:
    """Numbered source lines with a caret underline below the first one; empty when there is no snippet."""
    style = style or _styler(False)
    raw_lines = split_source_lines(finding.snippet)
    if not raw_lines:
        return []
    loc = finding.location
    shown = raw_lines[:MAX_FRAME_LINES]
    width = len(str(loc.line + len(shown) - 1))
    blank_gutter = f"  {'':>{width}} |"
    out: List[str] = []
    for i, raw in enumerate(shown):
        display, _ = display_line(raw)
        out.append(f"  {loc.line + i:>{width}} | {display}".rstrip())
        if i == 0:
            pad, count = caret_span(raw, loc.column, loc.end_line, loc.end_column, loc.line)
            out.append(f"{blank_gutter} {' ' * pad}{style('^' * count, fg='red')}")
    if len(raw_lines) > MAX_FRAME_LINES:
        out.append(f"{blank_gutter} ...")
    return out


def caret_span(raw: str, column: int, end_line: Optional[int], end_column: Optional[int],
               line: int) -> Tuple[int, int]:
    """Display offset and caret count for a span on ``raw`` (1-based columns, end exclusive).

    Multi-line spans underline to the end of the first line; every span gets at least one caret so a
    zero-width or out-of-range location is still visible.
    """
    _, offsets = display_line(raw)
    text_end = len(raw.rstrip())
    start = min(max(column, 1) - 1, len(raw))
    if end_line is not None and end_line > line:
        end = text_end
    elif end_column is not None:
        end = min(max(end_column, 1) - 1, len(raw))
    else:
        end = start
    pad = offsets[start]
    count = offsets[end] - pad if end > start else 0
    return pad, max(count, 1)


def split_source_lines(snippet: str) -> List[str]:
    """Split like Python's tokenizer does (\\n, \\r\\n, \\r), dropping a single trailing line break."""
    if not snippet:
        return []
    lines = _LINE_BREAK_RE.split(snippet)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def display_line(raw: str) -> Tuple[str, List[int]]:
    """Terminal-safe rendering of one source line plus the display column before each raw character.

    Tabs expand to TAB_SIZE stops, wide (East Asian) characters count two cells and combining marks
    zero, so the carets computed from the same offsets line up with what the terminal shows.
    """
    parts: List[str] = []
    offsets: List[int] = []
    col = 0
    for ch in raw:
        offsets.append(col)
        if ch == "\t":
            spaces = TAB_SIZE - col % TAB_SIZE
            parts.append(" " * spaces)
            col += spaces
            continue
        shown = _escape_char(ch)
        parts.append(shown)
        col += _char_width(ch) if shown == ch else len(shown)
    offsets.append(col)
    return "".join(parts), offsets


def escape(text: str) -> str:
    """Single-line, terminal-safe version of untrusted text (paths, messages)."""
    return "".join(_NAMED_ESCAPES.get(ch) or _escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs") or ch in _BIDI or ch in ("\u2028", "\u2029"):
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _statistics_table(findings: Sequence[Finding], style: Callable[..., str],
                      suppressed: Optional[Dict[str, int]] = None, hidden: Optional[Dict[str, int]] = None) -> str:
    """Per-rule counts, most frequent first, so the biggest clean-up wins are on top; what inline comments
    suppressed and the baseline hid is counted per rule too, so silenced debt stays visible."""
    suppressed, hidden = suppressed or {}, hidden or {}
    counts: Dict[str, int] = {rid: 0 for rid in list(suppressed) + list(hidden)}
    meta: Dict[str, Tuple[str, Severity]] = {}
    for rid in counts:
        rule = REGISTRY.get(rid)
        meta[rid] = (rule.name, rule.severity) if rule is not None else (rid, Severity.LOW)
    for f in findings:
        counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
        rule = REGISTRY.get(f.rule_id)
        if rule is not None:
            meta[f.rule_id] = (rule.name, rule.severity)
        else:  # not registered (e.g. a plugin): fall back to what the findings say
            prev = meta.get(f.rule_id)
            sev = f.severity if prev is None or f.severity.at_least(prev[1]) else prev[1]
            meta[f.rule_id] = (f.rule_name, sev)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    count_w = max(len(str(c)) for _, c in rows)
    id_w = max(len(rid) for rid, _ in rows)
    name_w = max(len(meta[rid][0]) for rid, _ in rows)
    lines = []
    for rid, count in rows:
        name, sev = meta[rid]
        extra = [f"{suppressed[rid]} suppressed"] if suppressed.get(rid) else []
        extra += [f"{hidden[rid]} in the baseline"] if hidden.get(rid) else []
        sev_text = style('[' + sev.value + ']', **_SEVERITY_STYLE[sev])
        if extra:
            sev_text += " " * (len("critical") - len(sev.value)) + f"  ({', '.join(extra)})"
        lines.append(f"  {count:>{count_w}}  {style(rid.ljust(id_w), bold=True)}  {escape(name).ljust(name_w)}  "
                     f"{sev_text}")
    return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _styler(color: bool) -> Callable[..., str]:
    """click.style when colouring, identity otherwise, so plain output can never contain ANSI codes."""
    if color:
        return lambda text, **kw: click.style(text, **kw)
    return lambda text, **kw: text
