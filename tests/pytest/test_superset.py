"""Superset dashboards as code (README "Dashboards and BI tools"): the bundle `llm-cost superset-bundle` writes from
bi/superset/ is checked as files, then imported into a real Apache Superset on loopback (its own venv and a metadata
database `make superset` prepares once) through the REST API; headless chromium renders the dashboard, and the numbers
on the page and the chart data API's results equal the marts of the published DuckDB file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
import yaml

from dbt_runner import PROJECT_DIR, DbtProject
from llm_cost.__main__ import main
from llm_cost.superset_bundle import ROOT, BundleError, build_bundle, write_bundle

SUPERSET_DIR = PROJECT_DIR / "tests" / "superset"
# the user tests/superset/make_metadata.py puts in the metadata template
ADMIN = {"username": "admin", "password": "admin"}
DASHBOARD_SLUG = "llm-cost"


@pytest.fixture(scope="module")
def published(built: DbtProject) -> Path:
    path = built.log_dir / "e2e.published.duckdb"
    assert path.exists(), "the demo build publishes its marts (conftest `built`)"
    return path


def _query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def d3_money(value: Decimal, places: int = 2) -> str:
    """d3-format's `$,.2f` as the page applies it: JavaScript's toFixed of the number (the nearest double, a tie
    rounded up), grouped by thousands."""
    assert value >= 0, "the charts' costs are not negative"
    rounded = Decimal(float(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"${rounded:,.{places}f}"


def test_d3_money_rounds_like_the_browser() -> None:
    assert d3_money(Decimal("27.035256630000")) == "$27.04"
    assert d3_money(Decimal("1234567.125")) == "$1,234,567.13"  # an exact tie: toFixed rounds it up
    assert d3_money(Decimal("0.0145899927"), 4) == "$0.0146"


def test_the_bundle_is_importable_yaml_on_the_published_file(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    write_bundle(published, out)
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        assert all(n.startswith(f"{ROOT}/") for n in names)
        files = {n.removeprefix(f"{ROOT}/"): yaml.safe_load(bundle.read(n)) for n in names}
    assert files["metadata.yaml"]["version"] == "1.0.0" and files["metadata.yaml"]["type"] == "Dashboard"

    def kind(prefix: str) -> dict[str, dict[str, Any]]:
        return {str(c["uuid"]): c for n, c in files.items() if n.startswith(prefix)}

    databases, datasets, charts, dashboards = (kind(k) for k in ("databases/", "datasets/", "charts/", "dashboards/"))
    (database,) = databases.values()
    assert database["sqlalchemy_uri"] == f"duckdb:///{published.resolve()}"
    assert database["sqlalchemy_uri"].startswith("duckdb:////")
    assert database["extra"]["engine_params"]["connect_args"] == {"read_only": True}
    assert database["allow_dml"] is False and database["allow_csv_upload"] is False
    columns: dict[str, set[str]] = {}
    for table, column in _query(published, "select table_name, column_name from information_schema.columns"):
        columns.setdefault(table, set()).add(column)
    for dataset in datasets.values():
        assert str(dataset["database_uuid"]) in databases
        # the marts' columns as the published file has them: a renamed column fails here, not in a user's Superset
        assert {c["column_name"] for c in dataset["columns"]} <= columns[dataset["table_name"]], dataset["table_name"]
        assert dataset["main_dttm_col"] in {c["column_name"] for c in dataset["columns"] if c["is_dttm"]}
    money = {m["metric_name"] for d in datasets.values() for m in d["metrics"] if m["d3format"].startswith("$")}
    assert {"total_cost", "total_effective_cost", "cost_per_call"} <= money
    for chart in charts.values():
        dataset = datasets[str(chart["dataset_uuid"])]
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        params = chart["params"]
        assert params["viz_type"] == chart["viz_type"]
        assert set(params.get("metrics") or []) | ({params["metric"]} if "metric" in params else set()) <= metrics
        context = json.loads(chart["query_context"])  # stored as Superset stores it: a JSON string
        assert context["form_data"] == params
        for query in context["queries"]:
            assert set(query.get("metrics") or []) <= metrics, chart["slice_name"]
    (dashboard,) = dashboards.values()
    on_it = {str(item["meta"]["uuid"]) for item in dashboard["position"].values()
             if isinstance(item, dict) and item.get("type") == "CHART"}
    assert on_it == set(charts)
    assert {c["slice_name"] for c in charts.values()} >= {"Cost (list)", "Calls", "Cost by feature", "Cost by tenant",
                                                         "Daily cost", "Unpriced models"}
    write_bundle(published, tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == out.read_bytes(), "the same inputs make the same zip"


def test_a_missing_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(BundleError, match="run `make run` first"):
        build_bundle(tmp_path / "nothing.duckdb")
    assert main(["superset-bundle", "--duckdb", str(tmp_path / "nothing.duckdb"),
                 "--out", str(tmp_path / "b.zip")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("llm_cost superset-bundle: error: no DuckDB file at") and err.count("\n") == 1
    assert "Traceback" not in err and not (tmp_path / "b.zip").exists()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(BundleError, match="has no table fct_"):
        build_bundle(empty)


def _executable(variable: str, make_target: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"{variable} is not set: run `make test`, which makes it (`make {make_target}`) and sets it")
    path = Path(value)
    if not path.exists():
        pytest.fail(f"{variable}={value} does not exist: run `make {make_target}`")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Superset:
    url: str
    session: requests.Session  # logged in as the admin
    charts: dict[str, int]  # the dashboard's charts: slice name -> id


def _start(superset: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Superset's web server (gunicorn, one worker of threads: the page asks for its charts at once) on a free
    loopback port, on a copy of the metadata template, in a process group of its own."""
    template = superset.parents[1] / "superset-metadata.db"
    if not template.exists():
        pytest.fail(f"{template} is missing: run `make superset`")
    shutil.copyfile(template, work / "superset.db")
    port = _free_port()
    env = {**os.environ, "SUPERSET_CONFIG_PATH": str(SUPERSET_DIR / "superset_config.py"), "SUPERSET_HOME": str(work),
           "LLM_COST_SUPERSET_METADATA": str(work / "superset.db"), "FLASK_APP": "superset"}
    with open(work / "server.log", "wb") as log:
        server = subprocess.Popen(
            [str(superset.parent / "gunicorn"), "--no-control-socket", "--workers", "1", "--worker-class", "gthread",
             "--threads", "8", "--timeout", "120", "--bind", f"127.0.0.1:{port}", "superset.app:create_app()"],
            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return server, f"http://127.0.0.1:{port}"


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _wait_healthy(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 180  # about 15 s here; the 2-core machine can be busy with the other worker
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Superset exited with {server.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(f"{url}/health", timeout=5).text == "OK":
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"Superset did not answer /health within 180 s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def superset(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    """A Superset with the bundle imported through the REST API, as the admin; stopped (its process group) after
    the module's tests, whatever happened."""
    executable = _executable("LLM_COST_SUPERSET", "superset")
    work = tmp_path_factory.mktemp("superset")
    bundle = work / "llm_cost_superset.zip"
    write_bundle(published, bundle)
    server, url = _start(executable, work)
    try:
        _wait_healthy(server, url, work / "server.log")
        session = requests.Session()
        # the login form (a JWT from /api/v1/security/login would leave the session anonymous)
        login = session.post(f"{url}/login/", data=ADMIN, allow_redirects=False, timeout=60)
        assert login.status_code == 302, login.text[:500]
        assert session.get(f"{url}/api/v1/me/", timeout=60).json()["result"]["username"] == ADMIN["username"]
        with open(bundle, "rb") as f:
            imported = session.post(f"{url}/api/v1/dashboard/import/", data={"overwrite": "true"},
                                    files={"formData": (bundle.name, f, "application/zip")}, timeout=120)
        assert imported.status_code == 200, imported.text[:2000]
        listed = session.get(f"{url}/api/v1/dashboard/{DASHBOARD_SLUG}/charts", timeout=60)
        assert listed.status_code == 200, listed.text[:500]
        charts = {c["slice_name"]: c["id"] for c in listed.json()["result"]}
        yield Superset(url, session, charts)
    finally:
        _stop(server)


def _chart_rows(superset: Superset, name: str) -> list[dict[str, Any]]:
    """The chart's saved query run by Superset (GET /api/v1/chart/<id>/data/), decimals kept exact."""
    response = superset.session.get(f"{superset.url}/api/v1/chart/{superset.charts[name]}/data/", timeout=120)
    assert response.status_code == 200, response.text[:1000]
    (result,) = json.loads(response.text, parse_float=Decimal)["result"]
    rows: list[dict[str, Any]] = result["data"]
    return rows


def test_superset_reads_the_published_file_read_only(superset: Superset, published: Path) -> None:
    (database,) = superset.session.get(f"{superset.url}/api/v1/database/", timeout=60).json()["result"]
    assert database["backend"] == "duckdb" and database["allow_dml"] is False
    assert json.loads(database["extra"])["engine_params"]["connect_args"]["read_only"] is True
    connection = superset.session.get(f"{superset.url}/api/v1/database/{database['id']}/connection", timeout=60)
    assert connection.json()["result"]["sqlalchemy_uri"] == f"duckdb:///{published.resolve()}"


def test_the_chart_data_api_equals_the_marts(superset: Superset, published: Path) -> None:
    by_feature = _query(published, "select feature, sum(cost_usd), sum(effective_cost_usd), sum(calls) "
                                   "from fct_feature_costs_daily group by 1 order by 2 desc, 1")
    rows = _chart_rows(superset, "Cost by feature")
    assert [(r["feature"], r["total_cost"], r["total_effective_cost"], r["total_calls"]) for r in rows] == by_feature
    by_tenant = dict(_query(published, "select tenant_id, sum(cost_usd) from fct_tenant_costs_daily group by 1"))
    assert {r["tenant_id"]: r["total_cost"] for r in _chart_rows(superset, "Cost by tenant")} == by_tenant
    ((cost, calls),) = _query(published, "select sum(cost_usd), sum(calls) from fct_feature_costs_daily")
    assert _chart_rows(superset, "Cost (list)") == [{"total_cost": cost}]
    assert _chart_rows(superset, "Calls") == [{"total_calls": calls}]
    daily = _chart_rows(superset, "Daily cost")
    assert len(daily) == _query(published, "select count(distinct day) from fct_feature_costs_daily")[0][0]
    assert sum(r["total_cost"] for r in daily) == cost
    unpriced = _chart_rows(superset, "Unpriced models")
    assert sorted((r["provider"], r["model"], r["calls"]) for r in unpriced) == sorted(_query(
        published, "select provider, model, calls from rpt_unpriced_models"))


def test_chromium_renders_the_dashboard_with_the_marts_numbers(superset: Superset, published: Path,
                                                              tmp_path: Path) -> None:
    chromium = _executable("LLM_COST_CHROMIUM", "browser")
    from playwright.sync_api import Route, sync_playwright

    ((cost, effective, calls),) = _query(
        published, "select sum(cost_usd), sum(effective_cost_usd), sum(calls) from fct_feature_costs_daily")
    ((top_feature, top_cost, top_calls),) = _query(
        published, "select feature, sum(cost_usd), sum(calls) from fct_feature_costs_daily group by 1 "
                   "order by 2 desc limit 1")
    off_loopback: list[str] = []

    def loopback_only(route: Route) -> None:  # no telemetry, no fonts or tiles from elsewhere
        if route.request.url.startswith(f"{superset.url}/"):
            route.continue_()
        else:
            off_loopback.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600})
            context.add_cookies([{"name": c.name, "value": c.value or "", "url": superset.url}
                                 for c in superset.session.cookies])
            context.route("**/*", loopback_only)
            page = context.new_page()
            page.goto(f"{superset.url}/superset/dashboard/{DASHBOARD_SLUG}/?standalone=1", timeout=120_000)

            def chart(name: str) -> Any:
                return page.locator(f'[data-test="chart-grid-component"][data-test-chart-name="{name}"]')

            chart("Cost (list)").locator(".header-line").wait_for(timeout=120_000)
            big = {name: chart(name).locator(".header-line").inner_text(timeout=60_000).strip()
                   for name in ("Cost (list)", "Effective cost", "Calls")}
            table = chart("Cost by feature")
            table.locator("tbody tr").first.wait_for(timeout=60_000)
            first_row = [cell.strip() for cell in table.locator("tbody tr").first.locator("td").all_inner_texts()]
            chart("Daily cost").locator("canvas, svg").first.wait_for(timeout=60_000)
            chart("Unpriced models").locator("tbody tr").first.wait_for(timeout=60_000)
            text = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "superset.png"), full_page=True)
        finally:
            browser.close()
    assert big == {"Cost (list)": d3_money(cost), "Effective cost": d3_money(effective), "Calls": f"{calls:,}"}
    # feature, cost (list), effective cost, calls, cost per call: the most expensive feature first
    assert first_row[:2] == [top_feature, d3_money(top_cost)] and first_row[3] == f"{top_calls:,}"
    assert "Traceback" not in text and "Unexpected error" not in text and "No results" not in text
    assert off_loopback == []
    assert (tmp_path / "superset.png").stat().st_size > 20_000
