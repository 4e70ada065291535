"""Check the package as users get it: build the sdist and wheel, check what they contain, install the wheel
into a fresh virtualenv and run the installed tool on ``examples/``.

Why: the test suite runs against the editable checkout, which finds every file in the source tree whether or
not the wheel ships it. A subpackage missing from ``packages.find``, a data file not listed in
``package-data`` or a broken entry point only shows up in an installed wheel. ``.ci/run`` calls this before
the tests; by hand: ``pip install build && python scripts/check_dist.py`` (it needs the package index for the
isolated build and the wheel's dependencies).

Exit status 0 when everything holds, 1 with one line per failure otherwise.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "flask_preflight"
# (arguments, expected exit code): the unsafe example fails the default policy, the safe one passes
EXAMPLE_RUNS = [(["examples/"], 1), (["examples/safe_app"], 0)]
SDIST_FILES = ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml")


def package_files() -> List[str]:
    """Every file under the package the wheel must carry: git's list when there is one (what is committed),
    else the tree, without caches."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--", PACKAGE], cwd=ROOT, capture_output=True, check=True)
        files = [f for f in out.stdout.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
    if not files:
        files = [p.relative_to(ROOT).as_posix() for p in (ROOT / PACKAGE).rglob("*") if p.is_file()]
    return sorted(f for f in files if "__pycache__" not in f and not f.endswith((".pyc", ".pyo")))


def build(out: Path) -> Dict[str, Path]:
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL)
    found = {"wheel": list(out.glob("*.whl")), "sdist": list(out.glob("*.tar.gz"))}
    for kind, paths in found.items():
        if len(paths) != 1:
            raise SystemExit(f"check_dist: expected one {kind} in {out}, found {len(paths)}")
    return {kind: paths[0] for kind, paths in found.items()}


