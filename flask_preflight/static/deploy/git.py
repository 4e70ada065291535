"""Whether git tracks a file: a secret in a tracked ``.env`` is public to everyone with the repository."""

from __future__ import annotations

import os
import subprocess
from typing import Optional


def git_tracked(abs_path: str) -> Optional[bool]:
    """True/False when git answers; None outside a repository or when git is missing or slow."""
    directory = os.path.dirname(abs_path) or "."
    try:
        proc = subprocess.run(["git", "ls-files", "--error-unmatch", "--", os.path.basename(abs_path)],
                              cwd=directory, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode == 0:
        return True
    if proc.returncode == 1:
        return False
    return None  # 128: not a repository
