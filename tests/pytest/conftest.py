from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dbt_runner import DbtProject, build_demo
from llm_cost.generate import generate

DEMO_SPANS = 4000
DEMO_SEED = 7
# The longest files first, longest to shortest (measured in a full run: the emulator's and the arrival-order property
# about 250 s each, the killed builds 150 s, repricing 150 s, then 60 to 100 s each): pytest-xdist's --dist loadfile
# hands files to its two workers in collection order, and a long file handed out last leaves one worker idle while the
# other finishes it.
LONGEST_FIRST = ["test_bigquery_emulator.py", "test_incremental.py", "test_crash.py", "test_repricing.py",
                 "test_end_to_end.py", "test_landing.py", "test_python_models.py", "test_provider_reports.py",
                 "test_seed_rows.py", "test_flat_table.py", "test_emitter_fixtures.py"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's tests stay together and in order


def _made_once(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str,
               make: Callable[[Path], None]) -> Path:
    """A folder made by `make` once per test session, whichever pytest-xdist worker asks first; the others wait for
    it (a lock file beside it) and read it. Without xdist (worker_id 'master') a folder of this process's own."""
    if worker_id == "master":
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    # the session's base folder, shared by its workers (each worker's own is a folder in it)
    root = tmp_path_factory.getbasetemp().parent
    out, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)  # a worker that died midway
            out.mkdir()
            make(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def demo_set(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The demo span set (read only: a test that changes files copies them first)."""

    def make(out: Path) -> None:
        generate(out, spans=DEMO_SPANS, seed=DEMO_SEED)

    return _made_once(tmp_path_factory, worker_id, "demo", make)


@pytest.fixture(scope="session")
def built(demo_set: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> DbtProject:
    """The demo set and its provider reports built once on a DuckDB file (unpriced as warn, so every mart builds).
    Built once per session; each worker gets a copy of the file, its logs and target, since dbt commands some tests
    run on it lock the file."""
    spans, reports = str(demo_set / "spans" / "*.json*"), str(demo_set / "provider_reports" / "*.json")

    def build(out: Path) -> None:
        build_demo(spans, out, "e2e", reports, publish=True)

    shared = _made_once(tmp_path_factory, worker_id, "build", build)
    own = tmp_path_factory.mktemp("build")
    shutil.copytree(shared, own, dirs_exist_ok=True)
    return DbtProject(own / "e2e.duckdb", spans, own, reports)
