"""``serve --generate``: the four production templates, judged by the tools that will read them.

The key promise of issue 8 is that ``flask-preflight check`` of a project holding the generated files reports
nothing. Each template is also handed to its real consumer: gunicorn loads ``gunicorn.conf.py`` (and serves
the app with it), ``nginx -t`` reads the site and a real nginx proxies to that gunicorn, ``systemd-analyze
verify`` reads the unit, and BuildKit's parser reads the Dockerfile, whose health probe runs against a live
server. The tools that are not installed skip their tests, and say so.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import httpx
import pytest

from flask_preflight.config import Settings
from flask_preflight.runtime.target import TargetError
from flask_preflight.serve.generate import (KINDS, TemplateContext, app_paths, context_for, default_filename,
                                            gunicorn_target, proxy_address, render, sanitize_name)
from flask_preflight.static.deploy import dockerfile as dockerfile_parser
from flask_preflight.static.engine import run_check
from probe.conftest import (HOST, ServerProcess, _clean_env, _launch, free_port, make_self_signed_cert, port_answers,
                            refused_port)

READY_TIMEOUT_S = 30.0
SUBPROCESS_TIMEOUT_S = 60
SECRET = "test-only-" + "a1b2" * 8  # given to the app through the environment, never written to a template

WSGI = """from myshop import create_app

app = create_app()
"""
PACKAGE = """import os

from flask import Flask, jsonify, render_template, request


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config["SESSION_COOKIE_SECURE"] = True

    @app.get("/")
    def index():
        return render_template("index.html")

    @app.get("/whoami")
    def whoami():
        return jsonify(scheme=request.scheme, host=request.host,
                       forwarded_for=request.headers.get("X-Forwarded-For", ""))

    return app
"""


# ---- the project -------------------------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small realistic Flask project: wsgi.py, a package with an app factory, templates, static files,
    requirements.txt - and things the Docker image must not copy (tests, .env)."""
    root = tmp_path / "myshop"
    (root / "myshop" / "templates").mkdir(parents=True)
    (root / "myshop" / "static").mkdir()
    (root / "tests").mkdir()
    (root / "wsgi.py").write_text(WSGI)
    (root / "myshop" / "__init__.py").write_text(PACKAGE)
    (root / "myshop" / "templates" / "index.html").write_text("<h1>myshop</h1>\n")
    (root / "myshop" / "static" / "site.css").write_text("body { margin: 0 }\n")
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "test_app.py").write_text("def test_nothing():\n    assert True\n")
    (root / "requirements.txt").write_text("flask>=3.0\n")
    return root


def make_context(root: Path, bind: str = "127.0.0.1:8000", behind_proxy: int = 0) -> TemplateContext:
    return context_for(None, str(root), bind, behind_proxy, env={})


def write(root: Path, kind: str, ctx: TemplateContext) -> Path:
    path = root / default_filename(kind, ctx)
    path.write_text(render(kind, ctx))
    return path


def check(root: Path):
    """The engine behind ``flask-preflight check``, on the whole project."""
    return run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False), jobs=1)


def app_env(**extra: str) -> Dict[str, str]:
    env = _clean_env()
    for var in ("WEB_CONCURRENCY", "PORT", "FLASK_APP", "FORWARDED_ALLOW_IPS", "GUNICORN_CMD_ARGS"):
        env.pop(var, None)
    env["SECRET_KEY"] = SECRET
    env.update(extra)
    return env


# ---- the key acceptance test: check reports nothing ---------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_check_of_each_generated_file_is_clean(project: Path, kind: str) -> None:
    path = write(project, kind, make_context(project))
    result = check(project)
    assert result.problems == []
    assert result.findings == [], [(f.rule_id, f.path, f.line, f.message) for f in result.findings]
    # 4 Python files + the generated file: the nginx site is read too (any *.conf may be a supervisord
    # program file) and is found to be none of the files check judges
    assert result.files_scanned == 5
    assert path.exists()


