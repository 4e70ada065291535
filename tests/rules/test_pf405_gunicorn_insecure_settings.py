"""PF405 gunicorn-insecure-settings: trusting X-Forwarded-* from anyone, debug logging, no worker timeout,
and a compose project that publishes gunicorn with no proxy in front."""

import pytest

APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
"""


def dockerfile(cmd: str, *env: str) -> str:
    """FROM line 1, WORKDIR line 2, ``env`` from line 3, COPY, then CMD."""
    return "\n".join(["FROM python:3.12-slim", "WORKDIR /app", *env, "COPY . .", f"CMD {cmd}"]) + "\n"


# ---- forwarded_allow_ips = "*" ---------------------------------------------------------------------

@pytest.mark.parametrize("cmd, column", [
    ('["gunicorn", "-w", "4", "--forwarded-allow-ips=*", "app:app"]', 30),
    ('["gunicorn", "-w", "4", "--forwarded-allow-ips", "*", "app:app"]', 30),
    ('gunicorn -w 4 --forwarded-allow-ips="*" app:app', 19),
    ("gunicorn -w 4 --forwarded-allow-ips '*' app:app", 19),
])
def test_forwarded_allow_ips_star_on_the_command_line(scan, cmd, column):
    """Reported on the option itself: the column of `--forwarded-allow-ips` in the CMD line."""
    assert scan({"Dockerfile": dockerfile(cmd), "app.py": APP}, select=["PF4"]) == [
        ("PF405", "Dockerfile", 4, column, "medium")]
    assert scan.severity("PF405", 4) == "medium"
    assert "X-Forwarded" in scan.message("PF405", 4)


def test_forwarded_allow_ips_star_in_the_config_file(scan):
    conf = 'bind = "0.0.0.0:8000"\nworkers = 4\nforwarded_allow_ips = "*"\n'
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile('["gunicorn", "app:app"]'), "app.py": APP}
    # Reported once, in the config file, not again at the launch that reads it.
    assert scan(files, select=["PF4"]) == [("PF405", "gunicorn.conf.py", 3, 1, "medium")]
    assert scan.severity("PF405", 3) == "medium"


def test_forwarded_allow_ips_environment_variable(scan):
    # gunicorn's default for forwarded_allow_ips is the FORWARDED_ALLOW_IPS environment variable.
    text = dockerfile('["gunicorn", "-w", "4", "app:app"]', 'ENV FORWARDED_ALLOW_IPS="*"')
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF405"]) == [("PF405", "Dockerfile", 3, 1, "medium")]


def test_forwarded_allow_ips_star_in_a_compose_project_without_a_proxy(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn -w 4 -b 127.0.0.1:8000 --forwarded-allow-ips="*" app:app
          redis:
            image: redis:7
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == [("PF405", "docker-compose.yml", 4, 46, "medium")]


# ---- log level and timeout -----------------------------------------------------------------------------

def test_loglevel_debug_and_timeout_zero_in_the_config(scan):
    conf = """\
        import multiprocessing

        bind = "0.0.0.0:8000"
        workers = multiprocessing.cpu_count() * 2 + 1
        loglevel = "debug"
        timeout = 0
        accesslog = "-"
        """
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile('["gunicorn", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF4"]) == [("PF405", "gunicorn.conf.py", 5, 1, "low"), ("PF405", "gunicorn.conf.py", 6, 1, "low")]
    assert scan.severity("PF405", 5) == "low"
    assert scan.severity("PF405", 6) == "low"
    assert "debug level" in scan.message("PF405", 5)
    assert "timeout" in scan.message("PF405", 6)


def test_loglevel_debug_on_the_command_line(scan):
    text = dockerfile('["gunicorn", "--workers", "4", "--log-level", "DEBUG", "app:app"]')
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF405"]) == [("PF405", "Dockerfile", 4, 37, "low")]
    assert scan.severity("PF405", 4) == "low"


def test_timeout_zero_on_the_command_line(scan):
    unit = """\
        [Service]
        WorkingDirectory=/srv/app
        ExecStart=/srv/app/venv/bin/gunicorn --workers 3 --timeout 0 --bind unix:/run/app.sock app:app
        """
    assert scan({"app.service": unit, "app.py": APP}, select=["PF405"]) == [("PF405", "app.service", 3, 50, "low")]


def test_loglevel_debug_in_gunicorn_cmd_args(scan):
    text = dockerfile('["gunicorn", "app:app"]', 'ENV GUNICORN_CMD_ARGS="--workers 4 --log-level debug"')
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF405"]) == [("PF405", "Dockerfile", 3, 36, "low")]


# ---- publishing gunicorn directly from compose (informational) ---------------------------------------------

@pytest.mark.parametrize("bind", ["0.0.0.0:8000", ":8000", "[::]:8000"])
def test_compose_publishes_gunicorn_on_all_interfaces_without_a_proxy(scan, bind):
    compose = f"""\
        services:
          web:
            build: .
            command: gunicorn --workers 4 --bind {bind} app:app
            ports:
              - "8000:8000"
          db:
            image: postgres:16
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == [("PF405", "docker-compose.yml", 4, 1, "low")]
    assert scan.severity("PF405", 4) == "low"
    assert "reverse-proxy" in scan.message("PF405", 4)


