"""Baseline (b), "per-call Python pricing": json + genai-prices + pandas over the raw OTLP files.

Reads each file line by line with Python's json (gzip aware), takes the spans that carry
gen_ai.usage.input_tokens / output_tokens (or the older gen_ai.usage.prompt_tokens / completion_tokens),
prices each call with genai_prices.calc_price at its start time, collects the rows in a pandas DataFrame
and groups by feature (span, else resource attribute app.feature, else '(unattributed)'). A model or
provider genai-prices does not know, or usage it rejects, counts as unpriced.

Run by bench/run_bench.py in a subprocess of its own; prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import glob as globlib
import gzip
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

UNATTRIBUTED = "(unattributed)"


def select_files(pattern: str, fraction: float) -> tuple[list[str], int]:
    """The first `fraction` share of the glob's files (sorted by name), at least one; and how many there are."""
    files = sorted(globlib.glob(pattern))
    return files[: max(1, math.ceil(fraction * len(files)))] if files else [], len(files)


def attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in items or ():
        value = kv.get("value") or {}
        out.setdefault(kv.get("key"), next(iter(value.values()), None))
    return out


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def open_lines(path: str) -> BinaryIO:
    return cast(BinaryIO, gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb"))


def spans(files: list[str], counters: dict[str, int]) -> Iterator[tuple[dict[str, Any], dict[str, Any], Any]]:
    """(span attributes, resource attributes, startTimeUnixNano) of every span in the files."""
    for path in files:
        with open_lines(path) as fh:
            for line in fh:
                try:
                    data = json.loads(line)
                except ValueError:
                    counters["bad_lines"] += 1
                    continue
                for rs in data.get("resourceSpans") or ():
                    resource = attributes((rs.get("resource") or {}).get("attributes"))
                    for ss in rs.get("scopeSpans") or ():
                        for span in ss.get("spans") or ():
                            counters["spans"] += 1
                            yield attributes(span.get("attributes")), resource, span.get("startTimeUnixNano")


def run(pattern: str, fraction: float) -> dict[str, Any]:
    import genai_prices
    import pandas as pd
    from genai_prices import Usage, calc_price

    started = time.perf_counter()  # after the imports: the part that grows with the files read
    files, total_files = select_files(pattern, fraction)
    counters = {"spans": 0, "bad_lines": 0}
    errors: Counter[str] = Counter()
    rows: list[tuple[str, str | None, int, int, float | None]] = []
    for a, resource, start in spans(files, counters):
        inp = as_int(a.get("gen_ai.usage.input_tokens", a.get("gen_ai.usage.prompt_tokens")))
        out = as_int(a.get("gen_ai.usage.output_tokens", a.get("gen_ai.usage.completion_tokens")))
        if inp is None and out is None:
            continue
        model = a.get("gen_ai.response.model") or a.get("gen_ai.request.model")
        provider = a.get("gen_ai.provider.name") or a.get("gen_ai.system")
        cache_read = as_int(a.get("gen_ai.usage.cache_read.input_tokens",
                                  a.get("gen_ai.usage.cache_read_input_tokens")))
        start_ns = as_int(start)
        ts = datetime.fromtimestamp(start_ns / 1e9, tz=UTC) if start_ns else None
        feature = a.get("app.feature") or resource.get("app.feature") or UNATTRIBUTED
        cost: float | None = None
        if model:
            try:
                usage = Usage(input_tokens=inp or 0, output_tokens=out or 0, cache_read_tokens=cache_read)
                cost = float(calc_price(usage, model, provider_id=provider, genai_request_timestamp=ts).total_price)
            except (LookupError, ValueError) as exc:  # unknown model or provider; usage the library rejects
                errors[type(exc).__name__] += 1
        rows.append((feature, model, inp or 0, out or 0, cost))

    df = pd.DataFrame(rows, columns=["feature", "model", "input_tokens", "output_tokens", "cost_usd"])
    df["unpriced"] = df["cost_usd"].isna()
    by_feature = (
        df.groupby("feature", dropna=False)
        .agg(calls=("model", "size"), unpriced_calls=("unpriced", "sum"), input_tokens=("input_tokens", "sum"),
             output_tokens=("output_tokens", "sum"), cost_usd=("cost_usd", "sum"))
        .sort_values("cost_usd", ascending=False)
        .reset_index()
    )
    unpriced_models = df.loc[df["unpriced"], "model"].fillna("(none)").value_counts()
    return {
        "processing_s": time.perf_counter() - started,
        "genai_prices": genai_prices.__version__,
        "files_read": len(files),
        "files_total": total_files,
        "spans": counters["spans"],
        "bad_lines": counters["bad_lines"],
        "calls": len(df),
        "unpriced_calls": int(df["unpriced"].sum()),
        "unpriced_by_error": dict(errors),
        "cost_usd": float(df["cost_usd"].sum()),
        "by_feature": [
            {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in by_feature.to_dict("records")
        ],
        "unpriced_models": {str(k): int(v) for k, v in unpriced_models.items()},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--glob", required=True, help="glob of the OTLP JSON(.gz) files")
    p.add_argument("--fraction", type=float, default=1.0, help="share of the files to read, in (0, 1]")
    args = p.parse_args(argv)
    if not 0 < args.fraction <= 1:
        p.error(f"--fraction must be in (0, 1], got {args.fraction}")
    json.dump(run(args.glob, args.fraction), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
