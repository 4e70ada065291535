"""PF301 exception-details-in-response: exception text and tracebacks that views send back to clients."""

HEAD = """\
import sys
import traceback
from flask import Flask, jsonify, make_response, Response, render_template, abort, current_app, request
app = Flask(__name__)
"""  # 4 lines: the first view decorator below is line 5


def test_every_spelling_of_the_exception_text_in_a_return(scan):
    src = HEAD + """
@app.route("/a")
def a():
    try:
        work()
    except Exception as e:
        return jsonify(error=str(e)), 500

@app.route("/b")
def b():
    try:
        work()
    except Exception as e:
        return repr(e)

@app.route("/c")
def c():
    try:
        work()
    except Exception as exc:
        return f"failed: {exc}", 500

@app.route("/d")
def d():
    try:
        work()
    except Exception as e:
        return "failed: " + str(e), 500

@app.route("/e")
def e_():
    try:
        work()
    except Exception as e:
        return "failed: %s" % e, 500

@app.route("/f")
def f():
    try:
        work()
    except Exception as e:
        return {"error": e.args}, 500

@app.route("/g")
def g():
    try:
        work()
    except Exception as e:
        return {"error": e.message}, 500

@app.route("/h")
def h():
    try:
        work()
    except Exception as e:
        return "failed: {}".format(e), 500
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 11, 9, "medium"),
        ("PF301", "app.py", 18, 9, "medium"),
        ("PF301", "app.py", 25, 9, "medium"),
        ("PF301", "app.py", 32, 9, "medium"),
        ("PF301", "app.py", 39, 9, "medium"),
        ("PF301", "app.py", 46, 9, "medium"),
        ("PF301", "app.py", 53, 9, "medium"),
        ("PF301", "app.py", 60, 9, "medium"),
    ]
    assert scan.severity("PF301", 11) == "medium"
    message = scan.message("PF301", 11)
    assert "View `a`" in message and "`str(e)`" in message and "`except Exception as e` (line 10)" in message


def test_response_shapes(scan):
    src = HEAD + """
@app.post("/a")
def a():
    try:
        work()
    except Exception as e:
        return make_response(jsonify(detail=str(e)), 500)

@app.put("/b")
def b():
    try:
        work()
    except Exception as e:
        return Response(str(e), status=500)

@app.route("/c")
def c():
    try:
        work()
    except Exception as e:
        return render_template("error.html", error=str(e)), 500

@app.route("/d")
def d():
    try:
        work()
    except Exception as e:
        return render_template("error.html", error=e), 500

@app.route("/e")
def e_():
    try:
        work()
    except Exception as e:
        abort(500, str(e))

@app.route("/f")
def f():
    try:
        work()
    except Exception as e:
        abort(500, description=f"{e}")

@app.route("/g")
def g():
    from werkzeug.exceptions import InternalServerError
    try:
        work()
    except Exception as e:
        raise InternalServerError(description=str(e))
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 11, 9, "medium"),
        ("PF301", "app.py", 18, 9, "medium"),
        ("PF301", "app.py", 25, 9, "medium"),
        ("PF301", "app.py", 32, 9, "medium"),
        ("PF301", "app.py", 39, 9, "medium"),
        ("PF301", "app.py", 46, 9, "medium"),
        ("PF301", "app.py", 54, 9, "medium"),
    ]
    assert "abort()" in scan.message("PF301", 39)


def test_tracebacks_are_high(scan):
    src = HEAD + """
import io

@app.route("/a")
def a():
    try:
        work()
    except Exception:
        return traceback.format_exc(), 500

@app.route("/b")
def b():
    try:
        work()
    except Exception as e:
        return jsonify(trace=traceback.format_exception(type(e), e, e.__traceback__)), 500

@app.route("/c")
def c():
    try:
        work()
    except Exception:
        return jsonify(info=str(sys.exc_info())), 500

@app.route("/d")
def d():
    try:
        work()
    except Exception:
        buf = io.StringIO()
        traceback.print_exc(file=buf)
        return buf.getvalue(), 500
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 13, 9, "high"),
        ("PF301", "app.py", 20, 9, "high"),
        ("PF301", "app.py", 27, 9, "high"),
        ("PF301", "app.py", 36, 9, "high"),
    ]
    for line in (13, 20, 27, 36):
        assert scan.severity("PF301", line) == "high"
    assert "traceback" in scan.message("PF301", 13)


def test_local_assignments_are_followed(scan):
    src = HEAD + """
@app.route("/a")
def a():
    try:
        work()
    except Exception as e:
        msg = str(e)
        current_app.logger.error(msg)
        return jsonify(error=msg)

@app.route("/b")
def b():
    try:
        work()
    except Exception as e:
        err = {"error": str(e)}
        return jsonify(err), 500

@app.route("/c")
def c():
    result = {"ok": False}
    try:
        work()
    except Exception as e:
        result["detail"] = repr(e)
    return jsonify(result)

@app.route("/d")
def d():
    error = None
    try:
        work()
    except Exception as e:
        error = e
    if error is not None:
        return {"error": str(error)}, 500
    return {"ok": True}
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 13, 9, "medium"),
        ("PF301", "app.py", 21, 9, "medium"),
        ("PF301", "app.py", 30, 5, "medium"),
        ("PF301", "app.py", 40, 9, "medium"),
    ]
    assert "through `msg` (line 11)" in scan.message("PF301", 13)


def test_catch_all_error_handlers_are_high(scan):
    src = HEAD + """
from werkzeug.exceptions import InternalServerError

@app.errorhandler(Exception)
def handle_any(e):
    return jsonify(error=str(e)), 500

@app.errorhandler(500)
def handle_500(e):
    return jsonify(error=str(e), cause=str(e.original_exception)), 500

@app.errorhandler(InternalServerError)
def handle_ise(err):
    original = err.original_exception
    return f"internal error: {original}", 500

def handle_key_error(e):
    return jsonify(missing=str(e)), 400

app.register_error_handler(KeyError, handle_key_error)
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 10, 5, "high"),
        ("PF301", "app.py", 14, 5, "high"),
        ("PF301", "app.py", 19, 5, "high"),
        ("PF301", "app.py", 22, 5, "medium"),
    ]
    assert scan.severity("PF301", 10) == "high"
    assert scan.severity("PF301", 14) == "high"
    assert scan.severity("PF301", 19) == "high"
    assert scan.severity("PF301", 22) == "medium"
    assert "Error handler `handle_any` (for Exception)" in scan.message("PF301", 10)
    assert "500 error" in scan.message("PF301", 14)


def test_blueprints_class_based_views_and_add_url_rule(scan):
    src = HEAD + """
from flask import Blueprint
from flask.views import MethodView
from flask_restful import Resource, Api

bp = Blueprint("api", __name__)

@bp.app_errorhandler(Exception)
def on_error(e):
    return {"error": repr(e)}, 500

class ItemAPI(MethodView):
    def get(self, item_id):
        try:
            return load(item_id)
        except LookupError as e:
            return jsonify(error=str(e)), 404

class Todo(Resource):
    def post(self):
        try:
            create()
        except Exception as e:
            return {"message": str(e)}, 500

def legacy():
    try:
        work()
    except Exception as e:
        return str(e), 500

app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))
app.add_url_rule("/legacy", "legacy", legacy)
Api(app).add_resource(Todo, "/todos")
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 14, 5, "high"),
        ("PF301", "app.py", 21, 13, "medium"),
        ("PF301", "app.py", 28, 13, "medium"),
        ("PF301", "app.py", 34, 9, "medium"),
    ]
    assert "View `ItemAPI.get`" in scan.message("PF301", 21)


