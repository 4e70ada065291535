"""PF401 (and PF101/PF103) for Dash apps: ``Dash.run``/``run_server`` end in Flask's ``app.run`` on the
Flask server Dash wraps (``self.server.run(host=host, port=port, debug=debug)``), so a launch that runs the
script serves Werkzeug's development server, with the debugger when ``debug=True``.
"""

DASH_DEBUG_MAIN = """\
from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div("hello")

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True, port=8050)
"""  # app.run on line 7

DASH_OLD_RUN_SERVER = """\
import dash

app = dash.Dash(__name__)
server = app.server

if __name__ == "__main__":
    app.run_server(host="0.0.0.0", debug=True)
"""  # run_server on line 7

NOT_DASH_RUN_SERVER = """\
from dash import Dash


class Job:
    def run_server(self, debug=False):
        return debug


app = Dash(__name__)
job = Job()

if __name__ == "__main__":
    job.run_server(debug=True)
    app.run(debug=False, host="0.0.0.0")
"""  # job.run_server on line 13 is not a server; app.run on line 14, debug off

DOCKERFILE_SCRIPT = """\
FROM python:3.12-slim
COPY dashboard app/dashboard
WORKDIR app/
EXPOSE 8050
CMD python dashboard/dashboard.py
"""  # CMD on line 5

DOCKERFILE_GUNICORN = """\
FROM python:3.12-slim
COPY dashboard app/dashboard
WORKDIR app/
EXPOSE 8050
CMD gunicorn -w 4 -b 0.0.0.0:8050 dashboard.dashboard:server
"""


def test_dockerfile_running_a_dash_script_with_debug_is_critical(scan):
    found = scan({"Dockerfile": DOCKERFILE_SCRIPT, "dashboard/dashboard.py": DASH_DEBUG_MAIN})
    assert found == [("PF401", "Dockerfile", 5, 1, "critical")]
    assert "Dash.run()" in scan.message("PF401", 5)


def test_dash_served_by_gunicorn_never_runs_the_main_block(scan):
    # gunicorn imports the module and serves app.server: no launch runs the __main__ block, so the run call's
    # findings are a developer's (low), and there is no PF401
    found = scan({"Dockerfile": DOCKERFILE_GUNICORN, "dashboard/dashboard.py": DASH_OLD_RUN_SERVER}, select=["PF1", "PF401"])
    assert found == [("PF101", "dashboard/dashboard.py", 7, 42, "low"),
                     ("PF103", "dashboard/dashboard.py", 7, 25, "low")]


def test_old_run_server_name_is_the_same_dev_server(scan):
    found = scan({"dashboard/dashboard.py": DASH_OLD_RUN_SERVER})
    assert found == [("PF101", "dashboard/dashboard.py", 7, 42, "low"),
                     ("PF103", "dashboard/dashboard.py", 7, 25, "medium")]


def test_run_server_of_another_object_is_not_a_server_and_debug_off_dash_is_high_not_critical(scan):
    found = scan({"Dockerfile": DOCKERFILE_SCRIPT, "dashboard/dashboard.py": NOT_DASH_RUN_SERVER})
    assert found == [("PF103", "dashboard/dashboard.py", 14, 31, "medium"),
                     ("PF401", "Dockerfile", 5, 1, "high")]
