"""PF404 gunicorn-workers-misconfigured: the single default sync worker, a huge hard-coded count, or
``--preload`` hiding a per-process secret key (PF203)."""

import pytest

APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
"""

APP_RANDOM_KEY = """\
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.urandom(24)


@app.get("/")
def index():
    return "ok"
"""  # PF203 on line 6


def dockerfile(cmd: str, *env: str) -> str:
    """FROM line 1, WORKDIR line 2, ``env`` from line 3, COPY, then CMD."""
    return "\n".join(["FROM python:3.12-slim", "WORKDIR /app", *env, "COPY . .", f"CMD {cmd}"]) + "\n"


# ---- the default single worker -----------------------------------------------------------------------

@pytest.mark.parametrize("cmd", [
    '["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]',
    'gunicorn -b 0.0.0.0:8000 app:app',
    '["gunicorn", "-k", "sync", "-b", "0.0.0.0:8000", "app:app"]',
    '["gunicorn", "--threads", "1", "app:app"]',
])
def test_default_single_sync_worker_in_a_dockerfile(scan, cmd):
    assert scan({"Dockerfile": dockerfile(cmd), "app.py": APP}, select=["PF4"]) == [("PF404", "Dockerfile", 4, 1, "low")]
    assert scan.severity("PF404", 4) == "low"
    assert "single synchronous worker" in scan.message("PF404", 4)


def test_default_worker_in_a_compose_command_and_a_systemd_unit(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn --bind 0.0.0.0:8000 app:app
          nginx:
            image: nginx:alpine
        """
    unit = "[Service]\nWorkingDirectory=/srv/app\nExecStart=/srv/app/.venv/bin/gunicorn --bind unix:/run/app.sock app:app\n"
    found = scan({"docker-compose.yml": compose, "app.service": unit, "app.py": APP}, select=["PF404"])
    assert found == [("PF404", "app.service", 3, 1, "low"), ("PF404", "docker-compose.yml", 4, 1, "low")]


def test_fly_process_without_workers(scan):
    # Fly does not set WEB_CONCURRENCY the way Heroku does.
    fly = 'app = "demo"\n\n[processes]\n  app = "gunicorn --bind 0.0.0.0:8080 app:app"\n'
    assert scan({"fly.toml": fly, "app.py": APP}, select=["PF404"]) == [("PF404", "fly.toml", 4, 1, "low")]


def test_microblog_style_boot_script(scan):
    # The Flask Mega-Tutorial's boot.sh: retry loop around the migration, then exec gunicorn (one worker).
    boot = """\
        #!/bin/bash
        source venv/bin/activate
        while true; do
            flask db upgrade
            if [[ "$?" == "0" ]]; then
                break
            fi
            echo Upgrade command failed, retrying in 5 secs...
            sleep 5
        done
        flask translate compile
        exec gunicorn -b :5000 --access-logfile - --error-logfile - microblog:app
        """
    dockerfile = """\
        FROM python:slim
        RUN useradd microblog
        WORKDIR /home/microblog
        COPY requirements.txt requirements.txt
        RUN python -m venv venv
        RUN venv/bin/pip install -r requirements.txt
        COPY app app
        COPY migrations migrations
        COPY microblog.py config.py boot.sh ./
        RUN chmod a+x boot.sh
        ENV FLASK_APP microblog.py
        USER microblog
        EXPOSE 5000
        ENTRYPOINT ["./boot.sh"]
        """
    files = {"boot.sh": boot, "Dockerfile": dockerfile, "microblog.py": "from app import create_app\napp = create_app()\n",
             "app/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"}
    assert scan(files, select=["PF4"]) == [("PF404", "boot.sh", 12, 1, "low")]


# ---- far too many workers ---------------------------------------------------------------------------