def test_restful_default_error_handlers(scan):
    src = """
        from flask import Flask
        from flask_restful import Api
        from flask_restx import Api as RestxApi

        class JsonApi(Api):
            def handle_error(self, e):
                return {"message": str(e)}, 500

        app = Flask(__name__)
        restx = RestxApi(app)

        @restx.errorhandler
        def default_error_handler(error):
            return {"message": f"Unhandled: {error}"}, 500
        """
    assert scan({"api.py": src}) == [("PF301", "api.py", 7, 9, "high"), ("PF301", "api.py", 14, 5, "high")]
    assert scan.severity("PF301", 7) == "high"
    assert "`JsonApi.handle_error` (for every exception)" in scan.message("PF301", 7)


def test_routes_defined_in_an_app_factory(scan):
    src = """
        from flask import Flask, jsonify

        def create_app():
            app = Flask(__name__)

            @app.route("/x")
            def x():
                try:
                    work()
                except Exception as e:
                    return jsonify(error=str(e)), 500

            return app
        """
    assert scan({"factory.py": src}) == [("PF301", "factory.py", 11, 13, "medium")]


def test_debug_only_branch_is_low_and_test_code_is_low(scan):
    src = HEAD + """
@app.route("/a")
def a():
    try:
        work()
    except Exception:
        if app.debug:
            return traceback.format_exc(), 500
        return "internal error", 500
"""
    src += """
@app.route("/b")
def b():
    try:
        work()
    except Exception as e:
        return jsonify(error="internal", detail=str(e) if current_app.debug else None), 500
"""
    files = {"app.py": src, "tests/test_views.py": src}
    assert scan(files) == [
        ("PF301", "app.py", 12, 13, "low"),
        ("PF301", "app.py", 20, 9, "low"),
        ("PF301", "tests/test_views.py", 12, 13, "low"),
        ("PF301", "tests/test_views.py", 20, 9, "low"),
    ]
    assert {f.severity.value for f in scan.findings} == {"low"}
    in_app = {f.line: f.message for f in scan.findings if f.path.endswith("app.py")}
    assert "only happens when `app.debug`" in in_app[12]
    assert "only happens when `current_app.debug`" in in_app[20]


# ---- negatives ----------------------------------------------------------------------------------

def test_logging_the_exception_and_returning_a_generic_message(scan):
    src = HEAD + """
import logging
log = logging.getLogger(__name__)

@app.route("/a")
def a():
    try:
        work()
    except Exception as e:
        app.logger.exception(e)
        log.error(str(e))
        current_app.logger.error("failed: %s", e)
        tb = traceback.format_exc()
        log.error(tb)
        return jsonify(error="internal error"), 500

@app.route("/b")
def b():
    try:
        work()
    except Exception as e:
        msg = str(e)
        log.warning(msg)
        msg = "Something went wrong"
        return jsonify(error=msg), 500

@app.route("/c")
def c():
    try:
        work()
    except Exception as e:
        app.logger.error("failed: " + str(e))
        app.last_error = repr(e)
    return jsonify(name=app.name, version=app.config["VERSION"])
"""
    assert scan({"app.py": src}) == []


def test_http_errors_and_validation_errors_are_meant_for_clients(scan):
    src = HEAD + """
from werkzeug.exceptions import HTTPException, NotFound, BadRequest
from marshmallow import ValidationError

@app.errorhandler(404)
def not_found(e):
    return jsonify(error=str(e)), 404

@app.errorhandler(HTTPException)
def http_error(e):
    return jsonify(code=e.code, name=e.name, description=e.description), e.code

@app.errorhandler(NotFound)
def nf(e):
    return str(e), 404

@app.errorhandler(500)
def internal(e):
    return jsonify(error=str(e)), 500

@app.errorhandler(ValidationError)
def invalid(e):
    return jsonify(errors=e.messages), 400

@app.route("/a", methods=["POST"])
def a():
    try:
        data = schema.load(request.get_json())
    except ValidationError as e:
        return jsonify(errors=e.messages, message=str(e)), 400
    except BadRequest as e:
        return jsonify(error=e.description), 400
    return jsonify(data)

@app.errorhandler(Exception)
def catch_all(e):
    if isinstance(e, HTTPException):
        return jsonify(error=str(e)), e.code
    return jsonify(error="internal error"), 500
"""
    assert scan({"app.py": src}) == []


def test_project_exception_handlers_and_helpers_are_out_of_scope(scan):
    src = HEAD + """
class APIError(Exception):
    status_code = 400

class PaymentDeclined(Exception):
    pass

@app.errorhandler(APIError)
def api_error(e):
    return jsonify(error=str(e)), e.status_code

@app.errorhandler(PaymentDeclined)
def declined(e):
    return jsonify(error=str(e)), 402

def describe(e):
    return str(e)

def not_a_view():
    try:
        work()
    except Exception as e:
        return jsonify(error=str(e))

@app.route("/a")
def a():
    try:
        work()
    except Exception as e:
        return jsonify(error=type(e).__name__), 500
"""
    assert scan({"app.py": src}) == []


def test_non_flask_frameworks_are_ignored(scan):
    src = """
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/a")
        def a():
            try:
                work()
            except Exception as e:
                return {"error": str(e)}
        """
    assert scan({"api.py": src}) == []


def test_handlers_for_library_errors_are_medium(scan):
    src = HEAD + """
from sqlalchemy.exc import SQLAlchemyError
import requests

@app.errorhandler(SQLAlchemyError)
def db_error(e):
    return jsonify(error="database error", detail=str(e.orig)), 500

@app.errorhandler(requests.RequestException)
def upstream(e):
    return jsonify(error=f"upstream failed: {e}"), 502
"""
    assert scan({"app.py": src}) == [("PF301", "app.py", 11, 5, "medium"), ("PF301", "app.py", 15, 5, "medium")]
    assert scan.severity("PF301", 11) == "medium"
    assert "(for SQLAlchemyError)" in scan.message("PF301", 11)


def test_suppression_on_the_return_line(scan):
    src = HEAD + """
@app.route("/a")
def a():
    try:
        work()
    except Exception as e:
        return jsonify(error=str(e)), 500  # preflight: ignore[PF301]
"""
    assert scan({"app.py": src}) == []


# ---- issue 14: validation messages and Socket.IO --------------------------------------------------------------

def exact(scan, rule="PF301"):
    """(rule, path, line, column, severity) of every finding of ``rule``."""
    from pathlib import Path
    return sorted((f.rule_id, Path(f.path).relative_to(scan.root).as_posix(), f.line, f.location.column,
                   f.severity.value) for f in scan.findings if f.rule_id == rule)


def test_conversion_error_of_the_callers_own_input_answered_4xx_is_validation(scan):
    src = HEAD + """
import json
from store import upload, save

@app.route("/n")
def n():
    try:
        value = int(request.args["n"])
    except ValueError as e:
        return jsonify(error=str(e)), 400
    return jsonify(value=value)

@app.route("/doc", methods=["POST"])
def doc():
    try:
        body = json.loads(request.get_data())
    except (ValueError, json.JSONDecodeError) as e:
        abort(400, str(e))
    return jsonify(body)

@app.route("/upload", methods=["POST"])
def upload_view():
    files = request.files.getlist("file")
    form = {k: v for k, v in request.form.items()}
    for f in files:
        try:
            upload(file=f, **form)
        except ValueError as e:
            return {"errors": [str(e)]}, 400
    return "ok"

@app.route("/n500")
def n500():
    try:
        value = int(request.args["n"])
    except ValueError as e:
        return jsonify(error=str(e)), 500
    return jsonify(value=value)

@app.route("/n200")
def n200():
    try:
        value = int(request.args["n"])
    except ValueError as e:
        return jsonify(error=str(e))
    return jsonify(value=value)

@app.route("/save", methods=["POST"])
def save_view():
    try:
        save(request.form["x"])
        save.commit()
    except ValueError as e:
        return {"errors": [str(e)]}, 400
    return "ok"

@app.route("/any", methods=["POST"])
def any_error():
    try:
        value = int(request.args["n"])
    except Exception as e:
        return {"errors": [str(e)]}, 400
    return "ok"
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 41, 9, "medium"),
        ("PF301", "app.py", 49, 9, "medium"),
        ("PF301", "app.py", 58, 9, "medium"),
        ("PF301", "app.py", 66, 9, "medium"),
    ]
    # 5xx or 200 answers, a try body that also commits (a database behind the error), and a catch-all are leaks
    assert exact(scan) == [("PF301", "app.py", n, 9, "medium") for n in (41, 49, 58, 66)]


def test_socketio_emit_of_an_exception_is_a_response(scan):
    src = HEAD + """
