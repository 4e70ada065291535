"""The per-file result cache in ``.flask_preflight_cache/``.

An entry holds what one file contributes before the project-wide resolution: its own findings and problems,
the Python module summary, or the parsed deployment file. Cross-file conclusions (config classes imported
from another module, a Dockerfile that runs a module with ``debug=True``) are recomputed on every run from
these entries, so they stay right when only one of the files changed.

The key is a hash of the file's bytes, its identity in the project (path, module name, test or not, kind),
the tool version, a hash of the analyser's own source (an edited analyser with an unchanged version never
reads results its old code wrote) and the settings fingerprint. Entries are written atomically (temp file + ``os.replace``),
so concurrent runs at worst write the same entry twice; an unreadable, corrupt or foreign entry is ignored
and rewritten. Entries are signed with a key kept in the user's cache directory, outside the project:
the cache sits inside a checkout that may be untrusted (a pull request), and a committed, crafted entry must
not be able to hide a finding.

For the same reason the cache directory itself is not trusted: a committed ``.flask_preflight_cache``
symlink (to the project root, or anywhere) would make the housekeeping files (``.gitignore`` with ``*``,
``CACHEDIR.TAG``) and the entries land where it points. Every directory the cache writes in must be a real
directory (``lstat``, never followed) owned by the current user; files are opened with ``O_NOFOLLOW`` and
must be regular files; a cache path that fails this is refused (:func:`cache_refusal`) and the run goes on
without the cache.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from typing import Any, BinaryIO, Dict, Optional, Tuple

from flask_preflight import __version__
from flask_preflight.static.serialize import Unserializable, decode, encode

CACHE_DIR_NAME = ".flask_preflight_cache"
SCHEMA = 3  # 2: findings carry redacted snippets (entries written before would show secrets); 3: view facts,
# and multi-line, implicitly concatenated and YAML-escaped secrets are redacted too
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# flask-preflight result cache (https://bford.info/cachedir/)\n"


def _user_cache_dir() -> str:
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = os.environ["LOCALAPPDATA"]
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flask-preflight")


def _signing_key() -> Optional[bytes]:
    """A random per-user key (created once, mode 0600); None when it cannot be kept, which disables caching."""
    path = os.path.join(_user_cache_dir(), "cache-signing.key")
    try:
        with open(path, "rb") as fh:
            key = fh.read()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        key = secrets.token_bytes(32)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # first writer wins; a concurrent run reads the winner's key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        with open(path, "rb") as fh:
            key = fh.read()
        return key if len(key) >= 32 else None
    except OSError:
        return None


class _Refused(Exception):
    """A cache path that must not be written through (a symlink, not a directory, someone else's)."""


def _check_dir(path: str) -> None:
    """Raise _Refused unless ``path`` is a real directory (not a symlink to one) owned by us."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - raced with removal
            target = "?"
        raise _Refused(f"it is a symbolic link (to {target!r}), not a directory flask-preflight created")
    if not stat.S_ISDIR(st.st_mode):
        raise _Refused("it is not a directory")
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and st.st_uid != geteuid():
        raise _Refused("it is owned by another user")


def _own_dir(path: str) -> None:
    """Create ``path`` if missing (parent already checked), then check it: never write through a link."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    _check_dir(path)


@functools.lru_cache(maxsize=1)
def code_identity() -> str:
    """A hash of the analyser's own source: an entry written by other code is a miss.

    The version alone is not enough: an editable install or a patched copy keeps its version while the
    analysis changes, and warm results would then be stale (a finding fixed in the code still shown)."""
    h = hashlib.sha256()
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                h.update(os.path.relpath(path, package).encode("utf-8", "surrogatepass") + b"\0")
                try:
                    with open(path, "rb") as fh:
                        h.update(fh.read())
                except OSError:
                    h.update(b"<unreadable>")
                h.update(b"\0")
    return h.hexdigest()


def cache_dirs(project_root: str) -> Tuple[str, str]:
    """The cache root in the project and this version's directory inside it."""
    root = os.path.join(os.path.abspath(project_root), CACHE_DIR_NAME)
    return root, os.path.join(root, f"v{SCHEMA}-{__version__}")


def cache_refusal(project_root: str) -> Optional[Tuple[str, str]]:
    """(path, why) when the existing cache path of ``project_root`` must not be used; None when it is fine
    or not there yet."""
    for path in cache_dirs(project_root):
        try:
            _check_dir(path)
        except FileNotFoundError:
            return None
        except _Refused as exc:
            return path, f"not used as the result cache: {exc}"
        except OSError as exc:
            return path, f"not used as the result cache: {exc.strerror or exc}"
    return None


def _open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading if it is a regular file, without following a symlink (a committed entry
    linking to /dev/zero or a FIFO must not hang the run)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path}: not a regular file")
    return os.fdopen(fd, "rb")


