"""Dockerfile extractor: final-stage command, runtime env, build args, origins and parse errors."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import pytest

from flask_preflight.static.deploy.dockerfile import expand, parse
from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar


def _parse(text: str, path: str = "Dockerfile") -> DeployFile:
    return parse(text, path, "/project/" + path)


def _env(variables: List[EnvVar]) -> List[Tuple[str, Optional[str], int]]:
    return [(v.name, v.value, v.origin.line) for v in variables]


def _only(result: DeployFile) -> Command:
    assert len(result.commands) == 1
    return result.commands[0]


def _lines(command: Command) -> List[Tuple[int, int, int]]:
    return [(index, o.line, o.end_line) for index, o in command.origins]


MULTI_STAGE = """\
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.11
ARG BUILD_TOKEN

FROM python:${PYTHON_VERSION}-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \\
    FLASK_DEBUG=1
WORKDIR /build
COPY requirements.txt .
RUN pip wheel -r requirements.txt -w /wheels
CMD ["flask", "run"]

FROM python:${PYTHON_VERSION}-slim
ARG APP_VERSION=dev
ENV PYTHONUNBUFFERED=1 APP_VERSION=$APP_VERSION
WORKDIR /app
COPY --from=builder /wheels /wheels
HEALTHCHECK CMD curl -f http://localhost:8000/health
ENTRYPOINT ["./entrypoint.sh"]
CMD ["gunicorn", "-w", "4", "app:app"]
"""


def test_multi_stage_builder_env_does_not_reach_final_image() -> None:
    result = _parse(MULTI_STAGE)
    assert _env(result.env) == [("PYTHONUNBUFFERED", "1", 15), ("APP_VERSION", "dev", 15)]
    assert _env(result.build_args) == [
        ("PYTHON_VERSION", "3.11", 2), ("BUILD_TOKEN", None, 3),
        ("PIP_NO_CACHE_DIR", "1", 6), ("FLASK_DEBUG", "1", 6),
        ("APP_VERSION", "dev", 14),
    ]
    flask_debug = result.build_args[3]
    assert (flask_debug.origin.line, flask_debug.origin.end_line) == (6, 7)
    assert flask_debug.origin.snippet == "ENV PIP_NO_CACHE_DIR=1 \\\n    FLASK_DEBUG=1"


def test_entrypoint_plus_cmd_exec_forms() -> None:
    command = _only(_parse(MULTI_STAGE))
    assert command.argv == ("./entrypoint.sh", "gunicorn", "-w", "4", "app:app")
    assert command.source == "Dockerfile ENTRYPOINT + CMD"
    assert _lines(command) == [(0, 19, 19), (1, 20, 20)]
    assert command.origin_at(0).snippet == 'ENTRYPOINT ["./entrypoint.sh"]'
    assert command.origin_at(3).snippet == 'CMD ["gunicorn", "-w", "4", "app:app"]'
    assert command.workdir == "/app"
    assert [v.name for v in command.env] == ["PYTHONUNBUFFERED", "APP_VERSION"]
    assert command.dev_reason == ""


def test_final_stage_from_builder_inherits_env_workdir_and_cmd() -> None:
    result = _parse("""\
FROM python:3.12 AS base
ENV FLASK_APP=app.py
WORKDIR /srv
CMD flask run --host 0.0.0.0

