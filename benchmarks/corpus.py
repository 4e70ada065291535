"""Generate a benchmark corpus: many Flask-like projects with seeded, known flask-preflight findings.

Why generated code at all: site-packages is real code nobody here wrote, but it has almost no Flask
applications in it, so it measures the prefilter and the parser, not the analysis flask-preflight exists
for. This tree has the shapes real Flask repositories have (an app-factory package with blueprints,
config classes, models, forms and tests; single-file apps; deployment files) next to lots of plain,
non-Flask Python (utility modules, data classes, small libraries) that the prefilter should skip.

Why seeded findings: a fast linter that misses things is worthless, so the benchmark also checks that
every seeded finding is reported and that nothing else is. A deterministic subset of the Flask projects
gets exactly one hazard each (``SEED_KINDS``); the generator records every finding that hazard must
produce - rule id, path relative to the corpus root, line and severity - in ``manifest.json``. Every
other project is written to be clean, so ``flask-preflight check --format json`` on the tree must equal
the manifest exactly. ``compare_report`` does that comparison for the benchmark and for the test.

Everything is a pure function of ``(files, seed)``: each project draws from its own
``random.Random(f"{seed}:{index}")``, so the same arguments give byte-identical trees on every machine
and Python version (string seeds are hashed with SHA-512, independent of PYTHONHASHSEED).

Usage: ``python benchmarks/corpus.py OUT_DIR [--files 5000] [--seed 0]``. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1

# A finding the corpus must produce: (rule id, severity) attached to one generated line.
Mark = Tuple[str, str]


@dataclass(frozen=True)
class SeedKind:
    """One hazard the generator can plant, and the findings it must produce (documentation only: the
    exact findings are recorded where the lines are written)."""

    name: str
    rules: Tuple[str, ...]
    what: str


SEED_KINDS: Tuple[SeedKind, ...] = (
    SeedKind("run-debug-at-import", ("PF101", "PF102"), "`app.run(debug=True)` at module level of the entry module"),
    SeedKind("run-at-import", ("PF102",), "`app.run(port=...)` at module level, no debug"),
    SeedKind("run-public-bind", ("PF103",), "`app.run(host=\"0.0.0.0\")` under the __main__ guard"),
    SeedKind("production-config-debug", ("PF101",), "`DEBUG = True` in ProductionConfig"),
    SeedKind("hardcoded-secret-key", ("PF201",), "a literal SECRET_KEY in the base config class"),
    SeedKind("urandom-secret-key", ("PF203",), "`SECRET_KEY = os.urandom(...)` at app creation"),
    SeedKind("exception-in-response", ("PF301",), "a view returns `str(exc)` from an except block"),
    SeedKind("dockerfile-dev-server-debug", ("PF401",),
             "Dockerfile `CMD python app.py` whose __main__-guarded app.run(host=\"0.0.0.0\", debug=True) makes "
             "it critical"),
    SeedKind("compose-flask-debug", ("PF402",),
             "`FLASK_DEBUG: \"1\"` in the web service of docker-compose.yml (gunicorn image: medium)"),
    SeedKind("dockerfile-secret-env", ("PF406",), "`ENV SECRET_KEY=<literal>` in the Dockerfile"),
)
SEED_NAMES: Tuple[str, ...] = tuple(k.name for k in SEED_KINDS)


@dataclass(frozen=True)
class Expected:
    """A finding the tree must produce, as the manifest and the comparison see it."""

    rule_id: str
    path: str
    line: int
    severity: str
    seed: str = ""

    def key(self) -> Tuple[str, str, int, str]:
        return (self.rule_id, self.path, self.line, self.severity)


class Source:
    """The lines of one generated file, with the findings seeded on them recorded by line number.

    Line numbers are counted while the file is written, so editing a template can never leave the
    manifest pointing at the wrong line."""

    def __init__(self) -> None:
        self.lines: List[str] = []
        self.marks: List[Tuple[int, Mark]] = []

    def add(self, text: str = "") -> "Source":
        self.lines.extend(text.split("\n"))
        return self

    def block(self, text: str) -> "Source":
        """Add a multi-line block, dropping one leading newline so templates can start on their own line."""
        return self.add(text[1:] if text.startswith("\n") else text)

    def seeded(self, text: str, *marks: Mark) -> "Source":
        """Add one line that must produce ``marks``."""
        assert "\n" not in text
        self.lines.append(text)
        for mark in marks:
            self.marks.append((len(self.lines), mark))
        return self

    def text(self) -> str:
        body = "\n".join(self.lines).rstrip("\n")
        return body + "\n"


@dataclass
class Project:
    """A rendered project: its files (relative to the project directory) and what it is."""

    name: str
    shape: str
    seed: Optional[str]
    files: Dict[str, Source] = field(default_factory=dict)

    def put(self, rel: str, src: "Source | str") -> None:
        if isinstance(src, str):
            s = Source()
            s.add(src.rstrip("\n"))
            src = s
        assert rel not in self.files, rel
        self.files[rel] = src


@dataclass
class Manifest:
    """What was generated: enough to reproduce it and to check a report against it."""

    version: int
    seed: int
    files: int
    python_files: int
    projects: List[Dict[str, Any]]
    findings: List[Expected]

    def to_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data["generator"] = "benchmarks/corpus.py"
        data["findings"] = [asdict(f) for f in sorted(self.findings, key=lambda f: (f.path, f.line, f.rule_id))]
        return data

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Manifest":
        return cls(data["version"], data["seed"], data["files"], data["python_files"], data["projects"],
                   [Expected(**f) for f in data["findings"]])


# ---- vocabulary ------------------------------------------------------------------------------------
# Plain words only: none of them may contain a prefilter token (flask, debug, config, settings, secret,
# cookie, csrf, ...), or plain modules built from them would stop being plain.
_NOUNS = ("ledger", "orbit", "harbor", "pantry", "atlas", "meadow", "quarry", "signal", "beacon", "canvas",
          "cellar", "compass", "garden", "lantern", "market", "parcel", "quill", "relay", "summit", "tandem",
          "timber", "voyage", "willow", "zephyr", "anchor", "bramble", "cobalt", "delta", "ember", "fable",
          "glacier", "hollow", "island", "juniper", "kernel", "lagoon", "mosaic", "nimbus", "oasis", "prairie")
_PRODUCTS = ("bookshelf", "ticketing", "inventory", "recipes", "helpdesk", "payroll", "notes", "survey",
             "booking", "newsroom", "library", "clinic", "fleet", "rental", "courses", "events", "crm", "wiki",
             "forum", "invoices", "timesheet", "kanban", "photos", "shortener", "gallery", "tracker")
_BLUEPRINTS = ("auth", "admin", "api", "blog", "shop", "billing", "reports", "profile", "search", "orders",
               "catalog", "support", "teams", "projects", "calendar", "uploads", "messages", "dashboard")
_MODELS = ("User", "Order", "Invoice", "Post", "Comment", "Product", "Ticket", "Tag", "Customer", "Payment",
           "Project", "Task", "Booking", "Room", "Article", "Category", "Message", "Team", "Event", "Asset")
_VERBS = ("load", "parse", "build", "merge", "split", "render", "format", "collect", "normalize", "compute",
          "resolve", "summarize", "filter", "group", "index", "score", "rank", "encode", "decode", "validate")
_FIELDS = ("name", "title", "amount", "quantity", "status", "created_at", "owner", "label", "priority",
           "region", "weight", "price", "total", "code", "source", "target", "kind", "notes", "rating")
_TOPICS = ("text", "dates", "money", "paging", "retry", "graph", "stats", "io", "cache", "units", "geo", "colors",
           "tokens", "metrics", "schedule", "naming", "checks", "records", "queues", "batches")

# Files that the benchmark corpus must keep plain (no token that makes flask-preflight parse them).
_PREFILTER_TOKENS = ("flask", "werkzeug", "debug", "config", "settings", "socketio", "run_simple", ".run(",
                     "secret", "cookie", "csrf", "propagate_exceptions", "trap_http", ".route(", "errorhandler",
                     "add_url_rule", "add_resource", "register_error_handler")


def _is_plain(text: str) -> bool:
    low = text.lower()
    return not any(t in low for t in _PREFILTER_TOKENS)


def _snake(word: str) -> str:
    out = []
    for i, ch in enumerate(word):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("s", "x", "ch")) else "s")


# ---- plain (non-Flask) Python -----------------------------------------------------------------------
# Each item returns (imports, code). Identifiers come from the word lists so modules differ from each other.
PlainItem = Callable[[random.Random, str], Tuple[Set[str], str]]


def _p_slugify(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    sep = rng.choice(["-", "_"])
    return {"import re", "import unicodedata"}, f'''
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify_{noun}(value: str, max_length: int = {rng.choice([40, 60, 80])}) -> str:
    """Lower-case ASCII slug for {noun} names, safe for URLs and file names."""
    normalized = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("{sep}", normalized.lower()).strip("{sep}")
    return slug[:max_length].rstrip("{sep}")
'''


def _p_chunked(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"from typing import Iterable, Iterator, List, TypeVar"}, f'''
T = TypeVar("T")


def chunked_{noun}(items: Iterable[T], size: int = {rng.choice([50, 100, 250, 500])}) -> Iterator[List[T]]:
    """Yield lists of at most ``size`` items; the last one may be shorter."""
    if size < 1:
        raise ValueError("size must be positive")
    batch: List[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
'''


def _p_retry(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"import functools", "import logging", "import time", "from typing import Any, Callable, Tuple, Type"}, f'''
log = logging.getLogger(__name__)


def retry_{noun}(attempts: int = {rng.choice([3, 4, 5])}, delay: float = {rng.choice([0.1, 0.25, 0.5])},
          exceptions: Tuple[Type[BaseException], ...] = (OSError,)) -> Callable[..., Any]:
    """Retry a flaky call with exponential back-off."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wait = delay
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == attempts:
                        raise
                    log.info("attempt %d of %s failed, retrying in %.2fs", attempt, func.__name__, wait)
                    time.sleep(wait)
                    wait *= 2
            return None
        return wrapper
    return decorate
