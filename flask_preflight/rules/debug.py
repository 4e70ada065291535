"""Rule pack 1: debug mode, the Werkzeug debugger and the development server (PF101-PF105)."""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import OWASP_A05, REGISTRY, Rule

_IMPL = "flask_preflight/static/python/debug.py"

PF101 = REGISTRY.register(Rule(
    id="PF101",
    name="debug-mode-enabled",
    severity=Severity.HIGH,
    summary="Flask debug mode is switched on in code that can run in production.",
    rationale=(
        "Debug mode makes the development server reload on code changes, turns on the interactive Werkzeug "
        "debugger when the app is served by `app.run()`/`flask run`, and changes error handling: an exception "
        "no handler catches propagates instead of reaching your 500/InternalServerError handler (an "
        "`errorhandler(Exception)` still runs), and templates reload on every request. "
        "Flask's documentation is explicit: do not enable debug mode when deploying in production. The flag "
        "hides in many places besides `app.run(debug=True)`: `app.debug = True`, `app.config['DEBUG']`, "
        "`config.update()`/`from_mapping()`, and config classes loaded with `from_object()` (by name, or as `import_string(name)()`, an instance that reads its attributes from the class). A config class "
        "named like development/testing is fine on its own (a class named just `Config` or `Settings` is named "
        "by its module when that module is: `Config` in `config/testing.py` is a test config); one that is "
        "loaded unconditionally, or that is "
        "named like production/default/base, is a finding. A base class (named like one, or `DefaultConfig`) whose every subclass sets DEBUG itself or is a development config that no `from_object` loads outright, and that nothing names except as a base class or in a type annotation (no `from_object`, mapping entry or string in code, no env or deployment file naming it), is not reported: its DEBUG reaches no config the app can load but development ones. Severity follows reachability: a call inside "
        "`if __name__ == \"__main__\":` only runs under `python app.py` and is reported as low, and so is "
        "everything after a top-level argparse `parse_args()` on a parser with only `-` options (imported by "
        "gunicorn or `flask run`, argparse rejects their arguments and exits). A factory named `create_app` "
        "or `make_app` is not script-only even when only the `__main__` block calls it: `flask run` and "
        "gunicorn's `module:create_app()` call it too. Values that cross a call are followed: "
        "`create_app(DEBUG=True)` into a factory that applies its arguments (`config.update(**kwargs)`, "
        "`from_mapping(param)`), `create_app(\"config.DevelopmentConfig\")` into `from_object(param)` and "
        "`create_app(\"development\")` into `from_object(CONFIGS[param])` (a module-level name -> class dict, "
        "`{...}` or `dict(...)`) are reported at the call (calls in test code are test configuration and are "
        "not); a name read from the environment with a literal fallback (`os.getenv(\"APP_ENV\", \"dev\")`, "
        "`os.getenv(\"APP_ENV\") or \"dev\"`) is that literal while the variable is unset, and the message "
        "says so (a deployment launch that sets the variable does not count that finding as debug mode for "
        "PF401); a class picked by a function of the project (`from_object(ConfigFactory.factory().__class__)`, "
        "`from_object(pick_config())`) is the one that function returns with every environment variable "
        "unset (if/elif and returns are followed; a loop or `try` is not). A config chosen by a "
        "parameter's default (`def create_app(config_name=\"development\")`) is medium, because callers that "
        "pass a name never load it; it is high when a production module calls the factory without the "
        "argument at import time. The `\"default\"` entry of such a mapping naming a class with DEBUG on is "
        "medium when code outside tests names it (`create_app(os.getenv(\"FLASK_CONFIG\") or \"default\")`, "
        "`config.get(name, config[\"default\"])`: a plain `config[name]` lookup never falls back to it, a "
        "missing name raises KeyError) and something looks a name up in the mapping: code "
        "of its module that runs (module level, a decorated function, a `create_app`/`make_app` factory, or a "
        "function those call) or another module importing the mapping or a function that reads it "
        "(`from config import get_config`); a mapping and helper that nothing uses, while the app picks its "
        "class itself, are not reported. A run call in a launcher script that nothing in the project "
        "imports and no deployment file runs is low too, when the deployment files of its own project serve the "
        "app some other way (PF101-PF105 on that call are all lowered), and so is an import-time "
        "`create_app(...)` call there. Debug mode set in a top-level function that no running code of its own "
        "module calls, that no non-test module refers to, and that a test module does call (a "
        "`configure_test_client()` pytest helper) is low, as are PF104 and PF105 there: it never runs in the "
        "served application. `app.debug = True` or `app.config[\"DEBUG\"] = True` followed in the same block, "
        "with no `return`/`raise` between, by `app.run(debug=False)` on the same app is not reported: `run` sets "
        "`self.debug = bool(debug)` whenever debug is not None, so nothing is served in debug mode (`app.run()` "
        "keeps the earlier value)."
    ),
    bad='''
app = Flask(__name__)
app.config.from_object(Config)      # class Config: DEBUG = True

if __name__ == "__main__":
    app.run(debug=True)
''',
    good='''
app = Flask(__name__)
app.config.from_object(ProductionConfig)   # DEBUG is False unless FLASK_DEBUG=1

if __name__ == "__main__":
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
''',
    fix_hint="Leave DEBUG unset (it defaults to False) and enable it locally with `flask run --debug` or FLASK_DEBUG=1.",
    cwe=(489, 215),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "inspect", "probe"}),
    implemented_in=_IMPL,
))

