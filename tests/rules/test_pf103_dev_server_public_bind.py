"""PF103 dev-server-public-bind: Werkzeug's dev server listening on every interface."""

FLASK = "from flask import Flask\napp = Flask(__name__)\n"
MAIN = "if __name__ == '__main__':\n"


def test_literal_hosts(scan):
    src = FLASK + MAIN + "    app.run(host='0.0.0.0')\n    app.run(host='::')\n    app.run('0.0.0.0', 80)\n"
    assert scan({"app.py": src}) == [("PF103", "app.py", 4, 18, "medium"), ("PF103", "app.py", 5, 18, "medium"), ("PF103", "app.py", 6, 13, "medium")]
    assert scan.severity("PF103", 4) == "medium"


def test_empty_host_is_public_for_run_simple_but_loopback_for_app_run(scan):
    # Flask.run: `if not host: host = sn_host or "127.0.0.1"`; run_simple("") binds every interface.
    src = (FLASK + "from werkzeug.serving import run_simple\n" + MAIN +
           "    app.run(host='')\n    run_simple('', 5000, app)\n")
    assert scan({"app.py": src}) == [("PF103", "app.py", 6, 16, "medium")]


def test_resolved_and_env_default_hosts(scan):
    src = FLASK + "import os\nHOST = '0.0.0.0'\n" + MAIN + "    app.run(host=HOST)\n    app.run(host=os.getenv('HOST', '0.0.0.0'))\n"
    assert scan({"app.py": src}) == [("PF103", "app.py", 6, 18, "medium"), ("PF103", "app.py", 7, 18, "medium")]
    assert "when HOST is unset" in scan.message("PF103", 7)


def test_with_debug_at_import_time_is_high(scan):
    src = FLASK + "app.run(host='0.0.0.0', debug=True)\n"
    assert scan({"app.py": src}) == [("PF101", "app.py", 3, 31, "high"), ("PF102", "app.py", 3, 1, "high"), ("PF103", "app.py", 3, 14, "high")]
    assert scan.severity("PF103", 3) == "high"
    assert "debugger" in scan.message("PF103", 3)


def test_socketio_and_run_simple_binds(scan):
    src = ("from flask import Flask\nfrom flask_socketio import SocketIO\nfrom werkzeug.serving import run_simple\n"
           "app = Flask(__name__)\nsocketio = SocketIO(app)\n" + MAIN +
           "    socketio.run(app, host='0.0.0.0')\n    run_simple('0.0.0.0', 5000, app)\n")
    assert scan({"app.py": src}) == [("PF103", "app.py", 7, 28, "medium"), ("PF103", "app.py", 8, 16, "medium")]


# ---- negatives ----------------------------------------------------------------------------------

def test_unrelated_zero_addresses(scan):
    files = {
        "app.py": FLASK + "import socket\nDEFAULT_HOST = '0.0.0.0'\ns = socket.socket()\ns.bind(('0.0.0.0', 80))\n"
                  "print('listening on 0.0.0.0')\nALLOWED = ['0.0.0.0/0']\n" + MAIN + "    app.run()\n",
        "gunicorn.conf.py": "bind = '0.0.0.0:8000'\nworkers = 4\n",
        "api.py": "import uvicorn\nfrom fastapi import FastAPI\napi = FastAPI()\nuvicorn.run(api, host='0.0.0.0')\n",
    }
    assert scan(files) == []


def test_localhost_and_env_without_public_default(scan):
    src = FLASK + "import os\n" + MAIN + "    app.run(host='127.0.0.1')\n    app.run(host=os.environ.get('HOST', 'localhost'))\n    app.run(host=os.environ['HOST'])\n"
    assert scan({"app.py": src}) == []


# ---- a default kept when the reassignment happens only on some path (issue 14) -------------------------

def _exact_rule(scan, rule="PF103"):
    """(rule, path, line, column, severity) of every finding of ``rule``."""
    import pathlib
    return sorted((f.rule_id, pathlib.Path(f.path).relative_to(scan.root).as_posix(), f.line, f.column,
                   f.severity.value) for f in scan.findings if f.rule_id == rule)


OPTION_LOOP = """
    import getopt, os, sys
    from flask import Flask
    app = Flask(__name__)

    def main():
        host = os.environ.get("LISTEN_HOST", {default!r})
        opts, _ = getopt.getopt(sys.argv[1:], "h:")
        for opt, arg in opts:
            if opt == "-h":
                host = arg
        app.run(host=host)

    if __name__ == "__main__":
        main()
    """


def test_env_default_host_kept_past_an_option_loop(scan):
    assert scan({"serve.py": OPTION_LOOP.format(default="0.0.0.0")}) == [("PF103", "serve.py", 11, 18, "medium")]
    assert _exact_rule(scan) == [("PF103", "serve.py", 11, 18, "medium")]
    assert "when LISTEN_HOST is unset unless an option" in scan.message("PF103", 11)


