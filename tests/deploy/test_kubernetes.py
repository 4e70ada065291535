"""Kubernetes manifests: workload containers' command/args and env, multi-document files, the content gate."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import classify, kubernetes, may_matter
from flask_preflight.static.deploy.model import DeployParseError

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/shop:1.4
          command: ["gunicorn"]
          args:
            - --bind=0.0.0.0:8000
            - app:app  # preflight: ignore[PF404]
          workingDir: /srv/app
          env:
            - name: FLASK_DEBUG
              value: "0"
            - name: SECRET_KEY
              valueFrom:
                secretKeyRef: {name: shop, key: secret-key}
            - name: BASE_URL
              value: "https://$(HOST)/"
        - name: metrics
          image: prom/statsd-exporter
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: shop
              args: ["flask", "cleanup"]
              env:
                - {name: MODE, value: batch}
"""


def parse(text: str, path: str = "k8s/web.yaml"):
    return kubernetes.parse(text, path, "/srv/app/" + path)


def test_manifest() -> None:
    result = parse(MANIFEST)
    assert result.kind == "kubernetes" and result.warnings == [] and result.dev_reason == ""
    assert result.env == []  # each container's variables travel with its command, never as the file's
    every = [v for c in result.commands for v in c.env]
    assert [(v.name, v.value, v.origin.line) for v in every] == [
        ("FLASK_DEBUG", "0", 18), ("SECRET_KEY", None, 20), ("BASE_URL", "https://${HOST}/", 23), ("MODE", "batch", 50)]
    assert not every[2].literal  # $(HOST) is another variable
    app, job = result.commands  # the sidecar runs its image's command with no variables: nothing to judge
    assert app.argv == ("gunicorn", "--bind=0.0.0.0:8000", "app:app")
    assert app.source == "Deployment `web` container `app` command + args" and app.web and app.workdir == "/srv/app"
    assert [(start, o.line, o.end_line) for start, o in app.origins] == [(0, 12, 12), (1, 13, 15)]
    assert app.origin_at(0).line == 12 and app.origin_at(2).line == 13
    assert [v.name for v in app.env] == ["FLASK_DEBUG", "SECRET_KEY", "BASE_URL"]
    assert job.argv == ("flask", "cleanup") and not job.web and job.source == "CronJob `nightly` container `job` args"
    assert result.suppressions == {15: frozenset({"PF404"})}


@pytest.mark.parametrize("kind, path", [
    ("Pod", "spec:\n  containers:\n"),
    ("StatefulSet", "spec:\n  template:\n    spec:\n      containers:\n"),
    ("Job", "spec:\n  template:\n    spec:\n      containers:\n"),
])
def test_pod_spec_locations(kind, path) -> None:
    depth = path.count("\n")
    indent = "  " * depth
    text = f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: x}}\n{path}{indent}- name: c\n{indent}  command: [flask, run]\n"
    (only,) = parse(text).commands
    assert only.argv == ("flask", "run") and only.web == (kind != "Job")


def test_container_without_command_runs_the_image_cmd() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      image: shop\n      env:\n" \
           "        - name: FLASK_DEBUG\n          value: '1'\n"
    result = parse(text)
    (image_cmd,) = result.commands  # no argv: only the environment the image's command runs with
    assert image_cmd.argv == () and image_cmd.source == "Pod `?` container `c`" and image_cmd.origin.line == 5
    assert [(v.name, v.value, v.origin.line) for v in image_cmd.env] == [("FLASK_DEBUG", "1", 8)]
    assert image_cmd.web and result.env == []


def test_dev_directories_count_only_inside_the_project(tmp_path) -> None:
    project = tmp_path / "dev" / "shop"  # checked from ~/dev/shop: the user's own folder is not an overlay
    (project / "k8s" / "overlays" / "dev").mkdir(parents=True)
    (project / "requirements.txt").write_text("flask\n")
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      command: [flask, run]\n"
    base = kubernetes.parse(text, "dev/shop/k8s/web.yaml", str(project / "k8s" / "web.yaml"))
    assert base.dev_reason == ""
    overlay = kubernetes.parse(text, "dev/shop/k8s/overlays/dev/web.yaml",
                               str(project / "k8s" / "overlays" / "dev" / "web.yaml"))
    assert overlay.dev_reason == "it is in a development overlay or directory (`dev/`)"


def test_template_syntax_in_a_comment_does_not_hide_the_manifest() -> None:
    text = ("# image tag is {{TAG}} in CI\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n"
            "      command: [flask, run]\n")
    assert [c.argv for c in parse(text).commands] == [("flask", "run")]
    assert parse(text.replace("[flask, run]", "[flask, run, {{ .Values.x }}]")).commands == []


@pytest.mark.parametrize("body, warning", [
    ("      command: flask run\n", "`command` of Pod `x` container `c` is not a list of strings; Kubernetes rejects it"),
    ("      env: {A: 1}\n", "`env` of Pod `x` container `c` is not a list"),
    ("      env:\n        - value: 1\n", "an `env` entry of Pod `x` container `c` has no `name`"),
])
def test_odd_shapes_are_warnings(body, warning) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: c\n" + body
    assert [reason for _, reason in parse(text).warnings] == [warning]


def test_invalid_yaml_in_a_manifest_is_an_error() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n     command: [x\n"
    with pytest.raises(DeployParseError) as err:
        parse(text)
    assert err.value.message.startswith("invalid YAML") and err.value.line is not None


WORKFLOW = "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: flask run\n"
HELM = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n" \
       "    spec:\n      containers:\n        - name: app\n          command: [\"flask\", \"run\"]\n" \
       "{{- if .Values.debug }}\n          env: [{name: FLASK_DEBUG, value: \"1\"}]\n{{- end }}\n"
OPENAPI = "openapi: 3.0.0\ninfo: {title: x, version: '1'}\ncomponents:\n  schemas:\n    Pod:\n      properties:\n" \
          "        kind: {type: string}\n        apiVersion: {type: string}\n"
BROKEN_NOT_OURS = "key: [unclosed\nkind: Deployment\n"


@pytest.mark.parametrize("text", [WORKFLOW, HELM, OPENAPI, BROKEN_NOT_OURS, "", "apiVersion: v1\nkind: ConfigMap\n"])
def test_other_yaml_is_never_parsed_or_reported(text) -> None:
    assert not may_matter("kubernetes", text) or text.startswith("apiVersion: v1\nkind: ConfigMap")
    result = parse(text)  # even when named on the command line
    assert result.commands == [] and result.env == [] and result.warnings == []


def test_content_gate() -> None:
    assert may_matter("kubernetes", MANIFEST)
    assert may_matter("kubernetes", "apiVersion: v1\nkind: 'Pod'  # a pod\n")
    assert not may_matter("kubernetes", "apiVersion: v1\nkind: Service\n")
    assert not may_matter("kubernetes", HELM)


def test_classify() -> None:
    assert classify("deployment.yaml") == classify("pod.yml") == "kubernetes"
    assert classify("docker-compose.yml") == "compose" and classify("app.yaml") == "appengine"
    assert classify("render.yaml") == "render" and classify("values.json") is None


def test_dev_overlays() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      command: [flask, run]\n"
    (only,) = parse(text, "k8s/overlays/dev/pod.yaml").commands
    assert only.dev_reason == "it is in a development overlay or directory (`dev/`)"
    assert parse(text, "k8s/overlays/prod/pod.yaml").commands[0].dev_reason == ""
