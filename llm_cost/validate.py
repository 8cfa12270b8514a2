"""Great Expectations suites over the staged spans and the marts (``python -m llm_cost validate``).

One suite per table. Each suite reads the table through one SELECT that adds the check columns a row-level
rule needs (for example ``cost_usd - (its components)``, computed exactly in the warehouse's decimals, so a
residual of exactly 0 is checked instead of a float sum). The same SELECT runs on both backends:

- DuckDB (``--duckdb FILE``): GX has no DuckDB dialect, so each table is read into a pandas frame and
  validated through a pandas datasource.
- BigQuery (``--bigquery PROJECT.DATASET``): each SELECT becomes a query asset of GX's SQL datasource
  (``bigquery://PROJECT/DATASET``; needs ``pip install sqlalchemy-bigquery`` and Application Default
  Credentials; ``--bigquery-endpoint URL`` points it at an emulator with anonymous credentials). Not run in CI.

Results are rendered as Data Docs HTML into a folder (``target/data_docs`` by default) and summarised as
text; any failed expectation makes the run fail.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.data_context.types.base import ProgressBarsConfig

from llm_cost.duckdb_lock import open_error

DOCS_SITE = "llm_cost"
EXAMPLES_PER_FAILURE = 5


class ValidationError(Exception):
    """A user-facing problem (missing file, marts not built, bad argument): printed, never a traceback."""


class QueryError(Exception):
    """A suite's SELECT failed (a column renamed or dropped): reported as that suite's failure."""


# --- expectation builders: one line per rule in the suites below ---------------------------------------


def not_null(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c, description=f"{c} is never null") for c in columns]


def non_negative(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, description=f"{c} is never negative")
            for c in columns]


def at_least(column: str, low: float) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, description=f"{column} is at least {low}")]


def between(column: str, low: float, high: float) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high,
                                              description=f"{column} is between {low} and {high}")]


def zero(column: str, meaning: str) -> list[gxe.Expectation]:
    """A computed residual column that must be exactly 0 (null rows, e.g. unpriced calls, are skipped)."""
    return [gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=0, description=meaning)]


def unique(*columns: str) -> list[gxe.Expectation]:
    """The grain: one row per value (or per combination of values)."""
    if len(columns) == 1:
        return [gxe.ExpectColumnValuesToBeUnique(column=columns[0], description=f"one row per {columns[0]}")]
    return [gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns),
                                                description=f"one row per ({', '.join(columns)})")]


def at_most(smaller: str, larger: str) -> list[gxe.Expectation]:
    """smaller <= larger on every row where both are present (timestamps ordered, a part within its whole)."""
    return [gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=larger, column_B=smaller, or_equal=True, ignore_row_if="either_value_is_missing",
        description=f"{smaller} <= {larger}")]


def equal(column_a: str, column_b: str, meaning: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnPairValuesToBeEqual(column_A=column_a, column_B=column_b, description=meaning)]


def in_set(column: str, values: Sequence[str]) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values),
                                            description=f"{column} is one of {', '.join(values)}")]


def matches(column: str, regex: str, meaning: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToMatchRegex(column=column, regex=regex, description=meaning)]


# --- the suites ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suite:
    """The rules of one table that dbt's YAML does not hold: rules between columns of a row, exact residuals,
    formats. The column rules (not_null, unique, non_negative, accepted_values, unique_combination) are read from
    the models' YAML through dbt's manifest (``column_rules``): one list, not two."""

    table: str
    expectations: list[gxe.Expectation]
    # check columns computed in the warehouse's exact types, added to the table's own columns
    checks: str = ""
    # optional tables (built by another part of the DAG) are skipped, not failed, when absent
    optional: bool = False

    @property
    def name(self) -> str:
        return f"{DOCS_SITE}.{self.table}"

    @property
    def select(self) -> str:
        """The suite's SELECT, with a {table} placeholder."""
        return "select *" + (f", {self.checks}" if self.checks else "") + " from {table}"


