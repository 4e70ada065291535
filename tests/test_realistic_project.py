"""A small but realistic Flask project (factory package, config classes, wsgi.py, manage.py, tests/).

The exact set of findings is the contract: every line here is one a reviewer would want to see, and
everything absent (the ProductionConfig, the env-gated app.debug, the test config) must stay absent.
"""

import shutil
from pathlib import Path

from flask_preflight.config import Settings
from flask_preflight.static.engine import run_check

FIXTURE = Path(__file__).parent / "fixtures" / "realistic"

EXPECTED = {
    ("PF101", "blog/__init__.py", 11, "high"),    # from_object(config[None or env or "default"]) -> DevelopmentConfig
    ("PF101", "blog/__init__.py", 12, "high"),    # from_pyfile("instance_settings.py") with DEBUG = True
    ("PF105", "blog/config.py", 20, "high"),      # StagingConfig.DEBUG defaults to on
    ("PF101", "blog/config.py", 32, "medium"),    # config["default"] is the debug config
    ("PF101", "blog/views.py", 13, "high"),       # a route that switches debug on at runtime
    ("PF101", "manage.py", 10, "medium"),         # click command running the dev server with debug
    ("PF101", "tests/conftest.py", 9, "low"),     # test code
    ("PF104", "wsgi.py", 10, "medium"),           # env switch for an evalex debugger in the WSGI entry point
    ("PF103", "wsgi.py", 13, "medium"),           # python wsgi.py binds 0.0.0.0
    ("PF101", "wsgi.py", 13, "low"),              # ... with debug, only as a script
}


def test_realistic_project_exact_findings(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    result = run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False))
    assert result.problems == []
    got = {(f.rule_id, Path(f.path).relative_to(root).as_posix(), f.line, f.severity.value) for f in result.findings}
    assert got == EXPECTED
    assert result.files_scanned == 7
    by_line = {(Path(f.path).relative_to(root).as_posix(), f.line, f.rule_id): f for f in result.findings}
    loader = by_line[("blog/__init__.py", 11, "PF101")]
    assert "FLASK_CONFIG is unset" in loader.message
    assert [Path(r.path).relative_to(root).as_posix() for r in loader.related] == ["blog/config.py"]
