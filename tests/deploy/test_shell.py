"""Shell entry scripts: logical lines as the shell reads them, assignments as env, the rest as commands."""

from __future__ import annotations

import pytest

from flask_preflight.static.deploy import shell
from flask_preflight.static.deploy.model import EnvVar, Origin

ENTRYPOINT = """\
#!/bin/sh
# Container entry point
set -e

export FLASK_APP=app:create_app
export GREETING="hello world"  # trailing comment, don't split
SECRET_KEY=$(cat /run/secrets/secret_key)
: "${PORT:=8000}"

cat <<-'EOF' > /app/instance/config.py
\tDEBUG = True  # it's only the heredoc's text
\tEOF
flask db upgrade \\
    --directory migrations

# preflight: ignore[PF102]
exec gunicorn --bind "0.0.0.0:$PORT" --workers 3 "app:create_app()" "$@"
"""

BOOT_SH = """\
#!/bin/bash
# this script is used to boot a Docker container
while true; do
    flask db upgrade
    if [[ "$?" == "0" ]]; then
        break
    fi
    echo Deploy command failed, retrying in 5 secs...
    sleep 5
done
exec gunicorn -b :5000 --access-logfile - --error-logfile - microblog:app
"""


def parse(text: str, path: str = "docker-entrypoint.sh"):
    return shell.parse(text, path, "/srv/app/" + path)


def commands(result):
    return [(c.argv[2], c.origin.line, c.origin.end_line) for c in result.commands]


def test_entrypoint_script() -> None:
    result = parse(ENTRYPOINT)
    assert result.kind == "shell" and result.warnings == [] and result.dev_reason == ""
    assert commands(result) == [
        ("set -e", 3, 3),
        ("cat <<-'EOF' > /app/instance/config.py", 10, 10),
        ("flask db upgrade     --directory migrations", 13, 14),
        ('exec gunicorn --bind "0.0.0.0:$PORT" --workers 3 "app:create_app()" "$@"', 17, 17),
    ]
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [
        ("FLASK_APP", "app:create_app", 5),
        ("GREETING", "hello world", 6),
        ("SECRET_KEY", None, 7),  # computed at start-up
        ("PORT", "8000", 8),
    ]
    first, *_, gunicorn = result.commands
    assert first.argv == ("/bin/sh", "-c", "set -e") and first.env == ()
    assert gunicorn.env == tuple(result.env) and gunicorn.web
    assert gunicorn.source == "docker-entrypoint.sh line 17"
    assert gunicorn.origins == ((0, Origin("docker-entrypoint.sh", 17, 17, ENTRYPOINT.splitlines()[16])),)
    assert result.commands[2].origin.snippet == "flask db upgrade \\\n    --directory migrations"
    assert result.suppressions == {17: frozenset({"PF102"})}


def test_microblog_boot_sh() -> None:
    result = parse(BOOT_SH, "boot.sh")
    assert commands(result) == [
        ("while true; do", 3, 3),
        ("flask db upgrade", 4, 4),
        ('if [[ "$?" == "0" ]]; then', 5, 5),
        ("break", 6, 6),
        ("echo Deploy command failed, retrying in 5 secs...", 8, 8),
        ("sleep 5", 9, 9),
        ("exec gunicorn -b :5000 --access-logfile - --error-logfile - microblog:app", 11, 11),
    ]
    assert result.commands[-1].source == "boot.sh line 11"
    assert result.env == [] and result.warnings == []


def test_case_branches_and_functions() -> None:
    script = """\
#!/bin/bash
migrate() {
    flask db upgrade
}
case "$1" in
  web)
    migrate
    exec gunicorn app:app
    ;;
  dev|local) exec flask run --debug ;;
  *)
    exec "$@"
    ;;
esac
for f in /docker-entrypoint.d/*.sh; do
    . "$f"
done
"""
    assert commands(parse(script)) == [
        ("flask db upgrade", 3, 3),
        ("migrate", 7, 7),
        ("exec gunicorn app:app", 8, 8),
        ("exec flask run --debug", 10, 10),
        ('exec "$@"', 12, 12),
        ('. "$f"', 16, 16),
    ]


