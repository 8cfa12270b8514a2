"""Command line: ``llm-cost <command> ...`` (the console script) or ``python -m llm_cost <command> ...``.

Commands are argparse subparsers; add one with a ``_add_<name>`` builder that sets
``func`` (a callable taking the parsed namespace and returning an exit code).
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from importlib import metadata
from pathlib import Path

from llm_cost.generate import MAX_SPANS, MIN_SPANS, generate, parse_span_count
from llm_cost.generate.window import WINDOW_DAYS

DIST_NAME = "llm-cost"


def version() -> str:
    """The installed distribution's version; from pyproject.toml when run from a checkout that is not installed."""
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:
        pass
    try:
        with open(Path(__file__).resolve().parents[1] / "pyproject.toml", "rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError):
        return "unknown"


def _prog() -> str:
    """The name in usage and argparse errors: the console script's, else ``python -m llm_cost`` (as before)."""
    return DIST_NAME if sys.argv and Path(sys.argv[0]).name == DIST_NAME else "python -m llm_cost"


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _last_days(text: str) -> int:
    days = _seed(text)
    if not 1 <= days <= WINDOW_DAYS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {WINDOW_DAYS}, got {days}")
    return days


def _run_generate(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"llm_cost generate: error: --out {out} exists and is not a directory", file=sys.stderr)
        return 2
    started = time.perf_counter()

    def progress(n: int) -> None:
        rate = n / max(time.perf_counter() - started, 1e-9)
        print(f"  {n:>12,} spans  ({rate:,.0f} spans/s)", file=sys.stderr, flush=True)

    try:
        m = generate(out, spans=args.spans, seed=args.seed, progress=progress, last_days=args.last_days)
    except OSError as exc:
        print(f"llm_cost generate: error: {exc}", file=sys.stderr)
        return 1
    secs = time.perf_counter() - started
    print(f"generated {m['span_records']:,} span records ({m['distinct_spans']:,} distinct, "
          f"{m['redelivered_spans']:,} redelivered, {m['bad_spans']} bad, {m['bad_lines']} bad lines) "
          f"in {m['files']} files; {m['runs']:,} runs, {m['calls']:,} calls, {m['tools']:,} tools; "
          f"seed {m['seed']}; {secs:.1f}s -> {out}")
    return 0


def _add_generate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="write the deterministic demo span set and its truth",
                       description="Write demo OTLP span files (spans/), the provider usage and cost report pages "
                                   "of the same calls (provider_reports/) and the ground truth (truth/).")
    p.add_argument("--spans", type=parse_span_count, default=5000,
                   help=f"span records to write, {MIN_SPANS}..{MAX_SPANS} (default 5000)")
    p.add_argument("--seed", type=_seed, default=42, help="random seed (default 42)")
    p.add_argument("--last-days", type=_last_days, default=None, metavar="N",
                   help=f"start every run within the window's last N days, 1..{WINDOW_DAYS} (default: the whole "
                        f"{WINDOW_DAYS}-day window): a batch like the one a scheduled run receives")
    p.add_argument("--out", required=True,
                   help="output directory (spans/, provider_reports/ and truth/ are replaced)")
    p.set_defaults(func=_run_generate)


def _run_summary(args: argparse.Namespace) -> int:
    from llm_cost.summary import SummaryError, build_summary

    try:
        print(build_summary(Path(args.duckdb)))
    except SummaryError as exc:
        print(f"llm_cost summary: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _add_summary(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="print the cost summary of a built DuckDB file",
                       description="Total cost, top features, tenants, models and runs, and unpriced models.")
    p.add_argument("--duckdb", default="llm_cost.duckdb", help="the DuckDB file dbt built (default llm_cost.duckdb)")
    p.set_defaults(func=_run_summary)


