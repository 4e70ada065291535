"""What one module tells the view rules of other modules: its exception classes and what they say, the
messages it raises them with, and the blueprints/apps its ``before_request`` guards protect.

PF301 must not report ``except MyAppError as e: abort(400, str(e))`` when ``MyAppError`` is the project's
own exception with a fixed, user-facing message - but the class and its ``raise`` sites are usually in
other modules. PF310 must not report a route whose blueprint gets a guarding ``before_request`` hook in
another module. Both questions are answered in ``views/project.py`` from these facts.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set, Tuple

from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.model import ModuleModel
from flask_preflight.static.python.views.vocabulary import BUILTIN_EXCEPTIONS

# Translation wrappers around a literal are still the literal, as the user reads it.
GETTEXT = {"_", "gettext", "lazy_gettext", "_l", "ugettext", "gettext_lazy", "ngettext"}


def literal_message(node: Optional[ast.AST]) -> bool:
    """Text written in the source: a string literal (implicitly concatenated, or an f-string with nothing
    interpolated), a number, or ``_("...")`` of one. ``str(e)``, ``f"{x}"`` and a variable are not."""
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_message(node.left) and literal_message(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT:
        return all(literal_message(a) for a in node.args) and not node.keywords
    return False


# Calls and attributes that carry an exception's own text or its traceback into whatever they are put in.
EXC_TEXT_CALLS = {"format_exc", "format_exception", "format_exception_only", "format_tb", "exc_info",
                  "print_exc", "exception"}
EXC_TEXT_ATTRS = {"args", "message", "__traceback__", "__cause__", "__context__", "orig", "original_exception"}


def exception_names(tree: ast.AST) -> Set[str]:
    """Names that may hold a caught exception or text made from one: every ``except ... as NAME`` of the
    module, and (to a fixpoint) every name assigned from an expression that uses one. Name-based across the
    module, so it errs towards keeping a finding."""
    tainted: Set[str] = {n.name for n in walk_nodes(tree) if isinstance(n, ast.ExceptHandler) and n.name}
    assigns = [n for n in walk_nodes(tree) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))
               and n.value is not None]
    changed = True
    while changed:
        changed = False
        for a in assigns:
            if not _carries_exception(a.value, tainted):  # type: ignore[arg-type]
                continue
            targets = a.targets if isinstance(a, ast.Assign) else [a.target]
            for t in targets:
                for n in walk_nodes(t):
                    if isinstance(n, ast.Name) and n.id not in tainted:
                        tainted.add(n.id)
                        changed = True
    return tainted


def _carries_exception(node: ast.AST, tainted: Set[str]) -> bool:
    for n in walk_nodes(node):
        if isinstance(n, ast.Name) and n.id in tainted:
            return True
        if isinstance(n, ast.Attribute) and n.attr in EXC_TEXT_ATTRS | EXC_TEXT_CALLS:
            return True
        if isinstance(n, ast.Name) and n.id in EXC_TEXT_CALLS:
            return True
    return False


def written_message(node: Optional[ast.AST], tainted: Set[str]) -> bool:
    """A message the project wrote for its reader: a literal, or a sentence of its own (an f-string,
    ``"...".format()``, ``"..." % x``, ``_("...", x=...)``) whose interpolated values - counts, field names,
    the caller's input - come from no caught exception. ``str(e)``, ``f"{e}"``, a bare variable and a
    template made only of interpolations are not."""
    if literal_message(node):
        return True
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and str(v.value).strip() for v in node.values) and \
            not _carries_exception(node, tainted)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return written_message(node.left, tainted) and written_message(node.right, tainted)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return literal_message(node.left) and isinstance(node.left, ast.Constant) and \
            not _carries_exception(node.right, tainted)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" and (
            isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
            or isinstance(node.func.value, ast.Call) and literal_message(node.func.value)):  # _("...").format(x)
        return not _carries_exception(node, tainted)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT:
        return all(literal_message(a) for a in node.args) and not _carries_exception(node, tainted)
    return False


def _raise_args_literal(call: ast.Call, tainted: Optional[Set[str]] = None) -> bool:
    """Every argument of ``raise Cls(...)`` is literal text, or (with ``tainted``) text the project wrote."""
    ok = literal_message if tainted is None else (lambda n: written_message(n, tainted))
    return all(ok(a.value if isinstance(a, ast.Starred) else a) for a in call.args) and \
        all(ok(k.value) for k in call.keywords)


def _message_kind(cls: ast.ClassDef) -> str:
    """How an exception class makes its message: "fixed" (its ``__init__`` hands only literals to the base,
    or its ``__str__`` returns one), "template" (its ``__init__`` hands the base a sentence it wrote around
    its parameters), "computed" (``__str__`` builds it), "args" (from what ``raise`` passes; also when
    ``__init__`` forwards its parameters) or "" when the class defines neither method."""
    methods = {s.name: s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    string = methods.get("__str__")
    if string is not None:
        returns = [n.value for n in walk_nodes(string) if isinstance(n, ast.Return)]
        return "fixed" if returns and all(literal_message(r) for r in returns) else "computed"
    init = methods.get("__init__")
    if init is None:
        return ""
    base_calls = [n for n in walk_nodes(init) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                  and n.func.attr == "__init__"]
    if not base_calls:
        return "args"  # the base never gets a message: str(e) is "" or what the class sets; treat as raised
    if all(_raise_args_literal(c) for c in base_calls):
        return "fixed"
    # ``super().__init__(f"User with {field} '{value}' already exists")``: the class writes the sentence and
    # the raise only fills in values; what it says depends on whether a raise passes exception text
    return "template" if all(_raise_args_literal(c, set()) for c in base_calls) else "args"


def module_exceptions(model: ModuleModel) -> Tuple[Dict[str, str], List[Tuple[str, bool, bool]]]:
    """(class name -> message kind, for every class of the module; [(raised class, written message, no
    argument carries a caught exception's text)])."""
    kinds = {name: _message_kind(info.node) for name, info in model.classes.items()}
    raises: List[Tuple[str, bool, bool]] = []
    tainted = exception_names(model.tree)
    for node in walk_nodes(model.tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc
        call = exc if isinstance(exc, ast.Call) else None
        target = call.func if call is not None else exc
        q = model.qualname(target)
        if not q:
            continue
        if "." not in q and q in model.classes and model.module_name:
            q = f"{model.module_name}.{q}"
        clean = call is None or not any(_carries_exception(a, tainted) for a in list(call.args) +
                                        [k.value for k in call.keywords])
        raises.append((q, call is None or _raise_args_literal(call, tainted), clean))
    return kinds, raises


def signals(model: ModuleModel) -> Dict[str, Dict[str, bool]]:
    """Top-level function -> {builtin exception it raises itself: every such ``raise`` passes written text}.
    ``def login(): ... raise ValueError("Invalid email or password")`` signals its caller with a message
    meant for the user. A bare ``raise`` (re-raising whatever was caught) is recorded as ``"*": False``."""
    tainted = exception_names(model.tree)
    out: Dict[str, Dict[str, bool]] = {}
    for name, fn in model.functions.items():
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        found: Dict[str, bool] = {}
        for node in walk_nodes(fn):
            if not isinstance(node, ast.Raise):
                continue
            if node.exc is None:
                found["*"] = False
                continue
            call = node.exc if isinstance(node.exc, ast.Call) else None
            target = call.func if call is not None else node.exc
            q = model.qualname(target) or ""
            if q in BUILTIN_EXCEPTIONS and q not in model.module_scope.bindings:
                found[q] = found.get(q, True) and (call is None or _raise_args_literal(call, tainted))
            elif isinstance(node.exc, ast.Name) and node.exc.id in tainted:
                found["*"] = False  # ``raise err`` of a caught exception: whatever it says
        if found:
            out[name] = found
    return out


def qualify(model: ModuleModel, source: str) -> Optional[str]:
    """The qualified name of a module-level object named ``source`` (``bp``, ``auth.bp``): its import target,
    or ``<module>.<name>`` for one this module defines."""
    if not source.replace(".", "").replace("_", "").isalnum():
        return None
    head, _, rest = source.partition(".")
    if head in model.imports:
        target = model.imports[head]
        return f"{target}.{rest}" if rest else target
    if head in model.module_scope.bindings and model.module_name:
        return f"{model.module_name}.{source}"
    return None


def _dumps_attributes(fn: ast.AST, param: str) -> bool:
    """``vars(param)`` / ``param.__dict__`` in ``fn``: every attribute of the object, as data."""
    for n in walk_nodes(fn):
        if isinstance(n, ast.Attribute) and n.attr == "__dict__" and isinstance(n.value, ast.Name) and \
                n.value.id == param:
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "vars" and \
                len(n.args) == 1 and isinstance(n.args[0], ast.Name) and n.args[0].id == param:
            return True
    return False


def serializers(model: ModuleModel) -> Set[str]:
    """Top-level functions that turn their first argument into data made of all its attributes: they read
    ``vars(obj)``/``obj.__dict__`` themselves, or encode ``obj`` with a JSON encoder class of this module whose
    ``default(o)`` does (``ObjEncoder().encode(obj)``, ``json.dumps(obj, cls=ObjEncoder)``). An exception passed
    to one reaches the client with every attribute a library put on it (SQL statement, parameters, hosts)."""
    encoders: Set[str] = set()
    for name, info in model.classes.items():
        for stmt in info.node.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "default" and len(stmt.args.args) >= 2 and \
                    _dumps_attributes(stmt, stmt.args.args[1].arg):
                encoders.add(name)
    out: Set[str] = set()
    for name, fn in model.functions.items():
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or not fn.args.args:
            continue
        param = fn.args.args[0].arg
        if _dumps_attributes(fn, param) or encoders and any(
                isinstance(n, ast.Name) and n.id in encoders for n in walk_nodes(fn)) and any(
                isinstance(n, ast.Name) and n.id == param and isinstance(n.ctx, ast.Load) for n in walk_nodes(fn)):
            out.add(name)
    return out
