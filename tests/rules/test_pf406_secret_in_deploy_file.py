"""PF406 secret-in-deploy-file: a session-signing key written as a literal in a committed deployment file."""

import shutil
import subprocess

import pytest

APP = """\
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
"""

KEY = "4f9c2a7e1b8d6035c9e1f7a2b4d8e6c0"  # looks like a real key: no placeholder words, 32 characters


def dockerfile(*middle: str, cmd: str = 'CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]') -> str:
    """FROM line 1, WORKDIR line 2, ``middle`` from line 3, COPY, then CMD."""
    return "\n".join(["FROM python:3.12-slim", "WORKDIR /app", *middle, "COPY . .", cmd]) + "\n"


# ---- positives -----------------------------------------------------------------------------------

def test_dockerfile_env_literal(scan):
    assert scan({"Dockerfile": dockerfile(f"ENV SECRET_KEY={KEY}"), "app.py": APP}, select=["PF4"]) == [("PF406", "Dockerfile", 3, 5, "high")]
    assert scan.severity("PF406", 3) == "high"
    message = scan.message("PF406", 3)
    assert "docker history" in message
    assert KEY not in message  # never repeat the secret
    finding = next(f for f in scan.findings if f.rule_id == "PF406")
    assert KEY not in finding.evidence


@pytest.mark.parametrize("name", ["JWT_SECRET_KEY", "SECURITY_PASSWORD_SALT", "WTF_CSRF_SECRET_KEY",
                                  "FLASK_SECRET_KEY", "SECRET_KEY_FALLBACKS"])
def test_other_signing_secrets(scan, name):
    assert scan({"Dockerfile": dockerfile(f'ENV {name}="{KEY}"'), "app.py": APP}, select=["PF406"]) == [("PF406", "Dockerfile", 3, 5, "high")]


def test_dockerfile_arg_default(scan):
    # An ARG default is recorded in the image history and committed in the Dockerfile, even with no ENV.
    text = dockerfile(f"ARG SECRET_KEY={KEY}", "RUN flask assets build")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF406"]) == [("PF406", "Dockerfile", 3, 5, "high")]
    assert scan.severity("PF406", 3) == "high"


def test_dockerfile_arg_default_copied_into_env(scan):
    text = dockerfile(f"ARG SECRET_KEY={KEY}", "ENV SECRET_KEY=${SECRET_KEY}")
    found = scan({"Dockerfile": text, "app.py": APP}, select=["PF406"])
    # the literal is written on the ARG line, and the ENV line copies it into the image
    assert found == [("PF406", "Dockerfile", 3, 5, "high"), ("PF406", "Dockerfile", 4, 5, "high")]


def test_builder_stage_env_is_still_committed(scan):
    text = f"""\
        FROM python:3.12 AS build
        ENV SECRET_KEY={KEY}
        WORKDIR /src
        COPY . .
        RUN flask digest compile

        FROM python:3.12-slim
        COPY --from=build /src /app
        WORKDIR /app
        CMD ["gunicorn", "-w", "4", "app:app"]
        """
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF406"]) == [("PF406", "Dockerfile", 2, 5, "high")]


def test_dockerfile_without_cmd_on_a_base_image(scan):
    text = f"FROM tiangolo/uwsgi-nginx-flask:python3.11\nENV SECRET_KEY={KEY}\nCOPY ./app /app\n"
    assert scan({"Dockerfile": text, "app/main.py": APP}, select=["PF406"]) == [("PF406", "Dockerfile", 2, 5, "high")]
    assert scan.severity("PF406", 2) == "high"


def test_compose_literal(scan):
    compose = f"""\
        services:
          web:
            build: .
            command: gunicorn -w 4 -b 0.0.0.0:8000 app:app
            environment:
              DATABASE_URL: postgresql://app@db/app
              SECRET_KEY: "{KEY}"
          worker:
            build: .
            command: celery -A app.celery worker
            environment:
              - SECRET_KEY=s3cr3t-production-key
        """
    found = scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF406"])
    assert found == [("PF406", "docker-compose.yml", 7, 7, "high"), ("PF406", "docker-compose.yml", 12, 9, "high")]
    assert scan.severity("PF406", 7) == "high"
    assert scan.severity("PF406", 12) == "high"


