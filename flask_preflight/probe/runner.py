"""Probe several URLs concurrently (asyncio, bounded), each with the fixed request plan; never let one URL's
failure stop the others.

The request plan for one URL (``REQUEST_PLAN``, documented in docs/probe.md); all GET, nothing else:

1. ``GET URL``, following up to 5 redirects (each hop recorded);
2. only for an https URL on the default port: ``GET http://<host><path>`` without following redirects;
3. ``GET <origin>/?__debugger__=yes&cmd=resource&f=debugger.js``;
4. ``GET <origin>/?__debugger__=yes&cmd=resource&f=style.css``;
5. ``GET <origin>/console``;
6. ``GET <origin>/__preflight-<random>`` (a path that cannot exist);
7. ``GET <origin>/?<random>=%ff%fe`` (a query that is not valid UTF-8).

``<origin>`` is the origin of the final URL of request 1 when it stayed on the URL's origin (scheme, host
and port) or only upgraded http to https on the same host's default ports (so such an http URL is probed
over https), else the URL's own: another port on the same host is another service. Requests 3-7 run one after the
other and request 2 alongside them. If request 1 fails the URL is not probed further; if a later request
cannot connect or times out, the remaining ones are skipped and the URL is reported as incomplete.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit, urlunsplit

import httpx

from flask_preflight.findings import Finding, Problem, ProblemKind, ScanResult
from flask_preflight.probe import session as session_mod
from flask_preflight.probe.checks import Analysis, Observation, analyze, failure_line, location, redact
from flask_preflight.probe.client import NETWORK, PROTOCOL, REFUSED, TIMEOUT, Fetcher, same_origin
from flask_preflight.probe.decoding import TOO_LARGE
from flask_preflight.probe.grade import Grade, grade

REQUEST_PLAN = (
    "GET URL (redirects followed, at most 5)",
    "GET http://<host><path> without following redirects (https URLs on the default port only)",
    "GET <origin>/?__debugger__=yes&cmd=resource&f=debugger.js",
    "GET <origin>/?__debugger__=yes&cmd=resource&f=style.css",
    "GET <origin>/console",
    "GET <origin>/__preflight-<random>",
    "GET <origin>/?<random>=%ff%fe",
)
TOTAL_FACTOR = 3  # a URL's whole probe may take at most TOTAL_FACTOR x --timeout
STOPPING_ERRORS = (TIMEOUT, REFUSED, NETWORK, PROTOCOL)


@dataclass
class ProbeOptions:
    timeout: float = 10.0
    insecure: bool = False
    headers: Sequence[Tuple[str, str]] = ()
    concurrency: int = 4
    wordlists: Sequence[str] = ()
    bundled_wordlist: bool = True
    transport: Optional[httpx.AsyncBaseTransport] = None  # tests: httpx.MockTransport

    @property
    def total_timeout(self) -> float:
        return self.timeout * TOTAL_FACTOR


@dataclass
class TargetReport:
    """Everything about one URL: what was seen, what it means, and what went wrong."""

    url: str
    observation: Observation
    analysis: Analysis = field(default_factory=Analysis)
    problems: List[Problem] = field(default_factory=list)
    cracks: List[session_mod.Crack] = field(default_factory=list)
    grade: Optional[Grade] = None
    requests_sent: int = 0
    seconds: float = 0.0
    candidates: int = 0
    failed: List[str] = field(default_factory=list)  # checks that raised or did not finish: no grade
    grade_withheld: str = ""  # why this run gives no grade ("" when graded)

    @property
    def findings(self) -> List[Finding]:
        return self.analysis.findings

    @property
    def notes(self) -> List[str]:
        return self.analysis.notes

    @property
    def probed(self) -> bool:
        main = self.observation.main
        return main is not None and main.ok


def origin_of(url: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "", "", ""))


def http_variant(url: str) -> Optional[str]:
    """The http:// twin of an https URL on the default port, or None when the URL names a port."""
    p = urlsplit(url)
    if p.scheme.lower() != "https" or p.port not in (None, 443):
        return None
    host = p.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit(("http", host, p.path or "/", p.query, ""))


async def _network(url: str, opts: ProbeOptions, fetcher: Fetcher, obs: Observation, report: TargetReport) -> None:
    obs.main = await fetcher.get(url, label="main", follow=True)
    if not obs.main.ok:
        return
    final = obs.main.final
    assert final is not None
    base = origin_of(final.url if same_origin(url, final.url) else url)
    token = secrets.token_hex(6)

    async def variant() -> None:
        twin = http_variant(url)
        if twin is None:
            if urlsplit(url).scheme.lower() == "https":
                obs.http_variant_skipped = (f"{url} names a port, so its plain-http variant (port 80) was not "
                                            f"requested; PF603 is judged only on what was seen")
            return
        obs.http_variant = await fetcher.get(twin, label="http", shown=twin)

    async def origin_requests() -> None:
        plan = [
            ("debugger_js", f"{base}/?__debugger__=yes&cmd=resource&f=debugger.js", None),
            ("style_css", f"{base}/?__debugger__=yes&cmd=resource&f=style.css", None),
            ("console", f"{base}/console", None),
            ("missing", f"{base}/__preflight-{token}", f"{base}/__preflight-<random>"),
            ("malformed", f"{base}/?pf{token}=%ff%fe", f"{base}/?<random>=%ff%fe"),
        ]
        for attr, target, shown in plan:
            ex = await fetcher.get(target, label=attr, shown=shown or target)
            setattr(obs, attr, ex)
            if ex.error:
                report.problems.append(Problem(
                    path=url, kind=ProblemKind.TIMEOUT if ex.error_kind == TIMEOUT else ProblemKind.UNREADABLE,
                    reason=f"GET {ex.shown}: {ex.error}; the remaining requests were skipped, the probe of "
                           f"this URL is incomplete"))
                if ex.error_kind in STOPPING_ERRORS:
                    return

    await asyncio.gather(variant(), origin_requests())


