"""Which files are test code, decided from the path inside the project (kept import-light: the cache
manifest needs it on every run)."""

from __future__ import annotations

import re

_TEST_PATH_RE = re.compile(r"(^|/)(tests?|testing|test_utils)(/|$)|(^|/)(test_[^/]*|[^/]*_tests?|conftest)\.py$")


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH_RE.search(path.replace("\\", "/")))
