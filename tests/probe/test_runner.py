"""``probe.runner``'s pure helpers pinned exactly: the http twin of a URL, origins, ``--header`` and URL
validation messages, the withheld-grade reason and the untested-cookies problem."""

import pytest

from flask_preflight.findings import ProblemKind
from flask_preflight.probe import runner as r
from flask_preflight.probe.checks import Observation
from flask_preflight.probe.session import FlaskCookie


@pytest.mark.parametrize("url,twin,origin", [
    ("https://ex.com", "http://ex.com/", "https://ex.com"),
    ("https://ex.com:443/a?b=1#f", "http://ex.com/a?b=1", "https://ex.com:443"),
    ("HTTPS://Ex.com/", "http://ex.com/", "https://Ex.com"),
    ("https://[::1]/x", "http://[::1]/x", "https://[::1]"),
    ("https://ex.com:8443/", None, "https://ex.com:8443"),
    ("http://ex.com/p", None, "http://ex.com"),
])
def test_http_variant_and_origin(url, twin, origin):
    assert r.http_variant(url) == twin
    assert r.origin_of(url) == origin


@pytest.mark.parametrize("text,error", [
    ("nocolon", "--header 'nocolon': expected \"Name: value\""),
    (": v", "--header ': v': expected \"Name: value\""),
    ("Bad Name: v", "--header 'Bad Name: v': 'Bad Name' is not a valid header name"),
    ("X-A: a\rb", "--header 'X-A': the value contains a line break or NUL"),
    ("X-A: a\nb", "--header 'X-A': the value contains a line break or NUL"),
    ("X-A: a\x00b", "--header 'X-A': the value contains a line break or NUL"),
    ("Host: x", "--header 'Host': this header is set by the probe and cannot be overridden"),
    ("content-length: 1", "--header 'content-length': this header is set by the probe and cannot be overridden"),
    ("Transfer-Encoding: x", "--header 'Transfer-Encoding': this header is set by the probe and cannot be "
                             "overridden"),
    ("CONNECTION: x", "--header 'CONNECTION': this header is set by the probe and cannot be overridden"),
])
def test_parse_header_errors(text, error):
    with pytest.raises(ValueError) as info:
        r.parse_header(text)
    assert str(info.value) == error


def test_parse_header_values():
    assert r.parse_header(" X-A :  b:c ") == ("X-A", "b:c")
    assert r.parse_header("x!#$%&'*+-.^_`|~9: ") == ("x!#$%&'*+-.^_`|~9", "")


@pytest.mark.parametrize("url,error", [
    ("ftp://ex.com/", "'ftp://ex.com/': the scheme must be http or https (got ftp); e.g. https://example.com/"),
    ("ex.com", "'ex.com': the scheme must be http or https (got none); e.g. https://example.com/"),
    ("http://", "'http://': no host name"),
    ("http://u:p@ex.com/", "'http://u:p@ex.com/': credentials in the URL are not supported; use --header "
                           "'Authorization: ...'"),
    ("http://u@ex.com/", "'http://u@ex.com/': credentials in the URL are not supported; use --header "
                         "'Authorization: ...'"),
    ("http://:p@ex.com/", "'http://:p@ex.com/': credentials in the URL are not supported; use --header "
                          "'Authorization: ...'"),
    ("http://ex.com:0/", "'http://ex.com:0/': port 0 is not valid"),
    ("http://ex.com/a b", "'http://ex.com/a b': white space in the URL"),
    ("http://ex.com:99999/", "'http://ex.com:99999/': not a valid URL (Port out of range 0-65535)"),
])
def test_check_url_errors(url, error):
    with pytest.raises(ValueError) as info:
        r.check_url(url)
    assert str(info.value) == error


def test_check_url_accepts_and_strips():
    assert r.check_url(" HTTPS://ex.com:8443/x?q=1 ") == "HTTPS://ex.com:8443/x?q=1"


def _report(url, failed=()):
    rep = r.TargetReport(url=url, observation=Observation(url=url))
    rep.failed = list(failed)
    return rep


def test_withheld_reason_names_the_first_failure_and_counts_the_rest():
    assert r.withheld_reason([_report("https://a/"), _report("https://b/")]) == ""
    assert r.withheld_reason([_report("https://a/"), _report("https://b/", ["PF602 debugger"])]) == (
        "the PF602 debugger check failed for https://b/ (see the errors); a grade would vouch for checks that "
        "did not run")
    assert r.withheld_reason([_report("https://a/", ["probe"]), _report("https://b/", ["x", "y"])]) == (
        "the probe check failed for https://a/ and 2 more (see the errors); a grade would vouch for checks that "
        "did not run")


def test_untested_cookies_problem_names_five_and_counts_the_rest():
    rep = _report("https://a/")
    r._untested_problem(rep)
    assert rep.problems == []
    rep.analysis.flask_cookies = [FlaskCookie(n, "v", [], False) for n in ("s1", "s2")]
    rep.analysis.untested_cookies = [f"u{i}" for i in range(7)]
    r._untested_problem(rep)
    (problem,) = rep.problems
    assert (problem.path, problem.kind) == ("https://a/", ProblemKind.TOO_COMPLEX)
    assert problem.reason == ("the site sets 9 signed (Flask-shaped) cookies; PF606 tested the first 2 (s1, s2) "
                              "and not the other 7 (u0, u1, u2, u3, u4 and 2 more)")
    rep.problems = []
    rep.analysis.untested_cookies = ["u0", "u1", "u2", "u3", "u4"]
    r._untested_problem(rep)
    assert rep.problems[0].reason.endswith("and not the other 5 (u0, u1, u2, u3, u4)")


