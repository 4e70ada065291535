"""Baselines: accept today's findings once, then report only new ones (``check --write-baseline/--baseline``).

An existing codebase rarely starts at zero findings; a baseline lets CI fail on what a change adds while the
old debt is paid down. A finding is recorded by a fingerprint that survives unrelated edits:

* the rule id, the file's path (POSIX, relative to the baseline file's directory, so the baseline works
  from any working directory), and the normalised source of what was flagged: for Python files the
  flagged statement's tokens without comments or layout (``x=1 # a`` and ``x = 1`` are the same), for
  other files (Dockerfile, compose, .env, ...) the flagged line with its whitespace collapsed;
* an occurrence index, so two identical bad lines in one file are two entries: the first N findings with
  the same fingerprint (in file order) match the N recorded ones, any more are new;
* never the line number: lines inserted above a finding do not make it new.

Entries hold only hashes, never source text, so a baseline cannot leak the secret a finding is about.
The file format is versioned JSON, documented in docs/baseline.md; ``load`` refuses anything else with
one sentence that names the file and the reason.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import tokenize
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from flask_preflight.findings import Finding, ScanResult

FORMAT = "flask-preflight-baseline"
VERSION = 1
_LAYOUT = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                     tokenize.ENDMARKER})


# Rules that flag a comment: their line is compared with its comments, which the token form drops.
_COMMENT_RULES = frozenset({"PF001"})


class BaselineError(Exception):
    """The baseline file cannot be read or is not a baseline; the message names the file and the reason."""


@dataclass(frozen=True)
class Entry:
    """One recorded finding. ``path`` is relative to the baseline file's directory."""

    rule_id: str
    rule_name: str
    path: str
    fingerprint: str
    occurrence: int

    @property
    def key(self) -> Tuple[str, int]:
        return self.fingerprint, self.occurrence

    def to_dict(self) -> Dict[str, Any]:
        return {"rule_id": self.rule_id, "rule_name": self.rule_name, "path": self.path,
                "fingerprint": self.fingerprint, "occurrence": self.occurrence}


