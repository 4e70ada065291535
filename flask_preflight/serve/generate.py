"""``serve --generate``: production templates that run the app the way ``serve`` does.

Four files people otherwise copy from blog posts, each with one comment per line that is not obvious:

* ``gunicorn-conf`` - ``gunicorn.conf.py`` for plain ``gunicorn -c gunicorn.conf.py`` (same defaults as ``serve``);
* ``systemd`` - a hardened unit that runs ``flask-preflight serve`` as a dedicated user behind nginx;
* ``nginx`` - an HTTPS site that proxies to the bind address with the headers ProxyFix reads, serving ``static/``;
* ``dockerfile`` - a multi-stage, non-root image whose command is ``flask-preflight serve``.

Rendering is pure (same context, same text) so the files can be reviewed and diffed; only
:func:`context_for` looks at the disk. A ``flask-preflight check`` of the generated files reports nothing:
they never set debug switches or secrets, and the tests hold them to that.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from flask_preflight import __version__
from flask_preflight.runtime.target import Target, TargetError, default_target, parse_target

KINDS = ("gunicorn-conf", "systemd", "nginx", "dockerfile")

GRACEFUL_TIMEOUT = 30  # serve's default; systemd must wait longer than this before it kills
STOP_TIMEOUT = GRACEFUL_TIMEOUT + 10
CONTAINER_PORT = 8000
SERVER_NAME = "example.com"  # RFC 2606 placeholder: obviously not a real site, replaced by the operator
IMAGE_VARIANT = "slim-bookworm"  # a Debian release in the tag, so a rebuild does not jump distributions
VENV = "/opt/venv"
CONTAINER_UID = 10001  # numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd
ACCESS_LOGGER = "flask_preflight.serve.accesslog"
# The container health probe: any HTTP answer below 500 means alive (an app without a / route answers
# 404); a 5xx, a refused connection or a timeout means unhealthy. urllib, because slim images have no curl.
HEALTH_PROBE = (
    "import os, sys, urllib.error, urllib.request as r\n"
    f"try: r.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '{CONTAINER_PORT}') + '/', timeout=4)\n"
    "except urllib.error.HTTPError as e: sys.exit(e.code >= 500)\n"
    "except Exception: sys.exit(1)"
)

# Top-level directories the image needs besides Python packages (templates and static outside a package,
# Alembic migrations, Babel catalogues). Everything else - tests, docs, .env, .git, the venv - stays out.
_DATA_DIRS = ("migrations", "static", "templates", "translations")
_NOT_APP_DIRS = frozenset({"tests", "test", "docs", "doc", "instance", "node_modules", "build", "dist"})
_NOT_APP_FILES = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py"})  # build and test tooling
_TEST_FILE_RE = re.compile(r"^test_.*\.py$|^.*_test\.py$")
_PRIVATE_HOMES = ("/home/", "/root/", "/run/user/")


@dataclass(frozen=True)
class TemplateContext:
    """Everything a template needs, decided once so rendering stays pure."""

    target: str  # what serve/gunicorn load, e.g. "wsgi:app"
    bind: str  # host:port the app server listens on; nginx proxies to it
    project_name: str  # sanitised to [a-z0-9-]; names the unit, the nginx site, the system user
    project_dir: str  # absolute: systemd WorkingDirectory, nginx static root
    static_dir: Optional[str]  # absolute path of the app's static folder, None when there is none
    static_url_path: str  # Flask's static URL path
    behind_proxy: int  # proxy hops in front of the app server
    python_version: str  # "3.12": the Dockerfile's base image
    copy_paths: Tuple[str, ...] = ()  # project-relative files/dirs the image needs; () copies the whole context
    dependencies: str = "requirements"  # how the image installs them: requirements / project / missing


def sanitize_name(raw: str) -> str:
    """A name that is valid as a unit name, an nginx zone, a Linux user name (``[a-z][a-z0-9-]``, at most 32
    characters, Debian's ``NAME_REGEX``) and a Docker tag, so one name can be used everywhere."""
    name = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    if not name:
        return "app"
    if not name[0].isalpha():
        name = "app-" + name
    return name[:32].rstrip("-")


def default_filename(kind: str, ctx: TemplateContext) -> str:
    """The conventional file name: what gunicorn, systemd and docker look for, or what sites-available expects."""
    _check_kind(kind)
    return {"gunicorn-conf": "gunicorn.conf.py", "systemd": f"{ctx.project_name}.service",
            "nginx": f"{ctx.project_name}.nginx.conf", "dockerfile": "Dockerfile"}[kind]


def render(kind: str, ctx: TemplateContext) -> str:
    """The template of ``kind`` for ``ctx``; raises ValueError for an unknown kind."""
    _check_kind(kind)
    return _RENDERERS[kind](ctx)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown template {kind!r}; choose one of: {', '.join(KINDS)}")


# ---- context ---------------------------------------------------------------------------------------------
def context_for(target: Optional[str], cwd: str, bind: str, behind_proxy: int,
                env: Optional[Mapping[str, str]] = None) -> TemplateContext:
    """The context for the project in ``cwd``. ``target`` defaults like ``serve`` does (FLASK_APP, then
    wsgi.py/app.py); raises TargetError when nothing names an app, so no template points at a missing module."""
    cwd = os.path.abspath(cwd)
    parsed, defaulted = _resolve(target, cwd, os.environ if env is None else env)
    return TemplateContext(
        target=_target_text(parsed) if defaulted else _with_attribute(parsed),
        bind=bind,
        project_name=sanitize_name(os.path.basename(cwd)),
        project_dir=cwd,
        static_dir=find_static_dir(cwd, parsed),
        static_url_path="/static",
        behind_proxy=behind_proxy,
        python_version=f"{sys.version_info[0]}.{sys.version_info[1]}",
        copy_paths=app_paths(cwd),
        dependencies=dependency_source(cwd),
    )


def dependency_source(cwd: str) -> str:
    """``requirements`` when there is a requirements.txt, ``project`` for a pyproject.toml/setup.py
    project (installed with pip), ``missing`` otherwise (the Dockerfile then says what to add)."""
    if os.path.isfile(os.path.join(cwd, "requirements.txt")):
        return "requirements"
    if any(os.path.isfile(os.path.join(cwd, n)) for n in ("pyproject.toml", "setup.py")):
        return "project"
    return "missing"


def _resolve(target: Optional[str], cwd: str, env: Mapping[str, str]) -> Tuple[Target, bool]:
    """(the target, whether it is a default file): TARGET, else FLASK_APP, else wsgi.py/app.py - the order
    ``serve`` and Flask's CLI use."""
    if target is not None:
        return parse_target(target, cwd), False
    if env.get("FLASK_APP"):
        return parse_target(env["FLASK_APP"], cwd, source="FLASK_APP"), False
    found = default_target(cwd)
    if found is None:
        raise TargetError(f"no TARGET given, FLASK_APP is not set and there is no wsgi.py or app.py in {cwd}; "
                          f"name the app, e.g. `flask-preflight serve wsgi:app --generate ...`")
    return found, True


def _target_text(parsed: Target) -> str:
    """For a default file (wsgi.py/app.py), the attribute Flask would pick, written out, so gunicorn (which
    has no auto-detection) loads the same app."""
    expr = _app_expr(_module_file(parsed))
    return f"{parsed.module}:{expr}" if expr else parsed.module


def _with_attribute(parsed: Target) -> str:
    """A TARGET or FLASK_APP as the user wrote it, with the attribute Flask would pick appended when it
    names none (``myapp`` -> ``myapp:create_app()``): gunicorn would look for ``application`` instead."""
    text = parsed.original.strip()
    if parsed.expr is not None:
        return text
    expr = _app_expr(_module_file(parsed))
    return f"{text}:{expr}" if expr else text


def _module_file(parsed: Target) -> str:
    base = os.path.join(parsed.import_root, *parsed.module.split("."))
    package = os.path.join(base, "__init__.py")
    return package if os.path.isfile(package) else base + ".py"


def _app_expr(path: str) -> Optional[str]:
    """Flask's ``find_best_app`` order, read from the AST without importing: ``app``, ``application``,
    then a ``create_app``/``make_app`` factory called without arguments."""
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    for attr in ("app", "application"):
        if attr in names:
            return attr
    return next((f"{f}()" for f in ("create_app", "make_app") if f in names), None)


def find_static_dir(cwd: str, target: Optional[Target] = None) -> Optional[str]:
    """The folder Flask serves ``/static`` from: ``static/`` next to the app module, else inside the target's
    package, else inside the project's only top-level package that has one (``wsgi.py`` + ``myshop/static``).
    None when unsure - a wrong alias would serve the wrong files."""
    candidates = [os.path.join(cwd, "static")]
    if target is not None:
        candidates.append(os.path.join(target.import_root, target.module.split(".")[0], "static"))
    for path in candidates:
        if os.path.isdir(path):
            return os.path.abspath(path)
    packaged = [os.path.join(cwd, d, "static") for d in _packages(cwd)]
    found = [p for p in packaged if os.path.isdir(p)]
    return os.path.abspath(found[0]) if len(found) == 1 else None


def _packages(cwd: str) -> List[str]:
    """Top-level package directories of the project (those with ``__init__.py``), tests excluded."""
    try:
        names = sorted(os.listdir(cwd))
    except OSError:
        return []
    return [n for n in names if not n.startswith(".") and n not in _NOT_APP_DIRS
            and os.path.isfile(os.path.join(cwd, n, "__init__.py"))]


def app_paths(cwd: str) -> Tuple[str, ...]:
    """What the image copies: top-level modules and packages and the data folders Flask apps read - not the
    build context as a whole, which would put ``.env``, ``.git`` and tests into every layer."""
    try:
        names = sorted(os.listdir(cwd))
    except OSError:
        return ()
    files = [n for n in names if n.endswith(".py") and not n.startswith(".") and n not in _NOT_APP_FILES
             and not _TEST_FILE_RE.match(n) and not n.startswith("gunicorn") and os.path.isfile(os.path.join(cwd, n))]
    dirs = _packages(cwd) + [d for d in _DATA_DIRS if os.path.isdir(os.path.join(cwd, d))]
    return tuple(files) + tuple(sorted(set(dirs)))


# ---- shared helpers ----------------------------------------------------------------------------------------
def gunicorn_target(target: str) -> str:
    """``module:attr`` for gunicorn, which knows no ``path/to/app.py`` form and, without an attribute, looks
    for ``application`` rather than Flask's ``app``. A path becomes a dotted module, which assumes its
    directories are packages importable from the project directory."""
    parts = re.split(r":(?![\\/])", target.strip(), maxsplit=1)  # Flask's split: C:\\ is no separator
    module, expr = parts[0], (parts[1] if len(parts) == 2 else "")
    if module.endswith(".py") or "/" in module or "\\" in module:
        words = os.path.splitext(module.replace("\\", "/"))[0].split("/")
        module = ".".join(w for w in words if w not in ("", "."))
    return f"{module}:{expr or 'app'}"


def _upstream_server(address: str) -> str:
    """``proxy_address`` as an ``upstream`` server: a unix socket there has no trailing colon."""
    return address[:-1] if address.startswith("unix:") and address.endswith(":") else address


def proxy_address(bind: str) -> str:
    """Where nginx connects for a gunicorn-style ``bind``: a wildcard address is reached over loopback, a
    Unix socket through nginx's ``unix:`` syntax, and a missing port is gunicorn's default 8000."""
    bind = bind.strip()
    if bind.startswith("unix:"):
        return f"unix:{bind[5:]}:"
    if bind.startswith("fd://"):
        raise ValueError(f"nginx cannot proxy to an inherited file descriptor ({bind}); bind host:port instead")
    host, port = _split_bind(bind)
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1", "localhost": "127.0.0.1"}.get(host, host)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _split_bind(bind: str) -> Tuple[str, str]:
    """(host, port) of ``host:port``, ``[v6]:port``, ``host`` or ``:port``."""
    if bind.startswith("["):
        host, _, rest = bind[1:].partition("]")
        return host, rest.lstrip(":") or "8000"
    if bind.count(":") > 1:  # a bare IPv6 address
        return bind, "8000"
    host, _, port = bind.partition(":")
    return host, port or "8000"


def _proxy_hops(ctx: TemplateContext) -> int:
    """The unit is written for nginx in front, which is one hop even when none was asked for."""
    return ctx.behind_proxy if ctx.behind_proxy > 0 else 1


def _systemd_word(word: str) -> str:
    """A word for ``ExecStart=``: systemd expands ``%`` specifiers and ``$VAR`` and splits on spaces."""
    word = word.replace("%", "%%").replace("$", "$$")
    if re.search(r"[\s\"'\\;]", word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def _nginx_word(word: str) -> str:
    """An nginx parameter: quoted when it has spaces, quotes, ``;``, braces or ``#``."""
    if re.search(r"[\s\"'\\;{}#]", word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def _py(value: str) -> str:
    """A Python string literal (repr is fine: the file is Python)."""
    return repr(value)


def _release(version: str) -> str:
    """``0.2.0.dev3`` -> ``0.2.0``: the release a ``>=`` pin can name."""
    m = re.match(r"\d+(\.\d+)*", version)
    return m.group(0) if m else "0"


# ---- gunicorn.conf.py ------------------------------------------------------------------------------------
def render_gunicorn_conf(ctx: TemplateContext) -> str:
    """gunicorn's own config file with serve's defaults; readable by gunicorn >= 22 on Python >= 3.9."""
    return f'''"""gunicorn settings for {ctx.project_name}.

Generated by `flask-preflight serve --generate gunicorn-conf`. Run from the project directory:
`gunicorn -c gunicorn.conf.py` (gunicorn also reads ./gunicorn.conf.py by itself).
`flask-preflight serve` applies the same defaults without this file, and checks the app first.
"""
import multiprocessing
import os


def _cpus():
    """CPUs this process may run on (its affinity: cpusets, docker --cpuset-cpus), not the host's total.
    A CPU quota (docker --cpus, Kubernetes limits) is not visible here: set WEB_CONCURRENCY for those."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no sched_getaffinity
        return multiprocessing.cpu_count()


# The WSGI app; a TARGET on gunicorn's command line overrides it.
wsgi_app = {_py(gunicorn_target(ctx.target))}
# Loopback: a reverse proxy on this host is the only client. Set 0.0.0.0:PORT only inside a container.
bind = {_py(ctx.bind)}
# gunicorn's rule of thumb, (2 x CPUs) + 1; platforms (Heroku, Render...) set WEB_CONCURRENCY for their size.
workers = int(os.environ.get("WEB_CONCURRENCY", _cpus() * 2 + 1))
# Threads let one worker overlap requests that wait on I/O (a database, an API). A client that sends its
# request slowly still holds a thread until it is complete: keep nginx, which buffers requests, in front.
worker_class = "gthread"
threads = 4
# A worker silent for this long is killed and replaced; keep it above your slowest legitimate request.
timeout = 30
# On SIGTERM/restart, in-flight requests get this long to finish.
graceful_timeout = {GRACEFUL_TIMEOUT}
# Seconds to keep an idle connection from the proxy open for the next request.
keepalive = 5
# Recycle each worker after ~1000 requests (jittered so they do not all restart at once): caps slow leaks.
max_requests = 1000
max_requests_jitter = 100
# Logs to stdout/stderr: journald, docker and platforms collect them; no log files to rotate.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# Trust X-Forwarded-* only from a proxy on this host, never from arbitrary clients (not "*").
forwarded_allow_ips = "127.0.0.1,::1"
# gunicorn >= 24 opens a control socket under $HOME, which a service user has not got; nothing here uses it.
control_socket_disable = True
# Worker heartbeat files in memory: a slow or full disk must not make healthy workers look dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# JSON access-log lines when flask-preflight is installed; gunicorn's plain format otherwise.
try:
    from {ACCESS_LOGGER} import JsonAccessLogger as logger_class  # noqa: F401
except ImportError:
    pass
'''


# ---- systemd ---------------------------------------------------------------------------------------------
def render_systemd(ctx: TemplateContext) -> str:
    """A unit for a long-running service on a Linux host, nginx in front."""
    name = ctx.project_name
    exe = f"{ctx.project_dir.rstrip('/')}/.venv/bin/flask-preflight"
    argv = [exe, "serve", ctx.target, "--bind", ctx.bind, "--behind-proxy", str(_proxy_hops(ctx))]
    workdir = ctx.project_dir.replace("%", "%%")
    home = "read-only" if ctx.project_dir.startswith(_PRIVATE_HOMES) else "yes"
    home_note = ("# The code lives under a home directory: it stays visible, read-only. Better: deploy to /srv.\n"
                 if home == "read-only" else "# /home, /root and /run/user are invisible to the service.\n")
    return f"""# {name}.service - generated by `flask-preflight serve --generate systemd`
#
# Install (as root):
#   useradd --system --no-create-home --shell /usr/sbin/nologin {name}   # the dedicated user below
#   install -d -m 0700 /etc/{name} && install -m 0600 /dev/null /etc/{name}/{name}.env
#   # put SECRET_KEY=... and other secrets in /etc/{name}/{name}.env (never in this file)
#   cp {name}.service /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now {name}
# Logs: journalctl -u {name}

[Unit]
Description={name} (Flask app served by flask-preflight serve)
# Start once the network is up, so binding and outbound connections (database) work.
After=network-online.target
Wants=network-online.target

[Service]
# gunicorn does not speak sd_notify without extra packages: Type=exec reports a failed start when the
# program cannot be executed, and otherwise treats the service as started.
Type=exec
# A dedicated unprivileged user (created above); the code should be owned by root and only readable by it.
User={name}
Group={name}
WorkingDirectory={workdir}
# Secrets come from a root-only file that systemd reads before dropping privileges.
EnvironmentFile=/etc/{name}/{name}.env
# Log lines reach the journal at once instead of sitting in Python's buffer.
Environment=PYTHONUNBUFFERED=1
# The virtualenv flask-preflight and the app's requirements are installed in: adjust the path if yours differs.
# serve checks the app before binding and refuses to start in debug mode; loopback only, nginx in front
# ({_proxy_hops(ctx)} proxy hop, so the client address and scheme come from X-Forwarded-*).
ExecStart={" ".join(_systemd_word(w) for w in argv)}
# SIGTERM goes to the master, which lets workers finish their requests; stragglers are killed after the timeout.
KillMode=mixed
# Longer than the graceful timeout ({GRACEFUL_TIMEOUT}s), so systemd never cuts a clean shutdown short.
TimeoutStopSec={STOP_TIMEOUT}
Restart=on-failure
RestartSec=5

# Hardening: the service can read its code and write nowhere but its private /tmp.
# Add ReadWritePaths=/path/to/uploads if the app writes files.
NoNewPrivileges=yes
ProtectSystem=strict
{home_note}ProtectHome={home}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
# IPv4/IPv6 for clients and databases, Unix sockets for local services.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
# No capabilities at all: the port is above 1024.
CapabilityBoundingSet=
AmbientCapabilities=
# Files the app creates are not world-readable.
UMask=0027

[Install]
WantedBy=multi-user.target
"""


# ---- nginx -----------------------------------------------------------------------------------------------
def render_nginx(ctx: TemplateContext) -> str:
    """An HTTPS site in front of the app server, for /etc/nginx/sites-available (inside nginx's http block)."""
    name = ctx.project_name
    upstream = proxy_address(ctx.bind)
    cert_dir = f"/etc/letsencrypt/live/{SERVER_NAME}"
    return f"""# {name}.nginx.conf - generated by `flask-preflight serve --generate nginx`
#
# Install: replace {SERVER_NAME} (server_name and certificate paths) with your domain, then
#   cp {name}.nginx.conf /etc/nginx/sites-available/{name}
#   ln -s /etc/nginx/sites-available/{name} /etc/nginx/sites-enabled/{name}
#   certbot certonly --webroot -w /var/www/letsencrypt -d {SERVER_NAME}   # the certificate paths below
#   nginx -t && systemctl reload nginx
# It proxies to the app server started as (the systemd unit does this):
#   flask-preflight serve {shlex.quote(ctx.target)} --bind {shlex.quote(ctx.bind)} --behind-proxy 1
# so Flask sees the client's address and https from the X-Forwarded-* headers set here - and trusts
# them from this proxy only.

# The app server. nginx keeps a few connections to it open instead of one new connection per request.
upstream {name.replace("-", "_")}_app {{
    server {_upstream_server(upstream)};
    keepalive 8;
}}

# Plain HTTP only redirects to HTTPS (and answers certificate renewal challenges).
server {{
    listen 80;
    listen [::]:80;
    server_name {SERVER_NAME};
    # Do not advertise the nginx version in headers and error pages.
    server_tokens off;

    location /.well-known/acme-challenge/ {{
        root /var/www/letsencrypt;
    }}

    location / {{
        # $server_name, not the client's Host header: the redirect cannot be pointed elsewhere.
        return 301 https://$server_name$request_uri;
    }}
}}

server {{
    listen 443 ssl;
    listen [::]:443 ssl;
    # nginx >= 1.25.1: add `http2 on;` here.
    server_name {SERVER_NAME};
    server_tokens off;

    # Let's Encrypt's layout; certbot renews the files in place.
    ssl_certificate {cert_dir}/fullchain.pem;
    ssl_certificate_key {cert_dir}/privkey.pem;
    # TLS 1.0/1.1 are deprecated (RFC 8996); nginx's default cipher list is fine for 1.2 and 1.3.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_timeout 1d;
    ssl_session_cache shared:{name.replace("-", "_")}_tls:10m;
    # Tickets without key rotation weaken forward secrecy.
    ssl_session_tickets off;

    # Browsers use HTTPS only for two years, so no request ever goes out in clear text again.
    # (Add includeSubDomains only when every subdomain serves HTTPS.)
    add_header Strict-Transport-Security "max-age=63072000" always;

    # Larger request bodies are refused by nginx before they reach a worker; raise it for uploads.
    client_max_body_size 10m;
{_nginx_static(ctx)}
    location / {{
        proxy_pass http://{name.replace("-", "_")}_app;
        # HTTP/1.1 with an empty Connection header: what upstream keepalive needs.
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # The Host the client asked for (url_for and redirects build URLs from it).
        proxy_set_header Host $host;
        # Appends the client address; ProxyFix takes the last entry, the one this proxy wrote.
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        # "https" here, so Flask builds https URLs and secure cookies work.
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;
        # Keep the app's own Location headers as they are: ProxyFix already made them right.
        proxy_redirect off;
        # A little above gunicorn's 30s worker timeout, so the app's answer wins over nginx's 504.
        proxy_read_timeout 35s;
    }}
}}
"""


def _nginx_static(ctx: TemplateContext) -> str:
    """The static block, served by nginx without a worker - only when the folder exists and has its own URL
    prefix (Flask's ``static_url_path=""`` shares ``/`` with the app)."""
    prefix = "/" + ctx.static_url_path.strip("/")
    if ctx.static_dir is None or prefix == "/":
        return ""
    return f"""
    # Static files straight from disk: no Python process is tied up sending them.
    location {_nginx_word(prefix + "/")} {{
        alias {_nginx_word(ctx.static_dir.rstrip("/") + "/")};
        # Flask's static file names carry no content hash, so browsers may cache them only briefly.
        expires 1h;
        access_log off;
    }}
"""


# ---- Dockerfile ------------------------------------------------------------------------------------------
def render_dockerfile(ctx: TemplateContext) -> str:
    """A two-stage image: dependencies are built in the first stage, the second has no compilers or caches."""
    base = f"python:{ctx.python_version}-{IMAGE_VARIANT}"
    cmd = ["flask-preflight", "serve", ctx.target]
    if ctx.behind_proxy > 0:
        cmd += ["--behind-proxy", str(ctx.behind_proxy)]
    cmd_json = _exec_form(cmd)
    proxy_note = ("# Behind a proxy: set FORWARDED_ALLOW_IPS at run time to the proxy's addresses.\n"
                  if ctx.behind_proxy > 0 else
                  "# Add \"--behind-proxy\", \"1\" when a proxy or load balancer sits in front of the container;\n"
                  "# without one, serve warns at start that slow clients reach gunicorn directly.\n")
    return f"""# syntax=docker/dockerfile:1
# Dockerfile for {ctx.project_name} - generated by `flask-preflight serve --generate dockerfile`
#
#   docker build -t {ctx.project_name} .
#   docker run --env-file /path/to/secrets.env -p 127.0.0.1:{CONTAINER_PORT}:{CONTAINER_PORT} {ctx.project_name}
# Secrets (SECRET_KEY...) are given at run time, never baked into a layer.

# ---- build stage: compilers and pip caches stay here -----------------------------------------------
FROM {base} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
# A virtualenv is one directory that the final stage can copy as a whole.
RUN python -m venv {VENV}
ENV PATH="{VENV}/bin:$PATH"
{_docker_dependencies(ctx)}

# ---- final stage: the runtime only ------------------------------------------------------------------
FROM {base}
# No .pyc files in a read-only image; log lines leave the process at once; serve binds 0.0.0.0:$PORT.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT={CONTAINER_PORT} PATH="{VENV}/bin:$PATH"
# An unprivileged user: a compromised worker cannot modify the code or the system.
RUN groupadd --system --gid {CONTAINER_UID} app \\
 && useradd --system --uid {CONTAINER_UID} --gid app --no-create-home --home-dir /nonexistent \\
    --shell /usr/sbin/nologin app
COPY --from=builder {VENV} {VENV}
WORKDIR /app
{_docker_copies(ctx)}
USER {CONTAINER_UID}:{CONTAINER_UID}
EXPOSE {CONTAINER_PORT}
# Alive when the app answers at all (a 404 for / is fine); 5xx or no answer is unhealthy. No curl in slim.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\
  CMD {_exec_form(["python", "-c", HEALTH_PROBE])}
# Exec form: serve is PID 1 and receives docker's SIGTERM for a graceful stop. It checks the app first
# and refuses to start in debug mode.
{proxy_note}CMD {cmd_json}
"""


def _docker_dependencies(ctx: TemplateContext) -> str:
    preflight = f'"flask-preflight>={_release(__version__)}"'
    compiler = "# (Needs a compiler for a package without wheels? apt-get install build-essential here, not below.)\n"
    if ctx.dependencies == "project":
        return ("# The project is installed with its declared dependencies (pyproject.toml / setup.py).\n"
                + compiler + "COPY . /src\n"
                f"RUN pip install --no-cache-dir /src {preflight}")
    missing = ("# No requirements.txt was found when this file was generated: write one (pip freeze >\n"
               "# requirements.txt in the app's virtualenv) before building.\n"
               if ctx.dependencies == "missing" else "")
    return (missing + "# Dependencies before the code: this layer is rebuilt only when requirements.txt changes.\n"
            + compiler + "COPY requirements.txt ./\n"
            f"RUN pip install --no-cache-dir -r requirements.txt {preflight}")


def _docker_copies(ctx: TemplateContext) -> str:
    """COPY lines for the app only, owned by root so the app user cannot change its own code. A directory
    is copied to a directory of the same name (``COPY pkg/ ./`` would flatten it)."""
    if not ctx.copy_paths:
        return ("# The whole build context: keep .env, .git, .venv and tests out with a .dockerignore.\n"
                "COPY . .")
    files = [p for p in ctx.copy_paths if p.endswith(".py")]
    dirs = [p for p in ctx.copy_paths if not p.endswith(".py")]
    lines = ["# The app's code and data only (.env, .git, tests stay out); add files it reads at run time."]
    if files:
        lines.append(f"COPY {' '.join(files)} ./")
    lines += [f"COPY {d}/ ./{d}/" for d in dirs]
    return "\n".join(lines)


def _exec_form(argv: List[str]) -> str:
    """An exec-form (JSON array) argument list: no shell, so signals reach the program itself."""
    return json.dumps(argv)


_RENDERERS: Dict[str, Callable[[TemplateContext], str]] = {
    "gunicorn-conf": render_gunicorn_conf,
    "systemd": render_systemd,
    "nginx": render_nginx,
    "dockerfile": render_dockerfile,
}
