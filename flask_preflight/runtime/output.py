"""What ``inspect``'s child prints, kept bounded: only the last ``TAIL_BYTES`` of each stream.

The child's stdout and stderr used to go to files, which an app printing in a loop at import filled at
disk speed (1.5 GB in 9 s). Now each stream is a pipe drained by a daemon thread that keeps the tail in
memory and counts the rest; the pipe also slows a flooding app down to the speed of that thread. The
reader never makes ``inspect`` wait: once the child is gone (and, on Linux, everything it started is
killed by its supervisor, see :mod:`flask_preflight.runtime.reaper`) the pipe ends; where something still
holds it open (no supervisor), :meth:`StreamTail.close` stops waiting after a short grace.
"""

from __future__ import annotations

import os
import threading
from typing import List, Optional

TAIL_BYTES = 64 * 1024  # kept per stream (stdout, stderr); what is older is counted and dropped
_CHUNK = 64 * 1024


class StreamTail:
    """Drain a pipe's read end in a thread, keeping the last ``limit`` bytes and the total count."""

    def __init__(self, fd: int, name: str, limit: int = TAIL_BYTES) -> None:
        self.fd = fd
        self.name = name
        self.limit = limit
        self.total = 0
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"flask-preflight-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, _CHUNK)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self.total += len(chunk)
                self._buf += chunk
                if len(self._buf) > 2 * self.limit:  # trim in batches: fewer copies under a flood
                    del self._buf[:-self.limit]
        try:
            os.close(self.fd)
        except OSError:
            pass

    def close(self, grace: float = 1.0) -> None:
        """Wait up to ``grace`` seconds for the end of the stream (a process that escaped may hold it)."""
        self._thread.join(grace)

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self._buf[-self.limit:])

    @property
    def truncated(self) -> bool:
        return self.total > self.limit

    def lines(self, count: int) -> List[str]:
        """The last ``count`` non-empty lines of what was kept."""
        text = self.data.decode("utf-8", "replace")
        kept = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
        return kept[-count:]

    def truncation_note(self, shown: str) -> Optional[str]:
        """A one-line note saying how much output was dropped, or None when all of it was kept."""
        if not self.truncated:
            return None
        return (f"{shown} wrote {_size(self.total)} to {self.name} while it was loaded and checked; only the "
                f"last {_size(self.limit)} were kept")


def _size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 100 and value != int(value) else f"{int(value)} {unit}"
    return f"{n} bytes"
