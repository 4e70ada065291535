"""Helpers for rule tests: write a small project, run the real engine, compare exact findings.

``scan`` returns sorted ``(rule, file, line, column, severity)`` tuples, so two findings on one line cannot
swap and a severity change fails the test that pins it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from flask_preflight.config import Settings
from flask_preflight.findings import Finding
from flask_preflight.static.engine import run_check


class Scanner:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.findings: List[Finding] = []

    def __call__(self, files: Dict[str, str], select: Optional[List[str]] = None) -> List[Tuple[str, str, int, int, str]]:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        settings = Settings(project_root=str(self.root), respect_gitignore=False)
        if select:
            settings.select = select
        result = run_check([str(self.root)], settings)
        assert not result.problems, [p.describe() for p in result.problems]
        self.findings = result.findings
        return sorted((f.rule_id, Path(f.path).relative_to(self.root).as_posix(), f.line, f.column, f.severity.value)
                      for f in result.findings)

    def severity(self, rule_id: str, line: int) -> str:
        matches = [f.severity.value for f in self.findings if f.rule_id == rule_id and f.line == line]
        assert len(matches) == 1, (rule_id, line, [(f.rule_id, f.line) for f in self.findings])
        return matches[0]

    def message(self, rule_id: str, line: int) -> str:
        return next(f.message for f in self.findings if f.rule_id == rule_id and f.line == line)


@pytest.fixture
def scan(tmp_path: Path) -> Scanner:
    return Scanner(tmp_path)
