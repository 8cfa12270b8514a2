"""Tail-safe reading of a landing folder (README "Landing folders"; llm_cost/landing.py, stg_otel__file_reads).

Three levels: one read at a time (each rule: append, partial last line, both rotations, cut gzip, not UTF-8,
permission); a property over many random folder histories (every line read exactly once per content, none
lost); and dbt builds after every step of random histories of real span lines, equal row for row to one full
refresh of the final folder.
"""

from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dbt_runner import COMPARED_SELECTION, InProcessDbt, assert_same_marts, copy_project
from llm_cost import landing, summary
from llm_cost.generate import generate
from test_incremental import single_span_lines


def read(path: Path, state: landing.FileState | None) -> landing.FileRead:
    return landing.read_file(str(path), state)


def texts(result: landing.FileRead) -> list[str]:
    return [text.decode() for _, text in result.lines]


def test_appended_lines_are_read_from_where_the_last_read_stopped(tmp_path: Path) -> None:
    live = tmp_path / "live.jsonl"
    live.write_text("a\nb\n")
    first = read(live, None)
    assert first.lines == [(1, b"a"), (2, b"b")] and first.state.file_status == "complete"
    with live.open("a") as f:
        f.write("c\n\nd\n")
    second = read(live, first.state)
    assert second.lines == [(3, b"c"), (5, b"d")], "blank lines are skipped but counted"
    assert second.state.source_generation == 0 and second.state.consumed_lines == 5
    assert not read(live, second.state).changed, "an unchanged file is not read again"


def test_a_half_written_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    live = tmp_path / "live.jsonl"
    live.write_bytes(b"a\r\nb\n{\"half")
    first = read(live, None)
    assert texts(first) == ["a", "b"] and first.state.file_status == "pending" and first.state.pending_bytes == 6
    with live.open("ab") as f:
        f.write(b'":1}\n')
    second = read(live, first.state)
    assert second.lines == [(3, b'{"half":1}')] and second.state.file_status == "complete"


def test_copytruncate_is_noticed_even_when_the_new_content_is_longer(tmp_path: Path) -> None:
    live = tmp_path / "live.jsonl"
    live.write_text("old-1\nold-2\n")
    first = read(live, None)
    live.write_text("new-1\nnew-2\nnew-3\nnew-4\n")  # truncated in place, then written past the old size
    second = read(live, first.state)
    assert second.lines == [(1, b"new-1"), (2, b"new-2"), (3, b"new-3"), (4, b"new-4")]
    assert second.state.source_generation == 1