def _run_validate(args: argparse.Namespace) -> int:
    from llm_cost.validate import BigQuerySource, DuckDBSource, Source, ValidationError, read_manifest, validate

    source: Source | None = None
    try:
        if args.bigquery:
            source = BigQuerySource(args.bigquery, api_endpoint=args.bigquery_endpoint)
        elif args.bigquery_endpoint:
            raise ValidationError("--bigquery-endpoint needs --bigquery PROJECT.DATASET")
        else:
            source = DuckDBSource(Path(args.duckdb))
        report = validate(source, read_manifest(Path(args.manifest)), docs_dir=Path(args.docs))
    except ValidationError as exc:
        print(f"llm_cost validate: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if source is not None:
            source.close()
    print(report.render())
    return 0 if report.success else 1


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="run the Great Expectations suites on the staged spans and the marts",
                       description="Validate the staged spans and every mart with Great Expectations, write Data Docs "
                                   "and exit 1 when any expectation fails.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--duckdb", default="llm_cost.duckdb",
                       help="the DuckDB file dbt built (default llm_cost.duckdb)")
    where.add_argument("--bigquery", metavar="PROJECT.DATASET",
                       help="validate the dataset dbt built on BigQuery instead (needs sqlalchemy-bigquery)")
    p.add_argument("--bigquery-endpoint", metavar="URL",
                   help="with --bigquery: a BigQuery emulator's address (anonymous credentials), e.g. http://127.0.0.1:9050")
    p.add_argument("--manifest", default="target/manifest.json",
                   help="dbt's manifest.json, whose column rules (the models' YAML) run as expectations too "
                        "(default target/manifest.json)")
    p.add_argument("--docs", default="target/data_docs",
                   help="folder for the Data Docs HTML (default target/data_docs)")
    p.set_defaults(func=_run_validate)


