"""The static engine behind ``flask-preflight check``: discover, read once, parse once, analyse, resolve.

Nothing here imports or executes scanned code: Python files are only ever handed to ``ast.parse``.
Every file that cannot be analysed becomes a Problem in the result, and the run goes on.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

from flask_preflight.config import Settings
from flask_preflight.findings import Finding, Problem, ProblemKind, ScanResult
from flask_preflight.static import deploy
from flask_preflight.static.cache import FileStat, Manifest, ResultCache, cache_refusal, digest, file_stat
from flask_preflight.static.deploy import kubernetes
from flask_preflight.static.deploy.git import git_tracked
from flask_preflight.static.deploy.model import DeployFile, DeployParseError
from flask_preflight.static.deploy.text import directive_reach, split_lines, spread, spread_reach
from flask_preflight.static.discovery import Candidate, Excluded, discover
from flask_preflight.static.results import FileResult
from flask_preflight.static.scope import context_roots, scoped
from flask_preflight.static.source import SourceFile, decode_source, read_bytes
from flask_preflight.static.testpaths import TEST_REASON, is_test_path
from flask_preflight.static.unused import Used, find_directives, unused_findings
from flask_preflight.suppress import ALL, suppressing_lines

if TYPE_CHECKING:
    from flask_preflight.static.python.context import FileAnalysis


def _python():  # type: ignore[no-untyped-def]
    """The Python analysers, imported when a file needs them (a fully cached run never does)."""
    from flask_preflight.static import python as pyanalysis

    return pyanalysis

ProgressCallback = Callable[[int, int], None]  # (files just finished, total files)
_MARKER_KINDS = frozenset({"kubernetes", "appengine"})  # parsed with kubernetes.dev_reason_for (an app.yaml may be one)


class _ModuleNamer:
    """Dotted module names from ``__init__.py`` chains, with one stat per directory, not per file."""

    def __init__(self) -> None:
        self._is_pkg: Dict[str, bool] = {}
        self.marker_roots: Dict[str, str] = {}  # directory -> nearest project marker (kubernetes.project_root)

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
                          project_root: Optional[str] = None) -> Tuple[Optional["FileAnalysis"], Optional[Problem]]:
    """Parse and analyse one file; every failure mode maps to a Problem rather than an exception."""
    namer = namer or _ModuleNamer()
    try:
        tree = _python().parse(src.text, src.path)
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
        return _python().analyze_tree(tree, src.text, src.path, module_name=module_name, is_package=is_package,
                                       is_test=is_test_path(project_relative(abs_path, project_root))), None
    except RecursionError:
        return None, Problem(src.path, ProblemKind.TOO_COMPLEX, "code nested too deeply to analyse")
    except Exception as exc:  # noqa: BLE001 - one analyser bug must not stop the scan
        return None, Problem(src.path, ProblemKind.INTERNAL_ERROR,
                             f"internal error in flask-preflight ({type(exc).__name__}: {exc}); please report it")


def project_relative(abs_path: str, root: Optional[str]) -> str:
    """The path as seen from the project root (what decides whether a file is test code), POSIX style."""
    if root and os.path.isabs(abs_path) and os.path.isabs(root):
        prefix = root.rstrip(os.sep) + os.sep
        if abs_path.startswith(prefix) and os.sep + ".." + os.sep not in abs_path:
            return abs_path[len(prefix):].replace(os.sep, "/")
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
    spans = [v.origin for v in parsed.env + parsed.build_args] + [o for c in parsed.commands for _, o in c.origins] \
        + [v.origin for c in parsed.commands for v in c.env]
    parsed.suppressions = spread(parsed.suppressions, spans)
    if parsed.suppressions:
        reach = directive_reach(split_lines(src.text), _COMMENT_PREFIXES.get(parsed.kind, ("#",)))
        parsed.suppression_sources = spread_reach(reach, spans)
    return parsed, problems


# Comment-only lines a directive may sit on above what it silences (deploy/systemd.py, supervisord.py: ";" too).
_COMMENT_PREFIXES = {"systemd": ("#", ";"), "supervisord": ("#", ";")}


_KIND_NAMES = {"dockerfile": "Dockerfile", "compose": "compose file", "procfile": "Procfile", "dotenv": "env file",
               "gunicorn": "gunicorn config", "systemd": "systemd unit", "appengine": "app.yaml", "fly": "fly.toml",
               "shell": "shell script", "supervisord": "supervisord config",
               "render": "render.yaml", "appjson": "app.json", "heroku": "heroku.yml",
               "kubernetes": "Kubernetes manifest"}


@dataclass(frozen=True)
class _Options:
    max_file_size: int
    project_root: str
    fingerprint: str
    use_cache: bool


# Per-process state of a worker: the options, one module namer and the cache handle.
_STATE: Dict[str, object] = {}


def _init_worker(options: _Options) -> None:
    _STATE["options"] = options
    _STATE["namer"] = _ModuleNamer()
    _STATE["cache"] = ResultCache.open(options.project_root, options.fingerprint) if options.use_cache else None


_Done = Tuple[FileResult, Optional[str], bool]  # result, cache key, nothing to analyse


def _analyze_chunk(chunk: Sequence[Candidate]) -> List[_Done]:
    return [_analyze_file(item) for item in chunk]


def _analyze_file(item: Candidate) -> _Done:
    """Read one file, answer from the cache when its bytes and identity are known, else analyse and store."""
    options: _Options = _STATE["options"]  # type: ignore[assignment]
    namer: _ModuleNamer = _STATE["namer"]  # type: ignore[assignment]
    cache: Optional[ResultCache] = _STATE["cache"]  # type: ignore[assignment]
    data = read_bytes(item.abs_path, item.path, max_bytes=options.max_file_size)
    if isinstance(data, Problem):
        if item.kind in deploy.SPECULATIVE_KINDS and not item.explicit:
            return FileResult(), None, False  # some other YAML file (too big, unreadable): not ours to report
        return FileResult(problems=[data]), None, False
    key = None
    if cache is not None:
        key = cache.key_for(data, _identity(item, namer, options.project_root))
        hit = cache.get(key)
        if isinstance(hit, FileResult):
            _refresh(hit, item)
            return hit, key, False
    result = _analyze_bytes(item, data, namer, options.project_root)
    trivial = (result.scanned and not result.problems and result.analysis is None and result.deploy is None
               and not result.directives)
    if cache is not None and key is not None and not trivial:
        cache.put(key, result)
    _refresh(result, item)
    return result, key, trivial


def _identity(item: Candidate, namer: "_ModuleNamer", project_root: str) -> str:
    """Everything besides the bytes that the per-file analysis depends on: the display path, kind, whether
    it was named, the module name and package-ness (``__init__.py`` files), test or not, and for a YAML file
    that may be a Kubernetes manifest the nearest project marker above it (``requirements.txt``,
    ``pyproject.toml``, ``.git`` ...: it decides whether ``dev/`` in its path marks a development file)."""
    module_name, is_package = namer(item.abs_path) if item.kind in ("python", "gunicorn") else ("", False)
    rel = project_relative(item.abs_path, project_root)
    parts = [item.path, item.kind, str(item.explicit), module_name, str(is_package), str(is_test_path(rel))]
    if item.kind in _MARKER_KINDS:
        parts.append("marker:" + kubernetes.project_root(item.abs_path, namer.marker_roots))
    return "\0".join(parts)


def _refresh(result: FileResult, item: Candidate) -> None:
    """Facts that depend on more than the file's bytes are never taken from the cache."""
    if result.deploy is not None and result.deploy.kind == "dotenv":
        result.deploy.tracked = git_tracked(item.abs_path)