def test_a_cut_gzip_is_unreadable_until_it_is_complete(tmp_path: Path) -> None:
    whole = gzip.compress(b"a\nb\nc\n")
    part = tmp_path / "part.jsonl.gz"
    part.write_bytes(whole[: len(whole) // 2])
    first = read(part, None)
    assert first.lines == [] and first.state.file_status == "unreadable"
    assert "gzip stream ends early" in (first.state.status_reason or "")
    again = read(part, first.state)
    assert again.changed and again.state.file_status == "unreadable", "an unreadable file is tried on every build"
    part.write_bytes(whole)
    done = read(part, again.state)
    assert texts(done) == ["a", "b", "c"] and done.state.file_status == "complete"


def test_a_gzip_last_line_needs_no_newline(tmp_path: Path) -> None:
    part = tmp_path / "part.jsonl.gz"
    part.write_bytes(gzip.compress(b"a\nb"))
    result = read(part, None)
    assert texts(result) == ["a", "b"] and result.state.file_status == "complete"


def test_text_that_is_not_utf8_makes_the_file_unreadable_not_the_build(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes("caf\u00e9\n".encode("latin-1"))
    result = read(bad, None)
    assert result.lines == [] and result.state.file_status == "unreadable"
    assert "not UTF-8" in (result.state.status_reason or "")


def test_a_file_without_permission_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.jsonl"
    locked.write_text("a\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # root reads any file whatever its mode, so the refusal is simulated where the reader opens files
    monkeypatch.setattr("builtins.open", refuse)
    result = read(locked, None)
    assert result.state.file_status == "unreadable" and result.state.status_reason == "permission denied"


def test_a_dangling_link_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "gone.jsonl").symlink_to(tmp_path / "rotated-away.jsonl")
    paths = landing.landing_files(f"{tmp_path}/*")
    assert len(paths) == 1
    result = landing.read_file(paths[0], None)
    assert result.state.file_status == "unreadable" and "cannot stat" in (result.state.status_reason or "")


def test_an_empty_gzip_being_written_waits(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.jsonl.gz"
    fresh.write_bytes(b"")
    first = read(fresh, None)
    assert first.lines == [] and first.state.file_status == "complete" and first.state.consumed_bytes == 0
    fresh.write_bytes(gzip.compress(b"a\n"))
    assert texts(read(fresh, first.state)) == ["a"]

def test_lines_are_handed_over_in_a_parquet_file_a_handoff_row_names(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text("a1\na2\n")
    (tmp_path / "in" / "b.jsonl").write_text("b1\n\nb3\npartial")
    handoff = str(tmp_path / "db.duckdb.landing")
    rows = landing.read_landing(str(tmp_path / "in" / "*"), {}, 7, handoff=handoff).read_all().to_pylist()
    assert [r["row_kind"] for r in rows] == ["file", "file", "handoff"], "no line rows: the lines are in the file"
    assert rows[-1]["read_seq"] == 7 and rows[-1]["source_file"].startswith(handoff)
    lines = pq.read_table(rows[-1]["source_file"]).to_pylist()
    assert [(r["source_file"].rsplit("/", 1)[1], r["source_line"], r["line"]) for r in lines] == [
        ("a.jsonl", 1, "a1"), ("a.jsonl", 2, "a2"), ("b.jsonl", 1, "b1"), ("b.jsonl", 3, "b3")]
    assert {r["row_kind"] for r in lines} == {"line"} and {r["read_seq"] for r in lines} == {7}


def test_a_read_with_nothing_new_hands_over_no_file(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    rows = landing.read_landing(str(tmp_path / "in" / "*"), {}, 1, handoff=str(tmp_path / "h")).read_all()
    assert rows.num_rows == 0 and not (tmp_path / "h").exists()


def test_only_handoff_files_no_row_names_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "db.duckdb.landing"
    folder.mkdir()
    waiting, parsed, other = folder / "lines-2-x.parquet", folder / "lines-1-y.parquet", folder / "notes.txt"
    for p in (waiting, parsed, other):
        p.write_text("")
    assert landing.remove_parsed_handoffs(str(folder), [str(waiting)]) == 1
    assert waiting.exists() and not parsed.exists() and other.exists()


def test_a_read_that_fails_midway_leaves_no_handoff_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text("a1\n")
    (tmp_path / "in" / "b.jsonl").write_text("b1\n")
    real = landing.read_file

    def failing(path: str, previous: landing.FileState | None) -> landing.FileRead:
        if path.endswith("b.jsonl"):
            raise RuntimeError("disk gone")
        return real(path, previous)

    monkeypatch.setattr(landing, "read_file", failing)
    handoff = tmp_path / "h"
    with pytest.raises(RuntimeError):
        landing.read_landing(str(tmp_path / "in" / "*"), {}, 1, handoff=str(handoff)).read_all()
    assert list(handoff.iterdir()) == [], "a file no 'handoff' row names would only wait to be removed"


def test_a_handoff_write_that_fails_is_raised_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the handoff file is written on a thread of its own: its error must still stop the read, and the file go
    (tmp_path / "in").mkdir()
    for name in ("a", "b", "c", "d"):
        (tmp_path / "in" / f"{name}.jsonl").write_text(f"{name}1\n{name}2\n")
    writes = []

    class FullDisk(pq.ParquetWriter):  # type: ignore[misc]
        def write_batch(self, batch: pa.RecordBatch, row_group_size: int | None = None) -> None:
            writes.append(batch.num_rows)
            if len(writes) == 2:
                raise OSError("No space left on device")
            super().write_batch(batch, row_group_size)

    monkeypatch.setattr(landing.pq, "ParquetWriter", FullDisk)
    handoff = tmp_path / "h"
    with pytest.raises(OSError, match="No space left"):
        landing.read_landing(str(tmp_path / "in" / "*"), {}, 1, handoff=str(handoff)).read_all()
    assert list(handoff.iterdir()) == [], "a file no 'handoff' row names would only wait to be removed"


# -- a property over random folder histories --------------------------------------------------------------

class Folder:
    """A landing folder driven like a collector and logrotate would, remembering every line it ever held."""

    def __init__(self, root: Path, rng: random.Random, lines: list[str] | None = None) -> None:
        self.root, self.rng = root, rng
        self.pool = lines
        self.counter = 0
        self.live = root / "live.jsonl"
        self.rotations = 0
        self.pending: str | None = None
        self.cuts: list[tuple[Path, bytes]] = []

    def next_line(self) -> str:
        self.counter += 1
        if self.pool is not None:
            return self.pool[(self.counter - 1) % len(self.pool)]
        return f"line-{self.counter:06d}"

    def step(self) -> str:
        op = self.rng.choice(["append", "append", "partial", "finish", "copytruncate", "rename", "gzip_cut",
                              "gzip_done"])
        getattr(self, op)()
        return op

    def append(self) -> None:
        with self.live.open("a") as f:
            f.write("".join(self.next_line() + "\n" for _ in range(self.rng.randint(1, 4))))

    def partial(self) -> None:
        line = self.next_line()
        cut = self.rng.randint(1, max(1, len(line) - 1))
        with self.live.open("a") as f:
            f.write(line[:cut])
        self.pending = line[cut:]

    def finish(self) -> None:
        if self.pending is not None:
            with self.live.open("a") as f:
                f.write(self.pending + "\n")
            self.pending = None

    def copytruncate(self) -> None:
        self.finish()
        if self.live.exists():
            self.rotations += 1
            shutil.copy(self.live, self.root / f"live.jsonl.{self.rotations}")
            self.live.write_text("")
            self.append()  # the writer goes on at once, often past the old size

    def rename(self) -> None:
        self.finish()
        if self.live.exists():
            self.rotations += 1
            self.live.rename(self.root / f"live.jsonl.{self.rotations}")

    def gzip_cut(self) -> None:
        self.rotations += 1
        body = "".join(self.next_line() + "\n" for _ in range(self.rng.randint(1, 3))).encode()
        whole = gzip.compress(body)
        target = self.root / f"archive-{self.rotations}.jsonl.gz"
        target.write_bytes(whole[: len(whole) // 2])
        self.cuts.append((target, whole))

    def gzip_done(self) -> None:
        if self.cuts:
            target, whole = self.cuts.pop(0)
            target.write_bytes(whole)

    def settle(self) -> None:
        """The end of the history: every write finished."""
        self.finish()
        while self.cuts:
            self.gzip_done()


def complete_lines(root: Path) -> set[str]:
    found: set[str] = set()
    for path in root.iterdir():
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        found.update(line for line in data.decode().split("\n") if line.strip())
    return found


def read_folder(root: Path, states: dict[str, landing.FileState], seen: dict[tuple[str, int, int], str],
                ops: list[str]) -> list[landing.FileState]:
    """One build's read of every file, carrying the states; fails on a line read twice for the same content."""
    read = []
    for path in landing.landing_files(f"{root}/*"):
        result = landing.read_file(path, states.get(path))
        for number, text in result.lines:
            key = (path, result.state.source_generation, number)
            assert key not in seen, f"{key} read twice after {ops}"
            seen[key] = text.decode()
        states[path] = result.state
        read.append(result.state)
    return read


@pytest.mark.parametrize("seed", range(300))
def test_random_histories_read_every_line_once_per_content(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder = Folder(tmp_path, rng)
    states: dict[str, landing.FileState] = {}
    seen: dict[tuple[str, int, int], str] = {}
    ops: list[str] = []
    for _ in range(rng.randint(3, 12)):
        ops.append(folder.step())
        read_folder(tmp_path, states, seen, ops)
    folder.settle()
    for state in read_folder(tmp_path, states, seen, ops):
        assert state.file_status == "complete", (state, ops)
    assert set(seen.values()) == complete_lines(tmp_path), f"lines lost or invented after {ops}"


# -- dbt builds after every step, against one full refresh ---------------------------------------------------

@pytest.mark.parametrize("seed", [3])
def test_builds_after_random_folder_histories_equal_a_full_refresh(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    demo = tmp_path / "demo"
    generate(demo, spans=500, seed=seed)
    lines = [line for trace_lines in single_span_lines(demo / "spans").values() for line in trace_lines]
    landing_dir = tmp_path / "landing"
    landing_dir.mkdir()
    folder = Folder(landing_dir, rng, lines)
    project = copy_project(tmp_path / "project")
    incremental = InProcessDbt(project, tmp_path / "incremental.duckdb", f"{landing_dir}/*")
    incremental.invoke("seed")
    # the compared marts and what feeds them, and the quarantine this test reads after each build
    run_selection = (*COMPARED_SELECTION, "stg_otel__quarantine")
    steps = ["gzip_cut", "partial", "copytruncate", "append", "gzip_done", "finish", "rename", "append"]
    rng.shuffle(steps)
    for op in steps:
        getattr(folder, op)()
        incremental.invoke("run", *run_selection)
        if op == "gzip_cut":
            # the cut file is named (quarantine, the warn-level test, the summary) and the build went on
            cut = str(folder.cuts[-1][0])
            assert [r[1] for r in incremental.rows("stg_otel__quarantine") if r[0] == "file"] == [cut]
            statuses = incremental.invoke("test", "--select", "stg_otel__file_reads")
            assert statuses["landing_files_read_stg_otel__file_reads_"] == "warn", statuses
            # the summary's section, read through this process's connection (dbt in-process holds the file)
            section = "\n".join(summary._landing_files(incremental.query, summary.built_tables(incremental.query)))
            assert f"UNREADABLE: {cut}: gzip stream ends early" in section, section
    folder.settle()
    incremental.invoke("run", *run_selection)
    unreadable = [r for r in incremental.rows("stg_otel__quarantine") if r[0] == "file"]
    assert not unreadable, "nothing is left unreadable once every write has finished"

    full = incremental.in_folder(tmp_path / "full")
    full.invoke("seed")
    full.invoke("run", "--full-refresh")
    assert incremental.rows("fct_span_costs"), "the history must contain calls"
    assert_same_marts(incremental, full)
    spans = "select trace_id, span_id, span_name, started_at, span_attributes from stg_otel__spans"
    assert sorted(incremental.query(spans), key=repr) == sorted(full.query(spans), key=repr)
