"""Rule pack 4: how the app is launched - Dockerfile, compose, Procfile, env files, gunicorn, systemd,
supervisord, Render, Heroku app.json, Kubernetes (PF401-PF406)."""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import OWASP_A02, OWASP_A05, REGISTRY, Rule

_IMPL = "flask_preflight/static/deploy/checks.py"
_GUNICORN = "flask_preflight/static/deploy/gunicorn_checks.py"

PF401 = REGISTRY.register(Rule(
    id="PF401",
    name="dev-server-entrypoint",
    severity=Severity.HIGH,
    summary="The production entrypoint starts Flask's development server.",
    rationale=(
        "A container `CMD`, a Procfile `web:` line, a compose `command`, a systemd `ExecStart`, a supervisord "
        "`command`, a Render `startCommand`, a heroku.yml `run` command, a Kubernetes container `command`, an "
        "entry script, or a shell script no deployment file runs but whose name (`scripts/flask_run_prod.sh`) "
        "or sourced environment file (`source scripts/prod_env.sh`) has a prod/production word, that runs "
        "`flask run`, `python -m flask run`, or `python app.py` where `app.py` calls `app.run()` when run as "
        "a script, serves production traffic with Werkzeug's development server: single process, no worker "
        "management, an unbounded thread per connection, and not reviewed for security. Flask's docs: \"Do not "
        "use the development server when deploying to production.\" When the same launch also has debug mode "
        "on - `--debug`, `FLASK_DEBUG=1` in its environment, a variable the app itself reads to switch DEBUG "
        "on set there (`ENV DEBUG True` for a config chosen by `os.getenv(\"DEBUG\") == \"True\"`, judged by what "
        "the app's comparison makes of the value), or `app.run(debug=True)` in the module it starts (even "
        "inside the `__main__` guard, which is exactly what `python app.py` executes) - the container serves "
        "the interactive Werkzeug debugger, which runs Python from the browser. That combination is reported "
        "once, as critical, with both files linked (the run call's own PF101 is folded into it; a PF103 on its "
        "host stays, since where the server listens is a fix of its own). The launch is followed where it leaves the file: a "
        "`__main__` block that calls `pkg.main()` in another module, a project `flask` command (`flask "
        "serve-dev` whose function runs `app.run()`), an invoke/fab task (a `--host` option fills the task's "
        "host parameter), `docker run IMAGE COMMAND` in a script, a compose `command` handed to the image's "
        "ENTRYPOINT script (whose `case \"$1\"` branch it selects), a branch of the script that an environment "
        "variable of the launch takes (`if os.getenv(\"DEBUG\") == \"1\":`) or that depends on the command line "
        "(`if tls:` / `else:` around two run calls, a flag set `False` and then `True` inside the option "
        "loop: some run takes it; a branch no path takes, or one an unset variable keeps closed, does not "
        "count), a `SocketIO` object the project builds in a helper of another module (`.run(app, "
        "allow_unsafe_werkzeug=True)`: only Flask-SocketIO's `run` takes that keyword), and a gunicorn (or "
        "other WSGI server) target that calls `app.run()` when it - or a module it imports - is imported, "
        "which starts the development server inside the production server's worker. Connexion 2's `App.run()` "
        "hands the app to Flask's development server and binds 0.0.0.0 by default; Connexion 3's serves it "
        "with uvicorn, so a project that pins Connexion 3 or later is not reported. A Dash app's `run()` (or "
        "its older name `run_server()`) on an object built by `dash.Dash(...)` ends in Flask's `app.run()` on "
        "the Flask server Dash wraps, so it counts as one, `debug=True` included. The module is resolved "
        "against the scanned Python files the launch can see: those of its build context (the compose "
        "`build.context` that builds the Dockerfile, else the directory holding the files its `COPY`/`ADD` "
        "name, else its project: the nearest directory with a `pyproject.toml`, `requirements.txt`, `.git` "
        "or the like), never another project's in the same scan; a `python script.py` whose script is not "
        "there is not reported, and neither is a `socketio.run()` that Flask-SocketIO serves with eventlet/gevent. A "
        "debugger bound to 127.0.0.1 (`flask run` without `--host`) is reported as high: only the host or "
        "container itself reaches it. A Dockerfile CMD that every file building the image replaces (a compose "
        "service's `command`, a heroku.yml `run` entry) is reported as low: only a plain `docker run` of the "
        "image runs it. A script whose name marks it as a developer's (`bin/run-dev.sh`, `start_local.sh`) "
        "keeps its launches low unless a deployment file starts it directly: when a Dockerfile CMD, compose "
        "`command` or Procfile line names it (`CMD [\"/srv/bin/run-dev.sh\"]`), the launcher's own verdict "
        "decides; one that another script starts (an entry script dispatching to several) keeps its name's. "
        "Files in `.devcontainer/` (the Dev Containers configuration VS Code, Codespaces or the devcontainer CLI "
        "builds for a developer) are reported as low. `python -m pkg.mod` runs `pkg/mod.py` (or "
        "`pkg/mod/__main__.py` when `pkg.mod` is a package), never `pkg/__main__.py`. A start script the "
        "Dockerfile writes itself (`RUN cat > /app/start.sh <<EOF`, `cat <<EOF > FILE`, `tee FILE <<EOF`, "
        "`COPY <<EOF FILE`) is followed when the image's command runs it, and its launches are reported on the "
        "Dockerfile lines of the heredoc body. In a systemd unit shipped as a template (`ExecStart={{ venv "
        "}}/bin/gunicorn ...`), each `{{ ... }}` placeholder is one word, as the rendered unit has it."
    ),
    bad='''
# Dockerfile
FROM python:3.12-slim
COPY . /app
WORKDIR /app
CMD ["python", "app.py"]        # app.py: if __name__ == "__main__": app.run(debug=True)
''',
    good='''
# Dockerfile
FROM python:3.12-slim
COPY . /app
WORKDIR /app
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]
''',
    fix_hint="Serve the app with a production WSGI server, e.g. `gunicorn -w 4 -b 0.0.0.0:8000 app:app` or "
             "`waitress-serve app:app`, and keep `app.run()` for local use only.",
    cwe=(489, 1188),
    owasp=(OWASP_A05,),
    implemented_in=_IMPL,
))

