"""PF402 debug-env-enabled: deployment files that switch debug mode or the Werkzeug debugger on via the env.

Flask's own flag parser (``flask.helpers.get_debug_flag``) decides what counts as on: any non-empty value
except ``0``, ``false`` and ``no`` (case-insensitive).
"""

import pytest

APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
"""

GUNICORN_CMD = 'CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]'


def dockerfile(*middle: str, cmd: str = GUNICORN_CMD) -> str:
    """FROM on line 1, WORKDIR on line 2, ``middle`` from line 3, then the CMD."""
    return "\n".join(["FROM python:3.12-slim", "WORKDIR /app", *middle, "COPY . .", cmd]) + "\n"


# ---- positives -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on"])
def test_dockerfile_env_flask_debug_on(scan, value):
    found = scan({"Dockerfile": dockerfile(f"ENV FLASK_DEBUG={value}"), "app.py": APP}, select=["PF4"])
    assert found == [("PF402", "Dockerfile", 3, 5, "medium")]
    # gunicorn serves the app: debug mode without the debugger (the dev server makes it high, see below)
    assert scan.severity("PF402", 3) == "medium"
    assert f"FLASK_DEBUG={value}" in scan.message("PF402", 3)


def test_dockerfile_env_key_value_pairs_and_legacy_space_form(scan):
    text = dockerfile("ENV PYTHONUNBUFFERED=1 \\", "    FLASK_DEBUG=1", "ENV FLASK_ENV development")
    found = scan({"Dockerfile": text, "app.py": APP}, select=["PF4"])
    # A multi-line ENV is reported on the line that sets the variable.
    assert found == [("PF402", "Dockerfile", 4, 5, "medium"), ("PF402", "Dockerfile", 5, 5, "low")]
    assert "FLASK_ENV=development" in scan.message("PF402", 5)


def test_flask_debug_built_from_a_build_argument(scan):
    text = dockerfile("ARG DEBUG=1", "ENV FLASK_DEBUG=${DEBUG}")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == [("PF402", "Dockerfile", 4, 5, "medium")]


def test_final_stage_built_from_a_stage_with_debug_inherits_it(scan):
    text = """\
        FROM python:3.12-slim AS base
        ENV FLASK_DEBUG=1
        WORKDIR /app

        FROM base AS production
        COPY . .
        CMD ["gunicorn", "-w", "4", "app:app"]
        """
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == [("PF402", "Dockerfile", 2, 5, "medium")]


def test_compose_environment_mapping_and_list_forms(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn -w 4 -b 0.0.0.0:8000 app:app
            environment:
              FLASK_ENV: development
              FLASK_DEBUG: 1
          worker:
            build: .
            command: celery -A app.celery worker
            environment:
              - FLASK_DEBUG=true
              - CELERY_BROKER_URL=redis://redis:6379/0
          redis:
            image: redis:7
        """
    found = scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF402"])
    assert found == [
        ("PF402", "docker-compose.yml", 6, 7, "low"),
        ("PF402", "docker-compose.yml", 7, 7, "medium"),
        ("PF402", "docker-compose.yml", 12, 9, "medium"),
    ]
    # gunicorn and celery: debug mode without the debugger; FLASK_ENV is ignored by Flask >= 2.3
    assert [scan.severity("PF402", n) for n in (6, 7, 12)] == ["low", "medium", "medium"]


def test_off_is_on_for_flask(scan):
    # flask.helpers.get_debug_flag treats only "0", "false" and "no" as off: FLASK_DEBUG=off turns debug ON.
    compose = "services:\n  web:\n    build: .\n    environment:\n      FLASK_DEBUG: \"off\"\n"
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF402"]) == [("PF402", "docker-compose.yml", 5, 7, "medium")]


def test_compose_default_that_turns_debug_on_when_unset(scan):
    compose = """\
        services:
          web:
            build: .
            environment:
              FLASK_DEBUG: ${FLASK_DEBUG:-1}
        """
    assert scan({"compose.yaml": compose, "app.py": APP}, select=["PF402"]) == [("PF402", "compose.yaml", 5, 7, "medium")]
    assert "when FLASK_DEBUG is not set" in scan.message("PF402", 5)