def _run_load_bigquery(args: argparse.Namespace) -> int:
    from llm_cost.flat import FlatError, load_bigquery, span_files

    started = time.perf_counter()

    def progress(n: int) -> None:
        print(f"  {n:>12,} spans loaded ({n / max(time.perf_counter() - started, 1e-9):,.0f} spans/s)",
              file=sys.stderr, flush=True)

    try:
        files = span_files(Path(args.spans))
        total = load_bigquery(files, args.table, api_endpoint=args.api_endpoint, progress=progress)
    except FlatError as exc:
        print(f"llm_cost load-bigquery: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # credentials, network: one line, no traceback
        print(f"llm_cost load-bigquery: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"loaded {total:,} spans from {len(files)} files into {args.table} "
          f"in {time.perf_counter() - started:.1f}s")
    return 0


def _add_load_bigquery(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("load-bigquery", help="append OTLP JSON files to a BigQuery flat span table",
                       description="Flatten OTLP JSON files (the collector's file exporter output) to one row per "
                                   "span and append them to a BigQuery table with load jobs (otel_source flat_table).")
    p.add_argument("--spans", required=True, help="a directory of .json/.jsonl(.gz) files, or one file")
    p.add_argument("--table", required=True, help="project.dataset.table (created when missing)")
    p.add_argument("--api-endpoint", default=None, help="BigQuery API endpoint (an emulator); default: Google's")
    p.set_defaults(func=_run_load_bigquery)


def _run_prices_sync(args: argparse.Namespace) -> int:
    from llm_cost.prices_sync import SyncError, render, sync

    try:
        report = sync(Path(args.prices), Path(args.aliases), Path(args.modifiers), providers=args.provider,
                      dry_run=args.dry_run)
    except SyncError as exc:
        print(f"llm_cost prices sync: error: {exc}", file=sys.stderr)
        return 2
    print(render(report, dry_run=args.dry_run))
    return 0


def _add_prices(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prices", help="maintain the price seeds",
                       description="Maintain seeds/model_prices.csv, seeds/model_aliases.csv and the audio rules of "
                                   "seeds/price_modifiers.csv.")
    verbs = p.add_subparsers(dest="prices_command", metavar="COMMAND", required=True)
    s = verbs.add_parser("sync", help="append the installed genai-prices catalog to the price seeds (offline)",
                         description="Append the models of the installed genai-prices package to the price seeds: "
                                     "dated price history, long-context tiers with their closing rows, batch, flex "
                                     "and priority tiers, cache prices, the match rules as aliases, and audio token "
                                     "rates as rules of the price modifiers seed. Only appends; "
                                     "a model the seed prices already is left alone and genai-prices' disagreeing "
                                     "prices are printed for review. A second run adds nothing.")
    s.add_argument("--prices", default="seeds/model_prices.csv",
                   help="the price seed to append to (default seeds/model_prices.csv)")
    s.add_argument("--aliases", default="seeds/model_aliases.csv",
                   help="the alias seed to append to (default seeds/model_aliases.csv)")
    s.add_argument("--modifiers", default="seeds/price_modifiers.csv",
                   help="the price modifiers seed its audio rate rules are appended to (default "
                        "seeds/price_modifiers.csv)")
    s.add_argument("--provider", action="append", metavar="ID",
                   help="only this genai-prices provider id (or its gen_ai.provider.name value); repeatable")
    s.add_argument("--dry-run", action="store_true", help="print what would be added, write nothing")
    s.set_defaults(func=_run_prices_sync)


def _run_reports_fetch(args: argparse.Namespace) -> int:
    from llm_cost.provider_reports import ReportError, admin_key, fetch_reports

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        key = admin_key(args.provider)
    except ReportError as exc:
        print(f"llm_cost reports fetch: error: {exc}", file=sys.stderr)
        return 2
    try:
        written = fetch_reports(args.provider, args.start, args.end, Path(args.out), key=key,
                                base_url=args.base_url, progress=progress)
    except ReportError as exc:
        print(f"llm_cost reports fetch: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the output folder
        print(f"llm_cost reports fetch: error: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{kind} {len(files)}" for kind, files in written.items())
    print(f"fetched {sum(len(f) for f in written.values())} pages ({counts}) of {args.provider} reports for "
          f"{args.start}..{args.end} in {time.perf_counter() - started:.1f}s -> {args.out}")
    return 0


def _run_reports_load_bigquery(args: argparse.Namespace) -> int:
    from llm_cost.provider_reports import ReportError, load_bigquery, page_files

    try:
        files = page_files(Path(args.pages))
        loaded, skipped = load_bigquery(files, args.table, api_endpoint=args.api_endpoint)
    except ReportError as exc:
        print(f"llm_cost reports load-bigquery: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # credentials, network: one line, no traceback
        print(f"llm_cost reports load-bigquery: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"loaded {loaded} pages into {args.table} ({skipped} already there)")
    return 0


def _add_reports(sub: argparse._SubParsersAction) -> None:
    from llm_cost.provider_reports import PROVIDERS, parse_day

    p = sub.add_parser("reports", help="provider usage and cost reports (fetch, load-bigquery)",
                       description="Provider usage and cost reports: the pages the dbt models read "
                                   "(var provider_reports_path; README 'Provider reports').")
    reports = p.add_subparsers(dest="reports_command", metavar="COMMAND", required=True)
    f = reports.add_parser(
        "fetch", help="fetch the usage and cost report pages of a provider's admin API",
        description="Page through a provider's usage and cost reports (daily buckets) and write every response "
                    "page as received to its own file, named <report>_<start>_<end>_<fetched at>_p<page>.json. "
                    "The admin key comes from OPENAI_ADMIN_KEY or ANTHROPIC_ADMIN_KEY. Fetching days again later "
                    "is how they are corrected: the models count each day from its newest fetch.")
    f.add_argument("--provider", required=True, choices=PROVIDERS, help="whose reports")
    f.add_argument("--start", required=True, type=parse_day, metavar="YYYY-MM-DD", help="first UTC day")
    f.add_argument("--end", required=True, type=parse_day, metavar="YYYY-MM-DD", help="last UTC day (included)")
    f.add_argument("--out", required=True, help="folder for the page files (created when missing)")
    f.add_argument("--base-url", default=None,
                   help="API base URL instead of https://api.openai.com or https://api.anthropic.com (a proxy)")
    f.set_defaults(func=_run_reports_fetch)
    b = reports.add_parser(
        "load-bigquery", help="append report page files to a BigQuery landing table",
        description="Append the page files (as llm-cost reports fetch writes them) that the table does not hold yet "
                    "to a BigQuery table of file_name, fetched_at, page (provider_reports_source 'table').")
    b.add_argument("--pages", required=True, help="a folder of .json page files, or one file")
    b.add_argument("--table", required=True, help="project.dataset.table (created when missing)")
    b.add_argument("--api-endpoint", default=None, help="BigQuery API endpoint (an emulator); default: Google's")
    b.set_defaults(func=_run_reports_load_bigquery)


def _run_focus(args: argparse.Namespace) -> int:
    import tempfile

    from llm_cost.focus import FocusError, export, validate_file

    command = f"llm_cost focus {args.focus_command}"
    try:
        if args.focus_command == "export":
            rows = export(Path(args.duckdb), Path(args.out))
            print(f"wrote {rows:,} FOCUS rows of fct_focus_costs to {args.out}")
            return 0
        if args.parquet:
            result = validate_file(Path(args.parquet), Path(args.validator))
        else:
            with tempfile.TemporaryDirectory(prefix="focus-export-") as work:
                parquet = Path(work) / "fct_focus_costs.parquet"
                print(f"  exporting fct_focus_costs from {args.duckdb}", file=sys.stderr, flush=True)
                export(Path(args.duckdb), parquet)
                print("  running the FOCUS validator (about 10 s)", file=sys.stderr, flush=True)
                result = validate_file(parquet, Path(args.validator))
    except FocusError as exc:
        print(f"{command}: error: {exc}", file=sys.stderr)
        return 2
    print(result.report())
    return 0 if result.ok else 1


def _add_focus(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("focus", help="export and validate the FOCUS 1.2 cost dataset (fct_focus_costs)",
                       description="The FinOps FOCUS 1.2 export of the built marts (README \"FOCUS export\").")
    verbs = p.add_subparsers(dest="focus_command", metavar="COMMAND", required=True)
    e = verbs.add_parser("export", help="write fct_focus_costs to a Parquet file",
                         description="Write fct_focus_costs of a built DuckDB file to Parquet (exact decimals).")
    e.add_argument("--duckdb", default="llm_cost.duckdb", help="the DuckDB file dbt built (default llm_cost.duckdb)")
    e.add_argument("--out", required=True, help="the Parquet file to write")
    e.set_defaults(func=_run_focus)
    v = verbs.add_parser("validate", help="check the export with the FOCUS validator (exit 1 on any failed rule)",
                         description="Run the FinOps Foundation's focus-validator on the export and read its JUnit "
                                     "report (the validator itself exits 0 on failures). Exit 0 when every "
                                     "applicable rule passes, 1 when one fails, 2 on a usage problem.")
    source = v.add_mutually_exclusive_group()
    source.add_argument("--duckdb", default="llm_cost.duckdb",
                        help="export from this built DuckDB file first (default llm_cost.duckdb)")
    source.add_argument("--parquet", help="validate this Parquet export instead")
    v.add_argument("--validator", default=".venv-focus/bin/focus-validator",
                   help="the focus-validator executable (default .venv-focus/bin/focus-validator, which "
                        "`make focus-validator` builds)")
    v.set_defaults(func=_run_focus)


def _run_superset_bundle(args: argparse.Namespace) -> int:
    from llm_cost.superset_bundle import BundleError, write_bundle

    try:
        written = write_bundle(Path(args.duckdb), Path(args.out), Path(args.templates))
    except BundleError as exc:
        print(f"llm_cost superset-bundle: error: {exc}", file=sys.stderr)
        return 2
    counts = {kind: sum(n.startswith(f"{kind}s/") for n in written) for kind in ("database", "dataset", "chart",
                                                                                     "dashboard")}
    kinds = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items())
    print(f"wrote the Superset bundle ({kinds}) on {Path(args.duckdb).resolve()} (read-only) to {args.out}; "
          "import it in Superset: Dashboards > Import dashboard")
    return 0


def _add_superset_bundle(sub: argparse._SubParsersAction) -> None:
    from llm_cost.superset_bundle import TEMPLATES

    p = sub.add_parser("superset-bundle", help="write the Superset dashboard bundle (zip) on a published DuckDB file",
                       description="Write the importable Superset bundle of bi/superset/ (database, datasets on the "
                                   "marts, charts, dashboard) with the absolute path of the published DuckDB file, "
                                   "opened read-only (README \"Dashboards and BI tools\").")
    p.add_argument("--duckdb", default="llm_cost.published.duckdb",
                   help="the published copy of the marts (default llm_cost.published.duckdb, which `make run` writes)")
    p.add_argument("--out", required=True, help="the zip file to write")
    p.add_argument("--templates", default=str(TEMPLATES), help=argparse.SUPPRESS)
    p.set_defaults(func=_run_superset_bundle)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=_prog(), description="LLM cost attribution tools")
    parser.add_argument("--version", action="version", version=f"{DIST_NAME} {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_generate(sub)
    _add_summary(sub)
    _add_validate(sub)
    _add_load_bigquery(sub)
    _add_prices(sub)
    _add_reports(sub)
    _add_focus(sub)
    _add_superset_bundle(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
