"""Run a test's body as an unprivileged user, so permission tests execute even when the suite runs as root.

Root reads any file whatever its mode, so "unreadable file" tests used to be skipped in root containers (CI
included) and the code path they guard went untested there. ``as_unprivileged`` forks: the child drops to the
``nobody`` user (65534) and calls the function; its return value or exception comes back through a pipe.
Everything the function touches must be reachable by that user, hence ``shared_tempdir``: a world-traversable
directory outside pytest's ``tmp_path`` (whose parents are private to the user running pytest).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

NOBODY = 65534


@contextmanager
def shared_tempdir() -> Iterator[Path]:
    """A fresh directory that any user may traverse, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="preflight-perm-"))
    try:
        path.chmod(0o755)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def as_unprivileged(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` as a user that file modes apply to: in-process when not root, else in a forked child."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return fn(*args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        status = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                payload = (True, fn(*args))
            except BaseException as exc:  # noqa: BLE001 - sent to the parent, which re-raises
                payload = (False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(payload, out)
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        data = inp.read()
    _, wait_status = os.waitpid(pid, 0)
    if not data:
        raise AssertionError(f"the unprivileged child died without an answer (wait status {wait_status})")
    ok, value = pickle.loads(data)
    if not ok:
        raise AssertionError(f"in the unprivileged child: {value}")
    return value