def test_werkzeug_debug_pin_off_is_one_level_above_debug(scan):
    compose = """\
        services:
          web:
            build: .
            environment:
              WERKZEUG_DEBUG_PIN: "off"
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF402"]) == [("PF402", "docker-compose.yml", 5, 7, "high")]
    assert scan.severity("PF402", 5) == "high"  # one level above the variables of a gunicorn launch


def test_werkzeug_debug_pin_off_in_a_dev_compose_file_is_low(scan):
    compose = "services:\n  web:\n    environment:\n      - WERKZEUG_DEBUG_PIN=off\n"
    assert scan({"docker-compose.dev.yml": compose, "app.py": APP}, select=["PF402"]) == [("PF402", "docker-compose.dev.yml", 4, 9, "low")]
    assert scan.severity("PF402", 4) == "low"


def test_procfile_inline_assignment(scan):
    procfile = "web: FLASK_DEBUG=1 gunicorn --workers 3 app:app\nworker: rq worker\n"
    assert scan({"Procfile": procfile, "app.py": APP}, select=["PF402"]) == [("PF402", "Procfile", 1, 6, "medium")]
    assert scan.severity("PF402", 1) == "medium"


def test_systemd_environment_line(scan):
    unit = """\
        [Unit]
        Description=myapp

        [Service]
        Environment="FLASK_DEBUG=true" "DATABASE_URL=postgresql:///app"
        WorkingDirectory=/srv/myapp
        ExecStart=/srv/myapp/venv/bin/gunicorn --workers 3 --bind unix:/run/myapp.sock app:app

        [Install]
        WantedBy=multi-user.target
        """
    assert scan({"myapp.service": unit, "app.py": APP}, select=["PF402"]) == [("PF402", "myapp.service", 5, 14, "medium")]


def test_systemd_environment_file(scan):
    unit = """\
        [Service]
        EnvironmentFile=/srv/myapp/.env
        ExecStart=/srv/myapp/venv/bin/gunicorn -w 3 app:app
        """
    found = scan({"myapp.service": unit, ".env": "FLASK_DEBUG=1\n", "app.py": APP}, select=["PF402"])
    assert found == [("PF402", ".env", 1, 1, "medium")]
    assert scan.severity("PF402", 1) == "medium"  # loaded by a production gunicorn launch


def test_fly_toml_env_with_a_process(scan):
    fly = """\
        app = "flask-demo"

        [env]
          FLASK_DEBUG = "1"
          PORT = "8080"

        [processes]
          app = "gunicorn --workers 2 --bind 0.0.0.0:8080 app:app"
        """
    assert scan({"fly.toml": fly, "app.py": APP}, select=["PF402"]) == [("PF402", "fly.toml", 4, 3, "medium")]


def test_fly_toml_env_when_the_image_supplies_the_command(scan):
    # The usual fly.toml has no [processes]: Fly runs the Dockerfile CMD with [env] in its environment.
    fly = """\
        app = "flask-demo"
        primary_region = "fra"

        [env]
          FLASK_DEBUG = "1"

        [http_service]
          internal_port = 8000
          force_https = true
        """
    files = {"fly.toml": fly, "Dockerfile": dockerfile(), "app.py": APP}
    assert scan(files, select=["PF402"]) == [("PF402", "fly.toml", 5, 3, "medium")]
    assert scan.severity("PF402", 5) == "medium"


def test_app_engine_env_variables_with_entrypoint(scan):
    app_yaml = """\
        runtime: python312
        entrypoint: gunicorn -b :$PORT main:app
        env_variables:
          FLASK_DEBUG: "1"
        """
    assert scan({"app.yaml": app_yaml, "main.py": APP}, select=["PF402"]) == [("PF402", "app.yaml", 4, 3, "medium")]


def test_app_engine_env_variables_with_the_default_entrypoint(scan):
    # App Engine standard starts gunicorn itself when app.yaml has no entrypoint; env_variables still apply.
    app_yaml = """\
        runtime: python312
        env_variables:
          FLASK_ENV: development
        """
    assert scan({"app.yaml": app_yaml, "main.py": APP}, select=["PF402"]) == [("PF402", "app.yaml", 3, 3, "low")]
    assert scan.severity("PF402", 3) == "low"  # FLASK_ENV: ignored by Flask >= 2.3, gunicorn serves the app


def test_flask_env_is_not_reported_when_the_project_pins_a_flask_that_ignores_it(scan):
    """Flask 2.3 removed FLASK_ENV: with `Flask==3.0.2` pinned, `FLASK_ENV=development` in an env file does
    nothing. Tricky negatives beside it: `flask<2.3` is an upper bound (an old Flask may be installed), and a
    project whose own code reads FLASK_ENV (a config selector) keeps the finding, saying so."""
    env = "FLASK_ENV=development\nSECRET_KEY_FILE=/run/secrets/key\n"
    assert scan({"a/.env.example": env, "a/app.py": APP, "a/requirements.txt": "Flask==3.0.2\n"},
                select=["PF402"]) == []
    assert scan({"b/.env.example": env, "b/app.py": APP, "b/requirements.txt": "flask<2.3\n"},
                select=["PF402"]) == [("PF402", "b/.env.example", 1, 1, "low")]


UV_LOCK = """\
version = 1

