"""Suite-wide hooks: the skip budget.

A test that skips because a dependency is missing looks, in a green run, exactly like a test that passed.
So a full run in CI (``CI`` set, no test selection) compares the skipped tests with ``tests/expected_skips.txt``
and fails when the sets differ in either direction: a new skip means something the suite needs is missing;
an expected skip that ran means the list is stale. ``PREFLIGHT_WRITE_SKIPS=FILE`` writes the observed list.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict

import pytest

EXPECTED_SKIPS = Path(__file__).with_name("expected_skips.txt")


def _observed(terminalreporter) -> Dict[str, str]:
    """Skipped node ids with their reasons (a skip in setup or in the test body)."""
    out: Dict[str, str] = {}
    for report in terminalreporter.stats.get("skipped", []):
        if hasattr(report, "wasxfail"):
            continue
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        out[report.nodeid] = reason.replace("Skipped: ", "", 1).splitlines()[0] if reason else ""
    return out


def _expected() -> Dict[str, str]:
    out: Dict[str, str] = {}
    for line in EXPECTED_SKIPS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            nodeid, _, reason = line.partition("  # ")
            out[nodeid.strip()] = reason.strip()
    return out


def _full_run(config: pytest.Config) -> bool:
    """No -k/-m/explicit paths/--lf: only then is the whole expected list meaningful."""
    opt = config.option
    narrowed = opt.keyword or opt.markexpr or getattr(opt, "lf", False) or getattr(opt, "deselect", None)
    args = [a for a in config.args if Path(a).resolve() != Path(config.rootpath, "tests").resolve()]
    return not narrowed and not args


_REPORT = pytest.StashKey[list]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Compare the skips (the run is over; the summary is printed after this)."""
    config = session.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    observed = _observed(reporter)
    target = os.environ.get("PREFLIGHT_WRITE_SKIPS")
    if target:
        lines = [f"{nodeid}  # {reason}" for nodeid, reason in sorted(observed.items())]
        Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not os.environ.get("CI") or not _full_run(config) or exitstatus not in (0, 1):
        return
    expected = _expected()
    new = sorted(set(observed) - set(expected))
    ran = sorted(set(expected) - set(observed))
    if not new and not ran:
        config.stash[_REPORT] = [f"skip budget: the {len(observed)} skipped tests are the expected ones"]
        return
    lines = [f"skipped but not expected: {n} ({observed[n]})" for n in new]
    lines += [f"expected to skip but ran: {n} (update tests/{EXPECTED_SKIPS.name})" for n in ran]
    config.stash[_REPORT] = ["SKIP BUDGET EXCEEDED"] + lines
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, [])
    if lines and lines[0] == "SKIP BUDGET EXCEEDED":
        terminalreporter.section("skip budget exceeded", sep="=", red=True, bold=True)
        lines = lines[1:]
    for line in lines:
        terminalreporter.write_line(line)
