"""`llm-cost prices sync` (llm_cost/prices_sync.py): genai-prices' catalog as appended seed rows, aliases and audio
rate rules.

Small catalogs built from genai-prices' own types check each mapping; the last tests check the shipped seeds: they
are the sync's result, every synced row prices a call as genai-prices does, and every name the hand-curated seeds
resolve still resolves the same (through the real macro, on DuckDB's RE2).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest
from genai_prices import types as gp
from genai_prices.data import providers as CATALOG

from dbt_runner import PROJECT_DIR
from llm_cost import prices_sync as ps
from llm_cost.generate.catalog import MODELS
from reference_pricing import Call, PriceBook

SEEDS = PROJECT_DIR / "seeds"
HEADER = ",".join(ps.PRICE_HEADER)
SENTINEL = ps.UNKNOWN_START_DATE.isoformat()


def _price(**prices: str | gp.TieredPrices) -> gp.ModelPrice:
    return gp.ModelPrice(**{k: Decimal(v) if isinstance(v, str) else v for k, v in prices.items()})


def _model(model_id: str, prices: Any, match: Any = None, variants: list[gp.PriceVariant] | None = None
           ) -> gp.ModelInfo:
    return gp.ModelInfo(id=model_id, match=match or gp.ClauseEquals(equals=model_id), prices=prices,
                        price_variants=variants)


def _since(day: date, **prices: str | gp.TieredPrices) -> gp.ConditionalPrice:
    return gp.ConditionalPrice(constraint=gp.StartDateConstraint(start_date=day), prices=_price(**prices))


def _first(**prices: str | gp.TieredPrices) -> gp.ConditionalPrice:
    return gp.ConditionalPrice(prices=_price(**prices))


def _tiered(base: str, **tiers: str) -> gp.TieredPrices:
    return gp.TieredPrices(base=Decimal(base), tiers=[gp.Tier(start=int(k[1:]), price=Decimal(v))
                                                      for k, v in tiers.items()])


def _provider(provider_id: str, *models: gp.ModelInfo) -> gp.Provider:
    return gp.Provider(id=provider_id, name=provider_id, api_pattern="", models=list(models))


SEED_PRICES = HEADER + """
openai,gpt-hand,2025-01-01,standard,0,2,8,0.5,,,,https://example.com/pricing; read 2026-11
openai,gpt-hand,2025-01-01,batch,0,1,4,,,,,https://example.com/pricing; read 2026-11
anthropic,claude-hand,2025-01-01,standard,0,3,15,0.3,3.75,6,,https://example.com/pricing; read 2026-11
openai,embed-hand,2024-01-25,standard,0,0.02,,,,,,https://example.com/pricing; read 2026-11
"""
SEED_ALIASES = """pattern,provider,model,note
(openai/)?gpt-hand(-2025-01-01)?,openai,gpt-hand,e.g. gpt-hand-2025-01-01; openai/gpt-hand
(anthropic/)?claude-hand(-latest)?,anthropic,claude-hand,e.g. claude-hand-latest
"""


SEED_MODIFIERS = ",".join(ps.MODIFIER_HEADER) + """
openai,audio_input_tokens,gpt-hand,standard,2025-01-01,,,,40,,https://example.com/pricing; read 2026-11
"""
Seeds = tuple[Path, Path, Path]


@pytest.fixture
def seeds(tmp_path: Path) -> Seeds:
    prices, aliases = tmp_path / "model_prices.csv", tmp_path / "model_aliases.csv"
    modifiers = tmp_path / "price_modifiers.csv"
    prices.write_text(SEED_PRICES)
    aliases.write_text(SEED_ALIASES)
    modifiers.write_text(SEED_MODIFIERS)
    return prices, aliases, modifiers


def _sync(seeds: Seeds, *providers: gp.Provider, dry_run: bool = False) -> ps.Report:
    return ps.sync(*seeds, catalog=list(providers), version="9.9.9", dry_run=dry_run)


def _rows(path: Path, model: str) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f) if r.get("model") == model]


def _key(row: dict[str, str]) -> tuple[str, str, str]:
    return row["service_tier"], row["min_input_tokens"], row["effective_from"]


def test_dated_history_starts_at_the_documented_date_and_says_so(seeds: Seeds) -> None:
    _sync(seeds, _provider("openai", _model("gpt-x", [
        _first(input_mtok="10", output_mtok="40"),
        _since(date(2025, 6, 10), input_mtok="2", output_mtok="8"),
    ])))
    rows = {_key(r): r for r in _rows(seeds[0], "gpt-x")}
    assert set(rows) == {("standard", "0", SENTINEL), ("standard", "0", "2025-06-10")}
    first, cut = rows[("standard", "0", SENTINEL)], rows[("standard", "0", "2025-06-10")]
    assert (first["input_usd_per_mtok"], first["output_usd_per_mtok"]) == ("10", "40")
    assert first["source"] == ("genai-prices 9.9.9 (openai/gpt-x); start date unknown (genai-prices has none); "
                               "first-period price")
    assert (cut["input_usd_per_mtok"], cut["output_usd_per_mtok"], cut["source"]) == (
        "2", "8", "genai-prices 9.9.9 (openai/gpt-x)")
    assert first["provider"] == "openai" and first["cache_read_usd_per_mtok"] == ""


def test_a_dated_price_before_the_assumed_first_start_is_not_expressible(seeds: Seeds) -> None:
    report = _sync(seeds, _provider("openai", _model("gpt-old", [
        _first(input_mtok="1", output_mtok="2"), _since(date(2022, 6, 1), input_mtok="3", output_mtok="4")])))
    assert _rows(seeds[0], "gpt-old") == []
    assert any("on or before 2023-01-01" in reason for reason in report.skipped_models)


def test_long_context_tier_rows_and_the_closing_row_that_ends_a_tier(seeds: Seeds) -> None:
    _sync(seeds, _provider("anthropic", _model("claude-x", [
        _first(input_mtok=_tiered("3", t200000="6"), output_mtok=_tiered("15", t200000="22.5"),
               cache_write_mtok="3.75"),
        _since(date(2026, 3, 13), input_mtok="3", output_mtok="15", cache_write_mtok="3.75"),
    ])))
    rows = {_key(r): r for r in _rows(seeds[0], "claude-x")}
    # the base row does not change on 2026-03-13, so it is written once; the tier is closed that day
    assert set(rows) == {("standard", "0", SENTINEL), ("standard", "200000", SENTINEL),
                         ("standard", "200000", "2026-03-13")}
    tier = rows[("standard", "200000", SENTINEL)]
    assert (tier["input_usd_per_mtok"], tier["output_usd_per_mtok"], tier["cache_write_usd_per_mtok"]) == (
        "6", "22.5", "3.75")  # an untiered price holds in the tier too
    closing = rows[("standard", "200000", "2026-03-13")]
    assert all(closing[c] == "" for c in ps.PRICE_COLUMNS.values())
    assert "closing row" in closing["source"]


def test_service_tiers_from_price_variants_with_genai_prices_fallback(seeds: Seeds) -> None:
    report = _sync(seeds, _provider("openai", _model("gpt-t", _price(input_mtok="2", output_mtok="8",
                                                                     cache_read_mtok="0.5"), variants=[
        gp.PriceVariant(when={"service_tier": "default"}, prices=_price()),
        gp.PriceVariant(when={"processing": "batch"}, prices=_price(input_mtok="1", output_mtok="4"),
                        constraint=gp.StartDateConstraint(start_date=date(2026, 10, 14))),
        gp.PriceVariant(when={"service_tier": "flex"}, prices=_price(input_mtok="1", output_mtok="4",
                                                                     cache_read_mtok="0.25")),
        gp.PriceVariant(when={"service_tier": "priority"}, prices=_price(input_mtok="3.5", output_mtok="14",
                                                                         cache_read_mtok="0.875")),
        gp.PriceVariant(when={"service_tier": "fast"}, prices=_price(input_mtok="9", output_mtok="9")),
    ])))
    rows = {_key(r): r for r in _rows(seeds[0], "gpt-t")}
    assert set(rows) == {("standard", "0", SENTINEL), ("batch", "0", "2026-10-14"), ("flex", "0", SENTINEL),
                         ("priority", "0", SENTINEL)}
    batch = rows[("batch", "0", "2026-10-14")]
    # a variant overrides the prices it has; the rest is the standard price, as genai-prices charges it
    assert (batch["input_usd_per_mtok"], batch["output_usd_per_mtok"], batch["cache_read_usd_per_mtok"]) == (
        "1", "4", "0.5")
    assert rows[("priority", "0", SENTINEL)]["cache_read_usd_per_mtok"] == "0.875"
    assert report.skipped_variants == {"service_tier=fast": 1}


def test_cache_prices_fill_their_columns_as_exact_decimals(seeds: Seeds) -> None:
    _sync(seeds, _provider("anthropic", _model("claude-c", _price(
        input_mtok="1E+1", output_mtok="50.00", cache_read_mtok="0.00875", cache_write_mtok="12.5",
        cache_write_1h_mtok="20", output_reasoning_mtok="0.1000", web_searches_kcount="10"))))
    [row] = _rows(seeds[0], "claude-c")
    assert [row[c] for c in ps.PRICE_COLUMNS.values()] == ["10", "50", "0.00875", "12.5", "20", "0.1"]
    assert row["source"].endswith("; not modelled: web_searches_kcount")


@pytest.mark.parametrize(("model", "reason"), [
    (_model("realtime", _price(input_mtok="5", output_mtok="20", output_image_mtok="80")),
     "priced in output_image_mtok"),
    (_model("tiered-audio", _price(input_mtok="1", input_audio_mtok=_tiered("3", t200000="6"))),
     "input_audio_mtok by context length"),
    (_model("cached-audio-only", _price(input_mtok="1", cache_audio_read_mtok="0.3")),
     "a cached audio price without an audio input price"),
    (_model("tts", _price(input_mchars="15")), "priced in input_mchars"),
    (_model("free", _price()), "no input or output token price"),
    (_model("offpeak", [_first(input_mtok="0.27", output_mtok="1.1"), gp.ConditionalPrice(
        constraint=gp.TimeOfDateConstraint(start_time=datetime(2025, 1, 1, 16, 30).time(),
                                           end_time=datetime(2025, 1, 1, 0, 30).time()),
        prices=_price(input_mtok="0.135", output_mtok="0.55"))]), "priced by time of day"),
])
def test_models_the_seed_cannot_price_are_skipped_and_counted(seeds: Seeds, model: gp.ModelInfo,
                                                              reason: str) -> None:
    report = _sync(seeds, _provider("openai", model))
    assert _rows(seeds[0], model.id) == []
    assert report.skipped_models == {f"not expressible: {reason}": [f"openai/{model.id}"]}


def test_unmapped_providers_are_skipped_and_counted(seeds: Seeds) -> None:
    report = _sync(seeds, _provider("openrouter", _model("x/y", _price(input_mtok="1", output_mtok="1"))))
    assert report.providers_skipped == ["openrouter"] and not report.added_rows
    with pytest.raises(ps.SyncError, match="--provider openrouter: not a mapped genai-prices provider"):
        ps.sync(*seeds, catalog=[_provider("openrouter")], version="9.9.9", providers=["openrouter"])


CATALOG_SMALL = [
    _provider("openai",
              _model("gpt-hand", _price(input_mtok="2.5", output_mtok="8", cache_read_mtok="0.5")),
              _model("gpt-new", [_first(input_mtok="1", output_mtok="4"),
                                 _since(date(2026, 1, 5), input_mtok="1.5", output_mtok="6")],
                     match=gp.ClauseOr(or_=[gp.ClauseEquals(equals="gpt-new"),
                                            gp.ClauseStartsWith(starts_with="gpt-new.1-")]))),
    _provider("anthropic", _model("claude-hand-latest", _price(input_mtok="3", output_mtok="15",
                                                               cache_read_mtok="0.3", cache_write_mtok="3.75",
                                                               cache_write_1h_mtok="6"))),
]


def test_idempotent_append_only_and_hand_curated_models_left_alone(seeds: Seeds) -> None:
    prices_before, aliases_before = seeds[0].read_bytes(), seeds[1].read_bytes()
    first = _sync(seeds, *CATALOG_SMALL)
    assert [(p, m) for p, m, *_ in first.added_models] == [("openai", "gpt-new")]
    prices_once, aliases_once = seeds[0].read_bytes(), seeds[1].read_bytes()
    # append only: the old file is a prefix of the new one, byte for byte
    assert prices_once.startswith(prices_before) and aliases_once.startswith(aliases_before)
    assert len(prices_once.splitlines()) == len(prices_before.splitlines()) + 2
    assert [r["pattern"] for r in csv.DictReader(aliases_once.decode().splitlines())][2:] == [r"gpt-new\.1-.*"]
    # the hand-curated models (by id, and through an alias) got nothing
    assert len(_rows(seeds[0], "gpt-hand")) == 2 and len(_rows(seeds[0], "claude-hand")) == 1
    assert not _rows(seeds[0], "claude-hand-latest")
    second = _sync(seeds, *CATALOG_SMALL)
    assert not second.added_rows and not second.added_aliases
    assert (seeds[0].read_bytes(), seeds[1].read_bytes()) == (prices_once, aliases_once)


def test_a_later_catalog_appends_new_dated_rows_to_a_synced_model_only(seeds: Seeds) -> None:
    _sync(seeds, *CATALOG_SMALL)
    newer = _provider("openai", _model("gpt-new", [
        _first(input_mtok="1", output_mtok="4"), _since(date(2026, 1, 5), input_mtok="1.5", output_mtok="6"),
        _since(date(2026, 12, 1), input_mtok="1.25", output_mtok="5")]))
    report = _sync(seeds, newer)
    assert [_key(r) for r in report.added_rows] == [("standard", "0", "2026-12-01")]
    assert len(_rows(seeds[0], "gpt-new")) == 3


def test_disagreements_with_the_hand_curated_seed_are_printed_not_written(seeds: Seeds) -> None:
    report = _sync(seeds, *CATALOG_SMALL, dry_run=True)
    # gpt-hand's input differs; claude-hand (genai-prices' claude-hand-latest, through the seed's alias) agrees
    assert report.review == [
        "openai/gpt-hand standard (seed row from 2025-01-01): seed -> genai-prices: input 2 -> 2.5"]
    text = ps.render(report, dry_run=True)
    assert "review: 1 prices where genai-prices disagrees" in text and "dry run: nothing written" in text
    assert seeds[0].read_text() == SEED_PRICES  # a dry run writes nothing


def _modifiers(path: Path, model_pattern: str) -> dict[tuple[str, str, str], dict[str, str]]:
    with open(path, newline="") as f:
        return {(r["modifier"], r["match_pattern"], r["effective_from"]): r for r in csv.DictReader(f)
                if r["model_pattern"] == model_pattern}


AUDIO_CATALOG = _provider("openai", _model("gpt-voice-1.0", [
    _first(input_mtok="4", output_mtok="16", cache_read_mtok="0.4", input_audio_mtok="32",
           cache_audio_read_mtok="0.4", output_audio_mtok="64"),
    _since(date(2026, 3, 1), input_mtok="4", output_mtok="16", cache_read_mtok="0.4", input_audio_mtok="24",
           cache_audio_read_mtok="0.4", output_audio_mtok="64"),
    _since(date(2026, 9, 1), input_mtok="4", output_mtok="16", cache_read_mtok="0.4"),
], variants=[gp.PriceVariant(when={"processing": "batch"}, prices=_price(input_mtok="2", input_audio_mtok="16"))]))


def test_audio_rates_become_dated_rules_per_service_tier(seeds: Seeds) -> None:
    report = _sync(seeds, AUDIO_CATALOG)
    rules = _modifiers(seeds[2], r"gpt-voice-1\.0")
    assert {k: (r["usd_per_mtok"], r["cache_read_usd_per_mtok"]) for k, r in rules.items()} == {
        ("audio_input_tokens", "standard", SENTINEL): ("32", "0.4"),
        ("audio_output_tokens", "standard", SENTINEL): ("64", ""),
        # a new audio input rate; the output rate did not change, so it has no row that day
        ("audio_input_tokens", "standard", "2026-03-01"): ("24", "0.4"),
        # the period with no audio prices: genai-prices bills audio as text, and so does a rule with no rates
        ("audio_input_tokens", "standard", "2026-09-01"): ("", ""),
        ("audio_output_tokens", "standard", "2026-09-01"): ("", ""),
        # batch overrides the audio input rate and keeps the rest of the period's prices, as genai-prices does
        ("audio_input_tokens", "batch", SENTINEL): ("16", "0.4"),
        ("audio_output_tokens", "batch", SENTINEL): ("64", ""),
        # (batch's audio input rate does not change on 2026-03-01: no row that day)
        ("audio_input_tokens", "batch", "2026-09-01"): ("16", ""),
        ("audio_output_tokens", "batch", "2026-09-01"): ("", ""),
    }
    assert all(r["provider"] == "openai" and not r["effective_to"] and not r["rate_multiplier"] for r in rules.values())
    assert rules[("audio_input_tokens", "standard", SENTINEL)]["source"].startswith(
        "genai-prices 9.9.9 (openai/gpt-voice-1.0); start date unknown")
    assert "audio billed as text" in rules[("audio_output_tokens", "standard", "2026-09-01")]["source"]
    # the text rows carry no "not modelled" note for audio any more
    assert all("audio" not in r["source"] for r in _rows(seeds[0], "gpt-voice-1.0"))
    assert report.added_models == [("openai", "gpt-voice-1.0", 2, 0, 9)]
    assert "9 audio rate rules (audio_input_tokens 5, audio_output_tokens 4)" in ps.render(report, dry_run=False)
    # append only and idempotent, the hand-curated rule first and untouched
    modifiers_once = seeds[2].read_text()
    assert modifiers_once.startswith(SEED_MODIFIERS)
    again = _sync(seeds, AUDIO_CATALOG)
    assert not again.added_modifiers and not again.added_rows and seeds[2].read_text() == modifiers_once


def test_a_later_audio_price_is_appended_and_a_changed_one_printed(seeds: Seeds) -> None:
    _sync(seeds, _provider("openai", _model("gpt-voice", _price(input_mtok="4", output_mtok="16",
                                                                input_audio_mtok="32"))))
    report = _sync(seeds, _provider("openai", _model("gpt-voice", [
        _first(input_mtok="4", output_mtok="16", input_audio_mtok="30"),
        _since(date(2026, 12, 1), input_mtok="4", output_mtok="16", input_audio_mtok="20")])))
    assert [(r["modifier"], r["effective_from"], r["usd_per_mtok"]) for r in report.added_modifiers] == [
        ("audio_input_tokens", "2026-12-01", "20")]
    assert report.review == ["openai/gpt-voice audio_input_tokens standard from 2023-01-01: genai-prices now says "
                             "rate=30, the seed rule says rate=32 (kept)"]


def test_a_modifier_pattern_that_does_not_parse_is_a_one_line_error(seeds: Seeds) -> None:
    seeds[2].write_text(SEED_MODIFIERS + "openai,audio_output_tokens,gpt-hand(,standard,2025-01-01,,,,80,,test\n")
    with pytest.raises(ps.SyncError, match=r"pattern 'gpt-hand\(' does not parse"):
        _sync(seeds, _provider("openai", _model("gpt-hand", _price(input_mtok="2", output_audio_mtok="80"))))


def test_audio_rates_of_hand_curated_models_are_reviewed_not_written(seeds: Seeds) -> None:
    report = _sync(seeds, _provider("openai", _model("gpt-hand", _price(
        input_mtok="2", output_mtok="8", cache_read_mtok="0.5", input_audio_mtok="40", cache_audio_read_mtok="2.5",
        output_audio_mtok="80"))))
    assert not report.added_modifiers and seeds[2].read_text() == SEED_MODIFIERS
    assert report.review == [
        "openai/gpt-hand audio_input_tokens standard (seed rule from 2025-01-01): seed -> genai-prices: rate=40 -> "
        "rate=40 cache_read=2.5",
        "openai/gpt-hand audio_output_tokens standard: genai-prices has rate=80; price_modifiers has no such rule "
        "(such calls are flagged unpriced_modifiers)",
    ]


@pytest.mark.parametrize(("clause", "pattern", "matches", "misses"), [
    (gp.ClauseEquals(equals="GPT-4.1-x(beta)+"), r"gpt-4\.1-x\(beta\)\+", ["gpt-4.1-x(beta)+"], ["gpt-4x1-x(beta)+"]),
    (gp.ClauseStartsWith(starts_with="grok-4.5"), r"grok-4\.5.*", ["grok-4.5", "grok-4.5-fast"], ["grok-405"]),
    (gp.ClauseEndsWith(ends_with="/glm-5.3"), r".*/glm-5\.3", ["us/glm-5.3"], ["glm-5.3x"]),
    (gp.ClauseContains(contains="nova-lite"), r".*nova-lite.*", ["amazon.nova-lite-v1:0"], ["nova-pro"]),
    (gp.ClauseRegex(regex=r"^claude-opus-5[-@]\d{8}$"), r"claude-opus-5[-@]\d{8}",
     ["claude-opus-5@20260101"], ["claude-opus-5-2026"]),
    (gp.ClauseRegex(regex=r"^gemini-3\.5-flash-\d"), r"gemini-3\.5-flash-\d.*", ["gemini-3.5-flash-001"],
     ["gemini-3.5-flash-lite"]),
    (gp.ClauseRegex(regex=r"sonnet\$"), r".*sonnet\$.*", ["x-sonnet$"], ["x-sonnet"]),
])
def test_match_rules_become_escaped_full_match_patterns(clause: Any, pattern: str, matches: list[str],
                                                       misses: list[str]) -> None:
    [rule] = ps.clause_rules(clause)
    assert isinstance(rule, ps.Rule) and rule.pattern == pattern
    for name in [*matches, *misses, *ps.samples(pattern)]:  # the same verdict as genai-prices' own rule
        assert bool(re.fullmatch(pattern, name)) == clause.is_match(name), name
    assert all(clause.is_match(n) for n in matches) and not any(clause.is_match(n) for n in misses)


def test_rules_re2_cannot_write_are_skipped() -> None:
    lookahead = gp.ClauseRegex(regex=r"^(?!.*-tts)")
    both = gp.ClauseAnd(and_=[gp.ClauseStartsWith(starts_with="gemini-2.5-pro"), lookahead])
    assert all(isinstance(r, ps.NotExpressible) for r in [*ps.clause_rules(lookahead), *ps.clause_rules(both)])


def test_an_alias_that_would_change_an_existing_resolution_is_left_out(seeds: Seeds) -> None:
    report = _sync(seeds, _provider(
        "openai",
        # its rule catches gpt-hand-2025-01-01, which the seed's alias resolves to gpt-hand: a longer pattern wins
        _model("gpt-hand-snapshots", _price(input_mtok="9", output_mtok="9"),
               match=gp.ClauseOr(or_=[gp.ClauseEquals(equals="gpt-hand-snapshots"), gp.ClauseRegex(
                   regex=r"^(openai/|azure/)?gpt-hand-2025-01-01(-preview)?$")]))),
        # a second provider for an id the seed resolves by the id alone when a span names no provider
        _provider("azure", _model("embed-hand", _price(input_mtok="0.02"))))
    assert [a["pattern"] for a in report.added_aliases] == []
    assert ("openai", "gpt-hand-snapshots") in [(p, m) for p, m, *_ in report.added_models]
    assert any("gpt-hand-2025-01-01" in s for s in report.skipped_aliases["would price a name otherwise"])
    assert report.skipped_models["would change how a name resolves"] == [
        "azure/embed-hand (no provider: 'embed-hand' resolves to openai/embed-hand)"]


def test_cli_user_errors_are_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "llm_cost", "prices", "sync", "--prices", str(tmp_path / "no.csv")],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("llm_cost prices sync: error: no seed file at ")


# ----------------------------------------------------------------------------- the shipped seeds


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _hand_curated() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    prices = [r for r in _read(SEEDS / "model_prices.csv") if not r["source"].startswith(ps.SOURCE_PREFIX)]
    aliases = [a for a in _read(SEEDS / "model_aliases.csv") if ps.ALIAS_NOTE not in a["note"]]
    return prices, aliases


def test_the_shipped_seeds_are_the_sync_of_the_installed_catalog(tmp_path: Path) -> None:
    names = ("model_prices.csv", "model_aliases.csv", "price_modifiers.csv")
    for name in names:
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    report = ps.sync(*(tmp_path / name for name in names), dry_run=True)
    assert not report.added_rows and not report.added_aliases and not report.added_modifiers, ps.render(
        report, dry_run=True)
    synced = [r for r in _read(SEEDS / "model_prices.csv") if r["source"].startswith(ps.SOURCE_PREFIX)]
    assert synced and {r["source"].split(" (")[0] for r in synced} == {f"genai-prices {report.version}"}


def _resolve_with_the_macro(prices: list[dict[str, str]], aliases: list[dict[str, str]],
                            names: set[tuple[str | None, str]]) -> dict[tuple[str | None, str], tuple[str, str]]:
    """macros/pricing.sql resolve_model_names, rendered as dbt would on DuckDB, over the given seeds."""
    macros = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(
        (PROJECT_DIR / "macros" / "pricing.sql").read_text()).make_module({
            "ref": {"stg_seeds__model_prices": "prices", "stg_seeds__model_aliases": "aliases"}.get,
            "regex_full_match": lambda value, pattern: f"regexp_full_match({value}, {pattern})",
            "type_string": lambda: "varchar",
        })
    con = duckdb.connect()
    con.execute("create table prices (provider varchar, model varchar)")
    con.executemany("insert into prices values (lower(trim(?)), lower(trim(?)))",
                    [(r["provider"], r["model"]) for r in prices])
    con.execute("create table aliases (pattern varchar, provider varchar, model varchar)")
    con.executemany("insert into aliases values (trim(?), lower(trim(?)), lower(trim(?)))",
                    [(a["pattern"], a["provider"], a["model"]) for a in aliases])
    con.execute("create table names (reported_provider varchar, model_name varchar)")
    con.executemany("insert into names values (?, ?)", sorted(names, key=lambda n: (n[0] or "", n[1])))
    resolve = macros.resolve_model_names  # type: ignore[attr-defined]  # a macro: the template's attribute
    sql = f"with {resolve('names')} select * from resolved_model_names"
    return {(p, n): (pp, pm) for p, n, pp, pm, _ in con.execute(sql).fetchall()}


def test_every_name_the_hand_curated_seeds_resolve_resolves_the_same_after_the_sync() -> None:
    before_prices, before_aliases = _hand_curated()
    names = ps.universe(before_prices, before_aliases)
    names |= {(m.provider, n) for m in MODELS.values() for n in (m.request, m.response) if n}
    names |= {(None, n) for m in MODELS.values() for n in (m.request, m.response) if n}
    before = _resolve_with_the_macro(before_prices, before_aliases, names)
    after = _resolve_with_the_macro(_read(SEEDS / "model_prices.csv"), _read(SEEDS / "model_aliases.csv"), names)
    assert len(before) > 300
    changed = {n: (v, after.get(n)) for n, v in before.items() if after.get(n) != v}
    assert not changed, sorted(changed.items(), key=str)[:20]
    # the demo's deliberately unpriced model (a made-up name) stays unpriced
    unpriced = MODELS["mistral-large"]
    assert (unpriced.provider, unpriced.request) not in after and (None, unpriced.request) not in after


def test_every_shipped_alias_is_re2_and_points_at_a_priced_model() -> None:
    prices = _read(SEEDS / "model_prices.csv")
    priced = {(r["provider"], r["model"]) for r in prices if r["input_usd_per_mtok"] or r["output_usd_per_mtok"]}
    con = duckdb.connect()
    for a in _read(SEEDS / "model_aliases.csv"):
        assert (a["provider"], a["model"]) in priced, a
        for example in ps.note_examples(a["note"]):  # RE2 reads it, and it matches its own example
            assert con.execute("select regexp_full_match(?, ?)", [example, a["pattern"]]).fetchone() == (True,), a


_CONTEXT = {"standard": None, **{tier: dict([when]) for when, tier in ps.SERVICE_TIERS.items()}}


def test_every_synced_row_prices_a_call_as_genai_prices_does() -> None:
    """Each synced row, on its first day, for a call above its threshold with every bucket it prices: the seed's
    cost (the independent reference lookup) equals genai-prices' own calc_price, to the last digit."""
    book = PriceBook(SEEDS / "model_prices.csv")
    catalog = {(p.id, m.id): (p, m) for p in CATALOG for m in p.models}
    checked = 0
    for r in _read(SEEDS / "model_prices.csv"):
        if not r["source"].startswith(ps.SOURCE_PREFIX) or not (r["input_usd_per_mtok"] or r["output_usd_per_mtok"]):
            continue
        label = r["source"].split(" (", 1)[1].split(")", 1)[0]
        provider, model = catalog[tuple(label.split("/", 1))]  # type: ignore[index]
        has = {c: bool(r[f"{c}_usd_per_mtok"]) for c in ("cache_read", "cache_write", "cache_write_1h", "reasoning")}
        threshold = int(r["min_input_tokens"])
        cache_read, cache_write, cache_1h = 300 * has["cache_read"], 200 * has["cache_write"], 100 * has[
            "cache_write_1h"]
        total = threshold + 1000
        output, reasoning = 700 * bool(r["output_usd_per_mtok"]), 150 * has["reasoning"]
        at = datetime.fromisoformat(r["effective_from"]).replace(hour=12, tzinfo=UTC)
        ours = book.cost(Call(r["provider"], r["model"], r["service_tier"], at, total - cache_read - cache_write
                              - cache_1h, cache_read, cache_write, cache_1h, output, reasoning))
        usage = gp.Usage(input_tokens=total, cache_read_tokens=cache_read, cache_write_tokens=cache_write + cache_1h,
                         cache_write_1h_tokens=cache_1h, output_tokens=output, output_reasoning_tokens=reasoning)
        theirs = model.calc_price(usage, provider, genai_request_timestamp=at,
                                  price_context=_CONTEXT[r["service_tier"]]).total_price
        assert ours == theirs, (r, ours, theirs)
        checked += 1
    assert checked > 500


