"""Provider usage and cost reports, fetched page by page (``llm-cost reports fetch``; README "Provider reports").

Each report is read from the provider's admin API and every response page is written to its own file exactly as it
was received (bytes), for the dbt models to read (var ``provider_reports_path``, models/staging/provider_reports):

- OpenAI organization Usage API (completions, embeddings) and Costs API: ``GET /v1/organization/usage/completions``,
  ``/v1/organization/usage/embeddings``, ``/v1/organization/costs``; ``Authorization: Bearer $OPENAI_ADMIN_KEY``.
- Anthropic Admin API: ``GET /v1/organizations/usage_report/messages`` and ``/v1/organizations/cost_report``;
  ``x-api-key: $ANTHROPIC_ADMIN_KEY``, ``anthropic-version: 2023-06-01``.

Daily buckets (``bucket_width=1d``) from ``--start`` to ``--end`` (both UTC days, inclusive), paged through
``has_more`` / ``next_page`` (sent back as ``page``). A file is named
``<report>_<start>_<end>_<fetched at>_p<page>.json``: the fetch time (UTC, to the microsecond) is how the models
count a day fetched again from its newest fetch only. A report's pages are written once all of them arrived, so an
interrupted fetch leaves no partial report behind. The request parameters and the response shapes are those of the
providers' API references (docs/provider_reports.md). Standard library only (urllib).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

PROVIDERS = ("openai", "anthropic")
DEFAULT_BASE_URLS = {"openai": "https://api.openai.com", "anthropic": "https://api.anthropic.com"}
KEY_ENV = {"openai": "OPENAI_ADMIN_KEY", "anthropic": "ANTHROPIC_ADMIN_KEY"}
ANTHROPIC_VERSION = "2023-06-01"
# HTTP statuses worth another try (rate limited, or the server had a moment), and how often
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
RETRIES = 3
MAX_RETRY_DELAY_SECONDS = 60.0
MAX_PAGES = 10_000  # a guard against a server that never stops saying has_more
FETCHED_AT_FORMAT = "%Y%m%dT%H%M%S%fZ"


class ReportError(Exception):
    """A user or API error: printed as one line, no traceback."""


@dataclass(frozen=True)
class Report:
    """One report endpoint: its name in the models, path, the group_by[] values sent and the largest limit (buckets
    per page) the endpoint takes with bucket_width=1d."""

    provider: str
    kind: str
    path: str
    group_by: tuple[str, ...]
    max_limit: int

    def params(self, start: date, end: date) -> list[tuple[str, str]]:
        """The query of the first page: daily buckets of the days start..end (inclusive)."""
        after_end = end + timedelta(days=1)
        if self.provider == "openai":
            window = [("start_time", str(_unix(start))), ("end_time", str(_unix(after_end)))]
        else:
            window = [("starting_at", _rfc3339(start)), ("ending_at", _rfc3339(after_end))]
        limit = min((after_end - start).days, self.max_limit)
        return [*window, ("bucket_width", "1d"), ("limit", str(limit)),
                *(("group_by[]", g) for g in self.group_by)]


# group_by[]: what each endpoint accepts (docs/provider_reports.md), less the user (OpenAI user_id, Anthropic account
# ids: a row per person is not what reconciliation needs) and the extras a newer API added (inference_geo, speed).
REPORTS: dict[str, tuple[Report, ...]] = {
    "openai": (
        Report("openai", "openai_usage_completions", "/v1/organization/usage/completions",
               ("model", "project_id", "api_key_id", "batch", "service_tier"), 31),
        Report("openai", "openai_usage_embeddings", "/v1/organization/usage/embeddings",
               ("model", "project_id", "api_key_id"), 31),
        Report("openai", "openai_costs", "/v1/organization/costs", ("project_id", "line_item"), 180),
    ),
    "anthropic": (
        Report("anthropic", "anthropic_usage_messages", "/v1/organizations/usage_report/messages",
               ("model", "workspace_id", "api_key_id", "service_tier", "context_window"), 31),
        Report("anthropic", "anthropic_cost_report", "/v1/organizations/cost_report",
               ("workspace_id", "description"), 31),
    ),
}


def _unix(day: date) -> int:
    return int(datetime.combine(day, dtime(0), tzinfo=UTC).timestamp())


def _rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def parse_day(text: str) -> date:
    """A UTC day written YYYY-MM-DD (argparse type)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a day YYYY-MM-DD: {text!r}")


def admin_key(provider: str, environ: dict[str, str] | None = None) -> str:
    """The provider's admin key from the environment; a ReportError naming the variable when it is missing."""
    name = KEY_ENV[provider]
    key = (environ if environ is not None else os.environ).get(name, "").strip()
    if not key:
        kind = "an OpenAI organization Admin API key (sk-admin-...)" if provider == "openai" else \
            "an Anthropic Admin API key (sk-ant-admin...)"
        raise ReportError(f"{name} is not set: export {kind}; the usage and cost endpoints refuse project keys")
    return key