PF402 = REGISTRY.register(Rule(
    id="PF402",
    name="debug-env-enabled",
    severity=Severity.HIGH,
    summary="A deployment file turns Flask debug mode or the Werkzeug debugger on through the environment.",
    rationale=(
        "Flask reads `FLASK_DEBUG` when the app object is created and in `app.run()`, and `flask run` reads it "
        "to start the debugger and reloader; `FLASK_ENV=development` did the same before Flask 2.3 and is still "
        "copied from old tutorials; `WERKZEUG_DEBUG_PIN=off` removes the only thing that stands between the "
        "debugger and anyone who reaches it; an app-specific variable (`DEBUG=1`) is reported where it is set "
        "when the launched code reads it to run the development server with debug mode on, and wherever it is set "
        "(a committed `.env` too) when a config class of the project turns it into DEBUG "
        "(`DEBUG = bool_env('DEBUG')`, `DEBUG = os.getenv('APP_DEBUG') == '1'`); `flask run --debug`, `--debugger` and `--reload` switch the same "
        "features on from the command line (`--no-debugger`, Flask's documented way to use an external "
        "debugger, keeps the debugger off even with `--debug`). Setting any of these in a Dockerfile `ENV`, a compose "
        "`environment`, a Procfile, a systemd unit, a fly.toml/app.yaml, a supervisord program, render.yaml, heroku.yml, "
        "Heroku's app.json, a Kubernetes manifest or an entry script ships them to "
        "production. Files that are evidently for local development (`.env.development`, `Dockerfile.dev`, "
        "`docker-compose.override.yml`, a compose service that bind-mounts the source tree, unless its file sits "
        "beside a development-named compose file and is therefore the deployed one) and templates "
        "(`.env.example`) are reported as low; `.flaskenv` is read only by the `flask` command and "
        "`app.run()`, so it is low unless the production entrypoint is one of those or loads it itself (a compose "
        "`env_file`, `. ./.flaskenv` in an entry script or `sh -c`). Severity follows what the "
        "variable reaches: high when the development server runs with it (the debugger), medium when a WSGI "
        "server does (debug mode without the debugger), one level lower for FLASK_ENV (ignored since Flask 2.3) "
        "and one level higher for WERKZEUG_DEBUG_PIN=off. FLASK_ENV is not reported at all when the project "
        "pins Flask 2.3 or later (`Flask==3.0.2`, or a `>=`/`~=`/`^` lower bound, in its requirements file, "
        "`pyproject.toml`, `Pipfile` or setup file, or the exact version in `uv.lock`, `poetry.lock` or "
        "`Pipfile.lock`; the nearest directory with such a file decides, the lowest of its files wins, and "
        "the directories one level down count when no parent has one) and none of its own Python names the "
        "variable."
    ),
    bad='''
# Dockerfile
ENV FLASK_DEBUG=1
CMD ["gunicorn", "app:app"]
''',
    good='''
# Dockerfile
ENV FLASK_DEBUG=0
CMD ["gunicorn", "app:app"]
''',
    fix_hint="Remove the variable (debug mode is off by default) and set it only in your local shell or a "
             "git-ignored `.env`.",
    cwe=(489, 215),
    owasp=(OWASP_A05,),
    implemented_in=_IMPL,
))

