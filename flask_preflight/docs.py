"""Documentation generated from the code, so the docs site never drifts from what the tool does.

``python -m flask_preflight.docs`` writes:

* ``docs/rules/<id>.md``: one page per rule of the registry (what, why, bad/good code, fix, CWE/OWASP,
  modes, severity and how it follows reachability), and deletes pages of rules that no longer exist;
* ``docs/rules.md``: the index table of every rule (with ``#pf101`` anchors, so links to the older
  single-page rules document still land on the rule);
* the reference table between the markers of ``docs/configuration.md``: every ``[tool.flask-preflight]``
  key, its default read from :class:`flask_preflight.config.Settings`.

``tests/test_docs_site.py`` fails when any of them is out of date. The grading bullets come from the
constants the analysis itself uses (``RUN_RULES`` of the launch regrading, ``testonly.RULES``), so a rule
that starts or stops following reachability changes its page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from flask_preflight.rules import MODES, REGISTRY, Rule, docs_url

#: Where the rule pages live, relative to the repository root; ``docs_url()`` points into this directory.
RULES_DIR = "docs/rules"
CONFIG_PAGE = "docs/configuration.md"
CONFIG_BEGIN = "<!-- BEGIN GENERATED CONFIG (python -m flask_preflight.docs) -->"
CONFIG_END = "<!-- END GENERATED CONFIG -->"

#: What each ``[tool.flask-preflight]`` key takes and does; the keys must equal config._KEYS (tested).
CONFIG_KEYS: Dict[str, Tuple[str, str]] = {
    "select": ("list of rule selectors",
               "Rules that run: ids (`PF101`), names (`debug-mode-enabled`), prefixes (`PF1`) or `ALL`. "
               "`--select` replaces it."),
    "ignore": ("list of rule selectors", "Rules switched off, after `select`. `--ignore` replaces it."),
    "per-file-ignores": ("table of glob = [selectors]",
                         "Rules switched off for files matching a gitignore-style pattern, relative to the "
                         "directory of the config file, e.g. `{ \"tests/**\" = [\"PF101\"] }`."),
    "exclude": ("list of gitignore-style patterns",
                "Paths the directory walk never enters (files named on the command line are still checked); "
                "excluded paths are counted in the summary. `--exclude` replaces it."),
    "extend-exclude": ("list of gitignore-style patterns",
                       "More patterns, added to `exclude`. `--extend-exclude` adds to both."),
    "fail-on": ("",  # config.FAIL_ON_CHOICES
                "The lowest severity that makes the run exit 1. `--fail-on` overrides it."),
    "format": ("",  # config._formats(), asked of the reporters
               "The report format. `--format` overrides it."),
    "output": ("file path", "Write the report to this file instead of stdout. `-o` overrides it (`-o -` is "
                            "stdout)."),
    "max-file-size": ("size (`\"5MB\"`, `\"512KB\"` or bytes)",
                      "Larger files are reported as not analysed, without being read. Binary units "
                      "(1 MB = 1024 KiB). `--max-file-size` overrides it."),
    "respect-gitignore": ("true, false",
                          "Skip what `.gitignore` ignores, except files git tracks (they still ship). "
                          "`--respect-gitignore`/`--no-respect-gitignore` override it."),
}

_CODE_LANGUAGES = (("# Dockerfile", "dockerfile"), ("# docker-compose", "yaml"), ("# compose", "yaml"),
                   ("# Procfile", "text"), ("# .env", "shell"), ("# .flaskenv", "shell"),
                   ("# gunicorn.conf.py", "python"), ("# render.yaml", "yaml"), ("# app.yaml", "yaml"),
                   ("# fly.toml", "toml"), ("# systemd", "ini"), ("#", "python"))


def rule_page_path(rule_id: str) -> str:
    """The repository-relative path of a rule's page (``docs/rules/pf101.md``)."""
    return f"{RULES_DIR}/{rule_id.lower()}.md"


def _modes(rule: Rule) -> str:
    return ", ".join(m for m in MODES if m in rule.modes)