def test_procfile_systemd_fly_and_app_yaml(scan):
    files = {
        "Procfile": f"web: SECRET_KEY={KEY} gunicorn -w 3 app:app\n",
        "deploy/app.service": f"[Service]\nEnvironment=SECRET_KEY={KEY}\nExecStart=/srv/venv/bin/gunicorn -w 3 app:app\n",
        "fly.toml": f'app = "demo"\n\n[env]\n  SECRET_KEY = "{KEY}"\n\n[processes]\n  app = "gunicorn -w 2 app:app"\n',
        "app.yaml": f'runtime: python312\nentrypoint: gunicorn -b :$PORT app:app\nenv_variables:\n  SECRET_KEY: "{KEY}"\n',
        "app.py": APP,
    }
    found = scan(files, select=["PF406"])
    assert found == [
        ("PF406", "Procfile", 1, 6, "high"),
        ("PF406", "app.yaml", 4, 3, "high"),
        ("PF406", "deploy/app.service", 2, 1, "high"),
        ("PF406", "fly.toml", 4, 3, "high"),
    ]
    assert all(f.severity.value == "high" for f in scan.findings)


def test_procfile_lines_that_do_not_serve_requests_are_still_committed(scan):
    # PF406 is about the file, not the launch: a key on a release/worker line is as public as on `web:`.
    procfile = f"release: SECRET_KEY={KEY} flask db upgrade\nweb: gunicorn -w 2 app:app\nworker: env JWT_SECRET_KEY={KEY} rq worker\n"
    assert scan({"Procfile": procfile, "app.py": APP}, select=["PF406"]) == [("PF406", "Procfile", 1, 10, "high"), ("PF406", "Procfile", 3, 13, "high")]
    assert scan.severity("PF406", 1) == "high"


def test_fly_toml_and_app_yaml_without_their_own_command(scan):
    # The common shapes: fly.toml runs the Dockerfile CMD, App Engine standard its default gunicorn entrypoint.
    files = {
        "fly.toml": f'app = "demo"\n\n[env]\n  SECRET_KEY = "{KEY}"\n\n[http_service]\n  internal_port = 8000\n',
        "gae/app.yaml": f'runtime: python312\nenv_variables:\n  SECRET_KEY: "{KEY}"\n',
        "Dockerfile": dockerfile(),
        "app.py": APP,
        "gae/main.py": APP,
    }
    assert scan(files, select=["PF406"]) == [("PF406", "fly.toml", 4, 3, "high"), ("PF406", "gae/app.yaml", 3, 3, "high")]


def test_entry_script_export(scan):
    script = f"#!/bin/sh\nexport SECRET_KEY='{KEY}'\nexec gunicorn -w 4 -b 0.0.0.0:8000 app:app\n"
    text = dockerfile(cmd='CMD ["./entrypoint.sh"]')
    assert scan({"Dockerfile": text, "entrypoint.sh": script, "app.py": APP}, select=["PF406"]) == [("PF406", "entrypoint.sh", 2, 8, "high")]


def test_gunicorn_raw_env(scan):
    files = {"gunicorn.conf.py": f'workers = 4\nraw_env = ["SECRET_KEY={KEY}"]\n', "app.py": APP,
             "Dockerfile": dockerfile(cmd='CMD ["gunicorn", "app:app"]')}
    assert scan(files, select=["PF406"]) == [("PF406", "gunicorn.conf.py", 2, 13, "high")]


