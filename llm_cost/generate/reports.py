"""The demo's provider reports: what OpenAI and Anthropic would report for the demo's calls (README "Reconciliation").

``ProviderReports`` sees every run the truth sees and writes, under ``<out>/provider_reports/``, one API response
page per report in the shapes ``llm-cost reports fetch`` writes (docs/provider_reports.md): the OpenAI Usage API
(completions, embeddings) and Costs API, the Anthropic Messages usage report and cost report, one daily bucket per
day of the calls. The provider's totals are the demo's traced OpenAI and Anthropic calls plus **uninstrumented
calls**: for each traced call, with probability ``UNINSTRUMENTED_SHARE`` (from a random stream of its own, seeded
from the seed, so the spans and their truth do not change), the provider also served an identical call from the
``nightly-evals`` project (workspace), a job with no tracing. That is about 7% of the provider's calls.

The provider's cost is the list price of those tokens, read from the price seed (``seeds/model_prices.csv``) the way
docs/contract.md section 4 prices a call (tier falling back to standard, the long-context row when the input
exceeds its threshold, a bucket without a rate of its own at its pool's rate), except for one deliberate drift: on
``DRIFT_DAY`` Anthropic bills its first output line ``DRIFT_RATE`` more than the list price, so the reconciliation's
drift column shows something. Without the price seed (the package used outside the repository) the cost pages are
not written.

The reports' own truth goes to ``truth/provider_reports.json`` (per provider: traced, uninstrumented and provider
tokens by bucket, requests, the expected coverage, the provider cost, the drift) and
``truth/uninstrumented_calls.csv`` (one row per uninstrumented call, in the columns of truth/calls.csv that price
a call).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from llm_cost.generate.runs import Call, Run, Usage
from llm_cost.generate.state import FastRandom
from llm_cost.generate.window import EPOCH, WINDOW_END, WINDOW_START, iso_us

PROVIDERS = ("openai", "anthropic")
UNINSTRUMENTED_SHARE = 0.075  # per traced call: 0.075 / 1.075, about 7% of the provider's calls
UNINSTRUMENTED_PROJECT = "nightly-evals"
SEED_SALT = 0x7E90_2A7C  # the uninstrumented calls' random stream: seed + this
DRIFT_DAY = date(2025, 6, 5)
DRIFT_RATE = Decimal("0.02")  # Anthropic bills its first output line of DRIFT_DAY 2% over the list price
LONG_CONTEXT = 200_000  # Anthropic usage report context_window: 0-200k, 200k-1M
FETCHED_AT = (WINDOW_END + timedelta(hours=6)).strftime("%Y%m%dT%H%M%S000000Z")  # fixed: byte-identical output
PRICE_SEED = Path(__file__).resolve().parents[2] / "seeds" / "model_prices.csv"
BUCKETS = ("uncached_input", "cache_read", "cache_write", "cache_write_1h", "output")
UNINSTRUMENTED_COLUMNS = ["started_at", "provider", "model", "service_tier", "uncached_input_tokens",
                          "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens",
                          "reasoning_tokens", "project"]
MTOK = Decimal(1_000_000)
# Anthropic cost report token_type per bucket, and the description's wording
ANTHROPIC_TOKEN_TYPES = {
    "uncached_input": ("uncached_input_tokens", "Input Tokens"),
    "cache_read": ("cache_read_input_tokens", "Cache Read Tokens"),
    "cache_write": ("cache_creation.ephemeral_5m_input_tokens", "5m Cache Write Tokens"),
    "cache_write_1h": ("cache_creation.ephemeral_1h_input_tokens", "1h Cache Write Tokens"),
    "output": ("output_tokens", "Output Tokens"),
}
# OpenAI cost line items: "<model>, <what>" (the tier, when not standard, in parentheses)
OPENAI_LINE_ITEMS = {"uncached_input": "input", "cache_read": "cached input", "output": "output"}


# ----------------------------------------------------------------------------- list prices


@dataclass(frozen=True, slots=True)
class _PriceRow:
    tier: str
    min_input_tokens: int
    effective_from: datetime
    rates: dict[str, Decimal | None]  # input, output, cache_read, cache_write, cache_write_1h, reasoning


class ListPrices:
    """The price seed as the provider's list prices: the row of a call (docs/contract.md section 4)."""

    def __init__(self, path: Path) -> None:
        self.rows: dict[tuple[str, str], list[_PriceRow]] = defaultdict(list)
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                when = datetime.fromisoformat(r["effective_from"].strip()[:10]).replace(tzinfo=UTC)
                rates = {name: Decimal(r[f"{name}_usd_per_mtok"]) if r[f"{name}_usd_per_mtok"].strip() else None
                         for name in ("input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning")}
                key = (r["provider"].strip().lower(), r["model"].strip().lower())
                self.rows[key].append(_PriceRow(r["service_tier"].strip().lower() or "standard",
                                                int(r["min_input_tokens"] or 0), when, rates))

    def rates(self, provider: str, model: str, tier: str, total_input: int, at: datetime) -> dict[str, Decimal]:
        """USD per 1M tokens of each bucket (a bucket without a rate of its own at its pool's); KeyError: unpriced."""
        rows = self.rows.get((provider, model), [])
        for t in dict.fromkeys([tier, "standard"]):
            for threshold in sorted({r.min_input_tokens for r in rows if r.tier == t}, reverse=True):
                if threshold and total_input <= threshold:
                    continue
                current = [r for r in rows if (r.tier, r.min_input_tokens) == (t, threshold) and r.effective_from <= at]
                if not current:
                    continue
                row = max(current, key=lambda r: r.effective_from)
                x = row.rates
                if x["input"] is None and x["output"] is None:  # a closing row
                    continue
                assert x["input"] is not None
                out = x["output"] or Decimal(0)
                return {"uncached_input": x["input"], "cache_read": x["cache_read"] or x["input"],
                        "cache_write": x["cache_write"] or x["input"],
                        "cache_write_1h": x["cache_write_1h"] or x["input"], "output": out,
                        "reasoning": x["reasoning"] or out}
        raise KeyError((provider, model, tier))


