"""render.yaml: services' start commands and envVars (literal or filled in by Render), with their lines."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import classify, render
from flask_preflight.static.deploy.model import DeployParseError

RENDER_YAML = """\
services:
  - type: web
    name: app
    runtime: python
    buildCommand: pip install -r requirements.txt
    startCommand: gunicorn --workers 4 app:app  # preflight: ignore[PF404]
    envVars:
      - key: FLASK_DEBUG
        value: 0
      - key: SECRET_KEY
        generateValue: true
      - key: DATABASE_URL
        fromDatabase:
          name: db
          property: connectionString
      - key: STRIPE_KEY
        sync: false
      - fromGroup: shared
  - type: worker
    name: jobs
    runtime: docker
    dockerCommand: celery -A app.celery worker
  - type: web
    name: api
    runtime: docker
    dockerfilePath: ./docker/Dockerfile
envVarGroups:
  - name: shared
    envVars:
      - {key: LOG_LEVEL, value: info}
"""


def parse(text: str, path: str = "render.yaml"):
    return render.parse(text, path, "/srv/app/" + path)


def test_render_yaml() -> None:
    result = parse(RENDER_YAML)
    assert result.kind == "render" and result.warnings == []
    # the group's variables are the file's; each service's travel with its command
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("LOG_LEVEL", "info", 30)]
    web, jobs, api = result.commands
    assert web.argv == ("/bin/sh", "-c", "gunicorn --workers 4 app:app")
    assert web.source == "render.yaml service `app` startCommand" and web.web and web.origin.line == 6
    assert [v.name for v in web.env] == ["FLASK_DEBUG", "SECRET_KEY", "DATABASE_URL", "STRIPE_KEY", "LOG_LEVEL"]
    assert web.env[0].origin.end_line == 9  # key + value lines
    assert jobs.argv == ("/bin/sh", "-c", "celery -A app.celery worker") and not jobs.web
    assert api.argv == () and api.build == (".", "./docker/Dockerfile", "") and api.web
    assert result.suppressions == {6: frozenset({"PF404"})}


def test_service_without_a_start_command_keeps_its_environment() -> None:
    text = "services:\n  - type: web\n    name: a\n    envVars:\n      - {key: FLASK_DEBUG, value: '1'}\n" \
           "  - type: web\n    name: b\n    envVars:\n      - {key: FLASK_DEBUG, value: '0'}\n"
    first, second = parse(text).commands
    assert first.argv == second.argv == () and first.build is None
    assert [(c.source, c.origin.line, [v.value for v in c.env]) for c in (first, second)] == [
        ("render.yaml service `a`", 2, ["1"]), ("render.yaml service `b`", 6, ["0"])]


def test_legacy_env_key_is_the_runtime() -> None:
    (only,) = parse("services:\n  - type: web\n    name: a\n    env: docker\n").commands
    assert only.build == (".", "Dockerfile", "")


@pytest.mark.parametrize("text, warning", [
    ("services: web\n", "`services` is not a list"),
    ("services:\n  - just a string\n", "a `services` entry is not a mapping"),
    ("services:\n  - name: a\n    startCommand: [flask, run]\n", "`startCommand` of service `a` is not a command string"),
    ("services:\n  - name: a\n    envVars:\n      - value: 1\n", "an `envVars` entry of service `a` has no `key`"),
    ("- a\n- b\n", "the top level is not a mapping; Render needs `services:`"),
])
def test_odd_shapes_are_warnings(text, warning) -> None:
    assert [reason for _, reason in parse(text).warnings] == [warning]


def test_invalid_yaml_is_an_error_with_its_line() -> None:
    with pytest.raises(DeployParseError) as err:
        parse("services:\n  - name: a\n    startCommand: 'unclosed\n")
    assert err.value.message.startswith("invalid YAML") and err.value.line == 3


def test_empty_file() -> None:
    result = parse("")
    assert result.commands == [] and result.env == [] and result.warnings == []


def test_classify() -> None:
    assert classify("render.yaml") == classify("render.yml") == "render"
    assert classify("render-staging.yaml") == "kubernetes"  # any other YAML is only a manifest candidate