@dataclass
class Outcome:
    """What a baseline did to one run: the findings it hid and its entries that matched nothing."""

    path: str
    hidden: List[Finding] = field(default_factory=list)
    stale: List[Entry] = field(default_factory=list)

    def hidden_by_rule(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for f in self.hidden:
            counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
        return dict(sorted(counts.items()))


def normalised_source(finding: Finding) -> str:
    """The flagged source without what an unrelated edit changes (see the module docstring)."""
    snippet = finding.snippet
    if not snippet.strip():
        return " ".join((finding.evidence or finding.message).split())
    if finding.path.endswith((".py", ".pyw")) and finding.rule_id not in _COMMENT_RULES:
        tokens = _tokens(snippet)
        if tokens:
            return " ".join(tokens)
    return " ".join(snippet.split("\n", 1)[0].split())


def _tokens(source: str) -> List[str]:
    """Token strings of ``source`` without comments and layout; a snippet cut mid-statement (they are capped
    at 10 lines) ends the list where the tokenizer gives up, which is the same place every run."""
    out: List[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in _LAYOUT and tok.string:
                out.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def relative_path(finding_path: str, base_dir: str) -> str:
    """``finding_path`` (as reported: relative to the cwd, or absolute) relative to ``base_dir``, POSIX."""
    absolute = os.path.abspath(finding_path)
    try:
        rel = os.path.relpath(absolute, base_dir)
    except ValueError:  # another drive on Windows
        rel = absolute
    return rel.replace(os.sep, "/")


def entries_for(findings: Iterable[Finding], base_dir: str) -> List[Tuple[Entry, Finding]]:
    """Each finding with its entry; occurrences count in file order among equal fingerprints."""
    seen: Dict[str, int] = {}
    out: List[Tuple[Entry, Finding]] = []
    for f in sorted(findings, key=Finding.sort_key):
        path = relative_path(f.path, base_dir)
        raw = "\x00".join((f.rule_id, path, normalised_source(f)))
        digest = hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        out.append((Entry(f.rule_id, f.rule_name, path, digest, seen[digest]), f))
    return out


def render(findings: Iterable[Finding], baseline_path: str, tool_version: str) -> str:
    """The baseline file's text: entries sorted by path, rule and fingerprint, so rewriting it after
    unrelated edits changes nothing."""
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    entries = sorted((e for e, _ in entries_for(findings, base_dir)),
                     key=lambda e: (e.path, e.rule_id, e.fingerprint, e.occurrence))
    data = {"format": FORMAT, "version": VERSION, "tool": {"name": "flask-preflight", "version": tool_version},
            "findings": [e.to_dict() for e in entries]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write(findings: Sequence[Finding], baseline_path: str, tool_version: str) -> int:
    """Write the baseline atomically (a temporary file in the same directory, then ``os.replace``), so an
    interrupted run never leaves half a baseline; returns the number of entries. Raises BaselineError."""
    text = render(findings, baseline_path, tool_version)
    directory = os.path.dirname(os.path.abspath(baseline_path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".baseline-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise BaselineError(f"{baseline_path}: cannot write baseline: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, baseline_path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise BaselineError(f"{baseline_path}: cannot write baseline: {exc.strerror or exc}") from None
    return len(findings)


def load(baseline_path: str) -> List[Entry]:
    """The entries of a baseline file; every way it can be wrong is a BaselineError naming file and reason."""
    try:
        with open(baseline_path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise BaselineError(f"{baseline_path}: cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{baseline_path}: not a baseline: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{baseline_path}: not a baseline: invalid JSON ({exc.msg} at line {exc.lineno} "
                            f"column {exc.colno})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"{baseline_path}: not a baseline: no \"format\": \"{FORMAT}\" "
                            "(write one with `check --write-baseline`)")
    if data.get("version") != VERSION:
        raise BaselineError(f"{baseline_path}: unsupported baseline version {data.get('version')!r} "
                            f"(this flask-preflight reads version {VERSION})")
    items = data.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{baseline_path}: not a baseline: \"findings\" is not a list")
    return [_entry(item, i, baseline_path) for i, item in enumerate(items)]


def _entry(item: Any, index: int, baseline_path: str) -> Entry:
    where = f"{baseline_path}: findings[{index}]"
    if not isinstance(item, dict):
        raise BaselineError(f"{where} is not an object")
    for name in ("rule_id", "rule_name", "path", "fingerprint"):
        if not isinstance(item.get(name), str):
            raise BaselineError(f"{where}: \"{name}\" is missing or not a string")
    occurrence = item.get("occurrence")
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        raise BaselineError(f"{where}: \"occurrence\" is not a positive integer")
    return Entry(item["rule_id"], item["rule_name"], item["path"], item["fingerprint"], occurrence)


def apply(result: ScanResult, entries: Sequence[Entry], baseline_path: str, *, scanned_paths: Sequence[str],
          judged_rules: Optional[Set[str]] = None) -> Outcome:
    """Hide ``result``'s findings that ``entries`` record (in place) and say which entries are stale.

    An entry is stale only where this run would have found it again: its rule ran (``judged_rules``) and its
    file was checked, or no longer exists under a scanned path. A run over part of the project never calls
    the rest of the baseline stale."""
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    recorded = {e.key for e in entries}
    outcome = Outcome(baseline_path)
    kept: List[Finding] = []
    matched: Set[Tuple[str, int]] = set()
    for entry, finding in entries_for(result.findings, base_dir):
        if entry.key in recorded:
            outcome.hidden.append(finding)
            matched.add(entry.key)
        else:
            kept.append(finding)
    result.findings = sorted(kept, key=Finding.sort_key)
    checked = {os.path.abspath(p) for p in result.checked}
    roots = [os.path.abspath(p) for p in scanned_paths]
    for entry in entries:
        if entry.key in matched or (judged_rules is not None and entry.rule_id not in judged_rules):
            continue
        absolute = os.path.normpath(os.path.join(base_dir, entry.path))
        gone = not os.path.exists(absolute) and any(_under(absolute, r) for r in roots)
        if absolute in checked or gone:
            outcome.stale.append(entry)
    result.baseline = outcome
    return outcome


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
