"""Rule pack 0: the tool's own hygiene - suppressions that no longer (or never did) silence anything (PF001).

These rules are not security findings, so they carry no CWE or OWASP category and are low: they keep the
other rules honest rather than describe a hazard of the app.
"""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import REGISTRY, Rule

PF001 = REGISTRY.register(Rule(
    id="PF001",
    name="unused-suppression",
    severity=Severity.LOW,
    summary="A `# preflight: ignore` comment names an unknown rule or silences nothing where it applies.",
    rationale=(
        "A suppression is a reviewed exception: \"this line is fine, stop telling me\". It stays true only as "
        "long as it silences a finding. When the code under it is fixed or moved, when a rule's name is "
        "misspelt (`ignore[debug-mode]`), or when a comment written for a newer flask-preflight names a rule "
        "this version does not know, the comment silences nothing - and the day the line really is a problem "
        "again, the stale comment hides it with nobody having looked. Like Ruff's RUF100, `check` reports each "
        "such comment, once per code it lists: an unknown rule, a known rule with no finding on that line, or "
        "a bare `# preflight: ignore` with no finding at all. Codes `check` cannot judge are left alone: rules "
        "that only `inspect` or `probe` run, and rules the run did not select (`--select`, `ignore`, "
        "`per-file-ignores`). A comment that names PF001 itself is never reported. In Python files only real "
        "comments count (text inside a string literal is not a directive here); in deployment files every "
        "line's `# preflight: ignore` counts, as it does for suppressing."
    ),
    bad=(
        "app.run(host=\"127.0.0.1\")  # preflight: ignore[PF101]   # no PF101 finding on this line\n"
        "DEBUG = False  # preflight: ignore[debug-mode]            # no rule has that name\n"
    ),
    good=(
        "app.run(host=\"127.0.0.1\")\n"
        "DEBUG = False\n"
    ),
    fix_hint="Delete the comment, or the codes in it that silence nothing; correct a misspelt rule id or name.",
    modes=frozenset({"check"}),
    implemented_in="flask_preflight/static/unused.py",
))
