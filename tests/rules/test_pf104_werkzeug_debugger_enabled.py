"""PF104 werkzeug-debugger-enabled: the interactive debugger switched on explicitly (RCE)."""

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def test_debugged_application_evalex(scan):
    src = FLASK + "from werkzeug.debug import DebuggedApplication\napp.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n"
    assert scan({"app.py": src}) == [("PF104", "app.py", 4)]
    assert scan.severity("PF104", 4) == "critical"


def test_debugged_application_positional_evalex_in_wsgi_file(scan):
    src = "from werkzeug.debug import DebuggedApplication\nfrom myapp import app\napplication = DebuggedApplication(app, True)\n"
    assert scan({"wsgi.py": src}) == [("PF104", "wsgi.py", 3)]
    assert scan.severity("PF104", 3) == "critical"


def test_wrapping_wsgi_app_without_evalex_still_leaks_tracebacks(scan):
    src = FLASK + "from werkzeug.debug import DebuggedApplication\napp.wsgi_app = DebuggedApplication(app.wsgi_app)\n"
    assert scan({"app.py": src}) == [("PF104", "app.py", 4)]
    assert scan.severity("PF104", 4) == "high"


def test_use_debugger_in_run_and_run_simple(scan):
    src = (FLASK + "from werkzeug.serving import run_simple\n"
           "def serve():\n    app.run(use_debugger=True)\n    run_simple('localhost', 5000, app, use_debugger=True, use_evalex=True)\n")
    assert scan({"app.py": src}) == [("PF104", "app.py", 5), ("PF104", "app.py", 6)]
    assert scan.severity("PF104", 5) == "critical"


def test_debug_pin_off(scan):
    src = ("import os\nos.environ['WERKZEUG_DEBUG_PIN'] = 'off'\nos.environ.setdefault('WERKZEUG_DEBUG_PIN', 'OFF')\n"
           "os.putenv('WERKZEUG_DEBUG_PIN', 'off')\n")
    assert scan({"boot.py": src}) == [("PF104", "boot.py", 2), ("PF104", "boot.py", 3), ("PF104", "boot.py", 4)]
    assert scan.severity("PF104", 2) == "critical"


def test_main_guard_lowers_to_high(scan):
    src = FLASK + "from werkzeug.serving import run_simple\nif __name__ == '__main__':\n    run_simple('localhost', 5000, app, use_debugger=True)\n"
    assert scan({"app.py": src}) == [("PF104", "app.py", 5)]
    assert scan.severity("PF104", 5) == "high"


# ---- negatives ----------------------------------------------------------------------------------

def test_debugger_off_or_gated(scan):
    src = (FLASK + "import os\nfrom werkzeug.debug import DebuggedApplication\nfrom werkzeug.serving import run_simple\n"
           "if app.debug:\n    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n"
           "os.environ['WERKZEUG_DEBUG_PIN'] = '1234-5678'\n"
           "if __name__ == '__main__':\n    run_simple('localhost', 5000, app, use_debugger=False, use_reloader=True)\n")
    assert scan({"app.py": src}) == []


def test_env_switched_debugger_is_medium(scan):
    src = FLASK + "import os\nfrom werkzeug.debug import DebuggedApplication\nif os.environ.get('ENABLE_DEBUGGER'):\n    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n"
    assert scan({"wsgi.py": src}) == [("PF104", "wsgi.py", 6)]
    assert scan.severity("PF104", 6) == "medium"


def test_flask_script_server_with_debugger(scan):
    src = "from flask_script import Manager, Server\nfrom app import app\nmanager = Manager(app)\nmanager.add_command('runserver', Server(use_debugger=True))\n"
    assert scan({"manage.py": src}) == [("PF104", "manage.py", 4)]