def test_quotes_spanning_lines_and_comments_inside_quotes() -> None:
    script = 'python -c "\nimport app  # not a comment\nprint(\'#ok\')\n"\necho "a # b" # real comment\necho ${#PATH}\n'
    assert commands(parse(script)) == [
        ('python -c "\nimport app  # not a comment\nprint(\'#ok\')\n"', 1, 4),
        ('echo "a # b"', 5, 5),
        ("echo ${#PATH}", 6, 6),
    ]


def test_here_documents() -> None:
    script = ("psql <<SQL; echo done\nSELECT 1; -- exec flask run\nSQL\ncat <<\"A\" <<B\na\nA\nb\nB\n"
              "x=$((1 << 2))\necho \"<<NOT\" <<< here-string\nflask run\n")
    result = parse(script)
    assert commands(result) == [
        ("psql <<SQL; echo done", 1, 1),
        ('cat <<"A" <<B', 4, 4),
        ("x=$((1 << 2))", 9, 9),  # arithmetic, not a here-document (and too complex to be an assignment)
        ('echo "<<NOT" <<< here-string', 10, 10),
        ("flask run", 11, 11),
    ]
    assert result.warnings == []


def test_unclosed_here_document_and_quote_are_warnings() -> None:
    result = parse("cat <<EOF\nflask run --debug\n")
    assert commands(result) == [("cat <<EOF", 1, 1)]
    assert [line for line, _ in result.warnings] == [1]
    assert "never closed by a `EOF` line" in result.warnings[0][1]
    result = parse("echo don't\nexec gunicorn app:app\n")
    assert commands(result) == [("echo don't", 1, 1), ("exec gunicorn app:app", 2, 2)]
    assert [line for line, _ in result.warnings] == [1]


def test_assignments() -> None:
    script = ("A=1\nexport B='two words' C=3\nexport D\nE=1 flask run\nF=1; G=2\nH=`hostname`\n"
              "export PORT=${PORT:-5000}\nlocal I=1\nJ=1 && flask run\n")
    result = parse(script)
    assert [(v.name, v.value, v.origin.line) for v in result.env] == [
        ("A", "1", 1), ("B", "two words", 2), ("C", "3", 2), ("F", "1", 5), ("G", "2", 5), ("H", None, 6),
        ("PORT", "${PORT:-5000}", 7)]
    assert commands(result) == [("E=1 flask run", 4, 4), ("local I=1", 8, 8), ("J=1 && flask run", 9, 9)]
    assert result.commands[0].env == (EnvVar("A", "1", Origin("docker-entrypoint.sh", 1, 1, "A=1")),
                                      result.env[1], result.env[2])
    assert not result.env[-1].literal


def test_sourced_env_files_apply_to_later_commands() -> None:
    script = ("set -a; . ./.env; set +a\nsource venv/bin/activate\n[ -f /etc/app.env ] && source /etc/app.env\n"
              "if [ -f .env.local ]; then . .env.local; fi\nsource \"$CONFIG\"\necho . not-sourced\n"
              "exec gunicorn app:app\n")
    result = parse(script)
    assert result.commands[0].env_files == ()
    assert [(name, where.line) for name, where in result.commands[-1].env_files] == [
        ("./.env", 1), ("/etc/app.env", 3), (".env.local", 4)]


@pytest.mark.parametrize("name, dev", [
    ("run_dev.sh", True), ("start-local.sh", True), ("scripts/dev.sh", True), ("test.sh", True),
    ("boot.sh", False), ("docker-entrypoint.sh", False), ("devops.sh", False), ("latest.sh", False),
])
def test_dev_scripts(name: str, dev: bool) -> None:
    result = parse("flask run\n", name)
    assert bool(result.dev_reason) is dev
    assert result.commands[0].dev_reason == result.dev_reason
