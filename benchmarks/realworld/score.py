"""Score ``flask-preflight check`` against a hand-labelled corpus of real, public Flask repositories.

Why: the generated benchmark corpus only proves the tool finds what it was written to find. Issue 14 asks
for precision >= 0.95 and recall >= 0.85 on real code nobody here wrote, so we need a fixed set of public
repositories at recorded commits, a human label for every finding (TP / FP / arguable) and a list of the
real risks the tool missed - and this script, which re-runs the tool on every repository and compares.

Inputs (beside this script, or in ``--corpus-dir DIR``): every ``corpus*.toml`` (``[[repo]]`` tables: name,
commit, subset, kind, why) and every ``labels*.json`` (``{"owner/name": {"tool_commit", "findings": [...],
"misses": [...]}}``).
The merged ``corpus.toml`` / ``labels.json`` are read first and win over the per-engineer part files when a
repository is listed twice.

For each repository the script finds its bare git directory under ``--mirrors`` (the layout the ``fetch``
tool produces: ``MIRRORS/owner+name/<dir>/`` holding HEAD and objects/), writes the tree at the recorded
commit with ``git archive`` into a temporary directory (it never fetches anything), and runs
``python -m flask_preflight check --no-cache --fail-on never --format json .`` there with this interpreter
and the flask_preflight package that sits next to this script. The scanned code is never imported or run:
the child starts with the scanned tree removed from ``sys.path``.

Matching is by (rule, path, line), as a multiset. A reported finding is
  TP / FP / arguable  when a finding label with that key says so,
  TP (caught miss)    when it matches a labelled miss (the tool now reports a risk it used to miss),
  unlabelled          otherwise (listed and counted, never ignored).
A finding label with no reported finding is a miss when it was TP (a lost true positive) and "resolved"
when it was FP or arguable. precision = TP / (TP + FP), recall = TP / (TP + misses); arguable and
unlabelled findings are in neither. "Definite" rows count only severity medium and above (the reported
severity for findings, the labelled one for misses and lost TPs).

Exit status: 0 when every selected repository was scored (whatever the numbers), 2 when something failed
to run: a malformed corpus/labels file, a missing mirror or commit, git failing, or the tool crashing
(non-zero exit, traceback, unreadable JSON). ``errors[]`` entries of the report are shown per repository
but are not failures of the scorer. Python 3.9+, standard library (plus tomli before 3.11).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Tuple

try:  # Python 3.11+
    import tomllib  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ImportError:
        tomllib = None  # type: ignore[assignment]

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.dirname(os.path.dirname(HERE))

SUBSETS = ("dev", "holdout")
KINDS = ("production-app", "self-hosted-tool", "auth-server", "bi-tool", "api-boilerplate", "docker-starter",
         "tutorial", "course", "extension-demo", "task-runner-app", "other")
LABELS = ("TP", "FP", "arguable")
SEVERITIES = ("critical", "high", "medium", "low")
DEFINITE = ("critical", "high", "medium")
REPO_KEYS = {"name", "commit", "subset", "kind", "why"}
FINDING_KEYS = {"rule", "path", "line", "severity", "label", "reason"}
MISS_KEYS = {"rule", "path", "line", "severity", "reason"}

# The child process: drop the scanned tree (its cwd) from sys.path before flask_preflight is imported, so a
# repository that ships a package named like one of ours is never imported; then run the CLI as ``-m`` does.
BOOTSTRAP = (
    "import os, sys, runpy\n"
    "cwd = os.getcwd()\n"
    "sys.path[:] = [p for p in sys.path if p not in ('', '.') and os.path.abspath(p) != cwd]\n"
    "runpy.run_module('flask_preflight', run_name='__main__', alter_sys=True)\n"
)


class SetupError(Exception):
    """A corpus or labels file is malformed: nothing can be scored reliably."""


# --- reading the corpus and the labels ------------------------------------------------------------------


def _data_files(pattern: str, merged: str, directory: str = HERE) -> List[str]:
    """The merged file first (it wins), then the part files in name order."""
    paths = sorted(glob.glob(os.path.join(glob.escape(directory), pattern)))
    first = os.path.join(directory, merged)
    return ([first] if first in paths else []) + [p for p in paths if p != first]


def load_corpus(warnings: List[str], directory: str = HERE) -> List[Dict[str, Any]]:
    """Every repository of every corpus file, validated; a repeated name keeps its first entry."""
    if tomllib is None:
        raise SetupError("reading the corpus needs Python 3.11+ or the tomli package")
    repos: List[Dict[str, Any]] = []
    seen: Dict[str, Dict[str, Any]] = {}
    files = _data_files("corpus*.toml", "corpus.toml", directory)
    if not files:
        raise SetupError(f"no corpus*.toml file in {directory}")
    for path in files:
        where = os.path.basename(path)
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SetupError(f"{where}: cannot read: {exc}") from None
        entries = data.get("repo", [])
        unknown_top = set(data) - {"repo"}
        if unknown_top:
            raise SetupError(f"{where}: unknown top-level keys {sorted(unknown_top)}")
        if not isinstance(entries, list):
            raise SetupError(f"{where}: `repo` must be an array of tables ([[repo]])")
        for i, entry in enumerate(entries, 1):
            label = f"{where}: repo #{i}"
            if not isinstance(entry, dict):
                raise SetupError(f"{label}: not a table")
            missing = REPO_KEYS - set(entry)
            extra = set(entry) - REPO_KEYS
            if missing or extra:
                raise SetupError(f"{label}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}")
            name, commit = entry["name"], entry["commit"]
            if not isinstance(name, str) or name.count("/") != 1:
                raise SetupError(f"{label}: name must be 'owner/name', got {name!r}")
            if not (isinstance(commit, str) and len(commit) == 40
                    and all(c in "0123456789abcdef" for c in commit)):
                raise SetupError(f"{label} ({name}): commit must be 40 lowercase hex digits")
            if entry["subset"] not in SUBSETS:
                raise SetupError(f"{label} ({name}): subset must be one of {SUBSETS}")
            if entry["kind"] not in KINDS:
                raise SetupError(f"{label} ({name}): kind must be one of {KINDS}")
            if name in seen:
                if seen[name]["commit"] != commit:
                    warnings.append(f"{where}: {name} is also in {seen[name]['file']} at another commit; "
                                    f"using {seen[name]['file']}")
                continue
            repo = dict(entry, file=where)
            seen[name] = repo
            repos.append(repo)
    return repos


def _check_item(item: Any, keys: set, where: str, is_finding: bool) -> Dict[str, Any]:
    if not isinstance(item, dict):
        raise SetupError(f"{where}: not an object")
    missing, extra = keys - set(item), set(item) - keys
    if missing or extra:
        raise SetupError(f"{where}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}")
    if not (isinstance(item["rule"], str) and item["rule"].startswith("PF")):
        raise SetupError(f"{where}: rule must be an id like 'PF101'")
    if not isinstance(item["path"], str) or item["path"].startswith(("/", "./")) or "\\" in item["path"]:
        raise SetupError(f"{where}: path must be relative to the repository root, with forward slashes")
    if not isinstance(item["line"], int) or isinstance(item["line"], bool) or item["line"] < 0:
        raise SetupError(f"{where}: line must be a non-negative integer")
    if item["severity"] not in SEVERITIES:
        raise SetupError(f"{where}: severity must be one of {SEVERITIES}")
    if is_finding and item["label"] not in LABELS:
        raise SetupError(f"{where}: label must be one of {LABELS}")
    if not isinstance(item["reason"], str) or not item["reason"].strip():
        raise SetupError(f"{where}: reason must be a non-empty string")
    return item


def load_labels(warnings: List[str], directory: str = HERE) -> Dict[str, Dict[str, Any]]:
    """Every repository's labels from every labels file; a repeated repository keeps its first entry."""
    labels: Dict[str, Dict[str, Any]] = {}
    for path in _data_files("labels*.json", "labels.json", directory):
        where = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise SetupError(f"{where}: cannot read: {exc}") from None
        if not isinstance(data, dict):
            raise SetupError(f"{where}: must be an object keyed by 'owner/name'")
        for name, entry in data.items():
            label = f"{where}: {name}"
            if not isinstance(entry, dict):
                raise SetupError(f"{label}: must be an object")
            extra = set(entry) - {"tool_commit", "findings", "misses"}
            if extra or not isinstance(entry.get("findings", []), list) \
                    or not isinstance(entry.get("misses", []), list):
                raise SetupError(f"{label}: keys are tool_commit, findings (list), misses (list)")
            findings = [_check_item(f, FINDING_KEYS, f"{label}: findings[{i}]", True)
                        for i, f in enumerate(entry.get("findings", []))]
            misses = [_check_item(m, MISS_KEYS, f"{label}: misses[{i}]", False)
                      for i, m in enumerate(entry.get("misses", []))]
            if name in labels:
                warnings.append(f"{where}: {name} is also labelled in {labels[name]['file']}; using that one")
                continue
            labels[name] = {"tool_commit": entry.get("tool_commit", ""), "findings": findings,
                            "misses": misses, "file": where}
    return labels


