"""PF102 unguarded-app-run: the dev server started by importing the module."""

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def test_module_level_run(scan):
    assert scan({"app.py": FLASK + "app.run()\n"}) == [("PF102", "app.py", 3, 1, "high")]
    assert scan.severity("PF102", 3) == "high"
    assert "WSGI server" in scan.message("PF102", 3)


def test_run_inside_a_non_main_if(scan):
    src = FLASK + "import os\nif os.environ.get('RUN_DEV'):\n    app.run(port=8000)\n"
    assert scan({"app.py": src}) == [("PF102", "app.py", 5, 5, "low")]
    assert "not the `__name__" in scan.message("PF102", 5)


def test_run_in_function_called_at_import(scan):
    src = FLASK + "def main():\n    app.run()\n\nmain()\n"
    assert scan({"app.py": src}) == [("PF102", "app.py", 4, 5, "high")]


def test_main_guard_else_branch_runs_on_import(scan):
    src = FLASK + "if __name__ == '__main__':\n    pass\nelse:\n    app.run()\n"
    assert scan({"app.py": src}) == [("PF102", "app.py", 6, 5, "high")]


def test_socketio_and_run_simple(scan):
    files = {
        "chat.py": "from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\n"
                   "socketio = SocketIO(app)\nsocketio.run(app)\n",
        "serve.py": "from werkzeug.serving import run_simple\nfrom chat import app\nrun_simple('localhost', 5000, app)\n",
    }
    assert scan(files) == [("PF102", "chat.py", 5, 1, "high"), ("PF102", "serve.py", 3, 1, "high")]


def test_receiver_named_differently(scan):
    src = "import flask\napplication = flask.Flask(__name__)\napplication.run()\n"
    assert scan({"application.py": src}) == [("PF102", "application.py", 3, 1, "high")]


# ---- negatives ----------------------------------------------------------------------------------

def test_main_guard_variants(scan):
    files = {
        "a.py": FLASK + "if __name__ == '__main__':\n    app.run()\n",
        "b.py": FLASK + "if '__main__' == __name__:\n    app.run()\n",
        "c.py": FLASK + "def main():\n    app.run()\n\nif __name__ == '__main__':\n    main()\n",
        "pkg/__init__.py": "",
        "pkg/__main__.py": "from flask import Flask\napp = Flask(__name__)\napp.run()\n",
    }
    assert scan(files) == []


def test_run_in_uncalled_function_or_cli_command(scan):
    src = FLASK + "import click\n@click.command()\ndef serve():\n    app.run()\n"
    assert scan({"app.py": src}) == []


def test_non_flask_run(scan):
    files = {
        "a.py": "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nuvicorn.run(app, host='0.0.0.0')\n",
        "b.py": "import threading\nt = threading.Thread(target=print)\nt.run()\n",
        "c.py": "from celery import Celery\napp = Celery('tasks')\napp.run()\n",
    }
    assert scan(files) == []


def test_thread_targets_started_at_import(scan):
    files = {
        "keep_alive.py": FLASK + "from threading import Thread\ndef run():\n    app.run(port=8080)\nThread(target=run).start()\n",
        "bot.py": FLASK + "import threading\nthreading.Thread(target=lambda: app.run(port=8080)).start()\n",
    }
    assert scan(files) == [("PF102", "bot.py", 4, 33, "high"), ("PF102", "keep_alive.py", 5, 5, "high")]


def test_app_imported_from_a_project_package(scan):
    files = {"web/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
             "run.py": "from web import app\napp.run()\n"}
    assert scan(files) == [("PF102", "run.py", 2, 1, "high")]


# ---- reachability: a launcher script nothing imports, in a project served by gunicorn ------------------------

LAUNCHER = "from myapp import app\n\napp.run(host='0.0.0.0', debug=True)\n"  # serve.py: run by hand
PACKAGE = "from flask import Flask\napp = Flask(__name__)\n"
GUNICORN_DOCKERFILE = 'FROM python:3.12\nCOPY . .\nCMD ["gunicorn", "-w", "4", "myapp:app"]\n'


