"""PF401/PF402/PF406 through Kubernetes manifests; other YAML (CI, Helm templates, OpenAPI) stays silent."""

from .deploy_apps import APP, APP_DEBUG_MAIN, KEY


def deployment(container: str) -> str:
    """A Deployment whose single container starts on line 10 (``- name: app``)."""
    head = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n"
            "    spec:\n      containers:\n        - name: app\n          image: shop:1.0\n")
    return head + "".join(f"          {line}\n" for line in container.strip("\n").split("\n"))


def test_flask_run_with_flask_debug_and_a_literal_secret(scan):
    manifest = deployment(f"""
command: ["flask", "run", "--host", "0.0.0.0"]
env:
  - name: FLASK_DEBUG
    value: "1"
  - name: SECRET_KEY
    value: {KEY}
""")  # command on line 12, FLASK_DEBUG 14, SECRET_KEY 16
    assert scan({"k8s/deployment.yaml": manifest, "app.py": APP}, select=["PF4"]) == [
        ("PF401", "k8s/deployment.yaml", 12, 1, "critical"),
        ("PF402", "k8s/deployment.yaml", 14, 21, "high"),
        ("PF406", "k8s/deployment.yaml", 16, 21, "high"),
    ]
    assert scan.severity("PF401", 12) == "critical"
    assert "Deployment `web` container `app` command" in scan.message("PF401", 12)
    assert scan.severity("PF402", 14) == "high" and scan.severity("PF406", 16) == "high"


def test_python_script_with_debug_run_in_args(scan):
    manifest = deployment('args: ["python", "app.py"]')
    assert scan({"deploy/web.yml": manifest, "app.py": APP_DEBUG_MAIN}) == [("PF103", "app.py", 6, 18, "medium"),
                                                                         ("PF401", "deploy/web.yml", 12, 1, "critical")]
    assert scan.severity("PF401", 12) == "critical"


def test_multi_document_file(scan):
    manifest = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n"
                "apiVersion: v1\nkind: Pod\nmetadata: {name: debug}\nspec:\n  containers:\n"
                "    - name: c\n      command: [flask, run, --host=0.0.0.0]\n")
    assert scan({"pod.yaml": manifest, "app.py": APP}, select=["PF4"]) == [("PF401", "pod.yaml", 11, 1, "high")]


def test_negatives(scan):
    manifest = deployment("""
command: ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]
env:
  - name: FLASK_DEBUG
    value: "0"
  - name: SECRET_KEY
    valueFrom:
      secretKeyRef: {name: shop, key: secret-key}
""")
    job = ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n"
           "      containers:\n        - name: m\n          command: [flask, db, upgrade]\n")
    assert scan({"k8s/deployment.yaml": manifest, "k8s/job.yaml": job, "app.py": APP}, select=["PF4"]) == []


def test_image_cmd_only_still_reports_its_env(scan):
    manifest = deployment('env:\n  - {name: FLASK_DEBUG, value: "1"}')
    assert scan({"k8s/deployment.yaml": manifest, "app.py": APP}, select=["PF4"]) == [("PF402", "k8s/deployment.yaml", 13, 1, "medium")]
    assert scan.severity("PF402", 13) == "medium"


def test_other_yaml_is_silent(scan):
    workflow = """\
        name: CI
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            env:
              FLASK_DEBUG: "1"
              SECRET_KEY: 4f9c2a7e1b8d6035c9e1f7a2b4d8e6c0
            steps:
              - run: flask run --host 0.0.0.0 &
        """
    helm = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: app\n          command: [flask, run]\n"
            "          env:\n            - {name: SECRET_KEY, value: {{ .Values.key | quote }}}\n")
    mkdocs = "site_name: Shop\nnav:\n  - Home: index.md\nmarkdown_extensions: [toc\n"  # even broken YAML
    openapi = "openapi: 3.0.0\ninfo: {title: shop, version: '1'}\npaths: {}\n"
    files = {".github/workflows/ci.yml": workflow, "chart/templates/deployment.yaml": helm, "mkdocs.yml": mkdocs,
             "openapi.yaml": openapi, "app.py": APP}
    assert scan(files) == []


def test_unreadable_or_huge_yaml_in_a_tree_is_not_a_problem(tmp_path):
    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    (tmp_path / "data.yaml").write_bytes(b"\x00\x01binary")
    (tmp_path / "latin1.yml").write_bytes(b"name: caf\xe9\n")
    (tmp_path / "big.yaml").write_text("items:\n" + "  - x\n" * 50_000, encoding="utf-8")
    settings = Settings(project_root=str(tmp_path), respect_gitignore=False)
    settings.max_file_size = 100_000
    assert run_check([str(tmp_path)], settings).problems == []
    # named on the command line, the file is still reported
    problems = run_check([str(tmp_path / "data.yaml")], settings).problems
    assert [p.path.endswith("data.yaml") for p in problems] == [True]


def test_broken_manifest_is_one_problem(tmp_path):
    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n", encoding="utf-8")
    (problem,) = run_check([str(tmp_path)], Settings(project_root=str(tmp_path), respect_gitignore=False)).problems
    assert problem.path.endswith("pod.yaml") and "cannot parse Kubernetes manifest: invalid YAML" in problem.describe()


def test_each_container_without_a_command_reports_its_own_env(scan):
    doc = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  template:\n    spec:\n"
           "      containers:\n        - name: app\n          env:\n            - {{name: FLASK_DEBUG, value: \"{value}\"}}\n")
    manifest = doc.format(name="web", value="1") + "---\n" + doc.format(name="api", value="0")
    assert scan({"k8s/apps.yaml": manifest, "app.py": APP}, select=["PF4"]) == [("PF402", "k8s/apps.yaml", 10, 1, "medium")]


def test_dangling_yaml_symlink_is_not_a_problem(tmp_path):
    import os

    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    os.symlink(tmp_path / "missing.yaml", tmp_path / "values.yaml")
    os.symlink(tmp_path / "missing.service", tmp_path / "app.service")
    problems = run_check([str(tmp_path)], Settings(project_root=str(tmp_path), respect_gitignore=False)).problems
    assert [p.path.rsplit("/", 1)[-1] for p in problems] == ["app.service"]


def test_a_suppression_on_the_value_line_covers_the_variable(scan):
    manifest = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: web\n      command: [gunicorn, app:app]\n"
                "      env:\n        - name: SECRET_KEY\n"
                f"          value: \"{KEY}\"  # preflight: ignore[PF406]\n"
                "        - name: FLASK_SECRET_KEY\n"
                f"          value: \"{KEY}\"\n")
    found = scan({"k8s/pod.yaml": manifest, "app.py": APP}, select=["PF406"])
    assert found == [("PF406", "k8s/pod.yaml", 10, 17, "high")]
