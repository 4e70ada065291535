"""The HTML reporter without a browser: exact fragments of the markup, escaping, the CSP, and the CLI wiring.

tests/test_report_html_browser.py opens the same pages in chromium.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flask_preflight.findings import Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import FORMATS, render
from flask_preflight.report.html import Layout, _code_frame, render_html
from flask_preflight.rules import REGISTRY

PAYLOAD = "</code></pre><script>window.__pwned = 1</script>"


def sample_result() -> ScanResult:
    findings = [
        REGISTRY["PF101"].finding("Debug mode is on", Location("app.py", 7, 23, 7, 27),
                                  snippet='app.config["DEBUG"] = True\n'),
        REGISTRY["PF102"].finding(f"app.run() at import: {PAYLOAD}", Location("<b>x.py", 3, 1, 3, 8),
                                  snippet=f"app.run(extra='{PAYLOAD}')\n", severity=Severity.LOW),
        REGISTRY["PF104"].finding("debugger", Location("wsgi.py", 2, 16, 4, 2),
                                  snippet="app.wsgi_app = DebuggedApplication(\n    app.wsgi_app,\n    evalex=True)\n"),
    ]
    problems = [Problem("broken.py", ProblemKind.SYNTAX_ERROR, "invalid syntax <here>", line=3, column=9)]
    return ScanResult(findings=findings, problems=problems, files_scanned=4).sorted()


def script_and_style(page: str):
    return (re.search(r"<script>(.*?)</script>", page, re.S).group(1),
            re.search(r"<style>(.*?)</style>", page, re.S).group(1))


def sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_html_is_a_registered_format():
    assert "html" in FORMATS
    assert render(sample_result(), "html", tool_version="9.9") == render_html(sample_result(), tool_version="9.9")


def test_counts_table_and_filters_are_exact():
    page = render_html(sample_result(), tool_version="9.9")
    assert ('<tr data-severity="critical"><th><span class="sev sev-critical">critical</span></th>'
            '<td class="count" data-count="critical">1</td></tr>') in page
    assert '<td class="count" data-count="high">1</td>' in page
    assert '<td class="count" data-count="medium">0</td>' in page
    assert '<td class="count" data-count="low">1</td>' in page
    assert '<td class="count" data-count="total">3</td>' in page
    assert '<input type="checkbox" checked data-severity="medium" id="filter-medium"> medium (0)' in page
    assert '<option value="PF102">PF102 unguarded-app-run (1)</option>' in page
    assert '<span id="shown" aria-live="polite">Showing all 3 findings</span>' in page
    assert ('<p class="summary" id="summary">Found 3 findings (1 critical, 1 high, 1 low) in 4 files; '
            '1 file could not be analyzed.</p>') in page
    # the chart: one bar per severity, scaled to the largest count, none for a zero count
    assert page.count("<rect ") == 4
    assert 'width="220" height="16" rx="2" fill="#b00020"><title>1 critical</title>' in page
    assert 'width="0" height="16" rx="2" fill="#b8860b"><title>0 medium</title>' in page


def test_untrusted_text_is_escaped_everywhere():
    page = render_html(sample_result(), tool_version="9.9")
    assert page.count("<script") == 1  # the page's own script only
    assert "<b>" not in page
    assert '<h3>&lt;b&gt;x.py <span class="muted">(1 finding)</span></h3>' in page
    assert 'data-path="&lt;b&gt;x.py"' in page
    escaped = "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;"
    assert f'<p class="msg">app.run() at import: {escaped}</p>' in page
    assert f"<mark>app.run</mark>(extra=&#x27;{escaped}&#x27;)" in page
    assert "<pre>invalid syntax &lt;here&gt;</pre>" in page


def test_escaping_is_not_done_twice():
    """The negative beside the escaping test: ordinary text and the registry's own docs stay readable."""
    page = render_html(sample_result(), tool_version="9.9")
    assert "&amp;lt;" not in page
    assert '<p class="msg">Debug mode is on</p>' in page
    assert f"<p>{REGISTRY['PF104'].rationale}</p>".replace("'", "&#x27;").replace('"', "&quot;") in page


def test_code_frame_marks_the_span_like_the_text_carets():
    f = sample_result().findings
    by_path = {x.path: x for x in f}
    assert _code_frame(by_path["app.py"]) == (
        '<pre class="frame"><code><span class="ln">7</span>app.config[&quot;DEBUG&quot;] = <mark>True</mark>'
        '</code></pre>')
    # a multi-line span: marked to the end of the first line, later lines numbered and plain
    assert _code_frame(by_path["wsgi.py"]) == (
        '<pre class="frame"><code><span class="ln">2</span>app.wsgi_app = <mark>DebuggedApplication(</mark>\n'
        '<span class="ln">3</span>    app.wsgi_app,\n<span class="ln">4</span>    evalex=True)</code></pre>')


