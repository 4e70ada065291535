"""Python source analysis: parse once, model reach and bindings, run the rule checks, summarise for the project."""

from __future__ import annotations

import ast
import os
import re
import warnings
from typing import Callable, List, Optional

from flask_preflight.static.python import debug, factories, secrets, views
from flask_preflight.static.python.context import Context, FileAnalysis
from flask_preflight.static.python.model import ModuleModel
from flask_preflight.static.python.project import resolve_project, summarize

# Each check takes the file's Context and appends findings / deferred questions to it.
CHECKS: List[Callable[[Context], None]] = [debug.check, secrets.check, views.check, factories.record_calls]

# Directory walks parse only files that could produce a finding or a fact another file needs. Two cheap
# stages: lower-cased substrings that only Flask-related code contains, then a regex for the weaker signals
# (config names written as settings, ``app.run(`` on an app imported from elsewhere, imports of a config or
# settings module that may re-export config classes). Rule packs that look for new things must extend these;
# the rule tests run through directory walks, so a missing token fails them.
PREFILTER_TOKENS = ("flask", "werkzeug", "socketio", "run_simple", "csrf", "secret_key", "_cookie", "errorhandler",
                    "error_handler", "add_url_rule", "add_resource", "propagate_exceptions", "trap_http",
                    "trap_bad_request", "security_password_salt", ".route(",
                    # random sources: a project helper that makes a signing key (PF203 follows it across modules)
                    "urandom", "token_hex", "token_bytes", "token_urlsafe", "uuid4", "uuid1", "secrets.choice",
                    "randbits", "get_random_bytes", "random.choice", "random.random", "random.randint",
                    "random.sample",
                    # an object serializer (vars(obj), an encoder returning o.__dict__): PF301 follows an
                    # exception passed to one from another module
                    "__dict__", "vars(",
                    # a key handed to a signing library (PF201/PF202, signingkeys.py)
                    "itsdangerous",
                    # Jinja functions that read a template's context by key (PF301, views/templates.py)
                    "pass_context", "contextfunction", "contextfilter",
                    # a Celery task whose return value a view reads back with AsyncResult (PF301)
                    "celery", "shared_task")
# (gate substring, regex): the regex runs only on text containing the gate, so most files cost a few
# substring searches.
_PREFILTER_RES = (
    ("DEBUG", re.compile(r"DEBUG\b\s*[=:]|[\"']DEBUG[\"']")),
    ("TESTING", re.compile(r"TESTING\b\s*[=:]")),
    # PyJWT imported (``import jwt``, ``import os, jwt``, ``from jwt import encode``): its keys are PF201/PF202's
    ("jwt", re.compile(r"^[ \t]*(?:import[ \t]+[\w., \t]*\bjwt\b|from[ \t]+jwt\b)", re.MULTILINE)),
    # a bind address a config class or settings module holds: `app.run(host=app.config["HOST"])` in another
    # module reads it once from_object loads it (confighost.py)
    ("HOST", re.compile(r"^[ \t]*(?:[A-Z0-9]+_)*HOST\s*[=:]", re.MULTILINE)),
    (".debug", re.compile(r"\.debug\s*=")),
    ("config", re.compile(r"config\s*\[")),
    (".config.", re.compile(r"\.config\.(?:update|setdefault|from_\w+)")),
    (".run(", re.compile(r"pp\w*\.run\(|\)\.run\(")),
    # Dash's older name for Dash.run, which calls Flask's app.run on the server it wraps
    (".run_server(", re.compile(r"\.run_server\(")),
    # the view rules ask whether an exception class a view catches has a fixed message: the modules that
    # define exception classes, and those raising a non-builtin one with a message that is not a literal
    ("Error", re.compile(r"^class\s+\w+\s*\([\w.\s,]*(Error|Exception)\s*\)\s*:", re.MULTILINE)),
    ("Exception", re.compile(r"^class\s+\w+\s*\([\w.\s,]*(Error|Exception)\s*\)\s*:", re.MULTILINE)),
    ("raise", re.compile(r"raise\s+(?!(ValueError|TypeError|KeyError|RuntimeError|Exception|NotImplementedError|"
                         r"AttributeError|IndexError|OSError|IOError|AssertionError|LookupError|FileNotFoundError|"
                         r"PermissionError|StopIteration|SystemExit)\b)[A-Za-z_][\w.]*\(\s*(?![\"')\s])")),
    # a service function raising a conversion error itself (``raise ValueError("Invalid email")``) next to
    # its database work: a view catching that class around a call of it may be showing the function's own
    # message (views/facts.signals). Plain helpers that raise ValueError are too common to read them all;
    # an unread module only keeps a finding.
    ("Error", re.compile(r"\A(?=[\s\S]*\b(?:session|query|commit|execute|cursor)\b)[\s\S]*"
                         r"raise\s+(?:ValueError|TypeError|OverflowError|UnicodeDecodeError)\b")),
    # a function returning a caught exception's text to its caller (``return {"error": str(error)}``):
    # PF301 follows it into the view that returns the result (views/callees.py)
    ("except", re.compile(r"except\b[^\n:]*\bas\s+(\w+)\s*:[\s\S]{0,600}?(?:(?:str|repr)\(\s*\1\s*\)|\{\1[}!:])")),
    # an app factory called with arguments (create_app("config.Dev"), make_app(settings)) or re-exported by a
    # package (`from .factory import create_app`): factories.py follows both
    # (not an extension's `init_app(app)`, which every extension module calls)
    ("_app", re.compile(r"(?<!init)_app\(\s*[^)\s]|\bimport\b[^\n]*(?<!init)_app\b")),
    # a short top-level helper that leaves the process (`def fatal_error(msg): ...; sys.exit(1)`): a start-up
    # guard in another module that calls it refuses a placeholder key (startguards.py)
    ("sys.exit(", re.compile(r"^def [^\n]*\n(?:[ \t][^\n]*\n){0,6}[ \t]+sys\.exit\(", re.MULTILINE)),
)


def may_matter(text: str) -> bool:
    low = text.lower()
    if any(token in low for token in PREFILTER_TOKENS):
        return True
    return any(gate in text and regex.search(text) is not None for gate, regex in _PREFILTER_RES)


def parse(text: str, path: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings about the scanned code are not ours to print
        return ast.parse(text, filename=path)


def analyze_tree(tree: ast.Module, text: str, path: str, *, module_name: str, is_package: bool,
                 is_test: Optional[bool] = None) -> FileAnalysis:
    """Analyse one parsed file. ``is_test`` is decided by the caller from the path inside the project."""
    script_only = os.path.basename(path) == "__main__.py"
    model = ModuleModel(tree, module_name=module_name, path=path, is_package=is_package, script_only=script_only)
    ctx = Context(model, text, path, is_test=is_test)
    for check in CHECKS:
        check(ctx)
    ctx.redact_findings()
    ctx.result.summary = summarize(ctx)
    ctx.result.summary.view_facts = ctx.view_facts
    return ctx.result


__all__ = ["analyze_tree", "parse", "resolve_project", "FileAnalysis"]
