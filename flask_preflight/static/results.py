"""What one file contributes to a check before the project-wide resolution.

Picklable (pool workers send it to the parent) and serialisable (the result cache stores it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional, Tuple

from flask_preflight.findings import Problem

if TYPE_CHECKING:  # a warm run that reuses a whole result imports no analyser
    from flask_preflight.static.deploy.model import DeployFile
    from flask_preflight.static.python.context import FileAnalysis


@dataclass
class FileResult:
    scanned: bool = False  # read and decoded (counted in "files scanned")
    problems: List[Problem] = field(default_factory=list)
    analysis: Optional["FileAnalysis"] = None  # Python files that were parsed
    deploy: Optional["DeployFile"] = None  # deployment files
    # ``# preflight: ignore`` comments (static/unused.py's Directive tuples), judged after the project's filter
    directives: List[Tuple[int, int, int, Optional[Tuple[str, ...]], str]] = field(default_factory=list)