[[package]]
name = "flask"
version = "{v}"
source = {{ registry = "https://pypi.org/simple" }}
"""


def pipfile_lock(version: str) -> str:
    return '{"_meta": {}, "default": {"flask": {"hashes": [], "version": "==%s"}}, "develop": {}}' % version


@pytest.mark.parametrize("lock_name,lock_text", [
    ("uv.lock", UV_LOCK.format(v="3.1.2")),
    ("poetry.lock", UV_LOCK.format(v="3.0.0").replace("source = {", "description = {")),
    ("Pipfile.lock", pipfile_lock("3.1.2")),
])
def test_flask_env_is_not_reported_when_a_lock_file_installs_flask_3(scan, lock_name, lock_text):
    """A lock file states the exact Flask that `uv sync`/`poetry install`/`pipenv install` installs, even
    when the declaration beside it is unpinned (`flask = "*"` in the Pipfile)."""
    env = "FLASK_ENV=development\n"
    assert scan({".env.example": env, "app.py": APP, "Pipfile": '[packages]\nflask = "*"\n',
                 lock_name: lock_text}, select=["PF402"]) == []


def test_flask_env_stays_when_the_lock_installs_an_old_flask_or_a_requirement_allows_one(scan):
    """Tricky negatives: a lock that installs Flask 2.2 keeps the finding; so does a requirements.txt that
    allows 2.2 beside a lock that says 3.1 (either may be what a build installs: the lowest counts)."""
    env = "FLASK_ENV=development\n"
    assert scan({"a/.env.example": env, "a/app.py": APP, "a/uv.lock": UV_LOCK.format(v="2.2.5")},
                select=["PF402"]) == [("PF402", "a/.env.example", 1, 1, "low")]
    assert scan({"b/.env.example": env, "b/app.py": APP, "b/uv.lock": UV_LOCK.format(v="3.1.2"),
                 "b/requirements.txt": "flask>=2.2\n"}, select=["PF402"]) == [("PF402", "a/.env.example", 1, 1, "low"),
                                                                  ("PF402", "b/.env.example", 1, 1, "low")]


def test_flask_env_with_a_major_only_bound_and_a_requirements_file_one_directory_down(scan):
    """`Flask>=3,<4` bounds the install at 3.0 from below; a root env file for a project whose requirements
    live in `backend/` is judged by them. Tricky negative: two subprojects, one of which allows Flask 2.2."""
    env = "FLASK_ENV=development\n"
    assert scan({"a/.env.example": env, "a/app.py": APP, "a/requirements.txt": "Flask>=3,<4\n"},
                select=["PF402"]) == []
    assert scan({"b/.env.example": env, "b/backend/app.py": APP, "b/backend/requirements.txt": "Flask==3.0.2\n"},
                select=["PF402"]) == []
    assert scan({"c/.env.example": env, "c/api/app.py": APP, "c/api/requirements.txt": "Flask==3.0.2\n",
                 "c/worker/requirements.txt": "flask==2.2.0\n"},
                select=["PF402"]) == [("PF402", "c/.env.example", 1, 1, "low")]


def test_flask_env_the_app_reads_itself_stays_with_a_pinned_flask_3(scan):
    env = "FLASK_ENV=development\n"
    app = APP + 'import os\napp.config["ENV_NAME"] = os.environ.get("FLASK_ENV", "production")\n'
    assert scan({".env.example": env, "app.py": app, "requirements.txt": "flask>=3.0\n"}, select=["PF402"]) == [
        ("PF402", ".env.example", 1, 1, "low")]
    assert "own Python reads FLASK_ENV" in scan.message("PF402", 1)


def test_dockerfile_without_cmd_relies_on_the_base_image(scan):
    # tiangolo/uwsgi-nginx-flask and similar base images bring their own CMD; ENV still reaches the app.
    text = "FROM tiangolo/uwsgi-nginx-flask:python3.11\nENV FLASK_DEBUG=1\nCOPY ./app /app\n"
    assert scan({"Dockerfile": text, "app/main.py": APP}, select=["PF402"]) == [("PF402", "Dockerfile", 2, 5, "medium")]


def test_entry_script_export(scan):
    text = dockerfile(cmd='CMD ["./entrypoint.sh"]')
    script = """\
        #!/bin/sh
        set -e
        export FLASK_DEBUG=1
        exec gunicorn --workers 4 --bind 0.0.0.0:8000 app:app
        """
    assert scan({"Dockerfile": text, "entrypoint.sh": script, "app.py": APP}, select=["PF402"]) == [("PF402", "entrypoint.sh", 3, 8, "medium")]


def test_gunicorn_raw_env(scan):
    conf = 'bind = "0.0.0.0:8000"\nworkers = 4\nraw_env = ["FLASK_DEBUG=1", "TZ=UTC"]\n'
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile(cmd='CMD ["gunicorn", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF402"]) == [("PF402", "gunicorn.conf.py", 3, 13, "high")]


def test_flask_run_command_line_switches(scan):
    compose = """\
        services:
          a:
            build: .
            command: flask run --host=0.0.0.0 --debugger
          b:
            build: .
            command: flask run --host=0.0.0.0 --reload
        """
    found = scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF402"])
    assert found == [("PF402", "docker-compose.yml", 4, 1, "high"), ("PF402", "docker-compose.yml", 7, 1, "medium")]
    assert scan.severity("PF402", 4) == "high"
    assert scan.severity("PF402", 7) == "medium"  # the reloader alone does not run code from the browser


# ---- .flaskenv: read only by `flask run` and app.run() ----------------------------------------------

def test_flaskenv_alone_with_gunicorn_is_low(scan):
    files = {".flaskenv": "FLASK_APP=app.py\nFLASK_DEBUG=1\n", "Dockerfile": dockerfile(), "app.py": APP}
    assert scan(files, select=["PF402"]) == [("PF402", ".flaskenv", 2, 1, "low")]
    assert scan.severity("PF402", 2) == "low"


def test_flaskenv_is_high_when_production_runs_flask_run(scan):
    text = dockerfile(cmd='CMD ["flask", "run", "--host=0.0.0.0"]')
    files = {".flaskenv": "FLASK_APP=app.py\nFLASK_DEBUG=1\n", "Dockerfile": text, "app.py": APP}
    found = scan(files, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 4, 1, "critical"), ("PF402", ".flaskenv", 2, 1, "high")]
    assert scan.severity("PF402", 2) == "high"
    assert scan.severity("PF401", 4) == "critical"
    assert ".flaskenv" in scan.message("PF401", 4)


def test_flaskenv_stays_low_when_only_a_development_procfile_runs_flask(scan):
    files = {".flaskenv": "FLASK_APP=app\nFLASK_DEBUG=1\n", "Procfile": "web: gunicorn -w 3 app:app\n",
             "Procfile.dev": "web: flask run\n", "app.py": APP}
    assert scan(files, select=["PF402"]) == [("PF402", ".flaskenv", 2, 1, "low")]
    assert scan.severity("PF402", 2) == "low"


# A .flaskenv a production launch loads itself (compose env_file, an entry script's `. ./.flaskenv`, `sh -c`)
# reaches the WSGI server's environment: debug mode is on under gunicorn, as with `ENV FLASK_DEBUG=1` (medium).
FLASKENV = "FLASK_APP=app\nFLASK_DEBUG=1\n"
ENTRY = '#!/bin/sh\nset -a\n. ./.flaskenv\nset +a\nexec gunicorn -w 4 -b 0.0.0.0:8000 app:app\n'


def test_flaskenv_sourced_by_the_entry_script_of_a_gunicorn_image_is_medium(scan):
    files = {".flaskenv": FLASKENV, "entrypoint.sh": ENTRY, "app.py": APP,
             "Dockerfile": dockerfile(cmd='ENTRYPOINT ["./entrypoint.sh"]')}
    assert scan(files, select=["PF4"]) == [("PF402", ".flaskenv", 2, 1, "medium")]


def test_flaskenv_sourced_by_a_sh_c_command_is_medium(scan):
    cmd = 'CMD ["sh", "-c", "set -a && . ./.flaskenv && exec gunicorn -w 4 -b 0.0.0.0:8000 app:app"]'
    files = {".flaskenv": FLASKENV, "Dockerfile": dockerfile(cmd=cmd), "app.py": APP}
    assert scan(files, select=["PF4"]) == [("PF402", ".flaskenv", 2, 1, "medium")]


def test_flaskenv_as_a_compose_env_file_is_medium(scan):
    compose = "services:\n  web:\n    build: .\n    env_file: .flaskenv\n    ports: ['127.0.0.1:8000:8000']\n"
    files = {".flaskenv": FLASKENV, "docker-compose.yml": compose, "Dockerfile": dockerfile(), "app.py": APP}
    assert scan(files, select=["PF4"]) == [("PF402", ".flaskenv", 2, 1, "medium")]


def test_flaskenv_sourced_only_under_a_guard_the_launch_rules_out_stays_low(scan):
    entry = ('#!/bin/sh\nif [ "$1" = "dev" ]; then\n  . ./.flaskenv\nfi\n'
             'exec gunicorn -w 4 -b 0.0.0.0:8000 app:app\n')
    files = {".flaskenv": FLASKENV, "entrypoint.sh": entry, "app.py": APP,
             "Dockerfile": dockerfile('ENTRYPOINT ["./entrypoint.sh"]', cmd='CMD ["prod"]')}
    assert scan(files, select=["PF4"]) == [("PF402", ".flaskenv", 2, 1, "low")]


def test_flaskenv_sourced_by_a_worker_process_stays_low(scan):
    procfile = "web: gunicorn -w 3 app:app\nworker: sh -c '. ./.flaskenv && exec python worker.py'\n"
    files = {".flaskenv": FLASKENV, "Procfile": procfile, "app.py": APP}
    assert scan(files, select=["PF4"]) == [("PF402", ".flaskenv", 2, 1, "low")]


# ---- development and template files are low ---------------------------------------------------------

def test_override_compose_file_is_low(scan):
    compose = """\
        services:
          web:
            environment:
              FLASK_DEBUG: "1"
        """
    assert scan({"docker-compose.override.yml": compose, "app.py": APP}, select=["PF402"]) == [("PF402", "docker-compose.override.yml", 4, 7, "low")]
    assert scan.severity("PF402", 4) == "low"


def test_service_that_bind_mounts_the_source_tree_is_low(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn --reload -w 2 -b 0.0.0.0:8000 app:app
            volumes:
              - .:/app
            environment:
              - FLASK_DEBUG=1
        """
    found = scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF402"])
    assert found == [("PF402", "docker-compose.yml", 8, 9, "low")]
    assert scan.severity("PF402", 8) == "low"
    assert "bind-mounts" in scan.message("PF402", 8)