def test_check_cli_of_all_generated_files_is_clean(project: Path) -> None:
    ctx = make_context(project)
    for kind in KINDS:
        write(project, kind, ctx)
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--format", "json", "."],
                          cwd=project, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S,
                          env=app_env(), stdin=subprocess.DEVNULL)
    report = json.loads(proc.stdout)
    assert report["findings"] == [] and report["errors"] == [], proc.stdout
    # wsgi.py, the package, the two test files, Dockerfile, the unit, gunicorn.conf.py, and the nginx site
    # (read because any *.conf may be a supervisord program file; it is none of the files check judges)
    assert report["summary"]["files_scanned"] == 8
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("kind, edit, rule", [
    ("dockerfile", lambda t: t.replace("PORT=8000", "PORT=8000 FLASK_DEBUG=1"), "PF402"),
    ("systemd", lambda t: t.replace("Environment=PYTHONUNBUFFERED=1", "Environment=SECRET_KEY=hunter2hunter2"),
     "PF406"),
    ("gunicorn-conf", lambda t: t.replace('loglevel = "info"', 'loglevel = "info"\nreload = True'), "PF403"),
])
def test_check_does_read_the_generated_files(project: Path, kind: str, edit, rule: str) -> None:
    """The clean result above means something: one bad line in the same file is reported."""
    path = write(project, kind, make_context(project))
    text = path.read_text()
    assert edit(text) != text
    path.write_text(edit(text))
    assert rule in {f.rule_id for f in check(project).findings}


# ---- gunicorn.conf.py: gunicorn's own machinery ------------------------------------------------------------
def gunicorn(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args],
                          cwd=root, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S,
                          env=app_env(**env), stdin=subprocess.DEVNULL)


def printed_settings(output: str) -> Dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^(\w+)\s+= (.*)$", output, re.MULTILINE)}


def test_gunicorn_loads_the_conf_and_the_app(project: Path) -> None:
    pytest.importorskip("gunicorn")
    write(project, "gunicorn-conf", make_context(project))
    ok = gunicorn(project, "--check-config")
    assert ok.returncode == 0, ok.stderr
    # --check-config really imports the app: without its secret, create_app() fails and so does the check
    no_secret = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                "--check-config"], cwd=project, capture_output=True, text=True,
                               timeout=SUBPROCESS_TIMEOUT_S, env={k: v for k, v in app_env().items()
                                                                  if k != "SECRET_KEY"})
    assert no_secret.returncode != 0 and "SECRET_KEY" in no_secret.stderr


