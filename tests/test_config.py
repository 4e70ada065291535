"""Settings loading: discovery of pyproject.toml, strict validation, per-file-ignores and CLI precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from flask_preflight.config import ConfigError, Settings, load_settings, parse_size
from flask_preflight.rules import REGISTRY

MB = 1024 * 1024
PF1_IDS = frozenset(r.id for r in REGISTRY.expand("PF1"))


def pyproject(directory: Path, body: str, header: str = "[tool.flask-preflight]\n") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(header + body)
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_config(project: Path) -> None:
    s = load_settings(start=str(project))
    if s.config_path is not None:
        pytest.skip(f"an ancestor of tmp_path has a config: {s.config_path}")
    assert s.select == ["ALL"] and s.ignore == [] and s.per_file_ignores == {}
    assert s.fail_on == "medium" and s.format == "text" and s.output is None
    assert s.max_file_size == 5 * MB and s.respect_gitignore is True
    assert s.project_root == str(project)
    assert s.selected_rule_ids() == frozenset(r.id for r in REGISTRY)


def test_all_options(project: Path) -> None:
    pyproject(project, """
select = ["PF1"]
ignore = ["debug-mode-enabled"]
exclude = ["migrations/"]
extend-exclude = ["*_pb2.py"]
fail-on = "HIGH"
format = "json"
output = "report.json"
max-file-size = "10MB"
respect-gitignore = false

[tool.flask-preflight.per-file-ignores]
"tests/**" = ["PF102"]
""")
    s = load_settings()
    assert s.config_path == str(project / "pyproject.toml")
    assert s.project_root == str(project)
    assert s.select == ["PF1"] and s.ignore == ["debug-mode-enabled"]
    assert s.exclude == ["migrations/"] and s.extend_exclude == ["*_pb2.py"]
    assert s.fail_on == "high" and s.format == "json" and s.output == "report.json"
    assert s.max_file_size == 10 * MB and s.respect_gitignore is False
    assert s.per_file_ignores == {"tests/**": ["PF102"]}
    assert s.selected_rule_ids() == PF1_IDS - {"PF101"}


def test_search_upwards_skips_pyproject_without_table(project: Path) -> None:
    pyproject(project, 'fail-on = "critical"\n')
    pyproject(project / "svc", 'name = "svc"\n', header="[project]\n")
    deep = project / "svc" / "src" / "pkg"
    deep.mkdir(parents=True)
    s = load_settings(start=str(deep))
    assert s.fail_on == "critical"
    assert s.project_root == str(project)
    # A file as the start point searches from its directory.
    (deep / "app.py").write_text("")
    assert load_settings(start=str(deep / "app.py")).config_path == str(project / "pyproject.toml")


def test_nearest_table_wins(project: Path) -> None:
    pyproject(project, 'fail-on = "critical"\n')
    pyproject(project / "svc", 'fail-on = "medium"\n')
    s = load_settings(start=str(project / "svc"))
    assert s.fail_on == "medium" and s.project_root == str(project / "svc")


def test_unknown_key_suggests(project: Path) -> None:
    pyproject(project, 'slect = ["PF101"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value) == (
        "pyproject.toml: [tool.flask-preflight]: unknown option 'slect' (did you mean 'select'?)")


def test_snake_case_key_suggests_kebab(project: Path) -> None:
    pyproject(project, 'fail_on = "high"\n')
    with pytest.raises(ConfigError, match="did you mean 'fail-on'"):
        load_settings()


def test_bad_toml(project: Path) -> None:
    pyproject(project, "select = [\n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith("pyproject.toml: invalid TOML:")
    assert "\n" not in message


@pytest.mark.parametrize("body, expected", [
    ('select = ["PF999"]\n', "select: unknown rule selector 'PF999'"),
    ('ignore = ["debug-mode-enabeld"]\n', "did you mean 'debug-mode-enabled'"),
    ('fail-on = "hgh"\n', "fail-on: invalid value 'hgh' (did you mean 'high'?)"),
    ('fail-on = 3\n', "fail-on: expected one of"),
    ('format = "xml"\n', "format: invalid value 'xml'"),
    ('select = [1]\n', "select: expected a list of strings"),
    ('max-file-size = "ten"\n', "max-file-size: expected a size"),
    ('max-file-size = 0\n', "max-file-size: size must be positive"),
    ('max-file-size = true\n', "max-file-size"),
    ('respect-gitignore = "yes"\n', "respect-gitignore: expected true or false"),
    ('per-file-ignores = ["PF101"]\n', "per-file-ignores: expected a table"),
    ('per-file-ignores = { "tests/**" = "PF101" }\n', "expected a list of rule selectors"),
    ('per-file-ignores = { "tests/**" = ["PF000"] }\n', "unknown rule selector 'PF000'"),
])
def test_invalid_values(project: Path, body: str, expected: str) -> None:
    pyproject(project, body)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith("pyproject.toml: [tool.flask-preflight]: ")
    assert expected in str(info.value)


def test_table_must_be_a_table(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool]\nflask-preflight = "yes"\n')
    with pytest.raises(ConfigError, match=r"\[tool.flask-preflight\] must be a table"):
        load_settings()


def test_parse_size() -> None:
    assert parse_size(1000) == 1000
    assert parse_size("10MB") == 10 * MB
    assert parse_size("512 KiB") == 512 * 1024
    assert parse_size("1.5m") == int(1.5 * MB)
    assert parse_size("2048") == 2048
    with pytest.raises(ValueError):
        parse_size("10 parsecs")


def test_per_file_ignores_matching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject(tmp_path, """
[tool.flask-preflight.per-file-ignores]
"tests/**" = ["PF101"]
"*/migrations/*.py" = ["debug-mode-enabled", "PF102"]
"conftest.py" = ["ALL"]
""")
    sub = tmp_path / "app"
    sub.mkdir()
    monkeypatch.chdir(sub)  # paths are relative to the cwd, globs to the project root
    s = load_settings()
    assert s.project_root == str(tmp_path)
    assert s.ignored_for("../tests/unit/test_views.py") == {"PF101"}
    assert s.ignored_for(str(tmp_path / "tests" / "test_a.py")) == {"PF101"}
    assert s.ignored_for("migrations/0001_initial.py") == {"PF101", "PF102"}
    assert s.ignored_for("../lib/app/migrations/0001.py") == frozenset()  # "*/" is one level only
    assert s.ignored_for("views.py") == frozenset()
    assert s.ignored_for("../pkg/conftest.py") == frozenset(r.id for r in REGISTRY)
    # Edits to the mapping are picked up despite the cache.
    s.per_file_ignores["views.py"] = ["PF103"]
    assert s.ignored_for("views.py") == {"PF103"}


def test_cli_overrides_take_precedence(project: Path) -> None:
    pyproject(project, """
