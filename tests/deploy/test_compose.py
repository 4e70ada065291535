"""Compose extractor: per-service commands and environment, proxies, public ports, origins and errors."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import pytest

from flask_preflight.static.deploy.compose import parse
from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar


def _parse(text: str, path: str = "docker-compose.yml") -> DeployFile:
    return parse(text, path, "/project/" + path)


def _by_service(result: DeployFile) -> Dict[str, Command]:
    return {c.source.split("`")[1]: c for c in result.commands}


def _env(variables: Tuple[EnvVar, ...]) -> List[Tuple[str, Optional[str], int]]:
    return [(v.name, v.value, v.origin.line) for v in variables]


def _lines(command: Command) -> List[Tuple[int, int, int]]:
    return [(index, o.line, o.end_line) for index, o in command.origins]


STACK = """\
services:
  web:
    build: .
    command: gunicorn -w 4 -b 0.0.0.0:8000 "app:create_app()"
    environment:
      FLASK_DEBUG: "1"
      WORKERS: 4
      PROPAGATE: true
      SECRET_KEY:
      DATABASE_URL: ${DATABASE_URL}
    env_file: .env
    ports:
      - "127.0.0.1:8000:8000"
  worker:
    build: .
    entrypoint: ["./entrypoint.sh"]
    command:
      - celery
      - -A
      - tasks
      - worker
    environment:
      - FLASK_DEBUG=1
      - REDIS_URL
    env_file:
      - .env
      - path: ./worker.env
        required: false
  nginx:
    image: nginx:1.25-alpine
    ports:
      - "80:80"
      - 443:443
  db:
    image: postgres:16
"""


def test_string_command_is_split_like_compose() -> None:
    web = _by_service(_parse(STACK))["web"]
    assert web.argv == ("gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:create_app()")
    assert web.source == "compose service `web` command"
    assert _lines(web) == [(0, 4, 4)]
    assert web.origin.snippet == '    command: gunicorn -w 4 -b 0.0.0.0:8000 "app:create_app()"'
    assert web.workdir is None


def test_working_dir() -> None:
    result = _parse("services:\n  web:\n    image: app\n    working_dir: /srv/app\n    command: flask run\n")
    assert result.commands[0].workdir == "/srv/app"


def test_map_environment_keeps_scalar_text() -> None:
    web = _by_service(_parse(STACK))["web"]
    assert _env(web.env) == [
        ("FLASK_DEBUG", "1", 6), ("WORKERS", "4", 7), ("PROPAGATE", "true", 8),
        ("SECRET_KEY", None, 9), ("DATABASE_URL", "${DATABASE_URL}", 10),
    ]
    assert web.env[0].origin.snippet == '      FLASK_DEBUG: "1"'
    assert not web.env[4].literal
    assert [(path, o.line) for path, o in web.env_files] == [(".env", 11)]


def test_entrypoint_plus_list_command_and_list_environment() -> None:
    worker = _by_service(_parse(STACK))["worker"]
    assert worker.argv == ("./entrypoint.sh", "celery", "-A", "tasks", "worker")
    assert worker.source == "compose service `worker` entrypoint + command"
    assert _lines(worker) == [(0, 16, 16), (1, 17, 21)]
    assert _env(worker.env) == [("FLASK_DEBUG", "1", 23), ("REDIS_URL", None, 24)]
    assert worker.env[0].origin.snippet == "      - FLASK_DEBUG=1"
    assert [(path, o.line, o.end_line) for path, o in worker.env_files] == [(".env", 26, 26), ("./worker.env", 27, 28)]


def test_services_without_command_still_carry_their_settings() -> None:
    services = _by_service(_parse(STACK))
    assert list(services) == ["web", "worker", "nginx", "db"]
    db = services["db"]
    assert (db.argv, db.source, _lines(db)) == ((), "compose service `db`", [(0, 34, 34)])
    assert db.origin.snippet == "  db:"


def test_proxy_and_public_ports() -> None:
    result = _parse(STACK)
    assert [(o.line, o.snippet) for o in result.proxies] == [(30, "    image: nginx:1.25-alpine")]
    assert [(o.line, o.snippet) for o in result.public_ports] == [(32, '      - "80:80"'), (33, "      - 443:443")]
    assert result.dev_reason == ""
    assert all(c.dev_reason == "" for c in result.commands)


@pytest.mark.parametrize("image", [
    "nginx", "nginx:stable", "docker.io/library/nginx:1.25@sha256:abc", "traefik:v3.0", "caddy:2",
    "haproxy:2.9", "envoyproxy/envoy:v1.29", "httpd:2.4", "jwilder/nginx-proxy", "nginxproxy/nginx-proxy:1.5",
    "lscr.io/linuxserver/swag", "cloudflare/cloudflared:latest", "openresty/openresty:alpine",
    "localhost:5000/nginx",
])
def test_proxy_images(image: str) -> None:
    result = _parse(f"services:\n  edge:\n    image: {image}\n")
    assert [o.line for o in result.proxies] == [3]


@pytest.mark.parametrize("image", ["python:3.12", "myorg/flask-app", "postgres", "redis:7", "nginx-app/web"])
def test_non_proxy_images(image: str) -> None:
    assert _parse(f"services:\n  app:\n    image: {image}\n").proxies == []


def test_proxy_built_from_directory() -> None:
    result = _parse("services:\n  proxy:\n    build:\n      context: ./deploy/nginx\n  edge:\n    build: ./traefik\n"
                    "  app:\n    build: .\n")
    assert [o.line for o in result.proxies] == [4, 6]


def test_ports_syntaxes() -> None:
    result = _parse("""\