async def probe_target(url: str, opts: ProbeOptions, semaphore: Optional[asyncio.Semaphore] = None) -> TargetReport:
    """Probe one URL; never raises (every failure becomes a Problem on the report).

    The per-URL limit (``total_timeout``) covers the network and the checks: the checks run in a worker
    thread (so the event loop, and the other URLs' timeouts, keep running) and the PF606 key search stops
    at the deadline."""
    obs = Observation(url=url, insecure=opts.insecure)
    report = TargetReport(url=url, observation=obs)
    start = time.perf_counter()
    sem = semaphore or asyncio.Semaphore(1)
    try:
        async with sem:
            deadline = time.monotonic() + opts.total_timeout
            fetcher = Fetcher(url, timeout=opts.timeout, insecure=opts.insecure, headers=opts.headers,
                              transport=opts.transport)
            try:
                await asyncio.wait_for(_network(url, opts, fetcher, obs, report), opts.total_timeout)
            except asyncio.TimeoutError:
                report.problems.append(Problem(
                    path=url, kind=ProblemKind.TIMEOUT,
                    reason=f"the probe did not finish within {opts.total_timeout:g} s ({TOTAL_FACTOR} x "
                           f"--timeout); what was received so far is reported"))
            finally:
                report.requests_sent = fetcher.requests_sent
                await fetcher.close()
            main = obs.main
            if main is not None and main.error:
                kind = ProblemKind.TIMEOUT if main.error_kind == TIMEOUT else ProblemKind.UNREADABLE
                report.problems.insert(0, Problem(path=url, kind=kind, reason=f"not probed: {main.error}"))
            await _to_thread(_analyze, report, opts, deadline)
    except Exception as exc:  # noqa: BLE001 - one URL's bug must not stop the others
        report.failed.append("probe")
        report.problems.append(Problem(path=url, kind=ProblemKind.INTERNAL_ERROR,
                                       reason=redact(f"the probe failed: {type(exc).__name__}: {exc}"[:300], obs)))
    report.seconds = time.perf_counter() - start
    return report


async def _to_thread(func: Callable[..., Any], *args: Any) -> Any:
    """``asyncio.to_thread`` (Python 3.9+), spelled out so the executor is the loop's default one."""
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def _analyze(report: TargetReport, opts: ProbeOptions, deadline: float) -> None:
    obs = report.observation
    if not report.probed:
        report.grade = grade([], probed=False)
        return
    report.analysis = analyze(obs)
    for name, line in report.analysis.failed:
        report.failed.append(name)
        report.problems.append(Problem(path=report.url, kind=ProblemKind.INTERNAL_ERROR, reason=line))
    incomplete = [(ex, r) for ex, r in obs.responses() if r.body_problem]
    if incomplete:
        ex, r = incomplete[0]
        more = len(incomplete) - 1
        kind = ProblemKind.TOO_LARGE if r.body_problem_kind == TOO_LARGE else ProblemKind.DECODE_ERROR
        report.problems.append(Problem(
            path=report.url, kind=kind,
            reason=f"GET {ex.shown if r is ex.responses[0] else r.url}: {r.body_problem}"
                   + (f" (and {more} more response{'s' if more > 1 else ''} of this URL)" if more else "")))
    _untested_problem(report)
    if report.analysis.flask_cookies:
        _sessions(report, opts, deadline)


def _untested_problem(report: TargetReport) -> None:
    untested = report.analysis.untested_cookies
    if not untested:
        return
    tested = [c.name for c in report.analysis.flask_cookies]
    names = ", ".join(untested[:5]) + (f" and {len(untested) - 5} more" if len(untested) > 5 else "")
    report.problems.append(Problem(
        path=report.url, kind=ProblemKind.TOO_COMPLEX,
        reason=f"the site sets {len(tested) + len(untested)} signed (Flask-shaped) cookies; PF606 tested the first "
               f"{len(tested)} ({', '.join(tested)}) and not the other {len(untested)} ({names})"))


