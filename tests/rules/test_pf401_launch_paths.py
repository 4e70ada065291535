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
