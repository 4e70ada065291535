"""The text reporter: exact header/frame/summary lines, because people and CI log greps read them."""

from __future__ import annotations

import pytest

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, ScanResult, Severity
from flask_preflight.report import FORMATS, render
from flask_preflight.report.text import caret_span, render_text, summary_line
from flask_preflight.rules import REGISTRY

PF101 = REGISTRY["PF101"]
PF103 = REGISTRY["PF103"]
PF104 = REGISTRY["PF104"]
DOCS = "https://github.com/flask-preflight/flask-preflight/blob/main/docs/rules"


def debug_finding(path: str = "app.py", line: int = 12, **kw):
    return PF101.finding("Flask debug mode is enabled by app.run(debug=True)",
                         Location(path, line, 13, line, 23), snippet="    app.run(debug=True)\n", **kw)


def text(result: ScanResult, **kw) -> str:
    return render(result, "text", tool_version="0.1.0", **kw)


def test_formats_and_unknown_format():
    assert FORMATS == ("text", "json", "sarif", "html", "github", "gitlab")
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render(ScanResult(), "xml", tool_version="0.1.0")


def test_single_finding_exact_output():
    out = text(ScanResult(findings=[debug_finding()], files_scanned=1))
    assert out == (
        "app.py:12:13: PF101 [high] Flask debug mode is enabled by app.run(debug=True)\n"
        "  12 |     app.run(debug=True)\n"
        "     |             ^^^^^^^^^^\n"
        f"  = help: {PF101.fix_hint} See {DOCS}/pf101.md\n"
        "\n"
        "Found 1 finding (1 high) in 1 file.\n"
    )


def test_findings_are_sorted_and_separated_by_blank_lines():
    a = debug_finding("b.py", 3)
    b = debug_finding("a.py", 9)
    c = debug_finding("a.py", 2)
    result = ScanResult(findings=[a, b, c], files_scanned=2)
    out = text(result)
    headers = [ln for ln in out.splitlines() if ": PF101 [" in ln]
    assert [h.split(":")[0] + ":" + h.split(":")[1] for h in headers] == ["a.py:2", "a.py:9", "b.py:3"]
    assert out.count("\n\n") == 3  # between the three findings and before the summary
    assert result.findings == [a, b, c]  # the caller's list is not reordered


def test_caret_expands_tabs_consistently():
    f = PF103.finding("dev server listens on all interfaces", Location("app.py", 30, 15, 30, 24),
                      snippet="\tapp.run(host='0.0.0.0')\n")
    frame = text(ScanResult(findings=[f])).splitlines()[1:3]
    assert frame == ["  30 |     app.run(host='0.0.0.0')",
                     "     |                  ^^^^^^^^^"]
    code, carets = frame
    start = carets.index("^")
    assert code[start:start + carets.count("^")] == "'0.0.0.0'"


def test_tab_in_the_middle_of_a_line_aligns_to_tab_stops():
    snippet = "x =\t1"  # 'x =' fills 3 cells, the tab pads to column 4
    f = PF101.finding("m", Location("a.py", 1, 5, 1, 6), snippet=snippet)
    frame = text(ScanResult(findings=[f])).splitlines()[1:3]
    assert frame == ["  1 | x = 1", "    |     ^"]


def test_wide_characters_take_two_cells():
    f = PF101.finding("m", Location("a.py", 1, 8, 1, 12), snippet="s = '日本'; x=1")
    frame = text(ScanResult(findings=[f])).splitlines()[1:3]
    assert frame == ["  1 | s = '日本'; x=1",
                     "    |          ^^^^"]  # pad: "s = '" is 5 cells, each ideograph 2


def test_multiline_span_underlines_to_end_of_first_line_and_frame_is_capped():
    snippet = "app.wsgi_app = DebuggedApplication(  \n" + "".join(f"    arg{i},\n" for i in range(6)) + ")\n"
    f = PF104.finding("The Werkzeug debugger wraps the app", Location("wsgi.py", 8, 16, 15, 2), snippet=snippet)
    lines = text(ScanResult(findings=[f])).splitlines()
    assert lines[1:9] == [
        "   8 | app.wsgi_app = DebuggedApplication(",
        "     |                ^^^^^^^^^^^^^^^^^^^^",
        "   9 |     arg0,",
        "  10 |     arg1,",
        "  11 |     arg2,",
        "  12 |     arg3,",
        "     | ...",
        f"  = help: {PF104.fix_hint} See {DOCS}/pf104.md",
    ]


def test_frame_of_exactly_five_lines_has_no_ellipsis():
    f = PF104.finding("m", Location("a.py", 1, 1, 5, 2), snippet="a\nb\nc\nd\ne")
    out = text(ScanResult(findings=[f]))
    assert "..." not in out
    assert "  5 | e" in out.splitlines()