def test_gunicorn_sees_the_settings(project: Path) -> None:
    pytest.importorskip("gunicorn")
    write(project, "gunicorn-conf", make_context(project, bind="127.0.0.1:8123"))
    proc = gunicorn(project, "--print-config", WEB_CONCURRENCY="3")
    assert proc.returncode == 0, proc.stderr
    got = printed_settings(proc.stdout)
    assert got["wsgi_app"] == "wsgi:app"
    assert got["bind"] == "['127.0.0.1:8123']"
    assert got["workers"] == "3"  # WEB_CONCURRENCY wins over the CPU formula
    assert (got["worker_class"], got["threads"]) == ("gthread", "4")
    assert (got["timeout"], got["graceful_timeout"], got["keepalive"]) == ("30", "30", "5")
    assert (got["max_requests"], got["max_requests_jitter"]) == ("1000", "100")
    assert (got["accesslog"], got["errorlog"], got["loglevel"]) == ("-", "-", "info")
    assert got["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    if os.path.isdir("/dev/shm"):
        assert got["worker_tmp_dir"] == "/dev/shm"
    assert ("JsonAccessLogger" in got["logger_class"]) == json_logger_installed()


def test_gunicorn_default_workers_follow_the_cpus(project: Path) -> None:
    pytest.importorskip("gunicorn")
    write(project, "gunicorn-conf", make_context(project))
    got = printed_settings(gunicorn(project, "--print-config").stdout)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert got["workers"] == str(2 * cpus + 1)


def test_gunicorn_conf_is_python_39(project: Path) -> None:
    text = render("gunicorn-conf", make_context(project))
    ast.parse(text, feature_version=(3, 9))


# ---- a live gunicorn from the conf, with the Docker health probe and nginx in front ----------------------------
def start_gunicorn(root: Path, log_dir: Path) -> ServerProcess:
    """``gunicorn -c gunicorn.conf.py`` exactly as an operator runs it, one worker to stay light."""
    port = free_port()
    write(root, "gunicorn-conf", make_context(root, bind=f"{HOST}:{port}"))
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    server = ServerProcess("gunicorn", _launch(argv, cwd=root, env=app_env(WEB_CONCURRENCY="1"),
                                               log_path=log_dir / "gunicorn.log"), port, log_dir / "gunicorn.log")
    wait_port(server)
    return server


def wait_port(server: ServerProcess) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            break
        if port_answers(server.port):
            return
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{server.name} did not start: exit {server.proc.returncode}\n{server.log()}")


def json_logger_installed() -> bool:
    try:
        from flask_preflight.serve.accesslog import JsonAccessLogger  # noqa: F401
    except ImportError:
        return False
    return True


def access_logged(server: ServerProcess, path: str, timeout: float = 5.0) -> bool:
    """Whether the server's access log (stdout) has a 200 for ``path``: a JSON line when flask-preflight's
    logger is importable - the conf file picks it up - else gunicorn's plain format."""
    plain = re.compile(rf'"GET {re.escape(path)} HTTP/1\.[01]" 200 ')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in server.log(None).splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict) and entry.get("path") == path and entry.get("status") == 200:
                return True
            if not json_logger_installed() and plain.search(line):
                return True
        time.sleep(0.1)
    return False


