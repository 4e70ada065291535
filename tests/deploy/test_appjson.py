"""Heroku app.json: the env config vars (literal, default value, or generated), located by line."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import appjson, classify, may_matter
from flask_preflight.static.deploy.model import DeployParseError

APP_JSON = """\
{
  "name": "flask-shop",
  "scripts": {"postdeploy": "flask run --host 0.0.0.0"},
  "env": {
    "SECRET_KEY": {
      "description": "Signs sessions",
      "generator": "secret"
    },
    "FLASK_DEBUG": "0",
    "WEB_CONCURRENCY": {
      "description": "workers",
      "value": 3
    },
    "FLASK_ENV": {"value": "production"},
    "quoted \\"name\\"": "x"
  },
  "formation": {"web": {"quantity": 1, "size": "basic"}}
}
"""


def parse(text: str, path: str = "app.json"):
    return appjson.parse(text, path, "/srv/app/" + path)


def test_app_json() -> None:
    result = parse(APP_JSON)
    assert result.kind == "appjson" and result.warnings == [] and result.commands == []  # scripts are no launch
    assert [(v.name, v.value, v.origin.line, v.origin.end_line) for v in result.env] == [
        ("SECRET_KEY", None, 5, 5), ("FLASK_DEBUG", "0", 9, 9), ("WEB_CONCURRENCY", "3", 10, 12),
        ("FLASK_ENV", "production", 14, 14), ('quoted "name"', "x", 15, 15)]


def test_generator_wins_over_a_value() -> None:
    (var,) = parse('{"env": {"SECRET_KEY": {"value": "abc", "generator": "secret"}}}').env
    assert var.value is None


def test_keys_inside_arrays_and_duplicates() -> None:
    text = '{"addons": [{"env": 1}],\n "env": {"A": "1",\n  "A": "2"}}'
    assert appjson.key_lines(text)[("env", "A")] == 3
    assert [(v.name, v.value, v.origin.line) for v in parse(text).env] == [("A", "2", 3)]


def test_odd_values_are_warnings() -> None:
    result = parse('{"env": {"A": ["x"], "B": null, "C": true}}')
    assert [reason for _, reason in result.warnings] == [
        "`env.A` is neither a string nor an object; Heroku rejects it",
        "`env.B` is neither a string nor an object; Heroku rejects it"]
    assert [(v.name, v.value) for v in result.env] == [("C", "true")]
    assert [reason for _, reason in parse('{"env": "A=1"}').warnings] == ["`env` is not an object of config vars"]


def test_invalid_manifest_is_an_error_with_its_line() -> None:
    with pytest.raises(DeployParseError) as err:
        parse('{\n  "env": {\n    "A": "1",\n  }\n}\n')
    assert err.value.message.startswith("invalid JSON") and err.value.line == 4


@pytest.mark.parametrize("text", [
    '// an Expo config with comments\n{"expo": {"name": "x"}}\n',  # not JSON, not a Heroku manifest
    '[1, 2, 3]\n',
    '{"expo": {"name": "x", "extra": {"env": "prod"}}}\n',
])
def test_other_tools_app_json_is_not_a_problem(text) -> None:
    result = parse(text)
    assert result.env == [] and result.warnings == []


def test_classify_and_gate() -> None:
    assert classify("app.json") == "appjson" and classify("package.json") is None
    assert may_matter("appjson", '{"env": {}}') and not may_matter("appjson", '{"expo": {}}')
