"""Which files are test code, decided from the path inside the project (kept import-light: the cache
manifest needs it on every run)."""

from __future__ import annotations

import re

_TEST_PATH_RE = re.compile(r"(^|/)(tests?|testing|test_utils)(/|$)|(^|/)(test_[^/]*|[^/]*_tests?|conftest)\.py$")


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH_RE.search(path.replace("\\", "/")))


# Why a deployment file under a test directory is reported as low and none of its launches counts as production
# (tests/fixtures/Dockerfile, tests/docker-compose.yml): it configures a test, not the deployment.
TEST_REASON = "the file is in a test directory"