@pytest.mark.parametrize("name", [".env.example", ".env.development", ".env.local"])
def test_template_and_development_env_files_are_low(scan, name):
    assert scan({name: "FLASK_DEBUG=1\n", "Dockerfile": dockerfile(), "app.py": APP}, select=["PF402"]) == [
        ("PF402", name, 1, 1, "low")]
    assert scan.severity("PF402", 1) == "low"


def test_env_file_syntax_is_read_like_python_dotenv(scan):
    env = """\
        # local settings
        export FLASK_DEBUG=1
        FLASK_ENV="production"
        WERKZEUG_DEBUG_PIN='off'
        """
    files = {".env": env, "app.py": APP}
    assert scan(files, select=["PF402"]) == [("PF402", ".env", 2, 8, "medium"), ("PF402", ".env", 4, 1, "high")]


def test_quoted_false_values_in_env_files(scan):
    files = {".env": 'FLASK_DEBUG="0"\nFLASK_ENV=\'production\'\n', ".flaskenv": "FLASK_DEBUG=false\n", "app.py": APP}
    assert scan(files, select=["PF402"]) == []


def test_plain_env_file_not_loaded_by_any_launch_is_medium(scan):
    files = {".env": "DATABASE_URL=sqlite:///app.db\nFLASK_DEBUG=1\n", "Dockerfile": dockerfile(), "app.py": APP}
    assert scan(files, select=["PF402"]) == [("PF402", ".env", 2, 1, "medium")]
    assert scan.severity("PF402", 2) == "medium"


