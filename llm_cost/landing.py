"""Tail-safe reading of a collector's landing folder (README "Landing folders").

Each build reads, file by file, exactly the complete lines it has not read before:

- lines appended to a file already read are read by the next build, from where the last one stopped;
- a last line without its newline (a writer still at work) waits for the next build;
- copytruncate rotation: the file's first bytes no longer match the fingerprint of what was read, so the
  file is read again from its start as a new generation (even when the new content is longer than the old);
- rename rotation: the renamed file is new to the glob and read whole; its spans were already staged under
  the old name and the span de-duplication keeps one delivery;
- a file that cannot be read (gzip cut short, not UTF-8, no permission) yields a state row with the reason
  and nothing else; it is tried again on every build until it reads.

The state lives in the warehouse (the model stg_otel__file_reads), never on local disk: this module is
given the previous state and returns the new state rows as Arrow record batches, and the new lines in a Parquet
file beside the DuckDB file (a 'handoff' row names it) until stg_otel__span_records has parsed them.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
import tempfile
import uuid
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

# The fingerprint covers the first bytes already read (at most this many): enough to tell two files apart.
FINGERPRINT_BYTES = 4096
GZIP_MAGIC = b"\x1f\x8b"

SCHEMA = pa.schema(
    [
        # 'file': the state of a file after a read; 'line': a line read; 'handoff': a Parquet file of lines read
        ("row_kind", pa.string()),
        ("source_file", pa.string()),
        ("source_generation", pa.int64()),
        ("source_line", pa.int64()),
        ("line", pa.string()),
        ("file_status", pa.string()),  # complete | pending | unreadable
        ("status_reason", pa.string()),
        ("fingerprint", pa.string()),
        ("fingerprint_bytes", pa.int64()),
        ("consumed_bytes", pa.int64()),
        ("consumed_lines", pa.int64()),
        ("pending_bytes", pa.int64()),
        ("file_size", pa.int64()),
        ("file_mtime_ns", pa.int64()),
        ("read_seq", pa.int64()),
        ("read_at", pa.timestamp("us")),
    ]
)
STATE_COLUMNS = [
    "source_file",
    "source_generation",
    "file_status",
    "status_reason",
    "fingerprint",
    "fingerprint_bytes",
    "consumed_bytes",
    "consumed_lines",
    "pending_bytes",
    "file_size",
    "file_mtime_ns",
]


@dataclass(frozen=True)
class FileState:
    """What has been read of one file: its generation, how far, and what its first bytes were."""

    source_file: str
    source_generation: int = 0
    file_status: str = "complete"
    status_reason: str | None = None
    fingerprint: str | None = None
    fingerprint_bytes: int = 0
    consumed_bytes: int = 0
    consumed_lines: int = 0
    pending_bytes: int = 0
    file_size: int | None = None
    file_mtime_ns: int | None = None


@dataclass(frozen=True)
class FileRead:
    state: FileState
    # (line number in the generation, UTF-8 text) of the complete new lines: bytes, not str, so Arrow takes them
    # without re-encoding (a Python str costs 30x more to turn into an Arrow string)
    lines: list[tuple[int, bytes]]
    changed: bool  # False: nothing new and nothing to report, no state row is written


class Unreadable(Exception):
    """A file that cannot be read this time (it is tried again on the next build)."""


def _fingerprint(content: bytes, length: int) -> str:
    return hashlib.sha256(content[:length]).hexdigest()


def _gzip_content(path: str) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except EOFError:
        raise Unreadable("gzip stream ends early (file cut short, or still being written)") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise Unreadable(f"not a readable gzip file ({exc})") from None


def _plain_content(path: str, previous: FileState | None) -> tuple[bytes, int]:
    """The file's bytes from where the previous read stopped (or from 0), and that offset."""
    with open(path, "rb") as fh:
        if previous is not None and previous.consumed_bytes > 0:
            head = fh.read(previous.fingerprint_bytes)
            if _fingerprint(head, previous.fingerprint_bytes) == previous.fingerprint:
                fh.seek(0, os.SEEK_END)
                if fh.tell() >= previous.consumed_bytes:
                    fh.seek(previous.consumed_bytes)
                    return fh.read(), previous.consumed_bytes
            fh.seek(0)
        return fh.read(), 0


def _head(path: str, is_gzip: bool, content: bytes, start: int, length: int) -> bytes:
    if is_gzip or start == 0:
        return content[:length]
    with open(path, "rb") as fh:
        return fh.read(length)