FROM base AS runtime
ENV FLASK_DEBUG=0
WORKDIR app
""")
    assert _env(result.env) == [("FLASK_APP", "app.py", 2), ("FLASK_DEBUG", "0", 7)]
    assert result.build_args == []
    command = _only(result)
    assert command.argv == ("/bin/sh", "-c", "flask run --host 0.0.0.0")
    assert command.source == "Dockerfile CMD"
    assert _lines(command) == [(0, 4, 4)]
    assert command.workdir == "/srv/app"
    assert [v.name for v in command.env] == ["FLASK_APP", "FLASK_DEBUG"]


def test_inherited_cmd_is_reset_by_entrypoint_but_same_stage_cmd_stays() -> None:
    inherited = _parse('FROM python AS base\nCMD ["flask", "run"]\nFROM base\nENTRYPOINT ["gunicorn", "app:app"]\n')
    assert _only(inherited).argv == ("gunicorn", "app:app")
    assert _only(inherited).source == "Dockerfile ENTRYPOINT"
    same_stage = _parse('FROM python\nCMD ["app:app"]\nENTRYPOINT ["gunicorn"]\n')
    assert _only(same_stage).argv == ("gunicorn", "app:app")
    assert _lines(_only(same_stage)) == [(0, 3, 3), (1, 2, 2)]


def test_shell_entrypoint_ignores_cmd() -> None:
    command = _only(_parse('FROM python\nENTRYPOINT exec gunicorn app:app\nCMD ["--reload"]\n'))
    assert command.argv == ("/bin/sh", "-c", "exec gunicorn app:app")
    assert command.source == "Dockerfile ENTRYPOINT"
    assert _lines(command) == [(0, 2, 2)]


def test_exec_entrypoint_with_shell_cmd() -> None:
    command = _only(_parse('FROM python\nENTRYPOINT ["tini", "--"]\nCMD gunicorn app:app\n'))
    assert command.argv == ("tini", "--", "/bin/sh", "-c", "gunicorn app:app")
    assert _lines(command) == [(0, 2, 2), (2, 3, 3)]


def test_shell_form_uses_shell_instruction_and_joins_continuations() -> None:
    result = _parse("""\
FROM python:3.12-slim
SHELL ["/bin/bash", "-c"]
CMD flask run \\
    --host=0.0.0.0 \\
    --debug
""")
    command = _only(result)
    assert command.argv[:2] == ("/bin/bash", "-c")
    assert command.argv[2].split() == ["flask", "run", "--host=0.0.0.0", "--debug"]
    assert _lines(command) == [(0, 3, 5)]
    assert command.origin.snippet == "CMD flask run \\\n    --host=0.0.0.0 \\\n    --debug"


def test_last_cmd_wins_and_lowercase_instructions() -> None:
    command = _only(_parse('from python as app\ncmd ["flask", "run"]\ncmd ["gunicorn", "app:app"]\n'))
    assert command.argv == ("gunicorn", "app:app")
    assert _lines(command) == [(0, 3, 3)]


def test_env_forms_quotes_and_substitution() -> None:
    result = _parse("""\