def test_dockerfile_dev_is_low(scan):
    assert scan({"Dockerfile.dev": dockerfile("ENV FLASK_DEBUG=1"), "app.py": APP}, select=["PF402"]) == [("PF402", "Dockerfile.dev", 3, 5, "low")]
    assert scan.severity("PF402", 3) == "low"


# ---- negatives ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "false", "False", "no", "", "${FLASK_DEBUG:-0}", "$FLASK_DEBUG"])
def test_values_that_leave_debug_off(scan, value):
    assert scan({"Dockerfile": dockerfile(f"ENV FLASK_DEBUG={value}"), "app.py": APP}, select=["PF402"]) == []


def test_compose_values_that_leave_debug_off(scan):
    compose = """\
        services:
          web:
            build: .
            environment:
              FLASK_DEBUG: "false"
              FLASK_ENV: production
              WERKZEUG_DEBUG_PIN: "1234-5678-9012"
          api:
            build: .
            environment:
              - FLASK_DEBUG=${FLASK_DEBUG:-0}
              - FLASK_DEBUG_TOOLBAR=1
              - FLASK_DEBUG
          worker:
            build: .
            environment:
              FLASK_DEBUG: ${FLASK_DEBUG}
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF402"]) == []


def test_builder_stage_env_never_reaches_the_final_image(scan):
    text = """\
        FROM node:20 AS assets
        ENV FLASK_DEBUG=1
        ENV NODE_ENV=development
        WORKDIR /src
        RUN npm ci && npm run build

        FROM python:3.12-slim
        WORKDIR /app
        COPY --from=assets /src/static ./static
        COPY . .
        CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]
        """
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == []


def test_flask_debug_mentioned_in_comments_and_unrelated_names(scan):
    text = dockerfile("# ENV FLASK_DEBUG=1  (uncomment for local debugging)", "ENV MY_FLASK_DEBUG=1 DEBUG_TOOLBAR=1")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == []


def test_suppression_on_the_line_above_a_dockerfile_env(scan):
    text = dockerfile("# preflight: ignore[PF402] - staging image, reviewed", "ENV FLASK_DEBUG=1")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == []


def test_suppression_for_another_rule_does_not_silence_pf402(scan):
    text = dockerfile("# preflight: ignore[PF406]", "ENV FLASK_DEBUG=1")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == [("PF402", "Dockerfile", 4, 5, "medium")]


def test_trailing_suppression_in_yaml_and_env_files(scan):
    compose = """\
        services:
          web:
            build: .
            env_file: .env
            environment:
              FLASK_DEBUG: "1"  # preflight: ignore[PF402]
        """
    env = "FLASK_ENV=development  # preflight: ignore[PF402]\n"
    assert scan({"docker-compose.yml": compose, ".env": env, "app.py": APP}, select=["PF402"]) == []


def test_release_line_is_not_the_running_app(scan):
    procfile = "release: flask db upgrade\nweb: gunicorn --workers 3 app:app\n"
    assert scan({"Procfile": procfile, "app.py": APP}, select=["PF402"]) == []


def test_later_env_instruction_turns_it_back_off(scan):
    text = dockerfile("ENV FLASK_DEBUG=1", "RUN pip install -r requirements.txt", "ENV FLASK_DEBUG=0")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF402"]) == []


def test_entry_script_that_sets_debug_only_when_asked_to(scan):
    # Like `if os.environ.get("DEBUG") == "1": app.debug = True` in Python: on only when the deployer opts in.
    script = """\
        #!/bin/sh
        if [ "$DEBUG" = "1" ]; then
            export FLASK_DEBUG=1
        fi
        exec gunicorn -w 4 -b 0.0.0.0:8000 app:app
        """
    text = dockerfile(cmd='ENTRYPOINT ["./entrypoint.sh"]')
    found = scan({"Dockerfile": text, "entrypoint.sh": script, "app.py": APP}, select=["PF402"])
    assert found == [("PF402", "entrypoint.sh", 3, 12, "low")]


# ---- `flask run --no-debugger`: Flask's run command keeps the debugger off even in debug mode -------------
# (flask/cli.py passes use_debugger=debugger when the option is given), so neither PF401 nor PF402 may say it is on.

APP_PLAIN = """\
from flask import Flask