PF102 = REGISTRY.register(Rule(
    id="PF102",
    name="unguarded-app-run",
    severity=Severity.HIGH,
    summary="`app.run()` (or `socketio.run`, `run_simple`) runs when the module is imported.",
    rationale=(
        "Gunicorn, uWSGI, Waitress and `flask run` all import your module to find the app. A call to "
        "`app.run()` at module level, or inside an `if` that is not the `__name__ == \"__main__\"` guard, runs "
        "during that import: the worker starts Werkzeug's single-process development server instead of "
        "returning the app (the production server then hangs or serves nothing), or, under `flask run`, the "
        "call is ignored together with every setting passed to it (Flask prints a one-line warning). Either "
        "way production does not run what you think it runs. A call inside an `if` whose value is not known "
        "statically and whose text reads like a local/development switch (`if app.config.get(\"RUN_LOCAL\"):`) "
        "starts the server only where a developer turns that switch on, and is reported as low. A launcher "
        "script (`serve.py`) that nothing in the project imports, that no deployment file runs, and that is "
        "not `wsgi.py`/`app.py` (which `flask` finds by itself) is reported as low when the deployment files "
        "of its own project (those whose build context holds it) serve the app some other way; without such "
        "deployment files it stays high, even when another project in the same scan has some, since a WSGI server may well "
        "be pointed at it (`uwsgi --ini FILE` serves the `module`/`wsgi-file`/`mount` of the file's `[uwsgi]` "
        "section when the file is in the project; an ini file from elsewhere may name any module, so nothing "
        "is lowered). One exception holds with or without deployment files: a launcher that nothing imports "
        "or runs, whose app is imported from a top-level module that no file or directory of the project is "
        "named after and no dependency file declares (`from app import app` after the module was renamed), "
        "stops with ModuleNotFoundError before the call, so the findings on that call (PF101-PF105) are "
        "reported as low, with the reason. A `socketio.run()` that Flask-SocketIO serves with eventlet or "
        "gevent (see PF103) is still reported: the import blocks in that server instead of returning the app; "
        "the message then names that server rather than Werkzeug's."
    ),
    bad='''
app = Flask(__name__)
app.run(host="0.0.0.0", port=8000)
''',
    good='''
app = Flask(__name__)

if __name__ == "__main__":
    app.run()
''',
    fix_hint='Move the call under `if __name__ == "__main__":` and serve production with gunicorn/waitress.',
    cwe=(489,),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "inspect"}),
    implemented_in=_IMPL,
))

PF103 = REGISTRY.register(Rule(
    id="PF103",
    name="dev-server-public-bind",
    severity=Severity.MEDIUM,
    summary="The development server listens on all network interfaces.",
    rationale=(
        "`app.run(host=\"0.0.0.0\")`, `\"::\"` or `\"\"` makes Werkzeug's development server reachable from every "
        "network the machine is on. That server is not built for untrusted traffic (single process, no "
        "request limits, no hardening), and combined with debug mode it exposes the interactive debugger to "
        "anyone who can reach the port. Only dev-server binds are reported: the same string in a socket, a "
        "gunicorn bind or an unrelated constant is not this rule's business. A public default stays reported "
        "when a later assignment runs only on some path (`host = os.environ.get(\"HOST\", \"0.0.0.0\")` then "
        "`host = arg` inside an option loop or an `if`): when nothing is passed, the default is what the "
        "server binds (also when the run call itself sits in another branch). When the deployment files of its "
        "own project serve the app another way and none of them runs the file as a script, a bind under the `__main__` guard "
        "only reaches a developer's network and is reported as low. `socketio.run(app, host=\"0.0.0.0\")` "
        "binds Werkzeug's server only in Flask-SocketIO's threading mode: without an `async_mode` it takes the "
        "first of eventlet, gevent and threading it can import, so in a project that declares eventlet or gevent "
        "(a requirements file, `pyproject.toml`, `Pipfile`, setup file or Dockerfile `pip install` in the "
        "module's directory or a parent) or names `async_mode=\"eventlet\"`/`\"gevent\"`, the call is not "
        "reported, unless the project names `async_mode=\"threading\"`, the call passes "
        "`allow_unsafe_werkzeug=True`, or it passes `debug=True` (in the eventlet and gevent modes Flask-SocketIO "
        "then wraps the app in Werkzeug's `DebuggedApplication`, which listens on that host). A host read from the app's config (`app.run(host=app.config[\"HOST\"])`, "
        "`app.config.get(\"BIND_HOST\")`) is the value the project writes under that key at import: "
        "`app.config[\"HOST\"] = ...` or `config.update(HOST=...)` outside any function or `if` in the module "
        "or in one it imports the app from, else the attribute of the class (or constant of the settings "
        "module) a `from_object` there loads; a key nothing sets is not reported."
    ),
    bad='''
if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
''',
    good='''
if __name__ == "__main__":
    app.run()   # 127.0.0.1; in containers serve with: gunicorn -b 0.0.0.0:8000 app:app
''',
    fix_hint="Bind the dev server to 127.0.0.1 and let a production WSGI server (gunicorn, waitress) listen publicly.",
    cwe=(1327, 668),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "probe"}),
    implemented_in=_IMPL,
))