def _sessions(report: TargetReport, opts: ProbeOptions, deadline: float) -> None:
    """PF606 for the collected cookies, within ``deadline``; a search cut short is a failed check."""
    try:
        cands = session_mod.load_candidates(opts.wordlists, bundled=opts.bundled_wordlist)
        report.candidates = len(cands)
        found, cracks = session_mod.check_sessions(report.url, report.analysis.flask_cookies,
                                                   location(report.observation), cands, deadline=deadline)
    except Exception as exc:  # noqa: BLE001 - like every check: its own problem, the rest stands
        report.failed.append("PF606 session key")
        report.problems.append(Problem(path=report.url, kind=ProblemKind.INTERNAL_ERROR,
                                       reason=redact(failure_line("PF606 session key", exc), report.observation)))
        return
    report.analysis.findings.extend(found)
    report.cracks = cracks
    stopped = [c for c in cracks if not c.complete]
    if stopped:
        first = stopped[0]
        more = len(stopped) - 1
        others = f"; {more} more cookie{'s' if more > 1 else ''} not searched" if more else ""
        report.failed.append("PF606 session key")
        report.problems.append(Problem(
            path=report.url, kind=ProblemKind.TIMEOUT,
            reason=f"the PF606 key search for the cookie `{first.cookie.name}` stopped at the time limit "
                   f"({opts.total_timeout:g} s, {TOTAL_FACTOR} x --timeout) after {first.tested:,} of {len(cands):,} "
                   f"candidate keys{others}"))


def withheld_reason(reports: Sequence[TargetReport]) -> str:
    """Why this run gives no grade at all ("" when every check of every URL ran to the end)."""
    failed = [(r.url, name) for r in reports for name in r.failed]
    if not failed:
        return ""
    url, name = failed[0]
    more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
    return (f"the {name} check failed for {url}{more} (see the errors); a grade would vouch for checks that did "
            f"not run")


async def probe_all(urls: Sequence[str], opts: ProbeOptions) -> List[TargetReport]:
    semaphore = asyncio.Semaphore(max(1, opts.concurrency))
    return list(await asyncio.gather(*(probe_target(u, opts, semaphore) for u in urls)))


def run_probe(urls: Sequence[str], opts: ProbeOptions, settings: Any = None,
              on_report: Optional[Callable[[TargetReport], None]] = None) -> Tuple[ScanResult, List[TargetReport]]:
    """Probe ``urls`` and build the ScanResult (findings filtered by ``settings``' --select/--ignore).

    Grades are computed from the findings that survive the filter - and only when every check of every URL
    ran to the end: a run with a failed check gives no grade at all (``TargetReport.grade_withheld``)."""
    reports = asyncio.run(probe_all(urls, opts))
    withheld = withheld_reason(reports)
    findings: List[Finding] = []
    problems: List[Problem] = []
    suppressed: Dict[str, int] = {}
    for report in reports:
        kept = report.findings
        if settings is not None:
            from flask_preflight.static.engine import apply_filters

            filtered = apply_filters(report.findings, settings)
            kept = filtered.kept
            for rule_id, n in filtered.suppressed_by_rule.items():
                suppressed[rule_id] = suppressed.get(rule_id, 0) + n
        report.analysis.findings = list(kept)
        if withheld:
            report.grade, report.grade_withheld = grade([], probed=False), withheld
        elif report.probed:
            report.grade = grade(kept)
        elif report.grade is None:
            report.grade = grade([], probed=False)
        findings.extend(kept)
        problems.extend(report.problems)
        if on_report is not None:
            on_report(report)
    result = ScanResult(findings=findings, problems=problems, files_scanned=len(reports),
                        suppressed=sum(suppressed.values()), suppressed_by_rule=suppressed)
    return result.sorted(), reports


def parse_header(text: str) -> Tuple[str, str]:
    """``"Name: value"`` -> (name, value); ValueError with a one-line reason otherwise."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise ValueError(f"--header {text!r}: expected \"Name: value\"")
    if not all(c.isalnum() or c in "!#$%&'*+-.^_`|~" for c in name):
        raise ValueError(f"--header {text!r}: {name!r} is not a valid header name")
    if any(c in value for c in "\r\n\x00"):
        raise ValueError(f"--header {name!r}: the value contains a line break or NUL")
    if name.lower() in ("host", "content-length", "transfer-encoding", "connection"):
        raise ValueError(f"--header {name!r}: this header is set by the probe and cannot be overridden")
    return name, value


def check_url(url: str) -> str:
    """The URL if it can be probed; ValueError with a one-line reason otherwise (a usage error)."""
    text = url.strip()
    try:
        p = urlsplit(text)
        port = p.port
    except ValueError as exc:
        raise ValueError(f"{url!r}: not a valid URL ({exc})") from None
    if p.scheme.lower() not in ("http", "https"):
        shown = p.scheme or "none"
        raise ValueError(f"{url!r}: the scheme must be http or https (got {shown}); e.g. https://example.com/")
    if not p.hostname:
        raise ValueError(f"{url!r}: no host name")
    if p.username is not None or p.password is not None:
        raise ValueError(f"{url!r}: credentials in the URL are not supported; use --header 'Authorization: ...'")
    if port == 0:
        raise ValueError(f"{url!r}: port 0 is not valid")
    if any(c.isspace() for c in text):
        raise ValueError(f"{url!r}: white space in the URL")
    return text