def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_launcher_nothing_imports_is_low_when_gunicorn_serves_the_package(scan):
    files = {"serve.py": LAUNCHER, "myapp/__init__.py": PACKAGE, "Dockerfile": GUNICORN_DOCKERFILE}
    assert scan(files, select=["PF1"]) == [("PF101", "serve.py", 3, 31, "low"), ("PF102", "serve.py", 3, 1, "low"), ("PF103", "serve.py", 3, 14, "low")]
    assert _exact(scan) == [("PF101", "serve.py", 3, 31, "low"), ("PF102", "serve.py", 3, 1, "low"),
                            ("PF103", "serve.py", 3, 14, "low")]
    assert "nothing in the project imports" in scan.message("PF102", 3)
    assert "serve.py and no deployment file runs it" in scan.message("PF102", 3)
    assert "gunicorn -w 4 myapp:app" in scan.message("PF102", 3)


def test_launcher_that_the_wsgi_module_imports_stays_high(scan):
    # the tricky neighbour: the package imports the launcher, so gunicorn's import runs its app.run()
    package = PACKAGE + "from . import serve  # noqa\n"
    launcher = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n"
    files = {"myapp/serve.py": launcher, "myapp/__init__.py": package, "Dockerfile": GUNICORN_DOCKERFILE}
    # the public bind (PF103) stays beside the critical PF401, which folds in only the debug finding
    assert scan(files, select=["PF1", "PF401"]) == [("PF102", "myapp/serve.py", 3, 1, "high"),
                                                    ("PF103", "myapp/serve.py", 3, 14, "high"),
                                                    ("PF401", "Dockerfile", 3, 1, "critical")]
    assert _exact(scan) == [("PF102", "serve.py", 3, 1, "high"), ("PF103", "serve.py", 3, 14, "high"),
                            ("PF401", "Dockerfile", 3, 1, "critical")]
    assert "myapp/serve.py:3" in scan.message("PF401", 3)


def test_launcher_without_any_deployment_file_stays_high(scan):
    # no launch to compare with: a WSGI server may well be pointed at it
    assert scan({"serve.py": LAUNCHER, "myapp/__init__.py": PACKAGE}, select=["PF1"]) == [("PF101", "serve.py", 3, 31, "high"), ("PF102", "serve.py", 3, 1, "high"), ("PF103", "serve.py", 3, 14, "high")]
    assert _exact(scan) == [("PF101", "serve.py", 3, 31, "high"), ("PF102", "serve.py", 3, 1, "high"),
                            ("PF103", "serve.py", 3, 14, "high")]


def test_app_py_is_what_flask_discovers_so_it_stays_high(scan):
    files = {"app.py": LAUNCHER, "myapp/__init__.py": PACKAGE, "Dockerfile": GUNICORN_DOCKERFILE}
    assert scan(files, select=["PF102"]) == [("PF102", "app.py", 3, 1, "high")]
    assert _exact(scan) == [("PF102", "app.py", 3, 1, "high")]


def test_launcher_stays_high_when_the_server_target_is_not_known(scan):
    # the tricky neighbour: gunicorn's target comes from the environment, so serve.py may be what it imports
    docker = 'FROM python:3.12\nCOPY . .\nCMD gunicorn -w 4 "$APP_MODULE"\n'
    assert scan({"serve.py": LAUNCHER, "myapp/__init__.py": PACKAGE, "Dockerfile": docker}, select=["PF102"]) == [("PF102", "serve.py", 3, 1, "high")]
    assert _exact(scan) == [("PF102", "serve.py", 3, 1, "high")]


def test_uwsgi_wsgi_file_is_what_the_server_imports(scan):
    run_at_import = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n"
    docker = 'FROM python:3.12\nCOPY . .\nCMD ["uwsgi", "--http", ":8000", "--wsgi-file", "server.py"]\n'
    assert scan({"server.py": run_at_import, "Dockerfile": docker}, select=["PF102", "PF401"]) == [("PF102", "server.py", 3, 1, "high"), ("PF401", "Dockerfile", 3, 1, "high")]
    assert _exact(scan) == [("PF102", "server.py", 3, 1, "high"), ("PF401", "Dockerfile", 3, 1, "high")]