def test_compose_anchor_shared_by_services_is_reported_once_where_written(scan):
    compose = f"""\
        x-app-env: &app-env
          SECRET_KEY: {KEY}
          DATABASE_URL: postgresql://app@db/app

        services:
          web:
            build: .
            command: gunicorn -w 4 -b 0.0.0.0:8000 app:app
            environment:
              <<: *app-env
          worker:
            build: .
            command: celery -A app.celery worker
            environment:
              <<: *app-env
              QUEUE: default
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF406"]) == [("PF406", "docker-compose.yml", 2, 3, "high")]


def test_compose_default_value_is_the_key_whenever_the_host_does_not_set_one(scan):
    # Like PF202's fail-open default: `${SECRET_KEY:-literal}` ships the literal when the variable is unset.
    compose = f"services:\n  web:\n    build: .\n    environment:\n      SECRET_KEY: ${{SECRET_KEY:-{KEY}}}\n"
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF406"]) == [("PF406", "docker-compose.yml", 5, 7, "high")]
    assert scan.severity("PF406", 5) in ("medium", "high")


def test_dockerfile_default_of_an_undeclared_variable_is_baked_in(scan):
    # Docker expands ENV at build time from ARG/ENV only; SECRET_KEY is neither, so the default is the value.
    text = dockerfile(f"ENV SECRET_KEY=${{SECRET_KEY:-{KEY}}}")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF406"]) == [("PF406", "Dockerfile", 3, 5, "high")]
    assert scan.severity("PF406", 3) == "high"


def test_development_compose_is_low(scan):
    compose = "services:\n  web:\n    build: .\n    environment:\n      SECRET_KEY: local-dev-only-key\n"
    assert scan({"docker-compose.override.yml": compose, "app.py": APP}, select=["PF406"]) == [("PF406", "docker-compose.override.yml", 5, 7, "low")]
    assert scan.severity("PF406", 5) == "low"


# ---- .env files and git ------------------------------------------------------------------------------

def test_env_file_outside_a_git_repository_is_medium(scan):
    # The scan directory is not a git repository, so whether .env is committed is unknown.
    assert scan({".env": f"SECRET_KEY={KEY}\n", "app.py": APP}, select=["PF406"]) == [("PF406", ".env", 1, 1, "medium")]
    assert scan.severity("PF406", 1) == "medium"
    assert "committed" in scan.message("PF406", 1)


def test_example_file_holding_a_real_looking_key_is_medium(scan):
    env = f"DATABASE_URL=postgresql://localhost/app\nSECRET_KEY={KEY}\n"
    assert scan({".env.example": env, "app.py": APP}, select=["PF406"]) == [("PF406", ".env.example", 2, 1, "medium")]
    assert scan.severity("PF406", 2) == "medium"


def _git(tmp_path, *args):
    subprocess.run(["git", *args], cwd=tmp_path, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_env_file_tracked_by_git_is_high(scan, tmp_path):
    (tmp_path / ".env").write_text(f"FLASK_APP=app.py\nSECRET_KEY={KEY}\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".env", "app.py")
    assert scan({}, select=["PF406"]) == [("PF406", ".env", 2, 1, "high")]
    assert scan.severity("PF406", 2) == "high"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_untracked_env_file_in_a_repository_is_where_secrets_belong(scan, tmp_path):
    (tmp_path / ".env").write_text(f"SECRET_KEY={KEY}\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text(".env\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".gitignore", "app.py")
    assert scan({}, select=["PF406"]) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_untracked_env_file_that_nothing_ignores_is_medium(scan, tmp_path):
    (tmp_path / ".env").write_text(f"SECRET_KEY={KEY}\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "app.py")
    assert scan({}, select=["PF406"]) == [("PF406", ".env", 1, 1, "medium")]
    assert scan.severity("PF406", 1) == "medium"
    assert "git add ." in scan.message("PF406", 1)


@pytest.mark.parametrize("name, text, expected", [
    (".env.production", "SECRET_KEY='kJ8$2mQ!vR7#pL4@wX9z'\n", (1, 1, "medium")),  # python-dotenv expands only ${...}
    ("docker-compose.yml", 'services:\n  web:\n    environment:\n      SECRET_KEY: "kJ8$$2mQ!vR7#pL4@wX9z"\n', (4, 7, "high")),
    ("Dockerfile", "FROM python:3.12-slim\nENV SECRET_KEY='p@ss$w0rd-kJ8mQvR7pL4wX9'\nCMD [\"gunicorn\", \"-w\", \"2\", \"app:app\"]\n",
     (2, 5, "high")),
])
def test_secrets_that_contain_a_dollar_sign_are_still_literals(scan, name, text, expected):
    assert scan({name: text, "app.py": APP}, select=["PF406"]) == [("PF406", name, *expected)]


def test_jwt_key_message_names_what_it_signs(scan):
    compose = f'services:\n  api:\n    environment:\n      JWT_SECRET_KEY: "{KEY}"\n'
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF406"]) == [("PF406", "docker-compose.yml", 4, 7, "high")]
    assert "JWT" in scan.message("PF406", 4) and "session cookies" not in scan.message("PF406", 4)


# ---- negatives -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["SECRET_KEY=", "SECRET_KEY=change-me", "SECRET_KEY=your-secret-key-here",
                                  "SECRET_KEY=<generate with: python -c 'import secrets; print(secrets.token_hex())'>",
                                  "SECRET_KEY=replace_me_in_production_please", "SECRET_KEY=xxxxxxxx"])
def test_example_file_placeholders(scan, line):
    assert scan({".env.example": f"FLASK_APP=app.py\n{line}\n", "app.py": APP}, select=["PF406"]) == []


def test_a_phrase_in_a_template_is_an_instruction_not_a_key(scan):
    """`need-to-generate-this` has no placeholder word but reads as a phrase (letter runs joined by single
    separators, no digit), which a generated key never does. Tricky negatives beside it: a long run of letters
    without separators and a hex key with hyphens still look like real keys."""
    files = {"a/.env.example": "SECRET_KEY=need-to-generate-this\n", "b/.env.example": "SECRET_KEY=qZkVwPtrLmNbXcYhGfDs\n",
             "c/.env.example": "SECRET_KEY=4f9c2a7e-1b8d-6035-c9e1-f7a2b4d8e6c0\n", "app.py": APP}
    assert scan(files, select=["PF406"]) == [("PF406", "b/.env.example", 1, 1, "medium"),
                                             ("PF406", "c/.env.example", 1, 1, "medium")]


def test_short_example_value_is_a_placeholder(scan):
    assert scan({".env.sample": "SECRET_KEY=abc123\n", "app.py": APP}, select=["PF406"]) == []


def test_references_to_the_environment(scan):
    compose = """\
        services:
          web:
            build: .
            environment:
              SECRET_KEY: ${SECRET_KEY}
              JWT_SECRET_KEY: ${JWT_SECRET_KEY:?set it}
          worker:
            build: .
            environment:
              - SECRET_KEY
              - SECURITY_PASSWORD_SALT=$SALT
        """
    text = dockerfile("ARG SECRET_KEY", "ENV SECRET_KEY=$SECRET_KEY")
    files = {"docker-compose.yml": compose, "Dockerfile": text, "app.py": APP,
             "app.yaml": "runtime: python312\nenv_variables:\n  SECRET_KEY: ''\n"}
    assert scan(files, select=["PF406"]) == []


def test_names_that_are_not_signing_keys(scan):
    text = dockerfile("ENV SECRET_KEY_FILE=/run/secrets/flask_key",
                      "ENV AWS_SECRET_ACCESS_KEY_ID_NAME=prod STRIPE_PUBLISHABLE_KEY=pk_live_123",
                      "ENV SECRET_KEY_LENGTH=64")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF406"]) == []


def test_compose_secrets_block_is_the_fix(scan):
    compose = """\
        services:
          web:
            build: .
            environment:
              SECRET_KEY_FILE: /run/secrets/flask_secret_key
            secrets:
              - flask_secret_key
        secrets:
          flask_secret_key:
            file: ./secrets/flask_secret_key.txt
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF406"]) == []


