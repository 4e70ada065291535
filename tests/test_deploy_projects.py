"""Rule pack 4 on realistic projects: how the app is launched, across Dockerfile, compose, Procfile, env
files, gunicorn config, an entry script and a systemd unit.

deploy_bad: a multi-stage Dockerfile whose final stage runs `python app.py` while app.py guards
`app.run(debug=True)` under `__main__` (one critical PF401 linking both files; app.py's own PF101/PF103 are
folded into it), FLASK_DEBUG in compose in list and map form, `gunicorn --reload` in the Procfile, a
gunicorn.conf.py logging at debug level (its `forwarded_allow_ips = "*"` is fine behind Heroku's router), and a .flaskenv that `python app.py`
loads. deploy_good: the same app served by gunicorn through an entry script, workers from the
environment, an nginx service in front, secrets only as references: zero findings.
"""

import shutil
from pathlib import Path

import pytest

from flask_preflight.config import Settings
from flask_preflight.static.engine import run_check

FIXTURES = Path(__file__).parent / "fixtures"

EXPECTED_BAD = {
    ("PF401", "Dockerfile", 16, "critical"),          # CMD ["python", "app.py"] + app.run(debug=True)
    ("PF103", "app.py", 15, "medium"),                # its host="0.0.0.0": the bind stays beside the PF401
    ("PF402", ".flaskenv", 2, "high"),                # FLASK_DEBUG=1, loaded by app.run() in production
    ("PF402", "docker-compose.yml", 10, "high"),      # - FLASK_DEBUG=1 (list form)
    ("PF402", "docker-compose.yml", 19, "medium"),    # FLASK_DEBUG: "1" (map form), a celery worker
    ("PF403", "Procfile", 2, "medium"),               # web: gunicorn app:app --reload
    # forwarded_allow_ips = "*" (gunicorn.conf.py:5) is right here: only the Procfile's gunicorn reads this file,
    # and Heroku's router sits in front with changing addresses.
    ("PF405", "gunicorn.conf.py", 6, "low"),          # loglevel = "debug"
}


def _scan(tmp_path: Path, name: str):
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    result = run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False))
    assert result.problems == []
    return root, result


def test_bad_project_exact_findings(tmp_path):
    root, result = _scan(tmp_path, "deploy_bad")
    got = {(f.rule_id, Path(f.path).relative_to(root).as_posix(), f.line, f.severity.value) for f in result.findings}
    assert got == EXPECTED_BAD


def test_correlated_finding_links_both_files(tmp_path):
    root, result = _scan(tmp_path, "deploy_bad")
    (pf401,) = [f for f in result.findings if f.rule_id == "PF401"]
    assert "app.py:15" in pf401.message and "debug=True" in pf401.message
    assert [(Path(r.path).name, r.line) for r in pf401.related] == [("app.py", 15)]
    # The __main__-guarded app.run(debug=True, host="0.0.0.0"): its debug switch is reported once, through the
    # Dockerfile; only the public bind stays at the call.
    assert [f.rule_id for f in result.findings if f.path.endswith("app.py")] == ["PF103"]


def test_python_findings_stay_without_the_dockerfile(tmp_path):
    root = tmp_path / "deploy_bad"
    shutil.copytree(FIXTURES / "deploy_bad", root)
    (root / "Dockerfile").unlink()
    result = run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False))
    rules = {(f.rule_id, f.line) for f in result.findings if f.path.endswith("app.py")}
    assert rules == {("PF101", 15), ("PF103", 15)}


def test_good_project_has_no_findings(tmp_path):
    _, result = _scan(tmp_path, "deploy_good")
    assert [(f.rule_id, f.path, f.line) for f in result.findings] == []


@pytest.mark.parametrize("name", ["deploy_bad", "deploy_good"])
def test_fixture_files_are_all_read(tmp_path, name):
    """Every deployment file in the fixture is discovered (not silently skipped)."""
    root, result = _scan(tmp_path, name)
    expected = sum(1 for p in root.rglob("*") if p.is_file())
    assert result.files_scanned == expected


def test_malformed_deployment_files_are_one_line_errors_and_the_scan_goes_on(tmp_path):
    import subprocess
    import sys

    root = tmp_path / "broken"
    shutil.copytree(FIXTURES / "deploy_bad", root)
    (root / "docker-compose.yml").write_text("services:\n  web:\n    command: [unclosed\n", encoding="utf-8")
    (root / "fly.toml").write_text("[env\nFLASK_DEBUG = 1\n", encoding="utf-8")
    (root / "Dockerfile.worker").write_text("FROM python:3.12\nRUN <<EOF\necho never closed\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "--color", "never", "."],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith(("docker-compose.yml", "fly.toml", "Dockerfile.worker")) and "cannot parse" in line]
    assert len(errors) == 3, proc.stdout
    assert "Dockerfile:16:1: PF401 [critical]" in proc.stdout  # the rest of the project is still checked
    assert "Procfile:2:" in proc.stdout