def test_env_default_loopback_kept_past_an_option_loop(scan):
    assert scan({"serve.py": OPTION_LOOP.format(default="127.0.0.1")}) == []
    assert _exact_rule(scan) == []


def test_public_default_kept_past_an_if(scan):
    src = FLASK + "import sys\nhost = '::'\nif len(sys.argv) > 1:\n    host = sys.argv[1]\n" + MAIN + "    app.run(host=host)\n"
    assert scan({"app.py": src}) == [("PF103", "app.py", 8, 18, "medium")]
    assert _exact_rule(scan) == [("PF103", "app.py", 8, 18, "medium")]


def test_public_default_always_replaced_is_not_kept(scan):
    src = FLASK + "import sys\nhost = '0.0.0.0'\nhost = sys.argv[1]\n" + MAIN + "    app.run(host=host)\n"
    assert scan({"app.py": src}) == []
    assert _exact_rule(scan) == []

# ---- reachability: a __main__ bind that no deployment file runs ----------------------------------------------

MAIN_BIND = "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n"


def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_main_bind_is_low_when_the_deployment_serves_the_module_with_gunicorn(scan):
    procfile = "web: gunicorn -w 4 app:app\n"
    assert scan({"app.py": MAIN_BIND, "Procfile": procfile}, select=["PF103", "PF401"]) == [("PF103", "app.py", 5, 18, "low")]
    assert _exact(scan) == [("PF103", "app.py", 5, 18, "low")]
    assert "app.py as a script (the Procfile `web` runs `gunicorn -w 4 app:app`)" in scan.message("PF103", 5)


def test_main_bind_is_medium_when_a_deployment_file_runs_the_script(scan):
    # the tricky neighbour: the Procfile runs `python app.py`, which executes the __main__ block
    assert scan({"app.py": MAIN_BIND, "Procfile": "web: python app.py\n"}, select=["PF103", "PF401"]) == [("PF103", "app.py", 5, 18, "medium"), ("PF401", "Procfile", 1, 1, "high")]
    assert _exact(scan) == [("PF103", "app.py", 5, 18, "medium"), ("PF401", "Procfile", 1, 1, "high")]


def test_main_bind_is_medium_with_no_deployment_files(scan):
    assert scan({"app.py": MAIN_BIND}, select=["PF103"]) == [("PF103", "app.py", 5, 18, "medium")]
    assert _exact(scan) == [("PF103", "app.py", 5, 18, "medium")]


def test_main_bind_is_medium_when_the_only_launch_is_a_development_one(scan):
    # a compose file named for development says nothing about production
    compose = "services:\n  web:\n    build: .\n    command: gunicorn app:app\n"
    assert scan({"app.py": MAIN_BIND, "docker-compose.dev.yml": compose}, select=["PF103"]) == [("PF103", "app.py", 5, 18, "medium")]
    assert _exact(scan) == [("PF103", "app.py", 5, 18, "medium")]


SOCKET_APP = ("from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\n"
              "socketio = SocketIO(app{mode})\n" + MAIN + "    socketio.run(app, host='0.0.0.0'{extra})\n")


def test_socketio_run_served_by_eventlet_or_gevent_is_not_the_dev_server(scan):
    """Flask-SocketIO picks eventlet, then gevent, then threading (Werkzeug): with eventlet in the
    requirements, gevent installed by the Dockerfile, or async_mode='gevent' named, socketio.run serves with
    that server, so its public bind is not the development server's. Tricky positive: debug=True still wraps
    the app in Werkzeug's DebuggedApplication, which then listens on that public host, so PF103 stays beside
    PF101 (both low: the call is under the __main__ guard)."""
    plain = SOCKET_APP.format(mode="", extra="")
    assert scan({"a/app.py": plain, "a/requirements.txt": "flask\nflask-socketio\neventlet==0.33\n",
                 "b/app.py": plain, "b/Dockerfile": "FROM python:3.12\nRUN pip install flask flask-socketio gevent\n"
                                                   "COPY . .\nCMD [\"python\", \"app.py\"]\n",
                 "c/app.py": SOCKET_APP.format(mode=", async_mode='gevent'", extra="")}) == []
    debug = SOCKET_APP.format(mode="", extra=", debug=True")
    assert scan({"app.py": debug, "requirements.txt": "gevent-websocket\n"}) == [
        ("PF101", "app.py", 6, 45, "low"), ("PF103", "app.py", 6, 28, "low")]
    assert scan({"app.py": debug, "requirements.txt": "eventlet==0.40\n"}, select=["PF103"]) == [
        ("PF103", "app.py", 6, 28, "low")]
    assert "debugger" in scan.message("PF103", 6)


