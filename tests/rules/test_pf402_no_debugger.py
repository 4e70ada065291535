"""PF401/PF402 and `flask run --no-debugger`: Flask's run command keeps the debugger off even in debug mode
(flask/cli.py: ``use_debugger=debugger`` when the option is given), so neither rule may say it is on."""

APP = """\
from flask import Flask

app = Flask(__name__)
"""


def exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_debug_with_no_debugger_is_debug_mode_without_the_debugger(scan):
    procfile = "web: flask --app app --debug run --no-debugger --host 0.0.0.0\n"
    scan({"Procfile": procfile, "app.py": APP}, select=["PF401", "PF402"])
    assert exact(scan) == [("PF401", "Procfile", 1, 1, "high"), ("PF402", "Procfile", 1, 1, "medium")]
    assert "interactive Werkzeug debugger" not in scan.message("PF401", 1)
    assert "keeps the interactive debugger off" in scan.message("PF402", 1)


def test_debug_alone_still_turns_the_debugger_on(scan):
    # the tricky neighbour: the same line without --no-debugger is the debugger on a public port
    procfile = "web: flask --app app --debug run --host 0.0.0.0\n"
    scan({"Procfile": procfile, "app.py": APP}, select=["PF401", "PF402"])
    assert exact(scan) == [("PF401", "Procfile", 1, 1, "critical"), ("PF402", "Procfile", 1, 1, "high")]


def test_flask_debug_env_with_no_debugger_is_medium(scan):
    docker = "FROM python:3.12\nENV FLASK_DEBUG=1\nCMD flask run --no-debugger --host 0.0.0.0\n"
    scan({"Dockerfile": docker, "app.py": APP}, select=["PF401", "PF402"])
    assert exact(scan) == [("PF401", "Dockerfile", 3, 1, "high"), ("PF402", "Dockerfile", 2, 5, "medium")]
