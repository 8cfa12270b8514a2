"""OTLP JSON files -> the flat landing shape (docs/contract.md section 2, ``otel_source: flat_table``).

One row per span, shaped like the OpenTelemetry Collector's ClickHouse exporter: kinds and statuses as
names, attributes as a flat JSON object of key -> scalar. ``load_bigquery`` sends the rows to a BigQuery
table with one load job per file batch (no streaming inserts, so no streaming-buffer cost or delay).
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

KIND_NAMES = {0: "Unspecified", 1: "Internal", 2: "Server", 3: "Client", 4: "Producer", 5: "Consumer"}
STATUS_NAMES = {0: "Unset", 1: "Ok", 2: "Error"}

# BigQuery schema of the flat table: (name, type, mode).
BIGQUERY_SCHEMA: list[tuple[str, str, str]] = [
    ("trace_id", "STRING", "NULLABLE"),
    ("span_id", "STRING", "NULLABLE"),
    ("parent_span_id", "STRING", "NULLABLE"),
    ("span_name", "STRING", "NULLABLE"),
    ("span_kind", "STRING", "NULLABLE"),
    ("start_time", "TIMESTAMP", "NULLABLE"),
    ("end_time", "TIMESTAMP", "NULLABLE"),
    ("status_code", "STRING", "NULLABLE"),
    ("service_name", "STRING", "NULLABLE"),
    ("scope_name", "STRING", "NULLABLE"),
    ("resource_attributes", "JSON", "NULLABLE"),
    ("span_attributes", "JSON", "NULLABLE"),
    ("_loaded_at", "TIMESTAMP", "NULLABLE"),
]


class FlatError(Exception):
    """A user error (bad path, unreachable warehouse): printed as one line, no traceback."""


def _value(v: dict[str, Any]) -> Any:
    if "intValue" in v:
        return int(v["intValue"])
    for key in ("stringValue", "doubleValue", "boolValue"):
        if key in v:
            return v[key]
    # arrays and maps are kept as their JSON text, as the ClickHouse exporter's Map(String, String) does
    return json.dumps(v.get("arrayValue") or v.get("kvlistValue"))


def _attrs(items: list[dict[str, Any]] | None) -> str:
    return json.dumps({a["key"]: _value(a.get("value", {})) for a in items or [] if "key" in a})


def _time(nanos: Any) -> datetime | None:
    try:
        n = int(nanos)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(n // 1_000_000_000, tz=UTC).replace(tzinfo=None, microsecond=n // 1000 % 1_000_000)


def span_files(spans: Path) -> list[Path]:
    """The OTLP files of a directory (``.json``, ``.jsonl``, optionally gzipped), or the one file given."""
    if spans.is_file():
        return [spans]
    if not spans.is_dir():
        raise FlatError(f"no such file or directory: {spans}")
    files = sorted(p for p in spans.iterdir() if p.name.endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz")))
    if not files:
        raise FlatError(f"no .json/.jsonl(.gz) files in {spans}")
    return files


def flat_rows(files: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Each OTLP span as one flat row. A line that is not JSON has no flat equivalent and is skipped
    (the collector's warehouse exporters drop it too); a span without ids or times is kept, so the
    warehouse quarantines it with a reason."""
    for path in files:
        opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as f:
            for line in f:
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue
                for rs in data.get("resourceSpans", []):
                    resource = rs.get("resource", {}).get("attributes", [])
                    service = next((a["value"].get("stringValue") for a in resource
                                    if a.get("key") == "service.name"), None)
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


def _ndjson_line(row: dict[str, Any], loaded_at: str) -> bytes:
    out = {k: (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in row.items()}
    # a JSON column takes the object itself in NDJSON (a string would be stored as a JSON string)
    out["resource_attributes"] = json.loads(row["resource_attributes"])
    out["span_attributes"] = json.loads(row["span_attributes"])
    out["_loaded_at"] = loaded_at
    return json.dumps(out).encode() + b"\n"


def load_bigquery(
    files: list[Path],
    table: str,
    *,
    api_endpoint: str | None = None,
    batch_rows: int = 50_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append the spans of ``files`` to BigQuery table ``project.dataset.table`` (created when missing,
    partitioned by day of ``_loaded_at``), every row stamped with this load's ``_loaded_at``."""
    from google.api_core import exceptions as gexc
    from google.cloud import bigquery

    from llm_cost.bigquery_client import bigquery_client

    client = bigquery_client(table, api_endpoint, FlatError)
    schema = [bigquery.SchemaField(n, t, mode=m) for n, t, m in BIGQUERY_SCHEMA]
    config = bigquery.LoadJobConfig(
        schema=schema,
        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
        write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        create_disposition=bigquery.CreateDisposition.CREATE_IF_NEEDED,
        time_partitioning=bigquery.TimePartitioning(field="_loaded_at"),
    )
    loaded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    total = 0
    batch: list[bytes] = []  # NDJSON lines of the next load job

    def flush() -> None:
        nonlocal total
        if not batch:
            return
        try:
            client.load_table_from_file(io.BytesIO(b"".join(batch)), table, job_config=config).result()
        except gexc.GoogleAPICallError as exc:
            raise FlatError(f"BigQuery load into {table} failed: {exc.message}") from None
        total += len(batch)
        batch.clear()
        if progress:
            progress(total)

    for row in flat_rows(files):
        batch.append(_ndjson_line(row, loaded_at))
        if len(batch) >= batch_rows:
            flush()
    flush()
    return total
