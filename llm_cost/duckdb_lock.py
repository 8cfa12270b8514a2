"""Who holds the DuckDB file, in a user's words (the dbt plugin llm_cost/dbt_lock_plugin.py, summary, validate).

DuckDB lets one process write a file at a time; a second build (an overlapping schedule, a `make run` while a
test builds) or a reader during a build stops with DuckDB's raw IO error. These helpers name the process that
holds the file, wait for it, and say what to do. The check opens the file read-only and closes it at once; a
file that does not exist yet is free.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
WAIT_SETTING = "LLM_COST_DUCKDB_LOCK_WAIT_SECONDS"


def process_description(pid: int, program: str = "") -> str:
    """PID and command line of a local process (its program name alone when /proc cannot tell more)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = ""
    shown = command or program or "unknown program"
    if len(shown) > 200:
        shown = shown[:197] + "..."
    return f"PID {pid} ({shown})"


def lock_holder_from_error(error: BaseException) -> str | None:
    """The holder named by DuckDB's lock error, or None when the error is about something else."""
    match = LOCK_HOLDER.search(str(error))
    if match is None:
        return None
    return process_description(int(match.group("pid")), match.group("program"))


def lock_holder(path: str | Path) -> str | None:
    """The process holding `path` for writing, or None when it is free (or does not exist yet)."""
    import duckdb

    if str(path) in ("", ":memory:") or not Path(path).exists():
        return None
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        return lock_holder_from_error(exc)
    return None


def wait_for_lock(path: str | Path, wait_seconds: float, poll_seconds: float = 1.0,
                  clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep) -> str | None:
    """None once `path` is free; the holder when it is still held after `wait_seconds`."""
    deadline = clock() + max(wait_seconds, 0.0)
    while True:
        holder = lock_holder(path)
        if holder is None or clock() >= deadline:
            return holder
        sleep(min(poll_seconds, max(deadline - clock(), 0.0)))


def locked_message(path: str | Path, holder: str, waited_seconds: float) -> str:
    waited = f" after waiting {waited_seconds:g} s" if waited_seconds > 0 else ""
    return (
        f"{path} is in use by another process{waited}: {holder}. DuckDB lets one process write a file at a time. "
        f"Wait for that build to finish (or stop it), or build into another file (LLM_COST_DUCKDB=...). "
        f"To wait for the file instead of stopping, set {WAIT_SETTING} (seconds, e.g. 900)."
    )


def open_error(path: str | Path, error: BaseException) -> str:
    """What to tell a reader (summary, validate) who could not open the file."""
    holder = lock_holder_from_error(error)
    if holder is None:
        return f"cannot open {path}: {error}"
    return f"{path} is being written by {holder}: run this again when that build has finished"