# --- getting the tree and running the tool --------------------------------------------------------------


def _is_git_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))


def find_git_dir(mirrors: str, name: str) -> Optional[str]:
    """The bare git directory of ``owner/name``: MIRRORS/owner+name/<dir>/ (fetch's layout), or the
    directory itself, or MIRRORS/owner/name(.git)."""
    owner, repo = name.split("/")
    candidates = [os.path.join(mirrors, f"{owner}+{repo}"), os.path.join(mirrors, owner, repo),
                  os.path.join(mirrors, owner, repo + ".git")]
    for base in candidates:
        if not os.path.isdir(base):
            continue
        if _is_git_dir(base):
            return base
        for child in sorted(os.listdir(base)):
            sub = os.path.join(base, child)
            if _is_git_dir(sub):
                return sub
            if os.path.isdir(os.path.join(sub, ".git")) and _is_git_dir(os.path.join(sub, ".git")):
                return os.path.join(sub, ".git")
    return None


def missing_blobs(git_dir: str, commit: str) -> List[str]:
    """Paths whose blobs the snapshot lacks (fetch leaves out files of 4 MiB and more, and LFS content)."""
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit],
                             capture_output=True)
    if listing.returncode != 0:
        raise RuntimeError(f"git ls-tree failed: {listing.stderr.decode('utf-8', 'replace').strip()}")
    entries = []
    for item in listing.stdout.split(b"\0"):
        if not item:
            continue
        meta, path = item.split(b"\t", 1)
        mode, kind, sha = meta.split(b" ")
        if kind == b"blob":
            entries.append((sha, path))
    check = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch-check"],
                           input=b"".join(sha + b"\n" for sha, _ in entries), capture_output=True)
    missing = []
    for (sha, path), line in zip(entries, check.stdout.splitlines()):
        if line.endswith(b" missing"):
            missing.append(path.decode("utf-8", "surrogateescape"))
    return missing


