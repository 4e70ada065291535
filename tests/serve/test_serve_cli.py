"""``flask-preflight serve`` options that end before anything runs: --print-config and usage errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flask_preflight.cli import main

APPS = Path(__file__).resolve().parent / "apps"
CLEAN = {k: None for k in os.environ if k.startswith("PREFLIGHT_") or k in ("PORT", "WEB_CONCURRENCY",
                                                                           "FORWARDED_ALLOW_IPS", "FLASK_APP")}


def run(*args, env=None):
    return CliRunner().invoke(main, ["serve", *args], env={**CLEAN, **(env or {})}, catch_exceptions=False)


def test_print_config_shows_values_and_sources_without_importing_the_app(tmp_path):
    marker = tmp_path / "imported"
    app = tmp_path / "side_effect.py"
    app.write_text(f"open({str(marker)!r}, 'w').close()\nfrom flask import Flask\napp = Flask(__name__)\n")
    r = run("side_effect:app", "--chdir", str(tmp_path), "--print-config", "--timeout", "60",
            env={"PREFLIGHT_WORKERS": "3", "PORT": "5000"})
    assert r.exit_code == 0, r.output
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in r.output.splitlines()}
    assert rows["target"] == ["side_effect:app"]
    assert rows["workers"] == ["3", "PREFLIGHT_WORKERS"]
    assert rows["timeout"] == ["60", "--timeout"]
    assert rows["bind"][0] == "0.0.0.0:5000" and rows["bind"][1].startswith("PORT")
    assert not marker.exists()


def test_print_config_without_target_uses_flasks_discovery(tmp_path):
    (tmp_path / "wsgi.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    r = run("--chdir", str(tmp_path), "--print-config")
    assert r.exit_code == 0 and r.output.splitlines()[0].split() == ["target", "wsgi.py"]


@pytest.mark.parametrize("args, env, message", [
    (["good_app:app", "--allow", "PF104"], {}, "--allow PF104: PF104 cannot be allowed"),
    (["good_app:app", "--allow", "nope"], {}, "--allow nope:"),
    (["good_app:app"], {"PREFLIGHT_THREADS": "many"}, "PREFLIGHT_THREADS='many': not a whole number"),
    (["good_app:app", "--bind", "8000"], {}, "--bind '8000': expected HOST:PORT"),
    (["good_app:app", "--server", "waitress", "--certfile", __file__, "--keyfile", __file__], {},
     "--certfile, --keyfile: gunicorn settings, not supported with waitress"),
    (["good_app:app", "--env", "NOEQUALS"], {}, "--env 'NOEQUALS': expected KEY=VALUE"),
    (["no such:app"], {}, "is not a module name or a .py file"),
])
def test_usage_errors_are_one_line_and_exit_2(args, env, message):
    r = run(*args, "--chdir", str(APPS), env=env)
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("flask-preflight: error: ") and message in lines[0], r.output
