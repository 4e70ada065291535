"""PF401/PF402/PF406 through supervisord configs: each [program:NAME] command is a long-running launch."""

from .deploy_apps import APP, APP_DEBUG_MAIN, KEY


def test_flask_run_program_is_pf401(scan):
    conf = "[program:web]\ncommand=flask run --host 0.0.0.0 --port 8000\nautorestart=true\n"
    assert scan({"supervisord.conf": conf, "app.py": APP}, select=["PF4"]) == [("PF401", "supervisord.conf", 2, 1, "high")]
    assert scan.severity("PF401", 2) == "high"
    assert "supervisord program `web`" in scan.message("PF401", 2)


def test_python_script_with_debug_run_is_one_critical_pf401(scan):
    conf = "[program:app]\ncommand=python /srv/app/app.py\ndirectory=/srv/app\n"
    found = scan({"deploy/supervisor/app.conf": conf, "app.py": APP_DEBUG_MAIN})
    # app.py's debug finding is folded into it; the public bind (PF103) stays, medium: the program runs it
    assert found == [("PF103", "app.py", 6, 18, "medium"), ("PF401", "deploy/supervisor/app.conf", 2, 1, "critical")]


def test_flask_debug_and_secret_in_program_environment(scan):
    conf = f"""\
        [program:web]
        command=flask run --host 0.0.0.0
        environment=FLASK_DEBUG="1",
            SECRET_KEY="{KEY}"
        """
    assert scan({"conf.d/web.conf": conf, "app.py": APP}, select=["PF4"]) == [
        ("PF401", "conf.d/web.conf", 2, 1, "critical"),
        ("PF402", "conf.d/web.conf", 3, 13, "high"),
        ("PF406", "conf.d/web.conf", 4, 5, "high"),
    ]
    assert scan.severity("PF401", 2) == "critical"  # the debugger, reachable on all interfaces
    assert scan.severity("PF402", 3) == "high"
    assert scan.severity("PF406", 4) == "high"
    assert KEY not in scan.message("PF406", 4)


def test_supervisord_section_environment_reaches_every_program(scan):
    conf = "[supervisord]\nenvironment=FLASK_DEBUG=1\n\n[program:web]\ncommand=gunicorn -w 4 app:app\n"
    assert scan({"supervisord.conf": conf, "app.py": APP}, select=["PF4"]) == [("PF402", "supervisord.conf", 2, 13, "medium")]
    assert scan.severity("PF402", 2) == "medium"  # gunicorn: debug mode, but no debugger


def test_negatives(scan):
    conf = """\
        [program:web]
        command=gunicorn --workers 4 --bind 0.0.0.0:8000 app:app
        environment=FLASK_DEBUG="0",SECRET_KEY="%(ENV_SECRET_KEY)s"

        [program:worker]
        command=celery -A app.celery worker
        """
    assert scan({"supervisord.conf": conf, "app.py": APP}, select=["PF4"]) == []


def test_dev_named_config_is_low(scan):
    conf = "[program:web]\ncommand=flask run --debug\n"
    assert scan({"conf.d/web-dev.conf": conf, "app.py": APP}, select=["PF4"]) == [("PF401", "conf.d/web-dev.conf", 2, 1, "low"), ("PF402", "conf.d/web-dev.conf", 2, 1, "low")]
    assert {f.severity.value for f in scan.findings} == {"low"}


def test_nginx_conf_in_conf_d_is_ignored(scan):
    nginx = "server {\n    listen 80;\n    location / { proxy_pass http://127.0.0.1:8000; }\n}\n"
    assert scan({"conf.d/default.conf": nginx, "app.py": APP}) == []


def test_malformed_supervisord_conf_is_one_problem(tmp_path):
    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    (tmp_path / "supervisord.conf").write_text("command=flask run\n[program:web]\n", encoding="utf-8")
    result = run_check([str(tmp_path)], Settings(project_root=str(tmp_path), respect_gitignore=False))
    (problem,) = result.problems
    assert problem.path.endswith("supervisord.conf") and problem.line == 1
    assert "cannot parse supervisord config: a setting appears before any [section] header" in problem.describe()


def test_env_of_a_program_whose_command_cannot_be_read_is_still_reported(tmp_path):
    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    conf = '[program:web]\ncommand=flask run --host "0.0.0.0\nenvironment=FLASK_DEBUG=1\n'
    (tmp_path / "supervisord.conf").write_text(conf, encoding="utf-8")
    result = run_check([str(tmp_path)], Settings(project_root=str(tmp_path), respect_gitignore=False))
    assert [(p.line, "line skipped" in p.describe()) for p in result.problems] == [(2, True)]
    assert [(f.rule_id, f.line) for f in result.findings] == [("PF402", 3)]