services:
  web:
    image: app
    ports:
      - 5000
      - "5000:5000"
      - 22:22
      - "8000-8001:8000-8001"
      - "0.0.0.0:9000:9000"
      - "127.0.0.1:5000:5000"
      - "127.0.0.1::5001"
      - "[::1]:5002:5002"
      - "${BIND_ADDR}:5003:5003"
      - target: 80
        published: 8080
      - target: 81
        host_ip: 127.0.0.1
      - target: 82
        host_ip: "::"
""")
    assert [(o.line, o.end_line) for o in result.public_ports] == [
        (5, 5), (6, 6), (7, 7), (8, 8), (9, 9), (14, 15), (18, 19),
    ]


def test_bind_mounted_source_tree_is_development() -> None:
    result = _parse("""\
services:
  web:
    build: .
    command: flask run --host 0.0.0.0 --debug
    volumes:
      - .:/app
      - node_modules:/app/node_modules
  api:
    build: .
    volumes:
      - type: bind
        source: ${PWD}
        target: /srv
  db:
    image: postgres
    volumes:
      - ./data:/var/lib/postgresql/data
      - pgdata:/backup
""")
    services = _by_service(result)
    assert services["web"].dev_reason == (
        "service `web` bind-mounts the source tree (`.:/app`), a local-development setup")
    assert services["api"].dev_reason == (
        "service `api` bind-mounts the source tree (`${PWD}:/srv`), a local-development setup")
    assert services["db"].dev_reason == ""
    assert result.dev_reason == ""


@pytest.mark.parametrize("name", [
    "docker-compose.override.yml", "compose.override.yaml", "docker-compose.dev.yml", "docker-compose-local.yaml",
    "compose.test.yml", "docker-compose.development.yml", "deploy/docker-compose_dev.yaml",
])
def test_development_file_names(name: str) -> None:
    result = _parse("services:\n  web:\n    image: app\n  db:\n    image: postgres\n    volumes: ['.:/src']\n", name)
    assert result.dev_reason == "the file name marks it as a local-development compose file"
    services = _by_service(result)
    assert services["web"].dev_reason == result.dev_reason
    assert services["db"].dev_reason.startswith("service `db` bind-mounts")


@pytest.mark.parametrize("name", ["docker-compose.yml", "compose.yaml", "docker-compose.prod.yml",
                                  "docker-compose.devcontainer.yml"])
def test_production_file_names(name: str) -> None:
    assert _parse("services:\n  web:\n    image: app\n", name).dev_reason == ""


def test_legacy_v1_file_without_services_key() -> None:
    result = _parse("web:\n  build: .\n  command: python app.py\n  environment:\n    - FLASK_DEBUG=true\n"
                    "  ports:\n    - 5000:5000\nredis:\n  image: redis\n")
    services = _by_service(result)
    assert list(services) == ["web", "redis"]
    assert services["web"].argv == ("python", "app.py")
    assert _env(services["web"].env) == [("FLASK_DEBUG", "true", 5)]
    assert [o.line for o in result.public_ports] == [7]


def test_merge_keys_keep_the_anchor_lines() -> None:
    result = _parse("""\
x-app: &app
  build: .
  environment:
    FLASK_ENV: production
  command: gunicorn app:app
services:
  web:
    <<: *app
  worker:
    <<: *app
    command: celery -A tasks worker