def check_wheel(wheel: Path) -> List[str]:
    errors: List[str] = []
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        missing = [f for f in package_files() if f not in names]
        errors += [f"wheel lacks {f} (add it to [tool.setuptools] packages or package-data)" for f in missing]
        dist_info = next((n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")), "")
        if f"{dist_info}/licenses/LICENSE" not in names and f"{dist_info}/LICENSE" not in names:
            errors.append("wheel lacks the LICENSE file in its .dist-info")
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode() if dist_info else ""
        for line in ("flask-preflight = flask_preflight.cli:main",
                     "preflight = flask_preflight.runtime.plugin:preflight_command"):
            if line not in entry_points:
                errors.append(f"wheel entry points lack `{line}`")
        meta = email.message_from_bytes(zf.read(f"{dist_info}/METADATA")) if dist_info else None
        if meta is not None and "MIT" not in (meta.get("License") or "") + (meta.get("License-Expression") or ""):
            errors.append("wheel metadata does not say the license is MIT")
    return errors


def check_sdist(sdist: Path) -> List[str]:
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    return [f"sdist lacks {f}" for f in SDIST_FILES if f not in names] + \
        [f"sdist lacks {f}" for f in package_files() if f not in names]


def check_installed(wheel: Path, work: Path) -> List[str]:
    """Install the wheel (with its dependencies) into a fresh virtualenv; run the examples from outside the
    checkout, so nothing can be imported from the source tree."""
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                   check=True)
    errors: List[str] = []
    where = subprocess.run([str(python), "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"], cwd=work,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).resolve().is_relative_to(env_dir.resolve()):
        errors.append(f"the fresh virtualenv imports {PACKAGE} from {where}, not from the installed wheel")
    tool = str(bindir / "flask-preflight")
    for args, expected in EXAMPLE_RUNS:
        paths = [str(ROOT / a) for a in args]
        run = subprocess.run([tool, "check", "--no-cache", "--format", "json", *paths], cwd=work,
                             capture_output=True, text=True)
        if run.returncode != expected:
            errors.append(f"installed `flask-preflight check {' '.join(args)}` exited {run.returncode}, "
                          f"expected {expected}: {run.stderr.strip()}")
            continue
        errors += compare_with_checkout(python, args, paths, json.loads(run.stdout), work)
    errors += check_adoption_features(tool, work)
    help_run = subprocess.run([tool, "rule", "PF101"], cwd=work, capture_output=True, text=True)
    if help_run.returncode != 0 or "debug-mode-enabled" not in help_run.stdout:
        errors.append(f"installed `flask-preflight rule PF101` failed: {help_run.stderr.strip()}")
    return errors


def check_adoption_features(tool: str, work: Path) -> List[str]:
    """What a team wires into its workflow, run from the installed wheel: every report format (the HTML page
    needs its template shipped as package data) and a baseline round trip."""
    unsafe = str(ROOT / "examples" / "unsafe_app")
    errors: List[str] = []

    def run(*args: str) -> "subprocess.CompletedProcess[str]":
        return subprocess.run([tool, "check", "--no-cache", *args], cwd=work, capture_output=True, text=True)

    page = work / "report.html"
    html = run("--format", "html", "-o", str(page), unsafe)
    if html.returncode != 1 or not page.is_file() or "PF101" not in page.read_text(encoding="utf-8") \
            or not page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html"):
        errors.append(f"installed `check --format html -o FILE` exited {html.returncode}: {html.stderr.strip()}")
    sarif = run("--format", "sarif", unsafe)
    if sarif.returncode != 1 or json.loads(sarif.stdout or "{}").get("version") != "2.1.0":
        errors.append(f"installed `check --format sarif` exited {sarif.returncode}: {sarif.stderr.strip()}")
    gitlab = run("--format", "gitlab", unsafe)
    if gitlab.returncode != 1 or not isinstance(json.loads(gitlab.stdout or "null"), list):
        errors.append(f"installed `check --format gitlab` exited {gitlab.returncode}: {gitlab.stderr.strip()}")
    github = run("--format", "github", unsafe)
    if github.returncode != 1 or "::error file=" not in github.stdout:
        errors.append(f"installed `check --format github` exited {github.returncode}: {github.stderr.strip()}")
    baseline = work / "baseline.json"
    wrote = run("--write-baseline", str(baseline), unsafe)
    hidden = run("--baseline", str(baseline), unsafe)
    if wrote.returncode != 0 or hidden.returncode != 0 or "hidden by the baseline" not in hidden.stdout:
        errors.append(f"installed baseline round trip exited {wrote.returncode}/{hidden.returncode}: "
                      f"{(wrote.stderr + hidden.stderr).strip()}")
    return errors


def compare_with_checkout(python: Path, args: Sequence[str], paths: Sequence[str], installed: dict,
                          cwd: Path) -> List[str]:
    """The installed tool must find exactly what the checkout's finds (the checkout's code run by the fresh
    virtualenv's interpreter, which has the dependencies: PYTHONPATH comes before site-packages)."""
    run = subprocess.run([str(python), "-m", PACKAGE, "check", "--no-cache", "--format", "json", *paths],
                         cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if not run.stdout:
        return [f"the checkout's `check {' '.join(args)}` printed nothing: {run.stderr.strip()}"]
    expected = json.loads(run.stdout)
    key = lambda data: [(f["rule_id"], f["path"], f["line"], f["column"], f["severity"])  # noqa: E731
                        for f in data["findings"]]
    if key(installed) != key(expected):
        return [f"installed `check {' '.join(args)}` found {key(installed)}, the checkout {key(expected)}"]
    return []


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="flask-preflight-dist-") as tmp:
        work = Path(tmp)
        built = build(work / "dist")
        errors = check_wheel(built["wheel"]) + check_sdist(built["sdist"]) + check_installed(built["wheel"], work)
        for error in errors:
            print(f"check_dist: {error}", file=sys.stderr)
        if not errors:
            print(f"check_dist: {built['wheel'].name} and {built['sdist'].name} built, installed into a fresh "
                  f"virtualenv and run on examples/ (every report format and a baseline round trip)")
        return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
