"""PF203's question, "is this signing key generated when the process starts?", across calls and modules.

A key is per-process when its value comes from ``os.urandom``/``secrets``/``uuid``/``random`` - directly,
through a variable, or through a helper of the project that returns such a value
(``os.environ.get("K") or _random_password(24)``, ``SECRET_KEY = generate_key()`` imported from
``utils.py``). A helper that writes what it generates to a file or store (and reads it back next time) makes
the key once, not per process, and is not followed. Helpers are followed two levels deep: in the same module while the file is analysed, and in
other modules through the per-module summary of which top-level functions return a random value, answered
by the project index once every file is summarised.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Set, Tuple

from flask_preflight.findings import Finding
from flask_preflight.rules.secrets import PF203
from flask_preflight.static.python.astutil import walk as walk_nodes
from flask_preflight.static.python.model import ModuleModel, Scope

if TYPE_CHECKING:  # pragma: no cover - typing only
    from flask_preflight.static.python.context import FileAnalysis, ModuleSummary
    from flask_preflight.static.python.project import ProjectIndex

RANDOM_CALLS = {"os.urandom", "secrets.token_hex", "secrets.token_bytes", "secrets.token_urlsafe",
                "secrets.randbits", "secrets.choice", "uuid.uuid4", "uuid.uuid1", "random.random",
                "random.getrandbits", "random.randbytes", "random.choice", "random.choices", "random.randint",
                "random.sample", "Crypto.Random.get_random_bytes",
                # an OS-entropy generator object: `secrets.SystemRandom().getrandbits(128)` draws from it
                "secrets.SystemRandom"}
DEFERRED_KIND = "random-helper"  # Deferred.kind of a key computed by a helper imported from another module
_MAX_DEPTH = 3


def _returns(fn: ast.AST) -> Iterator[ast.expr]:
    """The returned expressions of ``fn``'s own body (nested defs and lambdas return for themselves)."""
    stack: List[ast.AST] = list(getattr(fn, "body", []))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            yield node.value
        stack.extend(ast.iter_child_nodes(node))


_STORE_METHODS = frozenset({"write", "write_bytes", "write_text", "dump", "set",
                            # a database row or document: `session.add(row); session.commit()`, `doc.save()`
                            "commit", "save", "insert_one"})