def test_suppressions(scan):
    files = {
        "Dockerfile": dockerfile("# preflight: ignore[PF406] - throwaway key for the e2e image", f"ENV SECRET_KEY={KEY}"),
        "docker-compose.yml": f"services:\n  web:\n    build: .\n    environment:\n      SECRET_KEY: {KEY}  # preflight: ignore[PF406]\n",
        ".env": f"SECRET_KEY={KEY}  # preflight: ignore[PF406]\n",
        "app.py": APP,
    }
    assert scan(files, select=["PF406"]) == []


def test_key_generated_at_container_start(scan):
    # Not a committed secret (sessions break across restarts, but that is PF203's concern, not this rule's).
    script = """\
        #!/bin/sh
        export SECRET_KEY="$(python -c 'import secrets; print(secrets.token_hex(32))')"
        exec gunicorn -w 4 -b 0.0.0.0:8000 app:app
        """
    files = {"entrypoint.sh": script, "Dockerfile": dockerfile(cmd='CMD ["./entrypoint.sh"]'), "app.py": APP}
    assert scan(files, select=["PF406"]) == []


# ---- Kubernetes ConfigMap data ---------------------------------------------------------------------

CONFIG_MAP = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  FLASK_DEBUG: "1"
  SECRET_KEY: {KEY}
  DATABASE_URL: postgres://db/app
