"""The docs site: generated pages in sync with the code, a strict MkDocs build, and a README that moved, not lost.

The build runs the real ``mkdocs build --strict`` (mkdocs and mkdocs-material are in the test extra) into a
temporary directory; beside it, a copy of the site with one broken link must fail, so the strict build is
known to catch what it is here to catch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flask_preflight import config, docs
from flask_preflight.rules import REGISTRY, docs_url

ROOT = Path(__file__).resolve().parents[1]
REPO_BLOB = "https://github.com/flask-preflight/flask-preflight/blob/main/"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _mkdocs(cwd: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=cwd, capture_output=True, text=True, env=ENV, timeout=300)


def test_generated_pages_equal_a_fresh_generation():
    for path, text in docs.generated(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, f"{path}: run `python -m flask_preflight.docs`"
    assert docs.stale(ROOT) == []
    assert sorted(p.name for p in (ROOT / "docs" / "rules").glob("*.md")) == sorted(
        f"{r.id.lower()}.md" for r in REGISTRY)


def test_regenerating_rewrites_an_edited_page_and_removes_a_retired_rule(tmp_path: Path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    page = tmp_path / "docs" / "rules" / "pf101.md"
    page.write_text(page.read_text(encoding="utf-8").replace("## Bad", "## Bad (edited)"), encoding="utf-8")
    retired = tmp_path / "docs" / "rules" / "pf999.md"
    retired.write_text("# PF999\n", encoding="utf-8")
    assert docs.stale(tmp_path) == [retired]
    assert docs.main(str(tmp_path)) == 0
    assert page.read_text(encoding="utf-8") == (ROOT / "docs" / "rules" / "pf101.md").read_text(encoding="utf-8")
    assert not retired.exists()
    assert (tmp_path / "docs" / "rules" / "pf102.md").exists()


def test_a_rule_page_carries_every_part():
    page = (ROOT / "docs" / "rules" / "pf104.md").read_text(encoding="utf-8")
    rule = REGISTRY["PF104"]
    assert page.startswith("# PF104 `werkzeug-debugger-enabled`\n")
    for part in ("## Why it matters", "## Bad", "## Good", "## How to fix", "## Severity", rule.summary,
                 rule.fix_hint, "| Default severity | **critical** |",
                 "| Modes | check, inspect, probe |", "[CWE-489](https://cwe.mitre.org/data/definitions/489.html)", "A05:2021-Security Misconfiguration",
                 "Inside a function that only the project's tests call"):
        assert part in page, part
    # A rule no launch regrades and no test-only lowering touches says neither.
    pf201 = (ROOT / "docs" / "rules" / "pf201.md").read_text(encoding="utf-8")
    assert "It follows reachability" not in pf201
    assert "Inside a function that only the project's tests call" not in pf201
    assert "findings in test code (`test_*.py`" in pf201
    # Deployment rules are graded by the file, probe-only rules by the response.
    assert "a deployment file for local development" in (ROOT / "docs/rules/pf402.md").read_text(encoding="utf-8")
    pf604 = (ROOT / "docs" / "rules" / "pf604.md").read_text(encoding="utf-8")
    assert "[probe checks table](../probe.md#checks)" in pf604 and "In `check`" not in pf604


def test_fence_language_follows_the_file_the_example_names():
    assert docs._language("# Dockerfile\nCMD [\"python\", \"app.py\"]\n") == "dockerfile"
    assert docs._language("# docker-compose.yml\nservices: {}\n") == "yaml"
    assert docs._language("app.run()\n") == "python"
    assert docs._language("# a comment, not a file name\napp.run()\n") == "python"


def test_every_rules_docs_url_is_its_generated_page():
    for rule in REGISTRY:
        url = docs_url(rule.id)
        assert url == REPO_BLOB + docs.rule_page_path(rule.id)
        assert (ROOT / url[len(REPO_BLOB):]).is_file()
    # The old single-page anchors still land on the rule, in the index.
    index = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert all(f'<a id="{r.id.lower()}"></a>' in index for r in REGISTRY)


def test_configuration_reference_lists_every_key_with_its_default():
    assert set(docs.CONFIG_KEYS) == set(config._KEYS)
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = text.split(docs.CONFIG_BEGIN, 1)[1].split(docs.CONFIG_END, 1)[0]
    rows = {line.split("|")[1].strip().strip("`"): line.split("|")[3].strip()
            for line in table.strip().splitlines()[2:]}
    assert list(rows) == list(config._KEYS)
    assert rows == {"select": '`["ALL"]`', "ignore": "`[]`", "per-file-ignores": "`{}`", "exclude": "`[]`",
                    "extend-exclude": "`[]`", "fail-on": '`"medium"`', "format": '`"text"`', "output": "unset",
                    "max-file-size": '`"5MB"`', "respect-gitignore": "`true`"}


def test_configuration_reference_follows_a_changed_default(monkeypatch):
    monkeypatch.setattr(config.Settings, "__init__", _settings_with(fail_on="high"))
    assert '| `fail-on` | critical, high, medium, low, never | `"high"` |' in docs.config_reference()
    with pytest.raises(ValueError):
        docs.render_configuration("# Configuration\n\nno markers here\n")


def _settings_with(**changes):
    original = config.Settings.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        for key, value in changes.items():
            setattr(self, key, value)
    return init


# Headings and markers of the README before the docs site, and where each one lives now.
MOVED = {
    "## Install": "docs/getting-started.md",
    "## Default fail policy": "docs/getting-started.md",
    "## Exit codes": "docs/getting-started.md",
    "## Deployment files": "docs/check.md",
    "Files named on the command line are checked inside their project": "docs/check.md",
    "# inspect: the loaded app": "docs/inspect.md",
    "## What is sent": "docs/probe.md",
    "| 7 | `GET <origin>/?<random>=%ff%fe` |": "docs/probe.md",
    "## PF606, offline: key derivation": "docs/probe.md",
    "## Grade": "docs/probe.md",
    "## Settings": "docs/serve.md",
    "## Why not the development server, measured": "docs/serve.md",
    "# Configuration": "docs/configuration.md",
    "**Baseline** for an existing codebase": "docs/configuration.md",
    "# Reports": "docs/reports.md",
    "# Precision on real code": "docs/internals/precision.md",
    "| **round 5 held aside (29)** |": "docs/internals/precision.md",
    "# Performance": "docs/internals/performance.md",
    "## Benchmark": "docs/internals/performance.md",
    "- **Mutation testing.**": "docs/internals/testing.md",
    "<!-- mutation-report -->": "docs/internals/testing.md",
    "<!-- /mutation-report -->": "docs/internals/testing.md",
    "- **Skip budget.**": "docs/internals/testing.md",
    "`.ci/run` also checks the package as users get it": "docs/internals/testing.md",
    "## Reporting a vulnerability": "docs/security.md",
}


def test_every_section_of_the_old_readme_landed_in_the_docs():
    for marker, page in MOVED.items():
        assert marker in (ROOT / page).read_text(encoding="utf-8"), f"{marker!r} missing from {page}"


def test_readme_is_short_and_keeps_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 12 * 1024
    section = readme.split("## Set-up (two commands)\n", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```sh\n(.*?)\n```", section, re.S) == [
        "pip install -e . && flask-preflight check examples/",
        'pip install -e ".[test]" && python -m pytest',
    ]
    # .ci/run runs the second one verbatim.
    assert 'pip install -e ".[test]" && python -m pytest' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # Every relative link of the README points at a file that exists.
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", readme):
        assert (ROOT / target).exists(), target


def test_mkdocs_strict_build(tmp_path: Path):
    site = tmp_path / "site"
    done = _mkdocs(ROOT, site)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    for page in ("index.html", "getting-started/index.html", "guide/index.html", "rules/index.html",
                 "rules/pf101/index.html", "rules/pf607/index.html", "configuration/index.html",
                 "ci/github/index.html", "internals/testing/index.html", "search/search_index.json"):
        assert (site / page).is_file(), page
    pf101 = (site / "rules" / "pf101" / "index.html").read_text(encoding="utf-8")
    assert "debug-mode-enabled" in pf101 and "assets/stylesheets/main" in pf101  # the Material theme


def test_mkdocs_strict_build_fails_on_a_broken_anchor_or_an_unlisted_page(tmp_path: Path):
    """A copy of the site with a link to a missing anchor, and another with a page outside the nav."""
    for name, breakage in (("anchor", "anchor"), ("nav", "nav")):
        copy = tmp_path / name
        shutil.copytree(ROOT / "docs", copy / "docs")
        shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
        if breakage == "anchor":
            guide = copy / "docs" / "guide.md"
            guide.write_text(guide.read_text(encoding="utf-8") + "\nSee [probe](probe.md#no-such-section).\n",
                             encoding="utf-8")
        else:
            (copy / "docs" / "orphan.md").write_text("# Not in the nav\n", encoding="utf-8")
        done = _mkdocs(copy, tmp_path / f"site-{name}")
        assert done.returncode != 0, name
        warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
        assert len(warnings) == 1, done.stderr
        if breakage == "anchor":
            assert "does not contain an anchor '#no-such-section'" in warnings[0]
        else:
            assert "not included in the \"nav\" configuration" in warnings[0] and "  - orphan.md\n" in done.stderr
