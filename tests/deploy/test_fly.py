"""fly.toml: values from tomllib, lines found by scanning the text, processes split without a shell."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import fly
from flask_preflight.static.deploy.model import DeployParseError, Origin

FLY_TOML = """\
app = "flask-shop"
primary_region = "ams"

[build]
  dockerfile = "Dockerfile"

[build.args]
  PYTHON_VERSION = "3.12"

[env]
  FLASK_DEBUG = false
  PORT = 8080
  # preflight: ignore[PF102]
  FLASK_ENV = "production"

[processes]
  app = "gunicorn --bind 0.0.0.0:8080 --workers 2 'shop:create_app()'"
  worker = "celery -A shop.celery worker"

[http_service]
  internal_port = 8080
  processes = ["app"]
"""


def parse(text: str, path: str = "fly.toml"):
    return fly.parse(text, path, "/srv/app/" + path)


def test_fly_toml() -> None:
    result = parse(FLY_TOML)
    assert result.kind == "fly" and result.warnings == []
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [
        ("FLASK_DEBUG", "false", 11), ("PORT", "8080", 12), ("FLASK_ENV", "production", 14)]
    assert result.env[0].origin == Origin("fly.toml", 11, 11, "  FLASK_DEBUG = false")
    assert [(v.name, v.value, v.origin.line) for v in result.build_args] == [("PYTHON_VERSION", "3.12", 8)]
    app, worker = result.commands
    assert app.argv == ("gunicorn", "--bind", "0.0.0.0:8080", "--workers", "2", "shop:create_app()")
    assert app.source == "fly.toml process `app`" and app.web and app.origin.line == 17
    assert worker.argv == ("celery", "-A", "shop.celery", "worker")
    assert not worker.web and worker.origin.line == 18
    assert app.env == worker.env == tuple(result.env)
    assert result.suppressions == {14: frozenset({"PF102"})}


def test_web_processes_without_services() -> None:
    result = parse('[processes]\nweb = "gunicorn app:app"\nrelease = "flask db upgrade"\n')
    assert [(c.source, c.web) for c in result.commands] == [("fly.toml process `web`", True),
                                                            ("fly.toml process `release`", False)]
    (only,) = parse('[processes]\nserver = "flask run --host 0.0.0.0"\n').commands
    assert only.web and only.argv == ("flask", "run", "--host", "0.0.0.0")


def test_experimental_entrypoint_and_cmd_join_like_docker() -> None:
    text = ('[experimental]\n  entrypoint = ["/app/entrypoint.sh"]\n  cmd = [\n    "gunicorn",\n'
            '    "app:app",\n  ]\n')
    (command,) = parse(text).commands
    assert command.argv == ("/app/entrypoint.sh", "gunicorn", "app:app")
    assert [(start, o.line, o.end_line) for start, o in command.origins] == [(0, 2, 2), (1, 3, 6)]
    assert command.origin_at(2).line == 3
    assert command.source == "fly.toml experimental entrypoint + cmd"
    (string_cmd,) = parse('[experimental]\ncmd = "flask run --debug"\n').commands
    assert string_cmd.argv == ("flask", "run", "--debug") and string_cmd.source == "fly.toml experimental cmd"


def test_dotted_and_inline_tables() -> None:
    text = 'env.FLASK_DEBUG = "1"\n\n[build]\nargs = { SECRET = "x" }\n'
    result = parse(text)
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("FLASK_DEBUG", "1", 1)]
    assert [(v.name, v.value, v.origin.line) for v in result.build_args] == [("SECRET", "x", 4)]


def test_multi_line_strings_do_not_look_like_keys() -> None:
    text = 'notes = """\n[env]\nFLASK_DEBUG = "1"\n"""\n[env]\nFLASK_DEBUG = "0"\n'
    result = parse(text)
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("FLASK_DEBUG", "0", 6)]


def test_non_string_env_values_are_warnings() -> None:
    result = parse('[env]\nHOSTS = ["a", "b"]\nOK = "yes"\n')
    assert [(v.name, v.value) for v in result.env] == [("OK", "yes")]
    assert [line for line, _ in result.warnings] == [2]


def test_no_processes() -> None:
    result = parse('app = "x"\n')
    assert result.commands == [] and result.env == [] and result.build_args == []


@pytest.mark.parametrize("text, line", [
    ('app = "x"\n[env]\nFLASK_DEBUG = \n', 3),
    ('[env]\nA = "1"\n[env]\nB = "2"\n', 3),
    ('[processes]\napp = "gunicorn app:app\n', 2),
    ('[env]\nA = [1,\n', 2),  # "at end of document": the last line
])
def test_toml_errors(text: str, line: int) -> None:
    with pytest.raises(DeployParseError) as info:
        parse(text)
    assert info.value.line == line
    assert info.value.message.startswith("invalid TOML: ") and "(at " not in info.value.message


def test_unsplittable_process_command() -> None:
    with pytest.raises(DeployParseError) as info:
        parse("[processes]\napp = \"gunicorn 'app:app\"\n")
    assert info.value.line == 2 and "no closing quotation" in info.value.message