def test_app_object_taken_from_another_module(scan):
    src = "import config\n\napp = config.connex_app\napp.run()\n"
    assert scan({"main.py": src, "config.py": "import connexion\nconnex_app = connexion.App(__name__)\n"},
                select=["PF102"]) == [("PF102", "main.py", 4, 1, "high")]


def test_a_standard_library_attribute_named_server_is_not_an_app(scan):
    # the tricky neighbour: `http.server` is a module, not an app object
    src = "import http\n\nserver = http.server\nserver.run()\n"
    assert scan({"main.py": src}, select=["PF102"]) == []


PROFILER = ("from werkzeug.middleware.profiler import ProfilerMiddleware\nfrom myapp import app\n\n"
            "app.wsgi_app = ProfilerMiddleware(app.wsgi_app)\napp.run(debug=True, port=8080)\n")
UWSGI_DOCKERFILE = ('FROM python:3.12\nCOPY deploy/uwsgi.ini /etc/app/uwsgi.ini\nCOPY . .\n'
                    'CMD ["uwsgi", "--ini", "/etc/app/uwsgi.ini"]\n')


def test_profiler_script_is_low_when_the_uwsgi_ini_serves_another_module(scan):
    # uwsgi reads its module from the ini file the image copies in: the profiler is nobody's target
    ini = "[uwsgi]\nmodule = myapp:app\nprocesses = 4\n"
    files = {"myapp/profiler.py": PROFILER, "myapp/__init__.py": PACKAGE, "Dockerfile": UWSGI_DOCKERFILE,
             "deploy/uwsgi.ini": ini}
    assert scan(files, select=["PF1", "PF401"]) == [("PF101", "myapp/profiler.py", 5, 15, "low"), ("PF102", "myapp/profiler.py", 5, 1, "low")]
    assert _exact(scan) == [("PF101", "profiler.py", 5, 15, "low"), ("PF102", "profiler.py", 5, 1, "low")]
    assert "uwsgi --ini /etc/app/uwsgi.ini" in scan.message("PF102", 5)


def test_profiler_script_stays_high_when_the_uwsgi_ini_serves_it(scan):
    # the tricky neighbour: the ini file's module is the profiler itself, so uwsgi's import runs app.run()
    ini = "[uwsgi]\nprocesses = 4\n[other]\nmodule = myapp:app\n[uwsgi]\nmodule = myapp.profiler:app\n"
    files = {"myapp/profiler.py": PROFILER, "myapp/__init__.py": PACKAGE, "Dockerfile": UWSGI_DOCKERFILE,
             "deploy/uwsgi.ini": ini}
    assert scan(files, select=["PF102", "PF401"]) == [("PF102", "myapp/profiler.py", 5, 1, "high"), ("PF401", "Dockerfile", 4, 1, "high")]
    assert _exact(scan) == [("PF102", "profiler.py", 5, 1, "high"), ("PF401", "Dockerfile", 4, 1, "high")]  # 127.0.0.1


def test_profiler_script_stays_high_when_the_uwsgi_ini_is_not_in_the_project(scan):
    # the other neighbour: the ini file comes from elsewhere, so any module may be uwsgi's target
    files = {"myapp/profiler.py": PROFILER, "myapp/__init__.py": PACKAGE, "Dockerfile": UWSGI_DOCKERFILE}
    assert scan(files, select=["PF102"]) == [("PF102", "myapp/profiler.py", 5, 1, "high")]
    assert _exact(scan) == [("PF102", "profiler.py", 5, 1, "high")]


def test_run_behind_a_local_development_switch_is_low(scan):
    # the config value is not known statically, and the switch is named for local use
    src = (FLASK + "app.config.from_pyfile('instance.cfg', silent=True)\n"
           "if app.config.get('RUN_LOCAL'):\n    app.run(port=8010)\n")
    assert scan({"profiler.py": src}, select=["PF102"]) == [("PF102", "profiler.py", 5, 5, "low")]
    assert _exact(scan) == [("PF102", "profiler.py", 5, 5, "low")]
    assert "reads like a local/development switch" in scan.message("PF102", 5)


