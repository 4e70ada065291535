"""PF401 dev-server-entrypoint: a production launch that starts Werkzeug's development server.

Each test is a small project: the deployment file(s) and the Flask module they start. The launch is judged
together with the Python it runs, so ``python app.py`` is only a finding when ``app.py`` really calls
``app.run()`` when executed as a script.
"""

import pytest

APP_DEBUG_MAIN = """\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
"""  # app.run on line 12

APP_MAIN = """\
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5000)))
"""  # app.run on line 14, no debug argument (Flask.run then reads FLASK_DEBUG)

APP_FACTORY = """\
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return {"ok": True}

    return app


app = create_app()
"""

DOCKERFILE_PYTHON_APP = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 5000
CMD ["python", "app.py"]
"""  # CMD on line 7


# ---- the critical correlation ------------------------------------------------------------------

def test_python_app_py_with_debug_run_under_main_is_one_critical_finding_on_the_cmd(scan):
    # python app.py executes the __main__ block, so debug=True is what the container serves. The Python
    # debug finding at the run call (PF101 low) is replaced by the one linked deployment finding; the public
    # bind is a fact of its own (where the server listens) and stays, medium: the launch runs it.
    found = scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": APP_DEBUG_MAIN})
    assert found == [("PF103", "app.py", 12, 18, "medium"), ("PF401", "Dockerfile", 7, 1, "critical")]
    assert scan.severity("PF401", 7) == "critical"
    message = scan.message("PF401", 7)
    assert "debug=True" in message and "app.py:12" in message.replace("\\", "/")
    related = next(f for f in scan.findings if f.rule_id == "PF401").related
    assert any(r.path.replace("\\", "/").endswith("app.py") and r.line == 12 for r in related)


def test_python_app_py_without_debug_is_high_and_python_findings_stay(scan):
    found = scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": APP_MAIN})
    # Not subsumed: only a critical (debugger) launch replaces the Python-side findings.
    assert found == [("PF103", "app.py", 14, 18, "medium"), ("PF401", "Dockerfile", 7, 1, "high")]
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": APP_MAIN}, select=["PF4"]) == [("PF401", "Dockerfile", 7, 1, "high")]


def test_python_app_py_with_flask_debug_from_the_dockerfile_env_is_critical(scan):
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        ENV FLASK_DEBUG=1
        CMD python app.py
        """
    found = scan({"Dockerfile": dockerfile, "app.py": APP_MAIN}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 5, 1, "critical"), ("PF402", "Dockerfile", 4, 5, "high")]
    assert scan.severity("PF401", 5) == "critical"
    assert "FLASK_DEBUG=1" in scan.message("PF401", 5)


def test_debug_argument_read_from_env_and_set_by_compose_is_critical(scan):
    app = APP_MAIN.replace('port=int(os.environ.get("PORT", 5000))', 'debug=os.environ.get("APP_DEBUG", "0") == "1"')
    compose = """\
        services:
          web:
            build: .
            command: python app.py
            environment:
              APP_DEBUG: "1"
            ports:
              - "5000:5000"
        """
    found = scan({"docker-compose.yml": compose, "app.py": app}, select=["PF401"])
    assert found == [("PF401", "docker-compose.yml", 4, 1, "critical")]
    assert scan.severity("PF401", 4) == "critical"
    assert "APP_DEBUG=1" in scan.message("PF401", 4)


def test_debug_argument_read_from_env_with_safe_default_is_high_not_critical(scan):
    app = APP_MAIN.replace('port=int(os.environ.get("PORT", 5000))', 'debug=os.environ.get("APP_DEBUG", "0") == "1"')
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": app}, select=["PF401"]) == [("PF401", "Dockerfile", 7, 1, "high")]
    assert scan.severity("PF401", 7) == "high"


def test_config_debug_makes_app_run_start_the_debugger(scan):
    # app.run() without a debug argument keeps app.debug, which the config set: use_debugger follows it.
    app = APP_MAIN.replace('app = Flask(__name__)\n', 'app = Flask(__name__)\napp.config["DEBUG"] = True\n')
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": app}, select=["PF401"]) == [("PF401", "Dockerfile", 7, 1, "critical")]
    assert scan.severity("PF401", 7) == "critical"


def test_only_python_rules_selected_keeps_the_findings_pf401_would_replace(scan):
    # The Python findings are dropped only because PF401 reports them; without PF401 nothing would.
    found = scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": APP_DEBUG_MAIN}, select=["PF1"])
    assert found == [("PF101", "app.py", 12, 46, "low"), ("PF103", "app.py", 12, 18, "medium")]


def test_suppressed_pf401_does_not_hide_the_python_findings(scan):
    dockerfile = DOCKERFILE_PYTHON_APP.replace("CMD", "# preflight: ignore[PF401]\nCMD")
    found = scan({"Dockerfile": dockerfile, "app.py": APP_DEBUG_MAIN}, select=["PF1", "PF4"])
    assert found == [("PF101", "app.py", 12, 46, "low"), ("PF103", "app.py", 12, 18, "medium")]


def test_run_simple_with_the_debugger_replaces_pf104_and_keeps_the_bind(scan):
    app = """\
        from flask import Flask
        from werkzeug.middleware.dispatcher import DispatcherMiddleware
        from werkzeug.serving import run_simple

        from api import api_app

        app = Flask(__name__)
        application = DispatcherMiddleware(app, {"/api": api_app})

        if __name__ == "__main__":
            run_simple("0.0.0.0", 5000, application, use_reloader=True, use_debugger=True)
        """
    files = {"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": app, "api.py": "from flask import Flask\napi_app = Flask(__name__)\n"}
    assert scan(files) == [("PF103", "app.py", 11, 16, "medium"), ("PF401", "Dockerfile", 7, 1, "critical")]
    assert scan.severity("PF401", 7) == "critical"
    assert "run_simple()" in scan.message("PF401", 7)


# ---- flask run -----------------------------------------------------------------------------------