FROM python
ARG HOST=0.0.0.0
ARG TOKEN
ENV GREETING="hello world" SINGLE='no $expansion' LEGACY_UNUSED=x
ENV LEGACY value with spaces
ENV BIND=${HOST}:8000 PORT=${PORT:-5000} DEFAULTED=${HOST:-127.0.0.1}
ENV SECRET_KEY=${SECRET_KEY} AUTH=$TOKEN MIXED="$HOST and $UNKNOWN"
ENV FIRST=1 SECOND=$FIRST
ENV ESCAPED=\\$HOME
""")
    assert _env(result.env) == [
        ("GREETING", "hello world", 4), ("SINGLE", "no $expansion", 4), ("LEGACY_UNUSED", "x", 4),
        ("LEGACY", "value with spaces", 5),
        ("BIND", "0.0.0.0:8000", 6), ("PORT", "${PORT:-5000}", 6), ("DEFAULTED", "0.0.0.0", 6),
        ("SECRET_KEY", "${SECRET_KEY}", 7), ("AUTH", "$TOKEN", 7), ("MIXED", "$HOST and $UNKNOWN", 7),
        ("FIRST", "1", 8), ("SECOND", "$FIRST", 8),  # a pair sees the values from before its instruction
        ("ESCAPED", "$HOME", 9),
    ]
    assert not result.env[7].literal
    assert result.env[4].literal
    assert _env(result.build_args) == [("HOST", "0.0.0.0", 2), ("TOKEN", None, 3)]


def test_global_arg_used_in_from_and_stage() -> None:
    result = _parse("ARG BASE=builder\nARG DEBUG=1\nFROM python AS builder\nCMD [\"x\"]\nFROM ${BASE}\n"
                    "ENV FLASK_DEBUG=$DEBUG\n")
    assert _env(result.env) == [("FLASK_DEBUG", "1", 6)]
    assert _only(result).argv == ("x",)


def test_escape_directive() -> None:
    result = _parse('# escape=`\nFROM mcr.microsoft.com/windows\nENV GREETING="say `"hi`"" `\n    PATH=C:\\app\n')
    assert _env(result.env) == [("GREETING", 'say "hi"', 3), ("PATH", "C:\\app", 3)]
    assert (result.env[0].origin.line, result.env[0].origin.end_line) == (3, 4)


def test_base_image_without_command_and_empty_files() -> None:
    result = _parse("FROM python:3.12\nENV FLASK_ENV=production\nRUN pip install flask\n")
    assert result.commands == []
    assert _env(result.env) == [("FLASK_ENV", "production", 2)]
    for text in ("", "\n\n", "# just a comment\n"):
        empty = _parse(text)
        assert (empty.kind, empty.commands, empty.env, empty.build_args) == ("dockerfile", [], [], [])


def test_onbuild_and_healthcheck_are_not_the_command() -> None:
    result = _parse("FROM python\nONBUILD CMD flask run\nHEALTHCHECK CMD flask --help\nONBUILD ENV FLASK_DEBUG=1\n")
    assert result.commands == []
    assert result.env == []


@pytest.mark.parametrize("name", [
    "Dockerfile.dev", "Dockerfile.development", "Dockerfile.local", "Dockerfile.test", "dev.Dockerfile",
    "Dockerfile-dev", "local.Dockerfile", "docker/Dockerfile_testing",
])
def test_development_file_names(name: str) -> None:
    result = _parse('FROM python\nCMD ["flask", "run", "--debug"]\n', name)
    assert result.dev_reason == "the file name marks it as a development image"
    assert _only(result).dev_reason == result.dev_reason


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.prod", "deploy/Dockerfile", "Dockerfile.devops",
                                  "latest.Dockerfile"])
def test_production_file_names(name: str) -> None:
    result = _parse('FROM python\nCMD ["gunicorn", "app:app"]\n', name)
    assert result.dev_reason == ""
    assert _only(result).dev_reason == ""


def test_suppressions_from_comment_above_instruction() -> None:
    result = _parse("FROM python\n# preflight: ignore[PF101]\nENV FLASK_DEBUG=1\n")
    assert result.suppressions == {3: frozenset({"PF101"})}


@pytest.mark.parametrize("text, line", [
    ("FROM python\nENV PORT=5000 \\\n    FLASK_DEBUG\nCMD flask run\n", 2),  # ENV pair without '='
    ("FROM python\n\nLABEL maintainer\n", 3),
    ("FROM python\nRUN <<EOF\necho one\nEOF\nRUN <<EOF\necho two\n", 5),  # heredoc never closed
    ("FROM python\nENV GREETING=\"hello\nCMD x\n", 2),  # unterminated quote in a value
    ("FROM python\nSHELL /bin/bash -c\n", 2),
])
def test_malformed_files_raise_with_line(text: str, line: int) -> None:
    with pytest.raises(DeployParseError) as raised:
        _parse(text)
    assert raised.value.line == line
    assert raised.value.message.endswith(".")


@pytest.mark.parametrize("word, expected", [
    ('"a b"', ("a b", True)),
    ("'$A'", ("$A", True)),
    ("$A-${A}", ("x-x", True)),
    ("${EMPTY:-d}/${EMPTY-d}", ("d/", True)),
    ("${A:+set}${EMPTY:+set}", ("set", True)),
    ("${A#x}", ("${A#x}", False)),
    ('"$A" $B', ("$A $B", False)),
    ("a\\ b\\\\c", ("a b\\c", True)),
])
def test_expand(word: str, expected: Tuple[str, bool]) -> None:
    values: Dict[str, str] = {"A": "x", "EMPTY": ""}
    assert expand(word, values.get) == expected


TARGETS = """\
FROM python:3.12-slim AS Base
ENV PYTHONUNBUFFERED=1
WORKDIR /app
CMD ["gunicorn", "app:app"]

FROM base AS development
ENV FLASK_DEBUG=1
CMD ["flask", "run", "--debug"]

