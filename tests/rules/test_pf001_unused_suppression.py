"""PF001 unused-suppression: `# preflight: ignore` comments naming an unknown rule or silencing nothing.

Each positive has the near-miss beside it that must stay quiet: the same comment where it is used, a rule
`check` cannot judge, text that only looks like a comment."""

import os

APP_HEAD = """\
from flask import Flask

app = Flask(__name__)
"""


def app(*lines: str) -> str:
    """APP_HEAD (3 lines) then ``lines`` from line 4."""
    return APP_HEAD + "".join(line + "\n" for line in lines)


# ---- Python ---------------------------------------------------------------------------------------

def test_named_rule_with_no_finding_is_reported(scan):
    found = scan({"app.py": app('x = 1  # preflight: ignore[PF101]')})
    assert found == [("PF001", "app.py", 4, 8, "low")]
    assert scan.message("PF001", 4) == "Unused suppression: no PF101 finding where this comment applies"
    assert scan.findings[0].location.end_column == 34  # the whole directive is underlined


def test_the_same_comment_silencing_a_finding_is_not_reported(scan):
    found = scan({"app.py": app('app.run(debug=True)  # preflight: ignore[PF101, unguarded-app-run]')})
    assert found == []


def test_one_unused_code_in_a_used_comment_is_reported(scan):
    found = scan({"app.py": app('app.run(debug=True)  # preflight: ignore[PF101, PF102, PF103]')})
    assert found == [("PF001", "app.py", 4, 22, "low")]
    assert scan.message("PF001", 4) == "Unused suppression: no PF103 finding where this comment applies"


def test_unknown_rule_is_reported_as_written(scan):
    found = scan({"app.py": app('x = 1  # preflight: ignore[debug-mode]')})
    assert found == [("PF001", "app.py", 4, 8, "low")]
    assert scan.message("PF001", 4) == "Suppression names unknown rule `debug-mode`; it silences nothing"


def test_a_rule_name_says_which_id_it_is(scan):
    scan({"app.py": app('x = 1  # preflight: ignore[debug-mode-enabled]')})
    assert scan.message("PF001", 4) == ("Unused suppression: no debug-mode-enabled (PF101) finding where this "
                                        "comment applies")


def test_bare_directive_with_nothing_to_silence(scan):
    assert scan({"app.py": app('x = 1  # preflight: ignore')}) == [("PF001", "app.py", 4, 8, "low")]
    assert scan.message("PF001", 4) == ("Unused suppression: `check` finds nothing where this `# preflight: "
                                        "ignore` applies (name the rule if it is for an `inspect` finding)")


def test_bare_directive_that_silences_something(scan):
    assert scan({"app.py": app('app.run(debug=True)  # preflight: ignore')}) == []


def test_empty_brackets(scan):
    assert scan({"app.py": app('x = 1  # preflight: ignore[]')}) == [("PF001", "app.py", 4, 8, "low")]
    assert scan.message("PF001", 4) == "Suppression names no rule: `ignore[]` silences nothing"


def test_prefix(scan):
    assert scan({"app.py": app('app.run(debug=True)  # preflight: ignore[PF1]')}) == []
    assert scan({"app.py": app('x = 1  # preflight: ignore[PF1]')}) == [("PF001", "app.py", 4, 8, "low")]
    assert scan.message("PF001", 4) == "Unused suppression: no finding of the PF1 rules where this comment applies"


def test_comment_on_the_last_line_of_a_multi_line_finding_is_used(scan):
    found = scan({"app.py": app("app.run(", "    debug=True,", ")  # preflight: ignore[PF102]")})
    assert [f[0] for f in found] == ["PF101"]  # PF102 (the whole call) silenced by its last line


def test_comment_inside_a_multi_line_finding_silences_nothing(scan):
    found = scan({"app.py": app("app.run(", "    host='127.0.0.1',  # preflight: ignore[PF102]", "    debug=True,",
                                ")")})
    assert ("PF001", "app.py", 5, 24, "low") in found and ("PF102", "app.py", 4, 1, "high") in found