@pytest.mark.parametrize("column,end_line,end_column,expected", [
    (5, None, None, (4, 1)),       # no end: a single caret
    (5, 1, 5, (4, 1)),             # zero width: still one caret
    (5, 1, 3, (4, 1)),             # end before start: one caret
    (40, 1, 50, (10, 1)),          # past the end of the line: one caret after the text
    (1, 1, 99, (0, 10)),           # end clamped to the line
    (3, 2, 1, (2, 8)),             # multi-line: to the end of the first line
])
def test_caret_span_edge_cases(column, end_line, end_column, expected):
    assert caret_span("0123456789", column, end_line, end_column, 1) == expected


def test_no_snippet_means_no_frame_and_help_is_the_docs_link_without_hint():
    f = PF101.finding("found by the runtime inspector", Location("app.py", 1, 1), fix_hint="")
    out = text(ScanResult(findings=[f], files_scanned=1))
    assert out.splitlines()[:3] == ["app.py:1:1: PF101 [high] found by the runtime inspector",
                                    f"  = help: See {DOCS}/pf101.md", ""]


def test_help_line_ends_with_the_rules_docs_link():
    """Every registered rule's help line ends with its docs link; a hint without a final stop gets one first;
    an unregistered (plugin) rule gets no link, and without a hint no help line at all."""
    for rule in REGISTRY:
        f = rule.finding("m", Location("a.py", 1, 1))
        help_lines = [line for line in text(ScanResult(findings=[f])).splitlines() if line.startswith("  = help: ")]
        assert len(help_lines) == 1 and help_lines[0].endswith(f" See {DOCS}/{rule.id.lower()}.md"), rule.id
    f = PF101.finding("m", Location("a.py", 1, 1), fix_hint="Turn it off")
    assert text(ScanResult(findings=[f])).splitlines()[1] == f"  = help: Turn it off. See {DOCS}/pf101.md"
    plugin = Finding("PF999", "plugin-rule", Severity.HIGH, "m", Location("a.py", 1, 1), fix_hint="Do x")
    assert text(ScanResult(findings=[plugin])).splitlines()[1] == "  = help: Do x"
    bare = Finding("PF999", "plugin-rule", Severity.HIGH, "m", Location("a.py", 1, 1))
    assert text(ScanResult(findings=[bare])).splitlines()[1] == ""


def test_severity_override_is_shown():
    out = text(ScanResult(findings=[debug_finding(severity=Severity.LOW)], files_scanned=1))
    assert out.startswith("app.py:12:13: PF101 [low] ")
    assert out.rstrip().endswith("Found 1 finding (1 low) in 1 file.")


def test_problems_are_listed_after_findings():
    result = ScanResult(findings=[debug_finding()], files_scanned=3, problems=[
        Problem("z.bin", ProblemKind.BINARY, "contains NUL bytes"),
        Problem("broken.py", ProblemKind.SYNTAX_ERROR, "invalid syntax", line=4, column=7),
        Problem("half.py", ProblemKind.DECODE_ERROR, "bad utf-8", line=2),
    ])
    lines = text(result).splitlines()
    assert lines[-5:] == [
        "broken.py:4:7: error: syntax-error: invalid syntax",
        "half.py:2: error: decode-error: bad utf-8",
        "z.bin: error: binary-file: contains NUL bytes",
        "",
        "Found 1 finding (1 high) in 3 files; 3 files could not be analyzed.",
    ]


@pytest.mark.parametrize("result,expected", [
    (ScanResult(files_scanned=12), "No findings in 12 files."),
    (ScanResult(files_scanned=1), "No findings in 1 file."),
    (ScanResult(files_scanned=0), "No findings in 0 files."),
    (ScanResult(files_scanned=4, suppressed=2), "No findings in 4 files; 2 suppressed."),
    (ScanResult(files_scanned=2, problems=[Problem("a.py", ProblemKind.UNREADABLE, "denied")]),
     "No findings in 2 files; 1 file could not be analyzed."),
    (ScanResult(files_scanned=2, problems=[Problem("a.py", ProblemKind.SYNTAX_ERROR, "x", 1),
                                           Problem("a.py", ProblemKind.TOO_COMPLEX, "y", 9)]),
     "No findings in 2 files; 1 file could not be analyzed."),
])
def test_summary_wording(result, expected):
    assert summary_line(result) == expected


def test_summary_lists_non_zero_severities_in_order():
    findings = [
        debug_finding("a.py"), debug_finding("b.py"),
        PF104.finding("debugger", Location("c.py", 1, 1, 1, 5), snippet="code"),
        debug_finding("d.py", severity=Severity.LOW),
    ]
    result = ScanResult(findings=findings, files_scanned=12, suppressed=1,
                        problems=[Problem("e.py", ProblemKind.SYNTAX_ERROR, "bad")])
    assert summary_line(result) == ("Found 4 findings (1 critical, 2 high, 1 low) in 12 files; 1 suppressed; "
                                    "1 file could not be analyzed.")