def _analyze_bytes(item: Candidate, data: bytes, namer: _ModuleNamer, project_root: Optional[str]) -> FileResult:
    result = FileResult()
    src = decode_source(data, item.path)
    if isinstance(src, Problem):
        if not (item.kind in deploy.SPECULATIVE_KINDS and not item.explicit):
            result.problems.append(src)
        return result
    result.scanned = True
    result.directives = find_directives(src.text, python=item.kind in ("python", "gunicorn"))
    kind = deploy.refine(item.kind, src.text) if item.kind != "python" else item.kind
    if kind not in ("python", "conf") and (item.explicit or deploy.may_matter(kind, src.text)):
        result.deploy, problems = analyze_deploy_source(src, kind, item.abs_path)
        result.problems += problems
    # Files named on the command line are always parsed (so their syntax errors are reported);
    # files found by walking are parsed only if they could matter.
    if item.kind not in ("python", "gunicorn") or not (item.explicit or _python().may_matter(src.text)):
        return result
    if item.kind == "gunicorn" and result.problems:
        return result  # its syntax error is already reported
    result.analysis, problem = analyze_python_source(src, item.abs_path, namer, project_root)
    if problem is not None:
        result.problems.append(problem)
    return result


# Below this many files a process pool costs more to start than it saves.
PARALLEL_MIN_FILES = 200
CHUNK_FILES = 64


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_check(paths: Sequence[str], settings: Settings, *, progress: Optional[ProgressCallback] = None,
              jobs: Optional[int] = None, use_cache: bool = False, project_context: bool = False) -> ScanResult:
    """Discover, analyse every file (in ``jobs`` processes for big trees; from the cache when allowed),
    then resolve what spans files and filter.

    ``project_context``: files named in ``paths`` are checked inside their project (static/scope.py): the
    rest of it is read for the cross-file facts, and only findings about the named paths are reported."""
    result = ScanResult()
    candidates: List[Candidate] = []
    context = context_roots(paths) if project_context else []
    for item in discover(paths or ["."], settings, context):
        if isinstance(item, Problem):
            result.problems.append(item)
        elif isinstance(item, Excluded):
            result.excluded = item.count
        else:
            candidates.append(item)
    discovery_problems = list(result.problems)
    refusal = cache_refusal(settings.project_root) if use_cache else None
    if refusal is not None:  # a committed symlink or foreign directory: run without the cache, and say so
        result.problems.append(Problem(_display(refusal[0]), ProblemKind.CACHE_REFUSED, refusal[1]))
    root = _scan_root(list(paths or ["."]) + context)
    options = _Options(settings.max_file_size, settings.project_root, settings.fingerprint(), use_cache)
    run = _CachedRun(candidates, options)
    # Nothing changed since a run with the same files and settings: its whole result still holds.
    project_key = run.project_key(discovery_problems, root) if run.all_known() else None
    if project_key is not None:
        hit = run.cache.get(project_key)  # type: ignore[union-attr]
        # the templates the checks read (views/templates.py) are not scanned files: compare them too
        if isinstance(hit, ScanResult) and all(_file_digest(p) == d for p, d in hit.reads.items()):
            hit.excluded = result.excluded  # counted by this walk (a new file under an exclude pattern)
            hit.checked = frozenset(c.path for c in candidates)
            if progress is not None:
                progress(len(candidates), len(candidates))
            return hit
    analyses: List["FileAnalysis"] = []
    deploy_files: List[DeployFile] = []
    directives = {}
    for item, file_result in zip(candidates, run.analyze(jobs or default_jobs(), progress)):
        if file_result.directives and not item.context:  # unused suppressions are reported in named files only
            directives[item.path] = file_result.directives
        result.files_scanned += file_result.scanned and not item.context
        result.problems += file_result.problems
        if file_result.analysis is not None:
            analyses.append(file_result.analysis)
        if file_result.deploy is not None:
            deploy_files.append(file_result.deploy)
    raw: List[Finding] = [f for a in analyses for f in a.findings]
    analysed = {os.path.abspath(a.path) for a in analyses}
    others = [c.abs_path for c in candidates if c.kind == "python" and os.path.abspath(c.abs_path) not in analysed]
    try:
        raw += _python().resolve_project(analyses, result.reads, others)
    except RecursionError:
        result.problems.append(Problem(".", ProblemKind.TOO_COMPLEX, "cross-module analysis recursed too deeply"))
    from flask_preflight.static.deploy.checks import check_deploy, drop_subsumed
    from flask_preflight.static.deploy.reach import regrade
    from flask_preflight.static.deploy.socketio_server import drop_async_binds

    for f in deploy_files:  # set on every run, never cached: the path decides, not the bytes
        if not f.dev_reason and is_test_path(project_relative(os.path.abspath(f.abs_path), settings.project_root)):
            f.dev_reason = TEST_REASON
    deploy_findings, subsumed, reached = check_deploy(deploy_files, analyses, root, raw, others)
    from flask_preflight.static.python.testonly import lower_test_only
    raw = lower_test_only(raw, [a.summary for a in analyses if a.summary is not None], others, root)
    raw = regrade(raw, analyses, reached, others, root)  # run calls no launch reaches: reported, but as low
    raw = drop_async_binds(raw, analyses, root)  # socketio.run served by eventlet/gevent, not Werkzeug
    deploy_directives = {f.path: (f.suppressions, f.suppression_sources) for f in deploy_files if f.suppressions}
    found = raw + deploy_findings
    if context:  # only what is about the named files, suppressed ones included, is counted
        found, result.problems = scoped(found, result.problems, {c.path for c in candidates if not c.context},
                                        {c.path for c in candidates if c.context})
    filtered = apply_filters(found, settings, deploy_directives)
    result.suppressed, result.suppressed_by_rule = filtered.suppressed, filtered.suppressed_by_rule
    result.findings = drop_subsumed(filtered.kept, subsumed) + unused_findings(directives, filtered.used, settings)
    result.sorted()
    result.checked = frozenset(c.path for c in candidates if not c.context)
    if run.cache is not None and run.all_known():
        run.cache.put(run.project_key(discovery_problems, root), result)
    return result