def test_run_behind_an_unknown_switch_with_another_name_stays_high(scan):
    # the tricky neighbour: the same unknown condition, but nothing says it is for development
    src = (FLASK + "app.config.from_pyfile('instance.cfg', silent=True)\n"
           "if app.config.get('SERVE_BUILTIN'):\n    app.run(port=8010)\n")
    assert scan({"profiler.py": src}, select=["PF102"]) == [("PF102", "profiler.py", 5, 5, "high")]
    assert _exact(scan) == [("PF102", "profiler.py", 5, 5, "high")]


# ---- which project a deployment file speaks for: its build context, not the whole scanned tree ------------------

RUN_AT_IMPORT = "from myapp import app\n\napp.run(port=8080)\n"  # a launcher: app.run() on line 3
WSGI = "from myapp import app  # noqa\n"
REQS = "flask\ngunicorn\n"
COPYING_DOCKERFILE = ('FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n'
                      'RUN pip install -r requirements.txt\nCOPY . .\nCMD ["gunicorn", "-w", "4", "wsgi:app"]\n')


def _rel(scan):
    root = scan.root.as_posix() + "/"
    return sorted((f.rule_id, f.path[len(root):] if f.path.startswith(root) else f.path, f.line, f.column,
                   f.severity.value) for f in scan.findings)


def test_a_sibling_projects_dockerfile_does_not_lower_a_launcher(scan):
    # Two checkouts side by side: `docker build` of shop/ sends shop/ only, so its gunicorn CMD says nothing
    # about how blog/ is served - blog/ has no deployment file, and its run.py may be how it runs.
    files = {"blog/requirements.txt": REQS, "blog/run.py": RUN_AT_IMPORT, "blog/myapp/__init__.py": PACKAGE,
             "shop/requirements.txt": REQS, "shop/Dockerfile": COPYING_DOCKERFILE, "shop/wsgi.py": WSGI,
             "shop/myapp/__init__.py": PACKAGE, "shop/serve.py": RUN_AT_IMPORT}
    scan(files, select=["PF102"])
    assert _rel(scan) == [("PF102", "blog/run.py", 3, 1, "high"), ("PF102", "shop/serve.py", 3, 1, "low")]
    low = next(f for f in scan.findings if f.path.endswith("shop/serve.py"))
    assert "nothing in the project imports" in low.message and "gunicorn -w 4 wsgi:app" in low.message


def test_a_dockerfile_in_a_subdirectory_built_from_the_project_root_covers_the_root(scan):
    # docker/Dockerfile copies requirements.txt, which only the project root has: that root is its context
    docker = ('FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY . .\nCMD ["gunicorn", "-w", "4", "wsgi:app"]\n')
    files = {"requirements.txt": REQS, "docker/Dockerfile": docker, "wsgi.py": WSGI, "myapp/__init__.py": PACKAGE,
             "serve.py": RUN_AT_IMPORT}
    scan(files, select=["PF102"])
    assert _rel(scan) == [("PF102", "serve.py", 3, 1, "low")]


def test_a_root_compose_file_speaks_for_the_service_directory_it_builds(scan):
    # compose builds services/web (its build context): a launcher there is a developer's tool; the api service,
    # which nothing here deploys, keeps its launcher high
    compose = "services:\n  web:\n    build: ./services/web\n    ports:\n      - \"8000:8000\"\n"
    docker = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-w", "4", "wsgi:app"]\n'
    files = {"docker-compose.yml": compose, "services/web/Dockerfile": docker, "services/web/wsgi.py": WSGI,
             "services/web/myapp/__init__.py": PACKAGE, "services/web/serve.py": RUN_AT_IMPORT,
             "services/api/myapp/__init__.py": PACKAGE, "services/api/serve.py": RUN_AT_IMPORT}
    scan(files, select=["PF102"])
    assert _rel(scan) == [("PF102", "services/api/serve.py", 3, 1, "high"),
                          ("PF102", "services/web/serve.py", 3, 1, "low")]


