"""Keeping secret values out of every report field.

A finding about a committed secret must show where the secret is, never the secret: reports end up in CI
logs, SARIF uploads and pull-request comments. ``evidence`` of PF406 always said ``NAME=<redacted>``; the
snippet (code frame, JSON ``snippet``, SARIF region and context snippets) and the message quote source
lines, and those lines hold the value - and so do the lines of any other finding on the same line
(``ENV FLASK_DEBUG=1 SECRET_KEY=...``). So the analysers collect the secret values a file holds and every
finding built from that file passes through :class:`Redactor` before it leaves the analyser (and before
it is cached), whatever its rule.

Each value is matched as written at run time and as it may be spelled in source (Python and JSON string
escapes; each line of a multi-line value on its own). Short values only match as whole words, so a
3-character key does not shred the message text; a value cut short by ``...`` (messages quote at most a few
dozen characters of source) is redacted too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Iterable, List, Optional, Pattern, Set, Union

from flask_preflight.findings import Finding

REDACTED = "<redacted>"
_SHORT = 8  # values shorter than this only match as whole words
_MIN_PREFIX = 6  # a value cut short by "..." is recognised from this many characters on
_MAX_QUOTED = 120  # no message quotes more of a value than this (the analysers cut at 40-80), so longer
# prefixes need no pattern of their own: keeps the pattern linear in the size of the secret
_WORD = "A-Za-z0-9_"


def secret_forms(value: Union[str, bytes, None]) -> List[str]:
    """How ``value`` may appear in text: itself, and with Python or JSON string escapes."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    if not isinstance(value, str) or not value.strip():
        return []
    forms = {value, repr(value)[1:-1], json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    if "\n" in value.strip():  # a multi-line value is written (and quoted in snippets) one line at a time
        forms.update(line.strip() for line in value.splitlines())
    return sorted((f for f in forms if f.strip()), key=len, reverse=True)


class Redactor:
    """Replaces every known secret value in a text with ``<redacted>``, in one pass."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.forms: Set[str] = set()
        for s in secrets:
            self.forms.update(secret_forms(s))
        self._pattern: Optional[Pattern[str]] = None

    def add(self, value: Union[str, bytes, None]) -> None:
        """Another value to hide (its escaped spellings included)."""
        new = set(secret_forms(value)) - self.forms
        if new:
            self.forms |= new
            self._pattern = None

    def add_source(self, text: str) -> None:
        """A literal exactly as written in source (quotes and escapes included)."""
        if text.strip() and text not in self.forms:
            self.forms.add(text)
            self._pattern = None

    def __bool__(self) -> bool:
        return bool(self.forms)

    def _compiled(self) -> Pattern[str]:
        if self._pattern is None:
            parts: List[str] = []
            for form in sorted(self.forms, key=len, reverse=True):
                if len(form) < _SHORT:
                    parts.append(f"(?<![{_WORD}]){re.escape(form)}(?![{_WORD}])")
                else:
                    parts.append(re.escape(form))
            truncated = [re.escape(form[:k]) + r"(?=\.\.\.)" for form in self.forms if len(form) > _MIN_PREFIX
                         for k in range(min(len(form) - 1, _MAX_QUOTED), _MIN_PREFIX - 1, -1)]
            self._pattern = re.compile("|".join(parts + truncated))
        return self._pattern

    def text(self, text: str) -> str:
        if not self.forms or not text:
            return text
        return self._compiled().sub(REDACTED, text)

    def finding(self, finding: Finding) -> Finding:
        """The finding with its message, snippet and evidence redacted (the same object when nothing changed)."""
        if not self.forms:
            return finding
        message, snippet, evidence = (self.text(finding.message), self.text(finding.snippet),
                                      self.text(finding.evidence))
        if (message, snippet, evidence) == (finding.message, finding.snippet, finding.evidence):
            return finding
        return dataclasses.replace(finding, message=message, snippet=snippet, evidence=evidence)
