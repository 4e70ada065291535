"""PF602: the Werkzeug debugger answers on its resource endpoint or /console."""

import httpx

from flask_preflight.findings import Severity
from probe.test_unit import HARDENED, hardened_site, ids, only, probe


def _shared(name):
    import pkgutil

    return pkgutil.get_data("werkzeug.debug", f"shared/{name}").decode("utf-8")


def test_debugger_resource_is_critical_and_nothing_is_executed():
    site = hardened_site()

    def root(request):
        if request.url.params.get("__debugger__") == "yes":
            name = request.url.params.get("f")
            return httpx.Response(200, headers=HARDENED, text=_shared(name))
        return site.page()

    site.pages[("https", "/")] = root
    result, _ = probe(["https://example.com/"], site)
    assert only(result, "PF602").severity is Severity.CRITICAL
    commands = {r.url.params.get("cmd") for r in site.requests if r.url.params.get("__debugger__")}
    assert commands == {"resource"} and all(r.method in ("GET", "HEAD") for r in site.requests)


def test_catch_all_page_is_not_the_debugger():
    site = hardened_site()
    site.default = lambda r: site.page(text="<html>app shell</html>")
    result, _ = probe(["https://example.com/"], site)
    assert "PF602" not in ids(result)
