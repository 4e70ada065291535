"""Metamorphic properties: edits that cannot change what a Flask app does must not change the findings.

``test_property.py`` checks that ``check`` survives any input; these check that it gives the *same answer*
when the code means the same thing. Hypothesis builds small Flask modules from snippets (debug settings,
keys, routes that return exception text, dev-server calls, config classes) under an app variable of its
choosing, then applies one meaning-preserving edit and compares the findings:

- blank and comment lines inserted between statements: findings unchanged except their lines, which move
  with the code;
- the module re-printed by ``ast.unparse`` (other layout, no comments): same (rule, severity) multiset;
- ``# preflight: ignore[ID]`` appended to a finding's line: exactly the findings of that rule on that line go;
- the app variable renamed: same (rule, line, severity);
- every dev-server call under ``if __name__ == "__main__":``: never PF102;
- every debug switch False: never PF101.

The runs are deterministic (a fixed seed per test) and failing examples stay in Hypothesis' example
database (``.hypothesis/``), so a failure seen once is replayed first on the next run.
"""

from __future__ import annotations

import ast
import keyword
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from flask_preflight.config import Settings
from flask_preflight.findings import Finding
from flask_preflight.static.engine import run_check

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SEED = 20261207

# --- building modules ------------------------------------------------------------------------------------

HEADER = "import os\n\nfrom flask import Flask, jsonify\n\n{app} = Flask(__name__)\n"
FAKE_KEYS = ("dev", "change-me", "s3cr3t-hardcoded-value-1234", "aX9f2Lq8Zr7Wm3Tb")

_NAMES_IN_SNIPPETS = {"os", "Flask", "jsonify", "Config", "load", "e", "item_id", "exc", "name", "main"}
_RESERVED = set(keyword.kwlist) | set(dir(__builtins__)) | _NAMES_IN_SNIPPETS


def _debug_snippets(flag: str) -> List[str]:
    return [
        f'{{app}}.config["DEBUG"] = {flag}\n',
        f"{{app}}.debug = {flag}\n",
        f"{{app}}.config.update(DEBUG={flag})\n",
        f"\n\nclass Config{{n}}:\n    DEBUG = {flag}\n    TESTING = False\n\n\n{{app}}.config.from_object(Config{{n}})\n",
    ]


def _other_snippets() -> st.SearchStrategy[str]:
    key = st.sampled_from(FAKE_KEYS)
    return st.one_of(
        key.map(lambda k: f'{{app}}.config["SECRET_KEY"] = "{k}"\n'),
        key.map(lambda k: f'{{app}}.secret_key = "{k}"\n'),
        st.just('{app}.secret_key = os.environ["SECRET_KEY"]\n'),
        st.just('{app}.config["SESSION_COOKIE_SECURE"] = False\n'),
        st.sampled_from(["500", "200", "400"]).map(
            lambda status: (
                '\n\n@{app}.route("/items/<int:item_id>")\n'
                "def item{n}(item_id):\n"
                "    try:\n"
                "        return load(item_id)\n"
                "    except Exception as exc:\n"
                f"        return jsonify(error=str(exc)), {status}\n"
            )
        ),
        st.just(
            '\n\n@{app}.route("/ping{n}")\n'
            "def ping{n}():\n"
            '    return "ok"\n'
        ),
    )


def _run_call(flag: str, guarded: bool) -> st.SearchStrategy[str]:
    host = st.sampled_from(["127.0.0.1", "0.0.0.0"])

    def build(h: str) -> str:
        call = f'{{app}}.run(host="{h}", debug={flag})\n'
        return f'\n\nif __name__ == "__main__":\n    {call}' if guarded else call

    return host.map(build)


@st.composite
def modules(draw, *, debug_flags: Sequence[str] = ("True", "False"), guarded_runs: Sequence[bool] = (True, False)) -> str:
    """A module template with ``{app}`` placeholders: a header, 1-5 snippets, maybe a dev-server call last."""
    flag = st.sampled_from(list(debug_flags))
    pieces: List[str] = []
    for n in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            piece = draw(flag.flatmap(lambda f: st.sampled_from(_debug_snippets(f))))
        else:
            piece = draw(_other_snippets())
        pieces.append(piece.replace("{n}", str(n)))
    if draw(st.booleans()):
        pieces.append(draw(st.tuples(flag, st.sampled_from(list(guarded_runs))).flatmap(lambda t: _run_call(*t))))
    return HEADER + "".join(pieces)


app_names = st.from_regex(r"[a-z][a-z0-9_]{0,9}", fullmatch=True).filter(lambda s: s not in _RESERVED)


def render(template: str, app: str = "app") -> str:
    return template.replace("{app}", app)


# --- running check -----------------------------------------------------------------------------------------

Key = Tuple[str, int, int, str]


def findings_of(source: str) -> List[Finding]:
    """Check one ``app.py`` holding ``source`` in a fresh directory (removed afterwards)."""
    d = Path(tempfile.mkdtemp(prefix="metamorphic-"))
    try:
        (d / "app.py").write_text(source, encoding="utf-8")
        result = run_check([str(d)], Settings(project_root=str(d), respect_gitignore=False))
        assert not result.problems, [p.describe() for p in result.problems]
        return list(result.findings)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def keys(findings: Sequence[Finding]) -> List[Key]:
    return sorted((f.rule_id, f.line, f.column, f.severity.value) for f in findings)


