"""Rule documentation generated from the registry, so README and docs never drift from the code.

``python -m flask_preflight.docs`` rewrites the generated parts of README.md and docs/rules.md;
a test fails when they are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask_preflight.rules import MODES, REGISTRY

BEGIN = "<!-- BEGIN GENERATED RULES (python -m flask_preflight.docs) -->"
END = "<!-- END GENERATED RULES -->"


def rules_markdown_table() -> str:
    rows = ["| id | name | severity | modes | what it finds |", "|---|---|---|---|---|"]
    for r in REGISTRY:
        modes = ", ".join(m for m in MODES if m in r.modes)
        rows.append(f"| [{r.id}](docs/rules.md#{r.id.lower()}) | `{r.name}` | {r.severity.value} | {modes} | {r.summary} |")
    return "\n".join(rows)


def rules_markdown_docs() -> str:
    parts = ["# flask-preflight rules", "", "Generated from the rule registry by `python -m flask_preflight.docs`;"
             " do not edit by hand.", ""]
    for r in REGISTRY:
        parts += [f"## {r.id}", "", f"**`{r.name}`** · severity **{r.severity.value}** · modes: "
                  + ", ".join(m for m in MODES if m in r.modes)
                  + (" · " + ", ".join(r.cwe_tags) if r.cwe else "")
                  + (" · OWASP " + ", ".join(r.owasp) if r.owasp else ""), "",
                  r.summary, "", r.rationale, "", "Bad:", "", "```python", r.bad.strip("\n"), "```", "",
                  "Good:", "", "```python", r.good.strip("\n"), "```", "", f"**Fix:** {r.fix_hint}", "",
                  f"Code: `{r.implemented_in}` · tests: `{r.tests_glob}`", ""]
    return "\n".join(parts)


def render_readme(text: str) -> str:
    if BEGIN not in text or END not in text:
        raise ValueError("README.md lacks the generated-rules markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{rules_markdown_table()}\n{END}{tail}"


def main(root: str = ".") -> int:
    base = Path(root)
    readme = base / "README.md"
    readme.write_text(render_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    (base / "docs").mkdir(exist_ok=True)
    (base / "docs" / "rules.md").write_text(rules_markdown_docs(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
