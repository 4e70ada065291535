"""App Engine app.yaml: entrypoint as shell text, env_variables as written, lines from the YAML nodes."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import appengine
from flask_preflight.static.deploy.model import DeployParseError, Origin

APP_YAML = """\
runtime: python312
entrypoint: gunicorn -b :$PORT main:app  # preflight: ignore[PF101]
instance_class: F2

env_variables:
  FLASK_DEBUG: 1
  SECRET_KEY: "not-so-secret"
  BUCKET_NAME: 'my-bucket'
  NOTE: >
    folded text
    over two lines
  EMPTY:

build_env_variables:
  GOOGLE_PYTHON_VERSION: 3.12.1

handlers:
- url: /static
  static_dir: static
"""


def parse(text: str, path: str = "app.yaml"):
    return appengine.parse(text, path, "/srv/app/" + path)


def test_app_yaml() -> None:
    result = parse(APP_YAML)
    assert result.kind == "appengine" and result.warnings == []
    assert [(v.name, v.value, v.origin.line, v.origin.end_line) for v in result.env] == [
        ("FLASK_DEBUG", "1", 6, 6),
        ("SECRET_KEY", "not-so-secret", 7, 7),
        ("BUCKET_NAME", "my-bucket", 8, 8),
        ("NOTE", "folded text over two lines\n", 9, 11),
        ("EMPTY", "", 12, 12),
    ]
    assert result.env[0].origin == Origin("app.yaml", 6, 6, "  FLASK_DEBUG: 1")
    assert [(v.name, v.value, v.origin.line) for v in result.build_args] == [("GOOGLE_PYTHON_VERSION", "3.12.1", 15)]
    (command,) = result.commands
    assert command.argv == ("/bin/sh", "-c", "gunicorn -b :$PORT main:app")
    assert command.source == "app.yaml entrypoint" and command.web
    assert command.origin == Origin("app.yaml", 2, 2,
                                    "entrypoint: gunicorn -b :$PORT main:app  # preflight: ignore[PF101]")
    assert command.env == tuple(result.env)
    assert result.suppressions == {2: frozenset({"PF101"})}


def test_runtime_without_entrypoint() -> None:
    result = parse("runtime: python39\nenv_variables:\n  FLASK_ENV: production\n")
    assert result.commands == []
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("FLASK_ENV", "production", 3)]


def test_multi_line_entrypoint_spans_its_lines() -> None:
    result = parse("runtime: python312\nentrypoint: >-\n  gunicorn -b :$PORT\n  main:app\nservice: api\n")
    (command,) = result.commands
    assert command.argv == ("/bin/sh", "-c", "gunicorn -b :$PORT main:app")
    assert (command.origin.line, command.origin.end_line) == (2, 4)


@pytest.mark.parametrize("text", [
    "",
    "# just a comment\n",
    "- a\n- list\n",
    "name: some other tool\nversion: 2\nentry: run.sh\n",  # another tool's app.yaml
])
def test_not_an_app_engine_file(text: str) -> None:
    result = parse(text)
    assert result.commands == [] and result.env == [] and result.warnings == []


def test_non_string_values_are_warnings() -> None:
    result = parse("runtime: python312\nentrypoint: [gunicorn, main:app]\nenv_variables:\n"
                   "  A: [1, 2]\n  B: ok\n")
    assert result.commands == []
    assert [(v.name, v.value) for v in result.env] == [("B", "ok")]
    assert [line for line, _ in result.warnings] == [4, 2]


@pytest.mark.parametrize("text, line", [
    ("runtime: python312\nenv_variables:\n  A: 1\n B: 2\n", 4),
    ("runtime: python312\nentrypoint: 'gunicorn main:app\n", 2),  # end of stream: the last line
    ("runtime: python312\n---\nruntime: python39\n", 2),
    ("runtime: [python312\n", 1),
    ("runtime: python312\nenv_variables:\n  A: \x07\n", 3),
])
def test_yaml_errors(text: str, line: int) -> None:
    with pytest.raises(DeployParseError) as info:
        parse(text)
    assert info.value.line == line
    assert info.value.message.startswith("invalid YAML")


def test_yaml_error_message_says_what_was_expected() -> None:
    with pytest.raises(DeployParseError) as info:
        parse("runtime: python312\n---\nruntime: python39\n")
    assert info.value.message == "invalid YAML: expected a single document in the stream, but found another document"


def test_alias_bomb_is_refused() -> None:
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 200)]
    with pytest.raises(DeployParseError) as info:
        parse("runtime: python312\n" + "\n".join(layers) + "\n")
    assert "aliases" in info.value.message and info.value.line is not None


K8S_MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: myorg/web:1.0
          env:
            - name: FLASK_DEBUG
              value: "1"
---
apiVersion: v1
kind: Service
metadata:
  name: web
"""

HELM_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 8 }}
  {{- end }}
"""

JINJA_TEMPLATE = """\
{% if production %}
replicas: 3
{% else %}
replicas: 1
{% endif %}
image: "{{ image }}"
"""


def test_a_kubernetes_manifest_named_app_yaml_is_read_as_one() -> None:
    result = parse(K8S_MANIFESTS)
    assert result.kind == "kubernetes" and result.warnings == []
    (web,) = result.commands
    assert web.web and [(v.name, v.value) for v in web.env] == [("FLASK_DEBUG", "1")]


@pytest.mark.parametrize("text", [
    HELM_TEMPLATE,
    JINJA_TEMPLATE,
    "- a\n- [unclosed\n",  # a top level that is not a mapping, and broken
    "plain text that is not YAML: at all: \"\n",
    "name: tool\n  runtime: nested, not top-level\n bad: indent\n",
    "version: 1\n---\nversion: 2\n",
])
def test_other_tools_app_yaml_is_never_an_error(text: str) -> None:
    result = parse(text)
    assert (result.kind, result.commands, result.env, result.build_args, result.warnings) == (
        "appengine", [], [], [], [])


def test_quoted_marker_key_is_still_app_engine() -> None:
    result = parse('"runtime": python312\n"entrypoint": gunicorn -b :$PORT main:app\n')
    assert [c.argv for c in result.commands] == [("/bin/sh", "-c", "gunicorn -b :$PORT main:app")]


@pytest.mark.parametrize("text, line", [
    ("runtime: python312\nentrypoint: gunicorn main:app\n---\nkind: Service\n", 3),
    ("entrypoint: gunicorn main:app\nenv_variables:\n  A: {{ .Values.a }\n", 3),
    ("\ufeffruntime: python312\nenv_variables:\n  A: 1\n B: 2\n", 4),
])
def test_app_engine_looking_file_that_does_not_parse_raises(text: str, line: int) -> None:
    with pytest.raises(DeployParseError) as info:
        parse(text)
    assert info.value.line == line
    assert info.value.message.startswith("invalid YAML")
