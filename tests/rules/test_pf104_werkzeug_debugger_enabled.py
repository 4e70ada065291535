"""PF104 werkzeug-debugger-enabled: the interactive debugger switched on explicitly (RCE)."""

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def test_debugged_application_evalex(scan):
    src = FLASK + "from werkzeug.debug import DebuggedApplication\napp.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n"
    assert scan({"app.py": src}) == [("PF104", "app.py", 4, 16, "critical")]
    assert scan.severity("PF104", 4) == "critical"


def test_debugged_application_positional_evalex_in_wsgi_file(scan):
    src = "from werkzeug.debug import DebuggedApplication\nfrom myapp import app\napplication = DebuggedApplication(app, True)\n"
    assert scan({"wsgi.py": src}) == [("PF104", "wsgi.py", 3, 15, "critical")]
    assert scan.severity("PF104", 3) == "critical"


def test_wrapping_wsgi_app_without_evalex_still_leaks_tracebacks(scan):
    src = FLASK + "from werkzeug.debug import DebuggedApplication\napp.wsgi_app = DebuggedApplication(app.wsgi_app)\n"
    assert scan({"app.py": src}) == [("PF104", "app.py", 4, 16, "high")]
    assert scan.severity("PF104", 4) == "high"


def test_use_debugger_in_run_and_run_simple(scan):
    src = (FLASK + "from werkzeug.serving import run_simple\n"
           "def serve():\n    app.run(use_debugger=True)\n    run_simple('localhost', 5000, app, use_debugger=True, use_evalex=True)\n")
    assert scan({"app.py": src}) == [("PF104", "app.py", 5, 26, "critical"), ("PF104", "app.py", 6, 53, "critical")]
    assert scan.severity("PF104", 5) == "critical"


def test_debug_pin_off(scan):
    src = ("import os\nos.environ['WERKZEUG_DEBUG_PIN'] = 'off'\nos.environ.setdefault('WERKZEUG_DEBUG_PIN', 'OFF')\n"
           "os.putenv('WERKZEUG_DEBUG_PIN', 'off')\n")
    assert scan({"boot.py": src}) == [
        ("PF104", "boot.py", 2, 1, "critical"),
        ("PF104", "boot.py", 3, 1, "critical"),
        ("PF104", "boot.py", 4, 1, "critical"),
    ]
    assert scan.severity("PF104", 2) == "critical"


def test_main_guard_lowers_to_high(scan):
    src = FLASK + "from werkzeug.serving import run_simple\nif __name__ == '__main__':\n    run_simple('localhost', 5000, app, use_debugger=True)\n"
    assert scan({"app.py": src}) == [("PF104", "app.py", 5, 53, "high")]
    assert scan.severity("PF104", 5) == "high"


# ---- negatives ----------------------------------------------------------------------------------

def test_debugger_off_or_gated(scan):
    src = (FLASK + "import os\nfrom werkzeug.debug import DebuggedApplication\nfrom werkzeug.serving import run_simple\n"
           "if app.debug:\n    app.wsgi_app = DebuggedApplication(app.wsgi_app)\n"
           "os.environ['WERKZEUG_DEBUG_PIN'] = '1234-5678'\n"
           "if __name__ == '__main__':\n    run_simple('localhost', 5000, app, use_debugger=False, use_reloader=True)\n")
    assert scan({"app.py": src}) == []


def test_env_switched_debugger_is_medium(scan):
    src = FLASK + "import os\nfrom werkzeug.debug import DebuggedApplication\nif os.environ.get('ENABLE_DEBUGGER'):\n    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n"
    assert scan({"wsgi.py": src}) == [("PF104", "wsgi.py", 6, 20, "medium")]
    assert scan.severity("PF104", 6) == "medium"


def test_flask_script_server_with_debugger(scan):
    # Building Server() starts nothing: its options apply when `python manage.py runserver` runs the command,
    # so it is graded like a __main__ run (high), not like code every import runs (critical)
    src = "from flask_script import Manager, Server\nfrom app import app\nmanager = Manager(app)\nmanager.add_command('runserver', Server(use_debugger=True))\n"
    assert scan({"manage.py": src}) == [("PF104", "manage.py", 4, 54, "high")]
    message = scan.message("PF104", 4)
    assert "runserver" in message and "never when the module is imported" in message


def test_flask_script_server_is_low_when_deploy_files_serve_the_app_another_way(scan):
    src = ("from flask_script import Manager, Server\nfrom app import app\nmanager = Manager(app)\n"
           "manager.add_command('runserver', Server(host='0.0.0.0', use_debugger=True))\n")
    app = "from flask import Flask\napp = Flask(__name__)\n"
    found = scan({"manage.py": src, "app.py": app, "Procfile": "web: gunicorn -w 4 app:app\n"}, select=["PF1", "PF401"])
    assert found == [("PF103", "manage.py", 4, 46, "low"), ("PF104", "manage.py", 4, 70, "low")]


SCRIPT_SERVER = ("from flask_script import Manager, Server\nfrom app import app\nmanager = Manager(app)\n"
                 "manager.add_command('runserver', Server(host='0.0.0.0', use_debugger=True))\n")