app = Flask(__name__)
"""


def exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_debug_with_no_debugger_is_debug_mode_without_the_debugger(scan):
    procfile = "web: flask --app app --debug run --no-debugger --host 0.0.0.0\n"
    assert scan({"Procfile": procfile, "app.py": APP_PLAIN}, select=["PF401", "PF402"]) == [("PF401", "Procfile", 1, 1, "high"), ("PF402", "Procfile", 1, 1, "medium")]
    assert exact(scan) == [("PF401", "Procfile", 1, 1, "high"), ("PF402", "Procfile", 1, 1, "medium")]
    assert "interactive Werkzeug debugger" not in scan.message("PF401", 1)
    assert "keeps the interactive debugger off" in scan.message("PF402", 1)


def test_debug_alone_still_turns_the_debugger_on(scan):
    # the tricky neighbour: the same line without --no-debugger is the debugger on a public port
    procfile = "web: flask --app app --debug run --host 0.0.0.0\n"
    assert scan({"Procfile": procfile, "app.py": APP_PLAIN}, select=["PF401", "PF402"]) == [("PF401", "Procfile", 1, 1, "critical"), ("PF402", "Procfile", 1, 1, "high")]
    assert exact(scan) == [("PF401", "Procfile", 1, 1, "critical"), ("PF402", "Procfile", 1, 1, "high")]


def test_flask_debug_env_with_no_debugger_is_medium(scan):
    docker = "FROM python:3.12\nENV FLASK_DEBUG=1\nCMD flask run --no-debugger --host 0.0.0.0\n"
    assert scan({"Dockerfile": docker, "app.py": APP_PLAIN}, select=["PF401", "PF402"]) == [("PF401", "Dockerfile", 3, 1, "high"), ("PF402", "Dockerfile", 2, 5, "medium")]
    assert exact(scan) == [("PF401", "Dockerfile", 3, 1, "high"), ("PF402", "Dockerfile", 2, 5, "medium")]


# ---- an app-specific switch the launched code reads (`if os.getenv("DEBUG") == "1": app.run(debug=True)`) --------

SWITCHED_APP = """\
import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    if os.getenv("DEBUG") == "1":
        app.run(host="0.0.0.0", debug=True)
    else:
        app.run(host="0.0.0.0")
