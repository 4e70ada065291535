"""systemd units: ExecStart split like systemd (no shell), unit-wide Environment=, continuations, errors."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import systemd
from flask_preflight.static.deploy.model import DeployParseError, EnvVar, Origin

UNIT = """\
[Unit]
Description=Gunicorn instance to serve myproject
After=network.target

[Service]
User=sammy
Group=www-data
WorkingDirectory=/srv/myproject
Environment="PATH=/srv/venv/bin" "GREETING=hello world" \\
    FLASK_DEBUG=0
; secrets live outside the repository
EnvironmentFile=-/etc/x
# preflight: ignore[PF101]
ExecStart=/srv/venv/bin/gunicorn --workers 3 --bind unix:app.sock -m 007 wsgi:app

[Install]
WantedBy=multi-user.target
"""


def parse(text: str, path: str = "myproject.service"):
    return systemd.parse(text, path, "/etc/systemd/system/" + path)


def test_gunicorn_unit() -> None:
    result = parse(UNIT)
    assert result.kind == "systemd" and result.env == [] and result.warnings == []
    (command,) = result.commands
    assert command.argv == ("/srv/venv/bin/gunicorn", "--workers", "3", "--bind", "unix:app.sock",
                            "-m", "007", "wsgi:app")
    assert command.source == "systemd ExecStart" and command.web
    assert command.origin == Origin("myproject.service", 14, 14, UNIT.splitlines()[13])
    environment = Origin("myproject.service", 9, 10, "\n".join(UNIT.splitlines()[8:10]))
    assert command.env == (EnvVar("PATH", "/srv/venv/bin", environment),
                           EnvVar("GREETING", "hello world", environment),
                           EnvVar("FLASK_DEBUG", "0", environment))
    assert command.env_files == (("/etc/x", Origin("myproject.service", 12, 12, "EnvironmentFile=-/etc/x")),)
    assert command.workdir == "/srv/myproject"
    assert result.suppressions == {14: frozenset({"PF101"})}


def test_environment_applies_wherever_it_is_written_and_exec_start_resets() -> None:
    unit = ("[Service]\nExecStart=/usr/bin/flask run\nExecStart=\nExecStart=-/srv/venv/bin/gunicorn app:app\n"
            "ExecStart=+/usr/bin/true\nEnvironment=FLASK_ENV=production\n")
    result = parse(unit)
    assert [(c.argv, c.origin.line) for c in result.commands] == [(("/srv/venv/bin/gunicorn", "app:app"), 4),
                                                                  (("/usr/bin/true",), 5)]
    assert [(v.name, v.value, v.origin.line) for v in result.commands[0].env] == [("FLASK_ENV", "production", 6)]


def test_at_prefix_drops_the_argv0_word() -> None:
    result = parse("[Service]\nExecStart=@/srv/venv/bin/gunicorn my-app --bind :80 app:app\n")
    assert result.commands[0].argv == ("/srv/venv/bin/gunicorn", "--bind", ":80", "app:app")


def test_comment_lines_inside_a_continuation_are_skipped() -> None:
    unit = "[Service]\nExecStart=/srv/venv/bin/gunicorn \\\n# a comment\n  --bind 'unix:/run/app.sock' \\\n  app:app\n"
    (command,) = parse(unit).commands
    assert command.argv == ("/srv/venv/bin/gunicorn", "--bind", "unix:/run/app.sock", "app:app")
    assert (command.origin.line, command.origin.end_line) == (2, 5)


def test_empty_environment_resets_and_bad_assignments_are_warnings() -> None:
    unit = ("[Service]\nEnvironment=OLD=1\nEnvironment=\nEnvironment=GOOD=1 not-an-assignment\n"
            "Environment=\"BROKEN=1\nExecStart=/usr/bin/env\n")
    result = parse(unit)
    assert [(v.name, v.value) for v in result.commands[0].env] == [("GOOD", "1")]
    assert [line for line, _ in result.warnings] == [4, 5]


def test_unit_without_service_section_has_no_commands() -> None:
    result = parse("[Unit]\nDescription=timer\n\n[Timer]\nOnCalendar=daily\n", "backup.timer")
    assert result.commands == [] and result.warnings == []


def test_other_sections_are_ignored() -> None:
    result = parse("[Unit]\nExecStart=/bin/not-a-service-key\n[Service]\nExecStart=/bin/true\n")
    assert [c.argv for c in result.commands] == [("/bin/true",)]


@pytest.mark.parametrize("unit, line, fragment", [
    ("ExecStart=/bin/true\n[Service]\n", 1, "before any [Section]"),
    ("[Service]\nUser=www\njust some words\n", 3, "not a `Key=value` line"),
    ("[Service\nExecStart=/bin/true\n", 1, "malformed section header"),
    ("[Service]\n\nExecStart=/srv/venv/bin/gunicorn --bind 'unix:app.sock app:app\n", 3, "no closing quotation"),
])
def test_malformed_units(unit: str, line: int, fragment: str) -> None:
    with pytest.raises(DeployParseError) as info:
        parse(unit)
    assert info.value.line == line
    assert fragment in info.value.message


@pytest.mark.parametrize("name", [
    "app-dev.service", "myapp.local.service", "flask-development.service", "web_test.service",
    "deploy/systemd/api-devel.service", "app@dev.service", "Flask-Debug.service", "tests.service",
])
def test_development_unit_names(name: str) -> None:
    result = parse("[Service]\nExecStart=/srv/venv/bin/flask run --debug\nExecStart=/usr/bin/true\n", name)
    assert result.dev_reason == "the unit name marks it as a development service"
    assert [c.dev_reason for c in result.commands] == ["the unit name marks it as a development service"] * 2


@pytest.mark.parametrize("name", ["myproject.service", "app-prod.service", "devops.service", "latest.service",
                                  "contest-web.service", "gunicorn.service", "app@web.service"])
def test_production_unit_names(name: str) -> None:
    result = parse("[Service]\nExecStart=/srv/venv/bin/gunicorn app:app\n", name)
    assert result.dev_reason == ""
    assert [c.dev_reason for c in result.commands] == [""]


def test_template_placeholders_are_one_word_each():
    # an Ansible/Jinja unit template: `{{ HOME }}` is rendered to one value before systemd splits the line
    unit = "[Service]\nExecStart={{ HOME }}/.local/bin/pipenv run uwsgi --ini {{ ini file }}\n"
    result = systemd.parse(unit, "app.service", "/p/app.service")
    assert result.commands[0].argv == ("{{HOME}}/.local/bin/pipenv", "run", "uwsgi", "--ini", "{{ini_file}}")
    # braces that are not a placeholder stay as systemd splits them
    plain = systemd.parse("[Service]\nExecStart=/bin/echo { a }\n", "b.service", "/p/b.service")
    assert plain.commands[0].argv == ("/bin/echo", "{", "a", "}")