def page_file_name(report: Report, start: date, end: date, fetched_at: datetime, page: int) -> str:
    fetched = fetched_at.strftime(FETCHED_AT_FORMAT)
    return f"{report.kind}_{start.isoformat()}_{end.isoformat()}_{fetched}_p{page:03d}.json"


def _api_message(body: bytes) -> str:
    """The error message of an API error body (OpenAI and Anthropic both send {"error": {"message": ...}})."""
    try:
        doc = json.loads(body)
        message = doc["error"]["message"] if isinstance(doc.get("error"), dict) else doc.get("error")
        if message:
            return str(message)
    except (ValueError, AttributeError, KeyError, TypeError):
        pass
    return body[:300].decode("utf-8", "replace").strip() or "(empty body)"


class Client:
    """GET requests to one provider's API with its auth headers, retrying rate limits and server errors."""

    def __init__(self, provider: str, key: str, base_url: str | None = None, *, timeout: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.provider = provider
        self.base_url = (base_url or DEFAULT_BASE_URLS[provider]).rstrip("/")
        if provider == "openai":
            self.headers = {"Authorization": f"Bearer {key}"}
        else:
            self.headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
        self.headers.update({"Accept": "application/json", "User-Agent": "llm-cost reports fetch"})
        self.timeout = timeout
        self.sleep = sleep

    def get(self, path: str, params: list[tuple[str, str]]) -> bytes:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        for attempt in range(RETRIES + 1):
            request = urllib.request.Request(url, headers=self.headers, method="GET")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body: bytes = response.read()
                    return body
            except urllib.error.HTTPError as exc:
                body = exc.read()
                if exc.code in RETRY_STATUSES and attempt < RETRIES:
                    self.sleep(_retry_delay(exc.headers.get("Retry-After"), attempt))
                    continue
                hint = (f" (is {KEY_ENV[self.provider]} an admin key of the organization?)"
                        if exc.code in (401, 403) else "")
                raise ReportError(f"GET {self.base_url}{path}: HTTP {exc.code}: {_api_message(body)}{hint}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt < RETRIES:
                    self.sleep(_retry_delay(None, attempt))
                    continue
                reason = getattr(exc, "reason", exc)
                raise ReportError(f"GET {self.base_url}{path}: {reason}") from None
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_delay(retry_after: str | None, attempt: int) -> float:
    try:
        delay = float(retry_after) if retry_after else 2.0 ** attempt
    except ValueError:
        delay = 2.0 ** attempt
    return min(max(delay, 0.0), MAX_RETRY_DELAY_SECONDS)


def fetch_pages(client: Client, report: Report, start: date, end: date,
                progress: Callable[[str], None] | None = None) -> list[bytes]:
    """Every page of one report for start..end, as received, following has_more / next_page."""
    pages: list[bytes] = []
    cursor: str | None = None
    seen: set[str] = set()
    last_end: datetime | None = None
    while True:
        params = report.params(start, end) + ([("page", cursor)] if cursor is not None else [])
        body = client.get(report.path, params)
        pages.append(body)
        n = len(pages)
        try:
            doc: Any = json.loads(body)
        except ValueError:
            raise ReportError(f"{report.kind}: page {n} is not JSON ({body[:80]!r}...): cannot follow its "
                              "next_page; nothing written for this report") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ReportError(f"{report.kind}: page {n} has no data[] (not a {report.kind} page?); "
                              "nothing written for this report")
        ends = [e for e in (_bucket_end(b) for b in doc["data"]) if e is not None]
        last_end = max([*ends, *([last_end] if last_end else [])], default=None)
        if progress:
            lines = sum(len(b.get("results") or []) for b in doc["data"] if isinstance(b, dict))
            progress(f"{report.kind}: page {n}: {len(doc['data'])} buckets, {lines} lines")
        if not doc.get("has_more"):
            asked = datetime.combine(end + timedelta(days=1), dtime(0), tzinfo=UTC)
            if progress and last_end is not None and last_end < asked:
                progress(f"{report.kind}: warning: the buckets end at {last_end:%Y-%m-%d %H:%M}Z, the days asked for "
                         f"at {asked:%Y-%m-%d %H:%M}Z: the last days are not in this fetch")
            return pages
        next_page = doc.get("next_page")
        if not next_page:
            raise ReportError(f"{report.kind}: page {n} says has_more but gives no next_page")
        cursor = str(next_page)
        if cursor in seen or n >= MAX_PAGES:
            raise ReportError(f"{report.kind}: the API keeps returning more pages (cursor {cursor!r} again, "
                              f"or over {MAX_PAGES} pages)")
        seen.add(cursor)


def _bucket_end(bucket: Any) -> datetime | None:
    """A bucket's end (OpenAI end_time, unix seconds; Anthropic ending_at, RFC 3339), None when unreadable."""
    if not isinstance(bucket, dict):
        return None
    try:
        if "end_time" in bucket:
            return datetime.fromtimestamp(int(bucket["end_time"]), tz=UTC)
        return datetime.fromisoformat(str(bucket["ending_at"]).replace("Z", "+00:00")).astimezone(UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def write_pages(out: Path, report: Report, start: date, end: date, fetched_at: datetime,
                pages: list[bytes]) -> list[Path]:
    """Each page to its own file, bytes as received; each written under a hidden temporary name and renamed, so
    a build reading the folder meanwhile never sees half a page."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, body in enumerate(pages, start=1):
        path = out / page_file_name(report, start, end, fetched_at, n)
        partial = out / f".{path.name}.part"
        partial.write_bytes(body)
        os.replace(partial, path)
        written.append(path)
    return written


def fetch_reports(provider: str, start: date, end: date, out: Path, *, key: str, base_url: str | None = None,
                  now: datetime | None = None, progress: Callable[[str], None] | None = None,
                  sleep: Callable[[float], None] = time.sleep) -> dict[str, list[Path]]:
    """Fetch every report of a provider for start..end (inclusive UTC days) into out; the files by report."""
    if provider not in REPORTS:
        raise ReportError(f"unknown provider {provider!r}: one of {', '.join(PROVIDERS)}")
    if end < start:
        raise ReportError(f"--end {end} is before --start {start}")
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out} exists and is not a directory")
    fetched_at = (now or datetime.now(UTC)).astimezone(UTC)
    client = Client(provider, key, base_url, sleep=sleep)
    written: dict[str, list[Path]] = {}
    for report in REPORTS[provider]:
        pages = fetch_pages(client, report, start, end, progress)
        written[report.kind] = write_pages(out, report, start, end, fetched_at, pages)
    return written


# --- the BigQuery path: the pages into a landing table (provider_reports_source 'table') -------------------------

# BigQuery schema of the landing table: (name, type, mode); the source provider_reports.pages.
BIGQUERY_SCHEMA: list[tuple[str, str, str]] = [
    ("file_name", "STRING", "REQUIRED"),
    ("fetched_at", "TIMESTAMP", "REQUIRED"),
    ("page", "STRING", "NULLABLE"),
]
_FETCHED_AT_IN_NAME = re.compile(r"_(\d{8}T\d{12}Z)_p\d+\.json$")


def page_files(pages: Path) -> list[Path]:
    """The page files of a folder (``*.json``, hidden temporary files aside), or the one file given."""
    if pages.is_file():
        return [pages]
    if not pages.is_dir():
        raise ReportError(f"no such file or directory: {pages}")
    files = sorted(p for p in pages.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
    if not files:
        raise ReportError(f"no .json page files in {pages}")
    return files


def fetched_at_of(path: Path) -> datetime:
    """When a page was fetched: from its name (llm-cost reports fetch), else its modification time (UTC), as the
    files path of the models reads it."""
    match = _FETCHED_AT_IN_NAME.search(path.name)
    if match:
        return datetime.strptime(match.group(1), FETCHED_AT_FORMAT).replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def page_rows(files: list[Path]) -> list[dict[str, Any]]:
    """One landing row per page file: its name, fetch time and text (null when the file is not UTF-8, which the
    models quarantine like the files path does)."""
    rows = []
    for path in files:
        try:
            page: str | None = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            page = None
        rows.append({"file_name": path.name, "fetched_at": fetched_at_of(path).replace(tzinfo=None)
                     .isoformat(sep=" "), "page": page})
    return rows


def load_bigquery(files: list[Path], table: str, *, api_endpoint: str | None = None) -> tuple[int, int]:
    """Append the page files not in ``project.dataset.table`` yet (by file name; the table is created when
    missing) with one load job; (pages loaded, pages already there)."""
    from google.api_core import exceptions as gexc
    from google.cloud import bigquery

    from llm_cost.bigquery_client import bigquery_client

    client = bigquery_client(table, api_endpoint, ReportError)
    try:
        try:
            loaded = {row[0] for row in client.query(f"select distinct file_name from `{table}`").result()}
        except gexc.NotFound:
            loaded = set()
        rows = [row for row in page_rows(files) if row["file_name"] not in loaded]
        if rows:
            config = bigquery.LoadJobConfig(
                schema=[bigquery.SchemaField(n, t, mode=m) for n, t, m in BIGQUERY_SCHEMA],
                source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
                write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
                create_disposition=bigquery.CreateDisposition.CREATE_IF_NEEDED,
            )
            data = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
            client.load_table_from_file(io.BytesIO(data), table, job_config=config).result()
    except gexc.GoogleAPICallError as exc:
        raise ReportError(f"BigQuery load into {table} failed: {exc.message}") from None
    return len(rows), len(files) - len(rows)
