"""Whether git tracks a file: a secret in a tracked ``.env`` is public to everyone with the repository."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from typing import List, Optional


def _git(args: List[str], directory: str) -> Optional[int]:
    try:
        return subprocess.run(["git", *args], cwd=directory, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10, check=False).returncode
    except (OSError, subprocess.SubprocessError):
        return None


@lru_cache(maxsize=1024)
def _in_repository(directory: str) -> bool:
    """A ``.git`` here or above (a directory, or a file for worktrees): no subprocess outside repositories."""
    if os.path.exists(os.path.join(directory, ".git")):
        return True
    parent = os.path.dirname(directory)
    return parent != directory and _in_repository(parent)


def git_tracked(abs_path: str) -> Optional[str]:
    """"tracked", "ignored" or "untracked" when git answers; None outside a repository or without git."""
    directory = os.path.dirname(abs_path) or "."
    if not _in_repository(os.path.abspath(directory)):
        return None
    name = os.path.basename(abs_path)
    code = _git(["ls-files", "--error-unmatch", "--", name], directory)
    if code == 0:
        return "tracked"
    if code != 1:
        return None  # 128: not a repository
    return "ignored" if _git(["check-ignore", "-q", "--", name], directory) == 0 else "untracked"
