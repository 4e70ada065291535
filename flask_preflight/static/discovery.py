"""Finding the files to check: walk the given paths, skip what is not the project's own code, report the rest.

The walk is iterative and sorted so runs are reproducible and deep trees cannot hit the recursion limit.
Vendored and generated trees (virtualenvs, ``node_modules``, build output) are skipped by default because
findings there are noise the user cannot fix - unless git tracks files in them: what is committed ships, and a
directory name (``build/``, ``env/``, a planted ``pyvenv.cfg``) must not hide code from the scan. Paths named
on the command line are always honoured: an explicit file is checked even when excluded or ignored, and an
explicit directory is walked even when its own name would be skipped (its contents still follow the skipping
rules).

``.gitignore`` handling reads the ignore files while walking (every level from the repository root down,
plus ``.git/info/exclude``) instead of running git per file, and matches them with git's rules without
backtracking (static/gitignore.py). The user's global excludes file (``core.excludesFile``) is not read.
Ignore rules do not apply to files git tracks (they still ship), so
when a pattern hides a path, git's own list of tracked files (one neutral ``git ls-files`` per repository,
only when some pattern matched or a directory skipped by name was met) decides; when git cannot answer, the
hidden paths are counted and reported. Ignore files are read only when they are regular files (a symlinked
``.gitignore`` is not followed, as git does not follow it), up to ``IGNORE_FILE_MAX`` bytes.

Symbolic links are followed only while they stay inside the scanned directory: a link out of it (``.env``
pointing at a file in the user's home, ``ln -s / rootlink``) is reported and not read.
A directory argument that holds files of which none is checked is reported too, never a clean pass.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, Union

from flask_preflight.config import Settings
from flask_preflight.findings import Problem, ProblemKind
from flask_preflight.static.deploy import SPECULATIVE_KINDS
from flask_preflight.static.deploy import classify as deploy_kind
from flask_preflight.static.deploy.git import tracked_files
from flask_preflight.static.gitignore import IgnoreSpec
from flask_preflight.static.source import read_bytes, read_head

NEVER_WALKED = frozenset({".git", ".hg", ".svn"})
# Skipped by name (or by a pyvenv.cfg inside) unless git tracks files in them: a committed build/, env/ or
# .flask_preflight_cache/ ships like any other directory, and a pull request could otherwise hide code there.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".flask_preflight_cache", "build", "dist",
    "site-packages", ".eggs",
})
_SHEBANG_RE = re.compile(rb"^#![^\n]*python")
_SHEBANG_SNIFF = 256
IGNORE_FILE_MAX = 1 << 20


@dataclass(frozen=True)
class Excluded:
    """How many files and directories the exclude/extend-exclude settings kept out of the walk (yielded once,
    after the arguments, when there are any)."""

    count: int


@dataclass(frozen=True)
class Candidate:
    """A file to analyse. ``path`` is for display (POSIX, relative to the cwd when below it)."""

    path: str
    abs_path: str
    kind: str  # "python", or a deployment-file kind (flask_preflight.static.deploy.classify)
    explicit: bool
    # read only for what it tells about the named files (``check FILE ...``): its own findings and
    # problems are not reported
    context: bool = False


# One ignore file's patterns and the absolute directory they are relative to.
_Ignore = Tuple[str, Any]


@dataclass(frozen=True)
class _Dir:
    """A directory waiting to be listed, with everything its entries need to be judged."""

    abs_path: str  # logical path (through any symlinks), so ignore-file bases stay string prefixes
    display: str
    real: str
    ancestors: Tuple[str, ...]  # real paths from the walk root down, for loop detection
    ignores: Tuple[_Ignore, ...]  # outermost first
    in_repo: bool
    matched: bool  # exclude/ignore patterns match this directory: only true below an explicit argument


def discover(paths: Sequence[str], settings: Settings,
             context: Sequence[str] = ()) -> Iterator[Union[Candidate, Problem]]:
    """Yield each file to check once, and a Problem for each path that cannot be examined. Never raises.

    ``context`` directories (the project around the files named in ``paths``) are walked afterwards with the
    same rules; their files not already yielded come as ``context=True`` candidates, and what could not be
    examined there, or was excluded, is not reported: those files were not asked for."""
    walker = _Walker(settings)
    for arg in paths or ["."]:
        try:
            yield from walker.argument(arg)
        except Exception as exc:  # pragma: no cover - a bug must not lose the rest of the run
            yield Problem(_display_arg(arg), ProblemKind.INTERNAL_ERROR,
                          f"file discovery failed: {type(exc).__name__}: {exc}")
    excluded, unverified = len(walker.excluded), dict(walker.unverified)
    for root in context:
        try:
            for item in walker.walk(root, _display_arg(root), arg_root=root):
                if isinstance(item, Candidate):
                    yield replace(item, context=True)
        except Exception:  # noqa: BLE001 - pragma: no cover - the named files are still checked
            pass
    if excluded:
        yield Excluded(excluded)
    for repo, count in sorted(unverified.items()):
        reason = walker.tracked[repo]
        yield Problem(_display_arg(repo), ProblemKind.GIT_UNAVAILABLE,
                      f"cannot list the files git tracks ({reason}): {_count(count, 'path')} that .gitignore "
                      f"hides {'was' if count == 1 else 'were'} not checked, though git may track "
                      f"{'it' if count == 1 else 'them'}")


class _Tracked:
    """What git tracks in one repository: the files, and every directory holding one (POSIX, repo-relative)."""

    def __init__(self, files: FrozenSet[str]) -> None:
        self.files = files
        self.dirs: Set[str] = set()
        for path in files:
            parent = path.rpartition("/")[0]
            while parent and parent not in self.dirs:
                self.dirs.add(parent)
                parent = parent.rpartition("/")[0]


class _Walker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = os.path.abspath(settings.project_root)
        patterns = list(settings.exclude) + list(settings.extend_exclude)
        self.exclude = IgnoreSpec.from_lines(patterns) if patterns else None
        self.seen_files: Set[str] = set()
        self.seen_dirs: Set[str] = set()
        self.reported_loops: Set[str] = set()
        self.repo_roots: Dict[str, Optional[str]] = {}
        self.tracked: Dict[str, Union[_Tracked, str]] = {}  # repo root -> listing, or why git could not list
        self.unverified: Dict[str, int] = {}  # repo root -> paths hidden by .gitignore while git could not list
        self.real_roots: Dict[str, str] = {}
        self.files_seen = 0  # files met while walking (before any filtering), for "nothing checked"
        self.files_kept = 0  # of those, the ones yielded or already yielded through another path
        # files and directories the exclude/extend-exclude settings kept out: counted in the summary, because
        # a pull request can add a pattern to the project's settings and hide a file whole
        self.excluded: Set[str] = set()

    # --- arguments ----------------------------------------------------------------------------------

    def argument(self, arg: str) -> Iterator[Union[Candidate, Problem]]:
        arg = os.fspath(arg)
        display = _display_arg(arg)
        absolute = os.path.abspath(arg)
        if not os.path.lexists(absolute):
            yield Problem(display, ProblemKind.NOT_FOUND, "no such file or directory")
            return
        try:
            st = os.stat(absolute)
        except OSError as exc:
            problem = self._link_problem(absolute, display, exc)
            if problem is not None:
                yield problem
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self.walk(absolute, display, arg_root=absolute)
            return
        real = _real(absolute)
        if real not in self.seen_files:
            self.seen_files.add(real)
            kind = deploy_kind(os.path.basename(absolute), os.path.dirname(absolute))
            yield Candidate(path=display, abs_path=absolute, kind=kind or "python", explicit=True)

    def _link_problem(self, path: str, display: str, exc: OSError) -> Optional[Problem]:
        """Turn a failed stat into a Problem; loops are reported once per target."""
        if exc.errno == errno.ELOOP:
            real = _real(path)
            if real in self.reported_loops:
                return None
            self.reported_loops.add(real)
            return Problem(display, ProblemKind.SYMLINK_LOOP, f"symlink loop: {_display_arg(real)}")
        if isinstance(exc, FileNotFoundError) and os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:  # pragma: no cover - raced with removal
                target = "?"
            return Problem(display, ProblemKind.BROKEN_SYMLINK, f"broken symlink: target {target!r} does not exist")
        if isinstance(exc, FileNotFoundError):
            return Problem(display, ProblemKind.NOT_FOUND, "no such file or directory")
        return Problem(display, ProblemKind.UNREADABLE, exc.strerror or str(exc))

    # --- walking ------------------------------------------------------------------------------------

    def walk(self, top: str, display: str, *, arg_root: str) -> Iterator[Union[Candidate, Problem]]:
        real = _real(top)
        if real in self.seen_dirs:
            return
        self.seen_dirs.add(real)
        ignores = self._ignores_for(top)
        matched = self._matches(top, ignores, arg_root, is_dir=True)
        first = _Dir(top, display, real, (real,), ignores, self._in_repo(top), matched)
        # A stack of listings gives sorted pre-order output (a.py, pkg/x.py, z.py) without recursion.
        stack: List[Tuple[_Dir, Iterator[os.DirEntry]]] = []
        listed = self._list(first)
        if isinstance(listed, Problem):
            yield listed
            return
        stack.append((first, iter(listed)))
        seen_before, kept_before, problems = self.files_seen, self.files_kept, 0
        while stack:
            parent, entries = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            for item in self._entry(parent, entry, arg_root):
                if isinstance(item, _Dir):
                    listed = self._list(item)
                    if isinstance(listed, Problem):
                        problems += 1
                        yield listed
                    else:
                        stack.append((item, iter(listed)))
                else:
                    problems += isinstance(item, Problem)
                    yield item
        seen = self.files_seen - seen_before
        if seen and self.files_kept == kept_before and not problems:
            # A tree that holds files but yields none is not a clean pass: say why nothing was checked.
            yield Problem(display, ProblemKind.NOTHING_CHECKED,
                          f"none of the {_count(seen, 'file')} here is checked: each is excluded, ignored by "
                          f".gitignore and not tracked by git, or not a Python or deployment file")

    def _list(self, d: _Dir) -> Union[List[os.DirEntry], Problem]:
        try:
            with os.scandir(d.abs_path) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            return Problem(d.display, ProblemKind.UNREADABLE, f"cannot list directory: {exc.strerror or exc}")

    def _entry(self, parent: _Dir, entry: os.DirEntry, arg_root: str) -> Iterator[Union[_Dir, Candidate, Problem]]:
        name = entry.name
        path = os.path.join(parent.abs_path, name)
        display = name if parent.display == "." else _join_display(parent.display, name)
        try:
            is_link = entry.is_symlink()
            if is_link:
                try:
                    st = os.stat(path)
                except OSError as exc:
                    # Only where a file we read or a directory could have been, to keep the noise down.
                    # (not for kinds named by their extension alone: most *.yaml are not ours)
                    kind = deploy_kind(name, parent.abs_path)
                    ours = kind is not None and kind not in SPECULATIVE_KINDS
                    if (self._may_be_python(name) or ours) and not self._excluded(path, parent, arg_root, is_dir=False):
                        problem = self._link_problem(path, display, exc)
                        if problem is not None:
                            yield problem
                    return
                is_dir, is_file = stat.S_ISDIR(st.st_mode), stat.S_ISREG(st.st_mode)
            else:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file(follow_symlinks=False)
        except OSError as exc:
            yield Problem(display, ProblemKind.UNREADABLE, exc.strerror or str(exc))
            return

        if is_dir:
            if name in NEVER_WALKED:
                return
            by_name = name in SKIP_DIRS or name.endswith(".egg-info")
            if by_name and not self._tracked_by_repo(path, parent):
                return
            matched = self._matches(path, parent.ignores, arg_root, is_dir=True)
            if matched and not parent.matched:
                self._note_excluded(path, arg_root, is_dir=True)
                return
            if not by_name and os.path.isfile(os.path.join(path, "pyvenv.cfg")) \
                    and not self._tracked_by_repo(path, parent):
                return  # a virtualenv, whatever it is called
            real = _real(path) if is_link else os.path.join(parent.real, name)
            if is_link and not self._inside(real, arg_root):
                yield self._outside_problem(path, display, arg_root)
                return
            if real in parent.ancestors:
                if real not in self.reported_loops:
                    self.reported_loops.add(real)
                    yield Problem(display, ProblemKind.SYMLINK_LOOP, f"symlink loop: {_display_arg(real)}")
                return
            if real in self.seen_dirs:
                return  # reached again through another link; its files were already yielded
            self.seen_dirs.add(real)
            # A nested repository (submodule, vendored checkout) follows its own ignore files only.
            nested_repo = self.settings.respect_gitignore and os.path.exists(os.path.join(path, ".git"))
            ignores = self._ignores_for(path) if nested_repo else self._child_ignores(parent, path)
            yield _Dir(path, display, real, parent.ancestors + (real,), ignores, parent.in_repo or nested_repo,
                       matched)
            return

        self.files_seen += 1
        kind = deploy_kind(name, parent.abs_path) if is_file else None
        if not is_file or (kind is None and not self._may_be_python(name)):
            return
        if self._excluded(path, parent, arg_root, is_dir=False):
            self._note_excluded(path, arg_root, is_dir=False)
            return
        real = _real(path) if is_link else os.path.join(parent.real, name)
        if is_link and not self._inside(real, arg_root):
            # Not even its first line is read. Reported where a broken link would be (not for *.yaml).
            if kind is None or kind not in SPECULATIVE_KINDS:
                yield self._outside_problem(path, display, arg_root)
            return
        if kind is None and not name.endswith(".py") and not _has_python_shebang(path):
            return
        self.files_kept += 1
        if real in self.seen_files:
            return
        self.seen_files.add(real)
        yield Candidate(path=display, abs_path=path, kind=kind or "python", explicit=False)

    def _inside(self, real: str, arg_root: str) -> bool:
        """Whether a link's resolved target stays inside the directory being walked (the argument's real path)."""
        root = self.real_roots.get(arg_root)
        if root is None:
            root = self.real_roots[arg_root] = _real(arg_root)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    @staticmethod
    def _outside_problem(path: str, display: str, arg_root: str) -> Problem:
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - raced with removal
            target = "?"
        return Problem(display, ProblemKind.SYMLINK_OUTSIDE,
                       f"symlink to {target!r}, outside the scanned directory {_display_arg(arg_root)}: not followed")

    @staticmethod
    def _may_be_python(name: str) -> bool:
        """``*.py``, or extension-less (a script that may have a python shebang, or a directory)."""
        return name.endswith(".py") or not os.path.splitext(name)[1]

    # --- exclusion ----------------------------------------------------------------------------------

    def _excluded(self, path: str, parent: _Dir, arg_root: str, *, is_dir: bool) -> bool:
        """Skip what the patterns match, except inside a directory that was named explicitly though matched.

        Patterns that match a directory also match everything below it, so "the parent matched too" means
        the only reason is the explicit argument, which wins.
        """
        return self._matches(path, parent.ignores, arg_root, is_dir=is_dir) and not parent.matched

    def _by_settings(self, path: str, arg_root: str, *, is_dir: bool) -> bool:
        """Whether the exclude/extend-exclude settings match ``path`` (relative to the project root, else to the
        argument being walked)."""
        if self.exclude is None:
            return False
        rel = _rel_below(path, self.root)
        if rel is None:
            rel = _rel_below(path, arg_root)
        return rel is not None and self.exclude.match_file(rel + ("/" if is_dir else ""))

    def _note_excluded(self, path: str, arg_root: str, *, is_dir: bool) -> None:
        """Count a skipped path when the settings (not .gitignore) skipped it."""
        if self._by_settings(path, arg_root, is_dir=is_dir):
            self.excluded.add(path)

    def _matches(self, path: str, ignores: Tuple[_Ignore, ...], arg_root: str, *, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        if self._by_settings(path, arg_root, is_dir=is_dir):
            return True
        # The deepest ignore file that has an opinion wins, as in git.
        for base, spec in reversed(ignores):
            rel = _rel_below(path, base)
            if rel is None:
                continue
            decision = _check(spec, rel + suffix)
            if decision is not None:
                return decision and not self._tracked(path, is_dir=is_dir)
        return False

    def _tracked_by_repo(self, path: str, parent: _Dir) -> bool:
        """Whether git tracks files below the directory ``path`` (inside a repository, when .gitignore is
        respected; a git that cannot answer means no: the directory stays skipped, as it always was)."""
        return parent.in_repo and self._tracked(path, is_dir=True, count=False)

    def _tracked(self, path: str, *, is_dir: bool, count: bool = True) -> bool:
        """Whether git tracks ``path`` (a directory: any file below it). Ignore rules never hide those."""
        repo = self._repo_root(os.path.dirname(path))
        if repo is None:
            return False
        listing = self.tracked.get(repo)
        if listing is None:
            files = tracked_files(repo)
            listing = self.tracked[repo] = files if isinstance(files, str) else _Tracked(files)
        if isinstance(listing, str):
            if count:
                self.unverified[repo] = self.unverified.get(repo, 0) + 1
            return False
        rel = _rel_below(path, repo)
        if rel is None:
            return False
        # A directory is tracked when it holds a tracked file or is itself a submodule (a gitlink: in the index
        # as one entry, like a file), whose checkout ships with the repository.
        return rel in listing.dirs or rel in listing.files if is_dir else rel in listing.files

    def _ignores_for(self, directory: str) -> Tuple[_Ignore, ...]:
        """Ignore files that apply inside ``directory``: info/exclude, then each .gitignore from the repo root."""
        if not self.settings.respect_gitignore:
            return ()
        repo = self._repo_root(directory)
        if repo is None:
            return ()
        ignores: List[_Ignore] = []
        exclude = _info_exclude(repo)
        if exclude is not None:
            ignores.append((repo, exclude))
        rel = os.path.relpath(directory, repo)
        chain = [repo]
        if rel != ".":
            for part in rel.split(os.sep):
                chain.append(os.path.join(chain[-1], part))
        for d in chain:
            spec = _load_ignore_file(os.path.join(d, ".gitignore"))
            if spec is not None:
                ignores.append((d, spec))
        return tuple(ignores)

    def _in_repo(self, directory: str) -> bool:
        return self.settings.respect_gitignore and self._repo_root(directory) is not None

    def _child_ignores(self, parent: _Dir, path: str) -> Tuple[_Ignore, ...]:
        if not parent.in_repo:
            return ()
        spec = _load_ignore_file(os.path.join(path, ".gitignore"))
        return parent.ignores + ((path, spec),) if spec is not None else parent.ignores

    def _repo_root(self, directory: str) -> Optional[str]:
        """The nearest directory at or above ``directory`` holding ``.git`` (a dir, or a file for worktrees)."""
        if directory in self.repo_roots:
            return self.repo_roots[directory]
        current, visited = directory, []
        found: Optional[str] = None
        while True:
            if current in self.repo_roots:
                found = self.repo_roots[current]
                break
            visited.append(current)
            if os.path.exists(os.path.join(current, ".git")):
                found = current
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for d in visited:
            self.repo_roots[d] = found
        return found


def _check(spec: "IgnoreSpec", rel: str) -> Optional[bool]:
    """True/False when a pattern in ``spec`` decides ``rel`` (last match wins; ``!`` re-includes), else None."""
    return spec.check_file(rel).include


def _load_ignore_file(path: str) -> Optional[Any]:
    """An ignore file's patterns, or None. Like git (2.32+), a ``.gitignore`` that is a symlink is not followed,
    and only a regular file is read, at most ``IGNORE_FILE_MAX`` bytes: a committed ``.gitignore -> /dev/zero``
    would otherwise be read for ever, and a fifo would block. (An unread ignore file only means more is scanned.)"""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    data = read_bytes(path, path, max_bytes=IGNORE_FILE_MAX)
    if isinstance(data, Problem):
        return None
    lines = data.decode("utf-8", "replace").splitlines()
    return IgnoreSpec.from_lines(lines) if lines else None


def _info_exclude(repo: str) -> Optional[Any]:
    git = os.path.join(repo, ".git")
    git_dir = git
    if os.path.isfile(git):  # worktrees and submodules: "gitdir: <path>"
        try:
            with open(git, encoding="utf-8", errors="replace") as fh:
                first = fh.readline().strip()
        except OSError:
            return None
        if not first.startswith("gitdir:"):
            return None
        git_dir = os.path.join(repo, first[len("gitdir:"):].strip())
    return _load_ignore_file(os.path.join(git_dir, "info", "exclude"))


def _has_python_shebang(path: str) -> bool:
    head = read_head(path, _SHEBANG_SNIFF)
    if head is None:
        return False
    return bool(_SHEBANG_RE.match(head.split(b"\n", 1)[0]))


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _rel_below(path: str, base: str) -> Optional[str]:
    """POSIX ``path`` relative to ``base`` when it is inside it, else None (a cheap string test)."""
    prefix = base.rstrip(os.sep) + os.sep
    if not path.startswith(prefix):
        return None
    rel = path[len(prefix):]
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def _display_arg(arg: str) -> str:
    """Relative to the cwd when below it, else as given; always with POSIX separators."""
    absolute = os.path.abspath(arg)
    cwd = os.getcwd()
    if absolute == cwd:
        return "."
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return arg.replace(os.sep, "/")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join_display(parent: str, name: str) -> str:
    return parent + name if parent.endswith("/") else parent + "/" + name