FROM base AS builder
RUN pip wheel -r requirements.txt -w /wheels

FROM python:3.12-slim AS tools
RUN pip install ruff

FROM base AS production
ENTRYPOINT ["./entrypoint.sh"]
"""


def test_stages_hold_what_each_target_runs() -> None:
    result = _parse(TARGETS)
    assert list(result.stages) == ["base", "development", "builder", "tools", "production"]
    summary = {name: [(c.argv, c.source, _lines(c), c.workdir, [v.name for v in c.env], c.dev_reason)
                      for c in commands] for name, commands in result.stages.items()}
    assert summary == {
        "base": [(("gunicorn", "app:app"), "Dockerfile CMD", [(0, 4, 4)], "/app", ["PYTHONUNBUFFERED"], "")],
        "development": [(("flask", "run", "--debug"), "Dockerfile CMD", [(0, 8, 8)], "/app",
                         ["PYTHONUNBUFFERED", "FLASK_DEBUG"], "the stage is named `development`, a development image")],
        "builder": [(("gunicorn", "app:app"), "Dockerfile CMD", [(0, 4, 4)], "/app", ["PYTHONUNBUFFERED"], "")],
        "tools": [],
        # ENTRYPOINT resets the CMD inherited from `base`
        "production": [(("./entrypoint.sh",), "Dockerfile ENTRYPOINT", [(0, 17, 17)], "/app",
                        ["PYTHONUNBUFFERED"], "")],
    }
    assert [(v.name, v.dev_reason) for v in result.stages["development"][0].env] == [
        ("PYTHONUNBUFFERED", "the stage is named `development`, a development image"),
        ("FLASK_DEBUG", "the stage is named `development`, a development image"),
    ]
    # the final stage is still what `docker build` without --target runs, and it is not a development one
    assert _only(result) == result.stages["production"][0]
    assert [(v.name, v.dev_reason) for v in result.env] == [("PYTHONUNBUFFERED", "")]
    assert result.dev_reason == ""


def test_unnamed_stages_are_not_targets() -> None:
    result = _parse('FROM python AS build\nCMD ["x"]\nFROM python\nCMD ["gunicorn", "app:app"]\n')
    assert list(result.stages) == ["build"]
    assert [c.argv for c in result.stages["build"]] == [("x",)]
    assert _only(result).argv == ("gunicorn", "app:app")
    assert _parse('FROM python\nCMD ["gunicorn", "app:app"]\n').stages == {}


@pytest.mark.parametrize("name", ["development", "dev", "Develop", "devel", "local", "test", "testing", "debug",
                                  "dev-server", "app_debug"])
def test_final_stage_named_for_development(name: str) -> None:
    result = _parse(f'FROM python:3.12 AS base\nENV FLASK_APP=app.py\nFROM base AS {name}\nENV FLASK_DEBUG=1\n'
                    'CMD ["flask", "run", "--debug"]\n')
    final_reason = (f"the final stage is named `{name}`, a development image "
                    "(production builds usually pass --target)")
    assert _only(result).dev_reason == final_reason
    assert [(v.name, v.value, v.dev_reason) for v in result.env] == [
        ("FLASK_APP", "app.py", final_reason), ("FLASK_DEBUG", "1", final_reason)]
    assert [v.dev_reason for v in _only(result).env] == [final_reason, final_reason]
    assert result.dev_reason == ""  # the file itself is the production Dockerfile
    (staged,) = result.stages[name.lower()]
    assert staged.argv == ("flask", "run", "--debug")
    assert staged.dev_reason == f"the stage is named `{name}`, a development image"
    assert result.stages["base"] == []


@pytest.mark.parametrize("name", ["production", "prod", "runtime", "final", "app", "devops", "latest", "contest"])
def test_final_stage_with_another_name_is_not_development(name: str) -> None:
    result = _parse(f'FROM python AS {name}\nENV FLASK_DEBUG=0\nCMD ["gunicorn", "app:app"]\n')
    assert _only(result).dev_reason == ""
    assert [v.dev_reason for v in result.env] == [""]
    assert [c.dev_reason for c in result.stages[name]] == [""]


def test_development_file_name_wins_over_stage_names() -> None:
    result = _parse('FROM python AS development\nENV FLASK_DEBUG=1\nCMD ["flask", "run"]\nFROM python AS test\n'
                    'CMD ["pytest"]\n', "Dockerfile.dev")
    assert result.dev_reason == "the file name marks it as a development image"
    assert _only(result).dev_reason == "the file name marks it as a development image"
    assert [v.dev_reason for v in _only(result).env] == []
    assert [(name, [c.dev_reason for c in commands]) for name, commands in result.stages.items()] == [
        ("development", ["the file name marks it as a development image"]),
        ("test", ["the file name marks it as a development image"]),
    ]
    assert [v.dev_reason for v in result.stages["development"][0].env] == [""]


def test_stage_names_are_case_insensitive_keys() -> None:
    result = _parse('FROM python AS Dev\nCMD ["flask", "run"]\nFROM Dev AS PROD\nCMD ["gunicorn", "app:app"]\n')
    assert list(result.stages) == ["dev", "prod"]
    assert result.stages["dev"][0].dev_reason == "the stage is named `Dev`, a development image"
    assert _only(result).argv == ("gunicorn", "app:app")
    assert _only(result).dev_reason == ""


def test_copy_sources_are_the_literal_local_files_the_build_context_must_hold():
    from flask_preflight.static.deploy.context import copy_sources

    text = ("FROM python:3.12 AS build\nCOPY --chown=app:app requirements.txt setup.cfg /app/\n"
            'ADD ["src/", "/app/src/"]\nCOPY --from=build /wheels /wheels\nADD https://example.com/x.tgz /x\n'
            "COPY . .\nCOPY ./docker/entrypoint.sh \\\n     /entrypoint.sh\nCOPY *.py /app/\nCOPY $CONF /etc/\n"
            "COPY <<EOF /app/x.txt\nhello\nEOF\n")
    assert copy_sources(text) == ["requirements.txt", "setup.cfg", "src", "docker/entrypoint.sh"]


def test_dockerfile_context_is_where_its_sources_are(tmp_path):
    from flask_preflight.static.deploy.context import dockerfile_context

    (tmp_path / "docker").mkdir()
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "docker" / "Dockerfile").write_text("FROM python:3.12\nCOPY requirements.txt .\nCOPY . .\n")
    assert dockerfile_context(str(tmp_path / "docker" / "Dockerfile"), str(tmp_path)) == str(tmp_path)
    # the tricky neighbour: the same Dockerfile next to its own requirements.txt is built from its directory
    (tmp_path / "docker" / "requirements.txt").write_text("flask\n")
    assert dockerfile_context(str(tmp_path / "docker" / "Dockerfile"), str(tmp_path)) == str(tmp_path / "docker")
    # only `COPY . .`: the nearest project directory (a marker file), else the scan root
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text("FROM python:3.12\nCOPY . .\n")
    assert dockerfile_context(str(tmp_path / "svc" / "Dockerfile"), str(tmp_path)) == str(tmp_path)
    (tmp_path / "svc" / "pyproject.toml").write_text("[project]\nname = 'svc'\n")
    assert dockerfile_context(str(tmp_path / "svc" / "Dockerfile"), str(tmp_path)) == str(tmp_path / "svc")


def test_scripts_written_from_a_heredoc_keep_the_dockerfile_line_numbers():
    from flask_preflight.static.deploy import dockerfile as df

    text = ("FROM python:3.12\nWORKDIR /app\nRUN cat <<EOF > start.sh && \\\n    chmod +x start.sh\n"
            "echo \\$HOME\npython app.py\nEOF\nRUN echo hi > /tmp/x\nCMD [\"./start.sh\"]\n")
    result = df.parse(text, "Dockerfile", "/p/Dockerfile")
    assert list(result.scripts) == ["/app/start.sh"]
    script = result.scripts["/app/start.sh"]
    assert [(c.argv[-1], c.origins[0][1].line) for c in script.commands] == [("echo $HOME", 5), ("python app.py", 6)]
