"""CLI conventions shared by every command: colour switches (NO_COLOR, FORCE_COLOR, --color), ``-o -`` for
stdout, a missing path as a usage error, and command summaries that are never cut mid-sentence."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import click
import pytest

from flask_preflight.cli import main
from flask_preflight.runtime.plugin import preflight_command

ANSI = re.compile(r"\x1b\[[0-9;]*m")
UNSAFE_APP = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
SAFE_APP = "from flask import Flask\napp = Flask(__name__)\n"


def run(args: List[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """The CLI in a real process whose stdout is a pipe (not a terminal)."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([sys.executable, "-m", "flask_preflight", *args], cwd=cwd, capture_output=True,
                          text=True, env={**base, **env}, timeout=120)


@pytest.fixture()
def unsafe(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(UNSAFE_APP, encoding="utf-8")
    return tmp_path


# --- colour --------------------------------------------------------------------------------------------------

COLOUR_CASES = [
    # (env, extra args, coloured?)
    ({}, [], False),                                          # a pipe: no colour
    ({"FORCE_COLOR": "1"}, [], True),                         # force-color.org: set and not empty
    ({"FORCE_COLOR": "0"}, [], True),                         # ... whatever its value
    ({"FORCE_COLOR": ""}, [], False),                         # empty counts as unset
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, [], False),       # NO_COLOR wins over FORCE_COLOR
    ({"FORCE_COLOR": "1"}, ["--color", "never"], False),      # the command line wins over both
    ({"NO_COLOR": "1"}, ["--color", "always"], True),
    ({"FORCE_COLOR": "1"}, ["--format", "json"], False),      # machine formats are never coloured
    ({"FORCE_COLOR": "1"}, ["--format", "github"], False),
]


@pytest.mark.parametrize("env,args,coloured", COLOUR_CASES)
def test_colour_switches(unsafe, env, args, coloured):
    plain_args = [a for a in args if a not in ("--color", "always", "never")]
    plain = run(["check", "--no-cache", *plain_args], unsafe)
    result = run(["check", "--no-cache", *args], unsafe, **env)
    assert result.returncode == plain.returncode == 1
    assert bool(ANSI.search(result.stdout)) is coloured
    assert ANSI.sub("", result.stdout) == plain.stdout  # colour changes nothing else


def test_force_color_never_colours_a_report_file(unsafe):
    result = run(["check", "--no-cache", "-o", "report.txt"], unsafe, FORCE_COLOR="1")
    assert result.returncode == 1
    text = (unsafe / "report.txt").read_text(encoding="utf-8")
    assert "PF101 [high]" in text and "\x1b" not in text


# --- -o - ----------------------------------------------------------------------------------------------------


def test_dash_output_is_stdout_for_check(unsafe):
    for fmt in ("text", "json", "github"):
        to_dash = run(["check", "--no-cache", "--format", fmt, "-o", "-"], unsafe)
        default = run(["check", "--no-cache", "--format", fmt], unsafe)
        assert (to_dash.returncode, to_dash.stdout, to_dash.stderr) == (1, default.stdout, default.stderr)
        assert not (unsafe / "-").exists()
    # ./- is the way to name a file called "-"
    to_file = run(["check", "--no-cache", "--format", "github", "-o", "./-"], unsafe)
    assert (to_file.returncode, to_file.stdout) == (1, "")
    assert to_file.stderr == "flask-preflight: 2 findings in 1 file\n"
    assert (unsafe / "-").read_text(encoding="utf-8") == default.stdout


def test_dash_output_is_stdout_for_inspect(tmp_path):
    (tmp_path / "app.py").write_text(SAFE_APP, encoding="utf-8")
    to_dash = run(["inspect", "app:app", "--format", "json", "-o", "-"], tmp_path)
    assert to_dash.stdout.startswith("{\n") and '"schema_version": 1' in to_dash.stdout
    assert not (tmp_path / "-").exists()


def test_dash_output_is_stdout_for_probe(tmp_path):
    # A loopback port nothing listens on: the probe fails at once and says so (exit 3).
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    to_dash = run(["probe", url, "--timeout", "2", "--format", "json", "-o", "-"], tmp_path)
    default = run(["probe", url, "--timeout", "2", "--format", "json"], tmp_path)
    assert to_dash.returncode == default.returncode == 3
    assert to_dash.stdout.startswith("{\n") and not (tmp_path / "-").exists()
    assert to_dash.stderr == default.stderr


# --- exit codes ----------------------------------------------------------------------------------------------


def test_missing_path_is_a_usage_error_in_check_and_inspect(unsafe):
    check = run(["check", "app.py", "nope.py"], unsafe)
    assert (check.returncode, check.stdout) == (2, "")
    assert check.stderr == "flask-preflight: error: PATH 'nope.py': no such file or directory\n"
    inspect = run(["inspect", "nope.py"], unsafe)
    assert (inspect.returncode, inspect.stdout) == (2, "")
    assert inspect.stderr.startswith("flask-preflight: error: TARGET 'nope.py': ")


def test_broken_symlink_is_still_an_incomplete_scan(unsafe):
    """A path that exists as a dangling link is not a typo: it is reported like any unreadable file (3)."""
    (unsafe / "gone.py").symlink_to(unsafe / "missing-target.py")
    result = run(["check", "--no-cache", "gone.py"], unsafe)
    assert result.returncode == 3
    assert result.stdout.startswith("gone.py: error: broken-symlink: ")


# --- short help ----------------------------------------------------------------------------------------------


def _listed(help_text: str) -> Dict[str, str]:
    """Command name -> its summary as `--help` lists it (wrapped lines joined)."""
    section = help_text.split("Commands:\n", 1)[1]
    listed: Dict[str, str] = {}
    name = ""
    for line in section.splitlines():
        m = re.match(r"^  (\S+)\s+(.*)$", line)
        if m:
            name = m.group(1)
            listed[name] = m.group(2)
        elif line.strip() and name:
            listed[name] += " " + line.strip()
    return listed


@pytest.mark.parametrize("columns", ["80", "50"])
def test_flask_preflight_help_lists_whole_sentences(tmp_path, columns):
    result = run(["--help"], tmp_path, COLUMNS=columns)
    listed = _listed(result.stdout)
    assert listed == {name: cmd.short_help for name, cmd in main.commands.items()}
    for text in listed.values():
        assert text.endswith(".") and "..." not in text


def test_flask_help_shows_the_whole_preflight_summary(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "COLUMNS")}
    result = subprocess.run([sys.executable, "-m", "flask", "--help"], cwd=tmp_path, capture_output=True,
                            text=True, env=env, timeout=120)
    assert _listed(result.stdout)["preflight"] == preflight_command.short_help
    assert preflight_command.short_help == "Check the loaded app for production hazards (flask-preflight)."


def test_without_short_help_click_would_cut_the_summaries():
    """The negative: click's own summaries of these docstrings end in '...' (what short_help prevents)."""
    def default(cmd: click.Command) -> str:
        return click.Command(cmd.name, help=cmd.help).get_short_help_str(45)

    cut = [name for name, cmd in main.commands.items() if default(cmd).endswith("...")]
    assert {"inspect", "probe", "serve"} <= set(cut)
    assert default(preflight_command).endswith("...")
    assert all(isinstance(cmd, click.Command) and cmd.short_help for cmd in main.commands.values())