# ---- _analyze and _sessions on hand-built reports ---------------------------------------------------------------

import time  # noqa: E402

import httpx  # noqa: E402

from flask_preflight.probe import session as session_mod  # noqa: E402
from flask_preflight.probe.client import Exchange, Response  # noqa: E402
from probe.test_session import _sign  # noqa: E402

URL = "https://a/"
OPTS = r.ProbeOptions(bundled_wordlist=False, timeout=2.0)


def _probed(*responses):
    rep = _report(URL)
    rep.observation.main = Exchange("main", URL, URL, list(responses))
    return rep


def _resp(url, problem="", kind="", status=200):
    return Response(url, status, httpx.Headers({"Strict-Transport-Security": "max-age=31536000"}),
                    body_problem=problem, body_problem_kind=kind)


def test_an_unprobed_url_gets_the_empty_grade():
    rep = _report(URL)
    r._analyze(rep, OPTS, time.monotonic() + 60)
    assert (rep.grade.score, rep.grade.letter, rep.grade.costs) == (None, "-", [])


@pytest.mark.parametrize("n,tail", [(1, ""), (2, " (and 1 more response of this URL)"),
                                    (3, " (and 2 more responses of this URL)")])
def test_incomplete_bodies_are_one_problem(n, tail):
    hop = _resp(URL, status=302)
    rep = _probed(hop, _resp("https://a/final", "cut", "undecodable"))
    if n > 1:
        rep.observation.missing = Exchange("missing", "https://a/m", "https://a/<random>",
                                           [_resp("https://a/m", "big", "too-large")])
    if n > 2:
        rep.observation.console = Exchange("console", "https://a/c", "https://a/c", [_resp("https://a/c", "x", "")])
    r._analyze(rep, OPTS, time.monotonic() + 60)
    (problem,) = rep.problems
    assert (problem.path, problem.kind, problem.reason) == (
        URL, r.ProblemKind.DECODE_ERROR, f"GET https://a/final: cut{tail}")
    rep = _probed(_resp(URL, "big", "too-large"))
    r._analyze(rep, OPTS, time.monotonic() + 60)
    assert [(p.kind, p.reason) for p in rep.problems] == [(r.ProblemKind.TOO_LARGE, f"GET {URL}: big")]


def test_six_untested_cookies_name_five_and_one_more():
    rep = _report(URL)
    rep.analysis.untested_cookies = [f"u{i}" for i in range(6)]
    r._untested_problem(rep)
    assert rep.problems[0].reason.endswith("(u0, u1, u2, u3, u4 and 1 more)")


def _with_cookies(*names):
    rep = _probed(_resp(URL))
    rep.analysis.flask_cookies = [session_mod.parse_flask_cookie(n, _sign(f"strong-{n}", b'{"a":1}'), URL)
                                  for n in names]
    return rep


@pytest.mark.parametrize("names,tail", [(("a",), ""), (("a", "b"), "; 1 more cookie not searched"),
                                        (("a", "b", "c"), "; 2 more cookies not searched")])
def test_a_key_search_stopped_by_the_deadline_is_a_failed_check(names, tail):
    rep = _with_cookies(*names)
    r._sessions(rep, OPTS, time.monotonic() - 1)
    cands = session_mod.load_candidates((), bundled=False)
    assert rep.candidates == len(cands)
    assert [(c.cookie.name, c.tested, c.complete) for c in rep.cracks] == [(n, 0, False) for n in names]
    assert rep.failed == ["PF606 session key"]
    (problem,) = rep.problems
    assert (problem.path, problem.kind) == (URL, r.ProblemKind.TIMEOUT)
    assert problem.reason == (f"the PF606 key search for the cookie `a` stopped at the time limit (6 s, 3 x "
                              f"--timeout) after 0 of {len(cands):,} candidate keys{tail}")


def test_a_search_in_time_finds_the_key_and_fails_nothing():
    rep = _probed(_resp(URL))
    rep.analysis.flask_cookies = [session_mod.parse_flask_cookie("session", _sign("secret", b'{"a":1}'), URL)]
    r._sessions(rep, OPTS, time.monotonic() + 60)
    assert (rep.failed, rep.problems, [f.rule_id for f in rep.findings]) == ([], [], ["PF606"])
    assert rep.cracks[0].key == b"secret"


def test_a_key_search_that_raises_is_its_own_redacted_problem(monkeypatch):
    value = _sign("k", b'{"a":1}')
    rep = _with_cookies("a")
    rep.observation.main.responses[0].headers = httpx.Headers({"Set-Cookie": f"a={value}"})

    def boom(*a, **kw):
        raise ValueError(f"cannot read {value}")

    monkeypatch.setattr(session_mod, "load_candidates", boom)
    r._sessions(rep, OPTS, time.monotonic() + 60)
    assert rep.failed == ["PF606 session key"]
    (problem,) = rep.problems
    assert (problem.path, problem.kind, problem.reason) == (
        URL, r.ProblemKind.INTERNAL_ERROR,
        "the PF606 session key check failed (ValueError: cannot read <redacted>); its findings are not reported")
