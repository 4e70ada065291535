"""Issue 13, item 14: an app that prints without end cannot fill the disk or stretch the run.

The child's output used to go to files (1.5 GB in 9 s). It now goes through pipes whose reader keeps the last
64 KiB of each stream (flask_preflight/runtime/output.py) and a warning says how much was printed.
"""

from __future__ import annotations

import os

import pytest

from flask_preflight.runtime.output import TAIL_BYTES, StreamTail

from .inspect_support import attack_env, inspect, survivors


def test_endless_printing_at_import_is_cut_at_the_timeout_and_only_the_tail_is_kept() -> None:
    env = attack_env(FLOOD_MB="forever")
    run = inspect("flood:app", env, "--timeout", "4")
    assert run.code == 3, run.stderr[-2000:]
    [error] = run.data["errors"]
    assert error["kind"] == "timeout"
    assert error["reason"].startswith(
        "import did not finish within 4 s (last output: " + "x" * 197 + "...); the process was killed; it was at "
        "flood.py:")
    [warning] = run.warnings
    prefix, _, rest = warning.partition(" wrote ")
    assert prefix == "flask-preflight: warning: flood:app"
    size, _, tail = rest.partition(" to stdout")
    assert size.endswith(("MiB", "GiB")), warning
    assert tail == " while it was loaded and checked; only the last 64 KiB were kept"
    assert survivors(env["ATTACK_TOKEN"]) == []


def test_a_large_but_finite_flood_is_counted_and_the_app_still_checked() -> None:
    env = attack_env(FLOOD_MB="50")
    run = inspect("flood:app", env)
    assert run.code == 1, run.stderr[-2000:]
    assert run.data["errors"] == []
    assert run.warnings == ["flask-preflight: warning: flood:app wrote 50.0 MiB to stdout while it was loaded and "
                            "checked; only the last 64 KiB were kept"]


def test_output_below_the_cap_gives_no_warning() -> None:
    run = inspect("flood:app", attack_env(FLOOD_MB="0"))
    assert run.code == 1 and run.data["errors"] == [] and run.warnings == []


@pytest.mark.parametrize("size, truncated", [(TAIL_BYTES, False), (TAIL_BYTES + 1, True), (5 * TAIL_BYTES + 7, True)])
def test_the_tail_of_a_real_pipe_is_exactly_the_last_bytes(size: int, truncated: bool) -> None:
    read_end, write_end = os.pipe()
    tail = StreamTail(read_end, "stdout")
    payload = bytes(i % 251 for i in range(size))
    view = memoryview(payload)
    while view:
        written = os.write(write_end, view[:65536])
        view = view[written:]
    os.close(write_end)
    tail.close(grace=30)
    assert tail.total == size
    assert tail.truncated is truncated
    assert tail.data == payload[-TAIL_BYTES:]
    note = tail.truncation_note("x:app")
    assert (note is not None) is truncated