"""
SWITCH_DOCKERFILE = 'FROM python:3.12\nWORKDIR /srv/site\nCOPY . .\nCMD ["python", "app.py"]\n'


def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_app_specific_debug_switch_set_by_compose_is_reported_where_it_is_set(scan):
    compose = "services:\n  web:\n    build: .\n    ports:\n      - 5000:5000\n    environment:\n      - DEBUG=1\n"
    assert scan({"Dockerfile": SWITCH_DOCKERFILE, "docker-compose.yml": compose, "app.py": SWITCHED_APP},
         select=["PF401", "PF402"]) == [("PF401", "Dockerfile", 4, 1, "critical"), ("PF402", "docker-compose.yml", 7, 9, "high")]
    # the compose launch takes the debug branch: the debugger on a public port (critical); the variable that
    # picked the branch is a PF402 at the compose line (high: it reaches the development server)
    assert _exact(scan) == [("PF401", "Dockerfile", 4, 1, "critical"), ("PF402", "docker-compose.yml", 7, 9, "high")]
    assert "app.py:9 reads it" in scan.message("PF402", 7)


def test_app_specific_switch_with_a_value_that_takes_the_other_branch(scan):
    # the tricky neighbour: DEBUG=0 takes the else branch - the plain dev server, no PF402
    compose = "services:\n  web:\n    build: .\n    environment:\n      - DEBUG=0\n"
    assert scan({"Dockerfile": SWITCH_DOCKERFILE, "docker-compose.yml": compose, "app.py": SWITCHED_APP},
         select=["PF401", "PF402"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert _exact(scan) == [("PF401", "Dockerfile", 4, 1, "high")]


def test_code_mounted_over_the_image_workdir_makes_the_switch_low(scan):
    compose = ("services:\n  web:\n    build: .\n    volumes:\n      - ./src:/srv/site\n    environment:\n"
               "      - DEBUG=1\n")
    assert scan({"Dockerfile": SWITCH_DOCKERFILE, "docker-compose.yml": compose, "app.py": SWITCHED_APP},
         select=["PF401", "PF402"]) == [("PF401", "Dockerfile", 4, 1, "high"), ("PF402", "docker-compose.yml", 7, 9, "low")]
    # the image alone still runs the dev server (high); the mounted compose run is a local setup (low)
    assert _exact(scan) == [("PF401", "Dockerfile", 4, 1, "high"), ("PF402", "docker-compose.yml", 7, 9, "low")]


# ---- app-specific variables a config class turns into DEBUG ---------------------------------------------

BOOL_ENV_CONFIG = """\
import os