def _is_gzip(path: str) -> bool:
    """By name or by content: a `.gz` still being written may not have its magic bytes yet."""
    if path.endswith(".gz"):
        return True
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def read_file(path: str, previous: FileState | None) -> FileRead:
    """Read the complete lines of `path` not read before, given the state the previous build left."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        return _unreadable(path, previous, f"cannot stat file ({exc.strerror})", None, None)
    unchanged = (
        previous is not None
        and previous.file_status != "unreadable"
        and previous.file_size == stat.st_size
        and previous.file_mtime_ns == stat.st_mtime_ns
    )
    if unchanged:
        assert previous is not None
        return FileRead(previous, [], changed=False)
    try:
        is_gzip = _is_gzip(path)
        if is_gzip:
            content = _gzip_content(path)
            start = 0
            if previous is not None and previous.consumed_bytes > 0:
                same = len(content) >= previous.consumed_bytes and (
                    _fingerprint(content, previous.fingerprint_bytes) == previous.fingerprint
                )
                start = previous.consumed_bytes if same else 0
            region = content[start:]
        else:
            region, start = _plain_content(path, previous)
    except PermissionError:
        return _unreadable(path, previous, "permission denied", stat.st_size, stat.st_mtime_ns)
    except OSError as exc:
        return _unreadable(path, previous, f"cannot read file ({exc.strerror})", stat.st_size, stat.st_mtime_ns)
    except Unreadable as exc:
        return _unreadable(path, previous, str(exc), stat.st_size, stat.st_mtime_ns)

    # a gzip member stream is complete once it decompresses: its last line needs no newline
    end = len(region) if is_gzip else region.rfind(b"\n") + 1
    complete = region[:end]
    try:
        complete.decode("utf-8")  # checked here, so a bad byte names its offset
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (invalid byte at offset {start + exc.start})"
        return _unreadable(path, previous, reason, stat.st_size, stat.st_mtime_ns)

    # a later read of the same content continues its numbering; new content (after a truncation) starts over
    continues = previous is not None and start > 0
    if previous is None:
        generation = 0
    elif continues or previous.consumed_bytes == 0:
        generation = previous.source_generation
    else:
        generation = previous.source_generation + 1
    first_line = previous.consumed_lines if continues and previous is not None else 0
    pieces = complete.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    # blank: ASCII whitespace only (JSON's own); any other line is handed over, and quarantined if it is not JSON
    lines = [
        (first_line + number, piece.rstrip(b"\r")) for number, piece in enumerate(pieces, start=1) if piece.strip()
    ]
    consumed_bytes = start + len(complete)
    fingerprint_bytes = min(consumed_bytes, FINGERPRINT_BYTES)
    head = _head(path, is_gzip, content if is_gzip else region, start, fingerprint_bytes)
    pending = len(region) - len(complete)
    state = FileState(
        source_file=path,
        source_generation=generation,
        file_status="pending" if pending else "complete",
        status_reason="last line has no newline yet: read when it is finished" if pending else None,
        fingerprint=_fingerprint(head, fingerprint_bytes),
        fingerprint_bytes=fingerprint_bytes,
        consumed_bytes=consumed_bytes,
        consumed_lines=first_line + len(pieces),
        pending_bytes=pending,
        file_size=stat.st_size,
        file_mtime_ns=stat.st_mtime_ns,
    )
    return FileRead(state, lines, changed=True)


def _unreadable(
    path: str, previous: FileState | None, reason: str, size: int | None, mtime_ns: int | None
) -> FileRead:
    base = previous or FileState(source_file=path)
    state = replace(base, file_status="unreadable", status_reason=reason, file_size=size, file_mtime_ns=mtime_ns)
    return FileRead(state, [], changed=True)


def landing_files(path_glob: str) -> list[str]:
    """The files of the glob, sorted: directories skipped; a dangling link is kept (and reported unreadable)."""
    return sorted(p for p in glob.glob(path_glob, recursive=True) if not os.path.isdir(p))


HANDOFF_PATTERN = "lines-*.parquet"


def handoff_dir(database_path: str | None) -> str:
    """Where a build's new lines wait for stg_otel__span_records: beside the DuckDB file (its own folder per
    database), or in the system's temporary folder for an in-memory database."""
    if database_path:
        return f"{database_path}.landing"
    return os.path.join(tempfile.gettempdir(), f"llm-cost-landing-{os.getpid()}")


def remove_parsed_handoffs(folder: str, waiting: Iterable[str]) -> int:
    """Delete the handoff files of `folder` no 'handoff' row names any more (parsed, or left by a build that died
    before it recorded them: their lines are read again, as the watermark did not move); how many."""
    keep = {os.path.abspath(p) for p in waiting}
    removed = 0
    for path in glob.glob(os.path.join(folder, HANDOFF_PATTERN)):
        if os.path.abspath(path) not in keep:
            os.remove(path)
            removed += 1
    return removed