'''


def _p_dates(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"from datetime import date, datetime, timedelta, timezone", "from typing import Iterator, Optional"}, f'''
def parse_{noun}_date(value: Optional[str]) -> Optional[date]:
    """Accept ISO dates and the day/month/year form people type into spreadsheets."""
    if not value:
        return None
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {{value!r}}")


def {noun}_days(start: date, end: date, step: int = {rng.choice([1, 7])}) -> Iterator[date]:
    """Every ``step``-th day from start to end inclusive."""
    current = start
    while current <= end:
        yield current
        current += timedelta(days=step)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
'''


def _p_money(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    cur = rng.choice(["EUR", "USD", "GBP", "CHF"])
    return {"from decimal import ROUND_HALF_UP, Decimal"}, f'''
CURRENCY_{noun.upper()} = "{cur}"
_CENT = Decimal("0.01")


def to_cents(amount: "Decimal | str | float") -> int:
    """Round half up to whole cents, the way invoices do."""
    return int((Decimal(str(amount)) / _CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_{noun}_amount(cents: int, currency: str = CURRENCY_{noun.upper()}) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{{sign}}{{whole:,}}.{{part:02d}} {{currency}}"


def split_{noun}_evenly(cents: int, parts: int) -> list:
    """Split an amount into ``parts`` shares that add up exactly."""
    base, remainder = divmod(cents, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]
'''


def _p_record(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    cls = noun.capitalize() + rng.choice(["Record", "Row", "Entry", "Item"])
    fields = rng.sample(_FIELDS, rng.randint(3, 6))
    lines = []
    for f in fields:
        typ = rng.choice(["str", "int", "float", "Optional[str]"])
        default = {"str": '""', "int": "0", "float": "0.0", "Optional[str]": "None"}[typ]
        lines.append(f"    {f}: {typ} = {default}")
    body = "\n".join(lines)
    names = ", ".join(f'"{f}"' for f in fields)
    return {"from dataclasses import asdict, dataclass, field", "from typing import Any, Dict, List, Optional"}, f'''
@dataclass
class {cls}:
    """One {noun} as it is read from and written to the exchange files."""

{body}
    tags: List[str] = field(default_factory=list)

    FIELDS = ({names},)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "{cls}":
        known = {{k: v for k, v in data.items() if k in cls.FIELDS}}
        return cls(**known, tags=list(data.get("tags", [])))

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)
'''


def _p_enum(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    states = rng.sample(["PENDING", "ACTIVE", "PAUSED", "DONE", "FAILED", "ARCHIVED", "DRAFT", "REVIEW"], 4)
    members = "\n".join(f'    {s} = "{s.lower()}"' for s in states)
    return {"import enum"}, f'''
class {noun.capitalize()}State(enum.Enum):
    """Life cycle of a {noun}; the values are what the API sends."""

{members}

    @property
    def is_final(self) -> bool:
        return self in (type(self).{states[-1]}, type(self).{states[-2]})

    @classmethod
    def parse(cls, value: str) -> "{noun.capitalize()}State":
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown state {{value!r}}") from None
'''


def _p_cache(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"from collections import OrderedDict", "from typing import Generic, Hashable, Optional, TypeVar"}, f'''
V = TypeVar("V")


class {noun.capitalize()}Cache(Generic[V]):
    """A small least-recently-used cache; enough for per-request memoisation."""

    def __init__(self, capacity: int = {rng.choice([64, 128, 256, 1024])}) -> None:
        self.capacity = capacity
        self._items: "OrderedDict[Hashable, V]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Optional[V]:
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
'''


def _p_stats(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"import math", "from typing import List, Sequence"}, f'''
def moving_average_{noun}(values: Sequence[float], window: int = {rng.choice([3, 5, 7, 12])}) -> List[float]:
    """Trailing moving average; the first ``window - 1`` points average what there is."""
    out: List[float] = []
    total = 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks, like numpy's default."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
'''


def _p_graph(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"from collections import defaultdict, deque", "from typing import Dict, Iterable, List, Tuple"}, f'''
def order_{noun}_steps(edges: Iterable[Tuple[str, str]]) -> List[str]:
    """Topological order of steps (Kahn); raises on cycles so a bad plan fails loudly."""
    after: Dict[str, List[str]] = defaultdict(list)
    indegree: Dict[str, int] = defaultdict(int)
    for before, then in edges:
        after[before].append(then)
        indegree[then] += 1
        indegree.setdefault(before, 0)
    ready = deque(sorted(n for n, d in indegree.items() if d == 0))
    order: List[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for nxt in after[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) != len(indegree):
        raise ValueError("steps form a cycle")
    return order
'''


def _p_csv(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    delim = rng.choice([",", ";", "\\t"])
    return {"import csv", "import io", "from typing import Dict, Iterator, List"}, f'''
def read_{noun}_rows(text: str, delimiter: str = "{delim}") -> Iterator[Dict[str, str]]:
    """Rows of a spreadsheet export with header names stripped and lower-cased."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: List[str] = []
    for row in reader:
        if not header:
            header = [h.strip().lower() for h in row]
            continue
        if not any(cell.strip() for cell in row):
            continue
        yield dict(zip(header, (cell.strip() for cell in row)))


def write_{noun}_rows(rows: List[Dict[str, str]], delimiter: str = "{delim}") -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
'''


def _p_paginate(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    imports = {"import math", "from dataclasses import dataclass",
               "from typing import Generic, List, Sequence, TypeVar"}
    page = noun.capitalize() + "Page"
    return imports, f'''
P = TypeVar("P")


@dataclass
class {page}(Generic[P]):
    items: List[P]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate_{noun}(items: Sequence[P], number: int = 1,
             per_page: int = {rng.choice([10, 20, 25, 50])}) -> {page}[P]:
    number = max(1, number)
    start = (number - 1) * per_page
    return {page}(list(items[start:start + per_page]), number, per_page, len(items))
'''


def _p_checksum(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    algo = rng.choice(["sha256", "blake2b", "sha1", "md5"])
    kw = ", usedforsecurity=False" if algo in ("sha1", "md5") else ""
    return {"import hashlib", "from pathlib import Path"}, f'''
def {noun}_checksum(path: Path, block_size: int = 1 << {rng.choice([14, 16, 20])}) -> str:
    """Content hash used to skip re-importing unchanged files."""
    digest = hashlib.{algo}({kw.lstrip(", ")})
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(block_size), b""):
            digest.update(block)
    return digest.hexdigest()
'''


def _p_words(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    stop = rng.sample(["the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "is"], 6)
    return {"import re", "from collections import Counter", "from typing import List, Tuple"}, f'''
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOP_WORDS = frozenset({stop!r})


def top_{noun}_words(text: str, limit: int = {rng.choice([5, 10, 20])}) -> List[Tuple[str, int]]:
    """Most frequent words, ignoring case and a few stop words."""
    counts = Counter(w.lower() for w in _WORD.findall(text) if w.lower() not in STOP_WORDS)
    return counts.most_common(limit)
'''


def _p_bucket(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"import time", "from typing import Callable"}, f'''
class {noun.capitalize()}Bucket:
    """Token bucket: ``rate`` tokens per second, bursts up to ``capacity``."""

    def __init__(self, rate: float = {rng.choice([1.0, 5.0, 10.0])}, capacity: int = {rng.choice([5, 10, 20])},
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.clock = clock
        self.updated = clock()

    def take(self, count: int = 1) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= count:
            self.tokens -= count
            return True
        return False
'''


def _p_units(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return set(), f'''
_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def human_{noun}_size(size: float) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in _UNITS:
        if abs(size) < 1024 or unit == _UNITS[-1]:
            return f"{{size:.1f}} {{unit}}" if unit != "B" else f"{{int(size)}} B"
        size /= 1024
    return f"{{size:.1f}} TiB"


def clamp_{noun}(value: float, low: float = {rng.choice([0, -1])}, high: float = {rng.choice([1, 100, 255])}) -> float:
    return max(low, min(high, value))
'''


def _p_merge(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"import copy", "from typing import Any, Dict, Mapping"}, f'''
def deep_merge_{noun}(base: Mapping[str, Any], override: Mapping[str, Any]) -> Dict[str, Any]:
    """Merge nested dictionaries; values in ``override`` win, lists are replaced, not appended."""
    merged: Dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge_{noun}(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
'''


def _p_search(rng: random.Random, noun: str) -> Tuple[Set[str], str]:
    return {"import bisect", "from typing import List, Optional, Sequence"}, f'''
def find_{noun}(sorted_values: Sequence[int], target: int) -> Optional[int]:
    """Index of ``target`` in a sorted sequence, or None."""
    i = bisect.bisect_left(sorted_values, target)
    if i < len(sorted_values) and sorted_values[i] == target:
        return i
    return None


def nearest_{noun}(sorted_values: List[int], target: int) -> int:
    if not sorted_values:
        raise ValueError("empty")
    i = bisect.bisect_left(sorted_values, target)
    candidates = sorted_values[max(0, i - 1):i + 1]
    return min(candidates, key=lambda v: (abs(v - target), v))
'''


PLAIN_ITEMS: Tuple[PlainItem, ...] = (
    _p_slugify, _p_chunked, _p_retry, _p_dates, _p_money, _p_record, _p_enum, _p_cache, _p_stats, _p_graph,
    _p_csv, _p_paginate, _p_checksum, _p_words, _p_bucket, _p_units, _p_merge, _p_search,
)


def plain_module(rng: random.Random, topic: str) -> str:
    """A plain utility module: a docstring, imports and a few unrelated helpers, like real ``utils/`` files."""
    items = rng.sample(PLAIN_ITEMS, rng.randint(2, 5))
    imports: Set[str] = set()
    bodies: List[str] = []
    for item in items:
        imp, code = item(rng, rng.choice(_NOUNS))
        imports |= imp
        bodies.append(code.strip("\n"))
    plain = sorted(i for i in imports if i.startswith("import "))
    names: Dict[str, Set[str]] = {}
    for imp in imports:
        if imp.startswith("from "):
            module, _, what = imp[len("from "):].partition(" import ")
            names.setdefault(module, set()).update(n.strip() for n in what.split(","))
    froms = [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(names.items())]
    why = rng.choice(["shared by the importers", "kept free of web code", "pure functions, easy to test",
                      "used by the nightly jobs"])
    head = f'"""Helpers for {topic}: {why}."""\n'
    text = head + "\n" + "\n".join(plain + froms) + "\n\n\n" + "\n\n\n".join(bodies) + "\n"
    # Two helpers may define the same module-level name (T, log): harmless for a linter, but keep it valid.
    assert _is_plain(text), "plain module mentions a prefilter token"
    return text


def plain_test_module(rng: random.Random, module: str) -> str:
    cases = []
    for i in range(rng.randint(2, 5)):
        a, b = rng.randint(1, 99), rng.randint(1, 99)
        cases.append(f"def test_{rng.choice(_VERBS)}_{i}():\n    assert {a} + {b} == {a + b}\n")
    return f"import pytest  # noqa: F401\n\nimport {module}  # noqa: F401\n\n\n" + "\n\n".join(cases)


# ---- Flask projects ---------------------------------------------------------------------------------
@dataclass
class _FlaskPlan:
    """Decisions for one Flask project, drawn before any file is written."""

    name: str
    pkg: str
    blueprints: List[str]
    models: List[str]
    config_in_pkg: bool
    from_object_string: bool
    dockerfile: bool
    compose: bool
    procfile: bool
    dotenv: bool
    gunicorn_conf: bool
    seed: Optional[str]
    entry: str  # the module a dev would run: run.py (factory) or app.py (single file)


def _fake_key(rng: random.Random) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyz23456789"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([24, 32, 40])))


def _config_module(plan: _FlaskPlan, rng: random.Random) -> Source:
    """Base/Development/Testing/Production config classes, as nearly every Flask tutorial writes them."""
    s = Source()
    s.block(f'''
"""Configuration for {plan.name}. Values come from the environment; nothing secret lives here."""
import os


class BaseConfig:''')
    if plan.seed == "hardcoded-secret-key":
        s.seeded(f'    SECRET_KEY = "{_fake_key(rng)}"', ("PF201", "high"))
    else:
        s.add(rng.choice(['    SECRET_KEY = os.environ.get("SECRET_KEY")',
                          '    SECRET_KEY = os.environ["SECRET_KEY"]']))
    s.block(f'''
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///{plan.pkg}.db")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    ITEMS_PER_PAGE = {rng.choice([10, 20, 25, 50])}
    DEBUG = False


class DevelopmentConfig(BaseConfig):
    DEBUG = True
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_ECHO = True


class TestingConfig(BaseConfig):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(BaseConfig):
    PREFERRED_URL_SCHEME = "https"''')
    if plan.seed == "production-config-debug":
        s.seeded("    DEBUG = True", ("PF101", "high"))
    s.block('''

config_by_name = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": ProductionConfig,
}''')
    return s


def _extensions() -> Source:
    return Source().block('''
"""Extension objects, created unbound so the factory can initialise them per app."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

db = SQLAlchemy()
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
csrf = CSRFProtect()''')


def _factory_init(plan: _FlaskPlan, rng: random.Random) -> Source:
    s = Source()
    cfg_import = "from .config import config_by_name\n" if plan.config_in_pkg else "from config import config_by_name\n"
    if plan.from_object_string:
        cfg_import = ""
    s.block(f'''
"""The {plan.name} application factory."""
import logging
import os

from flask import Flask, jsonify

{cfg_import}from .extensions import csrf, db, login_manager, migrate

log = logging.getLogger(__name__)


def create_app(config_name=None):
    app = Flask(__name__, instance_relative_config=True)''')
    if plan.from_object_string:
        mod = f"{plan.pkg}.config" if plan.config_in_pkg else "config"
        s.add('    name = config_name or os.environ.get("APP_CONFIG", "production")')
        s.add(f'    app.config.from_object(f"{mod}.{{name.capitalize()}}Config")')
    else:
        s.add('    app.config.from_object(config_by_name[config_name or os.environ.get("APP_CONFIG", "default")])')
    if plan.seed == "urandom-secret-key":
        s.seeded(f"    app.config[\"SECRET_KEY\"] = os.urandom({rng.choice([16, 24, 32])})", ("PF203", "medium"))
    s.block('''
    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    csrf.init_app(app)
''')
    for bp in plan.blueprints:
        s.add(f"    from .{bp} import bp as {bp}_bp")
    s.add("")
    for bp in plan.blueprints:
        prefix = "" if bp == plan.blueprints[0] else f', url_prefix="/{bp}"'
        s.add(f"    app.register_blueprint({bp}_bp{prefix})")
    s.block('''
    register_error_handlers(app)
    return app


def register_error_handlers(app):
    @app.errorhandler(404)
    def not_found(error):
        return jsonify(error="not found"), 404

    @app.errorhandler(500)
    def internal_error(error):
        log.exception("unhandled error")
        return jsonify(error="internal server error"), 500''')
    return s


def _blueprint_init(bp: str) -> Source:
    return Source().block(f'''
from flask import Blueprint

bp = Blueprint("{bp}", __name__, template_folder="templates")

from . import views  # noqa: E402,F401''')


def _views(plan: _FlaskPlan, bp: str, model: str, rng: random.Random, leak: bool) -> Source:
    """CRUD-ish views. ``leak`` plants one PF301 (the message of an arbitrary exception sent to the client)."""
    var = _snake(model)
    plural = _plural(var)
    s = Source()
    s.block(f'''
import logging

from flask import abort, jsonify, render_template, request
from flask_login import current_user, login_required

from ..extensions import db
from ..models import {model}
from . import bp

log = logging.getLogger(__name__)


@bp.route("/")
@login_required
def index():
    page = request.args.get("page", 1, type=int)
    {plural} = {model}.query.order_by({model}.id.desc()).paginate(page=page, per_page=20)
    return render_template("{bp}/index.html", {plural}={plural})


@bp.route("/<int:{var}_id>")
@login_required
def detail({var}_id):
    {var} = db.get_or_404({model}, {var}_id)
    if {var}.owner_id != current_user.id:
        abort(403)
    return jsonify({var}.to_dict())


@bp.route("/", methods=["POST"])
@login_required
def create():
    payload = request.get_json(silent=True) or {{}}
    try:
        {var} = {model}.from_payload(payload, owner=current_user)
        db.session.add({var})
        db.session.commit()''')
    if leak:
        s.add("    except Exception as exc:")
        s.add("        db.session.rollback()")
        s.seeded(f"        return jsonify(error=str(exc)), {rng.choice([400, 500])}", ("PF301", "medium"))
    else:
        s.block('''
    except ValueError:
        db.session.rollback()
        log.exception("rejected payload")
        return jsonify(error="invalid payload"), 400''')
    s.block(f'''
    return jsonify({var}.to_dict()), 201


@bp.route("/<int:{var}_id>", methods=["DELETE"])
@login_required
def delete({var}_id):
    {var} = db.get_or_404({model}, {var}_id)
    db.session.delete({var})
    db.session.commit()
    return "", 204''')
    for extra in range(rng.randint(0, 3)):
        verb = rng.choice(_VERBS)
        s.block(f'''


@bp.route("/{verb}-{extra}")
@login_required
def {verb}_{extra}():
    rows = {model}.query.filter_by(owner_id=current_user.id).limit({rng.choice([10, 50, 100])}).all()
    return jsonify([row.to_dict() for row in rows])''')
    return s


def _forms(bp: str, rng: random.Random) -> Source:
    cls = bp.capitalize()
    return Source().block(f'''
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class {cls}Form(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max={rng.choice([80, 120, 200])})])
    body = TextAreaField("Body", validators=[Optional()])
    publish = BooleanField("Publish")
    submit = SubmitField("Save")


class {cls}LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired(), Length(min={rng.choice([8, 10, 12])})])
    remember = BooleanField("Remember me")''')


def _model(model: str, rng: random.Random) -> Source:
    table = _plural(_snake(model))
    fields = rng.sample(_FIELDS, rng.randint(3, 6))
    cols = []
    for f in fields:
        if f in ("created_at",):
            cols.append(f"    {f} = db.Column(db.DateTime, default=datetime.utcnow, nullable=False)")
        elif f in ("amount", "quantity", "priority", "weight", "price", "total", "rating"):
            cols.append(f"    {f} = db.Column(db.Integer, default=0, nullable=False)")
        else:
            cols.append(f"    {f} = db.Column(db.String({rng.choice([40, 80, 120, 255])}), nullable=True)")
    body = "\n".join(cols)
    names = ", ".join(f'"{f}"' for f in fields)
    head = "from datetime import datetime\n\n" if "created_at" in fields else ""
    return Source().block(f'''
{head}from ..extensions import db


class {model}(db.Model):
    __tablename__ = "{table}"

    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
{body}

    EDITABLE = ({names},)

    @classmethod
    def from_payload(cls, payload, owner):
        unknown = set(payload) - set(cls.EDITABLE)
        if unknown:
            raise ValueError(f"unknown fields: {{sorted(unknown)}}")
        return cls(owner_id=owner.id, **payload)

    def to_dict(self):
        return {{"id": self.id, **{{name: getattr(self, name) for name in self.EDITABLE}}}}''')


def _models_init(models: Sequence[str]) -> Source:
    s = Source()
    for m in models:
        s.add(f"from .{_snake(m)} import {m}  # noqa: F401")
    return s


def _user_model() -> Source:
    return Source().block('''
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))''')


def _entry_tail(s: Source, plan: _FlaskPlan, rng: random.Random) -> None:
    """How the entry module ends: the one place where the dev-server seeds go."""
    seed = plan.seed
    # Severity follows reachability: when the project's Dockerfile/Procfile serves it with gunicorn, run.py (a
    # launcher nothing imports) and any `__main__` block (no deployment file runs the entry as a script) only
    # run on a developer's machine and are reported as low; app.py stays reachable (`flask` finds it).
    served = plan.dockerfile or plan.procfile
    at_import = "low" if served and plan.entry == "run.py" else "high"
    if seed == "run-debug-at-import":
        s.add("")
        if _gunicorn_runs_entry(plan):  # the debug switch is folded into the PF401 of the gunicorn launch
            s.seeded("app.run(debug=True)", ("PF102", at_import))
        else:
            s.seeded("app.run(debug=True)", ("PF101", at_import), ("PF102", at_import))
    elif seed == "run-at-import":
        s.add("")
        s.seeded(f"app.run(port={rng.choice([5000, 8000, 8080])})", ("PF102", at_import))
    elif seed == "run-public-bind":
        s.add("")
        s.add("")
        s.add('if __name__ == "__main__":')
        s.seeded(f'    app.run(host="0.0.0.0", port={rng.choice([5000, 8000, 8080])})',
                 ("PF103", "low" if served else "medium"))
    elif seed == "dockerfile-dev-server-debug":
        # Reported through the Dockerfile's CMD: one critical PF401 (debugger on a public bind; bound to
        # 127.0.0.1 nothing outside the container could reach it, which is high). The module's own PF101 at
        # this call is folded into it; its public bind (PF103) stays, medium: the CMD runs the __main__ block.
        s.add("")
        s.add("")
        s.add('if __name__ == "__main__":')
        s.seeded('    app.run(host="0.0.0.0", port=5000, debug=True)', ("PF103", "medium"))
    else:
        s.add("")
        s.add("")
        s.add('if __name__ == "__main__":')
        s.add(rng.choice([
            "    app.run()",
            '    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")',
            '    # Local development only; production runs gunicorn.\n    app.run(port=5000)',
        ]))


def _gunicorn_runs_entry(plan: _FlaskPlan) -> bool:
    """Whether the project's gunicorn launch (`gunicorn app:app` in its Dockerfile or Procfile) imports an
    entry module that calls app.run() at import time: the worker then starts Werkzeug's development server
    (PF401 high: bound to 127.0.0.1), and the call's own debug finding is folded into that PF401."""
    return bool(plan.dockerfile or plan.procfile) and plan.entry != "run.py" and plan.seed in (
        "run-at-import", "run-debug-at-import")


def _run_module(plan: _FlaskPlan, rng: random.Random) -> Source:
    s = Source().block(f'''
"""Run {plan.name} locally: `python run.py`."""
import os

from {plan.pkg} import create_app

app = create_app(os.environ.get("APP_CONFIG"))''')
    _entry_tail(s, plan, rng)
    return s


def _single_app(plan: _FlaskPlan, rng: random.Random) -> Source:
    """A one-file app with a config module next to it: the other half of real Flask repositories."""
    s = Source()
    store = rng.choice(_NOUNS)
    s.block(f'''
"""{plan.name}: a small Flask service in one file."""
import logging
import os

from flask import Flask, abort, jsonify, render_template, request

from storage import {store.capitalize()}Store

app = Flask(__name__)
app.config.from_object(os.environ.get("APP_SETTINGS", "config.ProductionConfig"))''')
    if plan.seed == "urandom-secret-key":
        s.seeded(f"app.secret_key = os.urandom({rng.choice([16, 24, 32])})", ("PF203", "medium"))
    s.block(f'''
store = {store.capitalize()}Store(os.environ.get("DATA_PATH", "data.json"))
log = logging.getLogger(__name__)


@app.route("/")
def index():
    return render_template("index.html", items=store.all())


@app.route("/api/items/<item_id>")
def get_item(item_id):
    item = store.get(item_id)
    if item is None:
        abort(404)
    return jsonify(item)


@app.route("/api/items", methods=["POST"])
def add_item():
    payload = request.get_json(silent=True) or {{}}
    try:
        item = store.add(payload)''')
    if plan.seed == "exception-in-response":
        s.add("    except Exception as exc:")
        s.seeded("        return jsonify(error=f\"could not save: {exc}\"), 500", ("PF301", "medium"))
    else:
        s.block('''
    except ValueError:
        log.exception("rejected item")
        return jsonify(error="invalid item"), 400''')
    s.block('''
    return jsonify(item), 201


@app.route("/healthz")
def healthz():
    return jsonify(status="ok")''')
    _entry_tail(s, plan, rng)
    return s


def _storage_module(rng: random.Random, store: str) -> str:
    """The single-file app's persistence helper: plain Python."""
    cls = store.capitalize() + "Store"
    return f'''"""JSON-file persistence for the {store} items."""
import json
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional


class {cls}:
    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._items: Dict[str, Dict[str, Any]] = {{}}
        if self.path.exists():
            self._items = json.loads(self.path.read_text(encoding="utf-8"))

    def all(self) -> List[Dict[str, Any]]:
        return sorted(self._items.values(), key=lambda item: item.get("name", ""))

    def get(self, item_id: str) -> Optional[Dict[str, Any]]:
        return self._items.get(item_id)

    def add(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        if not isinstance(payload.get("name"), str) or not payload["name"].strip():
            raise ValueError("name is required")
        item = {{"id": uuid.uuid4().hex[:{rng.choice([8, 12, 16])}], "name": payload["name"].strip()}}
        with self._lock:
            self._items[item["id"]] = item
            self.path.write_text(json.dumps(self._items, indent=2), encoding="utf-8")
        return item
'''


def _single_config(plan: _FlaskPlan, rng: random.Random) -> Source:
    return _config_module(plan, rng)


def _wsgi(plan: _FlaskPlan) -> Source:
    return Source().block(f'''
"""WSGI entry point for gunicorn: `gunicorn wsgi:app`."""
from {plan.pkg} import create_app

app = create_app()''')


def _conftest(plan: _FlaskPlan) -> Source:
    return Source().block(f'''
import pytest

from {plan.pkg} import create_app
from {plan.pkg}.extensions import db


@pytest.fixture
def app():
    app = create_app("testing")
    with app.app_context():
        db.create_all()
        yield app
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()''')


def _bp_test(bp: str, rng: random.Random) -> Source:
    return Source().block(f'''
def test_{bp}_index_requires_login(client):
    response = client.get("/{bp}/")
    assert response.status_code in (302, 401)


def test_{bp}_unknown_is_404(client):
    response = client.get("/{bp}/{rng.randint(1000, 9999)}/missing")
    assert response.status_code == 404''')


def _dockerfile(plan: _FlaskPlan, rng: random.Random) -> Source:
    s = Source()
    s.add(f"FROM python:{rng.choice(['3.11', '3.12', '3.13'])}-slim")
    s.add("ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1")
    if plan.seed == "dockerfile-secret-env":
        s.seeded(f"ENV SECRET_KEY={_fake_key(rng)}", ("PF406", "high"))
    s.block('''
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home appuser
USER appuser''')
    if plan.seed == "dockerfile-dev-server-debug":
        s.add("EXPOSE 5000")
        s.seeded(f'CMD ["python", "{plan.entry}"]', ("PF401", "critical"))
    else:
        target = "wsgi:app" if plan.entry == "run.py" else "app:app"
        s.add("EXPOSE 8000")
        cmd = f'CMD ["gunicorn", "--workers", "{rng.choice([2, 3, 4])}", "--bind", "0.0.0.0:8000", "{target}"]'
        s.seeded(cmd, ("PF401", "high")) if _gunicorn_runs_entry(plan) else s.add(cmd)
    return s


def _compose(plan: _FlaskPlan, rng: random.Random) -> Source:
    s = Source()
    s.block('''
services:
  web:
    build: .
    ports:
      - "8000:8000"
    environment:
      SECRET_KEY: ${SECRET_KEY}
      DATABASE_URL: postgresql://app@db:5432/app''')
    if plan.seed == "compose-flask-debug":
        # medium: gunicorn serves this image, so FLASK_DEBUG turns on debug mode but not the debugger
        s.seeded('      FLASK_DEBUG: "1"', ("PF402", "medium"))
    else:
        s.add('      FLASK_DEBUG: "0"')
    s.block(f'''
    depends_on:
      - db
  db:
    image: postgres:{rng.choice(['15', '16', '17'])}-alpine
    environment:
      POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD}}
    volumes:
      - pgdata:/var/lib/postgresql/data

volumes:
  pgdata:''')
    return s


def _procfile(plan: _FlaskPlan, rng: random.Random) -> Source:
    target = "wsgi:app" if plan.entry == "run.py" else "app:app"
    s = Source()
    if plan.entry == "run.py":
        s.add("release: flask db upgrade")
    line = f"web: gunicorn {target} --workers {rng.choice([2, 3, 4])} --bind 0.0.0.0:$PORT"
    s.seeded(line, ("PF401", "high")) if _gunicorn_runs_entry(plan) else s.add(line)
    return s


def _gunicorn_conf(rng: random.Random) -> Source:
    return Source().block(f'''
import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
accesslog = "-"
timeout = {rng.choice([30, 60, 120])}''')


def _dotenv(plan: _FlaskPlan, rng: random.Random) -> Source:
    return Source().block(f'''
# Local values; production takes them from the platform.
DATABASE_URL=postgresql://localhost/{plan.pkg}
LOG_LEVEL={rng.choice(['info', 'warning'])}
ITEMS_PER_PAGE={rng.choice([10, 20, 50])}''')


def _readme(plan: _FlaskPlan, shape: str) -> str:
    run = "gunicorn wsgi:app" if plan.entry == "run.py" else "gunicorn app:app"
    return (f"# {plan.name}\n\nA {shape.replace('-', ' ')} Flask project.\n\n"
            f"```sh\npip install -r requirements.txt\n{run}\n```\n")


def _requirements(rng: random.Random, factory: bool) -> str:
    reqs = [f"flask=={rng.choice(['2.3.3', '3.0.3', '3.1.0'])}", "gunicorn==22.0.0"]
    if factory:
        reqs += ["flask-sqlalchemy==3.1.1", "flask-migrate==4.0.7", "flask-login==0.6.3", "flask-wtf==1.2.1"]
    return "\n".join(reqs) + "\n"


def _template(title: str) -> str:
    return (f"{{% extends \"base.html\" %}}\n{{% block title %}}{title}{{% endblock %}}\n"
            f"{{% block content %}}\n<h1>{title}</h1>\n{{% endblock %}}\n")


_SITE_CSS = "body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; }\n"

_BASE_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
<link rel="stylesheet" href="{{ url_for('static', filename='css/site.css') }}"></head>
<body>{% block content %}{% endblock %}</body>
</html>
"""


def _plan_flask(rng: random.Random, index: int, shape: str, seed: Optional[str]) -> _FlaskPlan:
    product = rng.choice(_PRODUCTS)
    name = f"{product}-{rng.choice(_NOUNS)}"
    pkg = product.replace("-", "_")
    needs_docker = seed in ("dockerfile-dev-server-debug", "dockerfile-secret-env", "compose-flask-debug")
    compose = seed == "compose-flask-debug" or (seed not in ("dockerfile-dev-server-debug",) and rng.random() < 0.3)
    dockerfile = needs_docker or compose or rng.random() < 0.5
    return _FlaskPlan(
        name=name,
        pkg=pkg,
        blueprints=rng.sample(_BLUEPRINTS, rng.randint(2, 5)) if shape == "flask-factory" else [],
        models=rng.sample([m for m in _MODELS if m != "User"], rng.randint(2, 5)),
        config_in_pkg=rng.random() < 0.6,
        from_object_string=rng.random() < 0.3,
        dockerfile=dockerfile,
        compose=compose,
        procfile=rng.random() < 0.3,
        dotenv=rng.random() < 0.3,
        gunicorn_conf=rng.random() < 0.2,
        seed=seed,
        entry="run.py" if shape == "flask-factory" else "app.py",
    )


def _deploy_files(p: Project, plan: _FlaskPlan, rng: random.Random) -> None:
    if plan.dockerfile:
        p.put("Dockerfile", _dockerfile(plan, rng))
    if plan.compose:
        p.put("docker-compose.yml", _compose(plan, rng))
    if plan.procfile:
        p.put("Procfile", _procfile(plan, rng))
    if plan.dotenv:
        p.put(".env", _dotenv(plan, rng))
    if plan.gunicorn_conf:
        p.put("gunicorn.conf.py", _gunicorn_conf(rng))


def flask_factory_project(rng: random.Random, index: int, seed: Optional[str]) -> Project:
    """An app-factory package with blueprints, models, forms, tests and some plain helper modules."""
    plan = _plan_flask(rng, index, "flask-factory", seed)
    p = Project(f"p{index:04d}-{plan.name}", "flask-factory", seed)
    pkg = plan.pkg
    p.put("README.md", _readme(plan, "flask-factory"))
    p.put("requirements.txt", _requirements(rng, True))
    p.put(".gitignore", "__pycache__/\n*.pyc\n.venv/\ninstance/\n")
    cfg_path = f"{pkg}/config.py" if plan.config_in_pkg else "config.py"
    p.put(cfg_path, _config_module(plan, rng))
    p.put(f"{pkg}/__init__.py", _factory_init(plan, rng))
    p.put(f"{pkg}/extensions.py", _extensions())
    p.put(f"{pkg}/models/__init__.py", _models_init(["User"] + plan.models))
    p.put(f"{pkg}/models/user.py", _user_model())
    for m in plan.models:
        p.put(f"{pkg}/models/{_snake(m)}.py", _model(m, rng))
    leak_bp = plan.blueprints[rng.randrange(len(plan.blueprints))] if seed == "exception-in-response" else None
    for bp in plan.blueprints:
        model = rng.choice(plan.models)
        p.put(f"{pkg}/{bp}/__init__.py", _blueprint_init(bp))
        p.put(f"{pkg}/{bp}/views.py", _views(plan, bp, model, rng, leak=bp == leak_bp))
        if rng.random() < 0.6:
            p.put(f"{pkg}/{bp}/forms.py", _forms(bp, rng))
        if rng.random() < 0.7:
            p.put(f"{pkg}/{bp}/services.py", plain_module(rng, f"the {bp} views"))
        p.put(f"{pkg}/{bp}/templates/{bp}/index.html", _template(bp.capitalize()))
    p.put(f"{pkg}/templates/base.html", _BASE_HTML)
    p.put(f"{pkg}/static/css/site.css", _SITE_CSS)
    p.put(f"{pkg}/utils/__init__.py", "")
    for topic in rng.sample(_TOPICS, rng.randint(3, 8)):
        p.put(f"{pkg}/utils/{topic}.py", plain_module(rng, topic))
    for n in range(rng.randint(1, 4)):
        p.put(f"migrations/versions/{rng.getrandbits(48):012x}_{rng.choice(_VERBS)}_{n}.py", _migration(rng))
    p.put("wsgi.py", _wsgi(plan))
    p.put("run.py", _run_module(plan, rng))
    p.put("tests/__init__.py", "")
    p.put("tests/conftest.py", _conftest(plan))
    for bp in plan.blueprints:
        p.put(f"tests/test_{bp}.py", _bp_test(bp, rng))
    for topic in rng.sample(_TOPICS, rng.randint(0, 3)):
        if f"{pkg}/utils/{topic}.py" in p.files:
            p.put(f"tests/test_utils_{topic}.py", plain_test_module(rng, f"{pkg}.utils.{topic}"))
    _deploy_files(p, plan, rng)
    return p


def flask_single_project(rng: random.Random, index: int, seed: Optional[str]) -> Project:
    """A single-file app with a config module, a storage helper and a few plain helpers."""
    plan = _plan_flask(rng, index, "flask-single", seed)
    p = Project(f"p{index:04d}-{plan.name}", "flask-single", seed)
    p.put("README.md", _readme(plan, "flask-single"))
    p.put("requirements.txt", _requirements(rng, False))
    app_src = _single_app(plan, rng)
    store = next(line.split()[-1] for line in app_src.lines if line.startswith("from storage import"))
    p.put("app.py", app_src)
    p.put("config.py", _single_config(plan, rng))
    p.put("storage.py", _storage_module(rng, store[: -len("Store")].lower()))
    p.put("templates/base.html", _BASE_HTML)
    p.put("templates/index.html", _template(plan.name))
    for topic in rng.sample(_TOPICS, rng.randint(1, 5)):
        p.put(f"helpers/{topic}.py", plain_module(rng, topic))
    p.put("tests/test_storage.py", plain_test_module(rng, "storage"))
    _deploy_files(p, plan, rng)
    return p


def _migration(rng: random.Random) -> str:
    table = _plural(_snake(rng.choice(_MODELS)))
    col = rng.choice(_FIELDS)
    return f'''"""{rng.choice(_VERBS)} {table}.{col}"""
import sqlalchemy as sa
from alembic import op

revision = "{rng.getrandbits(48):012x}"
down_revision = "{rng.getrandbits(48):012x}"


def upgrade():
    op.add_column("{table}", sa.Column("{col}", sa.String(length={rng.choice([40, 80, 255])}), nullable=True))


def downgrade():
    op.drop_column("{table}", "{col}")
'''


def library_project(rng: random.Random, index: int) -> Project:
    """A plain Python library (no Flask at all): most of what a monorepo or vendored tree holds."""
    name = f"{rng.choice(_NOUNS)}{rng.choice(['kit', 'tools', 'lib', 'utils', 'core'])}"
    p = Project(f"p{index:04d}-{name}", "library", None)
    p.put("README.md", f"# {name}\n\nSmall helpers, no dependencies.\n")
    version = f"0.{rng.randint(1, 20)}.0"
    p.put("pyproject.toml", f'[project]\nname = "{name}"\nversion = "{version}"\nrequires-python = ">=3.9"\n')
    p.put(f"src/{name}/__init__.py", f'"""{name}."""\n__version__ = "0.1.0"\n')
    topics = rng.sample(_TOPICS, rng.randint(6, min(16, len(_TOPICS))))
    for topic in topics:
        p.put(f"src/{name}/{topic}.py", plain_module(rng, topic))
    for topic in rng.sample(topics, rng.randint(2, len(topics))):
        p.put(f"tests/test_{topic}.py", plain_test_module(rng, f"{name}.{topic}"))
    return p


def _padding_project(rng: random.Random, index: int, count: int) -> Project:
    """Plain modules that bring the tree to exactly the requested file count."""
    p = Project(f"p{index:04d}-shared-scripts", "padding", None)
    for n in range(count):
        p.put(f"scripts/{rng.choice(_TOPICS)}_{n:03d}.py", plain_module(rng, "one-off scripts"))
    return p


# ---- the tree ---------------------------------------------------------------------------------------
_SHAPES = ("flask-factory", "flask-factory", "flask-single", "library")
_MIN_PROJECT = 12  # below this many files left, pad instead of starting another project


def _seed_for(flask_index: int, seed: int) -> Optional[str]:
    """Which hazard the n-th Flask project carries, if any.

    The first 2*len(SEED_KINDS) Flask projects alternate seeded/clean, so even a small tree covers every
    kind with clean projects in between; after that one in four is seeded. The kind order is rotated by
    the seed so different seeds put different hazards in different shapes."""
    k = len(SEED_KINDS)
    if flask_index < 2 * k:
        if flask_index % 2:
            return None
        n = flask_index // 2
    else:
        if flask_index % 4:
            return None
        n = k + (flask_index - 2 * k) // 4
    return SEED_NAMES[(n + seed) % k]


def build_projects(files: int, seed: int = 0) -> List[Project]:
    """Render projects until the file budget is spent; the last one is padding so the total is exact."""
    projects: List[Project] = []
    total = 0
    flask_count = 0
    index = 0
    while files - total >= _MIN_PROJECT:
        rng = random.Random(f"{seed}:{index}")
        shape = _SHAPES[rng.randrange(len(_SHAPES))]
        if shape == "library":
            project = library_project(rng, index)
        else:
            kind = _seed_for(flask_count, seed)
            maker = flask_factory_project if shape == "flask-factory" else flask_single_project
            project = maker(rng, index, kind)
        if total + len(project.files) > files:
            break
        if shape != "library":
            flask_count += 1
        projects.append(project)
        total += len(project.files)
        index += 1
    if files - total > 0:
        projects.append(_padding_project(random.Random(f"{seed}:pad"), index, files - total))
    return projects


def generate(root: "str | os.PathLike[str]", files: int = 5000, seed: int = 0) -> Manifest:
    """Write the corpus under ``root`` (created; must be empty or absent) and its ``manifest.json``."""
    out = Path(root)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    projects = build_projects(files, seed)
    expected: List[Expected] = []
    py_files = 0
    summary: List[Dict[str, Any]] = []
    for project in projects:
        for rel, src in project.files.items():
            path = out / project.name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(src.text() if src.lines != [""] else "", encoding="utf-8")
            if rel.endswith(".py"):
                py_files += 1
            for line, (rule, severity) in src.marks:
                expected.append(Expected(rule, f"{project.name}/{rel}", line, severity, project.seed or ""))
        summary.append({"name": project.name, "shape": project.shape, "seed": project.seed,
                        "files": len(project.files)})
    manifest = Manifest(MANIFEST_VERSION, seed, sum(len(p.files) for p in projects), py_files, summary, expected)
    (out / MANIFEST_NAME).write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")
    return manifest


def load_manifest(root: "str | os.PathLike[str]") -> Manifest:
    return Manifest.from_json(json.loads((Path(root) / MANIFEST_NAME).read_text(encoding="utf-8")))


# ---- checking a report against the manifest ---------------------------------------------------------
def report_keys(report: Dict[str, Any], root: "str | os.PathLike[str]") -> List[Tuple[str, str, int, str]]:
    """(rule, path relative to ``root``, line, severity) for each finding of a ``--format json`` report.

    Paths in the report are relative to the directory flask-preflight ran in, or absolute; both are
    mapped onto the corpus root."""
    base = os.path.abspath(os.fspath(root))
    keys = []
    for f in report.get("findings", []):
        path = f["path"]
        if os.path.isabs(path):
            path = os.path.relpath(path, base)
        path = path.replace(os.sep, "/")
        while path.startswith("./"):
            path = path[2:]
        keys.append((f["rule_id"], path, int(f["line"]), f["severity"]))
    return sorted(keys)


def compare_report(report: Dict[str, Any], manifest: Manifest, root: "str | os.PathLike[str]") -> List[str]:
    """Differences between a report and the manifest, one line each; empty means an exact match.

    Files the tool could not analyse are differences too: the generated tree is all valid."""
    want = sorted(f.key() for f in manifest.findings)
    got = report_keys(report, root)
    diff: List[str] = []
    remaining = list(got)
    for key in want:
        if key in remaining:
            remaining.remove(key)
        else:
            seed = next((f.seed for f in manifest.findings if f.key() == key), "")
            diff.append(f"missing:    {key[0]} {key[1]}:{key[2]} [{key[3]}] (seed {seed})")
    for key in remaining:
        diff.append(f"unexpected: {key[0]} {key[1]}:{key[2]} [{key[3]}]")
    for err in report.get("errors", []):
        diff.append(f"error:      {err.get('path')}: {err.get('reason') or err.get('message') or err}")
    return diff


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="directory to create (must be empty or absent)")
    parser.add_argument("--files", type=int, default=5000, help="total files to write (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.files, args.seed)
    shapes: Dict[str, int] = {}
    for p in manifest.projects:
        shapes[p["shape"]] = shapes.get(p["shape"], 0) + 1
    rules = sorted({f.rule_id for f in manifest.findings})
    print(f"{args.out}: {manifest.files} files ({manifest.python_files} Python) in {len(manifest.projects)} projects "
          f"{shapes}; {len(manifest.findings)} seeded findings ({', '.join(rules)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