from flask_socketio import SocketIO, emit, send
from store import save
socketio = SocketIO(app)

@socketio.on("judge")
def judge(data):
    try:
        save(data)
    except Exception as e:
        emit("error", {"message": f"Failed to judge round: {str(e)}"}, room=data["room"])

@socketio.on("chat")
def chat(data):
    try:
        save(data)
    except Exception as e:
        socketio.emit("error", {"message": repr(e)})

@socketio.on("quiet")
def quiet(data):
    try:
        save(data)
    except Exception as e:
        app.logger.exception("save failed")
        emit("error", {"message": "could not save"})
        send("failed")
"""
    assert scan({"app.py": src}) == [("PF301", "app.py", 15, 9, "medium"), ("PF301", "app.py", 22, 9, "medium")]
    assert exact(scan) == [("PF301", "app.py", 15, 9, "medium"), ("PF301", "app.py", 22, 9, "medium")]
    assert "Socket.IO handler `judge`" in scan.message("PF301", 15)
    assert "emitted to the Socket.IO client" in scan.message("PF301", 15)


PROJECT_ERRORS = {
    "pkg/__init__.py": "",
    "pkg/errors.py": """
class AppError(Exception):
    pass

class PostError(AppError):
    pass

class Detached(Exception):
    def __init__(self, query_id):
        self.query_id = query_id
        super().__init__("This query is detached from any data source.")

class Wrapped(Exception):
    pass

class Templated(Exception):
    pass

class Composed(Exception):
    pass

class Described(Exception):
    def __str__(self):
        return f"failed: {self.args}"
""",
    "pkg/service.py": """
from pkg.errors import PostError, Wrapped, Templated, Detached, Composed

def create(x):
    if not x:
        raise PostError("Post cannot be created")
    if x == 2:
        raise Detached(x)
    if x == 3:
        raise Composed(f"Change too large ({len(x):,} chars, limit {LIMIT:,})")
    if x == 4:
        raise Composed("Missing '{}' for function {}".format(x, x.function))
    try:
        return int(x)
    except ValueError as err:
        reason = str(err)
        raise Templated(f"Could not read the value: {reason}")
    except Exception as e:
        raise Wrapped(str(e))

def check(x):
    raise Templated(f"{x}")
""",
}


def test_project_exception_with_a_fixed_message_is_meant_for_the_client(scan):
    views = """
from flask import Flask, jsonify, abort
from sqlalchemy.exc import IntegrityError
from pkg.errors import AppError, Detached, Wrapped, Templated, Described
from pkg.service import create
app = Flask(__name__)

@app.route("/a", methods=["POST"])
def a():
    try:
        create(1)
    except AppError as e:
        abort(400, str(e))

@app.route("/b")
def b():
    try:
        create(2)
    except Detached as e:
        return jsonify(message=str(e)), 400

@app.route("/c")
def c():
    try:
        create(3)
    except Wrapped as e:
        return jsonify(message=str(e)), 400

@app.route("/d")
def d():
    try:
        create(3)
    except (Templated, Detached) as e:
        return jsonify(message=str(e)), 400

@app.route("/e")
def e():
    try:
        create(3)
    except Described as err:
        return jsonify(message=str(err)), 400

@app.route("/f")
def f():
    try:
        create(3)
    except IntegrityError as err:
        return jsonify(message=str(err)), 400

@app.route("/g")
def g():
    try:
        create(3)
    except Composed as err:
        return jsonify(message=str(err)), 400

@app.route("/h")
def h():
    from pkg.errors import Composed as Local
    try:
        create(3)
    except Local as err:
        return jsonify(message=str(err)), 400

@app.route("/i")
def i():
    from .errors import Wrapped as Local
    try:
        create(3)
    except Local as err:
        return jsonify(message=str(err)), 400
"""
    assert scan({**PROJECT_ERRORS, "pkg/views.py": views.replace("Described\n", "Described, Composed\n")}) == [
        ("PF301", "pkg/views.py", 26, 9, "medium"),
        ("PF301", "pkg/views.py", 33, 9, "medium"),
        ("PF301", "pkg/views.py", 40, 9, "medium"),
        ("PF301", "pkg/views.py", 47, 9, "medium"),
        ("PF301", "pkg/views.py", 70, 9, "medium"),
    ]
    # Wrapped carries str(e) of anything, Templated interpolates a caught exception's text (through a
    # variable) or nothing but a value, Described builds its text, and a library's exception says what the
    # library says. Composed is always a sentence the project wrote around its own values (sizes, field
    # names): meant for the client.
    # (a class imported inside the view is named the same way: /h is Composed, /i is Wrapped)
    assert exact(scan) == [("PF301", "pkg/views.py", n, 9, "medium") for n in (26, 33, 40, 47, 70)]


def test_a_written_message_is_a_sentence_around_values_no_exception_gave():
    import ast

    from flask_preflight.static.python.views.facts import exception_names, written_message

    src = """
try:
    pass
except ValueError as err:
    detail = "bad: " + str(err)
    first = detail.splitlines()[0]
a = f"Missing '{attr}' for {challenge.function}"
b = "Limit is {} ({:,} chars)".format(n, len(text))
c = "Only %d left" % count
d = _("Budget of %(n)s reached", n=n)
e = f"Could not read: {first}"
f = f"{attr}"
g = "Failed: {}".format(err.args)
h = f"Failed: {traceback.format_exc()}"
i = message
"""
    tree = ast.parse(src)
    tainted = exception_names(tree)
    values = {t.targets[0].id: t.value for t in tree.body if isinstance(t, ast.Assign)}
    assert {k: written_message(v, tainted) for k, v in values.items()} == {
        "a": True, "b": True, "c": True, "d": True, "e": False, "f": False, "g": False, "h": False, "i": False}


def test_a_subclass_raised_with_a_computed_message_is_caught_by_its_base(scan):
    files = {
        "pkg/__init__.py": "",
        "pkg/errors.py": """
class AppError(Exception):
    pass

class DbError(AppError):
    pass
""",
        "pkg/service.py": """
from pkg.errors import AppError, DbError

def create(x, db):
    if not x:
        raise AppError("nothing to create")
    try:
        db.save(x)
    except Exception as exc:
        raise DbError(exc)
""",
        "pkg/views.py": """
from flask import Flask, abort
from pkg.errors import AppError
from pkg.service import create
app = Flask(__name__)

@app.route("/a", methods=["POST"])
def a():
    try:
        create(1, None)
    except AppError as e:
        abort(400, str(e))
""",
    }
    assert scan(files) == [("PF301", "pkg/views.py", 11, 9, "medium")]
    assert exact(scan) == [("PF301", "pkg/views.py", 11, 9, "medium")]


def test_raise_sites_in_tests_do_not_decide_what_production_raises(scan):
    files = {
        "pkg/__init__.py": "",
        "pkg/errors.py": """
class AppError(Exception):
    pass
""",
        "pkg/service.py": """
from pkg.errors import AppError

def create(x):
    if not x:
        raise AppError("nothing to create")
""",
        "tests/test_service.py": """
from pkg.errors import AppError

def test_message(tmp_path):
    err = AppError(str(tmp_path))
    raise AppError(str(err))
""",
        "pkg/views.py": """
from flask import Flask, abort
from pkg.errors import AppError
from pkg.service import create
app = Flask(__name__)

