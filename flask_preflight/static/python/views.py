"""PF301, PF310: what views and error handlers send back to clients."""

from __future__ import annotations

from flask_preflight.static.python.context import Context


def check(ctx: Context) -> None:
    """Filled in by the views analyzer (work in progress in this commit series)."""
