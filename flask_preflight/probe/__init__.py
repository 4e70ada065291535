"""``flask-preflight probe``: read-only checks of a live deployment the user owns.

A handful of GET requests per URL (see ``runner.REQUEST_PLAN``), no PIN, no POST, nothing executed on the
server; the session-key test (PF606) runs offline. Modules: ``client`` (httpx, bounded requests),
``checks`` (PF601-PF604, PF607, PF506, PF510), ``cookies`` (PF605), ``session`` (PF606), ``grade`` (A-F),
``runner`` (asyncio, several URLs at once), ``output`` (reports).
"""

from __future__ import annotations

from flask_preflight.probe.runner import REQUEST_PLAN, ProbeOptions, TargetReport, probe_all, run_probe

__all__ = ["REQUEST_PLAN", "ProbeOptions", "TargetReport", "probe_all", "run_probe"]
