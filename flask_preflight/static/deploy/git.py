"""Asking git about a scanned tree without letting the tree run anything.

Two questions: which files git tracks (discovery scans every tracked file whatever ``.gitignore`` says,
because a tracked file ships), and whether one ``.env`` is tracked, ignored or neither (a secret in a
tracked ``.env`` is public to everyone with the repository).

The scanned tree may be hostile (a pull request, a fresh clone), and its ``.git/config`` is part of it:
``core.fsmonitor`` is a command that ``git ls-files`` and ``git check-ignore`` run, an ``include.path`` can
pull in more configuration, and ``GIT_DIR``/``GIT_INDEX_FILE`` in our own environment (a pre-commit hook
sets them) would point git at another repository. So every call goes through :func:`run_git`:

* the repository is named explicitly (``--git-dir`` from the ``.git`` directory or ``gitdir:`` file,
  ``--work-tree`` the directory holding it), and every ``GIT_*`` variable of our environment is dropped;
* system and global configuration are not read (``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL``), and the
  command-running keys are overridden on the command line, which beats any file, included or not;
* no pager, no prompt, no optional locks (the index is never rewritten), no transport at all.

The commands used (``ls-files``, ``check-ignore``) never run content filters or diff drivers.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Tuple, Union

GIT_TIMEOUT = 60.0
_READ_CHUNK = 1 << 16

# -c overrides: the command line has the highest precedence, above the repository's config and its includes.
NEUTRAL_CONFIG: Tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.useBuiltinFSMonitor=false",
    "core.untrackedCache=false",
    f"core.hooksPath={os.devnull}",
    "core.pager=cat",
    "core.askPass=",
    "core.alternateRefsCommand=",
    "credential.helper=",
    "diff.external=",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
)


def _neutral_env() -> Dict[str, str]:
    """Our environment without any ``GIT_*`` variable, plus the switches that keep git to itself."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("GIT_")}
    env.update({
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_PAGER": "cat",
        "LC_ALL": "C",
    })
    return env


def repository_root(directory: str) -> Optional[str]:
    """The nearest directory at or above ``directory`` holding ``.git`` (a directory, or a file for worktrees
    and submodules); None outside a repository, so no subprocess is started there."""
    return _repository_root(os.path.abspath(directory))


@lru_cache(maxsize=1024)
def _repository_root(directory: str) -> Optional[str]:
    if os.path.lexists(os.path.join(directory, ".git")):
        return directory
    parent = os.path.dirname(directory)
    return None if parent == directory else _repository_root(parent)


def git_dir(repo_root: str) -> Optional[str]:
    """The git directory of the work tree at ``repo_root``: ``.git`` itself, or what its ``gitdir:`` line names."""
    dot_git = os.path.join(repo_root, ".git")
    try:
        mode = os.stat(dot_git).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return dot_git
    if not stat.S_ISREG(mode):
        return None  # a fifo named .git (an unpacked tree can hold one) would block the open for ever
    try:
        with open(dot_git, encoding="utf-8", errors="replace") as fh:
            first = fh.readline(4096).strip()
    except OSError:
        return None
    if not first.startswith("gitdir:"):
        return None
    target = first[len("gitdir:"):].strip()
    return os.path.normpath(os.path.join(repo_root, target)) if target else None


def git_command(repo_root: str, args: List[str]) -> Optional[List[str]]:
    """The argv for ``git <args>`` on the repository at ``repo_root`` with the neutral configuration."""
    directory = git_dir(repo_root)
    if directory is None:
        return None
    argv = ["git", "--no-pager", "--no-optional-locks"]
    for setting in NEUTRAL_CONFIG:
        argv += ["-c", setting]
    return argv + [f"--git-dir={directory}", f"--work-tree={repo_root}", *args]


def run_git(repo_root: str, args: List[str], timeout: float = 10.0) -> Optional[int]:
    """Exit status of a neutral ``git <args>`` run in ``repo_root`` (output discarded); None when git could not
    be run at all (not installed, timed out, no usable ``.git``)."""
    argv = git_command(repo_root, args)
    if argv is None:
        return None
    try:
        return subprocess.run(argv, cwd=repo_root, env=_neutral_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
                              check=False).returncode
    except (OSError, subprocess.SubprocessError):
        return None


def tracked_files(repo_root: str, timeout: float = GIT_TIMEOUT) -> Union[FrozenSet[str], str]:
    """Every path in the index of the repository at ``repo_root`` (POSIX, relative to it), or why git could not
    say. ``ls-files -z`` output is read in chunks and split as it arrives, so a repository with a million
    files never exists as one big string."""
    argv = git_command(repo_root, ["ls-files", "-z", "--cached"])
    if argv is None:
        return "its .git is neither a directory nor a 'gitdir:' file"
    try:
        proc = subprocess.Popen(argv, cwd=repo_root, env=_neutral_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        return "git is not installed"
    except OSError as exc:
        return f"cannot run git: {exc.strerror or exc}"
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    paths: set = set()
    errors: List[bytes] = []
    # stderr is drained to the end (a full pipe would stall git), keeping only its start for the message.
    drain = threading.Thread(target=lambda: errors.append(proc.stderr.read()[:4096] if proc.stderr else b""))
    drain.start()
    try:
        rest = b""
        assert proc.stdout is not None
        while True:
            chunk = proc.stdout.read(_READ_CHUNK)
            if not chunk:
                break
            parts = (rest + chunk).split(b"\0")
            rest = parts.pop()
            paths.update(os.fsdecode(p) for p in parts if p)
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:  # pragma: no cover - only when reading itself failed
            proc.kill()
            proc.wait()
        drain.join()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    if code != 0:
        if code < 0:
            return f"git ls-files did not finish within {timeout:.0f} s"
        message = b"".join(errors).decode("utf-8", "replace").strip().splitlines()
        return f"git ls-files failed: {message[0] if message else f'exit status {code}'}"
    return frozenset(paths)


def git_tracked(abs_path: str) -> Optional[str]:
    """"tracked", "ignored" or "untracked" when git answers; None outside a repository or without git."""
    repo = repository_root(os.path.dirname(abs_path) or ".")
    if repo is None:
        return None
    rel = os.path.relpath(os.path.abspath(abs_path), repo)
    code = run_git(repo, ["ls-files", "--error-unmatch", "--", f":(literal){rel}"])  # a name, not a glob
    if code == 0:
        return "tracked"
    if code != 1:
        return None  # 128: not a repository, or git missing
    # git's own wildmatch can backtrack on a hostile pattern (``*a*a*a*a*b``): a check-ignore that times out
    # or fails leaves the answer unknown (None), never "untracked" or "ignored".
    ignored = run_git(repo, ["check-ignore", "-q", "--", rel])
    return {0: "ignored", 1: "untracked"}.get(ignored) if ignored is not None else None
