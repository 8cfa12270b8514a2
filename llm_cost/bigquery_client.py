"""The BigQuery client of the loaders (`load-bigquery`, `reports load-bigquery`): one table argument, one endpoint."""

from __future__ import annotations

from typing import Any


def bigquery_client(table: str, api_endpoint: str | None, error: type[Exception]) -> Any:
    """A client for the project of ``project.dataset.table`` (``error`` when it is not that shape): anonymous on an
    emulator's ``api_endpoint``, the environment's credentials otherwise."""
    from google.cloud import bigquery

    parts = table.split(".")
    if len(parts) != 3 or not all(parts):
        raise error(f"--table must be project.dataset.table, got {table!r}")
    if api_endpoint:
        from google.auth.credentials import AnonymousCredentials

        return bigquery.Client(project=parts[0], credentials=AnonymousCredentials(),
                               client_options={"api_endpoint": api_endpoint})
    return bigquery.Client(project=parts[0])