PF403 = REGISTRY.register(Rule(
    id="PF403",
    name="gunicorn-reload-in-production",
    severity=Severity.MEDIUM,
    summary="gunicorn runs with `--reload` / `reload = True` in a production launch.",
    rationale=(
        "gunicorn's reloader is meant for development: it watches files and restarts workers on change, costs "
        "CPU on every poll, restarts workers whenever a file changes under it (a log or upload directory inside "
        "the code tree), and is incompatible with `--preload`. Worse, while it is active a syntax error in a "
        "reloaded file makes gunicorn serve a fallback app that returns the full traceback, with source lines, "
        "to every client."
    ),
    bad='''
# Procfile
web: gunicorn app:app --reload
''',
    good='''
# Procfile
web: gunicorn app:app
''',
    fix_hint="Remove `--reload` (and `reload = True` from gunicorn.conf.py); redeploy to pick up code changes.",
    cwe=(489, 209),
    owasp=(OWASP_A05,),
    implemented_in=_GUNICORN,
))

PF404 = REGISTRY.register(Rule(
    id="PF404",
    name="gunicorn-workers-misconfigured",
    severity=Severity.LOW,
    summary="gunicorn's worker count is the single default worker, far too high, or fights a per-process secret.",
    rationale=(
        "gunicorn starts one synchronous worker unless told otherwise (`-w`, `workers =`, or the "
        "`WEB_CONCURRENCY` variable that Heroku-style platforms set): one slow request then blocks every "
        "other client. The settings counted are the ones gunicorn really loads: the command line, "
        "`GUNICORN_CMD_ARGS`, the file `-c` names (whatever it is called: `--config=config.py` is read like "
        "`gunicorn.conf.py`) or, without `-c`, the `gunicorn.conf.py` of the working directory, and the words "
        "an image's entry script adds after `\"$@\"` on the line that runs the CMD (`exec \"$@\" --workers "
        "\"$WORKERS\"` in the branch the CMD takes). gunicorn's design notes suggest `(2 x CPU cores) + 1` "
        "workers as a starting point and say a server rarely needs more than 4-12; a hard-coded count far "
        "above that (over 32 here) exhausts memory on small instances. And when the app generates its secret "
        "key at import (`os.urandom`, see PF203), each worker has its own key unless the app is preloaded, so "
        "sessions signed by one worker are rejected by the next; `--preload` hides that until the next "
        "restart or the next replica."
    ),
    bad='''
CMD ["gunicorn", "app:app"]                 # one sync worker
''',
    good='''
CMD ["gunicorn", "--workers", "4", "app:app"]   # or set WEB_CONCURRENCY / workers = 2 * cpu_count() + 1
''',
    fix_hint="Set `--workers` to about `2 * CPU cores + 1` (or `WEB_CONCURRENCY`), or use `--threads`/an async "
             "worker class; load SECRET_KEY from the environment so every worker shares it.",
    cwe=(400,),
    owasp=(OWASP_A05,),
    implemented_in=_GUNICORN,
))