INPUT_TOKEN_BUCKETS = ["uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens"]
COST_COMPONENTS = ["uncached_input_cost_usd", "cache_read_cost_usd", "cache_write_cost_usd", "cache_write_1h_cost_usd",
                   "output_cost_usd", "reasoning_cost_usd", "web_search_cost_usd", "audio_input_cost_usd",
                   "audio_cache_read_cost_usd", "audio_output_cost_usd"]


def _plus(columns: Iterable[str]) -> str:
    return " + ".join(columns)


def _daily_suite(table: str) -> Suite:
    return Suite(
        table=table,
        checks=f"total_tokens - ({_plus(INPUT_TOKEN_BUCKETS)} + output_tokens) as total_tokens_residual",
        expectations=[
            *at_least("runs", 1),
            *at_most("runs", "calls"),
            *at_most("unpriced_calls", "calls"),
            *at_most("reasoning_tokens", "output_tokens"),
            *zero("total_tokens_residual", "total_tokens = input buckets + output"),
            *at_most("cost_per_run_usd", "cost_usd"),
            *at_most("effective_cost_per_run_usd", "effective_cost_usd"),
        ],
    )


def build_suites() -> list[Suite]:
    return [
        Suite(
            table="stg_otel__spans",
            expectations=[
                *matches("trace_id", r"^[0-9a-f]{32}$", "trace_id is 32 lower-case hex digits"),
                *matches("span_id", r"^[0-9a-f]{16}$", "span_id is 16 lower-case hex digits"),
                *at_most("started_at", "ended_at"),
            ],
        ),
        Suite(
            table="fct_span_costs",
            checks=f"""
                cast(started_at as date) as started_day,
                cost_usd is not null as has_cost_usd,
                total_input_tokens - ({_plus(INPUT_TOKEN_BUCKETS)}) as total_input_residual,
                cost_usd - ({_plus(COST_COMPONENTS)}) as cost_residual_usd,
                effective_cost_usd is not null as has_effective_cost_usd,
                case when contract_effective_from is null then effective_cost_usd - cost_usd end
                    as uncontracted_effective_residual_usd
            """,
            expectations=[
                *equal("run_id", "trace_id", "run_id is the trace id"),
                *equal("day", "started_day", "day is the UTC day of started_at"),
                *at_most("started_at", "ended_at"),
                *at_most("reasoning_tokens", "output_tokens"),
                # audio at its own rates is carved out of its text bucket, never more than the bucket holds
                *at_most("audio_input_billed_tokens", "uncached_input_tokens"),
                *at_most("audio_cache_read_billed_tokens", "cache_read_tokens"),
                *at_most("audio_output_billed_tokens", "output_tokens"),
                *zero("total_input_residual", "total_input_tokens = uncached + cache read + both cache writes"),
                *zero("cost_residual_usd",
                      "cost_usd = the sum of its token components, audio parts and web search fees, exactly"),
                *equal("is_priced", "has_cost_usd", "a call has a cost exactly when it is priced"),
                *equal("is_priced", "has_effective_cost_usd", "a call has an effective cost exactly when it is priced"),
                *zero("uncontracted_effective_residual_usd",
                      "effective_cost_usd = cost_usd on a call no contract covers"),
            ],
        ),
        Suite(
            table="fct_run_costs",
            checks=f"total_tokens - ({_plus(INPUT_TOKEN_BUCKETS)} + output_tokens) as total_tokens_residual",
            expectations=[
                *at_most("started_at", "ended_at"),
                *at_least("calls", 1),
                *at_most("unpriced_calls", "calls"),
                *at_most("unpriced_tokens", "total_tokens"),
                *zero("total_tokens_residual", "total_tokens = input buckets + output"),
            ],
        ),
        Suite(
            table="fct_step_costs",
            checks=f"input_tokens - ({_plus(INPUT_TOKEN_BUCKETS)}) as input_tokens_residual",
            expectations=[
                *at_most("started_at", "ended_at"),
                *at_least("calls", 1),
                *at_most("unpriced_calls", "calls"),
                *zero("input_tokens_residual", "input_tokens = uncached + cache read + both cache writes"),
            ],
        ),
        Suite(
            table="fct_tool_costs",
            checks="""
                total_cost_usd - (nested_cost_usd + triggering_cost_usd) as total_cost_residual_usd,
                total_effective_cost_usd - (nested_effective_cost_usd + triggering_effective_cost_usd)
                    as total_effective_cost_residual_usd
            """,
            expectations=[
                *at_most("started_at", "ended_at"),
                *at_most("nested_unpriced_calls", "nested_calls"),
                *zero("total_cost_residual_usd", "total_cost_usd = nested + triggering"),
                *zero("total_effective_cost_residual_usd", "total_effective_cost_usd = nested + triggering"),
            ],
        ),
        _daily_suite("fct_feature_costs_daily"),
        _daily_suite("fct_tenant_costs_daily"),
        Suite(
            table="rpt_unpriced_models",
            checks="tokens - (input_tokens + output_tokens) as tokens_residual, "
            "calls + tier_fallback_calls as missing_price_calls",
            expectations=[
                *at_most("first_seen", "last_seen"),
                *at_least("missing_price_calls", 1),
                *zero("tokens_residual", "tokens = input + output"),
            ],
        ),
        Suite(
            table="rpt_cache_effectiveness",
            checks=f"""
                total_input_tokens - ({_plus(INPUT_TOKEN_BUCKETS)}) as total_input_residual,
                saved_usd - (uncached_equivalent_usd - input_cost_usd) as saved_residual_usd,
                saved_usd - (cache_read_saved_usd - cache_write_premium_usd - unreported_usage_premium_usd)
                    as saved_split_residual_usd
            """,
            expectations=[
                *at_least("calls", 1),
                *at_most("cache_hit_calls", "calls"),
                *at_most("cache_write_calls", "calls"),
                *at_most("unpriced_calls", "calls"),
                *zero("total_input_residual", "total_input_tokens = uncached + cache read + both cache writes"),
                *between("cache_hit_ratio", 0, 1),
                *zero("saved_residual_usd", "saved_usd = uncached_equivalent_usd - input_cost_usd"),
                *zero("saved_split_residual_usd",
                      "saved_usd = cache_read_saved_usd - cache_write_premium_usd - unreported_usage_premium_usd"),
            ],
        ),
        Suite(
            table="rpt_cost_drift",
            checks="""
                calls - (reported_calls + calls_without_reported_cost) as calls_residual,
                drift_usd - (reported_cost_usd - computed_cost_usd) as drift_residual_usd,
                abs_drift_usd - abs(drift_usd) as abs_drift_slack_usd
            """,
            expectations=[
                *at_least("calls", 1),
                *at_most("compared_calls", "reported_calls"),
                *at_most("reported_calls", "calls"),
                *at_most("unpriced_calls", "calls"),
                *zero("calls_residual", "calls = reported_calls + calls_without_reported_cost"),
                *zero("drift_residual_usd", "drift_usd = reported_cost_usd - computed_cost_usd"),
                *non_negative("abs_drift_slack_usd"),
            ],
        ),
    ]


