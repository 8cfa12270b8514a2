from __future__ import annotations

from pathlib import Path

import pytest

from dbt_runner import DbtProject, build_demo
from llm_cost.generate import generate

DEMO_SPANS = 4000
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, spans=DEMO_SPANS, seed=DEMO_SEED)
    return out


@pytest.fixture(scope="session")
def built(demo_set: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The demo set and its provider reports built once on a DuckDB file of its own (unpriced as warn, so every
    mart builds)."""
    return build_demo(str(demo_set / "spans" / "*.json*"), tmp_path_factory.mktemp("build"), "e2e",
                      str(demo_set / "provider_reports" / "*.json"))