def test_zero_width_span_still_marks_one_character_and_no_snippet_means_no_frame():
    rule = REGISTRY["PF101"]
    zero = rule.finding("m", Location("a.py", 1, 5, 1, 5), snippet="abc = 1\n")
    assert _code_frame(zero) == '<pre class="frame"><code><span class="ln">1</span>abc <mark>=</mark> 1</code></pre>'
    assert _code_frame(rule.finding("m", Location("a.py", 1, 1), snippet="")) == ""


def test_control_characters_and_lone_surrogates_are_shown_escaped_and_the_page_encodes():
    rule = REGISTRY["PF101"]
    f = rule.finding("m\x1b[31m", Location("bad\udcff.py", 1, 1, 1, 2), snippet="x\u202e = 1\n")
    page = render_html(ScanResult(findings=[f], files_scanned=1), tool_version="9.9")
    page.encode("utf-8")  # would raise on a raw lone surrogate
    assert "bad\\udcff.py" in page and "m\\x1b[31m" in page and "<mark>x</mark>\\u202e = 1" in page
    assert "\x1b" not in page and "\u202e" not in page


def test_csp_allows_only_the_pages_own_style_and_script():
    page = render_html(sample_result(), tool_version="9.9")
    script, style = script_and_style(page)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1)
    assert csp == (f"default-src 'none'; style-src '{sha(style)}'; script-src '{sha(script)}'; img-src data:; "
                   "base-uri 'none'; form-action 'none'")
    assert "unsafe-inline" not in csp
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)  # nothing fetched from anywhere


def test_template_markers_inside_scanned_text_are_not_replaced():
    rule = REGISTRY["PF101"]
    f = rule.finding("@@csp@@ @@title@@", Location("a.py", 1, 1, 1, 2), snippet="@@body@@\n")
    page = render_html(ScanResult(findings=[f], files_scanned=1), tool_version="9.9")
    assert '<p class="msg">@@csp@@ @@title@@</p>' in page
    assert "<mark>@</mark>@body@@" in page


def test_rule_docs_only_for_rules_with_findings():
    page = render_html(sample_result(), tool_version="9.9")
    assert re.findall(r'<details class="rule-doc" id="rule-(PF\d+)">', page) == ["PF101", "PF102", "PF104"]
    assert ('<dl><dt>Severity</dt><dd>high (default)</dd><dt>Modes</dt><dd>check, inspect, probe</dd>'
            '<dt>CWE</dt><dd>CWE-489, CWE-215</dd><dt>OWASP Top 10</dt><dd>A05:2021-Security Misconfiguration</dd>'
            '</dl>') in page
    assert '<button type="button" class="rule" data-rule="PF104" title="Show the docs of PF104">PF104</button>' in page


def test_no_findings_and_no_problems():
    page = render_html(ScanResult(files_scanned=2), tool_version="9.9")
    assert "<p>No findings.</p>" in page
    assert '<h2>Files that could not be analysed (0)</h2>\n<p>None: every file was analysed.</p>' in page
    assert 'id="rules"' not in page
    assert '<p class="summary" id="summary">No findings in 2 files.</p>' in page


def test_layout_names_what_was_scanned():
    layout = Layout(command="probe", group_label="URL", summary="S.", problems_heading="URLs not (fully) probed",
                    extra_sections=(("Probe summary", "  http://h/  grade A <b>"),))
    page = render_html(sample_result(), tool_version="9.9", layout=layout)
    assert "<title>flask-preflight probe report</title>" in page
    assert "<h2>Findings by URL</h2>" in page
    assert "<h2>URLs not (fully) probed (1)</h2>" in page
    assert '<h2>Probe summary</h2>\n<pre>  http://h/  grade A &lt;b&gt;</pre>' in page


def test_check_cli_writes_the_page_and_a_summary(tmp_path: Path):
    (tmp_path / "app.py").write_text('from flask import Flask\napp = Flask(__name__)\napp.config["DEBUG"] = True\n')
    out = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "--format", "html",
                           "-o", str(out), "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == "flask-preflight: 1 finding in 1 file\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert '<td class="count" data-count="high">1</td>' in page


def test_html_is_accepted_by_every_command_and_config(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.flask-preflight]\nformat = "html"\n')
    (tmp_path / "app.py").write_text("x = 1\n")
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "app.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("<!DOCTYPE html>")
    for command in ("inspect", "probe"):
        proc = subprocess.run([sys.executable, "-m", "flask_preflight", command, "--help"],
                              capture_output=True, text=True, timeout=60)
        assert "--format [text|json|sarif|html|github|gitlab]" in proc.stdout


@pytest.mark.parametrize("fmt", ["xml", "HTML5"])
def test_unknown_formats_still_fail(fmt: str):
    with pytest.raises(ValueError):
        render(sample_result(), fmt, tool_version="9.9")