def bool_env(var_name, default=False):
    value = os.getenv(var_name, default)
    if value in ("False", "false", "0", "no"):
        return False
    return bool(value)


class BaseConfig:
    DEBUG = bool_env("DEBUG", False)
    SECRET_KEY = os.environ["SECRET_KEY"]
"""
CONFIGURED_APP = 'from flask import Flask\n\napp = Flask(__name__)\napp.config.from_object("settings.BaseConfig")\n'


def test_env_file_variable_that_the_config_reads_into_debug(scan):
    """`DEBUG = bool_env("DEBUG")`: a committed .env / a compose env file setting DEBUG=True switches debug mode
    on as FLASK_DEBUG does (medium under gunicorn, low in a development env file)."""
    files = {"settings.py": BOOL_ENV_CONFIG, "app.py": CONFIGURED_APP, "Dockerfile": dockerfile(),
             ".env": "DATABASE_URL=sqlite:///app.db\nDEBUG=True\n", ".env.dev": "DEBUG=yes\n"}
    assert scan(files, select=["PF402"]) == [("PF402", ".env", 2, 1, "medium"), ("PF402", ".env.dev", 1, 1, "low")]
    assert _exact(scan) == [("PF402", ".env", 2, 1, "medium"), ("PF402", ".env.dev", 1, 1, "low")]
    assert "settings.py:12" in scan.message("PF402", 2)


def test_env_file_variables_the_config_does_not_turn_into_debug(scan):
    """Tricky negatives: DEBUG=False, a variable of the same kind the config never reads into DEBUG, a test
    module's config class reading DEBUG (not the app's configuration), and a module-level DEBUG constant that
    only a `__main__` run passes on (gunicorn never runs it)."""
    test_config = "import os\n\nclass TestConfig:\n    DEBUG = os.getenv('TEST_DEBUG') == '1'\n"
    constants = "import os\n\nDEBUG = os.getenv('APP_DEBUG', 'False').lower() in ('true', '1')\n"
    launcher = ("from flask import Flask\nfrom constants import DEBUG\n\nserver = Flask(__name__)\n\n"
                "if __name__ == '__main__':\n    server.run(debug=DEBUG)\n")
    files = {"settings.py": BOOL_ENV_CONFIG, "app.py": CONFIGURED_APP, "Dockerfile": dockerfile(),
             "tests/conftest.py": test_config, "constants.py": constants, "launcher.py": launcher,
             ".env": "DEBUG=False\nVERBOSE=True\nTEST_DEBUG=1\nAPP_DEBUG=true\n"}
    assert scan(files, select=["PF402"]) == []
