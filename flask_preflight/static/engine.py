"""The static engine behind ``flask-preflight check``: discover, read once, parse once, analyse, resolve.

Nothing here imports or executes scanned code: Python files are only ever handed to ``ast.parse``.
Every file that cannot be analysed becomes a Problem in the result, and the run goes on.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from flask_preflight.config import Settings
from flask_preflight.findings import Finding, Problem, ProblemKind, ScanResult
from flask_preflight.static import deploy
from flask_preflight.static import python as pyanalysis
from flask_preflight.static.deploy.checks import check_deploy, drop_subsumed
from flask_preflight.static.deploy.git import git_tracked
from flask_preflight.static.deploy.model import DeployFile, DeployParseError
from flask_preflight.static.deploy.text import spread
from flask_preflight.static.discovery import discover
from flask_preflight.static.python.context import FileAnalysis, is_test_path
from flask_preflight.static.source import SourceFile, read_source
from flask_preflight.suppress import ALL, is_suppressed

ProgressCallback = Callable[[int], None]


class _ModuleNamer:
    """Dotted module names from ``__init__.py`` chains, with one stat per directory, not per file."""

    def __init__(self) -> None:
        self._is_pkg: Dict[str, bool] = {}

    def _pkg(self, directory: str) -> bool:
        hit = self._is_pkg.get(directory)
        if hit is None:
            hit = self._is_pkg[directory] = os.path.isfile(os.path.join(directory, "__init__.py"))
        return hit

    def __call__(self, abs_path: str) -> Tuple[str, bool]:
        directory, filename = os.path.split(os.path.abspath(abs_path))
        stem = filename[:-3] if filename.endswith(".py") else filename
        is_package = stem == "__init__"
        parts: List[str] = [] if is_package else [stem]
        while self._pkg(directory):
            parent, name = os.path.split(directory)
            if not name or parent == directory:
                break
            parts.insert(0, name)
            directory = parent
        return ".".join(parts), is_package


def analyze_python_source(src: SourceFile, abs_path: str, namer: Optional[_ModuleNamer] = None,
                          project_root: Optional[str] = None) -> Tuple[Optional[FileAnalysis], Optional[Problem]]:
    """Parse and analyse one file; every failure mode maps to a Problem rather than an exception."""
    namer = namer or _ModuleNamer()
    try:
        tree = pyanalysis.parse(src.text, src.path)
    except SyntaxError as exc:
        return None, Problem(src.path, ProblemKind.SYNTAX_ERROR, f"cannot parse: {exc.msg}",
                             exc.lineno, exc.offset if exc.offset and exc.offset > 0 else None)
    except (RecursionError, MemoryError):
        return None, Problem(src.path, ProblemKind.TOO_COMPLEX,
                             "expression nesting too deep for the Python parser")
    except ValueError as exc:  # e.g. NUL bytes on older Pythons
        return None, Problem(src.path, ProblemKind.SYNTAX_ERROR, f"cannot parse: {exc}")
    module_name, is_package = namer(abs_path)
    try:
        return pyanalysis.analyze_tree(tree, src.text, src.path, module_name=module_name, is_package=is_package,
                                       is_test=is_test_path(project_relative(abs_path, project_root))), None
    except RecursionError:
        return None, Problem(src.path, ProblemKind.TOO_COMPLEX, "code nested too deeply to analyse")
    except Exception as exc:  # noqa: BLE001 - one analyser bug must not stop the scan
        return None, Problem(src.path, ProblemKind.INTERNAL_ERROR,
                             f"internal error in flask-preflight ({type(exc).__name__}: {exc}); please report it")


def project_relative(abs_path: str, root: Optional[str]) -> str:
    """The path as seen from the project root (what decides whether a file is test code), POSIX style."""
    if root:
        try:
            rel = os.path.relpath(os.path.abspath(abs_path), os.path.abspath(root))
            if not rel.startswith(".."):
                return rel.replace(os.sep, "/")
        except ValueError:  # different drives on Windows
            pass
    return os.path.basename(abs_path)


def analyze_deploy_source(src: SourceFile, kind: str, abs_path: str) -> Tuple[Optional[DeployFile], List[Problem]]:
    """Read one deployment file; a malformed file is one Problem, skipped lines are one Problem each."""
    try:
        parsed = deploy.parse(kind, src.text, src.path, abs_path)
    except DeployParseError as exc:
        return None, [Problem(src.path, ProblemKind.SYNTAX_ERROR, f"cannot parse {_KIND_NAMES.get(kind, kind)}: "
                              f"{exc.message}", exc.line)]
    except RecursionError:
        return None, [Problem(src.path, ProblemKind.TOO_COMPLEX, "nested too deeply to parse")]
    except Exception as exc:  # noqa: BLE001 - one parser bug must not stop the scan
        return None, [Problem(src.path, ProblemKind.INTERNAL_ERROR,
                              f"internal error in flask-preflight ({type(exc).__name__}: {exc}); please report it")]
    problems = [Problem(src.path, ProblemKind.SYNTAX_ERROR, f"line skipped: {reason}", line)
                for line, reason in parsed.warnings]
    if kind == "dotenv":
        parsed.tracked = git_tracked(abs_path)
    spans = [v.origin for v in parsed.env + parsed.build_args] + [o for c in parsed.commands for _, o in c.origins]
    parsed.suppressions = spread(parsed.suppressions, spans)
    return parsed, problems


_KIND_NAMES = {"dockerfile": "Dockerfile", "compose": "compose file", "procfile": "Procfile", "dotenv": "env file",
               "gunicorn": "gunicorn config", "systemd": "systemd unit", "appengine": "app.yaml", "fly": "fly.toml",
               "shell": "shell script"}


def run_check(paths: Sequence[str], settings: Settings, *, progress: Optional[ProgressCallback] = None) -> ScanResult:
    result = ScanResult()
    analyses: List[FileAnalysis] = []
    deploy_files: List[DeployFile] = []
    namer = _ModuleNamer()
    for item in discover(paths or ["."], settings):
        if isinstance(item, Problem):
            result.problems.append(item)
            continue
        src = read_source(item.abs_path, item.path, max_bytes=settings.max_file_size)
        if isinstance(src, Problem):
            result.problems.append(src)
            continue
        result.files_scanned += 1
        if progress is not None:
            progress(1)
        if item.kind != "python" and (item.explicit or deploy.may_matter(item.kind, src.text)):
            parsed, problems = analyze_deploy_source(src, item.kind, item.abs_path)
            result.problems += problems
            if parsed is not None:
                deploy_files.append(parsed)
        # Files named on the command line are always parsed (so their syntax errors are reported);
        # files found by walking are parsed only if they could matter.
        if item.kind not in ("python", "gunicorn") or not (item.explicit or pyanalysis.may_matter(src.text)):
            continue
        if item.kind == "gunicorn" and any(p.path == src.path for p in result.problems):
            continue  # its syntax error is already reported
        analysis, problem = analyze_python_source(src, item.abs_path, namer, settings.project_root)
        if problem is not None:
            result.problems.append(problem)
        if analysis is not None:
            analyses.append(analysis)
    raw: List[Finding] = [f for a in analyses for f in a.findings]
    try:
        raw += pyanalysis.resolve_project(analyses)
    except RecursionError:
        result.problems.append(Problem(".", ProblemKind.TOO_COMPLEX, "cross-module analysis recursed too deeply"))
    deploy_findings, subsumed = check_deploy(deploy_files, analyses, settings.project_root)
    directives = {f.path: f.suppressions for f in deploy_files if f.suppressions}
    kept, result.suppressed = filter_findings(raw + deploy_findings, settings, directives)
    result.findings = drop_subsumed(kept, subsumed)
    return result.sorted()


def filter_findings(findings: Iterable[Finding], settings: Settings,
                    directives: Optional[Dict[str, Dict[int, FrozenSet[str]]]] = None) -> Tuple[List[Finding], int]:
    """Apply --select/--ignore, per-file-ignores and inline ``# preflight: ignore`` comments; dedupe.

    ``directives`` holds the suppressions of non-Python files by line, where a comment may sit on the line
    above (Dockerfile and systemd have no trailing comments)."""
    selected = settings.selected_rule_ids()
    kept: List[Finding] = []
    seen = set()
    suppressed = 0
    for f in findings:
        key = (f.rule_id, f.location.path, f.location.line, f.location.column)
        if key in seen or f.rule_id not in selected:
            continue
        seen.add(key)
        if f.rule_id in settings.ignored_for(f.location.path):
            continue
        codes = (directives or {}).get(f.location.path, {}).get(f.location.line)
        if codes is not None and (ALL in codes or f.rule_id in codes):
            suppressed += 1
            continue
        lines = f.snippet.split("\n") if f.snippet else []
        span = (f.location.end_line or f.location.line) - f.location.line
        candidates = [lines[0]] if lines else []
        if lines and 0 < span < len(lines):
            candidates.append(lines[span])
        if candidates and is_suppressed(f.rule_id, candidates):
            suppressed += 1
            continue
        kept.append(f)
    return kept, suppressed
