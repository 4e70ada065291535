"""How many CPUs and how much memory this process may really use.

``os.cpu_count()`` and ``/proc/meminfo`` describe the host; a container sees the host's numbers there but is
held to its cgroup's quota. Sizing workers from the host numbers is how a 2-CPU container on a 64-core node
starts 129 workers and is OOM-killed, so the cgroup limits (v2, then v1) win when they are lower.
"""

from __future__ import annotations

import math
import os
from typing import Optional

_CGROUP = "/sys/fs/cgroup"


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _int(text: Optional[str]) -> Optional[int]:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def cpu_count() -> int:
    """CPUs this process may run on: the affinity mask, lowered by a cgroup CPU quota (rounded up)."""
    try:
        cpus = len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)


def _cgroup_cpu_quota() -> Optional[float]:
    v2 = _read(os.path.join(_CGROUP, "cpu.max"))
    if v2:
        parts = v2.split()
        if len(parts) == 2 and parts[0] != "max":
            q, p = _int(parts[0]), _int(parts[1])
            if q and p:
                return q / p
        return None
    q = _int(_read(os.path.join(_CGROUP, "cpu", "cpu.cfs_quota_us")))
    p = _int(_read(os.path.join(_CGROUP, "cpu", "cpu.cfs_period_us")))
    if q and p and q > 0:
        return q / p
    return None


def available_memory() -> Optional[int]:
    """Bytes that can still be allocated without swapping or hitting the cgroup limit; None if unknown."""
    host = _meminfo_available()
    limit = _cgroup_memory_headroom()
    candidates = [m for m in (host, limit) if m is not None]
    return min(candidates) if candidates else None


def _meminfo_available() -> Optional[int]:
    text = _read("/proc/meminfo")
    if text:
        for line in text.splitlines():
            if line.startswith("MemAvailable:"):
                kb = _int(line.split()[1])
                return kb * 1024 if kb is not None else None
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _cgroup_memory_headroom() -> Optional[int]:
    limit = _read(os.path.join(_CGROUP, "memory.max"))
    used = _read(os.path.join(_CGROUP, "memory.current"))
    if limit is None:
        limit = _read(os.path.join(_CGROUP, "memory", "memory.limit_in_bytes"))
        used = _read(os.path.join(_CGROUP, "memory", "memory.usage_in_bytes"))
    n = _int(limit)
    if n is None or n >= 1 << 60:  # "max", or v1's "unlimited" (a huge page-aligned number)
        return None
    return max(0, n - (_int(used) or 0))


def worker_tmp_dir() -> Optional[str]:
    """``/dev/shm`` when it is a writable directory: gunicorn touches a heartbeat file per worker on every
    request, and on a container's overlay disk that write can stall a healthy worker into a timeout."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
