"""PF607: a Python traceback or Werkzeug's error page in an error response.

Pinned: high severity; the three descriptions (Werkzeug's debugger traceback page, a debugger page without a
traceback, a plain Python traceback) with the body that selects each; the evidence naming the request and the
marker; which pages are judged (the main page only when it failed or carries a debugger marker; the 404,
malformed-query and plain-http pages, minus what the main page already shows unless they failed); one finding
per URL; and the near misses: a stack trace that is not Python's, the word "Traceback" without Python's header,
a blog post quoting a traceback, a 404 page repeating the same quote. The Werkzeug page is rendered by
``werkzeug.debug.tbtools`` itself.
"""

import httpx
import pytest

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, hardened_site, ids, only, probe

URL = "https://example.com/"
MISSING = "https://example.com/__preflight-<random>"
TRACE = "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 3, in index\nKeyError: 'x'"
TAIL = ": file paths, source lines and exception details reach the client."


def _werkzeug_page():
    from werkzeug.debug.tbtools import DebugTraceback

    try:
        raise ValueError("boom")
    except ValueError as exc:
        return DebugTraceback(exc).render_debugger_html(evalex=True, secret="s" * 20, evalex_trusted=False)


def _werkzeug_plain_text():
    from werkzeug.debug.tbtools import DebugTraceback

    try:
        raise ValueError("boom")
    except ValueError as exc:
        return DebugTraceback(exc).render_traceback_text()


def _missing_page(status, text):
    site = hardened_site()
    site.default = lambda r: httpx.Response(status, headers=HARDENED, text=text)
    site.pages[("https", "/console")] = lambda r: httpx.Response(404, headers=HARDENED, text="nope")
    return site


def test_python_traceback_on_the_404_page_is_pf607_high():
    result, _ = probe([URL], _missing_page(404, TRACE))
    finding = only(result, "PF607")
    assert finding.severity is Severity.HIGH
    assert finding.message == f"GET {MISSING} answered 404 with a Python traceback{TAIL}"
    assert finding.evidence == f"GET {MISSING} -> 404; body contains 'Traceback (most recent call last)'"


def test_werkzeug_plain_text_traceback_is_a_python_traceback():
    result, _ = probe([URL], _missing_page(500, _werkzeug_plain_text()))
    assert only(result, "PF607").message == f"GET {MISSING} answered 500 with a Python traceback{TAIL}"


def test_werkzeug_debugger_page_is_named_with_the_traceback_marker():
    result, _ = probe([URL], _missing_page(500, _werkzeug_page()))
    finding = only(result, "PF607")
    assert finding.severity is Severity.HIGH
    assert finding.message == f"GET {MISSING} answered 500 with the Werkzeug debugger's traceback page{TAIL}"
    # the page also carries the plain-text traceback (for copy and paste): the first marker is Python's header
    assert finding.evidence == f"GET {MISSING} -> 500; body contains 'Traceback (most recent call last)'"


def test_werkzeug_html_traceback_header_alone_is_a_traceback():
    page = "<h2 class=\"traceback\">Traceback <em>(most recent call last)</em></h2>"
    result, _ = probe([URL], _missing_page(500, page))
    assert only(result, "PF607").evidence == (
        f"GET {MISSING} -> 500; body contains 'Traceback <em>(most recent call last)</em>'")


def test_a_debugger_page_without_a_traceback_is_named_by_its_marker():
    page = "<title>Oops // Werkzeug Debugger</title><p>nothing else</p>"
    result, _ = probe([URL], _missing_page(500, page))
    finding = only(result, "PF607")
    assert finding.message == f"GET {MISSING} answered 500 with a Werkzeug debugger page{TAIL}"
    assert finding.evidence == f"GET {MISSING} -> 500; body contains '// Werkzeug Debugger</title>'"


@pytest.mark.parametrize("text", [
    "Error: boom\n    at Object.<anonymous> (/srv/app.js:1:7)\n    at Module._compile (node:internal)",
    "Exception in thread \"main\" java.lang.NullPointerException\n\tat com.example.App.main(App.java:3)",
    "Traceback: something went wrong, contact support",   # the word without Python's header
    "traceback (most recent call last): in lower case",  # not what Python prints
    "Internal Server Error",
])
def test_pages_that_are_not_a_python_traceback_are_not_pf607(text):
    result, _ = probe([URL], _missing_page(500, text))
    assert "PF607" not in ids(result)


def test_main_page_is_judged_only_when_it_failed_or_is_the_debugger():
    quote = hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=HARDENED, text=TRACE)})
    result, _ = probe([URL], quote)
    assert "PF607" not in ids(result)  # a blog post quoting a traceback
    failed = hardened_site({("https", "/"): lambda r: httpx.Response(500, headers=HARDENED, text=TRACE)})
    result, _ = probe([URL], failed)
    finding = only(result, "PF607")
    assert finding.evidence == "GET https://example.com/ -> 500; body contains 'Traceback (most recent call last)'"
    debugger = hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=HARDENED,
                                                                       text=_werkzeug_page())})
    result, _ = probe([URL], debugger)
    assert only(result, "PF607").message.startswith(
        "GET https://example.com/ answered 200 with the Werkzeug debugger's traceback page")


def test_a_404_page_repeating_the_main_pages_quote_is_not_pf607_unless_it_failed():
    site = _missing_page(404, TRACE)
    site.pages[("https", "/")] = lambda r: httpx.Response(200, headers=HARDENED, text=TRACE)
    result, _ = probe([URL], site)
    assert "PF607" not in ids(result)
    site = _missing_page(500, TRACE)
    site.pages[("https", "/")] = lambda r: httpx.Response(200, headers=HARDENED, text=TRACE)
    result, _ = probe([URL], site)
    assert only(result, "PF607").evidence == f"GET {MISSING} -> 500; body contains 'Traceback (most recent call last)'"


def test_malformed_query_and_plain_http_pages_are_judged():
    site = hardened_site()

    def root(request):
        if b"%ff%fe" in request.url.query:
            return httpx.Response(400, headers=HARDENED, text=TRACE)
        return site.page()

    site.pages[("https", "/")] = root
    result, _ = probe([URL], site)
    assert only(result, "PF607").evidence == (
        "GET https://example.com/?<random>=%ff%fe -> 400; body contains 'Traceback (most recent call last)'")
    site = hardened_site({("http", "/"): lambda r: httpx.Response(500, headers=HARDENED, text=TRACE)})
    result, _ = probe([URL], site)
    assert only(result, "PF607").evidence == (
        "GET http://example.com/ -> 500; body contains 'Traceback (most recent call last)'")


def test_one_finding_per_url_the_first_page_in_order():
    site = _missing_page(500, TRACE)
    site.pages[("https", "/")] = lambda r: httpx.Response(500, headers=HARDENED, text=_werkzeug_page())
    result, _ = probe([URL], site)
    assert only(result, "PF607").evidence.startswith("GET https://example.com/ -> 500; ")


def test_plain_404_page_is_fine():
    result, _ = probe([URL], hardened_site())
    assert "PF607" not in ids(result)