@app.route("/a", methods=["POST"])
def a():
    try:
        create(1)
    except AppError as e:
        abort(400, str(e))
""",
    }
    assert scan(files) == []
    assert exact(scan) == []


def test_text_stored_in_a_handler_that_returns_does_not_reach_the_success_path(scan):
    """The error branch stores the exception text on an object and answers with it; the success response
    after the ``try`` returns the same object, but the branch that filled it always left the function.
    Without the ``return`` in the handler the stored text does reach the later response."""
    src = HEAD + """
@app.post("/rollover")
def rollover():
    job = Job()
    try:
        key = parse(request.json)
    except (KeyError, ValueError) as error:
        job.error = "PowerDNS returned no usable key: {}".format(error)
        save(job)
        return jsonify(msg=job.error), 502
    job.key = key
    return jsonify(msg="staged", job=job.to_dict()), 201

@app.post("/retry")
def retry():
    job = Job()
    try:
        key = parse(request.json)
    except (KeyError, ValueError) as error:
        job.error = "PowerDNS returned no usable key: {}".format(error)
        abort(502)
    return jsonify(msg="staged", job=job.to_dict()), 201

@app.post("/keep")
def keep():
    job = Job()
    try:
        job.key = parse(request.json)
    except (KeyError, ValueError) as error:
        job.error = "PowerDNS returned no usable key: {}".format(error)
    return jsonify(msg="done", job=job.to_dict()), 200
"""
    assert scan({"app.py": src}) == [("PF301", "app.py", 14, 9, "medium"), ("PF301", "app.py", 35, 5, "medium")]
    assert exact(scan) == [("PF301", "app.py", 14, 9, "medium"), ("PF301", "app.py", 35, 5, "medium")]


def test_a_before_request_hook_that_returns_is_the_response(scan):
    """A ``before_request`` hook that returns a value answers the request instead of the view, so exception
    text it returns reaches the client; a hook that only logs, or answers with a fixed text, does not leak."""
    src = HEAD + """
from flask import Blueprint, redirect
bp = Blueprint("short", __name__)

@app.before_request
def resolve_short_url():
    try:
        return redirect(lookup(request.path))
    except Exception as err:
        response = "Unknown error: {}".format(err)
        app.logger.error(response)
        return response

@bp.before_app_request
def track():
    try:
        record(request.path)
    except Exception as err:
        app.logger.exception(err)

def check_quota():
    try:
        consume(request.remote_addr)
    except Exception as err:
        app.logger.warning("quota: %s", err)
        return "Too many requests", 429

app.before_request(check_quota)

def maintenance():
    try:
        check_maintenance()
    except Exception as err:
        return jsonify(error=str(err)), 503

app.before_request(maintenance)
"""
    assert scan({"app.py": src}) == [("PF301", "app.py", 16, 9, "medium"), ("PF301", "app.py", 38, 9, "medium")]
    assert exact(scan) == [("PF301", "app.py", 16, 9, "medium"), ("PF301", "app.py", 38, 9, "medium")]
    assert "before_request hook `resolve_short_url`" in scan.message("PF301", 16)


def test_an_exception_serialized_attribute_by_attribute(scan):
    """``vars(e)`` and ``e.__dict__`` put every attribute a library set on the exception (a SQLAlchemy error's
    statement and parameters) in the response; so does a helper of another module that encodes its argument
    with an encoder returning ``o.__dict__``. The tricky negatives: a helper of another module that only reads
    the exception's class name, and the same serializer applied to the request's own data."""
    helpers = """\
import json
from json import JSONEncoder

class ObjEncoder(JSONEncoder):
    def default(self, o):
        return o.__dict__

def object_to_json(obj):
    return json.loads(ObjEncoder().encode(obj))

def error_name(err):
    return type(err).__name__
"""
    src = HEAD + """
from sqlalchemy.exc import OperationalError, IntegrityError, DataError
from helpers import object_to_json, error_name

@app.errorhandler(OperationalError)
def db_down(e):
    return jsonify(errors=[object_to_json(e)]), 503

@app.errorhandler(IntegrityError)
def conflict(e):
    return jsonify(error=error_name(e)), 409

@app.errorhandler(DataError)
def bad_data(e):
    return jsonify(detail=vars(e)), 500

@app.errorhandler(TimeoutError)
def slow(e):
    return jsonify(raw=e.__dict__), 504

@app.route("/echo", methods=["POST"])
def echo():
    try:
        save(request.json)
    except Exception:
        return jsonify(object_to_json(request.json)), 500
    return "ok"
"""
    assert scan({"app.py": src, "helpers.py": helpers}) == [("PF301", "app.py", 11, 5, "medium"), ("PF301", "app.py", 19, 5, "medium"), ("PF301", "app.py", 23, 5, "medium")]
    assert [(f.line, f.column, f.severity.value) for f in sorted(scan.findings, key=lambda f: f.line)] == [
        (11, 5, "medium"), (19, 5, "medium"), (23, 5, "medium")]
    assert "`helpers.object_to_json` encodes its `__dict__`" in scan.message("PF301", 11)
    assert "`vars(e)`" in scan.message("PF301", 19)
    assert "`e.__dict__`" in scan.message("PF301", 23)


# ---- issue 14 round 4: flashed messages -------------------------------------------------------------------------
def test_a_flashed_exception_message_reaches_the_client(scan):
    src = """\
import flask
from flask import Flask, flash, redirect, render_template, request
app = Flask(__name__)

@app.route("/register", methods=["POST"])
def register():
    try:
        create_user(request.form)
    except Exception as e:
        flash(f"An error occurred: {str(e)}", "error")
        return render_template("register.html")
    return redirect("/")

@app.route("/rename", methods=["POST"])
def rename():
    try:
        rename_set(request.form["name"])
    except Exception as e:
        flask.flash("Rename failed: " + str(e))
    return redirect("/")

@app.route("/n", methods=["POST"])
def n():
    try:
        count = int(request.form["n"])
    except ValueError as e:
        flash(str(e))
        return redirect("/")
    return str(count)

@app.route("/logged", methods=["POST"])
def logged():
    try:
        create_user(request.form)
    except Exception as e:
        app.logger.exception("failed: %s", e)
        flash("Something went wrong, please try again.")
    return redirect("/")

def flash_message(text):
    return text

@app.route("/own", methods=["POST"])
def own():
    try:
        create_user(request.form)
    except Exception as e:
        flash_message(str(e))
    return redirect("/")
"""
    assert scan({"app.py": src}) == [("PF301", "app.py", 10, 9, "medium"), ("PF301", "app.py", 19, 9, "medium")]
    # a conversion error of the form's own value is a validation notice; logging and a generic text leak
    # nothing; a function of the project that happens to be called like flash is not Flask's
    assert exact(scan) == [("PF301", "app.py", 10, 9, "medium"), ("PF301", "app.py", 19, 9, "medium")]
    message = scan.message("PF301", 10)
    assert "is flashed to the client" in message and "`except Exception as e` (line 9)" in message


def test_a_class_that_writes_its_sentence_around_its_parameters(scan):
    errors = """
class AlreadyExists(Exception):
    def __init__(self, field, value):
        self.field = field
        super().__init__(f"User with {field} '{value}' already exists")

class Failed(Exception):
    def __init__(self, what, why):
        super().__init__(f"Could not {what}: {why}")

class Forwarded(Exception):
    def __init__(self, message):
        super().__init__(message)
"""
    service = """
from pkg.errors import AlreadyExists, Failed, Forwarded

def create(email, db):
    if db.find(email):
        raise AlreadyExists("email", email)
    try:
        db.add(email)
    except Exception as e:
        raise Failed("save", str(e))
    raise Forwarded(email)
"""
    views = """
from flask import Flask, flash, redirect
from pkg.errors import AlreadyExists, Failed, Forwarded
from pkg.service import create
app = Flask(__name__)

@app.route("/a", methods=["POST"])
def a():
    try:
        create("x", None)
    except AlreadyExists as e:
        flash(str(e))
    return redirect("/")

