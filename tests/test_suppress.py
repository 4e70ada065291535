"""Inline ``# preflight: ignore`` comments."""

from __future__ import annotations

import pytest

from flask_preflight.rules import REGISTRY
from flask_preflight.suppress import is_suppressed, parse_suppressions


@pytest.mark.parametrize("line", [
    "app.run(debug=True)",
    "app.run(debug=True)  # noqa: S201",
    "# preflight is great",
    "x = 1  # preflight: ignore-file",
    "x = 1  # preflight: ignored",
    "",
])
def test_no_directive(line: str) -> None:
    assert parse_suppressions(line) is None


@pytest.mark.parametrize("line", [
    "app.run(debug=True)  # preflight: ignore",
    "app.run(debug=True)  #preflight:ignore",
    "app.run(debug=True)  # PreFlight :  IGNORE  because local only",
    "app.run(debug=True)  # preflight: ignore[ALL]",
])
def test_bare_directive(line: str) -> None:
    assert parse_suppressions(line) == {"*"}


def test_listed_rules_are_normalised() -> None:
    line = "app.run(debug=True)  # preflight: ignore[PF101, unguarded-app-run  pf103,XYZ9]"
    assert parse_suppressions(line) == {"PF101", "PF102", "PF103", "XYZ9"}


def test_prefix_expands() -> None:
    assert parse_suppressions("x  # preflight: ignore[PF1]") == frozenset(r.id for r in REGISTRY.expand("PF1"))


def test_after_other_comments_and_whitespace() -> None:
    line = "app.run(debug=True)  # noqa: E501  # Preflight:ignore [ debug-mode-enabled ]"
    assert parse_suppressions(line) == {"PF101"}
    assert parse_suppressions("x  # type: ignore  # preflight: ignore[PF102]") == {"PF102"}


def test_empty_brackets_suppress_nothing() -> None:
    assert parse_suppressions("x  # preflight: ignore[]") == frozenset()
    assert not is_suppressed("PF101", ["x  # preflight: ignore[]"])


def test_is_suppressed_on_first_or_last_line() -> None:
    first = "app.run(  # preflight: ignore[PF101]"
    last = ")  # preflight: ignore[unguarded-app-run]"
    assert is_suppressed("PF101", [first, "    debug=True,"])
    assert is_suppressed("PF102", ["app.run(", last])
    assert not is_suppressed("PF103", [first, last])
    assert is_suppressed("debug-mode-enabled", [first])  # a name works as the rule argument too
    assert is_suppressed("PF105", ["x = 1  # preflight: ignore"])
    assert not is_suppressed("PF101", ["app.run(debug=True)"])
    assert not is_suppressed("PF101", [])
