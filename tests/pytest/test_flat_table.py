"""The flat landing shape (otel_source 'flat_table') stages the same spans as the OTLP files: same marts."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from dbt_runner import DbtProject

KIND_NAMES = {0: "Unspecified", 1: "Internal", 2: "Server", 3: "Client", 4: "Producer", 5: "Consumer"}
STATUS_NAMES = {0: "Unset", 1: "Ok", 2: "Error"}
ARRIVAL_COLUMNS = {"loaded_at", "run_loaded_at"}
MARTS = ["fct_span_costs", "fct_run_costs", "fct_step_costs", "fct_tool_costs", "fct_feature_costs_daily", "fct_tenant_costs_daily", "rpt_unpriced_models"]


def _value(v: dict[str, Any]) -> Any:
    if "intValue" in v:
        return int(v["intValue"])
    for key in ("stringValue", "doubleValue", "boolValue"):
        if key in v:
            return v[key]
    return json.dumps(v.get("arrayValue") or v.get("kvlistValue"))


def _attrs(items: list[dict[str, Any]] | None) -> str:
    return json.dumps({a["key"]: _value(a["value"]) for a in items or []})


def _time(nanos: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(nanos) // 1000 / 1e6, tz=timezone.utc).replace(tzinfo=None, microsecond=int(nanos) // 1000 % 1_000_000)
    except (TypeError, ValueError):
        return None


def flat_rows(spans_dir: Path) -> Iterator[dict[str, Any]]:
    """Each OTLP span as one row of the ClickHouse-exporter shape (kinds and statuses as names)."""
    for path in sorted(spans_dir.iterdir()):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as f:
            for line in f:
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn line has no flat-table equivalent
                for rs in data.get("resourceSpans", []):
                    resource = rs.get("resource", {}).get("attributes", [])
                    service = next((a["value"].get("stringValue") for a in resource if a["key"] == "service.name"), None)
                    for ss in rs.get("scopeSpans", []):
                        for span in ss.get("spans", []):
                            yield {
                                "trace_id": span.get("traceId"),
                                "span_id": span.get("spanId"),
                                "parent_span_id": span.get("parentSpanId") or "",
                                "span_name": span.get("name"),
                                "span_kind": KIND_NAMES.get(span.get("kind", 0), "Unspecified"),
                                "start_time": _time(span.get("startTimeUnixNano")),
                                "end_time": _time(span.get("endTimeUnixNano")),
                                "status_code": STATUS_NAMES.get((span.get("status") or {}).get("code", 0), "Unset"),
                                "service_name": service,
                                "scope_name": ss.get("scope", {}).get("name"),
                                "resource_attributes": _attrs(resource),
                                "span_attributes": _attrs(span.get("attributes")),
                            }


def _rows(project: DbtProject, model: str) -> list[tuple[Any, ...]]:
    cols = [c for (c,) in project.query(
        f"select column_name from information_schema.columns where table_name = '{model}' order by ordinal_position"
    ) if c not in ARRIVAL_COLUMNS]
    return sorted(project.query(f"select {', '.join(cols)} from {model}"), key=repr)


@pytest.fixture(scope="module")
def flat_built(demo_set: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    import duckdb
    import pandas as pd

    work = tmp_path_factory.mktemp("flat")
    project = DbtProject(work / "flat.duckdb", "", work)
    frame = pd.DataFrame(list(flat_rows(demo_set / "spans")))
    con = duckdb.connect(str(project.duckdb_path))
    con.execute("create table otel_spans as select * from frame")
    con.close()
    flat_vars = {"otel_source": "flat_table", "unpriced_severity": "warn"}
    project.run("seed", "--quiet", vars=flat_vars)
    project.run("build", "--exclude", "test_type:unit", vars=flat_vars)
    # a second ordinary build finds nothing new and changes nothing
    project.run("run", vars=flat_vars)
    return project


def test_flat_table_gives_the_same_marts_as_otlp_files(flat_built: DbtProject, built: DbtProject) -> None:
    for model in MARTS:
        flat, files = _rows(flat_built, model), _rows(built, model)
        assert flat == files, f"{model}: flat_table differs from otlp_files ({len(flat)} vs {len(files)} rows)"
    assert flat_built.query("select count(*) from fct_span_costs")[0][0] > 0


def test_flat_table_quarantines_bad_rows(flat_built: DbtProject, demo_set: Path) -> None:
    manifest = json.loads((demo_set / "truth" / "manifest.json").read_text())
    (quarantined,) = flat_built.query("select count(*) from stg_otel__quarantine")[0]
    assert quarantined == manifest["bad_spans"] > 0