@app.route("/b", methods=["POST"])
def b():
    try:
        create("x", None)
    except Failed as e:
        flash(str(e))
    return redirect("/")

@app.route("/c", methods=["POST"])
def c():
    try:
        create("x", None)
    except Forwarded as e:
        flash(str(e))
    return redirect("/")
"""
    assert scan({"pkg/__init__.py": "", "pkg/errors.py": errors, "pkg/service.py": service, "pkg/views.py": views}) == [("PF301", "pkg/views.py", 19, 9, "medium"), ("PF301", "pkg/views.py", 27, 9, "medium")]
    # the raise of Failed fills the sentence with a caught exception's text; Forwarded's message is whatever
    # the raise passes (a bare variable)
    assert exact(scan) == [("PF301", "pkg/views.py", n, 9, "medium") for n in (19, 27)]


def test_a_value_error_only_project_functions_raise_with_their_own_text(scan):
    service = """
import json
from pkg.db import session

def login(email, password):
    user = session.query(email)
    if user is None:
        raise ValueError("Invalid email or password")
    return "token"

def parse(blob):
    try:
        return json.loads(blob)
    except ValueError as err:
        raise ValueError(f"bad document: {err}")

def reraise(blob):
    try:
        return int(blob)
    except ValueError:
        raise

def convert(blob):
    return int(blob)
"""
    views = """
from http import HTTPStatus
from flask import Flask, abort, request
from pkg import service
from pkg.service import parse, reraise, convert
from pkg.db import session, SOURCE
app = Flask(__name__)

@app.route("/a", methods=["POST"])
def a():
    try:
        token = service.login(SOURCE, "x")
    except ValueError as e:
        abort(HTTPStatus.BAD_REQUEST, str(e))
    return token

@app.route("/b", methods=["POST"])
def b():
    try:
        token = service.login(SOURCE, "x")
    except ValueError as e:
        return {"error": str(e)}, 500
    return token

@app.route("/c", methods=["POST"])
def c():
    try:
        parse(SOURCE)
    except ValueError as e:
        return {"error": str(e)}, 400
    return "ok"

@app.route("/d", methods=["POST"])
def d():
    try:
        reraise(SOURCE)
    except ValueError as e:
        return {"error": str(e)}, 400
    return "ok"

@app.route("/e", methods=["POST"])
def e_():
    try:
        convert(SOURCE)
    except ValueError as e:
        return {"error": str(e)}, 400
    return "ok"

@app.route("/f", methods=["POST"])
def f():
    try:
        service.login(SOURCE, "x")
        session.commit()
    except ValueError as e:
        return {"error": str(e)}, 400
    return "ok"
"""
    assert scan({"pkg/__init__.py": "", "pkg/service.py": service, "pkg/db.py": "session = SOURCE = None\n",
          "pkg/views.py": views}) == [
        ("PF301", "pkg/views.py", 21, 9, "medium"),
        ("PF301", "pkg/views.py", 29, 9, "medium"),
        ("PF301", "pkg/views.py", 37, 9, "medium"),
        ("PF301", "pkg/views.py", 45, 9, "medium"),
        ("PF301", "pkg/views.py", 54, 9, "medium"),
    ]
    # (the functions get stored data, not the request's: a conversion of the caller's own input is
    # validation whatever the function does)
    # /a: login raises ValueError only with its own sentence, answered 400. /b answers 500; parse wraps a
    # library's text, reraise re-raises it, convert never raises ValueError itself (the text is int()'s),
    # and /f also commits a database session, which can fail for its own reasons.
    assert exact(scan) == [("PF301", "pkg/views.py", n, 9, "medium") for n in (21, 29, 37, 45, 54)]


def test_a_project_function_that_returns_the_text_of_a_caught_error(scan):
    model = """
import psycopg2

class UserTable:
    def add(self, data):
        try:
            return insert(data)
        except (Exception, psycopg2.DatabaseError) as error:
            err = {"error": str(error)}
            return err

    def update(self, data):
        try:
            return insert(data)
        except Exception:
            return {"error": "could not update"}

    def check(self, data):
        try:
            return insert(data)
        except ValueError as error:
            return {"error": str(error)}

def describe(data):
    try:
        return insert(data)
    except Exception as e:
        return f"failed: {e}"
"""
    views = """
from flask import Flask, jsonify, request
from pkg.model import UserTable, describe
app = Flask(__name__)
users = UserTable()

@app.route("/a", methods=["POST"])
def a():
    user = users.add(request.json)
    if "error" in user:
        return jsonify(status=400,
                       error=user["error"]), 400
    return jsonify(id=user["id"], user=user)

@app.route("/b", methods=["POST"])
def b():
    return jsonify(users.add(request.json))

@app.route("/c", methods=["POST"])
def c():
    return {"text": describe(request.json)}

@app.route("/d", methods=["POST"])
def d():
    user = users.update(request.json)
    if "error" in user:
        return jsonify(error=user["error"]), 400
    return jsonify(user)

@app.route("/e", methods=["POST"])
def e():
    user = users.check(request.json)
    return jsonify(error=user.get("error")), 400
"""
    assert scan({"pkg/__init__.py": "", "pkg/model.py": model, "pkg/views.py": views}) == [
        ("PF301", "pkg/views.py", 11, 30, "medium"),
        ("PF301", "pkg/views.py", 16, 20, "medium"),
        ("PF301", "pkg/views.py", 20, 21, "medium"),
    ]
    # /a's error key (line 11) carries the database error; its success path tests that key first and
    # returns the user. /b returns the whole dict, /c the string. update logs nothing and says a fixed
    # text; check returns a ValueError's text (a validation message).
    assert exact(scan) == [("PF301", "pkg/views.py", 11, 30, "medium"), ("PF301", "pkg/views.py", 16, 20, "medium"),
                           ("PF301", "pkg/views.py", 20, 21, "medium")]
    message = scan.message("PF301", 11)
    assert "`user[\"error\"]` (what `users.add(request.json)` returned)" in message and "`add` returns" in message


def test_a_route_only_administrators_reach_is_low(scan):
    src = """\
from flask import Flask, abort, flash, redirect, request
from flask_login import current_user, login_required
from flask_security import roles_required
from .auth import role_required
app = Flask(__name__)

@app.route("/admin/test-mail", methods=["POST"])
@login_required
@roles_required("admin")
def test_mail():
    try:
        send_test_mail()
    except Exception as e:
        flash(f"Mail server said: {e}")
    return redirect("/admin")

@app.route("/settings/test", methods=["POST"])
def test_settings():
    if not current_user.is_admin:
        abort(403)
    try:
        send_test_mail()
    except Exception as e:
        return {"error": str(e)}, 500
    return "ok"

@app.route("/profile", methods=["POST"])
@login_required
def profile():
    if not current_user.is_admin and current_user.id != request.args["id"]:
        abort(403)
    try:
        save_profile()
    except Exception as e:
        return {"error": str(e)}, 500
    return "ok"

@app.route("/course/enroll", methods=["POST"])
@login_required
@role_required("instructor")
def enroll():
    try:
        save_profile()
    except Exception as e:
        return {"error": str(e)}, 500
    return "ok"
"""
    assert scan({"app.py": src}) == [
        ("PF301", "app.py", 14, 9, "low"),
        ("PF301", "app.py", 24, 9, "low"),
        ("PF301", "app.py", 35, 9, "medium"),
        ("PF301", "app.py", 45, 9, "medium"),
    ]
    # any signed-in user (the owner of the profile, or an instructor) can probe the last two: medium
    assert exact(scan) == [("PF301", "app.py", 14, 9, "low"), ("PF301", "app.py", 24, 9, "low"),
                           ("PF301", "app.py", 35, 9, "medium"), ("PF301", "app.py", 45, 9, "medium")]
    assert 'Only administrators reach this route (`@roles_required("admin")`)' in scan.message("PF301", 14)


def test_a_signalling_helper_followed_by_a_success_notice(scan):
    src = """\