PF405 = REGISTRY.register(Rule(
    id="PF405",
    name="gunicorn-insecure-settings",
    severity=Severity.MEDIUM,
    summary="gunicorn settings that trust spoofable headers, log too much, or never time out.",
    rationale=(
        "`forwarded_allow_ips = \"*\"` makes gunicorn trust `X-Forwarded-Proto`/`X-Forwarded-For` from any "
        "client, so anyone who reaches the port directly can claim to be on HTTPS or come from any address; it "
        "is only safe when the port is reachable from the proxy alone. `loglevel = \"debug\"` writes request "
        "details to production logs. `--timeout 0` disables the worker timeout, so a stuck request holds a "
        "worker forever (acceptable only where the platform enforces its own request timeout). Binding "
        "`0.0.0.0` in a compose project with no reverse-proxy service publishes gunicorn directly "
        "(informational)."
    ),
    bad='''
gunicorn --forwarded-allow-ips="*" --log-level debug --timeout 0 app:app
''',
    good='''
gunicorn --forwarded-allow-ips="10.0.0.5" --timeout 30 app:app
''',
    fix_hint="List the proxy's addresses in `forwarded_allow_ips`, keep `loglevel` at info, and keep a finite "
             "`timeout`.",
    cwe=(348, 532, 400),
    owasp=(OWASP_A05,),
    implemented_in=_GUNICORN,
))

PF406 = REGISTRY.register(Rule(
    id="PF406",
    name="secret-in-deploy-file",
    severity=Severity.HIGH,
    summary="A secret key is written as a literal in a committed deployment file.",
    rationale=(
        "`SECRET_KEY` (and `JWT_SECRET_KEY`, `SECURITY_PASSWORD_SALT`, `WTF_CSRF_SECRET_KEY`, "
        "`SECRET_KEY_FALLBACKS`, `FLASK_SECRET_KEY`) signs the session cookie: whoever knows it can forge any "
        "session, including an admin's. A value written in a Dockerfile `ENV`/`ARG` is baked into every image "
        "layer and visible with `docker history`; one in a compose file, Procfile, systemd unit, fly.toml, "
        "app.yaml, supervisord config, render.yaml, heroku.yml, app.json or Kubernetes manifest (a ConfigMap's `data` too) is in version control for "
        "everyone with read access (a Kubernetes `Secret` reference via `valueFrom` is not); a `.env` file that "
        "git tracks is the "
        "same. A YAML file under any name whose top level is a compose `services:` mapping (`stack.yml` for "
        "`docker stack deploy`, a Portainer stack) is read as a compose file. Templates (`.env.example`, "
        "`.env.sample`, `env.prod.sample`, `prod.env.example`...) are reported only when they hold what looks like "
        "a real key (16 characters or more, none of the usual placeholder words, not a phrase such as "
        "`need-to-generate-this`: letter runs joined by single separators, no digit), as medium; an empty value "
        "or an obvious placeholder in a template is not reported. A compose value that is only `${SECRET_KEY}`, "
        "which compose fills from the `.env` beside the compose file, is reported in that `.env`, where the "
        "literal is written (and not at all when the `.env` is git-ignored), not on the compose line."
    ),
    bad='''
# docker-compose.yml
services:
  web:
    environment:
      SECRET_KEY: "s3cr3t-production-key"
''',
    good='''
# docker-compose.yml
services:
  web:
    environment:
      SECRET_KEY: ${SECRET_KEY}      # from the host environment or a secrets manager
''',
    fix_hint="Reference the value from the environment or a secret store (`${SECRET_KEY}`, Docker/compose "
             "secrets, the platform's config vars) and rotate the key that was committed.",
    cwe=(798, 540),
    owasp=(OWASP_A02, OWASP_A05),
    implemented_in=_IMPL,
))