PF104 = REGISTRY.register(Rule(
    id="PF104",
    name="werkzeug-debugger-enabled",
    severity=Severity.CRITICAL,
    summary="The interactive Werkzeug debugger is switched on explicitly: remote code execution.",
    rationale=(
        "The Werkzeug debugger runs arbitrary Python typed into a browser. `DebuggedApplication(app, "
        "evalex=True)`, wrapping `app.wsgi_app` in `DebuggedApplication`, `run_simple(..., use_debugger=True)` "
        "(evalex defaults to on) and `app.run(use_debugger=True)` all put it in front of the app whatever "
        "server imports it. Flask-Script's `Server(use_debugger=True)` starts nothing when it is built: its "
        "`runserver` command hands the option to `app.run` only when `python manage.py runserver` runs, so it "
        "is graded like a call under the `__main__` guard (high, or low when the project's deployment files "
        "serve the app another way), and a deployment file that runs that command is reported by PF401 as "
        "critical. Its PIN is, in the maintainers' words, a stumbling block rather than a security "
        "feature, and `WERKZEUG_DEBUG_PIN=off` removes even that. Gating the wrapper on debug mode "
        "(`if app.debug:` or `if app.config[\"DEBUG\"]:` around `DebuggedApplication(..., evalex=True)`) does "
        "not make it safe: under gunicorn debug mode never starts the debugger by itself, this code does. It "
        "is graded by what DEBUG can be: critical when this module or a config class it loads sets it on, "
        "high when it follows an environment variable the app reads, medium when only FLASK_DEBUG can turn "
        "it on. Under the `__main__` guard, or when every config class loaded sets DEBUG to False, it is not "
        "reported."
    ),
    bad='''
from werkzeug.debug import DebuggedApplication
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
''',
    good='''
# No debugger in code; use `flask run --debug` on your own machine only.
app = Flask(__name__)
''',
    fix_hint="Remove the DebuggedApplication wrapper / use_debugger flag; debug locally with `flask run --debug`.",
    cwe=(94, 489),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "inspect", "probe"}),
    implemented_in=_IMPL,
))

PF105 = REGISTRY.register(Rule(
    id="PF105",
    name="debug-fail-open-default",
    severity=Severity.HIGH,
    summary="Debug mode is read from the environment but defaults to on, or can never be switched off.",
    rationale=(
        "Reading the debug flag from the environment is right, but only if a missing variable means off. "
        "`os.environ.get(\"FLASK_DEBUG\", True)` or `os.getenv(\"DEBUG\", \"1\")` turns debug on in every "
        "environment that forgot to set the variable - usually production. `bool(os.getenv(\"DEBUG\"))` is the "
        "opposite trap: every non-empty string is truthy, so `DEBUG=False` and `DEBUG=0` both enable debug. A "
        "comparison is not that trap: `debug=not (os.environ[\"ENVIRONMENT\"] == \"production\")` stays on for "
        "`ENVIRONMENT=False`, but the value the code compares with turns it off, so it is not reported as "
        "impossible to switch off."
    ),
    bad='''
DEBUG = bool(os.getenv("DEBUG", "true"))
app.run(debug=os.environ.get("FLASK_DEBUG", True))
''',
    good='''
DEBUG = os.getenv("FLASK_DEBUG", "0").lower() in ("1", "true", "yes")
''',
    fix_hint='Default to off and parse the string: `os.getenv("FLASK_DEBUG", "0").lower() in ("1", "true")`.',
    cwe=(1188, 489),
    owasp=(OWASP_A05,),
    modes=frozenset({"check"}),
    implemented_in=_IMPL,
))
