"""The probe's checks: pure functions of what the requests returned (an :class:`Observation`), no I/O.

PF601 dev server, PF602 debugger, PF603 plain http, PF604 HSTS, PF506 security headers, PF510 version
disclosure, PF607 tracebacks; cookies (PF605) live in ``cookies.py`` and the session key (PF606) in
``session.py``. Each check runs on its own (``analyze``): one that raises - whatever a hostile server
sent - is recorded in ``Analysis.failed`` (the runner reports it and withholds the grade) and the others
still run. At most ``MAX_SESSION_COOKIES`` signed cookies are kept for PF606; the names of the others
are kept so the report can say which were not tested.

Every finding points at the URL the user gave (``path=URL``, line 1); evidence names the
request (random parts shown as ``<random>``) and the marker that matched, never a cookie value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

from flask_preflight.findings import Finding, Location, Severity
from flask_preflight.probe.client import DNS, REFUSED, TIMEOUT, Exchange, Response
from flask_preflight.probe.cookies import InvalidCookie, SetCookie, check_cookies, parse_set_cookie
from flask_preflight.probe.session import COOKIE_RE, FlaskCookie, parse_flask_cookie
from flask_preflight.rules.probe import PF601, PF602, PF603, PF604, PF607
from flask_preflight.rules.runtime import PF506, PF510

HSTS_ONE_YEAR = 31_536_000
HSTS_SIX_MONTHS = 15_552_000  # the MDN Observatory's threshold

# Server headers of development servers: Werkzeug's (flask run, app.run), wsgiref's, http.server's.
DEV_SERVER_RE = re.compile(r"^\s*(Werkzeug|WSGIServer|SimpleHTTP|BaseHTTP)(?:/|\s|$)", re.IGNORECASE)
VERSION_RE = re.compile(r"\d+\.\d+")

# Werkzeug's debugger.js (stable from 0.11 to 3.2); "__debugger__" alone is not used: a page may echo the query.
DEBUGGER_JS_MARKERS = ("EVALEX_TRUSTED", "CONSOLE_MODE", "pinauth", "initPinBox")
DEBUGGER_CSS_MARKERS = ("div.debugger", "div.traceback", "div.console", "pin-prompt")
CONSOLE_TITLE = "Interactive Console"
CONSOLE_MODE_RE = re.compile(r"CONSOLE_MODE\s*=\s*true")
EVALEX_TRUSTED_RE = re.compile(r"EVALEX_TRUSTED\s*=\s*true")
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Traceback <em>(most recent call last)</em>")
DEBUGGER_PAGE_MARKERS = ("// Werkzeug Debugger</title>", "The debugger caught an exception in your WSGI application",
                         "?__debugger__=yes&amp;cmd=resource", "?__debugger__=yes&cmd=resource")


@dataclass
class Observation:
    """Everything the requests for one URL returned; ``None`` for a request that was not made."""

    url: str
    main: Optional[Exchange] = None
    http_variant: Optional[Exchange] = None
    http_variant_skipped: str = ""
    debugger_js: Optional[Exchange] = None
    style_css: Optional[Exchange] = None
    console: Optional[Exchange] = None
    missing: Optional[Exchange] = None
    malformed: Optional[Exchange] = None
    insecure: bool = False

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()

    def exchanges(self) -> List[Exchange]:
        return [e for e in (self.main, self.http_variant, self.debugger_js, self.style_css, self.console,
                            self.missing, self.malformed) if e is not None]

    def responses(self) -> Iterator[Tuple[Exchange, Response]]:
        for ex in self.exchanges():
            for r in ex.responses:
                yield ex, r


@dataclass
class Analysis:
    findings: List[Finding] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    cookies: List[SetCookie] = field(default_factory=list)
    invalid_cookies: List[InvalidCookie] = field(default_factory=list)
    flask_cookies: List[FlaskCookie] = field(default_factory=list)
    untested_cookies: List[str] = field(default_factory=list)  # signed-looking cookies over MAX_SESSION_COOKIES
    failed: List[Tuple[str, str]] = field(default_factory=list)  # (check, one line) per check that raised


MAX_SESSION_COOKIES = 4  # distinct signed cookies tested per URL (an app has one; a hostile server, hundreds)
MAX_DECODED_COOKIES = 32  # distinct cookies whose value is decoded (each decode may inflate to 64 KB)


def location(obs: Observation) -> Location:
    return Location(obs.url, 1)


def _shown(ex: Exchange, r: Response) -> str:
    """How evidence names the URL of response ``r``: the stable ``shown`` URL for the first hop."""
    return ex.shown if r is ex.responses[0] else r.url


def analyze(obs: Observation) -> Analysis:
    """Run every network-free check on ``obs`` (PF606's key search is done by the runner)."""
    out = Analysis()
    for name, check in CHECKS:
        before = len(out.findings)
        try:
            check(obs, out)
        except Exception as exc:  # noqa: BLE001 - one check's failure is its own problem, not the run's
            del out.findings[before:]  # half a check's findings would read as its whole verdict
            out.failed.append((name, redact(failure_line(name, exc), obs)))
    return out


def failure_line(name: str, exc: BaseException) -> str:
    """One line for a check that raised: which check, the exception type and the start of its message."""
    lines = str(exc).strip().splitlines()
    text = lines[0][:120] if lines else ""
    return f"the {name} check failed ({type(exc).__name__}{': ' + text if text else ''}); its findings are not reported"


def redact(text: str, obs: Observation) -> str:
    """``text`` with every cookie value the site set replaced by ``<redacted>``: an exception message may
    quote the input that broke a check, and a session cookie is a credential."""
    values = set()
    for _, r in obs.responses():
        for raw in r.header_list("Set-Cookie"):
            value = raw.partition(";")[0].partition("=")[2].strip()
            if len(value) >= 6:
                values.add(value)
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "<redacted>")
    # a value cut by a length limit (failure_line's 120 characters, the runner's 300) is only a prefix; cover
    # long prefixes too, however long
    for value in values:
        for cut in range(len(value) - 1, 11, -1):
            if value[:cut] in text:
                text = text.replace(value[:cut], "<redacted>")
                break
    return text