def test_workers_64_in_the_config_file(scan):
    conf = 'bind = "0.0.0.0:8000"\nworkers = 64\nthreads = 2\n'
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile('["gunicorn", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF404"]) == [("PF404", "gunicorn.conf.py", 2, 1, "low")]
    assert scan.severity("PF404", 2) == "low"
    assert "64" in scan.message("PF404", 2)


def test_workers_64_on_the_command_line(scan):
    assert scan({"Dockerfile": dockerfile('["gunicorn", "--workers", "64", "app:app"]'), "app.py": APP},
                select=["PF404"]) == [("PF404", "Dockerfile", 4, 1, "low")]
    assert "64 workers" in scan.message("PF404", 4)


def test_workers_in_gunicorn_cmd_args(scan):
    text = dockerfile('["gunicorn", "app:app"]', 'ENV GUNICORN_CMD_ARGS="--workers=48 --bind=0.0.0.0:8000"')
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF404"]) == [("PF404", "Dockerfile", 3, 1, "low")]


# ---- --preload with a per-process key ----------------------------------------------------------------

def test_preload_with_an_os_urandom_secret_key(scan):
    text = dockerfile('["gunicorn", "--preload", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]')
    found = scan({"Dockerfile": text, "app.py": APP_RANDOM_KEY}, select=["PF203", "PF404"])
    assert found == [("PF203", "app.py", 6, 28, "medium"), ("PF404", "Dockerfile", 4, 1, "low")]
    message = scan.message("PF404", 4)
    assert "--preload" in message and "PF203" in message
    related = next(f for f in scan.findings if f.rule_id == "PF404").related
    assert [(r.path.replace("\\", "/").rsplit("/", 1)[-1], r.line) for r in related] == [("app.py", 6)]


def test_preload_app_in_the_config_file_with_a_per_process_key(scan):
    conf = "import multiprocessing\n\nworkers = multiprocessing.cpu_count() * 2 + 1\npreload_app = True\n"
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile('["gunicorn", "app:app"]'), "app.py": APP_RANDOM_KEY}
    assert scan(files, select=["PF404"]) == [("PF404", "Dockerfile", 4, 1, "low")]


# ---- negatives -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", [
    '["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]',
    '["gunicorn", "-w", "1", "--threads", "8", "--timeout", "60", "app:app"]',
    '["gunicorn", "--workers=32", "app:app"]',
    '["gunicorn", "-w", "$WORKERS", "app:app"]',
    '["gunicorn", "-k", "gevent", "--worker-connections", "1000", "app:app"]',
    '["gunicorn", "--worker-class", "gthread", "--threads", "8", "app:app"]',
    '["gunicorn", "--threads", "8", "app:app"]',
    '["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "asgi:app"]',
    'gunicorn --workers "${GUNICORN_WORKERS:-4}" --bind "0.0.0.0:${PORT:-8000}" app:app',
])
def test_worker_settings_that_are_fine(scan, cmd):
    assert scan({"Dockerfile": dockerfile(cmd), "app.py": APP}, select=["PF404"]) == []


def test_web_concurrency_set_in_the_image(scan):
    text = dockerfile('["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]', "ENV WEB_CONCURRENCY=4")
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF404"]) == []


def test_web_concurrency_from_a_compose_env_file(scan):
    compose = "services:\n  web:\n    build: .\n    command: gunicorn -b 0.0.0.0:8000 app:app\n    env_file: .env.production\n"
    files = {"docker-compose.yml": compose, ".env.production": "WEB_CONCURRENCY=5\n", "app.py": APP}
    assert scan(files, select=["PF404"]) == []


def test_procfile_and_app_yaml_without_workers(scan):
    # Heroku (and Dokku) set WEB_CONCURRENCY for gunicorn; App Engine's own entrypoint guidance is the same.
    files = {
        "Procfile": "web: gunicorn app:app\nrelease: flask db upgrade\n",
        "app.yaml": "runtime: python312\nentrypoint: gunicorn -b :$PORT app:app\n",
        "app.py": APP,
    }
    assert scan(files, select=["PF404"]) == []