def read_landing(
    path_glob: str,
    previous: dict[str, FileState],
    read_seq: int,
    read_at: datetime | None = None,
    batch_lines: int = 50_000,
    handoff: str | None = None,
) -> pa.RecordBatchReader:
    """State rows for every file that changed, and its new lines, as one Arrow stream (a file at a time).

    With `handoff` (a folder), the lines go to one Parquet file there instead, named by a row_kind 'handoff' row
    (source_file: the Parquet file) that ends the stream: DuckDB stores a build's lines (hundreds of MB of JSON)
    in its own file at about a third of the build's read time, a Parquet file takes a fraction of it.
    """
    read_at = read_at or datetime.now(UTC).replace(tzinfo=None)

    def batches() -> Iterator[pa.RecordBatch]:
        writer: _HandoffWriter | None = None
        try:
            for path in landing_files(path_glob):
                result = read_file(path, previous.get(path))
                if not result.changed:
                    continue
                yield _state_batch([result.state], read_seq, read_at)
                for offset in range(0, len(result.lines), batch_lines):
                    chunk = result.lines[offset : offset + batch_lines]
                    batch = _line_batch(path, result.state.source_generation, chunk, read_seq, read_at)
                    if handoff is None:
                        yield batch
                        continue
                    if writer is None:
                        os.makedirs(handoff, exist_ok=True)
                        writer = _HandoffWriter(os.path.join(handoff, f"lines-{read_seq}-{uuid.uuid4().hex}.parquet"))
                    writer.write(batch)
            if writer is not None:
                target = writer.target
                writer.close()
                writer = None
                yield _handoff_batch(target, read_seq, read_at)
        finally:
            if writer is not None:  # the read failed midway: no row names the file, so nothing reads it
                writer.abandon()

    return pa.RecordBatchReader.from_batches(SCHEMA, batches())


class _HandoffWriter:
    """The handoff Parquet file, written on a thread of its own while the next file is read: Arrow's compression and
    writing release the GIL, so on two cores the read and the write overlap. At most `depth` batches wait (memory
    stays a few batches of lines); a write's error is raised by the next write or by close."""

    def __init__(self, target: str, depth: int = 2) -> None:
        self.target = target
        self._writer = pq.ParquetWriter(target, SCHEMA, compression="lz4")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing-handoff")
        self._pending: deque[Future[None]] = deque()
        self._depth = depth

    def write(self, batch: pa.RecordBatch) -> None:
        while len(self._pending) >= self._depth:
            self._pending.popleft().result()
        self._pending.append(self._thread.submit(self._writer.write_batch, batch, HANDOFF_ROW_GROUP_LINES))

    def close(self) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._thread.shutdown(wait=True)
            self._writer.close()

    def abandon(self) -> None:
        """Stop after the writes under way and remove the file."""
        for future in self._pending:
            future.cancel()
        self._thread.shutdown(wait=True)
        self._pending.clear()
        self._writer.close()
        os.remove(self.target)


# lines per Parquet row group: DuckDB reads a file's row groups in parallel, and a line is tens of kilobytes
HANDOFF_ROW_GROUP_LINES = 2048


def _handoff_batch(target: str, read_seq: int, read_at: datetime) -> pa.RecordBatch:
    row = {"row_kind": "handoff", "source_file": target, "source_generation": 0, "read_seq": read_seq,
           "read_at": read_at}
    return pa.RecordBatch.from_pylist([row], schema=SCHEMA)


def _state_batch(states: Iterable[FileState], read_seq: int, read_at: datetime) -> pa.RecordBatch:
    rows = [
        {
            "row_kind": "file",
            **{column: getattr(state, column) for column in STATE_COLUMNS},
            "read_seq": read_seq,
            "read_at": read_at,
        }
        for state in states
    ]
    return pa.RecordBatch.from_pylist(rows, schema=SCHEMA)


def _line_batch(
    path: str, generation: int, lines: list[tuple[int, bytes]], read_seq: int, read_at: datetime
) -> pa.RecordBatch:
    n = len(lines)
    columns = {
        "row_kind": pa.array(["line"] * n, pa.string()),
        "source_file": pa.array([path] * n, pa.string()),
        "source_generation": pa.array([generation] * n, pa.int64()),
        "source_line": pa.array([number for number, _ in lines], pa.int64()),
        "line": pa.array([text for _, text in lines], pa.string()),
        "read_seq": pa.array([read_seq] * n, pa.int64()),
        "read_at": pa.array([read_at] * n, pa.timestamp("us")),
    }
    arrays = [columns.get(field.name, pa.nulls(n, field.type)) for field in SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def states_from_rows(rows: Iterable[tuple[object, ...]]) -> dict[str, FileState]:
    """FileState per file from rows of STATE_COLUMNS (the latest state row of each file)."""
    states = {}
    for row in rows:
        values = dict(zip(STATE_COLUMNS, row, strict=True))
        state = FileState(**values)  # type: ignore[arg-type]
        states[state.source_file] = state
    return states
