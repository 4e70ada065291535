"""PF602: the Werkzeug debugger answers on its resource endpoint or /console.

Pinned: critical in every branch; the three messages (files only, console behind a PIN, console without a
PIN) with the input that selects each; the evidence naming the request and the markers that matched; the
near misses each detector must reject: debugger.js with one marker instead of two, a style.css without
``div.traceback``, a resource answered with a non-200 status, an "Interactive Console" page that is not
Werkzeug's (or has ``CONSOLE_MODE = false``), a baseline page that already carries the markers, and a 400 on
/console that is only the site's answer to everything. The markers are Werkzeug's own: the resources come
from ``werkzeug/debug/shared`` and the console from ``render_console_html``, and one test runs the real
``DebuggedApplication`` (through ``werkzeug.test``, no sockets).
"""

import httpx
import pytest

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, hardened_site, ids, only, probe

URL = "https://example.com/"
JS_URL = "https://example.com/?__debugger__=yes&cmd=resource&f=debugger.js"
CSS_URL = "https://example.com/?__debugger__=yes&cmd=resource&f=style.css"
FILES_ONLY = "The Werkzeug debugger is active on this host (it serves its own debugger files)"
BEHIND_PIN = ("The Werkzeug debugger's interactive console answers at /console: Python code execution on the server "
              "is one PIN away")
NO_PIN = "The Werkzeug debugger's interactive console at /console is open WITHOUT a PIN (EVALEX_TRUSTED = true)"


def _shared(name):
    import pkgutil

    return pkgutil.get_data("werkzeug.debug", f"shared/{name}").decode("utf-8")


def _console_html(trusted):
    from werkzeug.debug.tbtools import render_console_html

    return render_console_html(secret="s" * 20, evalex_trusted=trusted)


def _site(js=None, css=None, console=None, js_status=200, css_status=200, console_status=200, main="hello"):
    """A site whose debugger resources answer ``js``/``css`` (None: the normal page) and /console ``console``."""
    site = hardened_site()

    def root(request):
        f = request.url.params.get("f") if request.url.params.get("__debugger__") == "yes" else None
        if f == "debugger.js" and js is not None:
            return httpx.Response(js_status, headers={**HARDENED, "Content-Type": "text/javascript"}, text=js)
        if f == "style.css" and css is not None:
            return httpx.Response(css_status, headers={**HARDENED, "Content-Type": "text/css"}, text=css)
        return site.page(text=main)

    site.pages[("https", "/")] = root
    if console is not None:
        site.pages[("https", "/console")] = lambda r: httpx.Response(console_status, headers=HARDENED, text=console)
    return site


def test_debugger_resource_is_critical_and_nothing_is_executed():
    site = _site(js=_shared("debugger.js"), css=_shared("style.css"))
    result, _ = probe([URL], site)
    finding = only(result, "PF602")
    assert finding.severity is Severity.CRITICAL
    assert finding.message.startswith(FILES_ONLY)
    assert finding.evidence == (
        f"GET {JS_URL} -> 200 text/javascript; Werkzeug's debugger.js (EVALEX_TRUSTED, CONSOLE_MODE, pinauth, "
        f"initPinBox); GET {CSS_URL} -> 200; Werkzeug's debugger style.css (div.debugger, div.traceback, "
        f"div.console, pin-prompt)")
    commands = {r.url.params.get("cmd") for r in site.requests if r.url.params.get("__debugger__")}
    assert commands == {"resource"} and all(r.method == "GET" for r in site.requests)


def test_two_javascript_markers_are_enough_and_one_is_not():
    result, _ = probe([URL], _site(js="var EVALEX_TRUSTED = false; function initPinBox() {}"))
    finding = only(result, "PF602")
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence == (f"GET {JS_URL} -> 200 text/javascript; Werkzeug's debugger.js (EVALEX_TRUSTED, "
                                f"initPinBox)")
    # a near miss: an app's own script that mentions one of the names
    result, _ = probe([URL], _site(js="// see EVALEX_TRUSTED in the Werkzeug docs"))
    assert "PF602" not in ids(result)


def test_debugger_js_served_with_an_error_status_is_not_the_debugger():
    result, _ = probe([URL], _site(js=_shared("debugger.js"), js_status=404, css=_shared("style.css"),
                                   css_status=500))
    assert "PF602" not in ids(result)


def test_style_css_needs_div_traceback_and_a_second_marker():
    result, _ = probe([URL], _site(css="div.traceback { color: red } .pin-prompt { }"))
    assert only(result, "PF602").evidence == (
        f"GET {CSS_URL} -> 200; Werkzeug's debugger style.css (div.traceback, pin-prompt)")
    # near misses: three markers but no div.traceback; div.traceback alone
    for css in ("div.debugger { } div.console { } .pin-prompt { }", "div.traceback { }"):
        result, _ = probe([URL], _site(css=css))
        assert "PF602" not in ids(result), css