from flask import Flask, flash, redirect, url_for, jsonify
from flask_babel import gettext as _
from .store import SOURCE
app = Flask(__name__)

def store(item):
    if not item:
        raise ValueError(_("Invalid file name."))
    if item == "x":
        raise ValueError(_("A file named '{}' already exists.").format(item))
    return item

@app.route("/upload", methods=["POST"])
def upload():
    try:
        name = store(SOURCE)
        flash(_("Stored {}").format(name))
        return redirect(url_for("index"))
    except ValueError as e:
        flash(str(e), "warning")
    return redirect("/")

@app.route("/upload.json", methods=["POST"])
def upload_json():
    try:
        name = store(SOURCE)
        return jsonify(stored=SOURCE.meta)
    except ValueError as e:
        return {"error": str(e)}, 400
"""
    assert scan({"app.py": src, "store.py": "SOURCE = None\n"}) == [("PF301", "app.py", 29, 9, "medium")]
    # the notice and redirect after store() raise no ValueError; the second view also encodes a value
    # (jsonify) and reads an attribute of stored data, which store()'s messages do not account for
    assert exact(scan) == [("PF301", "app.py", 29, 9, "medium")]


_BP_VIEWS = """\
from flask import Blueprint, jsonify

bp = Blueprint("items", __name__)


@bp.route("/items")
def items():
    try:
        return jsonify(load())
    except Exception as e:
        return jsonify(error=str(e)), 500
"""


def test_pf301_blueprint_module_the_app_imports_is_reported(scan) -> None:
    files = {"app.py": "from flask import Flask\nfrom api.items import bp\n\napp = Flask(__name__)\n"
                       "app.register_blueprint(bp)\n",
             "api/__init__.py": "", "api/items.py": _BP_VIEWS}
    assert scan(files, select=["PF301"]) == [("PF301", "api/items.py", 11, 9, "medium")]


def test_pf301_blueprint_module_nothing_imports_is_not_served(scan) -> None:
    # the app registers another module's blueprint; a commented-out import does not import anything
    files = {"app.py": "from flask import Flask\nfrom api.items_orm import bp\n# from api.items import bp\n\n"
                       "app = Flask(__name__)\napp.register_blueprint(bp)\n",
             "api/__init__.py": "", "api/items.py": _BP_VIEWS,
             "api/items_orm.py": "from flask import Blueprint\n\nbp = Blueprint('orm', __name__)\n",
             "tests/test_items.py": "from api.items import items\n"}  # a test importing it serves nothing
    assert scan(files, select=["PF301"]) == []


def test_pf301_unimported_blueprint_module_without_the_app_in_the_scan_is_reported(scan) -> None:
    # the application may import it from outside what was scanned
    files = {"api/__init__.py": "", "api/items.py": _BP_VIEWS}
    assert scan(files, select=["PF301"]) == [("PF301", "api/items.py", 11, 9, "medium")]


def test_pf301_blueprint_module_imported_by_name_string_is_reported(scan) -> None:
    files = {"app.py": "import importlib\nfrom flask import Flask\n\napp = Flask(__name__)\n"
                       "app.register_blueprint(importlib.import_module('api.items').bp)\n",
             "api/__init__.py": "", "api/items.py": _BP_VIEWS}
    assert scan(files, select=["PF301"]) == [("PF301", "api/items.py", 11, 9, "medium")]


def test_pf301_views_on_an_imported_app_are_reported_even_if_unimported(scan) -> None:
    # `gunicorn views:app` may name this module: it registers routes on the application it imports
    views = _BP_VIEWS.replace("from flask import Blueprint, jsonify", "from flask import jsonify\nfrom app import app")
    views = views.replace('bp = Blueprint("items", __name__)\n', "").replace("@bp.route", "@app.route")
    files = {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n", "views.py": views}
    assert scan(files, select=["PF301"]) == [("PF301", "views.py", 11, 9, "medium")]


def test_pf301_blueprint_module_in_a_namespace_directory_the_app_imports_is_reported(scan) -> None:
    # api/ has no __init__.py: the module's own name is "items", the app imports it as "api.items"
    files = {"app.py": "from flask import Flask\nfrom api.items import bp\n\napp = Flask(__name__)\n"
                       "app.register_blueprint(bp)\n", "api/items.py": _BP_VIEWS}
    assert scan(files, select=["PF301"]) == [("PF301", "api/items.py", 11, 9, "medium")]


_ARCHIVED_VIEWS = """\
from flask import jsonify


@bp.route("/items")
def items():
    try:
        return jsonify(load())
    except Exception as e:
        return jsonify(error=str(e)), 500
"""


def test_pf301_module_whose_decorator_names_an_unbound_blueprint_is_never_served(scan) -> None:
    # `bp` is bound nowhere in the file: importing it raises NameError at the decorator, so no view in it (not
    # even one above the failing decorator) is registered, whoever imports it and whether or not the app is scanned
    early = _BP_VIEWS.replace('bp = Blueprint("items", __name__)\n', 'old = Blueprint("old", __name__)\n') \
        .replace("@bp.route", "@old.route") + "\n\n" + _ARCHIVED_VIEWS.replace("/items", "/more") \
        .replace("def items", "def more").replace("from flask import jsonify\n", "")
    files = {"docs/archive_routes.py": _ARCHIVED_VIEWS, "api/__init__.py": "", "api/mixed.py": early}
    assert scan(files, select=["PF301"]) == []


def test_pf301_blueprint_from_a_star_import_or_a_global_store_is_reported(scan) -> None:
    # tricky negatives: `from api import *` may bring `bp`; `global bp` in a function binds it at call time
    star = "from api import *\n" + _ARCHIVED_VIEWS
    late = _ARCHIVED_VIEWS + "\n\ndef init(app):\n    global bp\n    bp = app.blueprints['items']\n"
    files = {"api/__init__.py": "from flask import Blueprint\nbp = Blueprint('items', __name__)\n",
             "star.py": star, "late.py": late}
    assert scan(files, select=["PF301"]) == [("PF301", "late.py", 9, 9, "medium"), ("PF301", "star.py", 10, 9, "medium")]


def test_pf301_helper_a_socketio_handler_calls_emits_to_the_client(scan) -> None:
    # emit() inside a function the handler calls answers the same client (request.sid of the event)
    src = """\
from flask import Flask
from flask_socketio import SocketIO, emit
from store import save, wipe

app = Flask(__name__)
socketio = SocketIO(app)


@socketio.on("command")
def command(data):
    if data["cmd"] == "save":
        do_save(data)
    else:
        do_wipe(data)


def do_save(data):
    try:
        save(data)
    except Exception as e:
        emit("response", {"data": f"Server error: {e}", "is_error": True})


def do_wipe(data):
    try:
        wipe(data)
    except Exception as e:
        return emit("response", {"data": "Could not wipe: " + str(e)})


def report(data):
    try:
        save(data)
    except Exception as e:
        emit("response", {"data": str(e)})
"""
    assert scan({"app.py": src}, select=["PF301"]) == [("PF301", "app.py", 21, 9, "medium"),
                                                       ("PF301", "app.py", 28, 9, "medium")]
    assert "`do_save`, which Socket.IO handler `command` calls" in scan.message("PF301", 21)


def test_pf301_what_a_socketio_helper_returns_goes_to_the_handler_not_the_client(scan) -> None:
    # tricky negatives: the helper's returned text is logged by the handler, a helper reached only from a plain
    # function, and a helper that logs and emits a fixed message
    src = """\
import logging
from flask import Flask
from flask_socketio import SocketIO, emit
from store import save

app = Flask(__name__)
socketio = SocketIO(app)
log = logging.getLogger(__name__)


@socketio.on("command")
def command(data):
    err = try_save(data)
    if err:
        log.error(err)
        emit("response", {"ok": False})
    quiet(data)