# ---- negatives -------------------------------------------------------------------------------------------

def test_forwarded_allow_ips_star_behind_a_platform_router(scan):
    files = {
        "Procfile": 'web: gunicorn --workers 3 --forwarded-allow-ips="*" app:app\n',
        "fly.toml": 'app = "demo"\n\n[processes]\n  app = "gunicorn -w 2 --forwarded-allow-ips=* -b 0.0.0.0:8080 app:app"\n',
        "app.yaml": "runtime: python312\nentrypoint: gunicorn -b :$PORT --forwarded-allow-ips='*' app:app\n",
        "app.py": APP,
    }
    assert scan(files, select=["PF405"]) == []


def test_forwarded_allow_ips_star_in_a_config_file_used_only_by_the_procfile(scan):
    # Whether "*" is safe depends on who can reach the port: here only Heroku's router can.
    files = {
        "Procfile": "web: gunicorn -c gunicorn.conf.py app:app\n",
        "gunicorn.conf.py": 'import os\n\nworkers = int(os.environ.get("WEB_CONCURRENCY", 2))\nforwarded_allow_ips = "*"\n',
        "app.py": APP,
    }
    assert scan(files, select=["PF405"]) == []


def test_forwarded_allow_ips_star_with_an_nginx_service_in_compose(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn -w 4 -b 0.0.0.0:8000 --forwarded-allow-ips="*" app:app
            expose:
              - "8000"
          nginx:
            image: nginx:1.27-alpine
            ports:
              - "80:80"
              - "443:443"
            depends_on:
              - web
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == []


def test_proxy_built_from_a_local_directory(scan):
    compose = """\
        services:
          app:
            build: .
            command: gunicorn -w 4 -b 0.0.0.0:5000 --forwarded-allow-ips "*" app:app
            ports:
              - "5000:5000"
          proxy:
            build: ./nginx
            ports:
              - "80:80"
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == []


def test_listed_proxy_addresses_info_logging_and_finite_timeout(scan):
    conf = """\
        import os

        bind = "0.0.0.0:8000"
        workers = 4
        forwarded_allow_ips = "10.0.0.5,10.0.0.6"
        loglevel = os.environ.get("LOG_LEVEL", "info")
        timeout = 30
        """
    text = dockerfile('["gunicorn", "--forwarded-allow-ips", "172.17.0.1", "--log-level", "info", "-t", "120", "app:app"]')
    assert scan({"gunicorn.conf.py": conf, "Dockerfile": text, "app.py": APP}, select=["PF405"]) == []


def test_zero_in_other_options_is_not_a_zero_timeout(scan):
    text = dockerfile('["gunicorn", "-w", "4", "--graceful-timeout", "0", "--keep-alive", "0", "--max-requests", "0", "app:app"]')
    assert scan({"Dockerfile": text, "app.py": APP}, select=["PF405"]) == []


def test_0000_in_unrelated_strings_and_local_only_ports(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn --workers 4 --bind 0.0.0.0:8000 app:app
            environment:
              ALLOWED_HOSTS: "0.0.0.0,localhost"
              SERVER_NAME: 0.0.0.0:8000
            ports:
              - "127.0.0.1:8000:8000"
            healthcheck:
              test: ["CMD", "curl", "-f", "http://0.0.0.0:8000/health"]
          worker:
            build: .
            command: celery -A app.celery worker --loglevel=debug
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == []


def test_compose_port_published_by_another_service(scan):
    # adminer publishes 8080; the gunicorn service publishes nothing, so clients cannot reach it directly.
    compose = """\
        services:
          web:
            build: .
            command: gunicorn -w 4 --bind 0.0.0.0:8000 app:app
            expose:
              - "8000"
          adminer:
            image: adminer
            ports:
              - "8080:8080"
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == []


def test_compose_bind_without_published_ports(scan):
    compose = "services:\n  web:\n    build: .\n    command: gunicorn -w 4 -b 0.0.0.0:8000 app:app\n    expose:\n      - 8000\n"
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == []


def test_development_compose_is_not_judged(scan):
    compose = """\
        services:
          web:
            build: .
            command: gunicorn --reload --log-level debug --timeout 0 --forwarded-allow-ips="*" -b 0.0.0.0:8000 app:app
            volumes:
              - .:/app
            ports:
              - "8000:8000"
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP}, select=["PF405"]) == []


def test_suppressed_on_the_line_above_in_the_config(scan):
    conf = 'workers = 4\n# preflight: ignore[PF405] - only the ALB can reach this port (security group)\nforwarded_allow_ips = "*"\n'
    files = {"gunicorn.conf.py": conf, "Dockerfile": dockerfile('["gunicorn", "app:app"]'), "app.py": APP}
    assert scan(files, select=["PF405"]) == []


# ---- every spelling gunicorn's own parser accepts; a mount in the deployed compose file -----------------------

def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


@pytest.mark.parametrize("flags", ["--log-level=debug -w4", "--log-level debug --workers=4", "--log-level=DEBUG -w 4"])
def test_loglevel_and_workers_in_every_option_form(scan, flags):
    assert scan({"Procfile": f"web: gunicorn {flags} app:app\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"},
         select=["PF404", "PF405"]) == [("PF405", "Procfile", 1, 15, "low")]
    column = 15  # where `--log-level` starts
    assert _exact(scan) == [("PF405", "Procfile", 1, column, "low")]


COMPOSE_MOUNTED = """\
web:
  build: .
  volumes:
    - ./app:/app
  command: gunicorn app:app -b :8000 --log-level=debug
"""  # a legacy v1 file: services at the top level
COMPOSE_LOCAL = """\
web:
  build: .
  volumes:
    - ./app:/app
  command: python app.py
"""


def test_compose_beside_a_local_compose_is_the_deployed_one_even_with_a_mount(scan):
    files = {"docker-compose.yml": COMPOSE_MOUNTED, "docker-compose.local.yml": COMPOSE_LOCAL,
             "app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    assert scan(files, select=["PF404", "PF405"]) == [("PF404", "docker-compose.yml", 5, 1, "low"), ("PF405", "docker-compose.yml", 5, 38, "low")]
    assert _exact(scan) == [("PF404", "docker-compose.yml", 5, 1, "low"),
                            ("PF405", "docker-compose.yml", 5, 38, "low")]


def test_a_lone_mounted_compose_stays_a_development_setup(scan):
    # the tricky neighbour: without a development-named sibling the mount still marks a local setup
    files = {"docker-compose.yml": COMPOSE_MOUNTED, "app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    assert scan(files, select=["PF404", "PF405"]) == []


def test_a_mounted_compose_beside_a_tests_compose_stays_a_development_setup(scan):
    # the tricky neighbour: a CI file (docker-compose-tests.yml) does not make this one the deployed file
    files = {"docker-compose.yml": COMPOSE_MOUNTED, "docker-compose-tests.yml": COMPOSE_LOCAL,
             "app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    assert scan(files, select=["PF404", "PF405"]) == []


def test_folded_render_start_command_reports_the_option_on_its_own_line(scan):
    render = ("services:\n  - type: web\n    name: site\n    env: python\n    startCommand: >\n"
              "      python -m gunicorn\n      --workers 4\n      --log-level debug\n      wsgi:app\n")
    assert scan({"render.yaml": render, "wsgi.py": "from flask import Flask\napp = Flask(__name__)\n"}, select=["PF405"]) == [("PF405", "render.yaml", 8, 7, "low")]
    assert _exact(scan) == [("PF405", "render.yaml", 8, 7, "low")]