def python_model_suites() -> list[Suite]:
    """The Python models' outputs (python_models/): skipped when not built (var python_models_enabled: false)."""
    return [
        Suite(table="rpt_budget_forecast", expectations=at_most("period_start", "period_end"), optional=True),
        Suite(table="rpt_cost_anomalies", expectations=[], optional=True),
        Suite(table="rpt_cost_change_points", expectations=[], optional=True),
        Suite(table="rpt_runaway_runs", expectations=at_least("calls", 1), optional=True),
    ]


# --- the column rules of dbt's YAML, from the manifest ----------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """dbt's manifest.json (written by dbt build, run, compile or parse)."""
    import json

    try:
        return dict(json.loads(path.read_text()))
    except FileNotFoundError:
        raise ValidationError(f"no dbt manifest at {path}: run `dbt build` (or `dbt parse`) first; the column "
                              "rules come from the models' YAML through it") from None
    except (OSError, ValueError) as exc:
        raise ValidationError(f"cannot read the dbt manifest {path}: {exc}") from None


@dataclass(frozen=True)
class ColumnRules:
    expectations: list[gxe.Expectation]
    conditional: int  # dbt tests with a `where` condition: left to dbt (GX cannot run a SQL condition on a frame)


def _dbt_test_expectations(name: str, column: str, kwargs: dict[str, Any]) -> list[gxe.Expectation] | None:
    """One dbt column test as GX expectations; None for a test that is not a column rule."""
    if name == "not_null":
        return not_null(column)
    if name == "unique":
        return unique(column)
    if name == "non_negative":
        return non_negative(column)
    if name == "accepted_values":
        return in_set(column, [str(v) for v in kwargs.get("values", [])])
    if name == "unique_combination":
        return unique(*kwargs.get("combination_of_columns", []))
    if name == "column_rules":  # tests/generic/column_rules.sql: a model's not_null and non_negative columns at once
        return [*not_null(*kwargs.get("not_null", [])), *non_negative(*kwargs.get("non_negative", []))]
    return None