def test_a_baseline_with_the_markers_is_not_the_debugger_but_one_marker_in_it_does_not_hide_it():
    js = _shared("debugger.js")
    result, _ = probe([URL], _site(js=js, main=js))  # a catch-all serving the same text everywhere
    assert "PF602" not in ids(result)
    result, _ = probe([URL], _site(js=js, main="a blog post about EVALEX_TRUSTED"))
    assert only(result, "PF602").severity is Severity.CRITICAL
    css = _shared("style.css")
    result, _ = probe([URL], _site(css=css, main=f"<style>{css}</style>"))
    assert "PF602" not in ids(result)


def test_open_console_behind_a_pin():
    result, _ = probe([URL], _site(console=_console_html(trusted=False)))
    finding = only(result, "PF602")
    assert finding.severity is Severity.CRITICAL
    assert finding.message.startswith(BEHIND_PIN)
    assert finding.evidence == "GET https://example.com/console -> 200; 'Interactive Console' page"


def test_open_console_without_a_pin():
    result, _ = probe([URL], _site(js=_shared("debugger.js"), console=_console_html(trusted=True)))
    finding = only(result, "PF602")
    assert finding.severity is Severity.CRITICAL
    assert finding.message.startswith(NO_PIN)
    assert finding.evidence.endswith("GET https://example.com/console -> 200; 'Interactive Console' page with "
                                     "EVALEX_TRUSTED = true")


@pytest.mark.parametrize("page,status", [
    ("<h1>Interactive Console</h1> our admin docs", 200),                          # the title alone
    ("<h1>Interactive Console</h1><script>var CONSOLE_MODE = false;</script>", 200),  # not console mode
    (None, 403),                                                                   # the real page, refused
])
def test_console_near_misses_are_not_the_debugger(page, status):
    result, _ = probe([URL], _site(console=_console_html(trusted=True) if page is None else page,
                                   console_status=status))
    assert "PF602" not in ids(result)


def test_host_restricted_console_is_evidence_only_beside_other_evidence():
    result, (report,) = probe([URL], _site(js=_shared("debugger.js"), console="Bad Request", console_status=400))
    finding = only(result, "PF602")
    assert finding.message.startswith(FILES_ONLY)
    assert finding.evidence.endswith("; GET https://example.com/console -> 400 (console present, host-restricted)")
    assert any(n.startswith("GET https://example.com/console answered 400 (the 404 page answers 404)")
               for n in report.notes)
    # alone, a 400 on /console is nothing
    result, _ = probe([URL], _site(console="Bad Request", console_status=400))
    assert "PF602" not in ids(result)


def test_a_site_that_answers_400_to_everything_does_not_make_the_console_host_restricted():
    site = _site(js=_shared("debugger.js"), console="Bad Request", console_status=400)
    site.default = lambda r: httpx.Response(400, headers=HARDENED, text="Bad Request")
    result, (report,) = probe([URL], site)
    assert "host-restricted" not in only(result, "PF602").evidence
    assert not any("refuses this Host" in n for n in report.notes)


# ---- the real DebuggedApplication --------------------------------------------------------------------------


def _wsgi_site(app):
    """An httpx handler that runs a WSGI app in-process (werkzeug.test), with the request's Host."""
    from werkzeug.test import create_environ, run_wsgi_app

    def handler(request):
        base = f"{request.url.scheme}://{request.url.netloc.decode()}"
        environ = create_environ(path=request.url.path, base_url=base,
                                 query_string=request.url.query.decode("ascii"))
        app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
        body = b"".join(app_iter)
        return httpx.Response(int(status.split()[0]), headers=list(headers.items()), content=body)

    return handler


def _flask_app():
    from flask import Flask

    app = Flask(__name__)
    app.get("/")(lambda: "hello")
    return app


def test_real_werkzeug_debugger_on_a_public_host_is_files_plus_a_host_restricted_console():
    from werkzeug.debug import DebuggedApplication

    result, (report,) = probe([URL], _wsgi_site(DebuggedApplication(_flask_app(), evalex=True)))
    finding = only(result, "PF602")
    assert finding.severity is Severity.CRITICAL and finding.message.startswith(FILES_ONLY)
    assert "Werkzeug's debugger.js (EVALEX_TRUSTED, CONSOLE_MODE, pinauth, initPinBox)" in finding.evidence
    assert "Werkzeug's debugger style.css (div.debugger, div.traceback, div.console, pin-prompt)" in finding.evidence
    assert finding.evidence.endswith("GET https://example.com/console -> 400 (console present, host-restricted)")


def test_real_werkzeug_console_with_the_pin_switched_off_is_named(monkeypatch):
    from werkzeug.debug import DebuggedApplication

    monkeypatch.setenv("WERKZEUG_DEBUG_PIN", "off")
    app = DebuggedApplication(_flask_app(), evalex=True)
    result, _ = probe(["https://localhost/"], _wsgi_site(app))  # a trusted host for the console
    assert only(result, "PF602").message.startswith(NO_PIN)
    monkeypatch.delenv("WERKZEUG_DEBUG_PIN")
    result, _ = probe(["https://localhost/"], _wsgi_site(DebuggedApplication(_flask_app(), evalex=True)))
    assert only(result, "PF602").message.startswith(BEHIND_PIN)


def test_the_same_app_without_the_debugger_is_not_pf602():
    result, _ = probe([URL], _wsgi_site(_flask_app()))
    assert "PF602" not in ids(result)
