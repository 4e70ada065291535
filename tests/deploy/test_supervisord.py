"""supervisord configs: [program:NAME] command/environment/directory, supervisord's quoting, line numbers."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import classify, may_matter, refine, supervisord
from flask_preflight.static.deploy.model import DeployParseError

CONF = """\
[supervisord]
nodaemon=true
environment=LANG="C.UTF-8"

; the web app
[program:web]
command=gunicorn --workers 4 --bind 0.0.0.0:8000 "app:create_app()"  ; inline comment
directory=/srv/app
environment=FLASK_DEBUG="0",
    SECRET_KEY="%(ENV_SECRET_KEY)s",PATH="/srv/venv/bin:%(ENV_PATH)s"
autorestart=true

[program:worker]
command=celery -A app.celery worker -n %(program_name)s@%%h
environment=OPTS="a,b c"  # preflight: ignore[PF402]
"""


def parse(text: str, path: str = "supervisord.conf"):
    return supervisord.parse(text, path, "/srv/app/" + path)


def test_programs_commands_and_environment() -> None:
    result = parse(CONF)
    assert result.kind == "supervisord" and result.warnings == []
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [
        ("LANG", "C.UTF-8", 3), ("FLASK_DEBUG", "0", 9), ("SECRET_KEY", "${SECRET_KEY}", 10),
        ("PATH", "/srv/venv/bin:${PATH}", 10), ("OPTS", "a,b c", 15)]
    web, worker = result.commands
    assert web.argv == ("gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:create_app()")
    assert web.source == "supervisord program `web`" and web.web and web.workdir == "/srv/app"
    assert web.origin.line == 7 and web.origin.snippet.startswith("command=gunicorn")
    assert [(v.name, v.value, v.origin.line, v.origin.column) for v in web.env] == [
        ("LANG", "C.UTF-8", 3, 13), ("FLASK_DEBUG", "0", 9, 13), ("SECRET_KEY", "${SECRET_KEY}", 10, 5),
        ("PATH", "/srv/venv/bin:${PATH}", 10, 37)]
    assert not web.env[2].literal  # %(ENV_SECRET_KEY)s is supervisord's environment, not a literal
    assert worker.argv == ("celery", "-A", "app.celery", "worker", "-n", "worker@%h")
    assert [(v.name, v.value, v.origin.line) for v in worker.env] == [("LANG", "C.UTF-8", 3), ("OPTS", "a,b c", 15)]
    assert result.suppressions == {15: frozenset({"PF402"})}


def test_keys_are_case_insensitive_and_the_last_duplicate_wins() -> None:
    text = "[program:web]\nCommand = flask run\n\n[program:web]\ncommand: python app.py\n"
    (only,) = parse(text, "conf.d/web.conf").commands
    assert only.argv == ("python", "app.py") and only.origin.line == 5


def test_multi_line_command() -> None:
    text = "[program:web]\ncommand=flask\n  run --host\n  0.0.0.0\nautostart=true\n"
    (only,) = parse(text).commands
    assert only.argv == ("flask", "run", "--host", "0.0.0.0")
    assert (only.origin.line, only.origin.end_line) == (2, 4)


def test_default_section_reaches_programs() -> None:
    text = "[DEFAULT]\nenvironment=FLASK_DEBUG=1\n\n[program:web]\ncommand=flask run\n"
    (only,) = parse(text).commands
    assert [(v.name, v.value, v.origin.line) for v in only.env] == [("FLASK_DEBUG", "1", 2)]


def test_program_without_command_keeps_its_environment() -> None:
    result = parse("[program:web]\nenvironment=SECRET_KEY=abc\n")
    assert result.commands == [] and [(v.name, v.value) for v in result.env] == [("SECRET_KEY", "abc")]


@pytest.mark.parametrize("raw, expected", [
    ('A="1",B="2"', [("A", "1"), ("B", "2")]),
    ("A=1,B=/usr/bin:/bin", [("A", "1"), ("B", "/usr/bin:/bin")]),
    ('A="x, y",B=\'q\'', [("A", "x, y"), ("B", "q")]),
    ('A="p@ss$word"', [("A", "p@ss$word")]),
    ("A=%(ENV_HOME)s/x", [("A", "${HOME}/x")]),
    ('A="%(ENV_X)s"', [("A", "${X}")]),
    ("A=100%%", [("A", "100%")]),
    ("", []),
])
def test_environment_quoting(raw, expected) -> None:
    assert supervisord.key_value_pairs(raw) == expected


@pytest.mark.parametrize("raw", ["A=postgres://u:p@db/x", 'A="never closed', "A", "A=1,B"])
def test_environment_that_supervisord_rejects(raw) -> None:
    with pytest.raises(ValueError):
        supervisord.key_value_pairs(raw)


def test_bad_environment_is_a_warning_and_the_program_still_counts() -> None:
    result = parse("[program:web]\ncommand=flask run\nenvironment=DATABASE_URL=postgres://u:p@db/x\n")
    (line, reason), = result.warnings
    assert line == 3 and "environment" in reason and "supervisord refuses it" in reason
    assert result.commands[0].argv == ("flask", "run") and result.commands[0].env == ()


def test_command_with_an_unclosed_quote_is_a_warning() -> None:
    result = parse("[program:web]\ncommand=flask run --host \"0.0.0.0\n")
    assert result.commands == []
    assert result.warnings == [(2, "the command of program `web` cannot be split into words (no closing "
                                   "quotation); supervisord refuses it")]


@pytest.mark.parametrize("text, line, reason", [
    ("command=flask run\n", 1, "a setting appears before any [section] header"),
    ("[program:web]\nthis is not a setting\n", 2, "`this is not a setting` is not a `key = value` line"),
])
def test_malformed_supervisord_conf(text, line, reason) -> None:
    with pytest.raises(DeployParseError) as err:
        parse(text)
    assert (err.value.line, err.value.message) == (line, reason)


def test_conf_d_file_of_another_tool_is_not_a_problem() -> None:
    nginx = "server {\n    listen 80;\n    location / { proxy_pass http://app:8000; }\n}\n"
    result = parse(nginx, "conf.d/default.conf")
    assert result.commands == [] and result.env == [] and result.warnings == []
    with pytest.raises(DeployParseError):  # a program header makes it certainly supervisord's
        parse("[program:web]\n" + nginx, "conf.d/web.conf")


def test_dev_file_names() -> None:
    assert parse("[program:web]\ncommand=flask run\n", "conf.d/web-dev.conf").commands[0].dev_reason
    assert not parse("[program:web]\ncommand=flask run\n", "conf.d/web.conf").commands[0].dev_reason


@pytest.mark.parametrize("name, parent, kind", [
    ("supervisord.conf", "", "supervisord"),
    ("supervisor.conf", "/srv/app", "supervisord"),
    ("web.conf", "/srv/app/conf.d", "supervisord"),
    ("web.conf", "deploy/supervisor/", "supervisord"),
    ("web.conf", "deploy\\supervisord", "supervisord"),
    ("web.conf", "/srv/app/nginx", "conf"),  # a candidate: refine() keeps it only with a supervisord section
    ("web.conf", "", "conf"),
    ("web.ini", "/srv/app", None),
    ("web.ini", "/srv/app/conf.d", "supervisord"),  # RHEL's supervisord.d/*.ini convention, also in conf.d
])
def test_classify(name, parent, kind) -> None:
    assert classify(name, parent) == kind


def test_content_gate() -> None:
    assert may_matter("supervisord", "[program:web]\ncommand=x\n")
    assert may_matter("supervisord", "[supervisord]\nenvironment=A=1\n")
    assert not may_matter("supervisord", "server {\n  listen 80;\n}\n")
    # any other *.conf: a supervisord program file wherever the project keeps it (etc/myapp.conf), else nothing
    assert refine("conf", "[program:blog]\ncommand=gunicorn wsgi:app\n") == "supervisord"
    assert refine("conf", "server {\n  listen 80;\n}\n") == "conf"
    assert not may_matter("conf", "server {\n  listen 80;\n}\n")
