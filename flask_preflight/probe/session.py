"""PF606 forgeable-session-cookie: test a Flask session cookie's signature offline against known keys.

Flask signs its session cookie with itsdangerous' ``URLSafeTimedSerializer`` as configured by
``flask.sessions.SecureCookieSessionInterface``: salt ``"cookie-session"``, ``key_derivation="hmac"``,
``digest_method=hashlib.sha1`` and the ``TaggedJSONSerializer``. The cookie is::

    [.]<base64url(payload)>.<base64url(timestamp)>.<base64url(signature)>

(a leading ``.`` means the payload is zlib-compressed) and the signature is::

    HMAC-SHA1(key=HMAC-SHA1(SECRET_KEY, b"cookie-session"), msg=b"[.]<payload>.<timestamp>")

which is exactly what ``itsdangerous.Signer.derive_key`` / ``get_signature`` compute. Doing it with
``hmac.digest`` directly is what makes the whole wordlist cheap: the derived key of every candidate is
computed once per process and cached, so checking a cookie is one HMAC per candidate, and nothing here
needs itsdangerous or Flask installed (they are not dependencies of flask-preflight). When itsdangerous is
importable, a hit is confirmed with it before it is reported.

Candidates, in order: the placeholder keys ``check`` knows (``PLACEHOLDERS`` in
``flask_preflight/static/python/secrets.py``, spelled the ways tutorials write them), the keys printed in
Flask's documentation, every ``--secret-wordlist FILE``, and the flask-unsign wordlist
(``flask_unsign_wordlist.get("all")``). Wordlist lines are Python string literals (flask-unsign's format);
a line that is not a literal is used as it is. Only the payload's keys are ever reported, never its values,
and only the first two characters of a key that verifies.
"""

from __future__ import annotations

import ast
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import threading
import time
import warnings
import zlib
from dataclasses import dataclass, field
from itertools import repeat
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from flask_preflight.findings import Location
from flask_preflight.rules.probe import PF606

SALT = b"cookie-session"
DIGEST = "sha1"
SIG_LEN = 27  # base64url of 20 bytes, unpadded
COOKIE_RE = re.compile(r"^(\.?)([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{2,12})\.([A-Za-z0-9_-]{%d})$" % SIG_LEN)
FLASK_DEFAULT_COOKIE = "session"
MAX_PAYLOAD = 64 * 1024
CHUNK = 4096  # candidates per C-level batch in find_key  # decompressed; a browser cookie is at most 4 KB anyway

# Words the placeholders are made of, so "devkey" is also tried as "dev-key", "dev_key", "Dev Key"...
_VOCAB = sorted({
    "a", "abc", "change", "csrf", "default", "dev", "development", "flask", "fix", "guess", "hard", "here",
    "insecure", "is", "it", "jwt", "keep", "key", "me", "my", "never", "not", "please", "put", "replace", "safe",
    "salt", "secret", "so", "some", "something", "string", "super", "test", "testing", "this", "to", "todo",
    "top", "very", "will", "you", "your", "password", "123", "s3cr3t", "s3cret", "secret123",
}, key=len, reverse=True)
# Well-known spellings that the segmentation cannot produce.
_EXTRA_KEYS = (
    "hard to guess string", "you-will-never-guess", "you-will-never-guess-this", "SECRET_KEY", "secret_key",
    "super secret key", "super-secret-key", "super_secret_key", "my-secret-key", "my_secret_key", "changeme",
    "change-me", "change_me", "ThisIsASecret", "CHANGE_ME", "REPLACE_ME", "dev", "development key", "secret!",
    "keep it secret, keep it safe", "your-secret-key", "your_secret_key", "your secret key", "secretkey",
)