def test_socketio_run_in_threading_mode_binds_the_dev_server(scan):
    """Tricky negatives: no eventlet/gevent declared (engineio falls back to threading, Werkzeug), async_mode
    'threading' named, allow_unsafe_werkzeug=True (its author met the threading mode's refusal), and a
    package that only mentions the name (`geventhttpclient`) keep PF103."""
    plain = SOCKET_APP.format(mode="", extra="")
    assert scan({"app.py": plain, "requirements.txt": "flask-socketio\ngeventhttpclient\n"}) == [
        ("PF103", "app.py", 6, 28, "medium")]
    assert scan({"app.py": SOCKET_APP.format(mode=", async_mode='threading'", extra=""),
                 "requirements.txt": "eventlet\n"}) == [("PF103", "app.py", 6, 28, "medium")]
    assert scan({"app.py": SOCKET_APP.format(mode="", extra=", allow_unsafe_werkzeug=True"),
                 "requirements.txt": "eventlet\n"}) == [("PF103", "app.py", 6, 28, "medium")]


def test_host_read_from_the_config_the_project_sets(scan):
    """`app.run(host=app.config["HOST"])` binds what the project wrote under HOST: a module-level write in the
    module the launcher imports the app from, or the attribute of the class a factory's from_object loads."""
    files = {"config.py": "from flask import Flask\n\napp = Flask(__name__)\napp.config['HOST'] = '0.0.0.0'\n",
             "main.py": "from config import app\n\nif __name__ == '__main__':\n    app.run(host=app.config['HOST'])\n",
             "pkg/settings.py": "class Config:\n    BIND_HOST = '0.0.0.0'\n",
             "pkg/factory.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"
                               "    app.config.from_object('pkg.settings.Config')\n    return app\n",
             "serve.py": "from pkg.factory import create_app\n\napp = create_app()\n\nif __name__ == '__main__':\n"
                         "    app.run(host=app.config.get('BIND_HOST'))\n"}
    assert scan(files) == [("PF103", "main.py", 4, 18, "medium"), ("PF103", "serve.py", 6, 18, "medium")]
    assert "config.py:4" in scan.message("PF103", 4)


def test_host_read_from_the_config_set_to_loopback_conditionally_or_not_at_all(scan):
    """Tricky negatives: a loopback value, a public value written only inside an `if` or a function (not what
    the config holds at import), and a key nothing sets are not reported."""
    files = {"a/config.py": "from flask import Flask\n\napp = Flask(__name__)\napp.config['HOST'] = '127.0.0.1'\n",
             "a/main.py": "from config import app\n\nif __name__ == '__main__':\n    app.run(host=app.config['HOST'])\n",
             "b/app.py": "import os\nfrom flask import Flask\n\napp = Flask(__name__)\nif os.getenv('DOCKER'):\n"
                         "    app.config['HOST'] = '0.0.0.0'\n\n\ndef public():\n    app.config['HOST'] = '0.0.0.0'\n\n\n"
                         "if __name__ == '__main__':\n    app.run(host=app.config['HOST'])\n",
             "c/app.py": "from flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n"
                         "    app.run(host=app.config.get('LISTEN_HOST'))\n"}
    assert scan(files) == []


TEMPLATE_UNIT = ("[Service]\nWorkingDirectory={{ project root }}\n"
                 "ExecStart={{ HOME }}/.local/bin/pipenv run uwsgi --ini wsgi.ini\n")


def test_main_bind_is_low_when_a_templated_systemd_unit_serves_the_app_with_uwsgi(scan):
    """An Ansible/Jinja unit template is rendered before systemd reads it: `{{ HOME }}` is one value, so the
    command is `pipenv run uwsgi --ini wsgi.ini`, whose ini imports app:app; the __main__ bind is a developer's."""
    files = {"app.py": MAIN_BIND, "app.service": TEMPLATE_UNIT, "wsgi.ini": "[uwsgi]\nmodule = app:app\n"}
    assert scan(files, select=["PF103", "PF401"]) == [("PF103", "app.py", 5, 18, "low")]
    assert "`uwsgi --ini wsgi.ini`" in scan.message("PF103", 5)


def test_main_bind_stays_medium_when_the_templated_unit_runs_the_script(scan):
    # the tricky neighbour: the same template running `python app.py` executes the __main__ block
    unit = "[Service]\nExecStart={{ venv dir }}/bin/python app.py\n"
    assert scan({"app.py": MAIN_BIND, "app.service": unit}, select=["PF103", "PF401"]) == [
        ("PF103", "app.py", 5, 18, "medium"), ("PF401", "app.service", 2, 1, "high")]
