"""TARGET parsing (pure, in the parent) and app loading (here in-process, on throwaway modules)."""

from __future__ import annotations

import os
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

flask = pytest.importorskip("flask")

from flask_preflight.runtime.target import (  # noqa: E402
    LoadError,
    Target,
    TargetError,
    default_target,
    definition_line,
    load_app,
    parse_expression,
    parse_target,
    unwrap,
)


# --- parsing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, module, expr", [
    ("wsgi:app", "wsgi", "app"),
    ("wsgi", "wsgi", None),
    ("pkg.sub.wsgi:application", "pkg.sub.wsgi", "application"),
    ("myapp:create_app()", "myapp", "create_app()"),
    ("myapp:create_app('prod', debug=False)", "myapp", "create_app('prod', debug=False)"),
    ("  myapp : app ", "myapp", "app"),
])
def test_module_targets(tmp_path: Path, text: str, module: str, expr: str) -> None:
    t = parse_target(text, str(tmp_path))
    assert (t.module, t.expr, t.import_root, t.original) == (module, expr, str(tmp_path), text)


@pytest.mark.parametrize("expr, expected", [
    ("app", ("app", None, None)),
    ("create_app()", ("create_app", [], {})),
    ("create_app('prod', debug=False)", ("create_app", ["prod"], {"debug": False})),
    ("make(1, 2.5, None, [1, 2], {'a': (1, 2)}, x=-3)", ("make", [1, 2.5, None, [1, 2], {"a": (1, 2)}], {"x": -3})),
])
def test_expressions(expr: str, expected: tuple) -> None:
    assert parse_expression(expr, f"m:{expr}") == expected