@dataclass
class FlaskCookie:
    """A cookie that has the shape of an itsdangerous-signed Flask session."""

    name: str
    value: str
    keys: Optional[List[str]]  # top-level payload keys, or None when the payload is not a JSON object
    compressed: bool
    url: str = ""
    unreadable: str = ""  # why the payload's keys could not be read (e.g. nested too deeply); "" otherwise

    @property
    def keys_text(self) -> str:
        """The payload keys as reports show them (never a value)."""
        if self.keys:
            return ", ".join(self.keys)
        if self.keys == []:
            return "none"
        return f"unreadable ({self.unreadable})" if self.unreadable else "not JSON"


@dataclass
class Crack:
    """The outcome of testing one cookie."""

    cookie: FlaskCookie
    tested: int
    seconds: float
    key: Optional[bytes] = None
    source: str = ""
    complete: bool = True  # False: the search stopped at the deadline after ``tested`` candidates


@dataclass
class Candidates:
    keys: List[bytes] = field(default_factory=list)
    derived: List[bytes] = field(default_factory=list)
    sources: List[Tuple[int, str]] = field(default_factory=list)  # (end index, source name), ascending

    def source_of(self, index: int) -> str:
        for end, name in self.sources:
            if index < end:
                return name
        return "a wordlist"

    def __len__(self) -> int:
        return len(self.keys)


# ---- decoding -------------------------------------------------------------------------------------------------


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_flask_cookie(name: str, value: str, url: str = "") -> Optional[FlaskCookie]:
    """A FlaskCookie when ``value`` looks like Flask's session format (decodable payload), else None."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    m = COOKIE_RE.match(value)
    if not m:
        return None
    compressed, payload = bool(m.group(1)), m.group(2)
    try:
        data = _b64decode(payload)
        if compressed:
            decomp = zlib.decompressobj()
            data = decomp.decompress(data, MAX_PAYLOAD)
            if decomp.unconsumed_tail:
                return None
        _b64decode(m.group(3))
        _b64decode(m.group(4))
    except (binascii.Error, ValueError, zlib.error):
        return None
    try:
        obj = json.loads(data.decode("utf-8"))
    except RecursionError:
        # A payload nested thousands of levels deep (64 KB of "[" fits in a 200-byte compressed cookie): the
        # signature can still be tested, only the keys cannot be listed.
        return FlaskCookie(name, value, None, compressed, url, unreadable="nested too deeply to read")
    except (UnicodeDecodeError, ValueError):
        # Not JSON: a non-Flask itsdangerous cookie (pickle-based serializer...); still a signed cookie
        # worth testing only when it carries Flask's cookie name.
        if name != FLASK_DEFAULT_COOKIE:
            return None
        return FlaskCookie(name, value, None, compressed, url)
    keys = sorted(str(k) for k in obj) if isinstance(obj, dict) else None
    if keys is None and name != FLASK_DEFAULT_COOKIE:
        return None
    return FlaskCookie(name, value, keys, compressed, url)


# ---- candidate keys -------------------------------------------------------------------------------------------


def _segment(word: str) -> Optional[List[str]]:
    """Split a normalised placeholder into vocabulary words (shortest split), or None."""
    best: Dict[int, List[str]] = {0: []}
    for i in range(len(word)):
        if i not in best:
            continue
        for w in _VOCAB:
            if word.startswith(w, i):
                cand = best[i] + [w]
                j = i + len(w)
                if j not in best or len(cand) < len(best[j]):
                    best[j] = cand
    return best.get(len(word))


def placeholder_keys() -> List[str]:
    """The placeholders ``check`` knows, in the spellings people write them, plus Flask's documented keys."""
    from flask_preflight.static.python.secrets import PLACEHOLDERS

    out: List[str] = []
    for word in sorted(PLACEHOLDERS):
        forms = {word, word.upper(), word.capitalize()}
        parts = _segment(word)
        if parts and len(parts) > 1:
            for sep in ("-", "_", " ", ""):
                joined = sep.join(parts)
                forms.update({joined, joined.upper(), joined.capitalize(), sep.join(p.capitalize() for p in parts)})
        out.extend(sorted(forms))
    out.extend(_EXTRA_KEYS)
    return out