def test_workers_from_the_default_config_file(scan):
    conf = 'import multiprocessing\n\nbind = "0.0.0.0:8000"\nworkers = multiprocessing.cpu_count() * 2 + 1\n'
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile('["gunicorn", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF404"]) == []


def test_workers_read_from_the_environment_in_the_config_file(scan):
    conf = 'import os\n\nworkers = int(os.environ.get("WEB_CONCURRENCY", 4))\n'
    files = {"gunicorn_config.py": conf, "app.py": APP,
             "Dockerfile": dockerfile('["gunicorn", "--config", "gunicorn_config.py", "app:app"]')}
    assert scan(files, select=["PF404"]) == []


def test_preload_with_a_secret_key_from_the_environment(scan):
    app = APP.replace('app = Flask(__name__)\n', 'app = Flask(__name__)\napp.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n')
    app = "import os\n\n" + app
    text = dockerfile('["gunicorn", "--preload", "--workers", "4", "app:app"]')
    assert scan({"Dockerfile": text, "app.py": app}, select=["PF404"]) == []


def test_development_compose_is_not_judged_for_workers(scan):
    compose = "services:\n  web:\n    build: .\n    command: gunicorn --workers 64 app:app\n"
    assert scan({"docker-compose.override.yml": compose, "app.py": APP}, select=["PF404"]) == []


def test_gunicorn_in_a_release_line_is_not_served(scan):
    procfile = "web: waitress-serve --port=$PORT app:app\nworker: gunicorn --workers 100 metrics:app\n"
    assert scan({"Procfile": procfile, "app.py": APP}, select=["PF404"]) == []


def test_config_given_as_a_python_module(scan):
    files = {"myapp/__init__.py": "", "myapp/gunicorn_conf.py": "workers = 4\n", "app.py": APP,
             "Dockerfile": dockerfile('["gunicorn", "--config", "python:myapp.gunicorn_conf", "app:app"]')}
    assert scan(files, select=["PF404"]) == []


def test_async_worker_class_in_the_default_config(scan):
    files = {"gunicorn.conf.py": 'worker_class = "gevent"\nworker_connections = 1000\n', "app.py": APP,
             "Dockerfile": dockerfile('["gunicorn", "app:app"]')}
    assert scan(files, select=["PF404"]) == []


def test_config_file_outside_the_working_directory_is_not_read(scan):
    # gunicorn reads ./gunicorn.conf.py from its working directory (/app) only; /app/deploy/gunicorn.conf.py
    # is used only with `-c deploy/gunicorn.conf.py`, so this launch runs the default single worker.
    files = {"deploy/gunicorn.conf.py": "workers = 4\n", "app.py": APP,
             "Dockerfile": dockerfile('["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]')}
    assert scan(files, select=["PF404"]) == [("PF404", "Dockerfile", 4, 1, "low")]


# ---- a lowercase `dockerfile`: docker build falls back to it when there is no `Dockerfile` ------------------

def test_lowercase_dockerfile_is_read(scan):
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"gunicorn\", \"--bind\", \":5001\", \"wsgi:app\"]\n"
    assert scan({"dockerfile": text, "wsgi.py": APP}, select=["PF404"]) == [("PF404", "dockerfile", 4, 1, "low")]
    assert [(f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings] == [
        ("PF404", "dockerfile", 4, 1, "low")]


def test_compose_build_without_dockerfile_name_uses_the_lowercase_file(scan):
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"gunicorn\", \"-w\", \"4\", \"wsgi:app\"]\n"
    compose = "services:\n  web:\n    build: .\n    environment:\n      FLASK_DEBUG: 1\n"
    found = scan({"dockerfile": text, "docker-compose.yml": compose, "wsgi.py": APP}, select=["PF402", "PF404"])
    # four workers: no PF404 (the tricky part: the image is found, and its CMD is a WSGI server, so medium)
    assert found == [("PF402", "docker-compose.yml", 5, 7, "medium")]
    assert scan.severity("PF402", 5) == "medium"


def test_a_file_merely_named_like_dockerfile_text_is_not_an_image(scan):
    assert scan({"dockerfile.txt.md": "CMD gunicorn app:app\n", "app.py": APP}, select=["PF404"]) == []


def test_heroku_container_run_command_without_workers(scan):
    # Heroku's Python buildpack sets WEB_CONCURRENCY; the container stack (heroku.yml) has no buildpack.
    text = "build:\n  docker:\n    web: Dockerfile\nrun:\n  web: gunicorn app:app\n  worker: python jobs.py\n"
    files = {"heroku.yml": text, "Dockerfile": dockerfile('["gunicorn", "-w", "4", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF404"]) == [("PF404", "heroku.yml", 5, 1, "low")]
    assert scan.severity("PF404", 5) == "low" and scan.findings[0].column == 1


def test_heroku_container_run_command_with_workers_or_concurrency(scan):
    text = ("build:\n  docker:\n    web: Dockerfile\n  config:\n    WEB_CONCURRENCY: 3\n"
            "run:\n  web: gunicorn -w 3 app:app\n")
    files = {"heroku.yml": text, "Dockerfile": dockerfile('["gunicorn", "-w", "4", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF404"]) == []


# ---- what gunicorn really loads: a -c file of any name, and options an entry script appends to "$@" ----------

SERVER_CONF = "import multiprocessing\n\nworkers = multiprocessing.cpu_count() * 2 + 1\nbind = '0.0.0.0:8000'\n"


def test_config_file_with_an_ordinary_name_sets_the_workers(scan):
    # gunicorn executes whatever -c names: config.py is its config here, whatever the file is called
    files = {"Dockerfile": "FROM python:3.12\nCOPY . .\nCMD gunicorn run:app --config=config.py\n",
             "config.py": SERVER_CONF, "run.py": APP}
    assert scan(files, select=["PF404"]) == []


def test_config_file_with_an_ordinary_name_without_workers_is_one_worker(scan):
    # the tricky neighbour: the file is read, and it leaves workers at gunicorn's default of one
    files = {"Dockerfile": "FROM python:3.12\nCOPY . .\nCMD gunicorn run:app --config=config.py\n",
             "config.py": "bind = '0.0.0.0:8000'\n", "run.py": APP}
    assert scan(files, select=["PF404"]) == [("PF404", "Dockerfile", 3, 1, "low")]
    assert scan.severity("PF404", 3) == "low"


ENTRY_APPENDS = """\
#!/bin/sh
set -eu
WORKERS="${GUNICORN_WORKERS:-4}"
if [ "$1" = "gunicorn" ]; then
    exec "$@" --workers "$WORKERS" --bind 0.0.0.0:80
fi
exec "$@"
"""
ENTRY_IMAGE = ('FROM python:3.12\nCOPY . /app\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n'
               'CMD ["gunicorn", "app:app"]\n')


def test_entry_script_that_appends_workers_to_the_cmd(scan):
    # gunicorn gets the CMD's words followed by what the script's `exec "$@" ...` line adds
    assert scan({"Dockerfile": ENTRY_IMAGE, "entrypoint.sh": ENTRY_APPENDS, "app.py": APP}, select=["PF404"]) == []


def test_entry_script_that_appends_workers_only_for_another_command(scan):
    # the tricky neighbour: the appending branch is for `$1 = gunicorn`; this CMD starts `python -m gunicorn`,
    # so the plain `exec "$@"` runs and gunicorn keeps its single worker
    image = ENTRY_IMAGE.replace('CMD ["gunicorn", "app:app"]', 'CMD ["python", "-m", "gunicorn", "app:app"]')
    found = scan({"Dockerfile": image, "entrypoint.sh": ENTRY_APPENDS, "app.py": APP}, select=["PF404"])
    assert found == [("PF404", "Dockerfile", 5, 1, "low")]
    assert scan.severity("PF404", 5) == "low"