def extract(git_dir: str, commit: str, dest: str) -> List[str]:
    """Write the tree at ``commit`` into ``dest`` (``git archive | tar -x``) and return the paths left out
    because the snapshot lacks their content; raises RuntimeError."""
    probe = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "-e", f"{commit}^{{commit}}"],
                           capture_output=True)
    if probe.returncode != 0:
        raise RuntimeError(f"commit {commit} is not in {git_dir} (fetch a newer snapshot, or fix the corpus)")
    missing = missing_blobs(git_dir, commit)
    cmd = ["git", "--git-dir", git_dir, "archive", "--format=tar", commit]
    if missing:
        cmd += ["--", "."] + [f":(exclude,literal){p}" for p in missing]
    archive = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    untar = subprocess.run(["tar", "-x", "-f", "-", "-C", dest], stdin=archive.stdout,
                           capture_output=True)
    archive.stdout.close()  # type: ignore[union-attr]
    err = archive.stderr.read().decode("utf-8", "replace")  # type: ignore[union-attr]
    if archive.wait() != 0:
        raise RuntimeError(f"git archive failed: {err.strip()}")
    if untar.returncode != 0:
        raise RuntimeError(f"tar failed: {untar.stderr.decode('utf-8', 'replace').strip()}")
    return missing


def run_check(tree: str, timeout: float) -> Tuple[Optional[Dict[str, Any]], List[str]]:
    """The JSON report of ``check`` on ``tree`` and the list of ways the run itself failed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = PROJECT_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONSAFEPATH", None)
    cmd = [sys.executable, "-c", BOOTSTRAP, "check", "--no-cache", "--fail-on", "never", "--format", "json",
           "--color", "never", "."]
    failures: List[str] = []
    try:
        proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, [f"check did not finish in {timeout:g}s"]
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    if "Traceback (most recent call last)" in stderr or "Traceback (most recent call last)" in stdout:
        tail = stderr.strip().splitlines()[-6:]
        failures.append("traceback: " + " | ".join(tail))
    if proc.returncode not in (0, 3):  # 3: the report is complete but errors[] lists unreadable files
        failures.append(f"check exited {proc.returncode}: {stderr.strip()[-500:]}")
    try:
        report = json.loads(stdout)
        if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
            raise ValueError("no findings list")
    except ValueError as exc:
        failures.append(f"unreadable JSON report: {exc}")
        return None, failures
    return report, failures


def _rel(path: str, tree: str) -> str:
    path = path.replace("\\", "/")
    root = os.path.realpath(tree).replace("\\", "/").rstrip("/") + "/"
    for prefix in (root, tree.replace("\\", "/").rstrip("/") + "/"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    while path.startswith("./"):
        path = path[2:]
    return path


# --- scoring --------------------------------------------------------------------------------------------


def _key(item: Dict[str, Any]) -> Tuple[str, str, int]:
    return (item["rule"], item["path"], int(item["line"]))


def score_repo(findings: List[Dict[str, Any]], labels: Dict[str, Any]) -> Dict[str, Any]:
    """Classify every reported finding and every label of one repository (see the module docstring)."""
    by_key: Dict[Tuple[str, str, int], List[Dict[str, Any]]] = defaultdict(list)
    for lab in labels.get("findings", []):
        by_key[_key(lab)].append(lab)
    miss_by_key: Dict[Tuple[str, str, int], List[Dict[str, Any]]] = defaultdict(list)
    for miss in labels.get("misses", []):
        miss_by_key[_key(miss)].append(miss)

    rows: List[Dict[str, Any]] = []  # one per reported finding or unmatched label
    notes: List[str] = []
    for f in findings:
        key = _key(f)
        base = {"rule": f["rule"], "path": f["path"], "line": f["line"], "severity": f["severity"],
                "message": f.get("message", "")}
        if by_key.get(key):
            lab = by_key[key].pop(0)
            if lab["severity"] != f["severity"]:
                notes.append(f"{f['rule']} {f['path']}:{f['line']}: labelled severity {lab['severity']}, "
                             f"reported {f['severity']}")
            rows.append(dict(base, status=lab["label"], reason=lab["reason"]))
        elif miss_by_key.get(key):
            miss = miss_by_key[key].pop(0)
            rows.append(dict(base, status="TP", caught_miss=True, reason=miss["reason"]))
        else:
            rows.append(dict(base, status="unlabelled", reason=""))
    for labs in by_key.values():
        for lab in labs:
            base = {"rule": lab["rule"], "path": lab["path"], "line": lab["line"], "severity": lab["severity"],
                    "reason": lab["reason"]}
            if lab["label"] == "TP":
                rows.append(dict(base, status="miss", lost_tp=True))
            else:
                rows.append(dict(base, status="resolved", was=lab["label"]))
    for misses in miss_by_key.values():
        for miss in misses:
            rows.append({"rule": miss["rule"], "path": miss["path"], "line": miss["line"],
                         "severity": miss["severity"], "reason": miss["reason"], "status": "miss"})
    rows.sort(key=lambda r: (r["path"], r["line"], r["rule"]))
    return {"rows": rows, "notes": notes}


def tally(rows: List[Dict[str, Any]]) -> Dict[str, Dict[str, Counter]]:
    """Counts per rule and overall, for all findings and for definite ones."""
    out: Dict[str, Dict[str, Counter]] = {"all": defaultdict(Counter), "definite": defaultdict(Counter)}
    for r in rows:
        for scope in ("all", "definite"):
            if scope == "definite" and r["severity"] not in DEFINITE:
                continue
            out[scope][r["rule"]][r["status"]] += 1
            out[scope]["ALL"][r["status"]] += 1
    return out


def ratios(c: Counter) -> Dict[str, Optional[float]]:
    tp, fp, miss = c["TP"], c["FP"], c["miss"]
    return {"precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + miss) if tp + miss else None}


def _fmt(x: Optional[float]) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def print_table(title: str, counts: Dict[str, Counter]) -> None:
    print(f"\n{title}")
    print(f"  {'rule':<6} {'TP':>4} {'FP':>4} {'arg':>4} {'miss':>5} {'unlab':>6} {'resolved':>9} "
          f"{'precision':>10} {'recall':>7}")
    for rule in sorted(k for k in counts if k != "ALL") + (["ALL"] if "ALL" in counts else []):
        c = counts[rule]
        r = ratios(c)
        print(f"  {rule:<6} {c['TP']:>4} {c['FP']:>4} {c['arguable']:>4} {c['miss']:>5} {c['unlabelled']:>6} "
              f"{c['resolved']:>9} {_fmt(r['precision']):>10} {_fmt(r['recall']):>7}")


# --- main -----------------------------------------------------------------------------------------------


def tool_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", PROJECT_ROOT, "rev-parse", "HEAD"], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else ""
    except OSError:
        return ""


def _counts_only(entry: dict) -> dict:
    """A holdout repository's JSON entry without what would let someone tune on it: rows keep only their
    status, except unlabelled findings, which must be read to be labelled."""
    rows = [r if r["status"] == "unlabelled" else {"status": r["status"]} for r in entry["rows"]]
    return dict(entry, rows=rows)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", default=os.environ.get("PREFLIGHT_MIRRORS", "/work/.mirror"),
                        help="directory holding the fetched bare repositories (owner+name/<gitdir>)")
    parser.add_argument("--corpus-dir", default=HERE, metavar="DIR",
                        help="read corpus*.toml and labels*.json from DIR [default: beside this script]")
    parser.add_argument("--subset", choices=("dev", "holdout", "all"), default="dev",
                        help="which repositories to score [default: dev]")
    parser.add_argument("--repo", action="append", default=[], metavar="OWNER/NAME",
                        help="score only this repository (repeatable; any subset)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--details", action="store_true",
                        help="list FP/miss/arguable rows of holdout repositories too (hidden by default so "
                             "nobody tunes the tool on them)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per check run [default: 900]")
    parser.add_argument("--keep", metavar="DIR", help="extract trees under DIR and keep them (else a temp dir)")
    parser.add_argument("--list", action="store_true",
                        help="print 'owner/name commit' of the selected repositories (to fetch them) and exit")
    args = parser.parse_args(argv)

    warnings: List[str] = []
    try:
        corpus = load_corpus(warnings, args.corpus_dir)
        labels = load_labels(warnings, args.corpus_dir)
    except SetupError as exc:
        print(f"score.py: {exc}", file=sys.stderr)
        return 2
    names = {r["name"] for r in corpus}
    for name in sorted(set(labels) - names):
        warnings.append(f"{labels[name]['file']}: {name} is labelled but in no corpus file")
    selected = [r for r in corpus if (r["name"] in args.repo if args.repo
                                      else args.subset == "all" or r["subset"] == args.subset)]
    for name in args.repo:
        if name not in names:
            print(f"score.py: {name} is in no corpus file", file=sys.stderr)
            return 2

    if args.list:
        for repo in selected:
            print(repo["name"], repo["commit"])
        return 0

    failed = False
    results: List[Dict[str, Any]] = []
    all_rows: List[Dict[str, Any]] = []
    base_tmp = args.keep or tempfile.mkdtemp(prefix="preflight-realworld-")
    os.makedirs(base_tmp, exist_ok=True)
    try:
        for repo in selected:
            name = repo["name"]
            entry: Dict[str, Any] = {"name": name, "subset": repo["subset"], "kind": repo["kind"],
                                     "commit": repo["commit"], "failures": [], "errors": [], "rows": [],
                                     "notes": []}
            results.append(entry)
            lab = labels.get(name)
            if lab is None:
                entry["notes"].append("no labels for this repository: every finding is unlabelled")
                lab = {"findings": [], "misses": [], "tool_commit": ""}
            git_dir = find_git_dir(args.mirrors, name)
            if git_dir is None:
                entry["failures"].append(f"no git directory for {name} under {args.mirrors} (fetch it first)")
                failed = True
                continue
            tree = os.path.join(base_tmp, name.replace("/", "+"))
            if os.path.exists(tree):
                shutil.rmtree(tree)
            os.makedirs(tree)
            try:
                absent = extract(git_dir, repo["commit"], tree)
            except (RuntimeError, OSError) as exc:
                entry["failures"].append(str(exc))
                failed = True
                continue
            if absent:
                entry["notes"].append(f"{len(absent)} file(s) absent from the snapshot, left out: "
                                      + ", ".join(absent[:5]) + (" ..." if len(absent) > 5 else ""))
            report, failures = run_check(tree, args.timeout)
            if not args.keep:
                shutil.rmtree(tree, ignore_errors=True)
            entry["failures"].extend(failures)
            if failures:
                failed = True
            if report is None:
                continue
            entry["errors"] = [dict(e, path=_rel(str(e.get("path", "")), tree)) for e in report.get("errors", [])]
            findings = [{"rule": f["rule_id"], "path": _rel(f["path"], tree), "line": int(f["line"]),
                         "severity": f["severity"], "message": f.get("message", "")}
                        for f in report["findings"]]
            scored = score_repo(findings, lab)
            entry["rows"] = scored["rows"]
            entry["notes"].extend(scored["notes"])
            all_rows.extend(scored["rows"])
    finally:
        if not args.keep:
            shutil.rmtree(base_tmp, ignore_errors=True)

    counts = tally(all_rows)
    statuses = ("TP", "FP", "arguable", "miss", "unlabelled", "resolved")
    summary = {scope: {rule: dict({k: c[k] for k in statuses}, **ratios(c))
                       for rule, c in sorted(counts[scope].items())}
               for scope in counts}
    if args.json:
        shown = [entry if entry["subset"] == "dev" or args.details else _counts_only(entry) for entry in results]
        json.dump({"tool_commit": tool_commit(), "subset": args.subset if not args.repo else "repos",
                   "warnings": warnings, "repos": shown, "summary": summary,
                   "failed": failed}, sys.stdout, indent=2)
        print()
        return 2 if failed else 0

    print(f"flask-preflight at {tool_commit() or '?'}; {len(selected)} repositories "
          f"({'given' if args.repo else args.subset})")
    for w in warnings:
        print(f"warning: {w}")
    for entry in results:
        c = Counter(r["status"] for r in entry["rows"])
        print(f"\n{entry['name']} [{entry['subset']}, {entry['kind']}]: TP {c['TP']}  FP {c['FP']}  "
              f"arguable {c['arguable']}  miss {c['miss']}  unlabelled {c['unlabelled']}  "
              f"resolved {c['resolved']}")
        for f in entry["failures"]:
            print(f"  FAILED: {f}")
        for e in entry["errors"]:
            print(f"  error: {e.get('path')}:{e.get('line') or ''}: {e.get('kind')}: {e.get('reason')}")
        for n in entry["notes"]:
            print(f"  note: {n}")
        show = entry["subset"] == "dev" or args.details  # naming a holdout repository does not reveal it
        for r in entry["rows"]:
            if r["status"] == "unlabelled":
                print(f"  UNLABELLED {r['rule']} {r['severity']:<8} {r['path']}:{r['line']}  {r['message']}")
            elif show and r["status"] in ("FP", "miss", "arguable"):
                tag = r["status"].upper() + (" (lost TP)" if r.get("lost_tp") else "")
                print(f"  {tag} {r['rule']} {r['severity']:<8} {r['path']}:{r['line']}  {r['reason']}")
            elif show and r.get("caught_miss"):
                print(f"  CAUGHT-MISS {r['rule']} {r['severity']:<8} {r['path']}:{r['line']}  {r['reason']}")
        if not show:
            print("  (holdout: FP/miss details hidden; --details shows them)")
    print_table("All findings", counts["all"])
    print_table("Definite findings (severity medium and above)", counts["definite"])
    if failed:
        print("\nSome repositories could not be scored (FAILED above): exit 2")
    return 2 if failed else 0


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):  # `score.py | head` ends quietly instead of with a BrokenPipeError
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
