"""Keys handed straight to a signing library: PyJWT's ``jwt.encode``/``jwt.decode`` and itsdangerous' signers.

A token signed with a key from the source can be forged by anyone with the source, whatever the variable
holding the key is called (``JWT_SECRET``, ``TOKEN_KEY``), so the key is judged where the library receives
it, not by its name: the argument is followed to its value, and the finding goes to the assignment that
holds the literal (the line a reader must change). The signatures come from the libraries themselves:

- PyJWT 2.x ``encode(payload, key, algorithm=..., ...)``, ``decode(jwt, key="", algorithms=None, ...)`` and
  ``decode_complete`` (same parameters as ``decode``);
- itsdangerous 2.x ``Signer(secret_key, ...)``, ``Serializer(secret_key, salt=..., ...)`` and their
  subclasses (``TimestampSigner``, ``TimedSerializer``, ``URLSafeSerializer``, ``URLSafeTimedSerializer``),
  plus ``JSONWebSignatureSerializer``/``TimedJSONWebSignatureSerializer`` of itsdangerous < 2.1.
"""

from __future__ import annotations

import ast
from typing import Any, List, Optional, Tuple

from flask_preflight.static.python.evaluate import Evaluator
from flask_preflight.static.python.model import ModuleModel, Site

# qualified function -> (position of the key, its keyword name)
JWT_KEY_ARGS = {f"jwt.{m}.{f}" if m else f"jwt.{f}": (1, "key")
                for m in ("", "api_jwt") for f in ("encode", "decode", "decode_complete")}
ITSDANGEROUS_CLASSES = {"Signer", "TimestampSigner", "Serializer", "TimedSerializer", "URLSafeSerializer",
                        "URLSafeTimedSerializer", "JSONWebSignatureSerializer", "TimedJSONWebSignatureSerializer"}
# Verifying with a public key or certificate: public by design, not a secret.
_PUBLIC_MARKERS = ("PUBLIC KEY", "BEGIN CERTIFICATE", "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")


def key_argument(model: ModuleModel, call: ast.Call) -> Optional[Tuple[str, ast.expr]]:
    """(library call as written for messages, key expression) when ``call`` hands a signing key to PyJWT or
    itsdangerous; None otherwise (including a call whose key comes through ``*args``/``**kwargs``)."""
    qual = model.qualname(call.func) or ""
    if qual in JWT_KEY_ARGS:
        pos, kw = JWT_KEY_ARGS[qual]
        label = "jwt." + qual.rsplit(".", 1)[1]
    elif qual.startswith("itsdangerous.") and qual.rsplit(".", 1)[1] in ITSDANGEROUS_CLASSES:
        pos, kw = 0, "secret_key"
        label = qual.rsplit(".", 1)[1]
    else:
        return None
    for k in call.keywords:
        if k.arg == kw:
            return label, k.value
    args = call.args
    if any(isinstance(a, ast.Starred) for a in args[: pos + 1]):
        return None
    return (label, args[pos]) if len(args) > pos else None


def verifies_with_public_key(model: ModuleModel, call: ast.Call, site: Site) -> bool:
    """``jwt.decode(token, key, algorithms=["RS256"])``: every accepted algorithm is asymmetric, so the key
    is a public key (PyJWT rejects a public-key algorithm with an HMAC secret and vice versa)."""
    qual = model.qualname(call.func) or ""
    if not qual.startswith("jwt.") or qual.endswith("encode"):
        return False
    algs: Any = None
    for k in call.keywords:
        if k.arg == "algorithms":
            algs = Evaluator(model, None).eval(k.value, site.scope, call.lineno)
    if len(call.args) > 2:
        algs = Evaluator(model, None).eval(call.args[2], site.scope, call.lineno)
    if isinstance(algs, str):
        algs = [algs]
    return isinstance(algs, (list, tuple)) and bool(algs) and \
        all(isinstance(a, str) and not a.upper().startswith("HS") for a in algs)


def public_value(value: Any) -> bool:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return any(m in text for m in _PUBLIC_MARKERS)


def holder(model: ModuleModel, expr: ast.expr, site: Site, line: int) -> Tuple[ast.expr, Optional[ast.stmt], str]:
    """Where the key's value is written: a plain name is followed through assignments (``KEY = SECRET``) to
    the last one whose value is not itself a name; (value expression, its statement, the name shown)."""
    shown = ""
    stmt: Optional[ast.stmt] = None
    scope = site.scope
    seen: List[int] = []
    while isinstance(expr, ast.Name) and len(seen) < 4:
        binding, bscope = model.lookup(expr.id, scope, line)
        if binding is None or binding.kind != "assign" or binding.value is None or id(binding) in seen:
            break
        seen.append(id(binding))
        shown = shown or expr.id
        stmt = binding.node if isinstance(binding.node, ast.stmt) else stmt
        expr, scope, line = binding.value, bscope, binding.line
    return expr, stmt, shown