def test_flask_script_server_is_low_beside_a_supervisord_program_file_kept_anywhere(scan):
    """supervisord reads program files from wherever its [include] points, so a project's `etc/blog.conf`
    with a [program:] section is a deployment file: it serves wsgi:app with gunicorn, so the developer's
    runserver command is low. Tricky negative beside it: an nginx `*.conf` there is no launch, and without the
    program file the command is graded high (nothing shows another way of serving the app; next test)."""
    src = SCRIPT_SERVER
    app = "from flask import Flask\napp = Flask(__name__)\n"
    program = "[program:blog]\ncommand = /srv/venv/bin/gunicorn -w 4 -b 127.0.0.1:9000 app:app\n"
    nginx = "server {\n  listen 80;\n  location / { proxy_pass http://127.0.0.1:9000; }\n}\n"
    found = scan({"manage.py": src, "app.py": app, "etc/blog.conf": program, "etc/nginx.conf": nginx},
                 select=["PF1", "PF4"])
    assert found == [("PF103", "manage.py", 4, 46, "low"), ("PF104", "manage.py", 4, 70, "low")]
    assert "supervisord program `blog`" in scan.message("PF104", 4)


def test_an_nginx_conf_is_no_launch_to_compare_a_flask_script_server_with(scan):
    assert scan({"manage.py": SCRIPT_SERVER, "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                 "etc/nginx.conf": "server {\n  listen 80;\n}\n"}, select=["PF1", "PF4"]) == [
        ("PF103", "manage.py", 4, 46, "medium"), ("PF104", "manage.py", 4, 70, "high")]


# ---- the debugger gated on debug mode (issue 14) --------------------------------------------------------

def _exact(scan, rule="PF104"):
    """(rule, path, line, column, severity) of every finding of ``rule``."""
    import pathlib
    return sorted((f.rule_id, pathlib.Path(f.path).relative_to(scan.root).as_posix(), f.line, f.column,
                   f.severity.value) for f in scan.findings if f.rule_id == rule)


GATED = "if app.debug:\n    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n"


def test_debugger_gated_on_debug_mode_follows_flask_debug(scan):
    src = FLASK + "from werkzeug.debug import DebuggedApplication\n" + GATED
    assert scan({"app.py": src}) == [("PF104", "app.py", 5, 20, "medium")]
    assert _exact(scan) == [("PF104", "app.py", 5, 20, "medium")]
    assert "follows FLASK_DEBUG" in scan.message("PF104", 5)


def test_debugger_gated_under_main_guard_is_the_developers_own(scan):
    src = (FLASK + "from werkzeug.debug import DebuggedApplication\nif __name__ == '__main__':\n"
           "    if app.debug:\n        app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n    app.run()\n")
    assert scan({"app.py": src}) == []
    assert _exact(scan) == []


def test_whole_app_rebound_when_config_debug_is_true(scan):
    src = ("from flask import Flask\nfrom werkzeug import DebuggedApplication\napp = Flask(__name__)\n"
           "app.config['DEBUG'] = True\n"
           "if app.config['DEBUG']:\n    app = DebuggedApplication(app, evalex=True)\n")
    assert scan({"wsgi.py": src}) == [("PF101", "wsgi.py", 4, 23, "high"), ("PF104", "wsgi.py", 6, 11, "critical")]
    assert _exact(scan) == [("PF104", "wsgi.py", 6, 11, "critical")]


def test_debugger_gate_on_an_env_driven_debug_write_is_high(scan):
    src = ("import os\nfrom flask import Flask\nfrom werkzeug.debug import DebuggedApplication\n"
           "app = Flask(__name__)\napp.config['DEBUG'] = os.getenv('APP_DEBUG') == '1'\n"
           "if app.config.get('DEBUG'):\n    app.wsgi_app = DebuggedApplication(app.wsgi_app, True)\n")
    assert scan({"app.py": src}) == [("PF104", "app.py", 7, 20, "high")]
    assert _exact(scan) == [("PF104", "app.py", 7, 20, "high")]
    assert "APP_DEBUG" in scan.message("PF104", 7)


LOADER = """
    from flask import Flask
    from werkzeug.debug import DebuggedApplication
    from settings import {cls}

    def create_app():
        app = Flask(__name__)
        app.config.from_object({cls})
        if app.debug:
            app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
        return app
    """


def test_debugger_gate_with_a_loaded_config_class_that_turns_debug_on(scan):
    files = {"app.py": LOADER.format(cls="AppConfig"), "settings.py": "class AppConfig:\n    DEBUG = True\n"}
    assert scan(files) == [("PF101", "settings.py", 2, 5, "high"), ("PF104", "app.py", 9, 24, "critical")]
    assert _exact(scan) == [("PF104", "app.py", 9, 24, "critical")]
    assert "settings.py:2" in scan.message("PF104", 9)


def test_debugger_gate_with_an_env_driven_config_class_is_high(scan):
    files = {"app.py": LOADER.format(cls="AppConfig"),
             "settings.py": "import os\nclass AppConfig:\n    DEBUG = os.getenv('DEBUG') == 'True'\n"}
    assert scan(files) == [("PF104", "app.py", 9, 24, "high")]
    assert _exact(scan) == [("PF104", "app.py", 9, 24, "high")]


def test_debugger_gate_with_debug_false_in_every_loaded_class_is_dead(scan):
    files = {"app.py": LOADER.format(cls="ProductionConfig"),
             "settings.py": "class Config:\n    DEBUG = False\n\nclass ProductionConfig(Config):\n    pass\n"}
    assert scan(files) == []
    assert _exact(scan) == []


def test_debugger_gate_in_test_code_is_low(scan):
    src = FLASK + "from werkzeug.debug import DebuggedApplication\n" + GATED
    assert scan({"tests/conftest.py": src}) == [("PF104", "tests/conftest.py", 5, 20, "low")]
    assert _exact(scan) == [("PF104", "tests/conftest.py", 5, 20, "low")]