def _language(code: str) -> str:
    """The fence language of a bad/good example, from the file its first comment names (Python otherwise)."""
    first = code.strip("\n").splitlines()[0] if code.strip() else ""
    for prefix, language in _CODE_LANGUAGES:
        if first.startswith(prefix):
            return language
    return "python"


def _grading(rule: Rule) -> List[str]:
    """How a finding's severity can differ from the rule's default, as the analysis decides it."""
    from flask_preflight.static.deploy.common import RUN_RULES
    from flask_preflight.static.python.testonly import RULES as TEST_ONLY_RULES

    lines: List[str] = []
    if "check" in rule.modes and rule.id != "PF001":
        if rule.id.startswith("PF4"):
            lines.append("- In `check`, what a deployment file for local development says (`Dockerfile.dev`, "
                         "`docker-compose.override.yml`, a compose service that bind-mounts `.`, "
                         "`.env.development`, `Procfile.dev`), and any deployment file under a test directory, "
                         "is reported as **low**.")
        else:
            lines.append("- In `check`, findings in test code (`test_*.py`, `conftest.py`, anything under a "
                         "`test/`, `tests/` or `testing/` directory) are reported as **low**: test "
                         "configuration is not production configuration.")
    if rule.id in RUN_RULES:
        guard = ("is not a finding at all" if rule.id == "PF102" else
                 "is graded lower than the same code at import time (*Why it matters* gives this rule's grades)")
        lines.append("- It follows reachability: the default severity is for code that runs when a WSGI server "
                     "imports the module; code that only `python app.py` runs (inside `if __name__ == "
                     f"\"__main__\":`) {guard}. A run call in a module that no production launch of the "
                     "project imports or runs, when the project's deployment files serve the app some other way, "
                     "is **low**, with the reason in the message.")
    if rule.id in TEST_ONLY_RULES:
        lines.append("- Inside a function that only the project's tests call (a pytest helper), it is **low**: "
                     "the served application never runs it.")
    if "inspect" in rule.modes:
        lines.append("- In `inspect`, `serve` and `flask preflight` it judges the loaded app as a WSGI server "
                     "would serve it: nothing is graded by reachability there.")
    if "probe" in rule.modes:
        lines.append("- In `probe` it judges what the deployment answered; the grading per response is in the "
                     "[probe checks table](../probe.md#checks).")
    return lines


def _cwe_links(rule: Rule) -> str:
    return ", ".join(f"[CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html)" for n in rule.cwe) or "-"


def rule_page(rule: Rule) -> str:
    """The Markdown page of one rule."""
    bad, good = rule.bad.strip("\n"), rule.good.strip("\n")
    parts = [
        f"# {rule.id} `{rule.name}`", "",
        "<!-- Generated from the rule registry by `python -m flask_preflight.docs`; do not edit by hand. -->", "",
        rule.summary, "",
        "| | |", "|---|---|",
        f"| Default severity | **{rule.severity.value}** |",
        f"| Modes | {_modes(rule)} |",
        f"| CWE | {_cwe_links(rule)} |",
        f"| OWASP Top 10 | {', '.join(rule.owasp) or '-'} |",
        f"| Suppress | `# preflight: ignore[{rule.id}]` or `# preflight: ignore[{rule.name}]` |",
        f"| Select | `--select {rule.id}`, `--ignore {rule.name}` |",
        "",
        "## Why it matters", "", rule.rationale, "",
        "## Bad", "", f"```{_language(bad)}", bad, "```", "",
        "## Good", "", f"```{_language(good)}", good, "```", "",
        "## How to fix", "", rule.fix_hint, "",
        "## Severity", "",
        f"**{rule.severity.value}** by default (`--fail-on medium`, the default, "
        + ("fails the run on it" if rule.severity.value != "low" else "shows it without failing the run")
        + ").",
    ]
    grading = _grading(rule)
    if grading:
        parts += ["", *grading]
    if rule.implemented_in:
        parts += ["", "## Where it lives", "",
                  f"Detection: `{rule.implemented_in}` · tests: `{rule.tests_glob}` · "
                  f"`flask-preflight rule {rule.id}` prints the same documentation in the terminal."]
    return "\n".join(parts) + "\n"