# --- edits ---------------------------------------------------------------------------------------------------


def statement_starts(source: str) -> List[int]:
    """First line of each top-level statement, decorators included (a blank line may go before any)."""
    starts = []
    for node in ast.parse(source).body:
        decorators = getattr(node, "decorator_list", [])
        starts.append(min([node.lineno] + [d.lineno for d in decorators]))
    return starts


def insert_lines(source: str, inserts: Dict[int, List[str]]) -> Tuple[str, Dict[int, int]]:
    """Insert ``inserts[line]`` before 1-based ``line``; return the new text and old line -> new line."""
    old = source.splitlines(keepends=True)
    new: List[str] = []
    moved: Dict[int, int] = {}
    for number, text in enumerate(old, start=1):
        new.extend(inserts.get(number, []))
        moved[number] = len(new) + 1
        new.append(text)
    return "".join(new), moved


filler = st.lists(st.one_of(st.just("\n"), st.from_regex(r"# [a-z ]{0,20}\n", fullmatch=True)), min_size=1, max_size=3)


# --- properties ----------------------------------------------------------------------------------------------


@seed(SEED)
@SETTINGS
@given(template=modules(), data=st.data())
def test_blank_and_comment_lines_only_move_findings(template: str, data) -> None:
    source = render(template)
    starts = statement_starts(source)
    chosen = data.draw(st.lists(st.sampled_from(starts), min_size=1, max_size=4, unique=True))
    inserts = {line: data.draw(filler) for line in chosen}
    edited, moved = insert_lines(source, inserts)
    expected = sorted((rule, moved[line], col, sev) for rule, line, col, sev in keys(findings_of(source)))
    assert keys(findings_of(edited)) == expected, edited


@seed(SEED)
@SETTINGS
@given(template=modules())
def test_reformatting_keeps_rules_and_severities(template: str) -> None:
    source = render(template)
    reprinted = ast.unparse(ast.parse(source)) + "\n"
    before = Counter((f.rule_id, f.severity.value) for f in findings_of(source))
    after = Counter((f.rule_id, f.severity.value) for f in findings_of(reprinted))
    assert after == before, reprinted


@seed(SEED)
@SETTINGS
@given(template=modules(), data=st.data())
def test_ignore_comment_removes_exactly_its_finding(template: str, data) -> None:
    source = render(template)
    original = findings_of(source)
    if not original:
        return
    target = data.draw(st.sampled_from(original))
    lines = source.splitlines(keepends=True)
    lines[target.line - 1] = lines[target.line - 1].rstrip("\n") + f"  # preflight: ignore[{target.rule_id}]\n"
    kept = [k for k in keys(original) if not (k[0] == target.rule_id and k[1] == target.line)]
    assert keys(findings_of("".join(lines))) == kept


@seed(SEED)
@SETTINGS
@given(template=modules(), name=app_names)
def test_renaming_the_app_variable_keeps_findings(template: str, name: str) -> None:
    def rule_line_severity(src: str) -> List[Tuple[str, int, str]]:
        return sorted((f.rule_id, f.line, f.severity.value) for f in findings_of(src))

    assert rule_line_severity(render(template, name)) == rule_line_severity(render(template)), name


@seed(SEED)
@SETTINGS
@given(template=modules(guarded_runs=(True,)), name=app_names)
def test_main_guarded_run_never_gives_pf102(template: str, name: str) -> None:
    assert "PF102" not in {f.rule_id for f in findings_of(render(template, name))}


@seed(SEED)
@SETTINGS
@given(template=modules(debug_flags=("False",)), name=app_names)
def test_debug_false_never_gives_pf101(template: str, name: str) -> None:
    assert "PF101" not in {f.rule_id for f in findings_of(render(template, name))}


# --- the edits themselves (so a broken edit cannot make a property vacuous) ---------------------------------


def test_insert_lines_maps_every_line() -> None:
    text, moved = insert_lines("a\nb\nc\n", {2: ["# x\n", "\n"], 3: ["\n"]})
    assert text == "a\n# x\n\nb\n\nc\n"
    assert moved == {1: 1, 2: 4, 3: 6}


def test_statement_starts_include_decorators() -> None:
    src = "import os\n\n\n@dec\n@dec2\ndef f():\n    pass\nx = 1\n"
    assert statement_starts(src) == [1, 4, 8]


@pytest.mark.parametrize(
    "template, rules",
    [
        (HEADER + '{app}.config["DEBUG"] = True\n', {"PF101"}),
        (HEADER + '{app}.run(host="0.0.0.0", debug=False)\n', {"PF102", "PF103"}),
        (HEADER + '{app}.config["SECRET_KEY"] = "dev"\n', {"PF201"}),
    ],
)
def test_the_snippets_do_produce_findings(template: str, rules: set) -> None:
    """The generator's snippets are detectable, so the properties compare non-empty findings."""
    assert rules <= {f.rule_id for f in findings_of(render(template, "server"))}
