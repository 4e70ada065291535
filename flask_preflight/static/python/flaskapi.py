"""What Flask objects look like statically: which receivers are Flask apps, SocketIO servers, configs.

Precision hinges on the receiver: ``app.run(debug=True)`` is Flask's dev server, ``uvicorn.run(app)`` or a
FastAPI/Django object's ``.run`` is not. We resolve the receiver through its binding to a constructor or
factory call; names we cannot resolve count as Flask only in modules that are visibly Flask code.
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Optional

from flask_preflight.static.python.model import ModuleModel, Scope
from flask_preflight.static.python.astutil import walk as walk_nodes

FLASK_CLASSES = {"flask.Flask", "flask.app.Flask", "flask.sansio.app.App", "apiflask.APIFlask", "connexion.FlaskApp",
                 "connexion.App",
                 "flask_openapi3.OpenAPI", "flask_restx.Api"}
# Objects whose .run is *not* Flask's development server.
NON_FLASK_PREFIXES = ("fastapi", "starlette", "django", "sanic", "aiohttp", "tornado", "quart", "bottle", "falcon",
                      "uvicorn", "hypercorn", "celery", "asyncio", "subprocess", "unittest", "pytest", "trio",
                      "streamlit", "dash", "gradio", "litestar", "pyramid", "cherrypy", "threading", "tkinter", "logging", "argparse",
                      "multiprocessing", "concurrent", "docker", "invoke", "fabric", "click", "typer", "luigi",
                      "prefect", "airflow", "ray")
SOCKETIO_CLASSES = {"flask_socketio.SocketIO"}
# `http.server` is not an app object (Python 3.9 has no sys.stdlib_module_names: the common offenders then)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) or frozenset({"http", "socketserver", "wsgiref", "xmlrpc"})
FACTORY_RE = re.compile(r"^(create|make|build|get|init|setup|new|bootstrap|configure)_?(flask_?)?app(lication)?$"
                        r"|^app_?factory$|^(flask_?)?app_?factory$", re.IGNORECASE)
APP_NAME_RE = re.compile(r"^(app|application|flask_app|flaskapp|webapp|web_app|server|api|wsgi_app|_app|my_app)$",
                         re.IGNORECASE)


def module_imports_flask(model: ModuleModel) -> bool:
    return any(t.split(".")[0] in ("flask", "werkzeug", "apiflask", "connexion") or t.split(".")[0].startswith("flask_")
               for t in model.imports.values())


def module_imports_non_flask_framework(model: ModuleModel) -> bool:
    return any(t.split(".")[0] in ("fastapi", "starlette", "django", "sanic", "aiohttp", "quart", "litestar", "bottle")
               for t in model.imports.values())


def _is_flask_constructor(model: ModuleModel, call: ast.Call, depth: int = 0) -> Optional[bool]:
    q = model.qualname(call.func)
    if q is None:
        if isinstance(call.func, ast.Call):  # create_app()() is rare; unknown
            return None
        return None
    if q in FLASK_CLASSES:
        return True
    simple = q.rsplit(".", 1)[-1]
    local = q if "." not in q else None
    if local and local in model.classes:
        # class MyApp(Flask): ...
        for base in model.classes[local].node.bases:
            bq = model.qualname(base)
            if bq in FLASK_CLASSES:
                return True
        return None
    if local and local in model.functions:
        fn = model.functions[local]
        for sub in walk_nodes(fn):
            if isinstance(sub, ast.Call) and model.qualname(sub.func) in FLASK_CLASSES:
                return True
        return True if FACTORY_RE.match(simple) else None
    if FACTORY_RE.match(simple):
        return True
    top = q.split(".")[0]
    if top in NON_FLASK_PREFIXES or simple in ("FastAPI", "Starlette", "Sanic", "Quart", "Celery", "Application"):
        return False
    if simple[:1].isupper() and "flask" not in simple.lower():
        return False  # some other class (a WSGI dispatcher, a Tk window); Flask subclasses are named *Flask*
    return None


def flask_app_status(model: ModuleModel, expr: ast.expr, scope: Scope, line: int, depth: int = 0) -> Optional[bool]:
    """True if ``expr`` is a Flask app, False if it is clearly something else, None if we cannot tell."""
    if depth > 8:
        return None
    if isinstance(expr, ast.Call):
        return _is_flask_constructor(model, expr, depth)
    if isinstance(expr, ast.Attribute):
        q = model.qualname(expr)
        if q in ("flask.current_app", "flask.globals.current_app"):
            return True
        if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls") and APP_NAME_RE.match(expr.attr):
            return None
        if q and q.split(".")[0] in NON_FLASK_PREFIXES:
            return False
        if isinstance(expr.value, ast.Name) and expr.value.id in model.imports and (
                APP_NAME_RE.match(expr.attr) or expr.attr.lower().endswith("_app")) and \
                model.imports[expr.value.id].split(".")[0] not in _STDLIB:
            return True  # `app = config.connex_app`: an app object another module creates, as with `from config import app`
        return None
    if not isinstance(expr, ast.Name):
        return None
    q = model.imports.get(expr.id)
    if q in ("flask.current_app",):
        return True
    binding, _ = model.lookup(expr.id, scope, line)
    if binding is None:
        return None
    if binding.kind == "assign" and binding.value is not None:
        value = binding.value
        if isinstance(value, ast.Call):
            return _is_flask_constructor(model, value, depth + 1)
        if isinstance(value, (ast.Name, ast.Attribute)):
            return flask_app_status(model, value, scope, binding.line, depth + 1)
        return None
    if binding.kind == "import" and binding.target:
        top = binding.target.split(".")[0]
        if top in NON_FLASK_PREFIXES:
            return False
        return True if APP_NAME_RE.match(binding.target.rsplit(".", 1)[-1]) else None
    if binding.kind == "param":
        return None
    return None


def is_flask_app(model: ModuleModel, expr: ast.expr, scope: Scope, line: int) -> bool:
    """Decide for rules: a Flask binding, or an app-like name (``app``, ``self.app``, ``flask_app``) in a module
    that imports Flask or imported that name. ``self``, a dict or a log handler is never enough."""
    status = flask_app_status(model, expr, scope, line)
    if status is not None:
        return status
    name = expr.id if isinstance(expr, ast.Name) else expr.attr if isinstance(expr, ast.Attribute) else ""
    if not (APP_NAME_RE.match(name) or name.lower().endswith("_app")):
        return False
    if isinstance(expr, ast.Name):
        binding, _ = model.lookup(expr.id, scope, line)
        if binding is not None and binding.kind == "import":
            return True
    return module_imports_flask(model) and not module_imports_non_flask_framework(model)


SOCKETIO_NAME_RE = re.compile(r"^(socketio|sio|socket_io|socketio_app)$", re.IGNORECASE)


def is_socketio(model: ModuleModel, expr: ast.expr, scope: Scope, line: int) -> bool:
    if not isinstance(expr, ast.Name):
        return False
    binding, _ = model.lookup(expr.id, scope, line)
    if binding is not None and binding.kind == "assign" and isinstance(binding.value, ast.Call):
        return model.qualname(binding.value.func) in SOCKETIO_CLASSES
    if binding is not None and binding.kind == "import" and binding.target:
        # `from extensions import socketio` is an instance; `import socketio` is the python-socketio package
        return isinstance(binding.node, ast.ImportFrom) and bool(SOCKETIO_NAME_RE.match(binding.target.rsplit(".", 1)[-1]))
    return False


DASH_CLASSES = {"dash.Dash", "dash.dash.Dash"}


def is_dash(model: ModuleModel, expr: ast.expr, scope: Scope, line: int) -> bool:
    """A Dash app object: ``Dash.run``/``run_server`` call ``self.server.run(host, port, debug=...)``, i.e.
    Flask's ``app.run`` on the Flask server Dash wraps, so they start Werkzeug's development server too.
    Only a name bound to the ``dash.Dash(...)`` constructor counts; other ``.run`` receivers in Dash code
    (a thread, a job) stay unknown."""
    if not isinstance(expr, ast.Name):
        return False
    binding, _ = model.lookup(expr.id, scope, line)
    return (binding is not None and binding.kind == "assign" and isinstance(binding.value, ast.Call)
            and model.qualname(binding.value.func) in DASH_CLASSES)


def config_receiver(model: ModuleModel, expr: ast.expr, scope: Scope, line: int) -> bool:
    """``<app>.config`` where <app> is (or may be) a Flask app; rejects things that are clearly not Flask."""
    if not (isinstance(expr, ast.Attribute) and expr.attr == "config"):
        return False
    return is_flask_app(model, expr.value, scope, line)