# ---- PF601 / PF510 ---------------------------------------------------------------------------------------------


def check_server(obs: Observation, out: Analysis) -> None:
    dev: Optional[Tuple[str, str]] = None
    disclosed: List[str] = []
    first_url = ""
    for ex, r in obs.responses():
        server = r.header("Server").strip()
        if server and dev is None and DEV_SERVER_RE.match(server):
            dev = (server, _shown(ex, r))
        for header in ("Server", "X-Powered-By"):
            value = r.header(header).strip()
            if not value or (header == "Server" and not VERSION_RE.search(value)):
                continue
            item = f"{header}: {value[:120]}"
            if item not in disclosed:
                disclosed.append(item)
                first_url = first_url or _shown(ex, r)
    if dev is not None:
        server, url = dev
        out.findings.append(PF601.finding(
            f"The site is served by a development server (`Server: {server[:120]}`): single-process, not "
            f"hardened, and usually run with debug mode nearby.",
            location(obs), evidence=f"GET {url} -> Server: {server[:120]}"))
    if disclosed:
        out.findings.append(PF510.finding(
            f"The site's responses advertise its software ({'; '.join(disclosed)}): scanners match these "
            f"against known vulnerabilities.",
            location(obs), evidence=f"GET {first_url}: {'; '.join(disclosed)}"))


# ---- PF602 ---------------------------------------------------------------------------------------------------


def _markers(body: str, markers: Tuple[str, ...]) -> List[str]:
    return [m for m in markers if m in body]