_TRIVIAL = FileResult(scanned=True)  # shared by every file with nothing to analyse (never mutated)


def _display(path: str) -> str:
    """Relative to the cwd when below it (as discovery shows paths), else absolute; POSIX separators."""
    cwd = os.getcwd().rstrip(os.sep) + os.sep
    return (path[len(cwd):] if path.startswith(cwd) else path).replace(os.sep, "/")


def _scan_root(paths: Sequence[str]) -> str:
    """The directory the scanned paths share: where a launch's working directory most likely is, whatever
    directory flask-preflight itself runs from."""
    dirs = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths]
    try:
        return os.path.commonpath(dirs)
    except ValueError:  # different drives
        return dirs[0]


class _CachedRun:
    """One run's view of the cache: which files the manifest vouches for, and the content key of each.

    Unchanged files are answered without being read; the rest run in this process for small trees, in a
    pool of ``jobs`` processes (in chunks) for big ones."""

    def __init__(self, candidates: List[Candidate], options: _Options) -> None:
        _init_worker(options)
        self.candidates = candidates
        self.options = options
        self.cache: Optional[ResultCache] = _STATE["cache"]  # type: ignore[assignment]
        self.manifest = Manifest(self.cache).load(time.time_ns()) if self.cache is not None else None
        self.stats: Dict[int, FileStat] = {}
        self.identities: Dict[int, str] = {}  # digests
        self.keys: Dict[int, Tuple[str, bool]] = {}  # index -> (content key, nothing to analyse)
        if self.manifest is None:
            return
        namer: _ModuleNamer = _STATE["namer"]  # type: ignore[assignment]
        for i, item in enumerate(candidates):
            try:
                self.stats[i] = file_stat(item.abs_path)
            except OSError:
                continue
            self.identities[i] = digest(_identity(item, namer, options.project_root))
            known = self.manifest.lookup(item.abs_path, self.stats[i], self.identities[i])
            if known is not None:
                self.keys[i] = known

    def all_known(self) -> bool:
        return self.manifest is not None and len(self.keys) == len(self.candidates)

    def project_key(self, discovery_problems: Sequence[Problem], root: str) -> str:
        """Every file's content key and identity, plus what the checks read besides the scanned files:
        git's view of ``.env`` files and the ``.dockerignore`` next to each Dockerfile. Hashed as it goes, so
        100,000 files cost no more memory than one."""
        h = hashlib.sha256(root.encode("utf-8", "surrogatepass"))
        for i, item in enumerate(self.candidates):
            key, trivial = self.keys[i]
            h.update(f"\n{item.abs_path}\0{self.identities[i]}\0{key}\0{trivial}\0{item.context}"
                     .encode("utf-8", "surrogatepass"))
            if item.kind == "dotenv":
                h.update(f"\0git:{git_tracked(item.abs_path)}".encode())
            if item.kind == "dockerfile":
                ignore = os.path.join(os.path.dirname(item.abs_path), ".dockerignore")
                h.update(f"\0dockerignore:{_file_digest(ignore)}".encode())
        for text in sorted(p.describe() for p in discovery_problems):
            h.update(f"\n{text}".encode("utf-8", "surrogatepass"))
        return self.cache.key_for(h.hexdigest().encode("ascii"), "project")  # type: ignore[union-attr]

    def analyze(self, jobs: int, progress: Optional[ProgressCallback]) -> Iterator[FileResult]:
        total = len(self.candidates)
        results: List[Optional[FileResult]] = [None] * total
        todo: List[int] = []
        for i, item in enumerate(self.candidates):
            if i in self.keys:
                key, trivial = self.keys[i]
                hit = _TRIVIAL if trivial else self.cache.get(key)  # type: ignore[union-attr]
                if isinstance(hit, FileResult):
                    _refresh(hit, item)
                    results[i] = hit
                    self.manifest.keep(item.abs_path)  # type: ignore[union-attr]
                    continue
                del self.keys[i]
            todo.append(i)
        if progress is not None and total - len(todo):
            progress(total - len(todo), total)
        for i, (result, key, trivial) in _run(self.candidates, todo, self.options, jobs, progress, total):
            results[i] = _TRIVIAL if trivial else result
            if self.manifest is not None and key is not None and i in self.stats:
                self.manifest.record(self.candidates[i].abs_path, self.stats[i], self.identities[i], key, trivial)
                self.keys[i] = (key, trivial)
        if self.manifest is not None:
            self.manifest.save()
        for result in results:
            yield result if result is not None else _TRIVIAL