def try_save(data):
    try:
        save(data)
    except Exception as e:
        return str(e)
    return None


def quiet(data):
    try:
        save(data)
    except Exception:
        log.exception("save failed")
        emit("response", {"data": "could not save"})


def cron():
    unreached()


def unreached():
    try:
        save(None)
    except Exception as e:
        emit("response", {"data": str(e)})
"""
    assert scan({"app.py": src}, select=["PF301"]) == []


def test_pf301_a_pattern_the_caller_sent_that_does_not_compile_is_validation(scan) -> None:
    # re.error of compiling the caller's own URL segment describes that text; the same error of a pattern the
    # server keeps (its configuration) is the server's, and a 500 answer is reported as with any conversion error
    src = """\
import re
from flask import Flask, current_app, jsonify

app = Flask(__name__)


@app.route("/find/<pattern>")
def find(pattern):
    try:
        rx = re.compile(pattern)
    except re.error as e:
        return jsonify(message=f"bad regular expression: {e.msg}"), 400
    return jsonify(ok=bool(rx))


@app.route("/saved")
def saved():
    try:
        rx = re.compile(current_app.config["FILTER"])
    except re.error as e:
        return jsonify(message=f"bad regular expression: {e.msg}"), 400
    return jsonify(ok=bool(rx))


@app.route("/server/<pattern>")
def server(pattern):
    try:
        rx = re.compile(pattern)
    except re.error as e:
        return jsonify(message=str(e)), 500
    return jsonify(ok=bool(rx))
"""
    assert scan({"app.py": src}, select=["PF301"]) == [("PF301", "app.py", 21, 9, "medium"),
                                                       ("PF301", "app.py", 30, 9, "medium")]


TEMPLATE_VIEWS = """\
from flask import Flask, render_template, render_template_string
from store import load

app = Flask(__name__)


@app.route("/quiet")
def quiet():
    try:
        return load()
    except Exception as e:
        return render_template("quiet.html", error_message=str(e)), 500


@app.route("/local")
def local():
    try:
        return load()
    except Exception as e:
        note = f"failed: {e}"
        return render_template("quiet.html", title="Error", note=note), 500


@app.route("/shown")
def shown():
    try:
        return load()
    except Exception as e:
        return render_template("shown.html", error=str(e)), 500


@app.route("/missing")
def missing():
    try:
        return load()
    except Exception as e:
        return render_template("missing.html", error_message=str(e)), 500


@app.route("/dynamic")
def dynamic():
    try:
        return load()
    except Exception as e:
        return render_template("dynamic.html", error_message=str(e)), 500


@app.route("/inline")
def inline():
    try:
        return load()
    except Exception as e:
        return render_template_string("<p>{{ msg }}</p>", msg=str(e)), 500


@app.route("/inline-quiet")
def inline_quiet():
    try:
        return load()
    except Exception as e:
        return render_template_string("<p>Sorry</p>", msg=str(e)), 500
"""

TEMPLATES = {
    "templates/base.html": "<title>{{ title }}</title>{% block content %}{% endblock %}\n",
    "templates/quiet.html": '{% extends "base.html" %}{% block content %}<p>Please try again.</p>{% endblock %}\n',
    "templates/shown.html": '{% extends "base.html" %}{% block content %}{% include "part.html" %}{% endblock %}\n',
    "templates/part.html": "<pre>{{ error }}</pre>\n",
    "templates/dynamic.html": "{% include partial_name %}\n",
}


def test_pf301_a_template_that_never_names_the_key_shows_nothing(scan) -> None:
    # the exception text passed as a render_template keyword reaches the client only if the template, or one it
    # extends, includes or imports, names that key; a template not found, a reference through a variable and a
    # render_template_string source that names it keep the finding
    assert scan({"app.py": TEMPLATE_VIEWS, **TEMPLATES}, select=["PF301"]) == [
        ("PF301", "app.py", 29, 9, "medium"),
        ("PF301", "app.py", 37, 9, "medium"),
        ("PF301", "app.py", 45, 9, "medium"),
        ("PF301", "app.py", 53, 9, "medium"),
    ]


def test_pf301_a_python_function_that_reads_the_template_context_may_show_any_key(scan) -> None:
    # a filter or global marked pass_context reads the context by key: no template is proof of silence
    filters = """\
from jinja2 import pass_context
from app import app


@app.template_filter("shout")
@pass_context
def shout(ctx, value):
    return ctx.get("error_message")
"""
    assert scan({"app.py": TEMPLATE_VIEWS, "filters.py": filters, **TEMPLATES}, select=["PF301"]) == [
        ("PF301", "app.py", n, 9, "medium") for n in (12, 21, 29, 37, 45, 53, 61)]


def test_pf301_a_helper_a_view_runs_emits_to_every_socketio_client(scan) -> None:
    # a view that runs a function of another module: that function's broadcast emit (or the server object's
    # socketio.emit) reaches every connected client during the request. Tricky negatives: the same function
    # that no view calls, a bare emit() (it needs an event's request.sid and fails in a plain request), and a
    # fixed message
    app = """\
from flask import Flask
from flask_socketio import SocketIO
from jobs.upload import upload_file, ping, quiet

app = Flask(__name__)
socketio = SocketIO(app)


@app.route("/upload", methods=["POST"])
def upload():
    ping()
    quiet()
    return upload_file(socketio)
"""
    jobs = """\
from flask import jsonify, request
from flask_socketio import emit
from store import save
from extensions import socketio


def upload_file(sio):
    try:
        save(request.files["f"])
    except Exception as e:
        emit("upload_error", {"error_message": str(e)}, namespace="/", broadcast=True)
        socketio.emit("upload_error", {"detail": f"{e}"})
        return jsonify(error="upload failed"), 500
    return jsonify(ok=True)


def ping():
    try:
        save(None)
    except Exception as e:
        emit("pong", {"error": str(e)})


def quiet():
    try:
        save(None)
    except Exception:
        emit("upload_error", {"error_message": "upload failed"}, broadcast=True)


def nightly():
    try:
        save(None)
    except Exception as e:
        emit("upload_error", {"error_message": str(e)}, broadcast=True)
"""
    extensions = "from flask_socketio import SocketIO\n\nsocketio = SocketIO()\n"
    assert scan({"app.py": app, "extensions.py": extensions, "jobs/__init__.py": "", "jobs/upload.py": jobs},
                select=["PF301"]) == [
        ("PF301", "jobs/upload.py", 11, 9, "medium"),
        ("PF301", "jobs/upload.py", 12, 9, "medium"),
    ]
    assert "`upload_file`, which a view calls," in scan.message("PF301", 11)


def test_pf301_a_view_that_leaves_on_the_helpers_error_marker_never_reads_its_text(scan) -> None:
    # run() returns the database error's text under "data", with "count" set to -1: a view that returns early
    # when count < 1 reads "data" only on success. Tricky positives: no early exit, an exit that misses -1
    # (count == 0), a test that does not leave, and a helper whose error return marks nothing literal
    utils = """\
from store import db


def run(sql):
    try:
        rows = db.execute(sql)
        return {"count": len(rows), "data": rows}
    except Exception as e:
        return {"count": -1, "data": f"{e}"}


def fetch(sql):
    try:
        return {"data": db.execute(sql)}
    except Exception as e:
        return {"data": str(e)}
"""
    app = """\
from flask import Flask, jsonify
from utils import run, fetch

app = Flask(__name__)


@app.route("/guarded")
def guarded():
    res = run("select 1")
    if res["count"] < 1:
        return jsonify(error="nothing found"), 404
    return jsonify(first=res.get("data")[0])


@app.route("/unguarded")
def unguarded():
    res = run("select 1")
    return jsonify(rows=res["data"])


@app.route("/zero")
def zero():
    res = run("select 1")
    if res["count"] == 0:
        return jsonify(error="nothing found"), 404
    return jsonify(rows=res["data"])