"""


def test_secret_in_a_config_map_is_committed(scan):
    # a ConfigMap is plain text in the repository (not a Secret); FLASK_DEBUG in it is not judged here,
    # since whether a container's environment gets it is decided by the workload (envFrom, configMapKeyRef)
    found = scan({"k8s/configmap.yml": CONFIG_MAP, "app.py": APP}, select=["PF4"])
    assert found == [("PF406", "k8s/configmap.yml", 7, 3, "high")]
    assert scan.severity("PF406", 7) == "high" and scan.findings[0].column == 3


@pytest.mark.parametrize("text", [
    CONFIG_MAP.replace(f"SECRET_KEY: {KEY}", "SECRET_KEY: ''"),  # empty
    CONFIG_MAP.replace("kind: ConfigMap", "kind: Secret"),  # a Secret object is not read
    CONFIG_MAP.replace(f"  SECRET_KEY: {KEY}\n", "") + f"binaryData:\n  SECRET_KEY: {KEY}\n",  # not data
    CONFIG_MAP.replace("data:\n", "data:\n  settings.cfg: |\n    x = 1\n"),  # a file, no secret name
])
def test_config_maps_without_a_committed_key(scan, text):
    if "settings.cfg" in text:
        text = text.replace(f"  SECRET_KEY: {KEY}\n", "")
    assert scan({"k8s/configmap.yml": text, "app.py": APP}, select=["PF4"]) == []


def test_config_map_in_a_development_directory_is_low(scan):
    assert scan({"k8s/dev/configmap.yml": CONFIG_MAP, "app.py": APP}, select=["PF406"]) == [("PF406", "k8s/dev/configmap.yml", 7, 3, "low")]
    assert scan.severity("PF406", 7) == "low"


# ---- compose documents and env templates under other names ------------------------------------------

def test_compose_document_under_another_name_is_read_by_content(scan):
    """`docker stack deploy -c stack.yml` and Portainer stacks take any file name: a top-level `services:`
    mapping of services (image/build) is a compose document wherever it lives."""
    stack = f"""\
        version: "3.8"
        services:
          web:
            image: example/shop:1.4
            environment:
              - SECRET_KEY={KEY}
          db:
            image: postgres:16
        """
    found = scan({"deploy/docker/stack.yaml": stack, "app.py": APP}, select=["PF406"])
    assert found == [("PF406", "deploy/docker/stack.yaml", 6, 9, "high")]
    assert scan.severity("PF406", 6) == "high"
    assert "committed to the repository" in scan.message("PF406", 6)


def test_yaml_with_services_that_is_not_compose(scan):
    """Tricky negatives: a CI pipeline whose side-car `services:` configure a throw-away test container, a
    `services:` list (another tool's format), and services entries without image/build (a service catalogue)."""
    pipeline = f"""\
        steps:
          test:
            image: python:3.12
            commands: [pytest]
        services:
          app:
            image: example/shop:ci
            environment:
              SECRET_KEY: {KEY}
        """
    catalogue = f"services:\n  billing:\n    owner: payments\n    SECRET_KEY: {KEY}\n"
    listed = f"services:\n  - name: web\n    image: example/shop\n    env:\n      SECRET_KEY: {KEY}\n"
    assert scan({".woodpecker/test.yaml": pipeline, "catalogue.yml": catalogue, "tool.yml": listed,
                 "app.py": APP}, select=["PF406"]) == []


def test_env_template_named_without_the_leading_dot(scan):
    """`env.prod.sample` / `prod.env.example` are copied to `.env` like `.env.example`: a real-looking key in
    one is medium, a placeholder is not reported."""
    files = {"deploy/env.prod.sample": f"APP_NAME=shop\nSECRET_KEY={KEY}\n",
             "deploy/staging.env.example": "SECRET_KEY=change-me-to-a-long-random-string\n", "app.py": APP}
    assert scan(files, select=["PF406"]) == [("PF406", "deploy/env.prod.sample", 2, 1, "medium")]
    assert scan.severity("PF406", 2) == "medium"
    assert "looks like a real key" in scan.message("PF406", 2)


# ---- deployment files under a test directory configure a test: low ---------------------------------

def test_secret_in_a_test_fixture_dockerfile_is_low(scan):
    files = {"tests/fixtures/Dockerfile": dockerfile(f"ENV SECRET_KEY={KEY}"),
             "tests/docker-compose.yml": f"services:\n  web:\n    build: .\n    environment:\n      SECRET_KEY: {KEY}\n",
             "app.py": APP}
    assert scan(files, select=["PF4"]) == [("PF406", "tests/docker-compose.yml", 5, 7, "low"),
                                           ("PF406", "tests/fixtures/Dockerfile", 3, 5, "low")]
    assert scan.message("PF406", 3).endswith(" Reported as low because the file is in a test directory.")


def test_secret_in_a_directory_only_named_like_tests_is_high(scan):
    # `contests/` and `latest/` are not test directories (the whole path segment must be test/tests/testing)
    files = {"contests/Dockerfile": dockerfile(f"ENV SECRET_KEY={KEY}"),
             "latest/Dockerfile": dockerfile(f"ENV SECRET_KEY={KEY}"), "app.py": APP}
    assert scan(files, select=["PF406"]) == [("PF406", "contests/Dockerfile", 3, 5, "high"),
                                             ("PF406", "latest/Dockerfile", 3, 5, "high")]


def test_compose_interpolation_from_the_dotenv_is_reported_once_where_the_literal_is(scan):
    """Compose fills `${SECRET_KEY}` from the `.env` beside the compose file: the literal is written in the
    `.env` and reported there; the compose line only names a variable and is not called a literal. Tricky
    negative beside it: a `${SECRET_KEY:-literal}` fallback in the same compose file is written there."""
    compose = f"""\
        services:
          web:
            build: .
            environment:
              SECRET_KEY: ${{SECRET_KEY}}
          worker:
            build: .
            environment:
              SECRET_KEY: ${{WORKER_KEY:-{KEY}}}
        """
    files = {"docker-compose.yml": compose, ".env": f"SECRET_KEY={KEY}\n", "app.py": APP}
    assert scan(files, select=["PF406"]) == [(
        "PF406", ".env", 1, 1, "medium"), ("PF406", "docker-compose.yml", 9, 7, "high")]
    assert "fallback" in scan.message("PF406", 9)
