""".env / .flaskenv: values exactly as python-dotenv (and so Flask) reads them, with their lines."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import dotenv
from flask_preflight.static.deploy.model import Origin

DOTENV = """\
# Production settings
export FLASK_APP=app:create_app
SECRET_KEY='s3cr3t value'  # preflight: ignore[PF201]

DATABASE_URL="postgresql://user:pw@db/app"
FLASK_DEBUG=0 # off in production
PRIVATE_KEY="-----BEGIN KEY-----
abc
-----END KEY-----"
this line is broken
REDIS_URL=${REDIS_HOST}:6379
EMPTY=
FEATURE_FLAG
"""


def parse(text: str, path: str = ".env"):
    return dotenv.parse(text, path, "/srv/app/" + path)


def test_env_file_as_flask_reads_it() -> None:
    result = parse(DOTENV)
    assert result.kind == "dotenv" and result.commands == []
    assert [(v.name, v.value, v.origin.line, v.origin.end_line) for v in result.env] == [
        ("FLASK_APP", "app:create_app", 2, 2),
        ("SECRET_KEY", "s3cr3t value", 3, 3),
        ("DATABASE_URL", "postgresql://user:pw@db/app", 5, 5),
        ("FLASK_DEBUG", "0", 6, 6),
        ("PRIVATE_KEY", "-----BEGIN KEY-----\nabc\n-----END KEY-----", 7, 9),
        ("REDIS_URL", "${REDIS_HOST}:6379", 11, 11),  # raw: no ${} expansion
        ("EMPTY", "", 12, 12),
        ("FEATURE_FLAG", None, 13, 13),  # a bare key has no value
    ]
    assert result.env[4].origin == Origin(".env", 7, 9, 'PRIVATE_KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"')
    assert result.warnings == [(10, dotenv.SKIPPED)]
    assert result.suppressions == {3: frozenset({"PF201"})}
    assert not result.example and result.dev_reason == ""
    assert not result.env[5].literal and result.env[1].literal


def test_flaskenv() -> None:
    result = parse("FLASK_APP=microblog.py\nFLASK_DEBUG=1\n", ".flaskenv")
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("FLASK_APP", "microblog.py", 1),
                                                                       ("FLASK_DEBUG", "1", 2)]
    assert result.env[1].origin == Origin(".flaskenv", 2, 2, "FLASK_DEBUG=1")
    assert not result.example and result.dev_reason == "" and result.warnings == []


def test_lines_after_blank_lines_and_comments_are_exact() -> None:
    result = parse("\n\n# a comment\n   \nA=1\n\n\n  B = 'two'\n")
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("A", "1", 5), ("B", "two", 8)]


def test_unterminated_quote_is_skipped_and_the_rest_still_read() -> None:
    result = parse('A="never closed\nB=2\n')
    assert result.warnings == [(1, dotenv.SKIPPED)]
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("B", "2", 2)]


@pytest.mark.parametrize("name", [".env.example", ".env.sample", ".env.template", ".env.dist", ".env.tmpl",
                                  "config/.env.production.example", ".flaskenv.sample"])
def test_example_files(name: str) -> None:
    assert parse("SECRET_KEY=changeme\n", name).example


@pytest.mark.parametrize("name", [".env.development", ".env.dev", ".env.local", ".env.test", ".env.testing",
                                  ".env.ci", ".env.development.local", "backend/.env.dev"])
def test_development_files(name: str) -> None:
    result = parse("FLASK_DEBUG=1\n", name)
    assert result.dev_reason == dotenv.DEV_REASON and not result.example


@pytest.mark.parametrize("name", [".env", ".env.production", ".env.production.local", ".env.defaults",
                                  ".env.staging", ".flaskenv"])
def test_deployed_files(name: str) -> None:
    result = parse("FLASK_DEBUG=0\n", name)
    assert result.dev_reason == "" and not result.example


def test_empty_file() -> None:
    result = parse("")
    assert result.env == [] and result.warnings == []
