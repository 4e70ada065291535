"""Python source analysis: parse once, model reach and bindings, run the rule checks, summarise for the project."""

from __future__ import annotations

import ast
import os
import warnings
from typing import Callable, List, Optional

from flask_preflight.static.python import debug, secrets, views
from flask_preflight.static.python.context import Context, FileAnalysis
from flask_preflight.static.python.model import ModuleModel
from flask_preflight.static.python.project import resolve_project, summarize

# Each check takes the file's Context and appends findings / deferred questions to it.
CHECKS: List[Callable[[Context], None]] = [debug.check, secrets.check, views.check]

# A file whose lower-cased text contains none of these cannot produce a finding or a fact another
# file needs (Flask/Werkzeug code, dev-server calls, debug flags, config classes, settings modules),
# so a directory walk does not parse it. Rule packs that look for new tokens must extend this.
PREFILTER_TOKENS = ("flask", "werkzeug", "debug", "config", "settings", "socketio", "run_simple", ".run(",
                    "secret", "cookie", "csrf", "propagate_exceptions", "trap_http",
                    ".route(", "errorhandler", "add_url_rule", "add_resource", "register_error_handler")


def may_matter(text: str) -> bool:
    low = text.lower()
    return any(token in low for token in PREFILTER_TOKENS)


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
    ctx.result.summary = summarize(ctx)
    return ctx.result


__all__ = ["analyze_tree", "parse", "resolve_project", "FileAnalysis"]