@pytest.mark.parametrize("text, fragment", [
    ("", "TARGET is empty"),
    ("wsgi:", "nothing after ':'"),
    (":app", "no module or file before ':'"),
    ("wsgi:app.wsgi_app", "cannot parse 'app.wsgi_app'"),
    ("wsgi:factory.create()", "the function must be a simple name"),
    ("wsgi:create_app(os.environ)", "the arguments must be literal values"),
    ("wsgi:create_app(*args)", "*args and **kwargs are not supported"),
    ("wsgi:create_app(**kw)", "*args and **kwargs are not supported"),
    ("wsgi:create_app(", "cannot parse 'create_app('"),
    ("wsgi:1 + 2", "cannot parse '1 + 2'"),
    ("my-app:app", "'my-app' is not a module name or a .py file"),
    ("nosuch.py", "nosuch.py: no such file"),
    ("sub/nosuch.py:app", "sub/nosuch.py: no such file"),
])
def test_malformed_targets_name_the_target(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(TargetError) as info:
        parse_target(text, str(tmp_path))
    assert fragment in str(info.value)
    if text:
        assert repr(text) in str(info.value)


def test_flask_app_is_named_as_the_source(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"^FLASK_APP 'x:1':"):
        parse_target("x:1", str(tmp_path), source="FLASK_APP")


def test_file_targets_walk_up_packages_like_flask_prepare_import(tmp_path: Path) -> None:
    pkg = tmp_path / "src" / "proj" / "web"
    pkg.mkdir(parents=True)
    (tmp_path / "src" / "proj" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "wsgi.py").write_text("")
    (tmp_path / "top.py").write_text("")
    t = parse_target("src/proj/web/wsgi.py:application", str(tmp_path))
    assert (t.module, t.expr, t.import_root) == ("proj.web.wsgi", "application", str((tmp_path / "src").resolve()))
    t = parse_target("src/proj/web/__init__.py", str(tmp_path))
    assert (t.module, t.expr) == ("proj.web", None)
    t = parse_target("src/proj/web", str(tmp_path))  # a package directory
    assert t.module == "proj.web"
    t = parse_target("top.py", str(tmp_path))
    assert (t.module, t.import_root) == ("top", str(tmp_path.resolve()))
    t = parse_target(str(pkg / "wsgi.py"), "/")  # absolute paths ignore cwd
    assert t.module == "proj.web.wsgi"


def test_file_target_errors(tmp_path: Path) -> None:
    (tmp_path / "plain_dir").mkdir()
    (tmp_path / "my-app.py").write_text("")
    with pytest.raises(TargetError, match="directory without __init__.py"):
        parse_target("plain_dir/", str(tmp_path))
    with pytest.raises(TargetError, match="not an importable module name"):
        parse_target("my-app.py", str(tmp_path))


def test_default_target_is_wsgi_then_app(tmp_path: Path) -> None:
    assert default_target(str(tmp_path)) is None
    (tmp_path / "app.py").write_text("")
    assert default_target(str(tmp_path)).module == "app"  # type: ignore[union-attr]
    (tmp_path / "wsgi.py").write_text("")
    assert default_target(str(tmp_path)).module == "wsgi"  # type: ignore[union-attr]


def test_target_round_trips_through_the_request() -> None:
    t = Target("a.py:create()", "a", "create()", "/x")
    assert Target.from_dict(t.to_dict()) == t


# --- loading ----------------------------------------------------------------------------------------


@pytest.fixture()
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a module with a unique name into tmp_path (on sys.path) and return its name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created = []

    def make(source: str) -> str:
        name = f"pf_target_{uuid.uuid4().hex[:10]}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        created.append(name)
        return name

    yield make
    for name in created:
        sys.modules.pop(name, None)


def _load(name: str, expr=None):
    return load_app(Target(name, name, expr, os.getcwd()), flask.Flask)


def test_auto_detect_order(make_module) -> None:
    m = make_module("""
        from flask import Flask
        application = Flask("application")
        app = Flask("app")
    """)
    loaded = _load(m)
    assert (loaded.app.name, loaded.attribute) == ("app", "app")
    m = make_module("""
        from flask import Flask
        site = Flask("site")
        also_site = site
    """)
    assert _load(m).app.name == "site"  # the same instance twice is still one app
    m = make_module("""
        from flask import Flask
        def make_app():
            return Flask("made")
        def create_app():
            return Flask("created")
    """)
    loaded = _load(m)
    assert (loaded.app.name, loaded.attribute) == ("created", "create_app")


def test_factory_with_literal_arguments(make_module) -> None:
    m = make_module("""
        from flask import Flask
        def create_app(name, debug=False):
            app = Flask(name)
            app.debug = debug
            return app
    """)
    loaded = _load(m, "create_app('prod', debug=True)")
    assert (loaded.app.name, loaded.app.debug) == ("prod", True)
    with pytest.raises(LoadError, match=r"could not be called with these arguments"):
        _load(m, "create_app()")


def test_type_error_inside_the_factory_is_not_blamed_on_the_arguments(make_module) -> None:
    m = make_module("""
        def create_app():
            return len(5)
    """)
    with pytest.raises(TypeError):
        _load(m, "create_app()")


def test_wrappers_are_unwrapped_through_every_layer(make_module) -> None:
    m = make_module("""
        from flask import Flask
        from werkzeug.debug import DebuggedApplication
        from werkzeug.middleware.dispatcher import DispatcherMiddleware
        from werkzeug.middleware.proxy_fix import ProxyFix
        inner = Flask("inner")
        debugged = DebuggedApplication(inner)
        dispatched = DispatcherMiddleware(inner, {})
        twice = ProxyFix(ProxyFix(inner))
        def wsgi(environ, start_response):
            return []
    """)
    loaded = _load(m, "debugged")
    assert loaded.app.name == "inner" and type(loaded.wrappers[0]).__name__ == "DebuggedApplication"
    assert _load(m, "dispatched").app.name == "inner"
    twice = _load(m, "twice")  # every layer is passed on to the checks (PF509 counts both)
    assert twice.app.name == "inner" and [type(w).__name__ for w in twice.wrappers] == ["ProxyFix", "ProxyFix"]
    with pytest.raises(LoadError, match=r":wsgi is not a Flask application \(a function\)"):
        _load(m, "wsgi")


def test_load_errors(make_module) -> None:
    m = make_module("""
        from flask import Flask
        one = Flask("one")
        two = Flask("two")
        nothing = None
        number = 3
    """)
    with pytest.raises(LoadError, match=r"several Flask applications \(one, two\)"):
        _load(m)
    with pytest.raises(LoadError, match=r"has no attribute 'missing'"):
        _load(m, "missing")
    with pytest.raises(LoadError, match=r"is None, not a Flask application"):
        _load(m, "nothing")
    with pytest.raises(LoadError, match=r"is not callable"):
        _load(m, "number()")
    empty = make_module("x = 1\n")
    with pytest.raises(LoadError, match=r"no Flask application or factory found"):
        _load(empty)


def test_unwrap_plain_objects() -> None:
    app = flask.Flask("x")
    assert unwrap(app, flask.Flask) == (app, [])
    assert unwrap(object(), flask.Flask) == (None, [])


def test_definition_line(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text(textwrap.dedent("""\
        import os
        from flask import Flask as F

        app = None
        if os.environ.get("X"):
            app: F = F("a")
        try:
            import json as application
        except ImportError:
            application = None

        def create_app():
            return F("c")
        """))
    assert definition_line(str(src), "app") == 6
    assert definition_line(str(src), "application") == 10
    assert definition_line(str(src), "create_app") == 12
    assert definition_line(str(src), "F") == 2
    assert definition_line(str(src), "missing") == 1
    assert definition_line(str(tmp_path / "nope.py"), "app") == 1
    assert definition_line(None, "app") == 1


def test_several_apps_behind_an_application_dispatcher_load_what_gunicorn_serves(make_module) -> None:
    m = make_module("""
        from flask import Flask
        from werkzeug.middleware.dispatcher import DispatcherMiddleware
        frontend = Flask("front")
        api = Flask("api")
        application = DispatcherMiddleware(frontend, {"/api": api})
    """)
    loaded = _load(m)
    assert loaded.attribute == "application" and loaded.app.name == "front"
    assert loaded.wrappers and loaded.wrappers[0].mounts["/api"].name == "api"