def test_a_sibling_projects_unknown_server_target_does_not_keep_a_launcher_high(scan):
    # the tricky neighbour: `$APP_MODULE` in blog/'s Dockerfile could be any module of blog/ - not one of shop/
    unknown = 'FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY . .\nCMD gunicorn -w 4 "$APP_MODULE"\n'
    files = {"blog/requirements.txt": REQS, "blog/Dockerfile": unknown, "blog/myapp/__init__.py": PACKAGE,
             "blog/serve.py": RUN_AT_IMPORT,
             "shop/requirements.txt": REQS, "shop/Dockerfile": COPYING_DOCKERFILE, "shop/wsgi.py": WSGI,
             "shop/myapp/__init__.py": PACKAGE, "shop/serve.py": RUN_AT_IMPORT}
    scan(files, select=["PF102"])
    assert _rel(scan) == [("PF102", "blog/serve.py", 3, 1, "high"), ("PF102", "shop/serve.py", 3, 1, "low")]


# ---- a launcher whose app cannot be imported ------------------------------------------------------

SERVER = "from flask import Flask\n\napp = Flask(__name__)\n"
STALE = "#!venv/bin/python\nfrom webapp import app\n\napp.run(host='0.0.0.0', port=5000)\n"


def test_launcher_importing_a_module_the_project_lacks_is_low(scan):
    """`from webapp import app` with no webapp module or package anywhere in the project and no such
    dependency: ModuleNotFoundError is raised before the call, so nothing this launcher does can start."""
    files = {"run.py": STALE, "server/__init__.py": SERVER}
    assert scan(files, select=["PF102", "PF103"]) == [("PF102", "run.py", 4, 1, "low"), ("PF103", "run.py", 4, 14, "low")]
    assert "a stale launcher" in scan.message("PF102", 4)


def test_launcher_importing_a_project_module_from_another_directory_stays_high(scan):
    # the tricky neighbour: src/webapp.py exists, reachable once src is on sys.path (PYTHONPATH, a sys.path line)
    files = {"run.py": STALE, "src/webapp.py": SERVER}
    assert scan(files, select=["PF102", "PF103"]) == [("PF102", "run.py", 4, 1, "high"), ("PF103", "run.py", 4, 14, "medium")]


def test_launcher_importing_a_declared_dependency_stays_high(scan):
    # the app comes from an installed distribution the project declares (a deployment repo of an upstream app)
    files = {"run.py": STALE, "requirements.txt": "flask==3.0.3\nwebapp==2.1\n"}
    assert scan(files, select=["PF102", "PF103"]) == [("PF102", "run.py", 4, 1, "high"), ("PF103", "run.py", 4, 14, "medium")]


def test_launcher_a_deployment_file_runs_is_not_lowered(scan):
    files = {"run.py": STALE, "Procfile": "web: python run.py\n"}
    assert scan(files, select=["PF102", "PF103"]) == [("PF102", "run.py", 4, 1, "high"), ("PF103", "run.py", 4, 14, "medium")]


SOCKET_AT_IMPORT = ("from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\n"
                    "socketio = SocketIO(app{mode})\nsocketio.run(app, port=5000)\n")


def test_socketio_run_at_import_under_eventlet_names_the_server_it_starts(scan):
    """Importing the module still blocks in a server, so PF102 stays high; but with async_mode='eventlet' it
    is Flask-SocketIO's eventlet server, not Werkzeug's development server, and the message says so."""
    files = {"chat.py": SOCKET_AT_IMPORT.format(mode=", async_mode='eventlet'"), "requirements.txt": "eventlet\n"}
    assert scan(files, select=["PF102"]) == [("PF102", "chat.py", 5, 1, "high")]
    assert "Flask-SocketIO's eventlet server" in scan.message("PF102", 5)
    assert "Werkzeug" not in scan.message("PF102", 5)


def test_socketio_run_at_import_in_threading_mode_is_werkzeug(scan):
    files = {"chat.py": SOCKET_AT_IMPORT.format(mode=", async_mode='threading'"), "requirements.txt": "eventlet\n"}
    assert scan(files, select=["PF102"]) == [("PF102", "chat.py", 5, 1, "high")]
    assert "Werkzeug's development server" in scan.message("PF102", 5)