def healthcheck_argv(text: str) -> List[str]:
    """The Dockerfile's HEALTHCHECK command, as docker would run it (exec form, JSON)."""
    m = re.search(r"^\s*CMD (\[.*\])\s*$", text.split("HEALTHCHECK", 1)[1], re.MULTILINE)
    assert m, "HEALTHCHECK has no exec-form CMD"
    return json.loads(m.group(1))


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn is POSIX-only")
def test_gunicorn_serves_and_docker_health_probe_agrees(project: Path, tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    server = start_gunicorn(project, tmp_path)
    try:
        response = httpx.get(f"http://{HOST}:{server.port}/", timeout=10)
        assert response.status_code == 200 and "myshop" in response.text
        assert access_logged(server, "/")
        probe = healthcheck_argv(render("dockerfile", make_context(project)))
        assert probe[0] == "python"
        run = [sys.executable, *probe[1:]]
        healthy = subprocess.run(run, env=app_env(PORT=str(server.port)), capture_output=True, timeout=30)
        assert healthy.returncode == 0, healthy.stderr
        down = subprocess.run(run, env=app_env(PORT=str(refused_port())), capture_output=True, timeout=30)
        assert down.returncode == 1
    finally:
        server.stop()


def nginx_wrapper(directory: Path, site: Path) -> Path:
    """A minimal nginx.conf around the site, with every path inside ``directory``."""
    conf = directory / "nginx.conf"
    user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""  # reads static/ under tmp
    conf.write_text(f"""{user}pid {directory}/nginx.pid;
error_log {directory}/error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    include {site};
}}
""")
    return conf


def nginx_site(project: Path, directory: Path, bind: str, ports: Optional[Dict[int, int]] = None) -> Path:
    """The generated site with the certificate placeholders pointing at a self-signed pair, and (for a live
    run) the 80/443 listeners moved to free loopback ports."""
    cert, key = make_self_signed_cert(directory)
    text = render("nginx", make_context(project, bind=bind))
    text = text.replace("/etc/letsencrypt/live/example.com/fullchain.pem", str(cert))
    text = text.replace("/etc/letsencrypt/live/example.com/privkey.pem", str(key))
    for public, local in (ports or {}).items():
        text = re.sub(rf"^\s*listen \[::\]:{public}( ssl)?;\n", "", text, flags=re.MULTILINE)
        text = re.sub(rf"listen {public}( ssl)?;", rf"listen {HOST}:{local}\1;", text)
    site = directory / "site.conf"
    site.write_text(text)
    return site


def require_nginx() -> str:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if nginx is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    return nginx


def test_nginx_accepts_the_site(project: Path, tmp_path: Path) -> None:
    nginx = require_nginx()
    conf = nginx_wrapper(tmp_path, nginx_site(project, tmp_path, "127.0.0.1:8000"))
    proc = subprocess.run([nginx, "-t", "-c", str(conf), "-e", str(tmp_path / "error.log")], capture_output=True,
                          text=True, timeout=SUBPROCESS_TIMEOUT_S, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "test is successful" in proc.stderr
    assert "[warn]" not in proc.stderr and "[emerg]" not in proc.stderr, proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn is POSIX-only")
def test_nginx_in_front_of_gunicorn(project: Path, tmp_path: Path) -> None:
    """The whole chain: redirect to https, HSTS, static files from disk, and the proxy headers gunicorn trusts
    from loopback (the app sees https and the client's Host)."""
    nginx = require_nginx()
    pytest.importorskip("gunicorn")
    app = start_gunicorn(project, tmp_path)
    http_port, https_port = free_port(), free_port()
    site = nginx_site(project, tmp_path, f"{HOST}:{app.port}", {80: http_port, 443: https_port})
    conf = nginx_wrapper(tmp_path, site)
    argv = [nginx, "-c", str(conf), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"]
    proxy = ServerProcess("nginx", _launch(argv, cwd=tmp_path, env=_clean_env(), log_path=tmp_path / "nginx.log"),
                          https_port, tmp_path / "nginx.log")
    try:
        wait_port(proxy)
        headers = {"Host": "example.com"}
        redirect = httpx.get(f"http://{HOST}:{http_port}/cart?x=1", headers=headers, timeout=10)
        assert redirect.status_code == 301
        assert redirect.headers["location"] == "https://example.com/cart?x=1"
        with httpx.Client(verify=False, timeout=10) as client:  # the self-signed test certificate
            who = client.get(f"https://{HOST}:{https_port}/whoami", headers=headers)
            assert who.status_code == 200, who.text
            assert who.json() == {"scheme": "https", "host": "example.com", "forwarded_for": HOST}
            assert who.headers["strict-transport-security"] == "max-age=63072000"
            assert "nginx/" not in who.headers.get("server", "")  # server_tokens off
            css = client.get(f"https://{HOST}:{https_port}/static/site.css", headers=headers)
            assert css.status_code == 200 and css.text == "body { margin: 0 }\n"
            assert "max-age=3600" in css.headers["cache-control"]
            assert "strict-transport-security" in css.headers  # the static location keeps HSTS
            big = client.post(f"https://{HOST}:{https_port}/", headers=headers, content=b"x" * (11 * 1024 * 1024))
            assert big.status_code == 413  # client_max_body_size, before any worker sees it
        assert access_logged(app, "/whoami")
        assert "/static/site.css" not in app.log(None)  # nginx answered it, not gunicorn
    finally:
        proxy.stop()
        app.stop()


# ---- systemd -----------------------------------------------------------------------------------------------
def test_systemd_analyze_accepts_the_unit(project: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = write(project, "systemd", make_context(project))
    stub = project / ".venv" / "bin" / "flask-preflight"  # verify insists that ExecStart's program exists
    stub.parent.mkdir(parents=True)
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    proc = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True,
                          timeout=SUBPROCESS_TIMEOUT_S, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    # unknown or malformed settings are only warnings for systemd: any output is a defect of the template
    assert unit.name not in proc.stderr and "Unknown" not in proc.stderr, proc.stderr


def unit_settings(text: str) -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_systemd_unit_settings(project: Path) -> None:
    ctx = make_context(project)
    got = unit_settings(render("systemd", ctx))
    assert got["Type"] == ["exec"]
    assert got["User"] == got["Group"] == ["myshop"]
    assert got["WorkingDirectory"] == [str(project)]
    exe = f"{project}/.venv/bin/flask-preflight"
    assert got["ExecStart"] == [f"{exe} serve wsgi:app --bind 127.0.0.1:8000 --behind-proxy 1"]
    assert got["EnvironmentFile"] == ["/etc/myshop/myshop.env"]
    assert got["KillMode"] == ["mixed"] and int(got["TimeoutStopSec"][0]) > 30
    assert got["Restart"] == ["on-failure"]
    for key in ("NoNewPrivileges", "PrivateTmp"):
        assert got[key] == ["yes"]
    assert got["ProtectSystem"] == ["strict"] and got["ProtectHome"] == ["yes"]
    assert not any("SECRET" in v for values in got.values() for v in values)


def test_systemd_keeps_a_home_directory_readable() -> None:
    """ProtectHome=yes would hide code deployed under /home from the service: it must be read-only there."""
    ctx = TemplateContext("wsgi:app", "127.0.0.1:8000", "shop", "/home/ann/shop", None, "/static", 0, "3.12")
    assert unit_settings(render("systemd", ctx))["ProtectHome"] == ["read-only"]


def test_systemd_quotes_what_it_must() -> None:
    ctx = TemplateContext("shop:create_app('prod 1')", "127.0.0.1:8000", "shop", "/srv/my shop%", None,
                          "/static", 2, "3.12")
    exec_start = unit_settings(render("systemd", ctx))["ExecStart"][0]
    assert exec_start == ('"/srv/my shop%%/.venv/bin/flask-preflight" serve "shop:create_app(\'prod 1\')" '
                          "--bind 127.0.0.1:8000 --behind-proxy 2")


# ---- Dockerfile ----------------------------------------------------------------------------------------------
def test_dockerfile_image(project: Path) -> None:
    ctx = make_context(project)
    text = render("dockerfile", ctx)
    parsed = dockerfile_parser.parse(text, "Dockerfile", str(project / "Dockerfile"))  # BuildKit's parser
    (cmd,) = parsed.commands
    assert cmd.argv == ("flask-preflight", "serve", "wsgi:app")  # exec form: no shell in between
    env = {v.name: v.value for v in parsed.env}
    assert env["PORT"] == "8000" and env["PYTHONUNBUFFERED"] == "1" and env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert not {"FLASK_DEBUG", "SECRET_KEY", "FLASK_ENV"} & set(env)
    froms = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    py = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert froms == [f"python:{py}-slim-bookworm", f"python:{py}-slim-bookworm"]  # two stages, pinned tag
    assert "pip install --no-cache-dir" in text and "COPY --from=builder /opt/venv /opt/venv" in text
    final = text.split("FROM ", 2)[2]
    user = re.search(r"^USER (\S+)", final, re.MULTILINE)
    assert user and not user.group(1).startswith(("root", "0:", "0"))
    assert final.index("USER ") < final.index("CMD [\"flask-preflight\"")
    assert "EXPOSE 8000" in final
    # only the app: its module and package - not tests/, .env or the whole context
    assert re.findall(r"^COPY (?!--from)(.*)$", final, re.MULTILINE) == ["wsgi.py ./", "myshop/ ./myshop/"]


def test_dockerfile_health_probe_is_valid_python(project: Path) -> None:
    probe = healthcheck_argv(render("dockerfile", make_context(project)))
    assert probe[:2] == ["python", "-c"]
    compile(probe[2], "<healthcheck>", "exec")


def test_dockerfile_behind_a_proxy() -> None:
    ctx = TemplateContext("app:app", "127.0.0.1:8000", "shop", "/srv/shop", None, "/static", 1, "3.12")
    text = render("dockerfile", ctx)
    assert 'CMD ["flask-preflight", "serve", "app:app", "--behind-proxy", "1"]' in text
    assert "COPY . ." in text  # no list of app paths: the whole context, with the .dockerignore advice
    assert ".dockerignore" in text


# ---- context and rendering -------------------------------------------------------------------------------
def test_context_for_a_project(project: Path) -> None:
    (project / ".env").write_text("SECRET_KEY=local\n")
    (project / "conftest.py").write_text("")
    ctx = make_context(project, bind="127.0.0.1:9000", behind_proxy=1)
    assert ctx.target == "wsgi:app"  # the default file, with the attribute Flask would pick spelled out
    assert (ctx.bind, ctx.behind_proxy, ctx.static_url_path) == ("127.0.0.1:9000", 1, "/static")
    assert ctx.project_name == "myshop" and ctx.project_dir == str(project)
    assert ctx.static_dir == str(project / "myshop" / "static")
    assert ctx.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert ctx.copy_paths == ("wsgi.py", "myshop")


def test_context_targets(project: Path) -> None:
    assert context_for("myshop:create_app()", str(project), "127.0.0.1:8000", 0, env={}).target == \
        "myshop:create_app()"
    # FLASK_APP names a package: the factory Flask would call is written out (gunicorn has no auto-detection)
    assert context_for(None, str(project), "127.0.0.1:8000", 0, env={"FLASK_APP": "myshop"}).target == \
        "myshop:create_app()"
    (project / "wsgi.py").unlink()
    (project / "app.py").write_text("from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n")
    assert make_context(project).target == "app:create_app()"
    (project / "app.py").unlink()
    with pytest.raises(TargetError):
        make_context(project)


def test_static_dir_at_the_top_level_and_absent(project: Path) -> None:
    shutil.rmtree(project / "myshop" / "static")
    assert make_context(project).static_dir is None
    (project / "static").mkdir()
    assert make_context(project).static_dir == str(project / "static")


def test_no_static_block_without_a_static_dir() -> None:
    ctx = TemplateContext("wsgi:app", "127.0.0.1:8000", "shop", "/srv/shop", None, "/static", 0, "3.12")
    text = render("nginx", ctx)
    assert "alias" not in text and "location /static/" not in text
    with_static = render("nginx", TemplateContext("wsgi:app", "127.0.0.1:8000", "shop", "/srv/shop",
                                                  "/srv/shop/static", "/assets", 0, "3.12"))
    assert "location /assets/ {\n        alias /srv/shop/static/;" in with_static


def test_nginx_proxy_headers_and_tls() -> None:
    ctx = TemplateContext("wsgi:app", "0.0.0.0:8001", "shop", "/srv/shop", None, "/static", 1, "3.12")
    text = render("nginx", ctx)
    assert "server 127.0.0.1:8001;" in text  # a wildcard bind is reached over loopback
    assert "proxy_pass http://shop_app;" in text and "proxy_http_version 1.1;" in text and "keepalive 8;" in text
    sock = render("nginx", TemplateContext("wsgi:app", "unix:/run/shop.sock", "shop", "/srv/shop", None, "/static",
                                           1, "3.12"))
    assert "server unix:/run/shop.sock;" in sock
    quoted = render("nginx", TemplateContext("shop:create_app('prod')", "127.0.0.1:8000", "shop", "/srv/shop", None,
                                             "/static", 1, "3.12"))
    assert "#   flask-preflight serve 'shop:create_app('\"'\"'prod'\"'\"')'" in quoted
    for header in ("Host $host", "X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme",
                   "X-Forwarded-Host $host"):
        assert f"proxy_set_header {header};" in text
    assert "listen 80;" in text and "listen 443 ssl;" in text and "return 301 https://" in text
    assert "ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;" in text
    assert "Strict-Transport-Security" in text and "server_tokens off;" in text and "client_max_body_size" in text


@pytest.mark.parametrize("bind, expected", [
    ("127.0.0.1:8000", "127.0.0.1:8000"), ("0.0.0.0:9000", "127.0.0.1:9000"), ("[::]:8000", "[::1]:8000"),
    ("localhost", "127.0.0.1:8000"), ("unix:/run/shop.sock", "unix:/run/shop.sock:"), ("10.0.0.5:80", "10.0.0.5:80"),
])
def test_proxy_address(bind: str, expected: str) -> None:
    assert proxy_address(bind) == expected


@pytest.mark.parametrize("target, expected", [
    ("wsgi:app", "wsgi:app"), ("wsgi", "wsgi:app"), ("./app.py", "app:app"),
    ("pkg/app.py:create_app()", "pkg.app:create_app()"), ("shop:create_app('prod')", "shop:create_app('prod')"),
])
def test_gunicorn_target(target: str, expected: str) -> None:
    assert gunicorn_target(target) == expected


@pytest.mark.parametrize("raw, expected", [
    ("myshop", "myshop"), ("My Shop!", "my-shop"), ("shop_v2.0", "shop-v2-0"), ("2048game", "app-2048game"),
    ("---", "app"), ("Ünïcode", "n-code"), ("x" * 40, "x" * 32),
])
def test_project_name_is_sanitised(raw: str, expected: str, tmp_path: Path) -> None:
    assert sanitize_name(raw) == expected
    assert re.fullmatch(r"[a-z][a-z0-9-]*", sanitize_name(raw))


def test_project_name_comes_from_the_directory(tmp_path: Path) -> None:
    root = tmp_path / "My_Shop"
    root.mkdir()
    (root / "app.py").write_text("app = None\n")
    ctx = make_context(root)
    assert ctx.project_name == "my-shop"
    assert default_filename("systemd", ctx) == "my-shop.service"
    assert default_filename("nginx", ctx) == "my-shop.nginx.conf"
    assert default_filename("gunicorn-conf", ctx) == "gunicorn.conf.py"
    assert default_filename("dockerfile", ctx) == "Dockerfile"


@pytest.mark.parametrize("kind", KINDS)
def test_templates_name_the_target_and_bind(kind: str) -> None:
    ctx = TemplateContext("shopapp.web:create_app()", "127.0.0.1:8765", "shop", "/srv/shop", "/srv/shop/static",
                          "/static", 0, "3.12")
    text = render(kind, ctx)
    assert "shopapp.web:create_app()" in text
    if kind != "dockerfile":  # the container binds 0.0.0.0:$PORT instead
        assert "127.0.0.1:8765" in text
    assert render(kind, ctx) == text  # deterministic
    assert text.endswith("\n") and "\t" not in text
    assert not re.search(r"SECRET_KEY\s*=\s*\S", text.replace("SECRET_KEY=...", ""))
    assert "FLASK_DEBUG" not in text and "--reload" not in text


def test_unknown_kind_is_rejected() -> None:
    ctx = TemplateContext("wsgi:app", "127.0.0.1:8000", "shop", "/srv/shop", None, "/static", 0, "3.12")
    with pytest.raises(ValueError, match="unknown template 'supervisor'"):
        render("supervisor", ctx)
    with pytest.raises(ValueError):
        default_filename("apache", ctx)


def test_app_paths_leave_out_what_the_image_must_not_hold(project: Path) -> None:
    for name in ("setup.py", "test_smoke.py", "gunicorn.conf.py", ".secret.py"):
        (project / name).write_text("")
    (project / "migrations").mkdir()
    (project / "instance").mkdir()
    (project / "instance" / "__init__.py").write_text("")
    assert app_paths(str(project)) == ("wsgi.py", "migrations", "myshop")


def test_dockerfile_installs_what_the_project_declares(tmp_path: Path) -> None:
    (tmp_path / "wsgi.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    missing = render("dockerfile", context_for(None, str(tmp_path), "127.0.0.1:8000", 0))
    assert "No requirements.txt was found" in missing and "COPY requirements.txt ./" in missing
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '1'\n")
    project_text = render("dockerfile", context_for(None, str(tmp_path), "127.0.0.1:8000", 0))
    assert "RUN pip install --no-cache-dir /src" in project_text and "requirements.txt" not in project_text
    (tmp_path / "requirements.txt").write_text("flask\n")
    reqs = render("dockerfile", context_for(None, str(tmp_path), "127.0.0.1:8000", 0))
    assert "-r requirements.txt" in reqs and "No requirements.txt" not in reqs
