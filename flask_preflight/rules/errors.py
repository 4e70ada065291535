"""Rule pack 3: error details leaked to clients and unprotected diagnostic routes (PF301, PF310)."""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import OWASP_A01, OWASP_A05, REGISTRY, Rule

_IMPL_301 = "flask_preflight/static/python/views/leaks.py"
_IMPL_310 = "flask_preflight/static/python/views/diagnostic.py"

PF301 = REGISTRY.register(Rule(
    id="PF301",
    name="exception-details-in-response",
    severity=Severity.MEDIUM,
    summary="A view or error handler sends exception details (message, args, traceback) back to the client.",
    rationale=(
        "Exception messages are written for developers: they carry SQL statements and bound parameters, file "
        "paths, hostnames, library versions, upstream URLs with their query strings, and sometimes the secret "
        "that failed to parse. Returning `str(e)`, `repr(e)`, `f\"{e}\"`, `e.args`, `e.message`, "
        "`traceback.format_exc()` or `sys.exc_info()` from a view - in a string, a `(body, 500)` tuple, a dict, "
        "`jsonify()`, `make_response()`, `Response()`, a rendered template or `abort(500, str(e))` - hands that "
        "to whoever triggered the error, and error paths are exactly what an attacker probes. The check follows "
        "simple assignments inside the view (`msg = str(e); return jsonify(error=msg)`); an assignment in a "
        "block that then always returns, raises or calls `abort()` does not reach code after that block. "
        "Every attribute of the exception counts too: `vars(e)`, `e.__dict__`, or the exception passed to a "
        "function that returns all of its argument's attributes (it reads `vars(obj)`/`obj.__dict__`, or "
        "encodes `obj` with a JSON encoder whose `default` returns `o.__dict__`), in the same module or, "
        "through the project index, imported from another; an exception handed to an imported function "
        "that does neither is not reported. The text may also come back from a project function: one "
        "(or a method of a class, called on a module-level instance) that catches a broad or database/"
        "HTTP-library exception and returns its text (`return {\"error\": str(error)}`, directly or "
        "through a variable), or returns `traceback.format_exc()`, instead of raising, whose result the view "
        "returns - the call itself, the "
        "local it was assigned to, or the key the text is returned under (`result[\"error\"]`, "
        "`result.get(\"error\")`); a use of the whole result in a view that tests for that key "
        "(`if \"error\" in result:`) is its success path and is not reported. "
        "Nor is a key read that follows an early exit on the result (`if res[\"rowcount\"] < 1: return ...` "
        "with no `else`, the result not reassigned in between) when every return of the function that "
        "carries the text sets a literal that exit leaves on (`return {\"rowcount\": -1, \"data\": f\"{e}\"}`). "
        "A Celery task's result read in a view (`.info`, `.result` or `.get()` of a handle from "
        "`AsyncResult(...)`, `.delay()` or `.apply_async()`) is what a project function returned too: "
        "`AsyncResult` fetches any task's result by id, so it is reported when a function of the project "
        "registered as a Celery task (`@celery.task`, `@shared_task`) returns such text; "
        "`AsyncResult(id).traceback` is the worker's traceback and is reported as high. "
        "Views are route "
        "functions, methods of `MethodView`/`View`/Flask-RESTful `Resource` classes, functions registered "
        "with `add_url_rule`/`register_error_handler` in the same module, and Flask-SocketIO event handlers "
        "(`@socketio.on(...)`); an `emit()`/`send()` to a Socket.IO client is a response too, and so is what a "
        "`before_request`/`before_app_request` hook of the module returns (Flask answers with it and skips the "
        "view). A top-level function that another production module hands to `add_url_rule` "
        "(`bp.add_url_rule('/x', 'x', views.x)`) is a view as well, judged in its own module and reported when "
        "the project index finds that registration. A decorator's wrapper (`def auth_required(...): def "
        "decorator(f): def inner(*a, **kw): ... return f(*a, **kw)`) is what Flask serves in place of each view "
        "the decorator is put on, so what the wrapper returns itself is a response; it is reported when some "
        "production module puts the decorator on a view (above the route function, or in a resource class's "
        "`method_decorators`/`decorators`). A generator whose call the view returns, or hands to `Response(...)` "
        "or `stream_with_context(...)`, is the response body: Werkzeug sends what it yields (a server-sent "
        "event carrying `str(e)` is reported at its `yield`), while what it returns is dropped, so a "
        "generator's `return` is not a function result a view could pass on. A function of the same module that an event handler calls by name, directly or through other "
        "such functions at most three calls deep, runs in the handler's event context, so its `emit()`/`send()` "
        "answers the same "
        "client and is judged like the handler's (what it returns goes back to the handler, not to the "
        "client). A top-level function that is no view but emits in a way that works outside an event "
        "handler - `socketio.emit(...)` on the `SocketIO` object, or `emit()`/`send()` with `broadcast=True`, "
        "`to=` or `room=` (a bare `emit()` needs the event's `request.sid` and fails in a plain request) - "
        "reaches those clients when a view runs it, so its emits are judged the same way when a view, handler "
        "or hook of the project calls it by a name its module binds or imports. "
        "A message passed to Flask's `flash()` reaches the client too: Flask keeps it in the session, "
        "which by default is a signed but not encrypted cookie sent with the response, and the next page that "
        "calls `get_flashed_messages()` shows it; it is judged like a returned message (a validation message "
        "of the caller's own input is a notice, as with a 4xx answer). Errors meant for "
        "clients are not reported: handlers for HTTP errors (`errorhandler(404)`, `HTTPException`, whose "
        "`description` is public by design); exceptions whose class says so (`ValidationError`, `BadRequest`, "
        "`NotFound`, ...); the project's own exception classes whose message is fixed text - the class's "
        "`__init__` or `__str__` supplies a literal, or every `raise` of it and of its project subclasses "
        "passes a string literal or a sentence the project wrote around values no caught exception gave "
        "(`f\"Missing field {name}\"`, `\"Limit is {}\".format(n)`; names are judged across the module, and "
        "a parameter's value is not followed into callers), or the class's `__init__` writes the sentence "
        "around its parameters (`super().__init__(f\"User with {field} '{value}' already exists\")`) and no "
        "`raise` of it passes a caught exception's text. One `raise MyError(str(e))`, "
        "`raise MyError(f\"failed: {e}\")` (directly or through a variable assigned from the exception), "
        "`raise MyError(msg)` of a bare variable or `f\"{x}\"` anywhere keeps the finding, and so does a "
        "class the project does not define; the caught class may be imported inside the view. A conversion error "
        "(`ValueError`, `TypeError`, `json.JSONDecodeError`, `re.error`, ...) caught around code that only handles the "
        "caller's own request data (`int(request.args[\"n\"])`) and answered with a 4xx status is not "
        "reported either: it describes that input (with a 5xx or 200 status it is reported). Nor is one "
        "caught around calls of the project's own functions (each named as a module-level function, "
        "imported or defined in the module; the other calls only read the request or announce success "
        "with `flash()`, `redirect()`, `url_for()` and a written message) that raise the caught class "
        "themselves, every such `raise` with a message they wrote and none re-raising a caught "
        "exception (`raise ValueError(\"Invalid email or password\")`), when it is answered with a 4xx "
        "status or flashed: the message is that function's answer to the user. Library calls inside those "
        "functions are not followed, and a function that never raises the class itself keeps the finding; "
        "a module is read for this only when it also works with a database (a session, query, cursor, "
        "`commit` or `execute`), since plain helpers raising `ValueError` are everywhere. "
        "Views on a blueprint that no module of the project imports are not reported when the scan also "
        "holds the module that builds the application (`Flask(...)`): a blueprint serves requests only "
        "once it is registered, which needs its module imported. The module counts as imported when any "
        "non-test module imports it (or a submodule) or names it in a string (`importlib.import_module`, "
        "`import_string`, a package's `__all__`), and it is never treated as unused when it builds an "
        "application, registers a blueprint, has a `__main__` block, or puts a route on an object other "
        "than a `Blueprint` it creates (a WSGI server may load it). "
        "Nor is any view of a module whose import cannot succeed: a decorator on a `def` or `class` "
        "directly in the module body is evaluated when the module runs, so `@bp.route(...)` with `bp` "
        "bound nowhere in the file (no assignment, import, `def`, `class` or `global` store, no "
        "`from x import *`, no `globals()`/`exec` that could bind it) raises `NameError` and registers "
        "nothing, as in an archived copy of old routes. "
        "In an "
        "`errorhandler(500)`/`InternalServerError` handler `str(e)` is Werkzeug's generic text; the "
        "leak there is `e.original_exception`. A full traceback, and anything in an `errorhandler(Exception)` "
        "or 500 catch-all (which sees every unhandled error), is reported as high; inside `if app.debug:` it is low. "
        "A route that only administrators reach - a decorator naming an administrator role "
        "(`@admin_required`, `@roles_required(\"admin\")`, `@permission_required(Permission.ADMIN)`) or an "
        "`if not current_user.is_admin: abort(403)` at the top of its body - is reported as low: the text "
        "goes to the operator who configures what failed (a \"send a test e-mail\" page); a route any "
        "signed-in user, or another role, reaches keeps its severity. "
        "A value passed to `render_template(\"name.html\", key=...)` reaches the client only if the template "
        "shows it, so such a finding is withdrawn when every file of that name in a `templates` folder next "
        "to a module of the project (where Flask looks for an application's or a blueprint's templates), and "
        "every template those extend, include or import by a literal name, was found and never contains the "
        "key as a word; a template not found, a reference through a variable, `{% debug %}` (which prints the "
        "whole context), or a project module importing Jinja's "
        "`pass_context`/`contextfunction`/`contextfilter` (Python code that reads the context by key) keeps "
        "it. A literal `render_template_string` source is read the same way. "
        "Logging the exception is the right thing to do and is never reported."
    ),
    bad='''
@app.route("/orders", methods=["POST"])
def create_order():
    try:
        order = Order.create(request.get_json())
    except Exception as e:
        return jsonify(error=str(e)), 500

@app.errorhandler(Exception)
def handle_error(e):
    return traceback.format_exc(), 500
''',
    good='''
@app.route("/orders", methods=["POST"])
def create_order():
    try:
        order = Order.create(request.get_json())
    except Exception:
        current_app.logger.exception("order creation failed")
        return jsonify(error="internal error"), 500
''',
    fix_hint="Log the exception server-side (`app.logger.exception(...)`) and return a generic message, "
             "optionally with an error id the user can quote.",
    cwe=(209, 497),
    owasp=(OWASP_A05,),
    modes=frozenset({"check", "inspect"}),
    implemented_in=_IMPL_301,
))

