"""PF401/PF402/PF406 through Render's render.yaml and Heroku's app.json."""

from .deploy_apps import APP, APP_DEBUG_MAIN, KEY


def test_render_flask_run_with_flask_debug_and_a_literal_secret(scan):
    render = f"""\
        services:
          - type: web
            name: app
            runtime: python
            startCommand: flask run --host 0.0.0.0 --port $PORT
            envVars:
              - key: FLASK_DEBUG
                value: 1
              - key: SECRET_KEY
                value: {KEY}
        """
    assert scan({"render.yaml": render, "app.py": APP}, select=["PF4"]) == [
        ("PF401", "render.yaml", 5, 1, "critical"),
        ("PF402", "render.yaml", 7, 14, "high"),
        ("PF406", "render.yaml", 9, 14, "high"),
    ]
    assert scan.severity("PF401", 5) == "critical"
    assert "render.yaml service `app` startCommand" in scan.message("PF401", 5)
    assert scan.severity("PF402", 7) == "high" and scan.severity("PF406", 9) == "high"


def test_render_python_script_with_debug_run(scan):
    render = "services:\n  - type: web\n    name: app\n    startCommand: python app.py\n"
    found = scan({"render.yaml": render, "app.py": APP_DEBUG_MAIN})
    assert found == [("PF103", "app.py", 6, 18, "medium"), ("PF401", "render.yaml", 4, 1, "critical")]


def test_render_docker_service_runs_the_dockerfile_cmd_with_its_env(scan):
    render = "services:\n  - type: web\n    name: app\n    runtime: docker\n    envVars:\n      - key: FLASK_DEBUG\n" \
             "        value: \"1\"\n"
    dockerfile = 'FROM python:3.12-slim\nCOPY . .\nCMD ["flask", "run", "--host", "0.0.0.0"]\n'
    found = scan({"render.yaml": render, "Dockerfile": dockerfile, "app.py": APP}, select=["PF4"])
    assert found == [("PF401", "Dockerfile", 3, 1, "critical"), ("PF402", "render.yaml", 6, 14, "high")]
    assert scan.severity("PF401", 3) == "critical" and scan.severity("PF402", 6) == "high"


def test_render_negatives(scan):
    render = """\
        services:
          - type: web
            name: app
            runtime: python
            startCommand: gunicorn --workers 4 --bind 0.0.0.0:$PORT app:app
            envVars:
              - key: FLASK_DEBUG
                value: "0"
              - key: SECRET_KEY
                generateValue: true
              - key: JWT_SECRET_KEY
                sync: false
          - type: worker
            name: jobs
            startCommand: celery -A app.celery worker
        """
    assert scan({"render.yaml": render, "app.py": APP}, select=["PF4"]) == []


def test_app_json_env(scan):
    manifest = f"""\
        {{
          "name": "shop",
          "scripts": {{"postdeploy": "flask run"}},
          "env": {{
            "FLASK_DEBUG": "1",
            "SECRET_KEY": {{"description": "key", "value": "{KEY}"}},
            "JWT_SECRET_KEY": {{"generator": "secret"}},
            "LOG_LEVEL": {{"value": "info"}}
          }}
        }}
        """
    assert scan({"app.json": manifest, "app.py": APP}, select=["PF4"]) == [("PF402", "app.json", 5, 6, "medium"), ("PF406", "app.json", 6, 6, "high")]
    assert scan.severity("PF406", 6) == "high"


def test_app_json_negatives(scan):
    manifest = '{"env": {"FLASK_DEBUG": "0", "SECRET_KEY": {"generator": "secret"}}}\n'
    expo = '{"expo": {"name": "mobile", "extra": {"SECRET_KEY": "not ours"}}}\n'
    assert scan({"app.json": manifest, "mobile/app.json": expo, "app.py": APP}) == []



def test_app_json_config_vars_reach_the_procfile_launch(scan):
    app_json = '{\n  "name": "shop",\n  "env": {\n    "FLASK_DEBUG": {"value": "1"}\n  }\n}\n'
    found = scan({"app.json": app_json, "Procfile": "web: flask run --host 0.0.0.0 --port $PORT\n", "app.py": APP},
                 select=["PF401", "PF402"])
    # the PF402 is still reported where it is written
    assert found == [("PF401", "Procfile", 1, 1, "critical"), ("PF402", "app.json", 4, 6, "medium")]
    assert "app.json" in scan.message("PF401", 1)


def test_app_json_elsewhere_does_not_reach_the_procfile(scan):
    app_json = '{\n  "env": {\n    "FLASK_DEBUG": "1"\n  }\n}\n'
    assert scan({"other/app.json": app_json, "Procfile": "web: flask run --host 0.0.0.0 --port $PORT\n", "app.py": APP},
         select=["PF401"]) == [("PF401", "Procfile", 1, 1, "high")]
    assert scan.severity("PF401", 1) == "high"
