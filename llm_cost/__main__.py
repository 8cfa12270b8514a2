"""Command line: ``python -m llm_cost <command> ...``.

Commands are argparse subparsers; add one with a ``_add_<name>`` builder that sets
``func`` (a callable taking the parsed namespace and returning an exit code).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from llm_cost.generate import MAX_SPANS, MIN_SPANS, generate, parse_span_count


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


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
        m = generate(out, spans=args.spans, seed=args.seed, progress=progress)
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
                       description="Write demo OTLP span files (spans/) and the ground truth (truth/).")
    p.add_argument("--spans", type=parse_span_count, default=5000,
                   help=f"span records to write, {MIN_SPANS}..{MAX_SPANS} (default 5000)")
    p.add_argument("--seed", type=_seed, default=42, help="random seed (default 42)")
    p.add_argument("--out", required=True, help="output directory (spans/ and truth/ are replaced)")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m llm_cost", description="LLM cost attribution tools")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_generate(sub)
    _add_summary(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