select = ["PF101"]
ignore = ["PF102"]
exclude = ["a/"]
extend-exclude = ["b/"]
fail-on = "high"
""")
    s = load_settings(overrides={
        "select": ("PF102,PF103",),
        "ignore": None,
        "exclude": ["c/"],
        "extend_exclude": ["d/"],
        "fail_on": "never",
        "format": "sarif",
        "max_file_size": "1MB",
        "respect_gitignore": False,
        "output": None,
    })
    assert s.select == ["PF102", "PF103"]
    assert s.ignore == ["PF102"]  # None: not given, config value stays
    assert s.exclude == ["c/"]
    assert s.extend_exclude == ["b/", "d/"]  # appended, not replaced
    assert s.fail_on == "never" and s.format == "sarif"
    assert s.max_file_size == MB and s.respect_gitignore is False and s.output is None
    assert s.selected_rule_ids() == {"PF103"}


def test_cli_empty_lists_mean_not_given_and_extend_select(project: Path) -> None:
    pyproject(project, 'select = ["PF101"]\n')
    s = load_settings(overrides={"select": (), "extend_select": ["PF102"]})
    assert s.select == ["PF101", "PF102"]


def test_cli_override_errors(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"^command line: --select: unknown rule selector 'PF9'"):
        load_settings(overrides={"select": ["PF9"]})
    with pytest.raises(ConfigError, match=r"^command line: --fail-on: invalid value 'sometimes'"):
        load_settings(overrides={"fail_on": "sometimes"})
    with pytest.raises(ConfigError, match=r"^command line: unknown option 'fial_on' \(did you mean 'fail_on'\?\)"):
        load_settings(overrides={"fial_on": "high"})


def test_explicit_standalone_config_file(project: Path) -> None:
    cfg = project / "conf" / ".flask-preflight.toml"
    cfg.parent.mkdir()
    cfg.write_text('fail-on = "medium"\nselect = ["PF101"]\n')
    pyproject(project, 'fail-on = "critical"\n')  # not consulted when a file is given
    s = load_settings(config_file=str(cfg))
    assert s.fail_on == "medium" and s.select == ["PF101"]
    assert s.config_path == str(cfg) and s.project_root == str(cfg.parent)

    cfg.write_text('selct = ["PF101"]\n')
    with pytest.raises(ConfigError, match=r"^conf/.flask-preflight.toml: unknown option 'selct'"):
        load_settings(config_file=str(cfg))


def test_explicit_file_with_tool_table(project: Path) -> None:
    other = project / "other.toml"
    other.write_text('[tool.flask-preflight]\nformat = "json"\n')
    assert load_settings(config_file=str(other)).format == "json"
    path = pyproject(project / "p", 'name = "x"\n', header="[project]\n")
    assert load_settings(config_file=str(path)).format == "text"  # pyproject without the table: defaults


def test_explicit_missing_config_file(project: Path) -> None:
    with pytest.raises(ConfigError, match="nope.toml: config file not found"):
        load_settings(config_file="nope.toml")


def test_fingerprint(project: Path) -> None:
    a = Settings(project_root=str(project))
    b = Settings(project_root=str(project), format="json", output="x.json", fail_on="high")
    assert a.fingerprint() == b.fingerprint()  # output options do not change findings
    assert len(a.fingerprint()) == 32
    c = Settings(project_root=str(project), ignore=["PF101"])
    d = Settings(project_root=str(project), per_file_ignores={"tests/**": ["PF101"]})
    e = Settings(project_root=str(project), max_file_size=MB)
    assert len({a.fingerprint(), c.fingerprint(), d.fingerprint(), e.fingerprint()}) == 4
    # Equivalent selections hash the same.
    every_id = [r.id for r in REGISTRY]
    assert Settings(project_root=str(project), select=every_id).fingerprint() == a.fingerprint()


def test_settings_built_directly_report_bad_selectors(project: Path) -> None:
    with pytest.raises(ConfigError, match="unknown rule selector 'nope'"):
        Settings(project_root=str(project), select=["nope"]).selected_rule_ids()