def rules_markdown_table() -> str:
    """Every rule as a Markdown table with absolute links to the rule pages (``flask-preflight rules --format
    markdown``: for pasting into an issue or a wiki, where relative links would not resolve)."""
    rows = ["| id | name | severity | modes | what it finds |", "|---|---|---|---|---|"]
    for r in REGISTRY:
        rows.append(f"| [{r.id}]({docs_url(r.id)}) | `{r.name}` | {r.severity.value} | {_modes(r)} | {r.summary} |")
    return "\n".join(rows)


def rules_index() -> str:
    """``docs/rules.md``: every rule in one table, each row linking its page."""
    rows = [
        "# Rules", "",
        "<!-- Generated from the rule registry by `python -m flask_preflight.docs`; do not edit by hand. -->", "",
        "Every rule has an id that never changes and a kebab-case name; both work in `--select`, `--ignore`, "
        "`[tool.flask-preflight]` and `# preflight: ignore[...]`. `flask-preflight rules` lists them in the "
        "terminal and `flask-preflight rule ID` prints one rule's documentation. The modes column says which "
        "commands run the rule: `check` (static analysis), `inspect` (the loaded app; also `serve`'s pre-start check "
        "and `flask preflight`) and `probe` (HTTP).", "",
        "| id | name | severity | modes | what it finds |", "|---|---|---|---|---|",
    ]
    for r in REGISTRY:
        rows.append(f"| <a id=\"{r.id.lower()}\"></a>[{r.id}](rules/{r.id.lower()}.md) | `{r.name}` | "
                    f"{r.severity.value} | {_modes(r)} | {r.summary} |")
    return "\n".join(rows) + "\n"


def config_reference() -> str:
    """The ``[tool.flask-preflight]`` table: key, what it takes, its default (from Settings), what it does."""
    from flask_preflight.config import _KEYS, FAIL_ON_CHOICES, Settings, _formats

    defaults = Settings(project_root=".")
    choices = {"fail-on": FAIL_ON_CHOICES, "format": _formats()}
    rows = ["| key | takes | default | what it does |", "|---|---|---|---|"]
    for key, attr in _KEYS.items():
        takes, what = CONFIG_KEYS[key]
        takes = ", ".join(choices[key]) if key in choices else takes
        rows.append(f"| `{key}` | {takes} | {_default(attr, getattr(defaults, attr))} | {what} |")
    return "\n".join(rows)


def _default(attr: str, value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if attr == "max_file_size" and isinstance(value, int):
        return f"`\"{value // (1024 * 1024)}MB\"`" if value % (1024 * 1024) == 0 else f"`{value}`"
    if isinstance(value, (list, dict)) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    if isinstance(value, list):
        return "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    return f"`\"{value}\"`"


def render_configuration(text: str) -> str:
    """``text`` with the generated table between the config markers replaced by the current one."""
    if CONFIG_BEGIN not in text or CONFIG_END not in text:
        raise ValueError(f"{CONFIG_PAGE} lacks the generated-config markers")
    head, rest = text.split(CONFIG_BEGIN, 1)
    _, tail = rest.split(CONFIG_END, 1)
    return f"{head}{CONFIG_BEGIN}\n{config_reference()}\n{CONFIG_END}{tail}"


def generated(root: Path) -> Dict[Path, str]:
    """Every generated file under ``root`` and the text it must hold."""
    files = {root / rule_page_path(r.id): rule_page(r) for r in REGISTRY}
    files[root / "docs" / "rules.md"] = rules_index()
    config_page = root / CONFIG_PAGE
    files[config_page] = render_configuration(config_page.read_text(encoding="utf-8"))
    return files


def stale(root: Path) -> List[Path]:
    """Rule pages of rules the registry no longer has."""
    expected = {root / rule_page_path(r.id) for r in REGISTRY}
    return sorted(p for p in (root / RULES_DIR).glob("pf*.md") if p not in expected)


def main(root: Optional[str] = None) -> int:
    base = Path(root or ".")
    (base / RULES_DIR).mkdir(parents=True, exist_ok=True)
    for path, text in generated(base).items():
        path.write_text(text, encoding="utf-8")
    for path in stale(base):
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
