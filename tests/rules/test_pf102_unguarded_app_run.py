"""PF102 unguarded-app-run: the dev server started by importing the module."""

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def test_module_level_run(scan):
    assert scan({"app.py": FLASK + "app.run()\n"}) == [("PF102", "app.py", 3)]
    assert scan.severity("PF102", 3) == "high"
    assert "WSGI server" in scan.message("PF102", 3)


def test_run_inside_a_non_main_if(scan):
    src = FLASK + "import os\nif os.environ.get('RUN_DEV'):\n    app.run(port=8000)\n"
    assert scan({"app.py": src}) == [("PF102", "app.py", 5)]
    assert "not the `__name__" in scan.message("PF102", 5)


def test_run_in_function_called_at_import(scan):
    src = FLASK + "def main():\n    app.run()\n\nmain()\n"
    assert scan({"app.py": src}) == [("PF102", "app.py", 4)]


def test_main_guard_else_branch_runs_on_import(scan):
    src = FLASK + "if __name__ == '__main__':\n    pass\nelse:\n    app.run()\n"
    assert scan({"app.py": src}) == [("PF102", "app.py", 6)]


def test_socketio_and_run_simple(scan):
    files = {
        "chat.py": "from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\n"
                   "socketio = SocketIO(app)\nsocketio.run(app)\n",
        "serve.py": "from werkzeug.serving import run_simple\nfrom chat import app\nrun_simple('localhost', 5000, app)\n",
    }
    assert scan(files) == [("PF102", "chat.py", 5), ("PF102", "serve.py", 3)]


def test_receiver_named_differently(scan):
    src = "import flask\napplication = flask.Flask(__name__)\napplication.run()\n"
    assert scan({"application.py": src}) == [("PF102", "application.py", 3)]


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
    assert scan(files) == [("PF102", "bot.py", 4), ("PF102", "keep_alive.py", 5)]


def test_app_imported_from_a_project_package(scan):
    files = {"web/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
             "run.py": "from web import app\napp.run()\n"}
    assert scan(files) == [("PF102", "run.py", 2)]