def test_flask_run_debug_in_a_dockerfile_cmd(scan):
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        ENV FLASK_APP=app.py
        CMD ["flask", "run", "--host=0.0.0.0", "--debug"]
        """
    found = scan({"Dockerfile": dockerfile, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 5, 1, "critical"), ("PF402", "Dockerfile", 5, 1, "high")]
    assert scan.severity("PF401", 5) == "critical"
    assert scan.severity("PF402", 5) == "high"
    assert "--debug" in scan.message("PF401", 5)


def test_flask_global_debug_option_before_run(scan):
    procfile = "web: flask --app app --debug run --host 0.0.0.0 --port $PORT\n"
    found = scan({"Procfile": procfile, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", "Procfile", 1, 1, "critical")]
    assert scan.severity("PF401", 1) == "critical"


def test_plain_flask_run_is_high(scan):
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        CMD ["flask", "--app", "app", "run", "--host", "0.0.0.0"]
        """
    assert scan({"Dockerfile": dockerfile, "app.py": APP_FACTORY}, select=["PF4"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


def test_flask_run_no_debug_overrides_flask_debug(scan):
    dockerfile = """\
        FROM python:3.12-slim
        COPY . /app
        WORKDIR /app
        ENV FLASK_DEBUG=1
        CMD ["flask", "run", "--no-debug", "--host=0.0.0.0"]
        """
    found = scan({"Dockerfile": dockerfile, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", "Dockerfile", 5, 1, "high")]
    assert scan.severity("PF401", 5) == "high"


def test_flask_run_does_not_execute_the_main_block(scan):
    # `flask run` imports app.py; its `if __name__ == "__main__": app.run(debug=True)` never runs, so the
    # launch has no debugger (high, not critical) and the Python findings stay.
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["flask", "run", "--host=0.0.0.0"]\n'
    found = scan({"Dockerfile": dockerfile, "app.py": APP_DEBUG_MAIN}, select=["PF1", "PF4"])
    assert found == [("PF101", "app.py", 12, 46, "low"), ("PF103", "app.py", 12, 18, "low"), ("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


def test_compose_environment_reaches_the_command_of_the_image_it_builds(scan):
    # The service has no `command`: it runs the Dockerfile CMD, with the service's environment.
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["flask", "run", "--host=0.0.0.0"]\n'
    compose = """\
        services:
          web:
            build: .
            ports:
              - "5000:5000"
            environment:
              - FLASK_DEBUG=1
        """
    found = scan({"Dockerfile": dockerfile, "docker-compose.yml": compose, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 4, 1, "critical"), ("PF402", "docker-compose.yml", 7, 9, "high")]
    assert scan.severity("PF401", 4) == "critical"


def test_explicit_debug_false_wins_over_flask_debug(scan):
    # Flask.run: "debug passed to method overrides all other sources".
    app = APP_MAIN.replace('port=int(os.environ.get("PORT", 5000))', "debug=False")
    dockerfile = DOCKERFILE_PYTHON_APP.replace("EXPOSE 5000", "ENV FLASK_DEBUG=1")
    found = scan({"Dockerfile": dockerfile, "app.py": app}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 7, 1, "high"), ("PF402", "Dockerfile", 6, 5, "high")]
    assert scan.severity("PF401", 7) == "high"


def test_python_m_flask_run_with_flask_debug_from_compose_env_file(scan):
    compose = """\
        services:
          web:
            build: .
            command: python -m flask run --host=0.0.0.0 --port=8000
            env_file:
              - .env
            ports:
              - "8000:8000"
          db:
            image: postgres:16
        """
    env = "FLASK_APP=app.py\nFLASK_DEBUG=1\nDATABASE_URL=postgresql://db/app\n"
    found = scan({"docker-compose.yml": compose, ".env": env, "app.py": APP_FACTORY}, select=["PF401", "PF402"])
    assert found == [("PF401", "docker-compose.yml", 4, 1, "critical"), ("PF402", ".env", 2, 1, "high")]
    assert scan.severity("PF401", 4) == "critical"
    assert ".env" in scan.message("PF401", 4)
    assert scan.severity("PF402", 2) == "high"


def test_app_run_loads_flaskenv_too(scan):
    # Flask.run() loads .flaskenv/.env (python-dotenv) before reading FLASK_DEBUG.
    files = {"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": APP_MAIN, ".flaskenv": "FLASK_DEBUG=1\n"}
    found = scan(files, select=["PF401", "PF402"])
    assert found == [("PF401", "Dockerfile", 7, 1, "critical"), ("PF402", ".flaskenv", 1, 1, "high")]
    assert scan.severity("PF401", 7) == "critical"
    assert scan.severity("PF402", 1) == "high"


def test_env_file_kept_out_of_the_image_by_dockerignore(scan):
    # `.env` never reaches the container (the build context excludes it), so `flask run` there cannot load it.
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["flask", "run", "--host=0.0.0.0"]\n'
    files = {"Dockerfile": dockerfile, ".dockerignore": ".git\n.env\n__pycache__/\n", ".env": "FLASK_DEBUG=1\n",
             "app.py": APP_FACTORY}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


def test_entrypoint_script_that_execs_the_cmd(scan):
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        RUN chmod +x entrypoint.sh
        ENTRYPOINT ["./entrypoint.sh"]
        CMD ["flask", "run", "--host=0.0.0.0", "--port=8000"]
        """
    entrypoint = """\
        #!/bin/sh
        set -e
        flask db upgrade
        exec "$@"
        """
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": entrypoint, "app.py": APP_FACTORY}, select=["PF4"])
    # The program word `flask` is written on the CMD line: that is where the finding belongs.
    assert found == [("PF401", "Dockerfile", 6, 1, "high")]
    assert scan.severity("PF401", 6) == "high"


def test_entry_script_that_runs_flask_itself(scan):
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        CMD ["./boot.sh"]
        """
    boot = """\
        #!/bin/bash
        source venv/bin/activate
        flask db upgrade
        flask translate compile
        exec flask run --host=0.0.0.0 --port=5000
        """
    found = scan({"Dockerfile": dockerfile, "boot.sh": boot, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == [("PF401", "boot.sh", 5, 1, "high")]


def test_sh_c_with_migration_then_flask_run(scan):
    compose = """\
        services:
          web:
            build: .
            command: sh -c "flask db upgrade && flask run --host=0.0.0.0"
            environment:
              DATABASE_URL: postgresql://postgres@db/app
          db:
            image: postgres:16
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP_FACTORY}, select=["PF4"]) == [("PF401", "docker-compose.yml", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


def test_systemd_exec_start_with_python_script(scan):
    unit = """\
        [Unit]
        Description=Flask app
        After=network.target

        [Service]
        User=www-data
        WorkingDirectory=/srv/app
        ExecStart=/srv/app/venv/bin/python /srv/app/app.py
        Restart=always

        [Install]
        WantedBy=multi-user.target
        """
    found = scan({"deploy/flaskapp.service": unit, "app.py": APP_MAIN}, select=["PF4"])
    assert found == [("PF401", "deploy/flaskapp.service", 8, 1, "high")]
    assert scan.severity("PF401", 8) == "high"


def test_procfile_web_python_script(scan):
    procfile = "release: flask db upgrade\nweb: python app.py\n"
    assert scan({"Procfile": procfile, "app.py": APP_MAIN}, select=["PF4"]) == [("PF401", "Procfile", 2, 1, "high")]


def test_python_m_package_with_main_module(scan):
    main = """\
        from myapp import create_app

        app = create_app()

        if __name__ == "__main__":
            app.run(host="0.0.0.0", port=8080)
        """
    pkg = "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n"
    dockerfile = "FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\nCMD [\"python\", \"-m\", \"myapp\"]\n"
    found = scan({"Dockerfile": dockerfile, "myapp/__init__.py": pkg, "myapp/__main__.py": main}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 4, 1, "high")]


def test_fly_process(scan):
    fly = """\
        app = "my-flask-app"
        primary_region = "ams"

        [processes]
          app = "flask run --host 0.0.0.0 --port 8080"

        [http_service]
          internal_port = 8080
          processes = ["app"]
        """
    assert scan({"fly.toml": fly, "app.py": APP_FACTORY}, select=["PF4"]) == [("PF401", "fly.toml", 5, 1, "high")]


def test_app_engine_entrypoint_python_main(scan):
    app_yaml = "runtime: python312\nentrypoint: python main.py\n"
    main = APP_MAIN
    assert scan({"app.yaml": app_yaml, "main.py": main}, select=["PF4"]) == [("PF401", "app.yaml", 2, 1, "high")]


def test_socketio_run_on_werkzeug_under_main(scan):
    # allow_unsafe_werkzeug=True is how Flask-SocketIO is told to run on Werkzeug's development server.
    app = """\
        from flask import Flask
        from flask_socketio import SocketIO

        app = Flask(__name__)
        socketio = SocketIO(app)

        if __name__ == "__main__":
            socketio.run(app, host="0.0.0.0", port=5000, allow_unsafe_werkzeug=True)
        """
    dockerfile = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"python\", \"app.py\"]\n"
    assert scan({"Dockerfile": dockerfile, "app.py": app}, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high")]


@pytest.mark.parametrize("cmd", [
    '["poetry", "run", "flask", "run", "--host", "0.0.0.0"]',
    '["tini", "--", "python", "-u", "app.py"]',
    'exec python3 app.py',
    '["python", "-m", "app"]',
    '["/bin/bash", "-lc", "flask db upgrade; exec flask run -h 0.0.0.0 -p 8000"]',
])
def test_wrappers_and_spellings_of_the_dev_server(scan, cmd):
    dockerfile = f"FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD {cmd}\n"
    app = APP_MAIN if "flask" not in cmd else APP_FACTORY
    assert scan({"Dockerfile": dockerfile, "app.py": app}, select=["PF4"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


# ---- development setups are reported low ---------------------------------------------------------

def test_dockerfile_dev_is_low(scan):
    dockerfile = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\", \"--debug\"]\n"
    found = scan({"Dockerfile.dev": dockerfile, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", "Dockerfile.dev", 4, 1, "low")]
    assert scan.severity("PF401", 4) == "low"
    assert "development image" in scan.message("PF401", 4)


def test_procfile_dev_for_foreman_or_honcho_is_low(scan):
    files = {"Procfile.dev": "web: flask run --debug\nassets: npm run watch\n", "app.py": APP_FACTORY}
    assert scan(files, select=["PF401"]) == [("PF401", "Procfile.dev", 1, 1, "low")]
    assert scan.severity("PF401", 1) == "low"


def test_compose_service_that_bind_mounts_the_source_is_low(scan):
    compose = """\
        services:
          web:
            build: .
            command: flask run --host=0.0.0.0 --debug
            volumes:
              - .:/app
            ports:
              - "5000:5000"
        """
    found = scan({"docker-compose.yml": compose, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", "docker-compose.yml", 4, 1, "low")]
    assert scan.severity("PF401", 4) == "low"


def test_compose_override_file_is_low_and_does_not_subsume_python_findings(scan):
    compose = "services:\n  web:\n    command: python app.py\n"
    found = scan({"docker-compose.override.yml": compose, "app.py": APP_DEBUG_MAIN}, select=["PF1", "PF4"])
    assert found == [  # a local setup does not replace the Python findings
        ("PF101", "app.py", 12, 46, "low"),
        ("PF103", "app.py", 12, 18, "medium"),
        ("PF401", "docker-compose.override.yml", 3, 1, "low"),
    ]


def test_compose_service_in_a_dev_profile_is_low(scan):
    # A service with `profiles: [dev]` only starts with `docker compose --profile dev up`.
    compose = """\
        services:
          web:
            build: .
            command: gunicorn -w 4 -b 0.0.0.0:8000 app:app
          web-dev:
            build: .
            profiles: ["dev"]
            command: flask run --host=0.0.0.0 --debug
        """
    found = scan({"docker-compose.yml": compose, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", "docker-compose.yml", 8, 1, "low")]
    assert scan.severity("PF401", 8) == "low"


def test_entry_script_branch_taken_only_in_development(scan):
    # The usual entrypoint: the development server only when FLASK_ENV says so, gunicorn otherwise.
    entrypoint = """\
        #!/bin/sh
        set -e
        flask db upgrade
        if [ "$FLASK_ENV" = "development" ]; then
            exec flask run --host=0.0.0.0 --debug
        else
            exec gunicorn --workers 4 --bind 0.0.0.0:8000 app:app
        fi
        """
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\n'
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": entrypoint, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == [("PF401", "entrypoint.sh", 5, 1, "low"), ("PF402", "entrypoint.sh", 5, 1, "low")]


def test_entry_script_case_with_a_dev_mode_argument(scan):
    entrypoint = """\
        #!/bin/bash
        case "$1" in
          dev)
            exec flask run --host=0.0.0.0 --debug
            ;;
          *)
            exec gunicorn -w 4 -b 0.0.0.0:8000 app:app
            ;;
        esac
        """
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\nCMD ["serve"]\n'
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": entrypoint, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == []  # the image runs `serve`: the `*` branch; `dev` is only taken when asked for


ENTRYPOINT_FAIL_OPEN = """\
#!/bin/sh
set -e
if [ "$APP_ENV" = "production" ]; then
    exec gunicorn -w 4 --bind 0.0.0.0:8000 app:app
else
    exec flask run --host=0.0.0.0 --debug
fi
"""  # the else branch, line 6, is what runs when APP_ENV is not set


def test_entry_script_whose_default_branch_is_the_debugger(scan):
    # The else of a *production* test is the fail-open default: nothing sets APP_ENV, so this container
    # starts the debugger. Not a development-only branch.
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\n'
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": ENTRYPOINT_FAIL_OPEN, "app.py": APP_FACTORY},
                 select=["PF401"])
    assert found == [("PF401", "entrypoint.sh", 6, 1, "critical")]
    assert scan.severity("PF401", 6) == "critical"


def test_entry_script_default_branch_not_taken_when_the_image_sets_production(scan):
    dockerfile = ('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENV APP_ENV=production\n'
                  'ENTRYPOINT ["./entrypoint.sh"]\n')
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": ENTRYPOINT_FAIL_OPEN, "app.py": APP_FACTORY},
                 select=["PF401"])
    assert found == []  # the image sets APP_ENV=production: the else branch never runs


def test_entry_script_empty_test_is_the_production_branch(scan):
    # `[ -z "$DEBUG" ]` is true when DEBUG is unset: the then-branch is production, the else is development.
    entrypoint = """\
        #!/bin/sh
        if [ -z "$DEBUG" ]; then
            exec gunicorn --workers 4 --bind 0.0.0.0:8000 --reload app:app
        else
            exec flask run --host=0.0.0.0 --debug
        fi
        """
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\n'
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": entrypoint, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == [
        ("PF401", "entrypoint.sh", 5, 1, "low"),
        ("PF402", "entrypoint.sh", 5, 1, "low"),
        ("PF403", "entrypoint.sh", 3, 1, "medium"),
    ]
    assert scan.severity("PF403", 3) == "medium"  # the production path reloads
    assert scan.severity("PF401", 5) == "low"
    assert scan.severity("PF402", 5) == "low"


def test_entry_script_that_execs_gunicorn_unless_dev_is_set(scan):
    # `exec` replaces the shell: the line after the if-block only runs when DEV is non-empty.
    entrypoint = """\
        #!/bin/sh
        if [ -z "$DEV" ]; then
            exec gunicorn -w 4 --bind 0.0.0.0:8000 app:app
        fi
        exec flask run --host=0.0.0.0 --debug
        """
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\n'
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": entrypoint, "app.py": APP_FACTORY}, select=["PF4"])
    assert found == [("PF401", "entrypoint.sh", 5, 1, "low"), ("PF402", "entrypoint.sh", 5, 1, "low")]


def test_docker_compose_getting_started_project(scan):
    # Docker's own compose tutorial: the image runs `flask run`; the compose file is a local setup that
    # bind-mounts the code and turns debug on. The image is high; the dev-only debug switch stays low and
    # does not make the image's launch critical.
    app = """\
        import redis
        from flask import Flask

        app = Flask(__name__)
        cache = redis.Redis(host="redis", port=6379)


        @app.route("/")
        def hello():
            return f"Hello World! I have been seen {cache.incr('hits')} times."
        """
    dockerfile = """\
        FROM python:3.10-alpine
        WORKDIR /code
        ENV FLASK_APP=app.py
        ENV FLASK_RUN_HOST=0.0.0.0
        RUN apk add --no-cache gcc musl-dev linux-headers
        COPY requirements.txt requirements.txt
        RUN pip install -r requirements.txt
        EXPOSE 5000
        COPY . .
        CMD ["flask", "run"]
        """
    compose = """\
        services:
          web:
            build: .
            ports:
              - "8000:5000"
            volumes:
              - .:/code
            environment:
              FLASK_DEBUG: "true"
          redis:
            image: "redis:alpine"
        """
    found = scan({"app.py": app, "Dockerfile": dockerfile, "compose.yaml": compose}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 10, 1, "high"), ("PF402", "compose.yaml", 9, 7, "low")]
    assert scan.severity("PF401", 10) == "high"
    assert scan.severity("PF402", 9) == "low"


# ---- negatives -------------------------------------------------------------------------------------

def test_python_app_py_that_serves_with_waitress(scan):
    app = """\
        from flask import Flask
        from waitress import serve

        app = Flask(__name__)


        @app.route("/")
        def index():
            return "hello"


        if __name__ == "__main__":
            serve(app, host="0.0.0.0", port=8080, threads=8)
        """
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": app}, select=["PF4"]) == []


def test_python_script_whose_run_is_only_in_a_cli_command(scan):
    manage = """\
        import click
        from flask.cli import FlaskGroup
        from app import create_app

        cli = FlaskGroup(create_app=create_app)


        @cli.command("runserver")
        def runserver():
            create_app().run(debug=True)


        if __name__ == "__main__":
            cli()
        """
    dockerfile = """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        CMD ["sh", "-c", "python manage.py db upgrade && gunicorn --workers 4 --bind 0.0.0.0:8000 app:app"]
        """
    files = {"Dockerfile": dockerfile, "manage.py": manage, "app.py": APP_FACTORY}
    assert scan(files, select=["PF4"]) == []


def test_release_and_worker_procfile_lines_are_not_the_web_server(scan):
    procfile = """\
        release: python manage.py db upgrade
        worker: python app.py
        web: gunicorn --workers 3 app:app
        """
    assert scan({"Procfile": procfile, "app.py": APP_DEBUG_MAIN}, select=["PF4"]) == []


def test_app_run_gated_by_a_dev_variable_inside_main(scan):
    app = """\
        import os
        from flask import Flask
        from waitress import serve

        app = Flask(__name__)

        if __name__ == "__main__":
            if os.environ.get("DEV"):
                app.run(debug=True)
            else:
                serve(app, host="0.0.0.0", port=8080)
        """
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": app}, select=["PF4"]) == []


def test_script_not_in_the_scan_is_not_reported(scan):
    dockerfile = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/server.py\"]\n"
    assert scan({"Dockerfile": dockerfile, "app.py": APP_DEBUG_MAIN}, select=["PF4"]) == []


def test_builder_stage_command_does_not_reach_the_final_image(scan):
    dockerfile = """\
        FROM python:3.12-slim AS dev
        WORKDIR /app
        COPY . .
        CMD ["flask", "run", "--host=0.0.0.0", "--debug"]

        FROM python:3.12-slim AS prod
        WORKDIR /app
        COPY --from=dev /app /app
        CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]
        """
    assert scan({"Dockerfile": dockerfile, "app.py": APP_FACTORY}, select=["PF4"]) == []


def test_other_flask_subcommands_and_production_servers(scan):
    compose = """\
        services:
          migrate:
            build: .
            command: flask db upgrade
          web:
            build: .
            command: waitress-serve --listen=0.0.0.0:8080 app:app
          api:
            build: .
            command: ["uwsgi", "--http", "0.0.0.0:9000", "--module", "app:app", "--processes", "4"]
          shell:
            build: .
            command: python -c "from app import app; print(app.url_map)"
        """
    assert scan({"docker-compose.yml": compose, "app.py": APP_DEBUG_MAIN}, select=["PF4"]) == []


def test_python_app_py_that_only_defines_the_app(scan):
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": APP_FACTORY}, select=["PF4"]) == []


def test_inline_suppression_above_the_dockerfile_cmd(scan):
    dockerfile = """\
        FROM python:3.12-slim
        COPY . /app
        WORKDIR /app
        # preflight: ignore[PF401] - internal admin tool, one user
        CMD ["python", "app.py"]
        """
    assert scan({"Dockerfile": dockerfile, "app.py": APP_MAIN}, select=["PF4"]) == []


def test_python_wsgi_py_that_imports_an_app_module_with_a_debug_main_block(scan):
    # Importing app.py does not execute its __main__ block: only wsgi.py's own main block runs.
    wsgi = """\
        from waitress import serve

        from app import app

        if __name__ == "__main__":
            serve(app, listen="*:8080")
        """
    dockerfile = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"python\", \"wsgi.py\"]\n"
    assert scan({"Dockerfile": dockerfile, "wsgi.py": wsgi, "app.py": APP_DEBUG_MAIN}, select=["PF4"]) == []


def test_socketio_run_with_eventlet_is_a_production_server(scan):
    # Flask-SocketIO: with async_mode="eventlet" (or gevent), socketio.run() starts eventlet's WSGI server,
    # the deployment its docs recommend - not Werkzeug.
    app = """\
        import eventlet
        eventlet.monkey_patch()

        from flask import Flask
        from flask_socketio import SocketIO

        app = Flask(__name__)
        socketio = SocketIO(app, async_mode="eventlet", cors_allowed_origins=["https://chat.example.com"])

        if __name__ == "__main__":
            socketio.run(app, host="0.0.0.0", port=5000)
        """
    dockerfile = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"python\", \"app.py\"]\n"
    assert scan({"Dockerfile": dockerfile, "app.py": app}, select=["PF401"]) == []


# ---- Flask-Script manage.py (old tutorials) ------------------------------------------------------------

MANAGE_PY = """\
from flask_script import Manager, Server
from flask_migrate import Migrate, MigrateCommand

from app import app, db

migrate = Migrate(app, db)
manager = Manager(app)
manager.add_command("db", MigrateCommand)
manager.add_command("runserver", Server(host="0.0.0.0", port=5000))

if __name__ == "__main__":
    manager.run()
"""

APP_WITH_DB = "from flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n"


def test_flask_script_runserver_is_the_development_server(scan):
    # Flask-Script's `runserver` command (a default command of Manager, here also added explicitly) calls app.run().
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "manage.py", "runserver"]\n'
    files = {"Dockerfile": dockerfile, "manage.py": MANAGE_PY, "app.py": APP_WITH_DB}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


def test_flask_script_runserver_with_a_debugger_server_is_critical(scan):
    # Server.__call__ passes use_debugger to app.run as debug and use_debugger: the runserver launch serves it
    manage = MANAGE_PY.replace('Server(host="0.0.0.0", port=5000)', 'Server(host="0.0.0.0", use_debugger=True)')
    files = {"Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "manage.py", "runserver"]\n',
             "manage.py": manage, "app.py": APP_WITH_DB}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "critical")]
    message = scan.message("PF401", 4).replace("\\", "/")
    assert "use_debugger=True in " in message and "/manage.py:9)" in message
    # another command of the same manage.py never builds the development server
    files["Dockerfile"] = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "manage.py", "db", "upgrade"]\n'
    assert scan(files, select=["PF401"]) == []


def test_flask_script_db_upgrade_release_command(scan):
    procfile = "release: python manage.py db upgrade\nweb: gunicorn --workers 3 app:app\n"
    dockerfile = ('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n'
                  'CMD ["sh", "-c", "python manage.py db upgrade && exec gunicorn -w 4 -b 0.0.0.0:8000 app:app"]\n')
    files = {"Procfile": procfile, "Dockerfile": dockerfile, "manage.py": MANAGE_PY, "app.py": APP_WITH_DB}
    assert scan(files, select=["PF401"]) == []


def test_python_app_py_that_embeds_gunicorn(scan):
    # gunicorn's documented "custom application": BaseApplication.run() starts the gunicorn arbiter.
    app = """\
        import multiprocessing

        from flask import Flask
        from gunicorn.app.base import BaseApplication

        app = Flask(__name__)


        class StandaloneApplication(BaseApplication):
            def __init__(self, app, options=None):
                self.options = options or {}
                self.application = app
                super().__init__()

            def load_config(self):
                for key, value in self.options.items():
                    self.cfg.set(key, value)

            def load(self):
                return self.application


        if __name__ == "__main__":
            options = {"bind": "0.0.0.0:8000", "workers": multiprocessing.cpu_count() * 2 + 1}
            StandaloneApplication(app, options).run()
        """
    assert scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "app.py": app}) == []


MULTI_TARGET = """\
    FROM python:3.12-slim AS base
    WORKDIR /app
    COPY . .

    FROM base AS production
    CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"]

    FROM base AS development
    ENV FLASK_DEBUG=1
    CMD ["flask", "run", "--host=0.0.0.0"]
    """


def test_dev_named_final_stage_is_low(scan):
    found = scan({"Dockerfile": MULTI_TARGET, "app.py": APP_FACTORY}, select=["PF401", "PF402"])
    assert found == [("PF401", "Dockerfile", 10, 1, "low"), ("PF402", "Dockerfile", 9, 5, "low")]
    assert scan.severity("PF401", 10) == "low" and scan.severity("PF402", 9) == "low"


def test_compose_build_target_selects_the_stage_that_runs(scan):
    compose = """\
        services:
          web:
            build:
              context: .
              target: Production
            ports: ["8000:8000"]
        """
    found = scan({"Dockerfile": MULTI_TARGET, "docker-compose.yml": compose, "app.py": APP_FACTORY},
                 select=["PF401", "PF402", "PF404"])
    # the production stage (gunicorn -w 4) is what compose builds: only the dev stage's own low findings remain
    assert found == [("PF401", "Dockerfile", 10, 1, "low"), ("PF402", "Dockerfile", 9, 5, "low")]
    assert {f.severity.value for f in scan.findings} == {"low"}


# ---- debug mode chosen by a variable the app itself reads (issue 14) ---------------------------------------

SWITCHED_APP = """\
import os

from flask import Flask

from settings import DevelopmentConfig, ProductionConfig

app = Flask(__name__)
app.config.from_object(DevelopmentConfig if os.getenv("DEBUG") == "True" else ProductionConfig)

if __name__ == "__main__":
    app.run(host="0.0.0.0")
"""  # from_object on line 8, app.run on line 11
SWITCHED_SETTINGS = "class ProductionConfig:\n    DEBUG = False\n\nclass DevelopmentConfig:\n    DEBUG = True\n"
ENV_SETTINGS = "import os\n\nclass Config:\n    DEBUG = os.getenv('DEBUG') == 'True'\n"
ENV_APP = SWITCHED_APP.replace(
    "from settings import DevelopmentConfig, ProductionConfig", "from settings import Config").replace(
    'DevelopmentConfig if os.getenv("DEBUG") == "True" else ProductionConfig', "Config")
SWITCH_DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENV DEBUG {value}\nCMD python app.py\n"


def _exact_rule(scan, rule):
    import pathlib
    return sorted((f.rule_id, pathlib.Path(f.path).relative_to(scan.root).as_posix(), f.line, f.column,
                   f.severity.value) for f in scan.findings if f.rule_id == rule)


def test_app_specific_debug_variable_set_in_the_dockerfile_selects_the_debug_config(scan):
    assert scan({"Dockerfile": SWITCH_DOCKERFILE.format(value="True"), "app.py": SWITCHED_APP,
          "settings.py": SWITCHED_SETTINGS}, select=["PF4"]) == [("PF401", "Dockerfile", 5, 1, "critical")]
    assert _exact_rule(scan, "PF401") == [("PF401", "Dockerfile", 5, 1, "critical")]
    message = scan.message("PF401", 5)
    assert "DEBUG=True" in message and "app.py:8" in message


def test_app_specific_debug_variable_read_by_the_config_class(scan):
    assert scan({"Dockerfile": SWITCH_DOCKERFILE.format(value="True"), "app.py": ENV_APP, "settings.py": ENV_SETTINGS},
         select=["PF4"]) == [("PF401", "Dockerfile", 5, 1, "critical"), ("PF402", "Dockerfile", 4, 5, "high")]
    assert _exact_rule(scan, "PF401") == [("PF401", "Dockerfile", 5, 1, "critical")]


def test_app_specific_debug_variable_set_to_a_value_the_app_reads_as_off(scan):
    # the app compares with "True": DEBUG=1 is not debug mode here, whatever Flask would make of FLASK_DEBUG=1
    for value in ("False", "1"):
        assert scan({"Dockerfile": SWITCH_DOCKERFILE.format(value=value), "app.py": SWITCHED_APP,
              "settings.py": SWITCHED_SETTINGS}, select=["PF4"]) == [("PF401", "Dockerfile", 5, 1, "high")]
        assert _exact_rule(scan, "PF401") == [("PF401", "Dockerfile", 5, 1, "high")]

# ---- launches that leave the file ----------------------------------------------------------------------------

def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


IMPORT_TIME_RUN = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n"


def test_gunicorn_importing_a_module_that_runs_the_debug_server_at_import_is_critical(scan):
    assert scan({"Procfile": "web: gunicorn -w 4 wsgi:app\n", "wsgi.py": "from server import app  # noqa\n",
          "server.py": IMPORT_TIME_RUN}, select=["PF1", "PF4"]) == [("PF102", "server.py", 3, 1, "high"),
                                                                     ("PF103", "server.py", 3, 14, "high"),
                                                                     ("PF401", "Procfile", 1, 1, "critical")]
    # one critical PF401 linking the Procfile line and the call; PF102 stays (the code to fix) and so does the
    # public bind (PF103); PF101 is folded into the PF401
    assert _exact(scan) == [("PF102", "server.py", 3, 1, "high"), ("PF103", "server.py", 3, 14, "high"),
                            ("PF401", "Procfile", 1, 1, "critical")]
    finding = next(f for f in scan.findings if f.rule_id == "PF401")
    assert [(r.path.rsplit("/", 1)[-1], r.line) for r in finding.related] == [("server.py", 3)]
    assert "server.py, which calls app.run() at import time" in finding.message


def test_gunicorn_importing_a_module_whose_run_is_guarded_is_not_the_dev_server(scan):
    guarded = "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(debug=True)\n"
    assert scan({"Procfile": "web: gunicorn -w 4 wsgi:app\n", "wsgi.py": "from server import app  # noqa\n",
          "server.py": guarded}, select=["PF1", "PF4"]) == [("PF101", "server.py", 4, 19, "low")]
    assert _exact(scan) == [("PF101", "server.py", 4, 19, "low")]


def test_gunicorn_import_time_run_without_debug_on_loopback_is_high(scan):
    plain = "from flask import Flask\napp = Flask(__name__)\napp.run()\n"
    assert scan({"Procfile": "web: gunicorn -w 4 server:app\n", "server.py": plain}, select=["PF401"]) == [("PF401", "Procfile", 1, 1, "high")]
    assert _exact(scan) == [("PF401", "Procfile", 1, 1, "high")]


MAIN_CALLS_PKG = "import pkg.cli\n\nif __name__ == '__main__':\n    pkg.cli.main()\n"
PKG_CLI = """\
from flask import Flask

app = Flask(__name__)


def main():
    app.run(host="0.0.0.0", debug=True)


def other():
    return app
"""


def test_python_script_whose_main_calls_a_package_function_that_runs_the_debugger(scan):
    files = {"Dockerfile": 'FROM python:3.12\nCOPY . .\nCMD ["python", "run.py"]\n', "run.py": MAIN_CALLS_PKG,
             "pkg/__init__.py": "", "pkg/cli.py": PKG_CLI}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 3, 1, "critical")]
    assert _exact(scan) == [("PF401", "Dockerfile", 3, 1, "critical")]
    assert "(called from the `__main__` block of" in scan.message("PF401", 3)


def test_python_script_whose_main_calls_another_package_function_is_not_the_dev_server(scan):
    files = {"Dockerfile": 'FROM python:3.12\nCOPY . .\nCMD ["python", "run.py"]\n',
             "run.py": MAIN_CALLS_PKG.replace("main()", "other()"), "pkg/__init__.py": "", "pkg/cli.py": PKG_CLI}
    assert scan(files, select=["PF401"]) == []


def test_socketio_run_with_allow_unsafe_werkzeug_in_a_package_main(scan):
    cli = ("from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\n"
           "socketio = SocketIO(app)\n\n\ndef main():\n    socketio.run(app, host='0.0.0.0', allow_unsafe_werkzeug=True)\n")
    files = {"Procfile": "web: python run.py\n", "run.py": "from pkg.cli import main\n\nif __name__ == '__main__':\n"
             "    main()\n", "pkg/__init__.py": "", "pkg/cli.py": cli}
    assert scan(files, select=["PF401"]) == [("PF401", "Procfile", 1, 1, "high")]
    assert _exact(scan) == [("PF401", "Procfile", 1, 1, "high")]


# The SocketIO object comes from a factory in another module, and the run call sits in branches that depend on
# command-line options parsed at run time (a flag assigned False, then True inside the option loop).
FACTORY_SOCKETIO_CLI = """\
import os
import sys

from pkg.realtime import make_socketio


def main():
    batch = False
    tls = False
    host = os.environ.get("LISTEN_HOST", "0.0.0.0")
    for arg in sys.argv[1:]:
        if arg == "-b":
            batch = True
        elif arg == "-s":
            tls = True
    socketio = make_socketio()
    if not batch:
        if tls:
            socketio.run(None, host=host, ssl_context="adhoc", allow_unsafe_werkzeug=True)
        else:
            socketio.run(None, host=host, allow_unsafe_werkzeug=True)
"""
FACTORY_SCRIPT = "import pkg.cli\n\nif __name__ == '__main__':\n    pkg.cli.main()\n"


def _factory_files(cli):
    return {"Dockerfile": 'FROM python:3.12\nCOPY . .\nCMD ["python", "./serve.py", "-d", "/data"]\n',
            "serve.py": FACTORY_SCRIPT, "pkg/__init__.py": "", "pkg/cli.py": cli,
            "pkg/realtime.py": "from flask_socketio import SocketIO\n\n\ndef make_socketio():\n    return SocketIO()\n"}


def test_socketio_from_a_factory_run_in_option_dependent_branches_is_the_dev_server(scan):
    # allow_unsafe_werkzeug is Flask-SocketIO's keyword alone; `if batch:` is undecidable (the loop may set it)
    assert scan(_factory_files(FACTORY_SOCKETIO_CLI), select=["PF103", "PF401"]) == [
        ("PF103", "pkg/cli.py", 19, 37, "medium"),
        ("PF103", "pkg/cli.py", 21, 37, "medium"),
        ("PF401", "Dockerfile", 3, 1, "high"),
    ]
    assert _exact_rule(scan, "PF401") == [("PF401", "Dockerfile", 3, 1, "high")]
    finding = next(f for f in scan.findings if f.rule_id == "PF401")
    assert [(r.path.rsplit("/", 1)[-1], r.line) for r in finding.related] == [("cli.py", 19), ("cli.py", 21)]
    assert "(called from the `__main__` block of serve.py)" in scan.message("PF401", 3)
    # the public default survives the option loop that may replace it
    assert _exact_rule(scan, "PF103") == [("PF103", "pkg/cli.py", 19, 37, "medium"),
                                          ("PF103", "pkg/cli.py", 21, 37, "medium")]


def test_socketio_run_in_a_branch_no_path_can_take_is_not_the_dev_server(scan):
    # the tricky neighbour: `serving` is False on every path (nothing reassigns it), so the branch is dead
    cli = FACTORY_SOCKETIO_CLI.replace("    if not batch:\n", "    serving = False\n    if serving:\n")
    assert scan(_factory_files(cli), select=["PF401"]) == []
    assert _exact_rule(scan, "PF401") == []


def test_socketio_run_behind_a_development_switch_is_not_the_dev_server(scan):
    # the other neighbour: the branch runs only when DEV_SERVER is set, and the Dockerfile does not set it
    cli = FACTORY_SOCKETIO_CLI.replace("    if not batch:\n", "    if os.environ.get('DEV_SERVER'):\n")
    assert scan(_factory_files(cli), select=["PF401"]) == []
    assert _exact_rule(scan, "PF401") == []


# ---- Connexion: 2's App.run() is Flask's development server, 3's FlaskApp.run() is uvicorn -----------------------

CONNEXION_CONFIG = "import connexion\n\nconnex_app = connexion.App(__name__, specification_dir='.')\n"
CONNEXION_MAIN = "import config\n\napp = config.connex_app\n\nif __name__ == '__main__':\n    app.run(debug=True)\n"
CONNEXION_DOCKERFILE = 'FROM python:3.12\nCOPY . /service/\nWORKDIR /service\nENTRYPOINT ["python", "main.py"]\n'


def test_connexion_2_app_run_is_the_debugger_on_all_interfaces(scan):
    files = {"svc/Dockerfile": CONNEXION_DOCKERFILE, "svc/main.py": CONNEXION_MAIN, "svc/config.py": CONNEXION_CONFIG,
             "svc/requirements.txt": "flask==2.2.5\nconnexion==2.14.1\n"}
    assert scan(files, select=["PF1", "PF4"]) == [("PF401", "svc/Dockerfile", 4, 1, "critical")]
    # no host argument: Connexion 2 binds 0.0.0.0, so the debugger is public (critical, PF101 folded in)
    assert _exact(scan) == [("PF401", "Dockerfile", 4, 1, "critical")]
    assert "Connexion 2, pinned in svc/requirements.txt," in scan.message("PF401", 4)


def test_connexion_3_app_run_is_uvicorn_not_the_development_server(scan):
    files = {"svc/Dockerfile": CONNEXION_DOCKERFILE, "svc/main.py": CONNEXION_MAIN, "svc/config.py": CONNEXION_CONFIG,
             "svc/requirements.txt": "connexion[flask,uvicorn]>=3.0\n"}
    assert scan(files, select=["PF401"]) == []
    assert _exact(scan) == []


def test_another_service_main_py_is_not_mistaken_for_this_one(scan):
    # the tricky neighbour: worker/main.py (no Flask in it) is what worker/Dockerfile runs, not svc/main.py
    files = {"svc/main.py": CONNEXION_MAIN, "svc/config.py": CONNEXION_CONFIG,
             "svc/requirements.txt": "connexion==2.14.1\n",
             "worker/Dockerfile": CONNEXION_DOCKERFILE, "worker/main.py": "import grpc\n\nprint(grpc)\n"}
    assert scan(files, select=["PF401"]) == []
    assert _exact(scan) == []


# ---- `docker run IMAGE COMMAND` in a script: the command runs in the container ---------------------------------

RUN_PY = "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', debug=True)\n"


def test_docker_run_with_a_command_in_a_start_script(scan):
    script = ('#!/bin/sh\ndocker build -t site .\ndocker run -it -d -v $(pwd):/work -w /work --name site \\\n'
              '  -p 5000:5000 site sh -c "python run.py"\n')
    assert scan({"start.sh": script, "run.py": RUN_PY}, select=["PF401"]) == [("PF401", "start.sh", 4, 28, "low")]
    # reported on the line that names the program; low: nothing in the project runs start.sh
    assert _exact(scan) == [("PF401", "start.sh", 4, 28, "low")]
    assert "debug=True" in scan.message("PF401", 4)


def test_docker_run_without_a_command_and_docker_build_are_not_launches(scan):
    # the tricky neighbour: the image's own CMD runs, which this script does not show; `-e` values are not commands
    script = "#!/bin/sh\ndocker build -t site .\ndocker run --rm -e MODE=python -p 5000:5000 site\n"
    assert scan({"start.sh": script, "run.py": RUN_PY}, select=["PF401"]) == []


def test_docker_run_env_reaches_the_command(scan):
    script = "#!/bin/sh\ndocker run --rm -e FLASK_DEBUG=1 site flask run --host 0.0.0.0\n"
    assert scan({"start.sh": script, "app.py": "from flask import Flask\napp = Flask(__name__)\n"}, select=["PF401", "PF402"]) == [("PF401", "start.sh", 2, 1, "low"), ("PF402", "start.sh", 2, 20, "low")]
    assert _exact(scan) == [("PF401", "start.sh", 2, 1, "low"), ("PF402", "start.sh", 2, 20, "low")]


# ---- task runners: the task a launch names runs app.run() --------------------------------------------------------

TASKS = """\
from invoke import task

from site_app import app


@task
def serve(c, host="127.0.0.1"):
    app.run(host=host, debug=True)


@task
def lint(c):
    c.run("flake8")
"""
SITE_APP = "from flask import Flask\napp = Flask(__name__)\n"


def test_invoke_task_that_runs_the_debug_server(scan):
    assert scan({"Procfile": "web: invoke serve --host 0.0.0.0\n", "tasks.py": TASKS, "site_app.py": SITE_APP},
         select=["PF401"]) == [("PF401", "Procfile", 1, 1, "critical")]
    assert _exact(scan) == [("PF401", "Procfile", 1, 1, "critical")]
    assert "tasks.py:8" in scan.message("PF401", 1)


def test_invoke_task_that_does_not_run_the_server(scan):
    # the tricky neighbour: another task of the same file
    assert scan({"Procfile": "web: invoke lint\n", "tasks.py": TASKS, "site_app.py": SITE_APP}, select=["PF401"]) == []
    assert _exact(scan) == []


def test_invoke_task_without_host_keeps_its_loopback_default(scan):
    assert scan({"Procfile": "web: invoke serve\n", "tasks.py": TASKS, "site_app.py": SITE_APP}, select=["PF401"]) == [("PF401", "Procfile", 1, 1, "high")]
    assert _exact(scan) == [("PF401", "Procfile", 1, 1, "high")]


ENTRY_CASE = """\
#!/bin/sh
case "$1" in
  dev_server)
    export FLASK_DEBUG=1
    exec flask run --host 0.0.0.0
    ;;
  *)
    exec gunicorn -w 4 app:app
    ;;
esac
"""


def test_compose_command_selects_the_development_branch_of_the_entry_script(scan):
    docker = 'FROM python:3.12\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\nCMD ["serve"]\n'
    compose = "services:\n  web:\n    build: .\n    command: dev_server\n"
    assert scan({"Dockerfile": docker, "docker-compose.yml": compose, "entrypoint.sh": ENTRY_CASE,
          "app.py": SITE_APP}, select=["PF401", "PF402"]) == [("PF401", "entrypoint.sh", 5, 1, "critical"), ("PF402", "entrypoint.sh", 4, 12, "high")]
    assert _exact(scan) == [("PF401", "entrypoint.sh", 5, 1, "critical"), ("PF402", "entrypoint.sh", 4, 12, "high")]


def test_image_default_command_takes_the_production_branch(scan):
    # the tricky neighbour: without the compose override, CMD ["serve"] falls through to gunicorn
    docker = 'FROM python:3.12\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\nCMD ["serve"]\n'
    assert scan({"Dockerfile": docker, "entrypoint.sh": ENTRY_CASE, "app.py": SITE_APP}, select=["PF401", "PF402"]) == []
    assert _exact(scan) == []


def test_fabric_task_that_runs_the_debug_server(scan):
    fabfile = ("from fabric import task\n\nfrom site_app import app\n\n\n@task\ndef serve(c):\n"
               "    app.run(host='0.0.0.0', debug=True)\n")
    assert scan({"Procfile": "web: fab serve\n", "fabfile.py": fabfile, "site_app.py": SITE_APP}, select=["PF401"]) == [("PF401", "Procfile", 1, 1, "critical")]
    assert _exact(scan) == [("PF401", "Procfile", 1, 1, "critical")]


CLI_APP = """\
from flask import Flask

app = Flask(__name__)


@app.cli.command("serve-dev")
def serve_dev():
    app.run(host="0.0.0.0", debug=True)
"""


def test_flask_project_command_that_runs_the_debug_server(scan):
    assert scan({"Procfile": "web: flask --app site_app serve-dev\n", "site_app.py": CLI_APP}, select=["PF401"]) == [("PF401", "Procfile", 1, 1, "critical")]
    assert _exact(scan) == [("PF401", "Procfile", 1, 1, "critical")]


def test_other_flask_commands_are_not_the_dev_server(scan):
    # the tricky neighbour: `flask routes` loads the same app but runs no server
    assert scan({"Procfile": "web: flask --app site_app routes\n", "site_app.py": CLI_APP}, select=["PF401"]) == []
    assert _exact(scan) == []


# ---- an image CMD that every file building the image replaces -------------------------------------

HEROKU_YML = """\
build:
  docker:
    web: Dockerfile
run:
  web: gunicorn -w 4 app:app
"""


@pytest.mark.parametrize("builder, text", [
    ("heroku.yml", HEROKU_YML),
    ("docker-compose.yml", "services:\n  web:\n    build: .\n    command: gunicorn -w 4 app:app\n"),
])
def test_cmd_replaced_by_every_builder_is_low(scan, builder, text):
    # heroku.yml `run.web` and a compose `command` replace the image's CMD: the debug server in the CMD
    # runs only under a plain `docker run` of the image.
    found = scan({"Dockerfile": DOCKERFILE_PYTHON_APP, builder: text, "app.py": APP_DEBUG_MAIN}, select=["PF401"])
    assert found == [("PF401", "Dockerfile", 7, 1, "low")]
    assert scan.severity("PF401", 7) == "low"
    assert "replaces this CMD when it builds the image" in scan.message("PF401", 7)
    assert (scan.findings[0].column) == 1


@pytest.mark.parametrize("text", [
    "build:\n  docker:\n    web: Dockerfile\n",  # no `run`: Heroku runs the image's CMD
    "build:\n  docker:\n    web: Dockerfile\nrun:\n  worker: python jobs.py\n",  # `run` only for another process
])
def test_heroku_yml_that_keeps_the_cmd_runs_it(scan, text):
    found = scan({"Dockerfile": DOCKERFILE_PYTHON_APP, "heroku.yml": text, "app.py": APP_DEBUG_MAIN,
                  "jobs.py": "print('work')\n"}, select=["PF401"])
    assert found == [("PF401", "Dockerfile", 7, 1, "critical")]
    assert scan.severity("PF401", 7) == "critical"


def test_one_builder_keeping_the_cmd_keeps_it_critical(scan):
    # compose `command` replaces the CMD, but heroku.yml deploys the same image with its CMD.
    compose = "services:\n  web:\n    build: .\n    command: gunicorn -w 4 app:app\n"
    files = {"Dockerfile": DOCKERFILE_PYTHON_APP, "docker-compose.yml": compose,
             "heroku.yml": "build:\n  docker:\n    web: Dockerfile\n", "app.py": APP_DEBUG_MAIN}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 7, 1, "critical")]
    assert scan.severity("PF401", 7) == "critical"


def test_heroku_run_command_is_a_launch(scan):
    text = "build:\n  docker:\n    web: Dockerfile\nrun:\n  web: python app.py\n"
    dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-w", "4", "app:app"]\n'
    found = scan({"Dockerfile": dockerfile, "heroku.yml": text, "app.py": APP_DEBUG_MAIN}, select=["PF401"])
    assert found == [("PF401", "heroku.yml", 5, 1, "critical")]
    assert scan.severity("PF401", 5) == "critical"


# ---- launch scripts with other names than entrypoint.sh, that no deployment file runs --------------------------

PROD_SCRIPT = "source venv/bin/activate\nflask db upgrade\nnohup flask run -h 0.0.0.0 -p 80 >/dev/null 2>&1 &\n"
FACTORY_APP = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"


def test_script_named_for_production_that_runs_flask_run_is_the_production_launch(scan):
    assert scan({"scripts/flask_run_prod.sh": PROD_SCRIPT, "app.py": FACTORY_APP}, select=["PF401"]) == [("PF401", "scripts/flask_run_prod.sh", 3, 1, "high")]
    assert _exact_rule(scan, "PF401") == [("PF401", "scripts/flask_run_prod.sh", 3, 1, "high")]
    # the `2>&1` descriptor is part of the redirection, not an argument of flask run
    assert "`flask run -h 0.0.0.0 -p 80`" in scan.message("PF401", 3)


def test_script_sourcing_a_production_environment_is_the_production_launch(scan):
    script = "source scripts/prod_env.sh\nflask run --host 0.0.0.0\n"
    files = {"scripts/serve_site.sh": script, "scripts/prod_env.sh": "export APP_SETTINGS=config.Production\n",
             "app.py": FACTORY_APP}
    assert scan(files, select=["PF401"]) == [("PF401", "scripts/serve_site.sh", 2, 1, "high")]
    assert _exact_rule(scan, "PF401") == [("PF401", "scripts/serve_site.sh", 2, 1, "high")]


def test_launch_script_without_production_evidence_is_left_alone(scan):
    # the tricky neighbour: the same launch in a helper that neither its name nor its sourced file calls
    # production (and one sourcing the development environment)
    files = {"scripts/serve_site.sh": "source scripts/dev_env.sh\nflask run --host 0.0.0.0\n",
             "scripts/flask_run.sh": PROD_SCRIPT, "scripts/dev_env.sh": "export FLASK_DEBUG=1\n",
             "app.py": FACTORY_APP}
    assert scan(files, select=["PF401"]) == []
    assert _exact_rule(scan, "PF401") == []


def test_production_named_script_that_starts_containers_is_not_a_launch_script(scan):
    # the other neighbour: run_prod.sh starts compose, whose own files are judged where they are
    assert scan({"scripts/run_prod.sh": "docker-compose -f docker-compose-prod.yml up --build\n", "app.py": FACTORY_APP},
         select=["PF401"]) == []
    assert _exact_rule(scan, "PF401") == []


# ---- a launch runs files of its own build context, never a sibling project's ----------------------------------

RUN_AT_IMPORT_APP = "from flask import Flask\n\napp = Flask(__name__)\napp.run(port=8080)\n"  # run on line 4
PLAIN_APP = "from flask import Flask\n\napp = Flask(__name__)\n"
SERVICE_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"]
"""  # CMD on line 6


def _rel(scan):
    root = scan.root.as_posix() + "/"
    return sorted((f.rule_id, f.path[len(root):] if f.path.startswith(root) else f.path, f.line, f.column,
                   f.severity.value) for f in scan.findings)


def test_gunicorn_imports_the_app_module_of_its_own_service(scan):
    # services/web/Dockerfile is built from services/web: `app:app` is services/web/app.py, whose import-time
    # app.run() starts the development server in every worker (bound to 127.0.0.1: high)
    files = {"services/web/requirements.txt": "flask\n", "services/web/Dockerfile": SERVICE_DOCKERFILE,
             "services/web/app.py": RUN_AT_IMPORT_APP,
             "services/worker/requirements.txt": "flask\n", "services/worker/app.py": PLAIN_APP}
    scan(files, select=["PF102", "PF401"])
    assert _rel(scan) == [("PF102", "services/web/app.py", 4, 1, "high"),
                          ("PF401", "services/web/Dockerfile", 6, 1, "high")]
    assert "services/web/app.py" in scan.message("PF401", 6)


def test_gunicorn_does_not_import_a_sibling_services_app_module(scan):
    # the tricky neighbour: only services/worker/app.py runs the development server, and nothing deploys it
    # (its name sorts last: a lookup by module name alone would take it)
    files = {"services/web/requirements.txt": "flask\n", "services/web/Dockerfile": SERVICE_DOCKERFILE,
             "services/web/app.py": PLAIN_APP,
             "services/worker/requirements.txt": "flask\n", "services/worker/app.py": RUN_AT_IMPORT_APP}
    scan(files, select=["PF102", "PF401"])
    assert _rel(scan) == [("PF102", "services/worker/app.py", 4, 1, "high")]


def test_python_script_of_the_dockerfiles_own_project_is_followed(scan):
    files = {"shop/requirements.txt": "flask\n", "shop/Dockerfile": DOCKERFILE_PYTHON_APP,
             "shop/app.py": APP_DEBUG_MAIN}
    scan(files, select=["PF1", "PF401"])
    assert _rel(scan) == [("PF103", "shop/app.py", 12, 18, "medium"), ("PF401", "shop/Dockerfile", 7, 1, "critical")]


def test_python_script_missing_from_the_build_context_is_not_taken_from_a_sibling(scan):
    # the tricky neighbour: shop/ has no app.py, so `python app.py` fails in its image; blog/app.py is never
    # sent to `docker build` of shop/, and its `__main__` run keeps the severities it has with no deployment
    files = {"shop/requirements.txt": "flask\n", "shop/Dockerfile": DOCKERFILE_PYTHON_APP,
             "blog/requirements.txt": "flask\n", "blog/app.py": APP_DEBUG_MAIN}
    scan(files, select=["PF1", "PF401"])
    assert _rel(scan) == [("PF101", "blog/app.py", 12, 46, "low"), ("PF103", "blog/app.py", 12, 18, "medium")]


def test_compose_build_context_decides_which_app_module_gunicorn_imports(scan):
    # a root compose file builds services/web; its Dockerfile copies only `.`: the context is what compose sends
    compose = "services:\n  web:\n    build: ./services/web\n    ports:\n      - \"8000:8000\"\n"
    docker = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-w", "4", "app:app"]\n'
    files = {"docker-compose.yml": compose, "services/web/Dockerfile": docker, "services/web/app.py": PLAIN_APP,
             "services/worker/app.py": RUN_AT_IMPORT_APP}
    scan(files, select=["PF102", "PF401"])
    assert _rel(scan) == [("PF102", "services/worker/app.py", 4, 1, "high")]
    files["services/web/app.py"] = RUN_AT_IMPORT_APP
    scan(files, select=["PF102", "PF401"])
    assert _rel(scan) == [("PF102", "services/web/app.py", 4, 1, "high"),
                          ("PF102", "services/worker/app.py", 4, 1, "high"),
                          ("PF401", "services/web/Dockerfile", 4, 1, "high")]


WSGI_IMPORTING_HELPERS = "import helpers  # noqa\nfrom flask import Flask\n\napp = Flask(__name__)\n"
GUNICORN_WSGI_DOCKERFILE = SERVICE_DOCKERFILE.replace("app:app", "wsgi:app")


def test_gunicorn_follows_the_imports_of_its_target_inside_its_own_project(scan):
    # blog/wsgi.py imports blog/helpers.py, whose import-time app.run() then runs in every worker
    files = {"blog/requirements.txt": "flask\n", "blog/Dockerfile": GUNICORN_WSGI_DOCKERFILE,
             "blog/wsgi.py": WSGI_IMPORTING_HELPERS, "blog/helpers.py": RUN_AT_IMPORT_APP}
    scan(files, select=["PF102", "PF401"])
    assert _rel(scan) == [("PF102", "blog/helpers.py", 4, 1, "high"), ("PF401", "blog/Dockerfile", 6, 1, "high")]
    assert "blog/helpers.py" in scan.message("PF401", 6)


def test_gunicorn_does_not_follow_an_import_into_a_sibling_project(scan):
    # the tricky neighbour: blog's own helpers.py is plain (the analysis skips it); the helpers.py that runs
    # the development server belongs to shop/, which `docker build` of blog/ never sees
    files = {"blog/requirements.txt": "flask\n", "blog/Dockerfile": GUNICORN_WSGI_DOCKERFILE,
             "blog/wsgi.py": WSGI_IMPORTING_HELPERS, "blog/helpers.py": "RETRIES = 3\n",
             "shop/requirements.txt": "flask\n", "shop/helpers.py": RUN_AT_IMPORT_APP}
    scan(files, select=["PF102", "PF401"])
    assert _rel(scan) == [("PF102", "shop/helpers.py", 4, 1, "high")]


def test_a_flask_command_is_looked_up_in_the_launchs_own_project(scan):
    # `flask serve` in blog/'s Dockerfile runs blog's command; shop/ defines a `serve` that runs app.run()
    cli = ("import click\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n@app.cli.command()\ndef serve():\n"
           "    app.run(host=\"0.0.0.0\")\n")
    docker = 'FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY . .\nCMD ["flask", "serve"]\n'
    files = {"blog/requirements.txt": "flask\n", "blog/Dockerfile": docker, "blog/app.py": PLAIN_APP,
             "shop/requirements.txt": "flask\n", "shop/app.py": cli}
    scan(files, select=["PF401"])
    assert _rel(scan) == []
    files["blog/app.py"] = cli
    scan(files, select=["PF401"])
    assert _rel(scan) == [("PF401", "blog/Dockerfile", 4, 1, "high")]


RUN_DEV_SCRIPT = "#!/bin/sh\n# start the server\npython app.py --reload\n"  # the launch on line 3


def test_dev_named_script_the_image_runs_is_what_the_image_serves(scan):
    """`CMD ["/srv/bin/run-dev.sh"]` in the only Dockerfile (the repository COPYed to /srv): the script's name
    does not make the container a developer's machine, so the debugger it starts is critical; the run call's
    own PF101 is folded into that PF401 (its public bind, PF103, stays: the image serves it)."""
    dockerfile = "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv\nCMD [\"/srv/bin/run-dev.sh\"]\n"
    found = scan({"Dockerfile": dockerfile, "bin/run-dev.sh": RUN_DEV_SCRIPT, "app.py": APP_DEBUG_MAIN})
    assert found == [("PF103", "app.py", 12, 18, "medium"), ("PF401", "bin/run-dev.sh", 3, 1, "critical")]


def test_dev_named_script_nothing_or_a_dev_image_runs_stays_low(scan):
    """Tricky negatives: the same script with no launcher is not a launch of the project at all, and launched
    by Dockerfile.dev it is a developer's tool: the finding stays low."""
    alone = scan({"bin/run-dev.sh": RUN_DEV_SCRIPT, "app.py": APP_DEBUG_MAIN}, select=["PF4"])
    assert alone == []
    dev_image = "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv\nCMD [\"/srv/bin/run-dev.sh\"]\n"
    found = scan({"Dockerfile.dev": dev_image, "bin/run-dev.sh": RUN_DEV_SCRIPT, "app.py": APP_DEBUG_MAIN},
                 select=["PF4"])
    assert found == [("PF401", "bin/run-dev.sh", 3, 1, "low")]


ENV_FACTORY_APP = """\
import os
from flask import Flask


class Dev:
    DEBUG = True


class Prod:
    DEBUG = False


CONFIGS = {"dev": Dev, "prod": Prod}


def create_app(name):
    app = Flask(__name__)
    app.config.from_object(CONFIGS[name])
    return app


app = create_app(os.getenv("APP_ENV") or "dev")

if __name__ == "__main__":
    app.run(host="0.0.0.0")
"""  # create_app on line 22, app.run on line 25


def test_config_default_the_image_leaves_unset_serves_the_debugger(scan):
    """The image runs `python app.py` without setting APP_ENV: the factory's fail-open default loads the debug
    class, so the container serves the debugger (critical; the run's public bind, PF103, stays beside it)."""
    dockerfile = "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nCMD [\"python\", \"app.py\"]\n"
    assert scan({"Dockerfile": dockerfile, "app.py": ENV_FACTORY_APP}) == [
        ("PF101", "app.py", 22, 7, "high"), ("PF103", "app.py", 25, 18, "medium"), ("PF401", "Dockerfile", 4, 1, "critical")]


def test_config_default_the_image_overrides_is_not_the_debugger(scan):
    """Tricky negative: `ENV APP_ENV=prod` in the image picks the config, so the launch is the development
    server without the debugger (high), and the bind stays reported on the run line."""
    dockerfile = "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nENV APP_ENV=prod\nCMD [\"python\", \"app.py\"]\n"
    assert scan({"Dockerfile": dockerfile, "app.py": ENV_FACTORY_APP}, select=["PF401"]) == [
        ("PF401", "Dockerfile", 5, 1, "high")]


def test_dev_named_script_an_entry_script_dispatches_to_stays_low(scan):
    """Tricky negative: the image's ENTRYPOINT script starts run-test-server.sh (entry scripts dispatch to
    several, by argument or by the directory an ARG copies): the name keeps that one a test launch, low."""
    dockerfile = "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv\nENTRYPOINT [\"/srv/entrypoint.sh\"]\n"
    entry = "#!/bin/sh\nexec /srv/bin/run-test-server.sh\n"
    found = scan({"Dockerfile": dockerfile, "entrypoint.sh": entry, "bin/run-test-server.sh": RUN_DEV_SCRIPT,
                  "app.py": APP_DEBUG_MAIN}, select=["PF4"])
    assert found == [("PF401", "bin/run-test-server.sh", 3, 1, "low")]


# ---- Dash: Dash.run/run_server end in self.server.run(host=host, port=port, debug=debug), Flask's app.run on
# the Flask server Dash wraps, so a launch running the script serves Werkzeug (with the debugger on debug=True)

DASH_DEBUG_MAIN = """\
from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("hello")

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True, port=8050)
"""  # app.run on line 7

DASH_OLD_RUN_SERVER = """\
import dash

app = dash.Dash(__name__)
server = app.server

if __name__ == "__main__":
    app.run_server(host="0.0.0.0", debug=True)
"""  # run_server on line 7

NOT_DASH_RUN_SERVER = """\
from dash import Dash


class Job:
    def run_server(self, debug=False):
        return debug


app = Dash(__name__)
job = Job()

if __name__ == "__main__":
    job.run_server(debug=True)
    app.run(debug=False, host="0.0.0.0")
"""  # job.run_server on line 13 is not a server; app.run on line 14, debug off

DOCKERFILE_DASH_SCRIPT = """\
FROM python:3.12-slim
COPY dashboard app/dashboard
WORKDIR app/
EXPOSE 8050
CMD python dashboard/dashboard.py
"""  # CMD on line 5

DOCKERFILE_DASH_GUNICORN = """\
FROM python:3.12-slim
COPY dashboard app/dashboard
WORKDIR app/
EXPOSE 8050
CMD gunicorn -w 4 -b 0.0.0.0:8050 dashboard.dashboard:server
"""


def test_dockerfile_running_a_dash_script_with_debug_is_critical(scan):
    found = scan({"Dockerfile": DOCKERFILE_DASH_SCRIPT, "dashboard/dashboard.py": DASH_DEBUG_MAIN})
    assert found == [("PF103", "dashboard/dashboard.py", 7, 18, "medium"), ("PF401", "Dockerfile", 5, 1, "critical")]
    assert "Dash.run()" in scan.message("PF401", 5)


def test_dash_served_by_gunicorn_never_runs_the_main_block(scan):
    # gunicorn imports the module and serves app.server: no launch runs the __main__ block, so the run call's
    # findings are a developer's (low), and there is no PF401
    found = scan({"Dockerfile": DOCKERFILE_DASH_GUNICORN, "dashboard/dashboard.py": DASH_OLD_RUN_SERVER}, select=["PF1", "PF401"])
    assert found == [("PF101", "dashboard/dashboard.py", 7, 42, "low"),
                     ("PF103", "dashboard/dashboard.py", 7, 25, "low")]


def test_old_run_server_name_is_the_same_dev_server(scan):
    found = scan({"dashboard/dashboard.py": DASH_OLD_RUN_SERVER})
    assert found == [("PF101", "dashboard/dashboard.py", 7, 42, "low"),
                     ("PF103", "dashboard/dashboard.py", 7, 25, "medium")]


def test_run_server_of_another_object_is_not_a_server_and_debug_off_dash_is_high_not_critical(scan):
    found = scan({"Dockerfile": DOCKERFILE_DASH_SCRIPT, "dashboard/dashboard.py": NOT_DASH_RUN_SERVER})
    assert found == [("PF103", "dashboard/dashboard.py", 14, 31, "medium"),
                     ("PF401", "Dockerfile", 5, 1, "high")]


# ==== round 8: where a launch lives and what it executes ==========================================
# The Dev Containers folder is a development environment; `python -m pkg.mod` runs pkg/mod.py, never
# pkg/__main__.py; a Dockerfile can write its start script with a heredoc, and the CMD that runs it
# starts what the script starts.

FLASK_RUN_IMAGE = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n"


# ---- .devcontainer/ ------------------------------------------------------------------------------

def test_devcontainer_dockerfile_is_low(scan):
    found = scan({".devcontainer/Dockerfile": FLASK_RUN_IMAGE, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", ".devcontainer/Dockerfile", 4, 1, "low")]
    assert "Dev Containers" in scan.message("PF401", 4)


def test_same_image_outside_devcontainer_stays_high(scan):
    # a folder merely named like it (no leading dot) is not the Dev Containers folder
    files = {"devcontainer/Dockerfile": FLASK_RUN_IMAGE, "Dockerfile": FLASK_RUN_IMAGE, "app.py": APP_FACTORY}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high"),
                                             ("PF401", "devcontainer/Dockerfile", 4, 1, "high")]


def test_devcontainer_compose_building_the_root_image_leaves_that_image_high(scan):
    compose = "services:\n  app:\n    build:\n      context: ..\n      dockerfile: Dockerfile\n"
    files = {".devcontainer/docker-compose.yml": compose, "Dockerfile": FLASK_RUN_IMAGE, "app.py": APP_FACTORY}
    # the root image's own CMD is what `docker build .` ships: still high; the devcontainer's use of it is low
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


# ---- python -m: a package runs its __main__.py, a module runs itself -------------------------------

PKG_INIT = "from flask import Flask\n\napp = Flask(__name__)\n"
PKG_MAIN = """\
from pkg import app

if __name__ == "__main__":
    app.run(host="0.0.0.0")
"""
PKG_SERVER = """\
from pkg import app

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
"""
UNIT = "[Service]\nType=oneshot\nExecStart=/usr/bin/python -m pkg.{name}\n"


def test_python_m_submodule_does_not_run_the_package_main(scan):
    files = {"pkg.service": UNIT.format(name="setup_db"), "pkg/__init__.py": PKG_INIT, "pkg/__main__.py": PKG_MAIN,
             "pkg/setup_db.py": "import pymongo\n\nprint('indexes')\n"}
    assert scan(files, select=["PF401"]) == []


def test_python_m_submodule_that_serves_is_high(scan):
    files = {"pkg.service": UNIT.format(name="server"), "pkg/__init__.py": PKG_INIT, "pkg/__main__.py": PKG_MAIN,
             "pkg/server.py": PKG_SERVER}
    assert scan(files, select=["PF401"]) == [("PF401", "pkg.service", 3, 1, "high")]
    assert "pkg/server.py" in scan.message("PF401", 3)


# ---- a start script the Dockerfile writes with a heredoc ---------------------------------------------

RUN_MODULE = """\
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
"""
WSGI_MODULE = RUN_MODULE.replace("port=5000", "port=5000, debug=False")

HEREDOC_IMAGE = """\
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN cat > /app/start.sh <<EOF && \\
    chmod +x /app/start.sh
#!/bin/bash
set -e
cd /app/web && {launch} &
PID=\\$!
wait \\$PID
EOF
CMD ["{cmd}"]
"""


def test_heredoc_start_script_that_runs_the_dev_server_is_high(scan):
    dockerfile = HEREDOC_IMAGE.format(launch="python3 -m pkg.run", cmd="/app/start.sh")
    files = {"Dockerfile": dockerfile, "web/pkg/__init__.py": "", "web/pkg/run.py": RUN_MODULE,
             "web/wsgi.py": WSGI_MODULE}
    # as with a Procfile's `python app.py`, the bind of the run call the launch reaches stays medium beside PF401
    assert scan(files, select=["PF401", "PF103"]) == [("PF103", "web/pkg/run.py", 6, 18, "medium"),
                                                      ("PF103", "web/wsgi.py", 6, 18, "low"),
                                                      ("PF401", "Dockerfile", 8, 1, "high")]
    assert "pkg/run.py" in scan.message("PF401", 8)


def test_heredoc_start_script_that_runs_gunicorn_lowers_the_main_binds(scan):
    # the tricky neighbour: the same image serving with gunicorn; no PF401, and both __main__ binds are a developer's
    dockerfile = HEREDOC_IMAGE.format(launch="gunicorn -b 0.0.0.0:5000 wsgi:app", cmd="start.sh")
    files = {"Dockerfile": dockerfile, "web/pkg/__init__.py": "", "web/pkg/run.py": RUN_MODULE,
             "web/wsgi.py": WSGI_MODULE}
    assert scan(files, select=["PF401", "PF103"]) == [("PF103", "web/pkg/run.py", 6, 18, "low"),
                                                      ("PF103", "web/wsgi.py", 6, 18, "low")]


def test_heredoc_script_the_command_does_not_run_is_not_followed(scan):
    dockerfile = HEREDOC_IMAGE.format(launch="python3 -m pkg.run", cmd="/app/other.sh")
    files = {"Dockerfile": dockerfile, "web/pkg/__init__.py": "", "web/pkg/run.py": RUN_MODULE}
    assert scan(files, select=["PF401", "PF103"]) == [("PF103", "web/pkg/run.py", 6, 18, "medium")]


def test_heredoc_written_with_tee_or_copy_and_quoted_delimiter(scan):
    tee = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN tee run.sh <<'END'\npython app.py\nEND\n"
           "CMD [\"sh\", \"run.sh\"]\n")
    copy = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nCOPY <<EOF /srv/go.sh\npython app.py\nEOF\nCMD [\"/srv/go.sh\"]\n"
    app = RUN_MODULE
    assert scan({"a/Dockerfile": tee, "a/app.py": app, "b/Dockerfile": copy, "b/app.py": app},
                select=["PF401"]) == [("PF401", "a/Dockerfile", 5, 1, "high"), ("PF401", "b/Dockerfile", 5, 1, "high")]