def test_every_synced_audio_rule_prices_a_call_as_genai_prices_does() -> None:
    """Each synced audio rule, on its first day, for a call at its tier with audio and text input, cached audio and
    text, and audio and text output: the text rows' cost with the audio parts repriced at the rule's rates (the
    documented semantics of a token_rate modifier) equals genai-prices' own calc_price, to the last digit."""
    book = PriceBook(SEEDS / "model_prices.csv")
    catalog = {(p.id, m.id): (p, m) for p in CATALOG for m in p.models}
    rules = [r for r in _read(SEEDS / "price_modifiers.csv") if r["source"].startswith(ps.SOURCE_PREFIX)]
    checked = 0
    for r in rules:
        label = r["source"].split(" (", 1)[1].split(")", 1)[0]
        provider, model = catalog[tuple(label.split("/", 1))]  # type: ignore[index]
        at = datetime.fromisoformat(r["effective_from"]).replace(hour=12, tzinfo=UTC)
        tier, model_id = r["match_pattern"], model.id.lower()
        text_row = book.lookup(Call(r["provider"], model_id, tier, at, 1, 0, 0, 0, 1, 0))
        assert text_row is not None, r
        cached = 300 if text_row.cache_read is not None or r["cache_read_usd_per_mtok"] else 0
        uncached, output = 2000, 1000 * (text_row.output is not None)  # an embedding model has no output
        audio_in, audio_cached, audio_out = 500, cached // 3, 400 * bool(output)
        usd = {m: (Decimal(x["usd_per_mtok"]) if x["usd_per_mtok"] else None,
                   Decimal(x["cache_read_usd_per_mtok"]) if x["cache_read_usd_per_mtok"] else None)
               for m in ps.AUDIO_MODIFIERS
               if (x := _rule_at(rules, r["provider"], r["model_pattern"], m, tier, at)) is not None}
        ours = book.cost(Call(r["provider"], model_id, tier, at, uncached, cached, 0, 0, output, 0))
        assert ours is not None
        input_rate = text_row.input or Decimal(0)
        cache_rate = text_row.cache_read if text_row.cache_read is not None else input_rate
        in_rate, in_cache_rate = usd.get("audio_input_tokens", (None, None))
        if in_rate is not None:  # the audio part of the input (and of the cache reads) at the rule's rates
            ours += (audio_in - audio_cached) * (in_rate - input_rate) / 1_000_000
            ours += audio_cached * ((in_cache_rate if in_cache_rate is not None else in_rate) - cache_rate) / 1_000_000
        out_rate = usd.get("audio_output_tokens", (None, None))[0]
        if out_rate is not None:
            ours += audio_out * (out_rate - (text_row.output or Decimal(0))) / 1_000_000
        usage = gp.Usage(input_tokens=uncached + cached, cache_read_tokens=cached, output_tokens=output,
                         input_audio_tokens=audio_in, cache_audio_read_tokens=audio_cached,
                         output_audio_tokens=audio_out)
        theirs = model.calc_price(usage, provider, genai_request_timestamp=at,
                                  price_context=_CONTEXT[tier]).total_price
        assert ours == theirs, (r, ours, theirs)
        checked += 1
    assert checked >= 30


def _rule_at(rules: list[dict[str, str]], provider: str, model_pattern: str, modifier: str, tier: str,
             at: datetime) -> dict[str, str] | None:
    """The synced rule of (provider, model, modifier, tier) in force at `at`: the latest start not after it."""
    found = [r for r in rules if (r["provider"], r["model_pattern"], r["modifier"], r["match_pattern"]) == (
        provider, model_pattern, modifier, tier) and datetime.fromisoformat(r["effective_from"]).replace(
        tzinfo=UTC) <= at]
    return max(found, key=lambda r: r["effective_from"], default=None)