def column_rules(manifest: dict[str, Any], table: str) -> ColumnRules:
    """The table's column rules declared in the models' YAML, as GX expectations."""
    expectations: list[gxe.Expectation] = []
    conditional = 0
    for node in sorted(manifest.get("nodes", {}).values(), key=lambda n: str(n.get("unique_id"))):
        meta = node.get("test_metadata")
        if node.get("resource_type") != "test" or not meta or str(node.get("attached_node")).split(".")[-1] != table:
            continue
        name, kwargs = meta.get("name"), meta.get("kwargs") or {}
        column = kwargs.get("column_name") or node.get("column_name")
        mirrored = _dbt_test_expectations(str(name), column, kwargs)
        if mirrored is None:
            continue  # table-level tests (landing, unpriced calls): dbt's alone
        if (node.get("config") or {}).get("where"):
            conditional += 1
            continue
        expectations.extend(mirrored)
    return ColumnRules(expectations, conditional)


# --- backends ---------------------------------------------------------------------------------------------


class Source(Protocol):
    def describe(self) -> str: ...

    def existing_tables(self) -> set[str]: ...

    def batch(self, context: Any, suite: Suite) -> tuple[Any, dict[str, Any]]:
        """The batch definition of the suite's table and the batch parameters to run it with."""
        ...

    def close(self) -> None: ...