def public_keys() -> List[bytes]:
    from flask_preflight.runtime.check_config import PUBLIC_KEYS

    return sorted(_to_bytes(k) for k in PUBLIC_KEYS)


def _to_bytes(key: object) -> bytes:
    return key if isinstance(key, bytes) else str(key).encode("utf-8", "surrogateescape")


def read_wordlist(path: str, *, keep_raw: bool = False) -> List[bytes]:
    """Keys from a wordlist file: one per line, Python string literals (flask-unsign's format) or plain text.

    ``keep_raw`` also keeps a quoted line as written (for user lists, where quotes may be part of a key).
    A fast path handles the common ``'simple'`` line without ``ast.literal_eval``. Raises OSError.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    text = data.decode("utf-8", "surrogateescape")
    keys: List[bytes] = []
    append = keys.append
    for line in text.splitlines():
        if not line:
            continue
        q = line[0]
        if q in "'\"" and len(line) >= 2 and line[-1] == q:
            inner = line[1:-1]
            if "\\" not in inner and q not in inner:
                append(inner.encode("utf-8", "surrogateescape"))
                if keep_raw:
                    append(line.encode("utf-8", "surrogateescape"))
                continue
        if q in "'\"bBrRuU":
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # "invalid escape sequence" in list entries
                    value = ast.literal_eval(line)
            except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
                value = None
            if isinstance(value, (str, bytes)):
                append(_to_bytes(value))
                if keep_raw:
                    append(line.encode("utf-8", "surrogateescape"))
                continue
        append(line.encode("utf-8", "surrogateescape"))
    return keys


def bundled_wordlist_path() -> Optional[str]:
    try:
        import flask_unsign_wordlist

        return flask_unsign_wordlist.get("all")
    except Exception:  # noqa: BLE001 - package missing or renamed its list
        return None


_CACHE: Dict[Tuple[Tuple[str, float, int], ...], Candidates] = {}
_LOCK = threading.Lock()


def derive(key: bytes) -> bytes:
    """itsdangerous ``Signer.derive_key`` for key_derivation="hmac", digest sha1, salt "cookie-session"."""
    return hmac.digest(key, SALT, DIGEST)


def load_candidates(extra_wordlists: Sequence[str] = (), *, bundled: bool = True) -> Candidates:
    """Every candidate key with its derived signing key, deduplicated, cached per process.

    Raises OSError when a ``--secret-wordlist`` cannot be read (the CLI checks them up front)."""
    files: List[Tuple[str, str]] = [(p, f"--secret-wordlist {p}") for p in extra_wordlists]
    if bundled:
        path = bundled_wordlist_path()
        if path:
            files.append((path, "the flask-unsign wordlist"))
    stamp = tuple((p, *_mtime(p)) for p, _ in files)
    with _LOCK:
        cached = _CACHE.get(stamp)
        if cached is not None:
            return cached
        seen: Dict[bytes, None] = {}
        cands = Candidates()

        def add(keys: Iterable[bytes], source: str) -> None:
            for k in keys:
                if k not in seen:
                    seen[k] = None
                    cands.keys.append(k)
            cands.sources.append((len(cands.keys), source))

        add((_to_bytes(k) for k in placeholder_keys()), "the placeholder keys `check` knows")
        add(public_keys(), "Flask's documentation")
        for path, source in files:
            add(read_wordlist(path, keep_raw=source.startswith("--")), source)
        cands.derived = [hmac.digest(k, SALT, DIGEST) for k in cands.keys]
        _CACHE[stamp] = cands
        return cands


def _mtime(path: str) -> Tuple[float, int]:
    try:
        st = os.stat(path)
        return st.st_mtime, st.st_size
    except OSError:
        return 0.0, 0


# ---- verification ---------------------------------------------------------------------------------------------


def find_key(cookie_value: str, cands: Candidates) -> Optional[int]:
    """Index of the candidate whose derived key signs ``cookie_value``, or None. One HMAC per candidate."""
    return search_key(cookie_value, cands)[0]


def search_key(cookie_value: str, cands: Candidates, deadline: Optional[float] = None) -> Tuple[Optional[int], int]:
    """(index of the key that signs ``cookie_value`` or None, candidates tested).

    Stops early at ``deadline`` (a ``time.monotonic()`` value), checked between chunks of ``CHUNK``
    candidates, so the search never runs much past the caller's time limit; fewer than ``len(cands)``
    tested then means the search is incomplete."""
    value = cookie_value.strip().strip('"')
    msg, sep, sig_text = value.rpartition(".")
    if not sep:
        return None, len(cands)
    try:
        sig = _b64decode(sig_text)
    except (binascii.Error, ValueError):
        return None, len(cands)
    msg_b = msg.encode("ascii", "replace")
    # map + list.index keep the loop in C (about twice as fast as a Python for loop); chunks stop early on a
    # hit, so the placeholders at the front of the list cost almost nothing.
    derived = cands.derived
    for start in range(0, len(derived), CHUNK):
        if deadline is not None and time.monotonic() >= deadline:
            return None, start
        signatures = list(map(hmac.digest, derived[start:start + CHUNK], repeat(msg_b), repeat(DIGEST)))
        try:
            index = start + signatures.index(sig)
        except ValueError:
            continue
        return index, index + 1
    return None, len(derived)


def _confirm(cookie_value: str, key: bytes) -> bool:
    """Double-check a hit with itsdangerous itself when it is installed (Flask's own signer)."""
    try:
        from itsdangerous import URLSafeTimedSerializer
    except ImportError:
        return True
    serializer = URLSafeTimedSerializer(key, salt="cookie-session",
                                        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1})
    try:
        # payload format aside, the signature is what matters; loads_unsafe answers a bad signature with
        # (False, payload) rather than raising BadSignature
        ok, _ = serializer.loads_unsafe(cookie_value)
        return bool(ok)
    except Exception:  # noqa: BLE001 - odd payload; the HMAC check already matched
        return True