""")
    services = _by_service(result)
    assert services["web"].argv == ("gunicorn", "app:app")
    assert _lines(services["web"]) == [(0, 5, 5)]
    assert _env(services["web"].env) == [("FLASK_ENV", "production", 4)]
    assert services["worker"].argv == ("celery", "-A", "tasks", "worker")
    assert _lines(services["worker"]) == [(0, 11, 11)]


def test_block_scalar_command_and_empty_entrypoint() -> None:
    result = _parse("services:\n  web:\n    image: app\n    entrypoint: []\n    command: >\n      flask run\n"
                    "      --host 0.0.0.0\n")
    web = _by_service(result)["web"]
    assert web.argv == ("flask", "run", "--host", "0.0.0.0")
    assert _lines(web) == [(0, 4, 4), (0, 5, 7)]


def test_suppressions() -> None:
    result = _parse("services:\n  web:\n    environment:\n      # preflight: ignore[PF101]\n      FLASK_DEBUG: 1\n"
                    "      SECRET_KEY: dev  # preflight: ignore\n")
    assert result.suppressions == {5: frozenset({"PF101"}), 6: frozenset({"*"})}


def test_empty_files() -> None:
    for text in ("", "# nothing yet\n", "services:\n"):
        result = _parse(text)
        assert (result.kind, result.commands) == ("compose", [])


@pytest.mark.parametrize("text, line, words", [
    ("services:\n  web:\n    image: app\n    command: sh -c 'echo unterminated\n", 4, "split into words"),
    ("services:\n  web:\n    image: app\n   command: flask run\n", 4, "not valid YAML"),
    ("services:\n  web:\n    image: \"app\n", 4, "not valid YAML"),
    ("services:\n  web:\n    image: app\n---\nservices: {}\n", 4, "more than one YAML document"),
    ("- web\n- db\n", 1, "top level"),
    ("services:\n  - web\n", 2, "`services` must be a mapping"),
    ("services:\n  web: flask run\n", 2, "must be a mapping"),
    ("services:\n  web:\n    command:\n      - [flask, run]\n", 4, "list of strings"),
    ("services:\n  web:\n    environment: FLASK_DEBUG=1\n", 3, "mapping or a list"),
    ("services:\n  web:\n    image: app\x00\n", 3, "not valid YAML"),
    ("services:\n  web:\n    image: *undefined\n", 3, "undefined alias"),
])
def test_malformed_files_raise_with_line(text: str, line: int, words: str) -> None:
    with pytest.raises(DeployParseError) as raised:
        _parse(text)
    assert raised.value.line == line
    assert words in raised.value.message


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(DeployParseError) as raised:
        _parse("services: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "too deeply" in raised.value.message


def test_too_many_aliases_are_refused() -> None:
    text = "x-port: &port 5000\nservices:\n  web:\n    image: app\n    ports:\n" + "      - *port\n" * 1001
    with pytest.raises(DeployParseError) as raised:
        _parse(text)
    assert "too many YAML aliases" in raised.value.message
    assert raised.value.line == 1006


def test_billion_laughs_is_never_expanded() -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(9)]
    assert _parse("\n".join(lines) + "\n").commands == []


def test_aliases_repeating_a_big_block_are_refused() -> None:
    environment = "".join(f"    - VAR{i}=1\n" for i in range(2000))
    services = "".join(f"  web{i}: *web\n" for i in range(60))
    with pytest.raises(DeployParseError) as raised:
        _parse("x-web: &web\n  image: app\n  environment:\n" + environment + "services:\n" + services)
    assert "too many entries" in raised.value.message


def test_build_context_dockerfile_and_target() -> None:
    result = _parse("""\
services:
  web:
    build:
      context: ./backend
      dockerfile: docker/Dockerfile
      target: production
  dev:
    build:
      target: development
  short:
    build: ./app
  plain:
    build:
      context: .
  image_only:
    image: app
  empty_target:
    build:
      context: .
      target:
""")
    assert {name: c.build for name, c in _by_service(result).items()} == {
        "web": ("./backend", "docker/Dockerfile", "production"),
        "dev": (".", "Dockerfile", "development"),
        "short": ("./app", "Dockerfile", ""),
        "plain": (".", "Dockerfile", ""),
        "image_only": None,
        "empty_target": (".", "Dockerfile", ""),
    }


SOURCE_MOUNT = "service `web` bind-mounts the source tree (`{}`), a local-development setup"


@pytest.mark.parametrize("volumes, mount", [
    ("- ./app:/app", "./app:/app"),  # tiangolo/uwsgi-nginx-flask-docker
    ("- ./services/web/:/usr/src/app/", "./services/web/:/usr/src/app/"),  # testdriven.io
    ("- ../src:/code:rw", "../src:/code:rw"),
    ("- ./backend:/opt/app:cached", "./backend:/opt/app:cached"),
    ("- ./site:/var/www", "./site:/var/www"),
    ("- ./api:/srv/api", "./api:/srv/api"),  # the target is named like the source directory
    ("- ./flaskr:/home/user/web", "./flaskr:/home/user/web"),
    ("- ./src:/workspace/src", "./src:/workspace/src"),
    ("- ${PWD}/app:/project", "${PWD}/app:/project"),
    ("- ..:/app", "..:/app"),
    ("- ./data:/var/lib/app\n      - ./app:/app", "./app:/app"),  # the first source-tree mount is named
    ("- type: bind\n        source: ./app\n        target: /app", "./app:/app"),
    ("- type: bind\n        source: app\n        target: /usr/src/app", "app:/usr/src/app"),  # long syntax: a path
    ("- type: bind\n        source: ./app\n        target: /app\n        read_only: false", "./app:/app"),
])
def test_relative_source_directory_mounted_where_the_code_runs(volumes: str, mount: str) -> None:
    result = _parse(f"services:\n  web:\n    build: .\n    volumes:\n      {volumes}\n")
    assert _by_service(result)["web"].dev_reason == SOURCE_MOUNT.format(mount)
    assert result.dev_reason == ""


def test_relative_mount_onto_the_working_dir() -> None:
    result = _parse("services:\n  web:\n    build: .\n    working_dir: /opt/service/\n    volumes:\n"
                    "      - ./backend:/opt/service\n")
    assert _by_service(result)["web"].dev_reason == SOURCE_MOUNT.format("./backend:/opt/service")
    elsewhere = _parse("services:\n  web:\n    build: .\n    working_dir: /opt/other\n    volumes:\n"
                       "      - ./backend:/opt/service\n")
    assert _by_service(elsewhere)["web"].dev_reason == ""


@pytest.mark.parametrize("volumes", [
    "- app:/app",  # short syntax: a bare name is a named volume
    "- appdata:/usr/src/app",
    "- ./app:/app:ro",
    "- ./app:/app:ro,z",
    "- ./data:/app",
    "- ./db:/code",
    "- ./logs:/app/logs",
    "- ./media:/app/media",
    "- ./uploads:/usr/src/app/uploads",
    "- ./static:/app/static",
    "- ./certs:/app",
    "- ./nginx:/app",
    "- ./config:/app",
    "- ./instance:/usr/src/app/instance",
    "- ./docker/data/app:/app",
    "- ./nginx.conf:/app/nginx.conf",
    "- ./app.sqlite:/app/app.sqlite",
    "- ./.env:/app/.env",
    "- ./key.pem:/app/key.pem",
    "- ./app:/data",
    "- ./app:/data/app",
    "- ./src:/var/lib/src",
    "- ./web:/etc/web",
    "- ./scripts:/docker-entrypoint-initdb.d",
    "- ./backend:/opt/service",  # neither an application directory nor the working_dir
    "- /home/me/app:/app",  # absolute host paths are not the project's tree
    "- ${APP_SRC}:/app",
    "- /app/node_modules",
    "- type: volume\n        source: app\n        target: /app",
    "- type: bind\n        source: ./app\n        target: /app\n        read_only: true",
    "- type: bind\n        source: /srv/app\n        target: /app",
])
def test_mounts_that_are_not_the_source_tree(volumes: str) -> None:
    result = _parse(f"services:\n  web:\n    build: .\n    volumes:\n      {volumes}\n")
    assert _by_service(result)["web"].dev_reason == ""


@pytest.mark.parametrize("name", ["docker-compose.debug.yml", "compose.debug.yaml", "docker-compose-debug.yml"])
def test_debug_compose_file_names(name: str) -> None:
    result = _parse("services:\n  web:\n    image: app\n", name)
    assert result.dev_reason == "the file name marks it as a local-development compose file"
    assert _by_service(result)["web"].dev_reason == result.dev_reason


def test_debug_profile() -> None:
    result = _parse("services:\n  web:\n    image: app\n    profiles: [debug]\n")
    assert _by_service(result)["web"].dev_reason == (
        "service `web` only runs with the `debug` profile, a local-development setup")
