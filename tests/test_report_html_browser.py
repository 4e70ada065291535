"""The HTML report in a real browser: Debian's chromium driven by playwright, pages opened from file://.

The reports are made by the real CLI in a subprocess (check, inspect, and probe against a server on
127.0.0.1), and every count the page shows is compared with the JSON report of the same run. .ci/run
installs chromium (apt-get) and playwright (the test extra); no browser is downloaded.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parent.parent
PAYLOAD = "</code></pre><script>window.__pwned = 1</script><img src=x onerror='window.__pwned = 2'>"
EVIL_NAME = "<svg onload=window.__pwned=3>.py"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask_preflight", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def report_pair(command: List[str], cwd: Path, out: Path) -> Tuple[dict, Path]:
    """The JSON report and the HTML report of the same command, both made by the CLI."""
    json_run = run_cli(*command, "--format", "json", cwd=cwd)
    assert json_run.returncode in (0, 1, 3), json_run.stderr
    html_run = run_cli(*command, "--format", "html", "-o", str(out), cwd=cwd)
    assert html_run.returncode == json_run.returncode, html_run.stderr
    return json.loads(json_run.stdout), out


def open_report(page: Page, path: Path) -> List[str]:
    """Open the file and return every URL the page requested (only its own file:// URL is allowed)."""
    requests: List[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    return requests


def shown_counts(page: Page) -> Dict[str, int]:
    return {el.get_attribute("data-count"): int(el.inner_text()) for el in page.query_selector_all("[data-count]")}


def visible(page: Page, selector: str) -> int:
    return sum(1 for el in page.query_selector_all(selector) if el.is_visible())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Findings of all four severities, a file that cannot be parsed, and markup in code and in a file name."""
    root = tmp_path_factory.mktemp("html-project")
    for f in (REPO / "examples" / "unsafe_app").iterdir():
        (root / f.name).write_bytes(f.read_bytes())
    (root / "evil.py").write_text("from flask import Flask\napp = Flask(__name__)\n"
                                  f'app.run(host="0.0.0.0", debug=True, extra="{PAYLOAD}")\n')
    (root / EVIL_NAME).write_text('from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0")\n')
    (root / "broken.py").write_text("from flask import Flask\napp = Flask(__name__)\ndef broken(:\n    pass\n")
    (root / "gunicorn.conf.py").write_text("reload = True\n")
    return root


@pytest.fixture(scope="module")
def check_reports(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Tuple[dict, Path]:
    out = tmp_path_factory.mktemp("html-out") / "report.html"
    return report_pair(["check", "--no-cache", "."], project, out)


def test_check_report_counts_filters_and_screenshot(page: Page, check_reports: Tuple[dict, Path], tmp_path: Path):
    data, html_path = check_reports
    by_sev = data["summary"]["by_severity"]
    assert all(by_sev[s] > 0 for s in ("critical", "high", "medium", "low")), by_sev  # the fixture covers all
    requests = open_report(page, html_path)
    assert requests == [html_path.resolve().as_uri()]
    assert shown_counts(page) == {**by_sev, "total": data["summary"]["findings"]}
    n = len(data["findings"])
    assert visible(page, ".finding") == n
    assert visible(page, "#errors tr.problem") == len(data["errors"]) == 1
    assert page.inner_text("#shown") == f"Showing all {n} findings"
    groups = {el.get_attribute("data-path") for el in page.query_selector_all("#findings .file")}
    assert groups == {f["path"] for f in data["findings"]}

    page.click("#filter-low")
    assert visible(page, '.finding[data-severity="low"]') == 0
    assert visible(page, ".finding") == n - by_sev["low"]  # the other severities stay
    assert page.inner_text("#shown") == f"Showing {n - by_sev['low']} of {n} findings"
    # the file whose findings are all low disappears with them; a file with other findings stays
    assert not page.is_visible(f'#findings .file[data-path="{EVIL_NAME}"]')
    assert page.is_visible('#findings .file[data-path="app.py"]')
    page.screenshot(path=str(tmp_path / "report-filtered.png"), full_page=True)

    page.click("#filter-low")
    assert visible(page, ".finding") == n
    page.select_option("#rule-filter", "PF101")
    assert visible(page, ".finding") == data["summary"]["by_rule"]["PF101"]
    assert visible(page, '.finding:not([data-rule="PF101"])') == 0
    page.select_option("#rule-filter", "")
    assert visible(page, ".finding") == n

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rule_docs_open_on_click(page: Page, check_reports: Tuple[dict, Path]):
    from flask_preflight.rules import REGISTRY

    open_report(page, check_reports[1])
    rationale = REGISTRY["PF104"].rationale
    assert not page.is_visible("#rule-PF104 p")  # closed until asked for
    page.click('.finding[data-rule="PF104"] button.rule')
    assert page.get_attribute("#rule-PF104", "open") is not None
    assert page.inner_text("#rule-PF104 p") == rationale
    assert page.get_attribute("#rule-PF101", "open") is None  # only the one clicked


def test_markup_from_scanned_files_is_shown_not_run(page: Page, check_reports: Tuple[dict, Path]):
    open_report(page, check_reports[1])
    assert page.evaluate("window.__pwned") is None
    frames = page.inner_text('#findings .file[data-path="evil.py"]')
    assert PAYLOAD in frames
    assert page.inner_text(f'#findings .file[data-path="{EVIL_NAME}"] h3').startswith(EVIL_NAME)


def test_the_marker_would_catch_a_script_that_ran(page: Page, check_reports: Tuple[dict, Path], tmp_path: Path):
    """The negative beside the escaping test: put the payload in unescaped. With the page's CSP the injected
    script is still blocked (the second wall); without the CSP it runs and sets the marker."""
    html = check_reports[1].read_text(encoding="utf-8")
    escaped = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")
    assert escaped in html
    raw_with_csp = tmp_path / "raw-with-csp.html"
    raw_with_csp.write_text(html.replace(escaped, PAYLOAD), encoding="utf-8")
    open_report(page, raw_with_csp)
    assert page.evaluate("window.__pwned") is None

    start = html.index('<meta http-equiv="Content-Security-Policy"')
    no_csp = html[:start] + html[html.index(">", start) + 1:]
    raw_without_csp = tmp_path / "raw-without-csp.html"
    raw_without_csp.write_text(no_csp.replace(escaped, PAYLOAD), encoding="utf-8")
    open_report(page, raw_without_csp)
    assert page.evaluate("window.__pwned") in (1, 2)


def test_inspect_report_has_the_same_layout(page: Page, tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text('from flask import Flask\napp = Flask(__name__)\napp.config["DEBUG"] = True\n'
                   'app.config["SECRET_KEY"] = "dev"\n')
    data, html_path = report_pair(["inspect", "app:app"], tmp_path, tmp_path / "inspect.html")
    assert data["findings"], data
    open_report(page, html_path)
    assert page.title() == "flask-preflight inspect report"
    assert shown_counts(page) == {**data["summary"]["by_severity"], "total": len(data["findings"])}
    assert visible(page, ".finding") == len(data["findings"])
    assert page.inner_text("#errors h2") == "What could not be inspected (0)"


SERVER_HEADER = "<script>window.__pwned=4</script>/1.0"


class _LeakyHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with a page that lacks security headers, from a server whose name is markup."""

    def version_string(self) -> str:
        return SERVER_HEADER

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = b"<html><body>hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_probe_report_has_the_same_layout(page: Page, tmp_path: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LeakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        data, html_path = report_pair(["probe", "--timeout", "5", url], tmp_path, tmp_path / "probe.html")
    finally:
        server.shutdown()
        server.server_close()
    assert data["findings"], data
    open_report(page, html_path)
    assert page.title() == "flask-preflight probe report"
    assert shown_counts(page) == {**data["summary"]["by_severity"], "total": len(data["findings"])}
    assert visible(page, ".finding") == len(data["findings"])
    assert page.inner_text("#findings h2") == "Findings by URL"
    assert page.inner_text("#findings .file h3").startswith(url)
    assert "Probe summary" in page.inner_text("section.extra h2")
    assert SERVER_HEADER in page.inner_text('.finding[data-rule="PF510"]')  # shown as text, not run
    assert page.evaluate("window.__pwned") is None
