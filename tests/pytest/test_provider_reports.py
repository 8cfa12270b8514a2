"""Provider usage and cost reports (issue 13, README "Provider reports"): `llm-cost reports fetch` pages through a
loopback fake of the OpenAI and Anthropic admin APIs (the real paths, parameters and response shapes) and writes
every page as received; a dbt build of the provider report models loads them with the exact totals; a malformed
page is quarantined with its reason while the rest load; a day fetched again counts once, from its newest fetch;
a glob matching nothing is no error; a missing admin key is a clear error, exit code 2.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dbt_runner import PROJECT_DIR, DbtProject
from llm_cost import provider_reports as pr

OPENAI_KEY = "sk-admin-test-openai"
ANTHROPIC_KEY = "sk-ant-admin-test"
BUCKETS_PER_PAGE = 2  # the fake pages every report: a 5-day fetch is 3 pages
DAYS = [date(2025, 6, d) for d in range(1, 6)]
REFETCHED = DAYS[3:]  # fetched again later, with the numbers the provider settled on
MODELS = "stg_provider_reports__*"


def _dumps(obj: Any) -> bytes:
    """JSON with Decimals written as JSON numbers of their exact text (as an API would)."""
    marked = json.dumps(obj, default=lambda d: f"@@{d}@@")
    return re.sub(r'"@@([^@]+)@@"', r"\1", marked).encode()


def _results(kind: str, day: date, version: int) -> list[dict[str, Any]]:
    """The result lines of one daily bucket; version 2 is what a later fetch of a day sees."""
    d, v = day.day, version
    if kind == "openai_usage_completions":
        return [
            {"object": "organization.usage.completions.result", "input_tokens": 1000 * d + v,
             "output_tokens": 300 * d + v, "input_cached_tokens": 200 * d, "input_audio_tokens": 0,
             "output_audio_tokens": 0, "num_model_requests": 10 + d + v, "project_id": "proj_a", "user_id": None,
             "api_key_id": "key_a", "model": "gpt-4o-2024-08-06", "batch": False, "service_tier": "default"},
            {"object": "organization.usage.completions.result", "input_tokens": 50 * d, "output_tokens": 7 * v,
             "input_cached_tokens": 0, "input_audio_tokens": 3, "output_audio_tokens": 4,
             "num_model_requests": 2, "project_id": "proj_b", "user_id": None, "api_key_id": "key_b",
             "model": "gpt-4o-mini-2024-07-18", "batch": True, "service_tier": "default"},
        ]
    if kind == "openai_usage_embeddings":
        if d == 2:
            return []  # a day without embeddings: an empty bucket
        return [{"object": "organization.usage.embeddings.result", "input_tokens": 40 * d + v,
                 "num_model_requests": d, "project_id": "proj_a", "user_id": None, "api_key_id": "key_a",
                 "model": "text-embedding-3-small"}]
    if kind == "openai_costs":
        return [
            # 20 significant digits: a double would not hold them
            {"object": "organization.costs.result",
             "amount": {"value": Decimal(f"{d}2345678.1234567890{v}{d}"), "currency": "usd"},
             "line_item": "gpt-4o-2024-08-06, input", "project_id": "proj_a"},
            {"object": "organization.costs.result", "amount": {"value": Decimal(f"0.0{d}{v}"), "currency": "usd"},
             "line_item": "gpt-4o-2024-08-06, output", "project_id": "proj_a"},
        ]
    if kind == "anthropic_usage_messages":
        return [
            {"uncached_input_tokens": 1500 * d + v, "cache_creation": {"ephemeral_1h_input_tokens": 100 * d,
                                                                       "ephemeral_5m_input_tokens": 50 * d + v},
             "cache_read_input_tokens": 200 * d, "output_tokens": 500 * d + v,
             "server_tool_use": {"web_search_requests": d}, "api_key_id": "apikey_01", "workspace_id": "wrkspc_01",
             "model": "claude-sonnet-4-20250514", "service_tier": "standard", "context_window": "0-200k"},
            {"uncached_input_tokens": 10 * d, "cache_creation": {"ephemeral_1h_input_tokens": 0,
                                                                 "ephemeral_5m_input_tokens": 0},
             "cache_read_input_tokens": 0, "output_tokens": 20 * v, "server_tool_use": {"web_search_requests": 0},
             "api_key_id": "apikey_02", "workspace_id": None, "model": "claude-3-5-haiku-20241022",
             "service_tier": "batch", "context_window": "0-200k"},
        ]
    if kind == "anthropic_cost_report":
        # lowest currency units (cents) as a decimal string
        return [
            {"amount": f"{d}23456.123456789{v}", "context_window": "0-200k", "cost_type": "tokens",
             "currency": "USD", "description": "Claude Sonnet 4 Usage - Input Tokens",
             "model": "claude-sonnet-4-20250514", "service_tier": "standard", "token_type": "uncached_input_tokens",
             "workspace_id": "wrkspc_01"},
            {"amount": f"{v}0.5", "context_window": None, "cost_type": "web_search", "currency": "USD",
             "description": "Web Search", "model": None, "service_tier": None, "token_type": None,
             "workspace_id": "wrkspc_01"},
        ]
    raise AssertionError(kind)


PATHS = {report.path: report for reports in pr.REPORTS.values() for report in reports}


@dataclass
class FakeAdminAPI:
    """The admin endpoints on loopback: the real paths, auth headers and page shapes, BUCKETS_PER_PAGE daily buckets
    per page, an opaque next_page cursor; version 2 of a day once it was refetched."""

    version: int = 1
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    served: list[bytes] = field(default_factory=list)
    fail_first: int = 0  # answer this many requests 429 first (Retry-After: 0)
    short_by_a_day: bool = False  # leave out the last day asked for (an API reading ending_at as exclusive)
    url: str = ""

    def page(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, bytes]:
        report = PATHS.get(path)
        if report is None:
            return 404, b'{"error": {"message": "not found"}}'
        if report.provider == "openai":
            if headers.get("authorization") != f"Bearer {OPENAI_KEY}":
                return 401, b'{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}'
            start = datetime.fromtimestamp(int(query["start_time"][0]), tz=UTC).date()
            end = datetime.fromtimestamp(int(query["end_time"][0]), tz=UTC).date()
        else:
            if headers.get("x-api-key") != ANTHROPIC_KEY or headers.get("anthropic-version") != "2023-06-01":
                return 401, (b'{"type": "error", "error": {"type": "authentication_error", '
                             b'"message": "invalid x-api-key"}}')
            start = date.fromisoformat(query["starting_at"][0][:10])
            end = date.fromisoformat(query["ending_at"][0][:10])
        days = [start + timedelta(days=i) for i in range((end - start).days - self.short_by_a_day)]
        offset = int(query["page"][0].removeprefix("page_")) if "page" in query else 0
        chunk = days[offset: offset + BUCKETS_PER_PAGE]
        more = offset + BUCKETS_PER_PAGE < len(days)
        cursor = f"page_{offset + BUCKETS_PER_PAGE}" if more else None
        buckets = []
        for day in chunk:
            version = self.version if day in REFETCHED else 1
            t0 = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
            if report.provider == "openai":
                buckets.append({"object": "bucket", "start_time": t0, "end_time": t0 + 86400,
                                "results": _results(report.kind, day, version)})
            else:
                buckets.append({"starting_at": f"{day}T00:00:00Z", "ending_at": f"{day + timedelta(days=1)}T00:00:00Z",
                                "results": _results(report.kind, day, version)})
        page: dict[str, Any] = {"data": buckets, "has_more": more, "next_page": cursor}
        if report.provider == "openai":
            page = {"object": "page", **page}
        return 200, _dumps(page)


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeAdminAPI]:
    api = FakeAdminAPI()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {k.lower(): v for k, v in self.headers.items()}
            api.requests.append((parts.path, query, headers))
            if api.fail_first > 0:
                api.fail_first -= 1
                status, body = 429, b'{"error": {"message": "rate limited"}}'
                self.send_response(status)
                self.send_header("Retry-After", "0")
            else:
                status, body = api.page(parts.path, query, headers)
                self.send_response(status)
                if status == 200:
                    api.served.append(body)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in pr.KEY_ENV.values()}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "llm_cost", *args], cwd=PROJECT_DIR, env=full_env,
                          capture_output=True, text=True, timeout=120)


def _fetch(api: FakeAdminAPI, provider: str, start: date, end: date, out: Path) -> subprocess.CompletedProcess[str]:
    key = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY}[provider]
    done = _cli("reports", "fetch", "--provider", provider, "--start", str(start), "--end", str(end),
                "--out", str(out), "--base-url", api.url, env={pr.KEY_ENV[provider]: key})
    assert done.returncode == 0, done.stderr
    return done


# --- the fetch alone -------------------------------------------------------------------------------------------

def test_fetch_pages_through_the_real_endpoints_and_writes_each_page_as_received(
        fake_api: FakeAdminAPI, tmp_path: Path) -> None:
    fake_api.requests.clear()
    fake_api.served.clear()
    done = _fetch(fake_api, "openai", DAYS[0], DAYS[-1], tmp_path)
    files = sorted(tmp_path.iterdir())
    # 3 reports x 3 pages (5 days, 2 buckets a page); nothing else (no temporary file left)
    assert len(files) == 9, [f.name for f in files]
    names = [f.name for f in files]
    assert all(re.fullmatch(r"openai_(usage_completions|usage_embeddings|costs)_2025-06-01_2025-06-05_"
                            r"\d{8}T\d{12}Z_p00[123]\.json", n) for n in names), names
    assert len({re.findall(r"\d{8}T\d{12}Z", n)[0] for n in names}) == 1, "one fetch time for the whole run"
    # bytes as received, page for page
    assert sorted(f.read_bytes() for f in files) == sorted(fake_api.served)
    assert "page 3" in done.stderr and "fetched 9 pages" in done.stdout

    by_path: dict[str, list[dict[str, list[str]]]] = {}
    for path, query, headers in fake_api.requests:
        assert headers["authorization"] == f"Bearer {OPENAI_KEY}"
        by_path.setdefault(path, []).append(query)
    assert set(by_path) == {"/v1/organization/usage/completions", "/v1/organization/usage/embeddings",
                            "/v1/organization/costs"}
    first, second, third = by_path["/v1/organization/usage/completions"]
    assert first["start_time"] == ["1748736000"] and first["end_time"] == ["1749168000"]  # 2025-06-01, 06-06 00:00Z
    assert first["bucket_width"] == ["1d"] and first["limit"] == ["5"]
    assert first["group_by[]"] == ["model", "project_id", "api_key_id", "batch", "service_tier"]
    assert "page" not in first and second["page"] == ["page_2"] and third["page"] == ["page_4"]
    assert by_path["/v1/organization/usage/embeddings"][0]["group_by[]"] == ["model", "project_id", "api_key_id"]
    assert by_path["/v1/organization/costs"][0]["group_by[]"] == ["project_id", "line_item"]


def test_fetch_anthropic_sends_its_headers_and_rfc3339_window(fake_api: FakeAdminAPI, tmp_path: Path) -> None:
    fake_api.requests.clear()
    _fetch(fake_api, "anthropic", DAYS[0], DAYS[1], tmp_path)
    assert len(list(tmp_path.glob("anthropic_usage_messages_*_p001.json"))) == 1
    assert len(list(tmp_path.glob("anthropic_cost_report_*_p001.json"))) == 1
    paths = [path for path, _, _ in fake_api.requests]
    assert paths == ["/v1/organizations/usage_report/messages", "/v1/organizations/cost_report"]
    (_, usage, headers), (_, cost, _) = fake_api.requests
    assert headers["x-api-key"] == ANTHROPIC_KEY and headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers
    assert usage["starting_at"] == ["2025-06-01T00:00:00Z"] and usage["ending_at"] == ["2025-06-03T00:00:00Z"]
    assert usage["bucket_width"] == ["1d"] and usage["limit"] == ["2"]
    assert usage["group_by[]"] == ["model", "workspace_id", "api_key_id", "service_tier", "context_window"]
    assert cost["group_by[]"] == ["workspace_id", "description"]


def test_missing_admin_key_is_a_clear_error_exit_2(tmp_path: Path) -> None:
    for provider, name in pr.KEY_ENV.items():
        done = _cli("reports", "fetch", "--provider", provider, "--start", "2025-06-01", "--end", "2025-06-02",
                    "--out", str(tmp_path / provider), "--base-url", "http://127.0.0.1:9")
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"llm_cost reports fetch: error: {name} is not set"), done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
        assert not (tmp_path / provider).exists()


def test_bad_days_are_usage_errors(tmp_path: Path) -> None:
    done = _cli("reports", "fetch", "--provider", "openai", "--start", "2025-6-1", "--end", "2025-06-02",
                "--out", str(tmp_path))
    assert done.returncode == 2 and "not a day YYYY-MM-DD: '2025-6-1'" in done.stderr
    done = _cli("reports", "fetch", "--provider", "openai", "--start", "2025-06-03", "--end", "2025-06-02",
                "--out", str(tmp_path), env={"OPENAI_ADMIN_KEY": OPENAI_KEY})
    assert done.returncode == 1 and "--end 2025-06-02 is before --start 2025-06-03" in done.stderr
    assert "Traceback" not in done.stderr


def test_refused_key_is_one_line_exit_1_and_writes_nothing(fake_api: FakeAdminAPI, tmp_path: Path) -> None:
    done = _cli("reports", "fetch", "--provider", "anthropic", "--start", "2025-06-01", "--end", "2025-06-01",
                "--out", str(tmp_path / "out"), "--base-url", fake_api.url, env={"ANTHROPIC_ADMIN_KEY": "sk-wrong"})
    assert done.returncode == 1
    assert "HTTP 401: invalid x-api-key (is ANTHROPIC_ADMIN_KEY an admin key of the organization?)" in done.stderr
    assert "Traceback" not in done.stderr and "sk-wrong" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_rate_limited_requests_are_retried(fake_api: FakeAdminAPI, tmp_path: Path) -> None:
    fake_api.fail_first = 2
    sleeps: list[float] = []
    written = pr.fetch_reports("openai", DAYS[0], DAYS[0], tmp_path, key=OPENAI_KEY, base_url=fake_api.url,
                               sleep=sleeps.append)
    assert sleeps == [0.0, 0.0]  # Retry-After: 0
    assert [len(files) for files in written.values()] == [1, 1, 1]


def test_a_fetch_that_stops_short_of_the_last_day_says_so(fake_api: FakeAdminAPI, tmp_path: Path) -> None:
    fake_api.short_by_a_day = True
    try:
        done = _fetch(fake_api, "anthropic", DAYS[0], DAYS[2], tmp_path)
    finally:
        fake_api.short_by_a_day = False
    assert ("anthropic_usage_messages: warning: the buckets end at 2025-06-03 00:00Z, the days asked for at "
            "2025-06-04 00:00Z: the last days are not in this fetch") in done.stderr


# --- the dbt models on what was fetched ----------------------------------------------------------------------

@dataclass
class Landing:
    out: Path
    project: DbtProject
    stdout: str


LATER = "20991231T000000000000Z"  # a fetch time after every real fetch of the test


@pytest.fixture(scope="module")
def landing(fake_api: FakeAdminAPI, tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """Both providers fetched for 5 days, the last 2 days fetched again later with changed numbers, a page of a
    later fetch of day 1 cut short and a page missing a field (both quarantined), a file that is not JSON; built."""
    out = tmp_path_factory.mktemp("provider_reports")
    fake_api.version = 1
    for provider in pr.PROVIDERS:
        _fetch(fake_api, provider, DAYS[0], DAYS[-1], out)
    fake_api.version = 2
    for provider in pr.PROVIDERS:
        _fetch(fake_api, provider, REFETCHED[0], REFETCHED[-1], out)
    fake_api.version = 1
    # a later fetch of day 1 whose page was cut short: quarantined, day 1 keeps its earlier fetch
    day1 = next(out.glob("openai_usage_completions_2025-06-01_2025-06-05_*_p001.json")).read_bytes()
    (out / f"openai_usage_completions_2025-06-01_2025-06-01_{LATER}_p001.json").write_bytes(day1[: len(day1) // 2])
    # a page of another tool whose line lacks output_tokens
    missing = json.loads(day1)
    del missing["data"][0]["results"][1]["output_tokens"]
    (out / "usage-export.json").write_bytes(json.dumps(missing).encode())
    (out / "notes.json").write_bytes(b"\xff\xfe not text")

    project = DbtProject(tmp_path_factory.mktemp("build") / "reports.duckdb", "unused/*.json",
                         tmp_path_factory.mktemp("logs"))
    done = project.run("build", "--select", MODELS, vars={"provider_reports_path": f"{out}/*.json"})
    return Landing(out, project, done.stdout)


def _expected(kind: str) -> list[dict[str, Any]]:
    return [line for day in DAYS for line in _results(kind, day, 2 if day in REFETCHED else 1)]


def test_every_page_is_read_and_the_bad_ones_quarantined_with_a_reason(landing: Landing) -> None:
    pages = dict(landing.project.query(
        "select regexp_replace(file_name, '.*/', ''), quarantine_reason from stg_provider_reports__pages"))
    # 5 reports: 3 pages for the 5 days and 1 for the 2 days fetched again; and the 3 planted files
    fetched = [n for n in pages if re.search(r"_\d{8}T\d{12}Z_p\d{3}\.json$", n) and LATER not in n]
    assert len(fetched) == 5 * (3 + 1) and len(pages) == len(fetched) + 3
    assert all(pages[n] is None for n in fetched)
    assert pages[f"openai_usage_completions_2025-06-01_2025-06-01_{LATER}_p001.json"] == "page is not valid JSON"
    assert pages["usage-export.json"] == "bucket 1, result 2: output_tokens is missing"
    assert pages["notes.json"] == "file cannot be read: not UTF-8 text"
    assert "Warning in test provider_report_pages_loaded" in landing.stdout
    kinds = landing.project.query(
        "select report_kind, count(*) from stg_provider_reports__pages where quarantine_reason is null group by 1")
    assert dict(kinds) == {kind: 4 for reports in pr.REPORTS.values() for kind in (r.kind for r in reports)}


def test_usage_totals_equal_what_the_api_served_with_refetched_days_counted_once(landing: Landing) -> None:
    q = landing.project.query
    lines = _expected("openai_usage_completions")
    sums = ["input_tokens", "output_tokens", "input_cached_tokens", "input_audio_tokens", "output_audio_tokens",
            "num_model_requests"]
    assert q(f"select count(*), {', '.join(f'sum({c})' for c in sums)} "
             "from stg_provider_reports__openai_usage_completions")[0] == (
        len(lines), *(sum(line[c] for line in lines) for c in sums))
    assert q("select count(*), count(distinct day) from stg_provider_reports__openai_usage_completions "
             "where model = 'gpt-4o-2024-08-06' and project_id = 'proj_a' and batch = false") == [(5, 5)]

    lines = _expected("openai_usage_embeddings")
    assert q("select count(*), sum(input_tokens), sum(num_model_requests) "
             "from stg_provider_reports__openai_usage_embeddings")[0] == (
        len(lines), sum(x["input_tokens"] for x in lines), sum(x["num_model_requests"] for x in lines))

    lines = _expected("anthropic_usage_messages")
    assert q("select count(*), sum(uncached_input_tokens), sum(cache_read_input_tokens), "
             "sum(cache_creation_ephemeral_5m_input_tokens), sum(cache_creation_ephemeral_1h_input_tokens), "
             "sum(output_tokens), sum(server_tool_use_web_search_requests) "
             "from stg_provider_reports__anthropic_usage_messages")[0] == (
        len(lines), sum(x["uncached_input_tokens"] for x in lines), sum(x["cache_read_input_tokens"] for x in lines),
        sum(x["cache_creation"]["ephemeral_5m_input_tokens"] for x in lines),
        sum(x["cache_creation"]["ephemeral_1h_input_tokens"] for x in lines),
        sum(x["output_tokens"] for x in lines), sum(x["server_tool_use"]["web_search_requests"] for x in lines))
    # the refetched days come from the later fetch, the others from the first
    versions = q("select day, min(output_tokens) from stg_provider_reports__anthropic_usage_messages "
                 "where model = 'claude-3-5-haiku-20241022' group by day order by day")
    assert versions == [(d, 20 * (2 if d in REFETCHED else 1)) for d in DAYS]


def test_cost_totals_are_exact_decimals(landing: Landing) -> None:
    q = landing.project.query
    lines = _expected("openai_costs")
    total = sum(x["amount"]["value"] for x in lines)
    assert q("select count(*), sum(amount_value), min(amount_currency) from stg_provider_reports__openai_costs")[0] == (
        len(lines), total, "usd")
    assert total.as_tuple().exponent == -12 and len(total.as_tuple().digits) > 17  # beyond a double

    lines = _expected("anthropic_cost_report")
    cents = sum(Decimal(x["amount"]) for x in lines)
    assert q("select count(*), sum(amount), sum(amount_value), min(currency) "
             "from stg_provider_reports__anthropic_cost_report")[0] == (len(lines), cents, cents / 100, "USD")
    assert q("select count(*) from stg_provider_reports__anthropic_cost_report "
             "where cost_type = 'web_search' and model is null and token_type is null") == [(len(DAYS),)]


def test_each_line_is_dated_by_its_utc_bucket(landing: Landing) -> None:
    rows = landing.project.query(
        "select distinct day, bucket_start_at, bucket_end_at from stg_provider_reports__anthropic_cost_report "
        "order by day")
    assert rows == [(d, datetime(d.year, d.month, d.day), datetime(d.year, d.month, d.day) + timedelta(days=1))
                    for d in DAYS]


def test_a_glob_matching_no_file_builds_no_rows(landing: Landing, tmp_path: Path) -> None:
    project = DbtProject(tmp_path / "empty.duckdb", "unused/*.json", tmp_path)
    project.run("build", "--select", MODELS, vars={"provider_reports_path": f"{tmp_path}/nothing/*.json"})
    for model in ["stg_provider_reports__pages", *(f"stg_provider_reports__{r.kind}" for rs in pr.REPORTS.values()
                                                   for r in rs)]:
        assert project.query(f"select count(*) from {model}") == [(0,)], model


# --- the BigQuery path: the same pages in a landing table, on the emulator --------------------------------------

from test_bigquery_emulator import DATASET, PROJECT, EmulatorProject, emulator  # noqa: E402, F401 (the fixture)

TYPED_MODELS = [f"stg_provider_reports__{r.kind}" for reports in pr.REPORTS.values() for r in reports]


@pytest.fixture(scope="module")
def emulator_landing(emulator: str, landing: Landing,  # noqa: F811 (the imported fixture)
                     tmp_path_factory: pytest.TempPathFactory) -> EmulatorProject:
    """The pages of `landing` loaded into the emulator with `llm-cost reports load-bigquery` (twice: the second
    load adds nothing), and the provider report models built there from the table (the default on BigQuery)."""
    project = EmulatorProject(emulator, tmp_path_factory.mktemp("bq_reports"))
    project.client().create_dataset(DATASET, exists_ok=True)
    table = f"{PROJECT}.{DATASET}.provider_report_pages"
    args = ["reports", "load-bigquery", "--pages", str(landing.out), "--table", table, "--api-endpoint", emulator]
    first, again = _cli(*args), _cli(*args)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert first.stdout.strip() == f"loaded 23 pages into {table} (0 already there)"
    assert again.stdout.strip() == f"loaded 0 pages into {table} (23 already there)"
    project.dbt("build", "--select", MODELS, "--exclude", "test_type:unit")
    return project


def test_the_table_path_quarantines_the_same_pages(emulator_landing: EmulatorProject, landing: Landing) -> None:
    bq = sorted(emulator_landing.query(
        f"select file_name, quarantine_reason from {DATASET}.stg_provider_reports__pages "
        "where quarantine_reason is not null"))
    duck = sorted(landing.project.query(
        "select regexp_replace(file_name, '.*/', ''), quarantine_reason from stg_provider_reports__pages "
        "where quarantine_reason is not null"))
    assert bq == duck and len(bq) == 3


@pytest.mark.parametrize("model", TYPED_MODELS)
def test_the_table_path_on_bigquery_gives_the_same_totals(emulator_landing: EmulatorProject, landing: Landing,
                                                         model: str) -> None:
    columns = [c for (c,) in landing.project.query(
        f"select column_name from information_schema.columns where table_name = '{model}' and "
        "(data_type like 'DECIMAL%' or data_type in ('BIGINT', 'INTEGER', 'HUGEINT')) order by ordinal_position")]
    sql = f"select count(*), count(distinct day), {', '.join(f'sum({c})' for c in columns)} from {{}}"
    duck = landing.project.query(sql.format(model))[0]
    bq = emulator_landing.query(sql.format(f"{DATASET}.{model}"))[0]
    assert [Decimal(str(v)) for v in bq] == [Decimal(str(v)) for v in duck], (model, ["rows", "days", *columns])
