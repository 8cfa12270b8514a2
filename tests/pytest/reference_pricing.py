"""An independent price lookup for the tests, written from docs/contract.md section 3-4, not from the SQL models."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

MTOK = Decimal(1_000_000)


def _price(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _when(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    value = datetime.fromisoformat(text if "T" in text or " " in text else text + "T00:00:00")
    return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)


@dataclass(frozen=True)
class PriceRow:
    provider: str
    model: str
    service_tier: str
    min_input_tokens: int
    effective_from: datetime
    input: Decimal | None
    output: Decimal | None
    cache_read: Decimal | None
    cache_write: Decimal | None
    cache_write_1h: Decimal | None
    reasoning: Decimal | None


@dataclass(frozen=True)
class Call:
    provider: str
    model: str
    service_tier: str
    started_at: datetime
    uncached: int
    cache_read: int
    cache_write: int
    cache_write_1h: int
    output: int
    reasoning: int


class PriceBook:
    def __init__(self, csv_path: Path) -> None:
        with open(csv_path, newline="") as f:
            self.rows = [
                PriceRow(
                    r["provider"].strip().lower(),
                    r["model"].strip().lower(),
                    (r["service_tier"].strip().lower() or "standard"),
                    int(r["min_input_tokens"] or 0),
                    _when(r["effective_from"]),
                    _price(r["input_usd_per_mtok"]),
                    _price(r["output_usd_per_mtok"]),
                    _price(r["cache_read_usd_per_mtok"]),
                    _price(r["cache_write_usd_per_mtok"]),
                    _price(r["cache_write_1h_usd_per_mtok"]),
                    _price(r["reasoning_usd_per_mtok"]),
                )
                for r in csv.DictReader(f)
            ]

    def _current(self, provider: str, model: str, tier: str, tokens: int, at: datetime) -> PriceRow | None:
        """The row of one (tier, threshold) key in force at `at`, or None (never published or closed)."""
        best: PriceRow | None = None
        for row in self.rows:
            if (row.provider, row.model, row.service_tier, row.min_input_tokens) != (provider, model, tier, tokens):
                continue
            if row.effective_from <= at and (best is None or row.effective_from > best.effective_from):
                best = row
        if best is None or (best.input is None and best.output is None):
            return None
        return best

    def lookup(self, call: Call) -> PriceRow | None:
        total_input = call.uncached + call.cache_read + call.cache_write + call.cache_write_1h
        for tier in dict.fromkeys([call.service_tier, "standard"]):
            thresholds = sorted(
                {r.min_input_tokens for r in self.rows
                 if (r.provider, r.model, r.service_tier) == (call.provider, call.model, tier)},
                reverse=True,
            )
            for threshold in thresholds:
                if threshold == 0 or total_input > threshold:
                    row = self._current(call.provider, call.model, tier, threshold, call.started_at)
                    if row is not None:
                        return row
        return None

    def cost(self, call: Call) -> Decimal | None:
        row = self.lookup(call)
        if row is None or row.input is None or (call.output > 0 and row.output is None):
            return None
        output = row.output or Decimal(0)
        parts = [
            call.uncached * row.input,
            call.cache_read * (row.cache_read if row.cache_read is not None else row.input),
            call.cache_write * (row.cache_write if row.cache_write is not None else row.input),
            call.cache_write_1h * (row.cache_write_1h if row.cache_write_1h is not None else row.input),
            (call.output - call.reasoning) * output,
            call.reasoning * (row.reasoning if row.reasoning is not None else output),
        ]
        return sum(parts, Decimal(0)) / MTOK