class ResultCache:
    """Open with ``ResultCache.open(project_root, fingerprint)``; every method swallows I/O errors."""

    def __init__(self, directory: str, fingerprint: str, key: bytes) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.key = key

    @classmethod
    def open(cls, project_root: str, fingerprint: str) -> Optional["ResultCache"]:
        key = _signing_key()
        if key is None:
            return None
        root, directory = cache_dirs(project_root)
        try:
            _own_dir(root)
            for name, text in ((".gitignore", "# Created by flask-preflight\n*\n"), ("CACHEDIR.TAG", _TAG)):
                path = os.path.join(root, name)
                if not os.path.lexists(path):
                    _atomic_write(path, text.encode("utf-8"))
            _own_dir(directory)
        except (OSError, _Refused):
            return None
        return cls(directory, fingerprint, key)

    def key_for(self, data: bytes, identity: str) -> str:
        h = hashlib.sha256()
        for part in (__version__, str(SCHEMA), code_identity(), self.fingerprint, identity):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str) -> Optional[Any]:
        try:
            with _open_regular(self._path(key)) as fh:
                raw = fh.read()
            mac, _, body = raw.partition(b"\n")
            if not hmac.compare_digest(mac, self._mac(key, body)):
                return None
            return decode(json.loads(body))
        except Exception:  # noqa: BLE001 - missing, truncated, corrupt or foreign: a miss, rewritten later
            return None

    def put(self, key: str, value: Any) -> None:
        try:
            body = json.dumps(encode(value), separators=(",", ":")).encode("utf-8")
        except (Unserializable, ValueError, RecursionError):
            return
        try:
            path = self._path(key)
            _own_dir(os.path.dirname(path))
            _atomic_write(path, self._mac(key, body) + b"\n" + body)
        except (OSError, _Refused):
            pass

    def _mac(self, key: str, body: bytes) -> bytes:
        return hmac.new(self.key, key.encode("ascii") + b"\0" + body, hashlib.sha256).hexdigest().encode("ascii")


def _atomic_write(path: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Manifest:
    """What the last run saw per path: size, mtime, inode and the content key (or "nothing to analyse").

    Like git's index, it lets an unchanged file be answered without reading it: that is what makes a warm
    run cheap on trees where most files are not Flask code. An entry is trusted only when the file's mtime
    is safely older than the run that recorded it (a file edited within the same clock tick is re-read).
    """

    RACY_NS = 2_000_000_000

    def __init__(self, cache: ResultCache) -> None:
        self.cache = cache
        # Per analyser code too: its entries point at results that code wrote.
        self.path = os.path.join(cache.directory, f"manifest-{cache.fingerprint}-{code_identity()[:16]}.txt")
        self.old: Dict[str, str] = {}
        self.new: Dict[str, str] = {}
        self.started_ns = 0
        self.changed = False

    def load(self, started_ns: int) -> "Manifest":
        """Stream the manifest line by line (``path NUL entry``), verifying the signature on the last line as
        it goes: 100,000 files never exist as one big string or JSON document in memory."""
        self.started_ns = started_ns
        mac = hmac.new(self.cache.key, b"manifest\0", hashlib.sha256)
        entries: Dict[str, str] = {}
        try:
            with _open_regular(self.path) as fh:
                for raw in fh:
                    if raw.startswith(b"mac "):
                        if hmac.compare_digest(raw[4:].strip(), mac.hexdigest().encode("ascii")):
                            self.old = entries
                        return self
                    mac.update(raw)
                    path, sep, entry = raw.rstrip(b"\n").partition(b"\0")
                    if sep:
                        entries[path.decode("utf-8", "surrogateescape")] = entry.decode("ascii")
        except (OSError, UnicodeDecodeError):
            pass
        return self

    def lookup(self, path: str, st: "FileStat", identity: str) -> Optional[Tuple[str, bool]]:
        """(content key, trivial) when ``path`` is unchanged since it was recorded, and still means the same
        module (``identity``, a ``digest`` of display path, module name, test or not: an added ``__init__.py``
        changes it)."""
        entry = self.old.get(path)
        if not isinstance(entry, str):
            return None
        fields = entry.split(" ")
        if len(fields) != 7:
            return None
        size, mtime, ino, recorded, key, trivial, ident = fields
        if (size, mtime, ino, ident) != (str(st[0]), str(st[1]), str(st[2]), identity):
            return None
        try:
            if st[1] >= int(recorded) - self.RACY_NS:
                return None
        except ValueError:
            return None
        return key, trivial == "1"

    def record(self, path: str, st: "FileStat", identity: str, key: str, trivial: bool) -> None:
        # One string per file: 100,000 entries stay a few tens of MB in memory.
        if "\n" in path:
            return  # the line format cannot hold it; such a file is simply re-read next time
        self.new[path] = f"{st[0]} {st[1]} {st[2]} {self.started_ns} {key} {int(trivial)} {identity}"

    def keep(self, path: str) -> None:
        if path in self.old:
            self.new[path] = self.old[path]

    def save(self) -> None:
        if self.new == self.old:
            return
        mac = hmac.new(self.cache.key, b"manifest\0", hashlib.sha256)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.cache.directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    for path, entry in self.new.items():
                        line = path.encode("utf-8", "surrogateescape") + b"\0" + entry.encode("ascii") + b"\n"
                        mac.update(line)
                        fh.write(line)
                    fh.write(b"mac " + mac.hexdigest().encode("ascii") + b"\n")
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass


FileStat = Tuple[int, int, int]  # size, mtime_ns, inode


def file_stat(path: str) -> FileStat:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


def digest(text: str) -> str:
    """A short stable digest of a file's identity (kept per file in memory and in the manifest)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