# ----------------------------------------------------------------------------- the reports


def _tokens(u: Usage) -> dict[str, int]:
    return {"uncached_input": u.uncached, "cache_read": u.cache_read, "cache_write": u.cache_write,
            "cache_write_1h": u.cache_write_1h, "output": u.output}


def _day(us: int) -> date:
    return (EPOCH + timedelta(microseconds=us)).date()


def _number(value: Decimal) -> str:
    """A Decimal as plain decimal text (no exponent), trailing zeros dropped."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class ProviderReports:
    """Collects the provider's view of the demo's calls (run by run) and writes the report pages and their truth."""

    def __init__(self, seed: int, price_seed: Path = PRICE_SEED) -> None:
        self.rng = FastRandom(seed + SEED_SALT)
        self.prices = ListPrices(price_seed) if price_seed.exists() else None
        # (provider, day, project, report model, tier, context window, embeddings) -> bucket tokens + requests
        self.usage: dict[tuple[str, date, str, str, str, str, bool], dict[str, int]] = {}
        # (provider, day, project, report model, tier, context window, bucket) -> list-price cost (USD)
        self.cost: dict[tuple[str, date, str, str, str, str, str], Decimal] = defaultdict(Decimal)
        self.totals = {p: {side: dict.fromkeys([*BUCKETS, "requests"], 0) for side in ("traced", "uninstrumented")}
                       for p in PROVIDERS}
        self.uninstrumented: list[str] = []
        self.days: set[date] = set()

    def add(self, run: Run) -> None:
        for c in run.calls:
            if c.model.provider not in PROVIDERS:
                continue
            self._count(c, run.service, "traced")
            if self.rng.random() < UNINSTRUMENTED_SHARE:
                self._count(c, UNINSTRUMENTED_PROJECT, "uninstrumented")
                u = c.usage
                self.uninstrumented.append(",".join(str(v) for v in [
                    iso_us(c.span.start), c.model.provider, c.model.canonical, c.tier, u.uncached, u.cache_read,
                    u.cache_write, u.cache_write_1h, u.output, u.reasoning, UNINSTRUMENTED_PROJECT]))

    def _count(self, c: Call, project: str, side: str) -> None:
        m, u = c.model, c.usage
        day = _day(c.span.start)
        self.days.add(day)
        window = "200k-1M" if u.inclusive > LONG_CONTEXT else "0-200k"
        embeddings = m.canonical.startswith("text-embedding")
        key = (m.provider, day, project, m.response or m.request, c.tier, window, embeddings)
        line = self.usage.setdefault(key, dict.fromkeys([*BUCKETS, "requests"], 0))
        tokens = _tokens(u)
        for b, n in tokens.items():
            line[b] += n
            self.totals[m.provider][side][b] += n
        line["requests"] += 1
        self.totals[m.provider][side]["requests"] += 1
        if self.prices is None:
            return
        at = datetime.fromtimestamp(c.span.start / 1_000_000, tz=UTC)
        rates = self.prices.rates(m.provider, m.canonical, c.tier, u.inclusive, at)
        costs = {b: n * rates[b] for b, n in tokens.items()}
        # reasoning (inside output) at its own rate, as the provider bills it
        costs["output"] = (u.output - u.reasoning) * rates["output"] + u.reasoning * rates["reasoning"]
        for b, amount in costs.items():
            self.cost[(m.provider, day, project, m.response or m.request, c.tier, window, b)] += amount / MTOK

    # ------------------------------------------------------------------------- writing

    def write(self, out_dir: Path, truth_dir: Path) -> dict[str, Any]:
        days = sorted(self.days | {WINDOW_START.date() + timedelta(days=i)
                                   for i in range((WINDOW_END - WINDOW_START).days)})
        start, end = days[0], days[-1]
        pages = {
            "openai_usage_completions": self._openai_usage(days, embeddings=False),
            "openai_usage_embeddings": self._openai_usage(days, embeddings=True),
            "anthropic_usage_messages": self._anthropic_usage(days),
        }
        drift = {"day": DRIFT_DAY.isoformat(), "provider": "anthropic", "rate": str(DRIFT_RATE),
                 "amount_usd": "0"}
        provider_cost = dict.fromkeys(PROVIDERS, Decimal(0))
        if self.prices is not None:
            drift_key = next((k for k in sorted(self.cost) if k[0] == "anthropic" and k[1] == DRIFT_DAY
                              and k[6] == "output"), None)
            if drift_key is not None:
                surplus = self.cost[drift_key] * DRIFT_RATE
                self.cost[drift_key] += surplus
                drift.update(model=drift_key[3], project=drift_key[2], amount_usd=_number(surplus))
            for k, amount in self.cost.items():
                provider_cost[k[0]] += amount
            pages["openai_costs"] = self._openai_costs(days)
            pages["anthropic_cost_report"] = self._anthropic_costs(days)
        for kind, page in pages.items():
            name = f"{kind}_{start}_{end}_{FETCHED_AT}_p1.json"
            (out_dir / name).write_text(_dumps(page) + "\n", encoding="utf-8")

        with open(truth_dir / "uninstrumented_calls.csv", "w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(UNINSTRUMENTED_COLUMNS) + "\n")
            fh.writelines(line + "\n" for line in self.uninstrumented)
        truth: dict[str, Any] = {
            "uninstrumented_share_per_traced_call": UNINSTRUMENTED_SHARE,
            "uninstrumented_project": UNINSTRUMENTED_PROJECT,
            "first_day": start.isoformat(),
            "last_day": end.isoformat(),
            "cost_pages_written": self.prices is not None,
            "drift": drift,
            "providers": {},
        }
        for p in PROVIDERS:
            traced, extra = self.totals[p]["traced"], self.totals[p]["uninstrumented"]
            both = {k: traced[k] + extra[k] for k in traced}
            total_traced = sum(traced[b] for b in BUCKETS)
            total_provider = sum(both[b] for b in BUCKETS)
            truth["providers"][p] = {
                "traced": traced,
                "uninstrumented": extra,
                "provider": both,
                "traced_tokens": total_traced,
                "provider_tokens": total_provider,
                "expected_coverage": total_traced / total_provider if total_provider else None,
                "provider_cost_usd": _number(provider_cost[p]),
            }
        (truth_dir / "provider_reports.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
        return truth

    def _lines(self, provider: str, day: date, embeddings: bool | None = None) -> list[tuple[Any, dict[str, int]]]:
        return [(k, v) for k, v in sorted(self.usage.items())
                if k[0] == provider and k[1] == day and (embeddings is None or k[6] == embeddings)]

    def _openai_usage(self, days: list[date], embeddings: bool) -> dict[str, Any]:
        buckets = []
        for day in days:
            results: list[dict[str, Any]] = []
            for (_, _, project, model, tier, _, _), t in self._lines("openai", day, embeddings):
                if embeddings:
                    results.append({"object": "organization.usage.embeddings.result",
                                    "input_tokens": t["uncached_input"], "num_model_requests": t["requests"],
                                    "project_id": f"proj_{project}", "user_id": None, "api_key_id": None,
                                    "model": model})
                    continue
                # input_tokens includes the cached tokens (and cache writes, which OpenAI does not bill apart)
                results.append({
                    "object": "organization.usage.completions.result",
                    "input_tokens": t["uncached_input"] + t["cache_read"] + t["cache_write"] + t["cache_write_1h"],
                    "output_tokens": t["output"], "input_cached_tokens": t["cache_read"], "input_audio_tokens": 0,
                    "output_audio_tokens": 0, "num_model_requests": t["requests"], "project_id": f"proj_{project}",
                    "user_id": None, "api_key_id": None, "model": model, "batch": tier == "batch",
                    "service_tier": "default" if tier in ("standard", "batch") else tier})
            buckets.append({"object": "bucket", "start_time": _unix(day), "end_time": _unix(day + timedelta(days=1)),
                            "results": results})
        return {"object": "page", "data": buckets, "has_more": False, "next_page": None}

    def _anthropic_usage(self, days: list[date]) -> dict[str, Any]:
        buckets = []
        for day in days:
            results = [{
                "uncached_input_tokens": t["uncached_input"], "cache_read_input_tokens": t["cache_read"],
                "cache_creation": {"ephemeral_5m_input_tokens": t["cache_write"],
                                   "ephemeral_1h_input_tokens": t["cache_write_1h"]},
                "output_tokens": t["output"], "server_tool_use": {"web_search_requests": 0},
                "api_key_id": None, "workspace_id": f"wrkspc_{project}", "model": model, "service_tier": tier,
                "context_window": window,
            } for (_, _, project, model, tier, window, _), t in self._lines("anthropic", day)]
            buckets.append(_anthropic_bucket(day, results))
        return {"data": buckets, "has_more": False, "next_page": None}

    def _openai_costs(self, days: list[date]) -> dict[str, Any]:
        buckets = []
        for day in days:
            lines: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            for (provider, d, project, model, tier, _, bucket), amount in self.cost.items():
                if provider != "openai" or d != day:
                    continue
                # cache writes are billed as input by OpenAI
                what = OPENAI_LINE_ITEMS.get(bucket, "input")
                suffix = "" if tier == "standard" else f" ({tier})"
                if amount:
                    lines[(f"proj_{project}", f"{model}, {what}{suffix}")] += amount
            results = [{"object": "organization.costs.result", "amount": {"value": amount, "currency": "usd"},
                        "line_item": line_item, "project_id": project}
                       for (project, line_item), amount in sorted(lines.items())]
            buckets.append({"object": "bucket", "start_time": _unix(day), "end_time": _unix(day + timedelta(days=1)),
                            "results": results})
        return {"object": "page", "data": buckets, "has_more": False, "next_page": None}

    def _anthropic_costs(self, days: list[date]) -> dict[str, Any]:
        buckets = []
        for day in days:
            results = []
            for (provider, d, project, model, tier, window, bucket), amount in sorted(self.cost.items()):
                if provider != "anthropic" or d != day or not amount:
                    continue
                token_type, words = ANTHROPIC_TOKEN_TYPES[bucket]
                results.append({
                    "amount": _number(amount * 100), "currency": "USD",  # cents, as a decimal string
                    "description": f"{model} Usage - {words}", "cost_type": "tokens", "model": model,
                    "service_tier": tier, "token_type": token_type, "context_window": window,
                    "workspace_id": f"wrkspc_{project}"})
            buckets.append(_anthropic_bucket(day, results))
        return {"data": buckets, "has_more": False, "next_page": None}


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _anthropic_bucket(day: date, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"starting_at": f"{day}T00:00:00Z", "ending_at": f"{day + timedelta(days=1)}T00:00:00Z",
            "results": results}


def _dumps(page: dict[str, Any]) -> str:
    """JSON with Decimals as JSON numbers of their exact text (as the OpenAI Costs API sends amount.value)."""
    marked = json.dumps(page, default=lambda d: f"@@{_number(d)}@@")
    return re.sub(r'"@@([^@]+)@@"', r"\1", marked)
