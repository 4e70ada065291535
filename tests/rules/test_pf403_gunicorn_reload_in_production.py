"""PF403 gunicorn-reload-in-production: gunicorn's file-watching reloader in a production launch."""

import pytest

APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
"""


# ---- positives -----------------------------------------------------------------------------------

def test_procfile_reload(scan):
    procfile = "release: flask db upgrade\nweb: gunicorn app:app --reload\n"
    assert scan({"Procfile": procfile, "app.py": APP}, select=["PF4"]) == [("PF403", "Procfile", 2, 1, "medium")]
    assert scan.severity("PF403", 2) == "medium"


@pytest.mark.parametrize("cmd", [
    '["gunicorn", "--reload", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]',
    'gunicorn --workers=4 --bind=0.0.0.0:8000 --reload app:app',
    '["python", "-m", "gunicorn", "-w", "4", "--reload", "app:app"]',
    '["sh", "-c", "flask db upgrade && exec gunicorn -w 4 --reload -b 0.0.0.0:8000 app:app"]',
])
def test_dockerfile_cmd_reload(scan, cmd):
    dockerfile = f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD {cmd}\n"
    assert scan({"Dockerfile": dockerfile, "app.py": APP}, select=["PF4"]) == [("PF403", "Dockerfile", 4, 1, "medium")]
    assert scan.severity("PF403", 4) == "medium"
    assert "--reload" in scan.message("PF403", 4)


def test_reload_in_a_production_compose_service(scan):
    compose = """\
        services:
          web:
            image: registry.example.com/shop:1.4.2
            command: gunicorn --workers 4 --bind 0.0.0.0:8000 --reload shop.wsgi:app
          nginx:
            image: nginx:1.27
            ports:
              - "80:80"
        """
    assert scan({"docker-compose.prod.yml": compose, "shop/wsgi.py": APP}, select=["PF4"]) == [("PF403", "docker-compose.prod.yml", 4, 1, "medium")]


def test_reload_true_in_the_gunicorn_config_file(scan):
    conf = """\
        import multiprocessing

        bind = "0.0.0.0:8000"
        workers = multiprocessing.cpu_count() * 2 + 1
        reload = True
        accesslog = "-"
        """
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]\n'
    found = scan({"gunicorn.conf.py": conf, "Dockerfile": dockerfile, "app.py": APP}, select=["PF4"])
    # Reported once, where it is written; the launch that reads the file does not repeat it.
    assert found == [("PF403", "gunicorn.conf.py", 5, 1, "medium")]
    assert scan.severity("PF403", 5) == "medium"


def test_reload_in_a_config_found_by_gunicorns_default_name(scan):
    conf = 'workers = 4\nreload = 1\n'
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app"]\n'
    assert scan({"gunicorn.conf.py": conf, "Dockerfile": dockerfile, "app.py": APP}, select=["PF4"]) == [("PF403", "gunicorn.conf.py", 2, 1, "medium")]


def test_reload_in_gunicorn_cmd_args(scan):
    # gunicorn reads GUNICORN_CMD_ARGS as extra command-line arguments: --reload there is as live as on the CMD.
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        ENV GUNICORN_CMD_ARGS="--workers 4 --bind 0.0.0.0:8000 --reload"
        CMD ["gunicorn", "app:app"]
        """
    assert scan({"Dockerfile": dockerfile, "app.py": APP}, select=["PF4"]) == [("PF403", "Dockerfile", 4, 1, "medium")]


def test_reload_through_an_entry_script(scan):
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./start.sh"]\n'
    start = """\
        #!/usr/bin/env bash
        set -euo pipefail
        python manage.py db upgrade
        exec gunicorn --workers "${WORKERS:-4}" --bind "0.0.0.0:${PORT:-8000}" --reload app:app
        """
    assert scan({"Dockerfile": dockerfile, "start.sh": start, "app.py": APP}, select=["PF403"]) == [("PF403", "start.sh", 4, 1, "medium")]


# ---- development setups are low ------------------------------------------------------------------

def test_bind_mounted_service_is_low(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn --reload --bind 0.0.0.0:8000 app:app
            volumes:
              - .:/app
            ports:
              - "8000:8000"
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF4"]) == [("PF403", "docker-compose.yml", 4, 1, "low")]
    assert scan.severity("PF403", 4) == "low"
    assert "bind-mounts" in scan.message("PF403", 4)


def test_development_procfile_and_config_are_low(scan):
    files = {
        "Procfile.dev": "web: gunicorn app:app --reload\n",
        "gunicorn_dev.py": "reload = True\n",
        "app.py": APP,
    }
    assert scan(files, select=["PF403"]) == [("PF403", "Procfile.dev", 1, 1, "low"), ("PF403", "gunicorn_dev.py", 1, 1, "low")]
    assert [f.severity.value for f in scan.findings] == ["low", "low"]


# ---- negatives -------------------------------------------------------------------------------------

def test_no_reload(scan):
    files = {
        "Procfile": "web: gunicorn --workers 3 --bind 0.0.0.0:$PORT app:app\n",
        "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD ["gunicorn", "-w", "4", "app:app"]\n',
        "app.py": APP,
    }
    assert scan(files, select=["PF403"]) == []


def test_reload_related_options_that_do_not_turn_the_reloader_on(scan):
    # --reload-engine and --reload-extra-file only configure the reloader; without --reload it is off.
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        CMD ["gunicorn", "-w", "4", "--reload-engine", "poll", "--reload-extra-file", "config.yaml", "app:app"]
        """
    assert scan({"Dockerfile": dockerfile, "app.py": APP}, select=["PF403"]) == []


@pytest.mark.parametrize("line", [
    "reload = False",
    "reload = os.environ.get('GUNICORN_RELOAD', 'false').lower() == 'true'",
    "reload = bool(int(os.getenv('DEV', '0')))",
])
def test_config_reload_off_or_from_the_environment(scan, line):
    conf = f"import os\n\nbind = '0.0.0.0:8000'\nworkers = 4\n{line}\n"
    dockerfile = 'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD ["gunicorn", "app:app"]\n'
    assert scan({"gunicorn.conf.py": conf, "Dockerfile": dockerfile, "app.py": APP}, select=["PF403"]) == []


def test_other_servers_and_flask_run_reload_are_not_gunicorn(scan):
    compose = """\
        services:
          api:
            build: .
            command: uvicorn asgi:app --host 0.0.0.0 --reload
          web:
            build: .
            command: ["waitress-serve", "--port=8080", "app:app"]
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF403"]) == []


def test_worker_procfile_line_is_not_served(scan):
    procfile = "web: gunicorn -w 3 app:app\nscheduler: gunicorn --reload scheduler:app\n"
    assert scan({"Procfile": procfile, "app.py": APP}, select=["PF403"]) == []


def test_reload_in_a_builder_stage_command_is_not_the_image_command(scan):
    dockerfile = """\
        FROM python:3.12-slim AS dev
        WORKDIR /app
        COPY . .
        CMD ["gunicorn", "--reload", "app:app"]

        FROM python:3.12-slim
        WORKDIR /app
        COPY --from=dev /app /app
        CMD ["gunicorn", "--workers", "4", "app:app"]
        """
    assert scan({"Dockerfile": dockerfile, "app.py": APP}, select=["PF403"]) == []


def test_suppressed_in_the_procfile_and_the_config(scan):
    files = {
        "Procfile": "web: gunicorn app:app --reload  # preflight: ignore[PF403]\n",
        "gunicorn.conf.py": "# preflight: ignore[PF403]\nreload = True\n",
        "app.py": APP,
    }
    assert scan(files, select=["PF403"]) == []
