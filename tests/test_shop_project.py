"""Rule pack 2 on a realistic project: factory package, Base/Development/Testing/Production configs,
an admin blueprint with a `/debug/env` route, Flask-Login and Flask-WTF.

The exact set is the contract; the well-configured parts (BaseConfig cookie flags, the fail-closed
SECRET_KEY, the development and testing classes, the guarded admin views, the /health route, a
`theme` cookie) must stay silent.
"""

import shutil
from pathlib import Path

from flask_preflight.config import Settings
from flask_preflight.static.engine import run_check

FIXTURE = Path(__file__).parent / "fixtures" / "shop"

EXPECTED = {
    ("PF310", "shop/admin/views.py", 24, "high"),      # /debug/env returns os.environ, no auth
    ("PF211", "shop/admin/views.py", 29, "high"),      # csrf.exempt on a POST view using current_user
    ("PF301", "shop/admin/views.py", 41, "medium"),    # jsonify(error=str(e))
    ("PF210", "shop/auth/views.py", 20, "medium"),     # api_token cookie with httponly=False
    ("PF202", "shop/config.py", 26, "critical"),       # JWT_SECRET_KEY falls back to "jwt-secret"
    ("PF302", "shop/config.py", 27, "medium"),         # PROPAGATE_EXCEPTIONS in ProductionConfig
    ("PF201", "tests/conftest.py", 9, "low"),          # test code
}


def test_shop_project_exact_findings(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURE, root)
    result = run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False))
    assert result.problems == []
    got = {(f.rule_id, Path(f.path).relative_to(root).as_posix(), f.line, f.severity.value) for f in result.findings}
    assert got == EXPECTED
