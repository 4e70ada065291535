"""Procfiles: one shell command per process type, web only for `web`, junk lines skipped with a warning."""

from __future__ import annotations

from flask_preflight.static.deploy import procfile
from flask_preflight.static.deploy.model import Origin

HEROKU = """\
# Heroku process types
release: flask db upgrade
web: gunicorn "app:create_app()" --workers 3 --bind 0.0.0.0:$PORT  # preflight: ignore[PF101]

worker: celery -A app.celery worker --loglevel=info
"""


def parse(text: str, path: str = "Procfile"):
    return procfile.parse(text, path, "/srv/app/" + path)


def test_heroku_procfile() -> None:
    result = parse(HEROKU)
    assert result.kind == "procfile" and result.path == "Procfile" and result.abs_path == "/srv/app/Procfile"
    assert [c.argv for c in result.commands] == [
        ("/bin/sh", "-c", "flask db upgrade"),
        ("/bin/sh", "-c", 'gunicorn "app:create_app()" --workers 3 --bind 0.0.0.0:$PORT  # preflight: ignore[PF101]'),
        ("/bin/sh", "-c", "celery -A app.celery worker --loglevel=info"),
    ]
    assert [c.source for c in result.commands] == ["Procfile `release`", "Procfile `web`", "Procfile `worker`"]
    assert [c.web for c in result.commands] == [False, True, False]
    assert [c.origin.line for c in result.commands] == [2, 3, 5]
    assert result.commands[0].origin == Origin("Procfile", 2, 2, "release: flask db upgrade")
    assert result.commands[1].origins[0][0] == 0
    assert result.suppressions == {3: frozenset({"PF101"})}
    assert result.warnings == [] and result.dev_reason == "" and result.env == []
    assert all(c.dev_reason == "" for c in result.commands)


def test_lines_that_are_not_process_declarations_are_warnings() -> None:
    result = parse("web: gunicorn app:app\nthis is not a process\nweb:\nbad name: x\n  \n")
    assert [c.argv[2] for c in result.commands] == ["gunicorn app:app"]
    assert [line for line, _ in result.warnings] == [2, 3, 4]
    assert "ignore" in result.warnings[0][1]


def test_a_repeated_process_type_keeps_the_last_declaration() -> None:
    result = parse("web: flask run\nweb: gunicorn app:app\n")
    assert [(c.argv[2], c.origin.line) for c in result.commands] == [("gunicorn app:app", 2)]
    assert result.warnings == [(1, "process type `web` is declared again on line 2; the later declaration is used")]


def test_development_procfiles() -> None:
    for name in ("Procfile.dev", "Procfile.development", "Procfile.local", "Procfile.test", "config/Procfile.dev"):
        result = parse("web: flask run --debug\n", name)
        assert result.dev_reason == procfile.DEV_REASON, name
        assert result.commands[0].dev_reason == procfile.DEV_REASON
        assert result.commands[0].origin.path == name
    for name in ("Procfile", "Procfile.prod", "Procfile.staging"):
        assert parse("web: gunicorn app:app\n", name).dev_reason == ""


def test_empty_file_and_surrounding_whitespace() -> None:
    assert parse("").commands == []
    result = parse("  web:   gunicorn app:app   \n")
    assert result.commands[0].argv == ("/bin/sh", "-c", "gunicorn app:app")
