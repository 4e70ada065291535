"""The skip budget (tests/conftest.py) fails a full CI run whose skipped tests differ from the expected list."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")
TESTS = """
import pytest

def test_runs():
    pass

def test_optional():
    pytest.importorskip("{module}")

@pytest.mark.skip(reason="always")
def test_never():
    pass
"""


def run_suite(tmp_path: Path, expected: str, module: str, *args: str, ci: bool = True) -> subprocess.CompletedProcess:
    suite = tmp_path / "tests"
    suite.mkdir(exist_ok=True)
    shutil.copy(CONFTEST, suite / "conftest.py")
    (suite / "expected_skips.txt").write_text(expected)
    (suite / "test_x.py").write_text(TESTS.format(module=module))
    (tmp_path / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PREFLIGHT_WRITE_SKIPS", "PYTEST_ADDOPTS")}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


EXPECTED = "# comment\ntests/test_x.py::test_never  # always\n"


def test_expected_skips_pass(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, EXPECTED, "json")
    assert proc.returncode == 0, proc.stdout
    assert "skip budget: the 1 skipped tests are the expected ones" in proc.stdout


def test_a_new_skip_fails_the_run(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, EXPECTED, "no_such_module_here")
    assert proc.returncode == 1, proc.stdout
    assert "skipped but not expected: tests/test_x.py::test_optional (could not import 'no_such_module_here'" in proc.stdout


def test_an_expected_skip_that_ran_fails_the_run(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, EXPECTED + "tests/test_x.py::test_optional  # needs x\n", "json")
    assert proc.returncode == 1, proc.stdout
    assert "expected to skip but ran: tests/test_x.py::test_optional" in proc.stdout


@pytest.mark.parametrize("args", [("-k", "optional"), ("tests/test_x.py",)])
def test_a_narrowed_run_is_not_judged(tmp_path: Path, args) -> None:
    proc = run_suite(tmp_path, EXPECTED, "no_such_module_here", *args)
    assert proc.returncode == 0, proc.stdout
    assert "skip budget" not in proc.stdout


def test_outside_ci_only_reports(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, EXPECTED, "no_such_module_here", ci=False)
    assert proc.returncode == 0 and "skip budget" not in proc.stdout
