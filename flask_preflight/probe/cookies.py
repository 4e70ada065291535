"""``Set-Cookie`` parsing and PF605 insecure-cookie-flags.

The parser is deliberately tolerant (real servers send all sorts of things) and never raises:
``http.cookies.SimpleCookie`` silently drops a whole header on one odd character and httpx's jar drops
cookies it cannot store, and either would hide exactly the cookies worth reporting. A header whose
first ``name=value`` pair is missing or whose name is not an RFC 6265 token is returned as invalid, and the
caller reports it as a note.

Session-like cookies (they need HttpOnly): the lower-cased name contains ``sess`` or ``login`` (the MDN
Observatory's rule: ``session``, ``PHPSESSID``, ``my_app_session``), or one of its words is in
``SESSION_WORDS`` (``sid``, ``remember_token``, ``auth``, ``token``, ``jwt``, ...). CSRF cookies (a word
``csrf``/``xsrf``) are never session-like: double-submit schemes read them from JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Dict, List, Optional, Sequence, Tuple

from flask_preflight.findings import Location, Severity
from flask_preflight.rules.probe import PF605
from flask_preflight.static.python.secrets import SENSITIVE_COOKIE_WORDS, cookie_words

CSRF_WORDS = frozenset({"csrf", "xsrf"})
SESSION_WORDS = frozenset(SENSITIVE_COOKIE_WORDS) - CSRF_WORDS
_TOKEN_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 6265 / 7230 token
_CTL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
SAMESITE_VALUES = {"lax": "Lax", "strict": "Strict", "none": "None"}
MAX_LISTED = 20  # cookies named in PF605's message; the rest are counted


@dataclass
class SetCookie:
    """One parsed ``Set-Cookie`` header. ``value`` is kept for PF606 and never printed."""

    name: str
    value: str
    attrs: Dict[str, str] = field(default_factory=dict)  # lower-cased attribute name -> value ("" for flags)
    url: str = ""

    @property
    def secure(self) -> bool:
        return "secure" in self.attrs

    @property
    def httponly(self) -> bool:
        return "httponly" in self.attrs

    @property
    def samesite(self) -> Optional[str]:
        return self.attrs.get("samesite")

    @property
    def deleted(self) -> bool:
        """An empty value, Max-Age <= 0 or an expiry in the past: the server is removing the cookie."""
        if self.value in ("", '""'):
            return True
        max_age = self.attrs.get("max-age", "").strip()
        if re.fullmatch(r"-?\d+", max_age) and int(max_age) <= 0:
            return True
        expires = self.attrs.get("expires", "").strip()
        if expires:
            try:
                when = parsedate_to_datetime(expires)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=timezone.utc)
                return when < datetime.now(timezone.utc)
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
        return False


@dataclass
class InvalidCookie:
    url: str
    reason: str


def parse_set_cookie(header: str, url: str = "") -> "SetCookie | InvalidCookie":
    """Parse one ``Set-Cookie`` header value the way browsers do (RFC 6265 section 5.2), leniently."""
    try:
        if not isinstance(header, str) or not header.strip():
            return InvalidCookie(url, "empty Set-Cookie header")
        if _CTL_RE.search(header):
            return InvalidCookie(url, "Set-Cookie header contains control characters")
        first, _, rest = header.partition(";")
        if "=" not in first:
            return InvalidCookie(url, f"Set-Cookie without name=value ({_preview(first)})")
        name, _, value = first.partition("=")
        name, value = name.strip(), value.strip()
        if not name:
            return InvalidCookie(url, "Set-Cookie with an empty cookie name")
        if not _TOKEN_RE.match(name):
            return InvalidCookie(url, f"Set-Cookie with an invalid cookie name {_preview(name)}")
        attrs: Dict[str, str] = {}
        for part in rest.split(";"):
            key, _, val = part.partition("=")
            key = key.strip().lower()
            if key:
                attrs[key] = val.strip()
        return SetCookie(name=name, value=value, attrs=attrs, url=url)
    except Exception as exc:  # noqa: BLE001 - a parser must never take the probe down
        return InvalidCookie(url, f"unparsable Set-Cookie header ({type(exc).__name__})")


def _preview(text: str) -> str:
    text = text.strip()
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def is_session_like(name: str) -> bool:
    lower = name.lower()
    words = cookie_words(name)
    if words & CSRF_WORDS:
        return False
    return "sess" in lower or "login" in lower or bool(words & SESSION_WORDS)


def cookie_issues(cookie: SetCookie, https: bool) -> List[Tuple[str, Severity]]:
    """What is wrong with one cookie's flags, with a severity each (empty: nothing)."""
    if cookie.deleted:
        return []
    session = is_session_like(cookie.name)
    issues: List[Tuple[str, Severity]] = []
    if https and not cookie.secure:
        issues.append(("no Secure", Severity.HIGH if session else Severity.LOW))
    if session and not cookie.httponly:
        issues.append(("no HttpOnly", Severity.HIGH))
    samesite = cookie.samesite
    if samesite is None:
        issues.append(("no SameSite", Severity.LOW))
    elif samesite.strip().lower() not in SAMESITE_VALUES:
        issues.append((f"invalid SameSite={samesite[:20]!r}", Severity.LOW))
    elif samesite.strip().lower() == "none" and not cookie.secure:
        issues.append(("SameSite=None without Secure (browsers reject it)", Severity.MEDIUM))
    return issues


def check_cookies(target: str, cookies: Sequence[SetCookie], location: Location) -> list:
    """One PF605 finding for the target listing every cookie with weak flags (or nothing)."""
    seen: Dict[str, List[Tuple[str, Severity]]] = {}
    where: Dict[str, str] = {}
    for c in cookies:
        https = c.url.lower().startswith("https:")
        issues = cookie_issues(c, https)
        if not issues or c.name in seen:
            continue
        seen[c.name] = issues
        where[c.name] = c.url
    if not seen:
        return []
    severity = max((s for issues in seen.values() for _, s in issues), key=lambda s: s.rank)
    # the most severe first, so the cut (a server may set hundreds of cookies) keeps what matters
    ranked = sorted(seen.items(), key=lambda item: (-max(s.rank for _, s in item[1]), item[0]))
    listed = sorted(ranked[:MAX_LISTED])
    more = len(seen) - len(listed)
    rest = f"; and {more} more cookie{'s' if more != 1 else ''}" if more else ""
    parts = [f"{name} ({', '.join(text for text, _ in issues)})" for name, issues in listed]
    kind = "a cookie" if len(seen) == 1 else "cookies"
    message = f"The site sets {kind} with weak flags: {'; '.join(parts)}{rest}."
    evidence = "; ".join(f"Set-Cookie: {name} on GET {where[name]}: {', '.join(t for t, _ in issues)}"
                         for name, issues in listed) + rest
    return [PF605.finding(message, location, severity=severity, evidence=evidence)]