def check_debugger(obs: Observation, out: Analysis) -> None:
    evidence: List[str] = []
    baseline = obs.main.final.body if obs.main is not None and obs.main.final is not None else ""
    js = obs.debugger_js.final if obs.debugger_js is not None else None
    if js is not None and js.status == 200:
        found = _markers(js.body, DEBUGGER_JS_MARKERS)
        if len(found) >= 2 and len(_markers(baseline, DEBUGGER_JS_MARKERS)) < 2:
            evidence.append(f"GET {obs.debugger_js.shown} -> 200 {js.header('Content-Type')[:60]}; "
                            f"Werkzeug's debugger.js ({', '.join(found)})")
    css = obs.style_css.final if obs.style_css is not None else None
    if css is not None and css.status == 200:
        found = _markers(css.body, DEBUGGER_CSS_MARKERS)
        if "div.traceback" in found and len(found) >= 2 and "div.traceback" not in baseline:
            evidence.append(f"GET {obs.style_css.shown} -> 200; Werkzeug's debugger style.css "
                            f"({', '.join(found)})")
    console = obs.console.final if obs.console is not None else None
    open_console = pin_off = False
    if console is not None and console.status == 200 and CONSOLE_TITLE in console.body and (
            CONSOLE_MODE_RE.search(console.body) or "__debugger__" in console.body):
        open_console = True
        pin_off = bool(EVALEX_TRUSTED_RE.search(console.body))
        evidence.append(f"GET {obs.console.shown} -> 200; {CONSOLE_TITLE!r} page"
                        + (" with EVALEX_TRUSTED = true" if pin_off else ""))
    if not evidence:
        return
    if console is not None and console.status == 400 and not open_console:
        missing = obs.missing.status if obs.missing is not None else None
        if missing != 400:
            out.notes.append(f"GET {obs.console.shown} answered 400 (the 404 page answers {missing}): the "
                             f"debugger console is there but refuses this Host (Werkzeug >= 3.0.3 trusted_hosts)")
            evidence.append(f"GET {obs.console.shown} -> 400 (console present, host-restricted)")
    if pin_off:
        what = ("The Werkzeug debugger's interactive console at /console is open WITHOUT a PIN "
                "(EVALEX_TRUSTED = true): anyone can run Python code on the server.")
    elif open_console:
        what = ("The Werkzeug debugger's interactive console answers at /console: Python code execution on the "
                "server is one PIN away, and the PIN is derived from guessable machine facts.")
    else:
        what = ("The Werkzeug debugger is active on this host (it serves its own debugger files): every "
                "unhandled exception shows an interactive traceback page with source code and the debugger "
                "secret, and the console can run Python code behind a PIN.")
    out.findings.append(PF602.finding(what, location(obs), evidence="; ".join(evidence)))


# ---- PF603 / PF604 ---------------------------------------------------------------------------------------------


def check_transport(obs: Observation, out: Analysis) -> None:
    main = obs.main.final if obs.main is not None else None
    reasons: List[str] = []
    evidence: List[str] = []
    if main is not None and main.scheme == "http":
        if 200 <= main.status < 300:
            reasons.append(f"{_shown(obs.main, main)} is served over plain http ({main.status}) without a redirect "
                           f"to https")
            evidence.append(obs.main.describe())
        else:
            out.notes.append(f"{_shown(obs.main, main)} answered {main.status} over plain http")
    elif main is not None and obs.scheme == "http":
        first = obs.main.responses[0]
        if first.location and not first.location.lower().startswith("https:"):
            out.notes.append(f"{obs.url} reaches https only after a redirect that stays on http "
                             f"({first.status} {first.location[:120]})")
    variant = obs.http_variant
    if obs.http_variant_skipped:
        out.notes.append(obs.http_variant_skipped)
    elif variant is not None:
        if variant.error:
            if variant.error_kind in (REFUSED, TIMEOUT, DNS):
                out.notes.append(f"{variant.shown} did not answer ({variant.error}): no plain-http service")
            else:
                out.notes.append(f"{variant.shown}: {variant.error}")
        elif variant.final is not None:
            r = variant.final
            loc = r.location.strip()
            if r.status in (301, 302, 303, 307, 308) and loc:
                target = urlsplit(_join(variant.url, loc))
                if target.scheme.lower() != "https":
                    reasons.append(f"{variant.shown} redirects to {loc[:120]}, not to https")
                    evidence.append(variant.describe())
                elif (target.hostname or "").lower() != (urlsplit(obs.url).hostname or "").lower():
                    out.notes.append(f"{variant.shown} redirects to https on another host ({loc[:120]})")
            elif 200 <= r.status < 300:
                reasons.append(f"{variant.shown} answers {r.status} over plain http instead of redirecting to "
                               f"https")
                evidence.append(variant.describe())
            else:
                out.notes.append(f"{variant.shown} answered {r.status} without a redirect to https")
    if reasons:
        out.findings.append(PF603.finding(
            "; ".join(reasons) + ": pages and cookies travel in clear text.", location(obs),
            evidence="; ".join(evidence)))
    if main is not None and main.scheme == "https":
        _hsts(obs, main, out)