def crack(cookie: FlaskCookie, cands: Candidates, deadline: Optional[float] = None) -> Crack:
    start = time.perf_counter()
    index, tested = search_key(cookie.value, cands, deadline)
    seconds = time.perf_counter() - start
    result = Crack(cookie=cookie, tested=len(cands) if index is not None else tested, seconds=seconds,
                   complete=index is not None or tested >= len(cands))
    if index is not None and _confirm(cookie.value.strip().strip('"'), cands.keys[index]):
        result.key = cands.keys[index]
        result.source = cands.source_of(index)
    return result


def key_hint(key: bytes) -> str:
    """The first two characters of a key, printable (never more)."""
    text = key.decode("utf-8", "replace")[:2]
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def check_sessions(target: str, cookies: Sequence[FlaskCookie], location: Location,
                   cands: Optional[Candidates], deadline: Optional[float] = None) -> Tuple[list, List[Crack]]:
    """PF606 findings (one per target, the first cookie that verifies) and the outcome for every cookie.

    Past ``deadline`` the remaining searches stop at once (``Crack.complete`` is False for them)."""
    if not cookies or cands is None:
        return [], []
    results = [crack(c, cands, deadline) for c in cookies]
    findings = []
    for r in results:
        if r.key is None:
            continue
        keys = r.cookie.keys_text
        findings.append(PF606.finding(
            f"The Flask session cookie `{r.cookie.name}` is signed with a known key (starts with "
            f"{key_hint(r.key)!r}, from {r.source}): anyone can forge a session with any content. Payload "
            f"keys: {keys}.",
            location,
            evidence=f"Set-Cookie: {r.cookie.name}=<redacted> on GET {r.cookie.url}; signature verified "
                     f"offline with a key starting {key_hint(r.key)!r} ({r.source})"))
        break
    return findings, results
