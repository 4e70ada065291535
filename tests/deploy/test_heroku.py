"""heroku.yml: the images `build.docker` builds, the `run` commands that replace their CMD, config values."""

from __future__ import annotations

from flask_preflight.static.deploy import classify, heroku

HEROKU_YML = """\
build:
  docker:
    web: Dockerfile
    worker: worker/Dockerfile
    api:
      dockerfile: api/Dockerfile
  config:
    PIP_INDEX: https://pypi.org/simple
setup:
  config:
    LOG_LEVEL: info
run:
  web: gunicorn -w 4 app:app
  worker:
    command:
      - python
      - jobs.py
    image: worker
"""


def test_heroku_yml() -> None:
    result = heroku.parse(HEROKU_YML, "heroku.yml", "/srv/app/heroku.yml")
    assert result.kind == "heroku" and result.warnings == []
    web, worker, api = result.commands
    assert web.argv == ("/bin/sh", "-c", "gunicorn -w 4 app:app") and web.web and web.origin.line == 13
    assert web.source == "heroku.yml `run.web`" and web.build == (".", "Dockerfile", "")
    assert worker.argv == ("/bin/sh", "-c", "python jobs.py") and not worker.web
    assert worker.origin.line == 14 and worker.origin.end_line == 18
    assert worker.build == (".", "worker/Dockerfile", "")
    # no `run.api`: the image's own CMD runs
    assert api.argv == () and api.build == (".", "api/Dockerfile", "") and not api.web
    assert [(v.name, v.value, v.origin.line) for v in result.build_args] == [("PIP_INDEX", "https://pypi.org/simple", 8)]
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [("LOG_LEVEL", "info", 11)]


def test_malformed_entries_are_warnings() -> None:
    result = heroku.parse("build:\n  docker:\n    web: {}\nrun:\n  web: {image: web}\n", "heroku.yml", "/a/heroku.yml")
    assert result.commands == []
    assert result.warnings == [(3, "`build.docker.web` names no Dockerfile"), (5, "`run.web` is not a command")]
    assert heroku.parse("- a\n", "heroku.yml", "/a/heroku.yml").warnings[0][0] == 1


def test_classify() -> None:
    assert classify("heroku.yml") == "heroku"
    assert classify("heroku.yaml") == "kubernetes"  # Heroku reads only heroku.yml