PF310 = REGISTRY.register(Rule(
    id="PF310",
    name="unprotected-diagnostic-route",
    severity=Severity.HIGH,
    summary="A route exposes internals (environment, config, versions) or evaluates request data, "
            "with no authentication check.",
    rationale=(
        "Diagnostic endpoints are written for one developer on one afternoon and then ship. A route that "
        "returns `os.environ`, `app.config`/`current_app.config` or `request.environ` hands out the secret key, "
        "database URL and API tokens; one that passes request data to `eval`/`exec`/`compile`, `subprocess`, "
        "`os.system`/`os.popen`, `pickle.loads`, `marshal.loads` or `yaml.load` without a safe loader is "
        "remote code execution (critical). `sys.version`, `sys.path`, `platform.*` and stack dumps only "
        "fingerprint the server and are reported as medium. A route whose URL looks diagnostic (`/debug`, "
        "`/console`, `/env`, `/environ`, `/config`, `/shell`, `/_internal`, `/__debug__`, `/phpinfo`, `/exec`, "
        "`/eval`; matched per path segment, so `/debug/env` matches and `/debug-sentry` does not) is reported "
        "as medium only when it also returns something computed: a `/config` route returning "
        "`{\"version\": VERSION}` or rendering a fixed template is left alone, to keep the path heuristic "
        "quiet; so is one that only echoes the caller's own request (`dict(request.headers)`, "
        "`request.remote_addr`, a `get_ip()` helper). Only whole objects count: a single key "
        "(`app.config[\"VERSION\"]`, `os.environ.get(...)`, any attribute of a `.config` but "
        "`items()`/`values()`/`keys()`/`copy()`, since Flask's config is a dict), a `get_namespace()` slice or an "
        "allowlist comprehension (`... for k, v in config.items() if k in SAFE`) is not an exposure, and a loop "
        "variable (`for app in apps`, `[s.config for s in servers]`) is not the Flask app whatever its name. The "
        "object must reach the response itself: handed to a helper (`search(current_app.config, query)`, "
        "`GPGImport(current_app.config)`) it yields whatever the helper computes, unless the helper is a "
        "pass-through (`jsonify`, `dict`, `json.dumps`, ...) or a one-argument call that is itself the "
        "response (`return send_result(current_app.config)`). Values handed to `render_template` count only "
        "on a diagnostic-looking route, since the template decides what it shows. A route is guarded - and not reported - when it has an auth-looking decorator (`login_required`, "
        "`roles_required`, `jwt_required`, `auth.login_required`, anything named like "
        "login/auth/admin/role/permission/token/jwt), a decorator of the same module that aborts with "
        "401/403 or checks `current_user`, an auth check at the top of its body (`if not "
        "current_user.is_admin: abort(403)`), or a `before_request` hook that does, registered on its "
        "blueprint in any module of the project (the blueprint is followed through imports and package "
        "re-exports), or app-wide (`app.before_request`, `before_app_request`) in any module of the route's "
        "top-level package or of a directory at or above the route's. Routes registered only under `if app.debug:` are still reported (debug gets "
        "switched on in production more often than anyone plans), as medium unless they run request data. "
        "Exception tracebacks returned from error paths are PF301's business."
    ),
    bad='''
@app.route("/debug/env")
def show_env():
    return jsonify(dict(os.environ))

@app.route("/admin/eval", methods=["POST"])
def run_code():
    return str(eval(request.form["code"]))
''',
    good='''
@app.route("/health")
def health():
    return {"status": "ok"}

@admin_bp.route("/config")
@roles_required("admin")
def show_config():
    return jsonify({k: v for k, v in current_app.config.items() if k in PUBLIC_KEYS})
''',
    fix_hint="Delete the route, or put it behind an authentication/authorization check and return only an "
             "allowlist of non-secret values; never evaluate request data.",
    cwe=(489, 200, 306, 94),
    owasp=(OWASP_A01, OWASP_A05),
    modes=frozenset({"check", "inspect"}),
    implemented_in=_IMPL_310,
))
