"""The build state is a model of the DAG (README "Incremental builds"): llm_cost_build_state refs every fct_ mart,
so dbt builds it, and the state advances, only when all of them were built. A new mart left out of its refs would
let the state advance past a build in which that mart failed; this test fails instead. The same holds for the
published copy (python_models/llm_cost_publish) and every fct_ and rpt_ model."""

from __future__ import annotations

import json
from pathlib import Path

from dbt_runner import DbtProject


def test_build_state_refs_every_fct_mart_and_the_batch(tmp_path: Path) -> None:
    project = DbtProject(tmp_path / "unused.duckdb", "unused/*.json", tmp_path)
    project.run("parse")
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    marts = {name for name in models if name.startswith("fct_")}
    parents = {node_id.split(".")[-1] for node_id in models["llm_cost_build_state"]["depends_on"]["nodes"]}
    assert len(marts) >= 6
    assert marts - parents == set(), "llm_cost_build_state must ref every fct_ mart"
    assert {"int_build_batch", "int_spans__in_batch"} <= parents
    # no hook records anything outside the DAG
    project_config = (Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text()
    assert "on-run-end" not in project_config
    # the published copy (disabled without publish_path) refs every mart and report, so it runs after all of them
    (publish,) = [n for nodes in manifest["disabled"].values() for n in nodes if n["name"] == "llm_cost_publish"]
    published = {ref["name"] for ref in publish["refs"]}
    assert {name for name in models if name.startswith(("fct_", "rpt_"))} - published == set()
    assert "llm_cost_build_state" in published

    # the semantic layer (models/semantic) passed dbt's semantic validation at parse time, time spine included
    semantic = json.loads((tmp_path / "target" / "semantic_manifest.json").read_text())
    metrics = {m["name"]: m for m in semantic["metrics"]}
    assert {"cost", "effective_cost", "calls", "runs", "cost_per_run", "cost_per_call", "unpriced_calls",
            "unpriced_tokens", "cache_hit_ratio", "cache_saved", "cost_drift", "retry_cost"} <= set(metrics)
    assert metrics["cost_per_run"]["type"] == "ratio"
    assert semantic["project_configuration"]["time_spines"][0]["node_relation"]["alias"] == "metricflow_time_spine"