def test_text_in_a_string_literal_is_not_a_directive(scan):
    assert scan({"app.py": app('HELP = "write # preflight: ignore[PF101] after the call"')}) == []


def test_rules_check_cannot_judge_are_left_alone(scan):
    # PF503 is an inspect rule: the comment may well silence it there.
    assert scan({"app.py": app('app.config["SECRET_KEY"] = load()  # preflight: ignore[PF503]')}) == []
    # PF101 deselected: this run cannot know whether the comment is used.
    assert scan({"app.py": app('x = 1  # preflight: ignore[PF101]')}, select=["PF001", "PF2"]) == []
    # ...but a misspelt rule is wrong whatever was selected.
    assert scan({"app.py": app('x = 1  # preflight: ignore[PF9999]')}, select=["PF001"]) == [
        ("PF001", "app.py", 4, 8, "low")]


def test_naming_pf001_keeps_the_comment_quiet(scan):
    assert scan({"app.py": app('x = 1  # preflight: ignore[PF101, unused-suppression]')}) == []


def test_not_reported_when_pf001_is_not_selected(scan):
    assert scan({"app.py": app('x = 1  # preflight: ignore[PF101]')}, select=["PF1"]) == []


def test_a_file_not_otherwise_analysed_still_has_its_comments_judged(scan):
    assert scan({"util.py": "def f():\n    return 1  # preflight: ignore[PF101]\n"}) == [
        ("PF001", "util.py", 2, 15, "low")]


# ---- deployment files ------------------------------------------------------------------------------

DOCKER_HEAD = "FROM python:3.12-slim\nWORKDIR /app\n"
CMD = 'CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "app:app"]\n'


def test_dockerfile_comment_above_that_silences(scan):
    text = DOCKER_HEAD + "# preflight: ignore[PF402]\nENV FLASK_DEBUG=1\nCOPY . .\n" + CMD
    assert scan({"Dockerfile": text, "app.py": APP_HEAD}) == []


def test_dockerfile_comment_above_that_silences_nothing(scan):
    text = DOCKER_HEAD + "# preflight: ignore[PF402]\nENV FLASK_DEBUG=0\nCOPY . .\n" + CMD
    assert scan({"Dockerfile": text, "app.py": APP_HEAD}) == [("PF001", "Dockerfile", 3, 1, "low")]


def test_dockerfile_comment_above_a_blank_line_reaches_nothing(scan):
    text = DOCKER_HEAD + "# preflight: ignore[PF402]\n\nENV FLASK_DEBUG=1\nCOPY . .\n" + CMD
    assert scan({"Dockerfile": text, "app.py": APP_HEAD}) == [("PF001", "Dockerfile", 3, 1, "low"),
                                                             ("PF402", "Dockerfile", 5, 5, "medium")]


def test_env_file_trailing_comment(scan):
    assert scan({".env": "LOG_LEVEL=info  # preflight: ignore[PF402]\n", "app.py": APP_HEAD}) == [
        ("PF001", ".env", 1, 17, "low")]


def test_a_warm_cache_reports_the_same(tmp_path):
    """Directives travel with each file's cached result; a file with nothing else to analyse is not 'trivial'."""
    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    (tmp_path / "app.py").write_text(app("app.run(debug=True)  # preflight: ignore[PF101, PF102, PF103]"),
                                     encoding="utf-8")
    (tmp_path / "util.py").write_text("X = 1  # preflight: ignore[PF101]\n", encoding="utf-8")

    def run():
        result = run_check([str(tmp_path)], Settings(project_root=str(tmp_path), respect_gitignore=False),
                           use_cache=True)
        return sorted((f.rule_id, os.path.basename(f.path), f.line, f.column) for f in result.findings), \
            result.suppressed_by_rule

    cold = run()
    assert cold == ([("PF001", "app.py", 4, 22), ("PF001", "util.py", 1, 8)], {"PF101": 1, "PF102": 1})
    assert run() == cold  # whole-project hit
    os.utime(tmp_path / "util.py", (1, 1))  # per-file hits (the manifest no longer vouches for this one)
    assert run() == cold