@app.route("/logged")
def logged():
    res = run("select 1")
    if res["count"] < 1:
        app.logger.warning("empty")
    return jsonify(rows=res["data"])


@app.route("/unmarked")
def unmarked():
    res = fetch("select 1")
    if not res["data"]:
        return jsonify(error="nothing found"), 404
    return jsonify(rows=res["data"])
"""
    assert scan({"app.py": app, "utils.py": utils}, select=["PF301"]) == [
        ("PF301", "app.py", 18, 25, "medium"),
        ("PF301", "app.py", 26, 25, "medium"),
        ("PF301", "app.py", 34, 25, "medium"),
        ("PF301", "app.py", 42, 25, "medium"),
    ]


CELERY_VIEWS = """\
from flask import Flask, jsonify
from tasks import celery

app = Flask(__name__)


@app.route("/result/<task_id>")
def result(task_id):
    task = celery.AsyncResult(task_id)
    response = {}
    for field in task.info:
        response[field] = task.info[field]
    return jsonify(response)


@app.route("/state/<task_id>")
def state(task_id):
    task = celery.AsyncResult(task_id)
    return jsonify(state=task.state)


@app.route("/trace/<task_id>")
def trace(task_id):
    return jsonify(trace=celery.AsyncResult(task_id).traceback)
"""


def test_pf301_a_celery_task_result_carrying_the_workers_traceback(scan) -> None:
    # AsyncResult(id).info is what a task returned: a task that returns traceback.format_exc() on failure hands
    # the worker's traceback to whoever asks for the result. Tricky negatives: the same views when every task
    # returns a fixed failure message, and a view that returns only the task's state. AsyncResult.traceback is
    # the worker's traceback whatever the tasks return
    leaky = """\
import traceback
from celery import Celery

celery = Celery("tasks")


@celery.task(bind=True)
def work(self, text):
    try:
        return {"state": "SUCCESS", "result": text.upper()}
    except Exception:
        return {"state": "FAILURE", "error": traceback.format_exc()}
"""
    assert scan({"app.py": CELERY_VIEWS, "tasks.py": leaky}, select=["PF301"]) == [
        ("PF301", "app.py", 13, 5, "medium"),
        ("PF301", "app.py", 24, 5, "high"),
    ]
    assert "a Celery task of the project returns the text of an exception" in scan.message("PF301", 13)
    quiet = leaky.replace('"error": traceback.format_exc()', '"error": "the task failed"')
    assert scan({"app.py": CELERY_VIEWS, "tasks.py": quiet}, select=["PF301"]) == [
        ("PF301", "app.py", 24, 5, "high"),
    ]


# ---- issue 14 round 8: streamed bodies, views registered elsewhere, wrapping decorators ----------------------
def test_a_streamed_generator_yields_the_exception_text_to_the_client(scan):
    """Werkzeug iterates a generator handed to ``Response(...)`` (through ``stream_with_context`` or not), or
    returned bare, and writes every yielded value to the client: a server-sent event carrying ``str(e)`` is a
    response body. What a generator returns is dropped, one the view only consumes sends nothing itself,
    and a fixed text yielded after logging leaks nothing."""
    src = """import json
from flask import Flask, Response, jsonify, stream_with_context
app = Flask(__name__)

@app.route("/progress/<job>")
def progress(job):
    def events():
        try:
            for step in run_job(job):
                yield f"data: {json.dumps(step)}\\n\\n"
        except Exception as e:
            payload = {"type": "error", "message": str(e)}
            yield f"data: {json.dumps(payload)}\\n\\n"
    return Response(stream_with_context(events()), mimetype="text/event-stream")

def rows(q):
    try:
        yield from search(q)
    except LookupError as e:
        yield "error: " + str(e)

@app.route("/export")
def export():
    return rows("all"), {"Content-Type": "text/csv"}

def quiet(job):
    try:
        yield from run_job(job)
    except Exception as e:
        app.logger.exception("job failed")
        yield "data: failed\\n\\n"
        return str(e)

@app.route("/quiet/<job>")
def quiet_stream(job):
    return Response(quiet(job), mimetype="text/event-stream")

def collect(job):
    try:
        yield from run_job(job)
    except Exception as e:
        yield str(e)

@app.route("/count/<job>")
def count(job):
    return jsonify(n=len(list(collect(job))))
"""
    assert scan({"app.py": src}) == [("PF301", "app.py", 13, 13, "medium"), ("PF301", "app.py", 20, 9, "medium")]
    assert "streams" in scan.message("PF301", 13) and "`progress`" in scan.message("PF301", 13)


def test_views_registered_with_add_url_rule_in_another_module(scan):
    """``bp.add_url_rule("/stations/add", "add_station", manager.add_station)`` makes ``add_station`` a view
    wherever it is defined: what it flashes or returns goes to the client. A function of the same module that
    no module registers (a helper, or one only a test module registers) is judged by its callers instead."""
    files = {
        "shop/__init__.py": "",
        "shop/routes/__init__.py": """from flask import Blueprint
from shop.routes import manager
bp = Blueprint("main", __name__)
bp.add_url_rule("/stations/add", "add_station", manager.add_station, methods=["GET", "POST"])
bp.add_url_rule("/stations/<int:id>", view_func=manager.edit_station, methods=["POST"])
""",
        "shop/routes/manager.py": """from flask import flash, redirect, jsonify
from shop.models import db, Station

def add_station():
    try:
        db.session.add(Station())
        db.session.commit()
    except Exception as e:
        flash(f"Error adding station: {str(e)}", "error")
    return redirect("/stations")

def edit_station(id):
    try:
        db.session.commit()
    except Exception as e:
        return jsonify(error=str(e)), 500
    return jsonify(ok=True)

def rename_station(id, name):
    try:
        db.session.commit()
    except Exception as e:
        flash("Rename failed: " + str(e))
""",
        "tests/test_manager.py": """from flask import Flask
from shop.routes import manager
app = Flask(__name__)
app.add_url_rule("/rename", view_func=manager.rename_station)
""",
    }
    assert scan(files) == [("PF301", "shop/routes/manager.py", 9, 9, "medium"),
                           ("PF301", "shop/routes/manager.py", 16, 9, "medium")]


def test_a_decorator_wrapper_answers_in_place_of_the_views_it_decorates(scan):
    """``@auth_required(...)`` registers the decorator's wrapper as the view: what the wrapper returns before
    calling the view - ``str(ex)`` of a failed call to the auth service, with 500 - is the response, for a
    decorator of another module (factory form) as for one of the view's own module. A decorator nobody puts
    on a view, and the view's own response passed through, send nothing of theirs."""
    files = {
        "utils/__init__.py": "",
        "utils/auth.py": """from functools import wraps
import requests
from flask import request

def auth_required(permission=""):
    def decorator(f):
        @wraps(f)
        def catcher(*args, **kwargs):
            try:
                reply = requests.post("http://auth/verify", json={"p": permission},
                                      headers={"Authorization": request.headers.get("Authorization", "")})
            except Exception as ex:
                return {"message": "Error in authentication occurred" + str(ex)}, 500
            if reply.status_code != 200:
                return reply.json(), 401
            return f(*args, **kwargs)
        return catcher
    return decorator

def audited(f):
    def inner(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except Exception as ex:
            return {"error": repr(ex)}, 500
    return inner
""",
        "app.py": """from flask import Flask
from utils.auth import auth_required
app = Flask(__name__)

def timed(f):
    def inner(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except Exception as ex:
            return {"error": str(ex)}, 500
    return inner

@app.get("/rooms")
@auth_required("rooms:read")
@timed
def rooms():
    return {"rooms": []}
""",
    }
    assert scan(files) == [("PF301", "app.py", 10, 13, "medium"), ("PF301", "utils/auth.py", 13, 17, "medium")]
    assert "`@auth_required`" in scan.message("PF301", 13)