def _file_digest(path: str) -> str:
    """The same digest as ``views.templates.file_digest`` (kept here so a warm run imports no analyser)."""
    data = read_bytes(path, path, max_bytes=1 << 20)  # a regular file, bounded: never /dev/zero or a fifo
    return "-" if isinstance(data, Problem) else hashlib.sha256(data).hexdigest()


def _run(candidates: List[Candidate], todo: List[int], options: _Options, jobs: int,
         progress: Optional[ProgressCallback], total: int) -> Iterator[Tuple[int, _Done]]:
    if jobs <= 1 or len(todo) < PARALLEL_MIN_FILES:
        for i in todo:
            yield i, _analyze_file(candidates[i])
            if progress is not None:
                progress(1, total)
        return
    chunks = [todo[i:i + CHUNK_FILES] for i in range(0, len(todo), CHUNK_FILES)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=_init_worker,
                             initargs=(options,)) as pool:
        for chunk, done in zip(chunks, pool.map(_analyze_chunk, [[candidates[i] for i in c] for c in chunks])):
            yield from zip(chunk, done)
            if progress is not None:
                progress(len(chunk), total)


def _mp_context() -> multiprocessing.context.BaseContext:
    """fork where it exists (no re-import per worker); spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


@dataclass
class Filtered:
    """What :func:`apply_filters` kept, what inline comments silenced (per rule), and which comment silenced
    which rule (``(path, line of the comment, rule id)``: PF001 reports the comments that silenced nothing)."""

    kept: List[Finding]
    suppressed_by_rule: Dict[str, int]
    used: Used

    @property
    def suppressed(self) -> int:
        return sum(self.suppressed_by_rule.values())


def filter_findings(findings: Iterable[Finding], settings: Settings,
                    directives: Optional[Dict[str, Dict[int, FrozenSet[str]]]] = None) -> Tuple[List[Finding], int]:
    """:func:`apply_filters` for callers that only need the kept findings and how many were suppressed."""
    filtered = apply_filters(findings, settings, {p: (d, {}) for p, d in (directives or {}).items()})
    return filtered.kept, filtered.suppressed


_DeployDirectives = Dict[str, Tuple[Dict[int, FrozenSet[str]], Dict[int, FrozenSet[int]]]]


def apply_filters(findings: Iterable[Finding], settings: Settings,
                  directives: Optional[_DeployDirectives] = None) -> Filtered:
    """Apply --select/--ignore, per-file-ignores and inline ``# preflight: ignore`` comments; dedupe.

    ``directives`` holds the suppressions of non-Python files by line, where a comment may sit on the line
    above (Dockerfile and systemd have no trailing comments), with the lines those comments are on."""
    selected = settings.selected_rule_ids()
    out = Filtered([], {}, set())
    seen = set()
    for f in findings:
        key = (f.rule_id, f.location.path, f.location.line, f.location.column, f.message)
        if key in seen or f.rule_id not in selected:
            continue
        seen.add(key)
        if f.rule_id in settings.ignored_for(f.location.path):
            continue
        codes_by_line, sources = (directives or {}).get(f.location.path, ({}, {}))
        codes = codes_by_line.get(f.location.line)
        if codes is not None and (ALL in codes or f.rule_id in codes):
            out.suppressed_by_rule[f.rule_id] = out.suppressed_by_rule.get(f.rule_id, 0) + 1
            out.used.update((f.location.path, n, f.rule_id) for n in sources.get(f.location.line, ()))
            continue
        lines = f.snippet.split("\n") if f.snippet else []
        span = (f.location.end_line or f.location.line) - f.location.line
        candidates = [(f.location.line, lines[0])] if lines else []
        if lines and 0 < span < len(lines):
            candidates.append((f.location.line + span, lines[span]))
        hits = suppressing_lines(f.rule_id, [text for _, text in candidates]) if candidates else []
        if hits:
            out.suppressed_by_rule[f.rule_id] = out.suppressed_by_rule.get(f.rule_id, 0) + 1
            out.used.update((f.location.path, candidates[i][0], f.rule_id) for i in hits)
            continue
        out.kept.append(f)
    return out