class DuckDBSource:
    """Tables read into pandas frames (GX has no DuckDB dialect); the file is opened read-only."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise ValidationError(f"no DuckDB file at {path}: run `make run` (or `dbt build`) first")
        self.path = path
        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise ValidationError(open_error(path, exc)) from None
        self._datasource: Any = None

    def describe(self) -> str:
        return f"DuckDB {self.path}"

    def existing_tables(self) -> set[str]:
        rows = self.con.execute("select table_name from information_schema.tables").fetchall()
        return {name for (name,) in rows}

    def batch(self, context: Any, suite: Suite) -> tuple[Any, dict[str, Any]]:
        if self._datasource is None:
            self._datasource = context.data_sources.add_pandas("duckdb_frames")
        try:
            frame = self.con.execute(suite.select.format(table=suite.table)).df()
        except duckdb.Error as exc:
            raise QueryError(str(exc).splitlines()[0]) from None
        asset = self._datasource.add_dataframe_asset(suite.table)
        return asset.add_batch_definition_whole_dataframe("whole_table"), {"dataframe": frame}

    def close(self) -> None:
        self.con.close()


class BigQuerySource:
    """GX's SQL datasource on bigquery://PROJECT/DATASET; each suite's SELECT is a query asset.

    One google-cloud-bigquery client (Application Default Credentials, or anonymous against an emulator's
    api_endpoint) lists the tables and is handed to sqlalchemy-bigquery, so both reach the same endpoint.
    """

    def __init__(self, project_dataset: str, api_endpoint: str | None = None) -> None:
        project, _, dataset = project_dataset.partition(".")
        if not project or not dataset or "." in dataset:
            raise ValidationError(f"--bigquery takes PROJECT.DATASET, got {project_dataset!r}")
        try:
            import sqlalchemy_bigquery  # noqa: F401  (the dialect GX's SQL datasource loads)
            from google.cloud import bigquery
        except ImportError:
            raise ValidationError("BigQuery validation needs sqlalchemy-bigquery: "
                                  "pip install sqlalchemy-bigquery") from None
        self.project, self.dataset = project, dataset
        try:
            if api_endpoint:
                from google.api_core.client_options import ClientOptions
                from google.auth.credentials import AnonymousCredentials

                self.client = bigquery.Client(project=project, credentials=AnonymousCredentials(),
                                              client_options=ClientOptions(api_endpoint=api_endpoint))
            else:
                self.client = bigquery.Client(project=project)
        except Exception as exc:  # google.auth.exceptions.DefaultCredentialsError and kin: the user's to fix
            raise ValidationError(f"cannot connect to BigQuery project {project}: {exc}") from None
        self._datasource: Any = None

    def describe(self) -> str:
        return f"BigQuery {self.project}.{self.dataset}"

    def _source(self, context: Any) -> Any:
        if self._datasource is None:
            self._datasource = context.data_sources.add_sql(
                "bigquery",
                connection_string=f"bigquery://{self.project}/{self.dataset}?user_supplied_client=true",
                kwargs={"connect_args": {"client": self.client}},
            )
        return self._datasource

    def existing_tables(self) -> set[str]:
        try:
            return {table.table_id for table in self.client.list_tables(f"{self.project}.{self.dataset}")}
        except Exception as exc:  # permissions, a missing dataset, no credentials: all the user's to fix
            raise ValidationError(f"cannot list the tables of {self.project}.{self.dataset}: {exc}") from None

    def batch(self, context: Any, suite: Suite) -> tuple[Any, dict[str, Any]]:
        query = suite.select.format(table=f"`{self.project}.{self.dataset}.{suite.table}`")
        try:
            asset = self._source(context).add_query_asset(name=suite.table, query=query)
        except Exception as exc:  # GX wraps the driver's error in its own types
            raise QueryError(str(exc).splitlines()[0]) from None
        return asset.add_batch_definition_whole_table("whole_table"), {}

    def close(self) -> None:
        self.client.close()


# --- running and reporting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    expectation: str
    columns: str
    description: str
    unexpected_count: int | None
    row_count: int | None
    examples: list[str]
    error: str | None = None

    def render(self) -> str:
        what = f"{self.expectation}({self.columns})"
        if self.error:
            return f"    FAILED {what}: {self.description}: raised {self.error}"
        if self.unexpected_count is None:
            count = "failed"
        elif self.row_count is None:
            count = f"{self.unexpected_count} unexpected"
        else:
            count = f"{self.unexpected_count} of {self.row_count} rows unexpected"
        examples = f", e.g. {'; '.join(self.examples)}" if self.examples else ""
        return f"    FAILED {what}: {self.description}: {count}{examples}"


@dataclass(frozen=True)
class SuiteResult:
    table: str
    evaluated: int
    passed: int
    failures: list[Failure] = field(default_factory=list)
    skipped: str | None = None
    left_to_dbt: int = 0  # conditional dbt rules not mirrored here

    @property
    def success(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class ValidationReport:
    source: str
    suites: list[SuiteResult]
    docs_index: Path | None

    @property
    def success(self) -> bool:
        return all(s.success for s in self.suites)

    def render(self) -> str:
        lines = [f"Great Expectations on {self.source}"]
        width = max(len(s.table) for s in self.suites)
        for s in self.suites:
            if s.skipped:
                lines.append(f"  {s.table:<{width}}  skipped: {s.skipped}")
                continue
            status = "ok" if s.success else "FAILED"
            left = f" ({s.left_to_dbt} conditional dbt rules not run here)" if s.left_to_dbt else ""
            lines.append(f"  {s.table:<{width}}  {s.passed}/{s.evaluated} expectations passed  {status}{left}")
            lines.extend(f.render() for f in s.failures)
        failed = sum(len(s.failures) for s in self.suites)
        total = sum(s.evaluated for s in self.suites)
        lines.append(f"{total - failed}/{total} expectations passed" + ("" if failed else ", all suites ok"))
        if self.docs_index:
            lines.append(f"Data Docs: {self.docs_index}")
        return "\n".join(lines)


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return "(" + ", ".join(f"{k}={_value(x)}" for k, x in v.items()) + ")"
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_value(x) for x in v) + ")"
    v = v.item() if hasattr(v, "item") else v
    # pandas reads wide integers (DuckDB HUGEINT sums) as floats: show -7, not -7.0
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _columns(kwargs: dict[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return ""


def _suite_result(suite: Suite, result: Any, left_to_dbt: int = 0) -> SuiteResult:
    failures: list[Failure] = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        exception = r.exception_info or {}
        error = exception.get("exception_message") if exception.get("raised_exception") else None
        partial = (r.result or {}).get("partial_unexpected_list") or []
        failures.append(Failure(
            expectation=config.type,
            columns=_columns(config.kwargs),
            description=config.description or "",
            unexpected_count=(r.result or {}).get("unexpected_count"),
            row_count=(r.result or {}).get("element_count"),
            examples=[_value(v) for v in partial[:EXAMPLES_PER_FAILURE]],
            error=error,
        ))
    evaluated = len(result.results)
    return SuiteResult(table=suite.table, evaluated=evaluated, passed=evaluated - len(failures), failures=failures,
                       left_to_dbt=left_to_dbt)


def _context(docs_dir: Path | None) -> Any:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if docs_dir is not None:
        context.add_data_docs_site(site_name=DOCS_SITE, site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir.resolve())},
        })
    return context


def validate(source: Source, manifest: dict[str, Any], docs_dir: Path | None = None,
             suites: list[Suite] | None = None) -> ValidationReport:
    """Run every suite, with its table's column rules from dbt's manifest, on the source; raises ValidationError
    when a required table is missing."""
    suites = [*build_suites(), *python_model_suites()] if suites is None else suites
    present = source.existing_tables()
    missing = [s.table for s in suites if not s.optional and s.table not in present]
    if missing:
        raise ValidationError(f"not built in {source.describe()}: {', '.join(missing)}; "
                              "run `make run` (or `dbt build`) first")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = _context(docs_dir)
    results: list[SuiteResult] = []
    for suite in suites:
        if suite.table not in present:
            results.append(SuiteResult(table=suite.table, evaluated=0, passed=0, skipped="table not built"))
            continue
        try:
            batch_definition, parameters = source.batch(context, suite)
        except QueryError as exc:
            failure = Failure(expectation="select", columns="", description=f"reading {suite.table}",
                              unexpected_count=None, row_count=None, examples=[], error=str(exc))
            results.append(SuiteResult(table=suite.table, evaluated=1, passed=0, failures=[failure]))
            continue
        rules = column_rules(manifest, suite.table)
        gx_suite = context.suites.add(gx.ExpectationSuite(
            name=suite.name, expectations=[*rules.expectations, *suite.expectations]))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=suite.name, validation_definitions=[definition],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES_PER_FAILURE}))
        run = checkpoint.run(batch_parameters=parameters)
        (result,) = run.run_results.values()
        results.append(_suite_result(suite, result, rules.conditional))
    docs_index = None
    if docs_dir is not None:
        context.build_data_docs(site_names=[DOCS_SITE])
        docs_index = docs_dir.resolve() / "index.html"
    return ValidationReport(source=source.describe(), suites=results, docs_index=docs_index)