def _join(base: str, ref: str) -> str:
    from urllib.parse import urljoin

    try:
        return urljoin(base, ref)
    except ValueError:
        return ref


def hsts_max_age(value: str) -> Optional[int]:
    m = re.search(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?", value, re.IGNORECASE)
    return int(m.group(1)) if m else None


def _hsts(obs: Observation, main: Response, out: Analysis) -> None:
    value = main.header("Strict-Transport-Security").strip()
    shown = _shown(obs.main, main)
    max_age = hsts_max_age(value) if value else None
    if not value:
        message, sev = f"{shown} answers over https without a Strict-Transport-Security header", Severity.HIGH
    elif max_age is None:
        message, sev = f"{shown} sends Strict-Transport-Security without a valid max-age", Severity.HIGH
    elif max_age == 0:
        message, sev = f"{shown} sends Strict-Transport-Security max-age=0, which switches HSTS off", Severity.HIGH
    elif max_age < HSTS_SIX_MONTHS:
        message, sev = (f"{shown} sends Strict-Transport-Security max-age={max_age} (under six months)",
                        Severity.MEDIUM)
    elif max_age < HSTS_ONE_YEAR:
        message, sev = (f"{shown} sends Strict-Transport-Security max-age={max_age} (under one year, "
                        f"{HSTS_ONE_YEAR})", Severity.LOW)
    else:
        return
    out.findings.append(PF604.finding(
        message + ": a browser's first request can still go over http.", location(obs), severity=sev,
        evidence=f"GET {shown} -> {main.status}; Strict-Transport-Security: {value[:120] or '(missing)'}"))


# ---- PF506 ---------------------------------------------------------------------------------------------------


def missing_headers(r: Response) -> List[Tuple[str, Severity]]:
    """PF506's list (as ``inspect`` judges it) without HSTS, which PF604 covers."""
    from flask_preflight.runtime.check_client import missing_headers as runtime_missing

    return [(name, sev) for name, sev in runtime_missing(r) if name != "Strict-Transport-Security"]


def check_headers(obs: Observation, out: Analysis) -> None:
    main = obs.main.final if obs.main is not None else None
    if main is None:
        return
    gaps = missing_headers(main)
    if not gaps:
        return
    names = [g[0] for g in gaps]
    sev = max((g[1] for g in gaps), key=lambda s: s.rank)
    shown = _shown(obs.main, main)
    out.findings.append(PF506.finding(
        f"GET {shown} answered {main.status} without {_words(names)}.", location(obs), severity=sev,
        evidence=f"GET {shown} -> {main.status}; missing: {', '.join(names)}"))


def _words(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---- PF607 ---------------------------------------------------------------------------------------------------


def check_tracebacks(obs: Observation, out: Analysis) -> None:
    pages: List[Tuple[Exchange, Response, bool]] = []
    baseline = obs.main.final.body if obs.main is not None and obs.main.final is not None else ""
    if obs.main is not None and obs.main.final is not None:
        pages.append((obs.main, obs.main.final, True))
    for ex in (obs.missing, obs.malformed, obs.http_variant):
        if ex is not None and ex.final is not None:
            pages.append((ex, ex.final, False))
    for ex, r, is_main in pages:
        debugger = _markers(r.body, DEBUGGER_PAGE_MARKERS)
        traceback = _markers(r.body, TRACEBACK_MARKERS)
        # The main page may legitimately quote a traceback (a blog post); judge it only when it failed, and
        # another page only for markers the main page does not have anyway.
        if is_main and not debugger and r.status < 500:
            continue
        if not is_main and r.status < 500 and baseline:
            debugger = [m for m in debugger if m not in baseline]
            traceback = [m for m in traceback if m not in baseline]
        if not debugger and not traceback:
            continue
        what = "the Werkzeug debugger's traceback page" if debugger and traceback else (
            "a Werkzeug debugger page" if debugger else "a Python traceback")
        marker = (traceback or debugger)[0]
        shown = _shown(ex, r)
        out.findings.append(PF607.finding(
            f"GET {shown} answered {r.status} with {what}: file paths, source lines and exception details "
            f"reach the client.", location(obs),
            evidence=f"GET {shown} -> {r.status}; body contains {marker!r}"))
        return  # one per URL


# ---- cookies -------------------------------------------------------------------------------------------------


def check_cookie_flags(obs: Observation, out: Analysis) -> None:
    """PF605 on every Set-Cookie seen; also collects the signed cookies PF606 tests."""
    collect_cookies(obs, out)
    out.findings.extend(check_cookies(obs.url, out.cookies, location(obs)))


def collect_cookies(obs: Observation, out: Analysis) -> None:
    seen_names = set()
    attempted = set()  # (name, value) pairs decoded, each once, at most MAX_DECODED_COOKIES
    untested: Dict[str, None] = {}
    invalid: Dict[str, List[str]] = {}
    for ex, r in obs.responses():
        where = _shown(ex, r)
        for raw in r.header_list("Set-Cookie"):
            parsed = parse_set_cookie(raw, where)
            if isinstance(parsed, InvalidCookie):
                out.invalid_cookies.append(parsed)
                invalid.setdefault(parsed.reason, []).append(where)
                continue
            out.cookies.append(parsed)
            if parsed.name in seen_names or parsed.deleted:
                continue  # one signed cookie per name is enough to judge the key
            if (parsed.name, parsed.value) in attempted:
                continue  # the same cookie again on another response
            if len(out.flask_cookies) >= MAX_SESSION_COOKIES or len(attempted) >= MAX_DECODED_COOKIES:
                if parsed.name not in untested and COOKIE_RE.match(parsed.value.strip().strip('"')):
                    untested[parsed.name] = None  # only the shape is checked: no decoding past the bound
                continue
            attempted.add((parsed.name, parsed.value))
            flask = parse_flask_cookie(parsed.name, parsed.value, where)
            if flask is not None:
                seen_names.add(parsed.name)
                out.flask_cookies.append(flask)
    out.untested_cookies = list(untested)
    for reason, urls in invalid.items():
        more = f" and {len(urls) - 1} more response{'s' if len(urls) > 2 else ''}" if len(urls) > 1 else ""
        out.notes.append(f"ignored an invalid Set-Cookie header ({reason}) on GET {urls[0]}{more}")


# The checks ``analyze`` runs, each guarded on its own, with the name a failure is reported under.
CHECKS: Tuple[Tuple[str, Callable[[Observation, Analysis], None]], ...] = (
    ("PF601/PF510 server header", check_server),
    ("PF602 debugger", check_debugger),
    ("PF603/PF604 https", check_transport),
    ("PF506 security headers", check_headers),
    ("PF607 traceback", check_tracebacks),
    ("PF605 cookie", check_cookie_flags),
)
