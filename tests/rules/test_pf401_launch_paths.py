"""PF401 (and the run rules it grades): where a launch lives and what it really executes.

Round-8 cases, each a mechanism: the Dev Containers folder is a development environment; ``python -m
pkg.mod`` runs ``pkg/mod.py`` and never ``pkg/__main__.py``; a Dockerfile can write its start script with a
heredoc, and the CMD that runs it starts what the script starts.
"""

APP_FACTORY = """\
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return {"ok": True}

    return app
"""

FLASK_RUN_IMAGE = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n"


# ---- .devcontainer/ ------------------------------------------------------------------------------

def test_devcontainer_dockerfile_is_low(scan):
    found = scan({".devcontainer/Dockerfile": FLASK_RUN_IMAGE, "app.py": APP_FACTORY}, select=["PF401"])
    assert found == [("PF401", ".devcontainer/Dockerfile", 4, 1, "low")]
    assert "Dev Containers" in scan.message("PF401", 4)


def test_same_image_outside_devcontainer_stays_high(scan):
    # a folder merely named like it (no leading dot) is not the Dev Containers folder
    files = {"devcontainer/Dockerfile": FLASK_RUN_IMAGE, "Dockerfile": FLASK_RUN_IMAGE, "app.py": APP_FACTORY}
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high"),
                                             ("PF401", "devcontainer/Dockerfile", 4, 1, "high")]


def test_devcontainer_compose_building_the_root_image_leaves_that_image_high(scan):
    compose = "services:\n  app:\n    build:\n      context: ..\n      dockerfile: Dockerfile\n"
    files = {".devcontainer/docker-compose.yml": compose, "Dockerfile": FLASK_RUN_IMAGE, "app.py": APP_FACTORY}
    # the root image's own CMD is what `docker build .` ships: still high; the devcontainer's use of it is low
    assert scan(files, select=["PF401"]) == [("PF401", "Dockerfile", 4, 1, "high")]
    assert scan.severity("PF401", 4) == "high"


# ---- python -m: a package runs its __main__.py, a module runs itself -------------------------------

PKG_INIT = "from flask import Flask\n\napp = Flask(__name__)\n"
PKG_MAIN = """\
from pkg import app

if __name__ == "__main__":
    app.run(host="0.0.0.0")
"""
PKG_SERVER = """\
from pkg import app

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
"""
UNIT = "[Service]\nType=oneshot\nExecStart=/usr/bin/python -m pkg.{name}\n"


def test_python_m_submodule_does_not_run_the_package_main(scan):
    files = {"pkg.service": UNIT.format(name="setup_db"), "pkg/__init__.py": PKG_INIT, "pkg/__main__.py": PKG_MAIN,
             "pkg/setup_db.py": "import pymongo\n\nprint('indexes')\n"}
    assert scan(files, select=["PF401"]) == []


def test_python_m_submodule_that_serves_is_high(scan):
    files = {"pkg.service": UNIT.format(name="server"), "pkg/__init__.py": PKG_INIT, "pkg/__main__.py": PKG_MAIN,
             "pkg/server.py": PKG_SERVER}
    assert scan(files, select=["PF401"]) == [("PF401", "pkg.service", 3, 1, "high")]
    assert "pkg/server.py" in scan.message("PF401", 3)


# ---- a start script the Dockerfile writes with a heredoc ---------------------------------------------

RUN_MODULE = """\
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
"""
WSGI_MODULE = RUN_MODULE.replace("port=5000", "port=5000, debug=False")

HEREDOC_IMAGE = """\
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN cat > /app/start.sh <<EOF && \\
    chmod +x /app/start.sh
#!/bin/bash
set -e
cd /app/web && {launch} &
PID=\\$!
wait \\$PID
EOF
CMD ["{cmd}"]
"""


def test_heredoc_start_script_that_runs_the_dev_server_is_high(scan):
    dockerfile = HEREDOC_IMAGE.format(launch="python3 -m pkg.run", cmd="/app/start.sh")
    files = {"Dockerfile": dockerfile, "web/pkg/__init__.py": "", "web/pkg/run.py": RUN_MODULE,
             "web/wsgi.py": WSGI_MODULE}
    # as with a Procfile's `python app.py`, the bind of the run call the launch reaches stays medium beside PF401
    assert scan(files, select=["PF401", "PF103"]) == [("PF103", "web/pkg/run.py", 6, 18, "medium"),
                                                      ("PF103", "web/wsgi.py", 6, 18, "low"),
                                                      ("PF401", "Dockerfile", 8, 1, "high")]
    assert "pkg/run.py" in scan.message("PF401", 8)


def test_heredoc_start_script_that_runs_gunicorn_lowers_the_main_binds(scan):
    # the tricky neighbour: the same image serving with gunicorn; no PF401, and both __main__ binds are a developer's
    dockerfile = HEREDOC_IMAGE.format(launch="gunicorn -b 0.0.0.0:5000 wsgi:app", cmd="start.sh")
    files = {"Dockerfile": dockerfile, "web/pkg/__init__.py": "", "web/pkg/run.py": RUN_MODULE,
             "web/wsgi.py": WSGI_MODULE}
    assert scan(files, select=["PF401", "PF103"]) == [("PF103", "web/pkg/run.py", 6, 18, "low"),
                                                      ("PF103", "web/wsgi.py", 6, 18, "low")]


def test_heredoc_script_the_command_does_not_run_is_not_followed(scan):
    dockerfile = HEREDOC_IMAGE.format(launch="python3 -m pkg.run", cmd="/app/other.sh")
    files = {"Dockerfile": dockerfile, "web/pkg/__init__.py": "", "web/pkg/run.py": RUN_MODULE}
    assert scan(files, select=["PF401", "PF103"]) == [("PF103", "web/pkg/run.py", 6, 18, "medium")]


def test_heredoc_written_with_tee_or_copy_and_quoted_delimiter(scan):
    tee = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN tee run.sh <<'END'\npython app.py\nEND\n"
           "CMD [\"sh\", \"run.sh\"]\n")
    copy = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nCOPY <<EOF /srv/go.sh\npython app.py\nEOF\nCMD [\"/srv/go.sh\"]\n"
    app = RUN_MODULE
    assert scan({"a/Dockerfile": tee, "a/app.py": app, "b/Dockerfile": copy, "b/app.py": app},
                select=["PF401"]) == [("PF401", "a/Dockerfile", 5, 1, "high"), ("PF401", "b/Dockerfile", 5, 1, "high")]