def test_statistics_table_sorted_by_count_then_id():
    findings = [
        PF104.finding("d", Location("c.py", 1, 1, 1, 2), snippet="x"),
        debug_finding("a.py"),
        PF103.finding("b", Location("a.py", 2, 1, 2, 2), snippet="x"),
        debug_finding("b.py"),
        debug_finding("c.py"),
        PF103.finding("b", Location("b.py", 2, 1, 2, 2), snippet="x"),
    ]
    out = text(ScanResult(findings=findings, files_scanned=3), statistics=True)
    assert out.splitlines()[-4:] == [
        "",
        "  3  PF101  debug-mode-enabled         [high]",
        "  2  PF103  dev-server-public-bind     [medium]",
        "  1  PF104  werkzeug-debugger-enabled  [critical]",
    ]
    assert "PF101  debug-mode" not in text(ScanResult(findings=findings, files_scanned=3))


def test_statistics_count_suppressed_findings_per_rule():
    findings = [debug_finding("a.py"), debug_finding("b.py"),
                PF104.finding("d", Location("c.py", 1, 1, 1, 2), snippet="x")]
    result = ScanResult(findings=findings, files_scanned=3, suppressed=4, suppressed_by_rule={"PF101": 1, "PF103": 3})
    assert text(result, statistics=True).splitlines()[-4:] == [
        "",
        "  2  PF101  debug-mode-enabled         [high]      (1 suppressed)",
        "  1  PF104  werkzeug-debugger-enabled  [critical]",
        "  0  PF103  dev-server-public-bind     [medium]    (3 suppressed)",
    ]


def test_statistics_when_everything_was_suppressed():
    result = ScanResult(files_scanned=1, suppressed=1, suppressed_by_rule={"PF101": 1})
    assert text(result, statistics=True) == ("No findings in 1 file; 1 suppressed.\n\n"
                                              "  0  PF101  debug-mode-enabled  [high]      (1 suppressed)\n")
    # Without --statistics only the summary says it.
    assert text(result) == "No findings in 1 file; 1 suppressed.\n"


def test_statistics_without_findings_adds_nothing():
    assert text(ScanResult(files_scanned=3), statistics=True) == "No findings in 3 files.\n"


def test_no_ansi_without_color_and_ansi_with_color():
    result = ScanResult(findings=[debug_finding(), PF104.finding("x", Location("w.py", 1, 1, 1, 4), snippet="abc")],
                        problems=[Problem("q.py", ProblemKind.SYNTAX_ERROR, "bad")], files_scanned=2)
    plain = text(result, statistics=True)
    assert "\x1b" not in plain
    colored = text(result, color=True, statistics=True)
    assert "\x1b[" in colored
    assert "\x1b[1mPF101\x1b[0m" in colored          # rule id bold
    assert "\x1b[31m[high]\x1b[0m" in colored         # high: red
    assert "\x1b[31m\x1b[1m[critical]\x1b[0m" in colored  # critical: red bold
    assert "\x1b[31m^^^^^^^^^^\x1b[0m" in colored     # carets red
    # Stripping the escapes gives back exactly the plain report.
    import re
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_untrusted_text_cannot_emit_terminal_escapes():
    f = PF101.finding("msg\x1b[2Jwith\nnewline", Location("evil\x1b]0;x\x07.py", 1, 5, 1, 8),
                      snippet="x = \x1b[31mred\u202e # bidi")
    out = text(ScanResult(findings=[f], files_scanned=1))
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    lines = out.splitlines()
    assert lines[0] == "evil\\x1b]0;x\\x07.py:1:5: PF101 [high] msg\\x1b[2Jwith\\nnewline"
    assert lines[1] == "  1 | x = \\x1b[31mred\\u202e # bidi"
    assert lines[2] == "    |     ^^^^^^"  # "\x1b[3" is 6 cells wide as shown


def test_lone_surrogates_are_escaped():
    f = PF101.finding("m", Location("caf\udce9.py", 1, 1, 1, 2), snippet="x\udcff = 1")
    out = render_text(ScanResult(findings=[f]))
    out.encode("utf-8")  # must not raise
    assert out.startswith("caf\\udce9.py:1:1:")


def test_other_line_separators_do_not_split_the_frame():
    # Python only breaks lines on \n, \r\n and \r; a form feed or U+2028 stays inside the line.
    f = PF101.finding("m", Location("a.py", 1, 1, 1, 2), snippet="a\x0cb\u2028c\r\nsecond")
    lines = render_text(ScanResult(findings=[f])).splitlines()
    assert lines[1:4] == ["  1 | a\\x0cb\\u2028c", "    | ^", "  2 | second"]