def _persists(fn: ast.AST) -> bool:
    """The helper stores what it generates (``open(path, "wb").write(key)``, ``Path.write_text``, a row it
    commits to the database) so later processes read the same key back: generated once, not per process."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _STORE_METHODS
               for n in walk_nodes(fn))


def _random_helper_body(model: ModuleModel, fn: ast.AST, depth: int) -> bool:
    fscope = model.scope_of.get(id(fn))
    return fscope is not None and not _persists(fn) and \
        any(random_source(model, r, fscope, depth) for r in _returns(fn))


def is_random_call(model: ModuleModel, call: ast.Call) -> bool:
    q = model.qualname(call.func) or ""
    return q in RANDOM_CALLS or q.startswith("random.") or q.startswith("secrets.token")


def random_source(model: ModuleModel, node: ast.expr, scope: Scope, depth: int = 0,
                  imported: Optional[List[str]] = None) -> bool:
    """True when ``node`` draws from a random source here or in a helper of this module. Calls of functions
    and names imported from elsewhere are appended to ``imported`` (qualified names) for the project to answer."""
    for sub in walk_nodes(node):
        if isinstance(sub, ast.Call):
            if is_random_call(model, sub):
                return True
            if isinstance(sub.func, ast.Name) and depth < _MAX_DEPTH:
                binding, _ = model.lookup(sub.func.id, scope, sub.lineno)
                fn = model.functions.get(sub.func.id)
                if binding is not None and binding.kind == "def" and fn is not None and binding.node is fn:
                    if _random_helper_body(model, fn, depth + 1):
                        return True
                elif binding is not None and binding.kind == "import" and binding.target and imported is not None:
                    imported.append(binding.target)
        elif isinstance(sub, ast.Name) and depth < _MAX_DEPTH:
            binding, bscope = model.lookup(sub.id, scope, sub.lineno)
            if binding is not None and binding.kind == "assign" and binding.value is not None and \
                    random_source(model, binding.value, bscope, depth + 1, imported):
                return True
            if binding is not None and binding.kind == "import" and binding.target and imported is not None:
                imported.append(binding.target)  # `from statics import SECRET_KEY`: a value of another module
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and imported is not None:
            binding, _ = model.lookup(sub.value.id, scope, sub.lineno)
            if binding is not None and binding.kind == "import" and binding.target:
                imported.append(f"{binding.target}.{sub.attr}")  # `statics.SECRET_KEY` after `import statics`
    return False


def random_functions(model: ModuleModel) -> Set[str]:
    """Top-level functions of the module whose return value is random (for other modules' summaries)."""
    out: Set[str] = set()
    for name, fn in model.functions.items():
        if _random_helper_body(model, fn, 1):
            out.add(name)
    return out


def random_constants(model: ModuleModel) -> Set[str]:
    """Module-level names bound once, at import, to a random value (``SECRET_KEY = os.urandom(32)``): every
    process that imports the module draws its own, so a key imported from there is per-process too."""
    out: Set[str] = set()
    for name, bindings in model.module_scope.bindings.items():
        b = bindings[-1]
        if name in model.functions or b.kind != "assign" or b.value is None:
            continue
        if random_source(model, b.value, model.module_scope, 1):
            out.add(name)
    return out


def resolve_random_helpers(analyses: Iterable["FileAnalysis"], index: "ProjectIndex") -> List[Finding]:
    """PF203 for keys computed by a helper another module defines, once that module says it is random."""
    findings: List[Finding] = []
    for a in analyses:
        for d in a.deferred:
            if d.kind != DEFERRED_KIND:
                continue
            for ref in d.ref.split(" "):
                found = _random_helper(ref, d.path, index)
                if found is None:
                    continue
                mod, func = found
                helper = (f"`{func}` of {mod.path}, drawn when that module is imported" if func in _constants(mod)
                          else f"`{func}()` in {mod.path}")
                findings.append(PF203.finding(d.context.replace("{helper}", helper), d.location,
                                              severity=d.severity, snippet=d.snippet, evidence=d.snippet.strip()))
                break
    return findings


def _random_helper(ref: str, importer: str, index: "ProjectIndex") -> Optional[Tuple["ModuleSummary", str]]:
    """The module and function ``ref`` (``pkg.keys.make_key``) names, if that function returns a random value.

    A package often re-exports its helpers (``from .salts import make_salt`` in ``util/__init__.py``); an
    ``__init__`` without a random source is not parsed at all, so when the owner is missing, the one module
    inside that package defining a random function of that name stands for it.
    """
    owner, _, func = ref.rpartition(".")
    if not owner:
        return None
    mod = index.find_module(owner, importer)
    parts = owner.split(".")
    for i in range(1, len(parts)):  # scanned from inside the package: `myapp.keys` is module `keys`
        if mod is not None:
            break
        mod = index.find_module(".".join(parts[i:]), importer)
    if mod is not None:
        if func in _randoms(mod):
            return mod, func
        target = mod.reexports.get(func)
        t_owner, _, t_func = (target or "").rpartition(".")
        t_mod = index.find_module(t_owner, mod.path) if t_owner and target != ref else None
        return (t_mod, t_func) if t_mod is not None and t_func in _randoms(t_mod) else None
    inside = [m for name, mods in index.by_name.items() if name.startswith(owner + ".")
              for m in mods if func in _randoms(m)]
    return (inside[0], func) if len(inside) == 1 else None


def _randoms(mod: "ModuleSummary") -> Set[str]:
    """Names of ``mod`` whose value is random: its random helpers and its random module-level values."""
    # getattr: summaries cached before these fields existed
    return (getattr(mod, "random_functions", None) or set()) | _constants(mod)


def _constants(mod: "ModuleSummary") -> Set[str]:
    return getattr(mod, "random_constants", None) or set()
