"""PF511 static-folder-exposes-source: the static route serves source code or secrets."""

from .runtime_apps import HARDENED_CONFIG, HEADERS_HOOK, inspect_app  # noqa: F401


def app_with(static: str) -> str:
    return ("from flask import Flask\n"
            f"app = Flask(__name__, static_folder={static})\n" + HARDENED_CONFIG + HEADERS_HOOK)


def test_package_directory_as_static_folder_is_high(inspect_app):
    assert inspect_app(app_with("'.'")) == [("PF511", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF511")
    assert finding.severity.value == "high"
    assert "is the app's package itself" in finding.message
    assert "main.py" in finding.message


def test_project_root_with_env_file_is_critical(inspect_app):
    src = app_with("'..'")
    assert inspect_app(src, files={"../.env": "SECRET_KEY=abc\n"}) == [("PF511", "main.py", 2, 1, "critical")]
    finding = inspect_app.only("PF511")
    assert finding.severity.value == "critical"
    assert "contains the app's package" in finding.message and ".env" in finding.message


def test_blueprint_static_folder_points_at_the_blueprint_module(inspect_app):
    files = {"admin.py": """\
from flask import Blueprint
bp = Blueprint("admin", __name__, static_folder="keys", static_url_path="/admin-static")
""", "keys/server.pem": "-----BEGIN PRIVATE KEY-----\n"}
    src = app_with("None") + "from {pkg}.admin import bp\napp.register_blueprint(bp)\n"
    assert inspect_app(src, files=files) == [("PF511", "admin.py", 2, 1, "critical")]
    assert inspect_app.only("PF511").severity.value == "critical"


def test_default_and_sibling_build_folders_pass(inspect_app):
    files = {"static/app.css": "body{}", "../frontend/dist/index.html": "<html></html>"}
    assert inspect_app(app_with("'static'"), files=files) == []
    assert inspect_app(app_with("'../frontend/dist'"), files=files) == []
