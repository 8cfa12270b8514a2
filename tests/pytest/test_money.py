"""The cost arithmetic of macros/cross_db/money.sql on DuckDB: the fast path of cost_of (a whole number of micro-dollars
per 1M tokens, no rounding) gives exactly the rounded product for every rate, whether it takes that path or not."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from dbt_runner import DbtProject

# the DuckDB rendering of cost_of against the reference formula every engine's rendering must equal
INLINE = (
    "select cases.tokens, cases.rate, {{ cost_of('cases.tokens', 'cases.rate') }} as fast, "
    "{{ llm_cost.default__cost_of('cases.tokens', 'cases.rate') }} as reference from cases"
)


def _rates(rng: random.Random) -> list[Decimal]:
    """Rates in USD per 1M tokens: list prices (at most 6 decimals), rates with 7 to 12 decimals (a contract's discount,
    a multiplier), differences of rates (negative), and ones a double cannot tell from a nearby whole number of
    micro-dollars, or too large for the fast path."""
    rates = [Decimal("0"), Decimal("0.000001"), Decimal("-0.000001"), Decimal("0.0000005"), Decimal("0.000000000001"),
             Decimal("1000.000000000001"), Decimal("999999.999999999999"), Decimal("123456.1234565"),
             Decimal("20000000000000"), Decimal("9223372.036854775807"), Decimal("9223372.036854"),
             Decimal("0.15"), Decimal("3.75"), Decimal("1.2345678")]
    for _ in range(4000):
        decimals = rng.randint(0, 12)
        whole = rng.choice([0, 0, 1, 5, 60, 1000, 999_999])
        rate = Decimal(rng.randint(0, 10 ** decimals)).scaleb(-decimals) + whole
        rates.append(-rate if rng.random() < 0.1 else rate)
    return rates


def test_cost_of_fast_path_equals_the_rounded_product(tmp_path: Path) -> None:
    import duckdb

    project = DbtProject(tmp_path / "money.duckdb", str(tmp_path / "no_spans" / "*.json"), tmp_path / "logs")
    compiled = project.run("compile", "--quiet", "--inline", INLINE).stdout.strip()
    assert "try_cast" in compiled, "the DuckDB rendering of cost_of has its fast path"

    rng = random.Random(20261206)
    rates = _rates(rng)
    tokens = [0, 1, 7, 999_999, 1_000_001, 3_141_592, None] + [rng.randint(0, 5_000_000) for _ in range(20)]
    con = duckdb.connect()
    con.execute("create table cases (tokens bigint, rate decimal(38, 12))")
    # every rate with a few token counts (the product stays within the reference's 14 whole digits)
    rows: list[tuple[int | None, Decimal | None]] = [
        (rng.choice(tokens) if abs(rate) < 1_000_000 else rng.randint(0, 3), rate) for rate in rates for _ in range(3)
    ]
    rows.append((5, None))
    con.executemany("insert into cases values (?, ?)", rows)
    results = con.execute(compiled).fetchall()
    assert len(results) == len(rows)
    differing = [row for row in results if row[2] != row[3]]
    assert not differing, f"{len(differing)} products differ, e.g. {differing[:5]}"
    assert con.execute(f"select distinct typeof(fast) from ({compiled})").fetchall() == [("DECIMAL(38,12)",)]
    # the cases cover both paths: rates with at most 6 decimals and rates with more
    exact = sum(1 for _, rate, *_ in results if rate is not None and rate == rate.quantize(Decimal("0.000001")))
    assert 0 < exact < len(results)
