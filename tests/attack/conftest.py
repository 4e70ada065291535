"""Regression tests for the attack pass (issue 13): every test here reproduces one attack.

Each test in this directory is marked ``attack`` so the whole set runs with ``python -m pytest -m attack``
(and can be left out with ``-m "not attack"``). The attacks are real: a hostile file tree on disk, a hostile
HTTP server on 127.0.0.1, a hostile Flask app loaded by ``inspect``/``serve``; never a mock of the part under
attack.
"""
from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):  # noqa: ARG001 - pytest hook signature
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.attack)
