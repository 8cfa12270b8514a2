"""``llm-cost prices sync``: the genai-prices catalog as new rows of the two price seeds (README "Prices: syncing the
catalog", docs/contract.md section 3).

Offline: it reads the installed genai-prices package (its data ships inside it as ``genai_prices/data.py``). For every
model of a provider that maps to a ``gen_ai.provider.name`` value (``PROVIDERS``) it appends

- to ``seeds/model_prices.csv`` the model's dated price history: one row per (service tier, long-context threshold)
  and price period, a closing row where a later period drops a long-context tier, the Batch API, flex and priority
  variants as ``service_tier`` rows, cache read and 5-minute / 1-hour cache writes in their columns;
- to ``seeds/model_aliases.csv`` its match rules as full-match regexes pointing at it;
- to ``seeds/price_modifiers.csv`` its audio token rates (``AUDIO_RATES``): per service tier and price period an
  audio_input_tokens row (the audio input rate, and the cached audio rate when it has one) and an audio_output_tokens
  row, which replace the text rates for a call's audio tokens.

It only appends: an existing row is never rewritten or moved, a model the hand-curated seed prices already (its id
resolves under the seeds as they are) gets nothing, and a price of genai-prices that differs from that model's latest
row (or its latest audio rule) is printed for review. A model or alias that would change how a name already
resolves is left out, so is one that would price a name unlike genai-prices' own first-match order. Run twice, the
second run adds nothing.

Dates: genai-prices gives no start date for a model's first price period; its rows start at ``UNKNOWN_START_DATE``
and their ``source`` says so. Later periods start at their own dates (midnight UTC, as genai-prices applies them).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

# genai-prices provider id -> the gen_ai.provider.name value the project prices it under (as
# macros/conventions.sql normalize_provider spells it: OTel's well-known values). One line per provider; a provider
# missing here (OpenRouter, Together, Fireworks, ... : no gen_ai.provider.name value) is skipped and counted.
PROVIDERS: dict[str, str] = {
    "anthropic": "anthropic",
    "aws": "aws.bedrock",
    "azure": "azure.ai.openai",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "google": "gcp.gemini",
    "groq": "groq",
    "mistral": "mistral_ai",
    "openai": "openai",
    "perplexity": "perplexity",
    "x-ai": "x_ai",
}

# A price variant's `when` -> the seed's service_tier. Variants of other contexts (Anthropic's and OpenAI's `fast`,
# Mistral's EU route, search types) have no seed tier: skipped and counted.
SERVICE_TIERS: dict[tuple[str, str], str] = {
    ("processing", "batch"): "batch",
    ("service_tier", "flex"): "flex",
    ("service_tier", "priority"): "priority",
}
TIER_ORDER = ("standard", "batch", "flex", "priority")

# genai-prices price key -> the seed column it fills (USD per 1M tokens in both).
PRICE_COLUMNS: dict[str, str] = {
    "input_mtok": "input_usd_per_mtok",
    "output_mtok": "output_usd_per_mtok",
    "cache_read_mtok": "cache_read_usd_per_mtok",
    "cache_write_mtok": "cache_write_usd_per_mtok",  # all writes but the 1-hour ones: the 5-minute TTL
    "cache_write_1h_mtok": "cache_write_1h_usd_per_mtok",
    "output_reasoning_mtok": "reasoning_usd_per_mtok",
}
# genai-prices audio price key -> (the price_modifiers modifier, the column it fills), USD per 1M tokens in both. A
# call's audio tokens are a part of its input (cached audio a part of its cache reads) and of its output, as in
# genai-prices' Usage; a cached audio price without an audio input price is not expressible.
AUDIO_RATES: dict[str, tuple[str, str]] = {
    "input_audio_mtok": ("audio_input_tokens", "usd_per_mtok"),
    "cache_audio_read_mtok": ("audio_input_tokens", "cache_read_usd_per_mtok"),
    "output_audio_mtok": ("audio_output_tokens", "usd_per_mtok"),
}
AUDIO_MODIFIERS = ("audio_input_tokens", "audio_output_tokens")
RATE_COLUMNS = ("usd_per_mtok", "cache_read_usd_per_mtok")
# Prices the seeds have no place for but which leave a text call's tokens priced right: image and video input rates
# and tool fees, "not modelled" as in the hand-curated rows (docs/pricing.md); named in `source`. Any other price key
# (non-text, non-audio output, per-request fees, characters, hours, pages, ...) makes a model not expressible.
NOT_MODELLED: frozenset[str] = frozenset({
    "input_image_mtok", "cache_image_read_mtok", "input_video_mtok", "web_searches_kcount", "storage_searches_kcount",
})

# The first price period's start, which genai-prices does not know: early enough for any call it could price.
UNKNOWN_START_DATE = date(2023, 1, 1)
UNKNOWN_START_NOTE = "start date unknown (genai-prices has none); first-period price"
SOURCE_PREFIX = "genai-prices "
ALIAS_NOTE = "genai-prices match rule"

PRICE_HEADER = ["provider", "model", "effective_from", "service_tier", "min_input_tokens", *PRICE_COLUMNS.values(),
                "source"]
ALIAS_HEADER = ["pattern", "provider", "model", "note"]
MODIFIER_HEADER = ["provider", "modifier", "model_pattern", "match_pattern", "effective_from", "effective_to",
                   "rate_multiplier", "fee_usd_per_unit", *RATE_COLUMNS, "source"]

Values = tuple[str | None, ...]  # a row's prices, in PRICE_COLUMNS order
Rates = tuple[str | None, ...]  # an audio rule's rates, in RATE_COLUMNS order


class SyncError(Exception):
    """A user error: one line, no traceback."""


class NotExpressible(Exception):
    """A model whose prices the seed's columns cannot hold."""


# ----------------------------------------------------------------------------- regexes


_META = set("\\.^$|?*+()[]{}")


def escape(text: str) -> str:
    """`text` as an RE2 literal, in the seed's style (`gpt-4\\.1`: only metacharacters escaped)."""
    return "".join("\\" + c if c in _META else c for c in text)


_ESCAPES = {"d": "0", "w": "a", "s": " ", "D": "x", "W": "-", "S": "x"}


def _class_end(pattern: str, start: int) -> int:
    """The index of the `]` closing the character class opened at `start` (a `]` first in the class is literal)."""
    j = start + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        j += 1
    end = pattern.find("]", j)
    if end < 0:
        raise NotExpressible(f"unbalanced regex {pattern!r}")
    return end


class _Sampler:
    """Example strings a regex (the RE2 subset the seeds use) matches in full; raises NotExpressible on what RE2 has
    not (lookarounds, backreferences, named groups). A few per choice, for checks, not an enumeration."""

    LIMIT = 12

    def __init__(self, pattern: str) -> None:
        self.p, self.i = pattern, 0

    def run(self) -> list[str]:
        out = self._alt()
        if self.i != len(self.p):
            raise NotExpressible(f"cannot read regex {self.p!r} at {self.i}")
        return out

    def _alt(self) -> list[str]:
        out = self._seq()
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            out = out + self._seq()
        return out[: self.LIMIT]

    def _seq(self) -> list[str]:
        out = [""]
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            atom = self._atom()
            lo, hi = self._quantifier()
            counts = sorted({lo, min(lo + 1, hi)})
            options = ["".join([a] * n) for a in atom for n in counts]
            out = [s + o for s in out for o in options][: self.LIMIT]
        return out

    def _atom(self) -> list[str]:
        c = self.p[self.i]
        if c == "(":
            if self.p.startswith("(?:", self.i):
                self.i += 3
            elif self.p.startswith("(?", self.i):
                raise NotExpressible(f"regex {self.p!r} uses a group RE2 lacks (lookaround or named)")
            else:
                self.i += 1
            inner = self._alt()
            if self.i >= len(self.p) or self.p[self.i] != ")":
                raise NotExpressible(f"unbalanced regex {self.p!r}")
            self.i += 1
            return inner
        if c == "[":
            end = _class_end(self.p, self.i)
            body, self.i = self.p[self.i + 1:end], end + 1
            if body.startswith("^"):
                return [next(x for x in "x-0a" if x not in body[1:])]
            return [_ESCAPES.get(body[1], body[1]) if body.startswith("\\") else body[0]]
        if c == "\\":
            if self.i + 1 >= len(self.p):
                raise NotExpressible(f"regex {self.p!r} ends in a backslash")
            e = self.p[self.i + 1]
            self.i += 2
            if e.isdigit():
                raise NotExpressible(f"regex {self.p!r} uses a backreference")
            return [_ESCAPES.get(e, e)]
        self.i += 1
        if c in "^$":
            return [""]
        return ["x" if c == "." else c]

    def _quantifier(self) -> tuple[int, int]:
        if self.i >= len(self.p):
            return 1, 1
        c = self.p[self.i]
        if c in "?*+":
            self.i += 1
            bounds = {"?": (0, 1), "*": (0, 99), "+": (1, 99)}[c]
        elif c == "{" and (m := re.match(r"\{(\d+)(,(\d*))?\}", self.p[self.i:])):
            self.i += m.end()
            lo = int(m.group(1))
            bounds = (lo, lo if m.group(2) is None else int(m.group(3) or 99))
        else:
            return 1, 1
        if self.i < len(self.p) and self.p[self.i] == "?":
            self.i += 1  # lazy: same language
        return bounds


def samples(pattern: str) -> list[str]:
    """A few names `pattern` matches in full (raises NotExpressible on what RE2 cannot read)."""
    return list(dict.fromkeys(_Sampler(pattern).run()))


def _top_level_alternation(pattern: str) -> bool:
    depth, i = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":
            i = _class_end(pattern, i)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def search_as_full_match(regex: str) -> str:
    """genai-prices' `re.search` rule as a full-match pattern: anchors dropped, an unanchored end opened with `.*`."""
    samples(regex)  # RE2-readable, or NotExpressible
    if _top_level_alternation(regex):
        raise NotExpressible(f"regex {regex!r} alternates at the top level")
    start = regex.startswith("^")
    inner = regex[1:] if start else regex
    # a final `$` anchors unless escaped (an odd number of backslashes before it)
    end = inner.endswith("$") and (len(inner[:-1]) - len(inner[:-1].rstrip("\\"))) % 2 == 0
    inner = inner[:-1] if end else inner
    return ("" if start else ".*") + inner + ("" if end else ".*")


@dataclass(frozen=True)
class Rule:
    """One match clause of genai-prices as an alias pattern."""

    pattern: str
    text: str  # the clause as genai-prices writes it, for the note


def clause_rules(clause: Any) -> Iterator[Rule | NotExpressible]:
    """The alias patterns of a genai-prices match rule: one per branch of a top-level `or`."""
    from genai_prices import types as gp

    if isinstance(clause, gp.ClauseOr):
        for branch in clause.or_:
            yield from clause_rules(branch)
    elif isinstance(clause, gp.ClauseEquals):
        yield Rule(escape(clause.equals.lower()), f"equals {clause.equals}")
    elif isinstance(clause, gp.ClauseStartsWith):
        yield Rule(escape(clause.starts_with.lower()) + ".*", f"starts_with {clause.starts_with}")
    elif isinstance(clause, gp.ClauseEndsWith):
        yield Rule(".*" + escape(clause.ends_with.lower()), f"ends_with {clause.ends_with}")
    elif isinstance(clause, gp.ClauseContains):
        yield Rule(".*" + escape(clause.contains.lower()) + ".*", f"contains {clause.contains}")
    elif isinstance(clause, gp.ClauseRegex):
        try:
            yield Rule(search_as_full_match(clause.regex), f"regex {clause.regex}")
        except NotExpressible as exc:
            yield exc
    elif isinstance(clause, gp.ClauseAnd):
        yield NotExpressible("an `and` rule (a regex intersection RE2 cannot write)")
    else:
        yield NotExpressible(f"unknown clause {type(clause).__name__}")


# ----------------------------------------------------------------------------- name resolution


@dataclass(frozen=True)
class Resolution:
    provider: str
    model: str
    via: tuple[str, str, str]  # ("exact" | "model_only", provider, model) or ("alias", pattern, provider)


class Resolver:
    """How macros/pricing.sql resolve_model_names resolves a reported (provider, name): an exact (provider, model)
    row, else the longest matching alias of that provider; with no provider, the model when one provider has it,
    else the longest matching alias of any provider (ties by provider, model)."""

    def __init__(self, price_keys: Iterable[tuple[str, str]], aliases: Iterable[tuple[str, str, str]]) -> None:
        self.keys = set(price_keys)
        providers_of: dict[str, set[str]] = defaultdict(set)
        for p, m in self.keys:
            providers_of[m].add(p)
        self.single = {m: next(iter(ps)) for m, ps in providers_of.items() if len(ps) == 1}
        self.aliases: dict[str, list[tuple[re.Pattern[str], str, str, str]]] = defaultdict(list)
        for pattern, p, m in aliases:
            self.aliases[p].append((_compiled(pattern), pattern, p, m))

    def _alias(self, providers: Iterable[str], name: str) -> Resolution | None:
        best: tuple[int, str, str] | None = None
        found: Resolution | None = None
        for p in providers:
            for rx, pattern, ap, am in self.aliases.get(p, ()):
                rank = (-len(pattern), ap, am)
                if (best is None or rank < best) and rx.fullmatch(name):
                    best, found = rank, Resolution(ap, am, ("alias", pattern, ap))
        return found

    def resolve(self, provider: str | None, name: str) -> Resolution | None:
        if provider is not None:
            if (provider, name) in self.keys:
                return Resolution(provider, name, ("exact", provider, name))
            return self._alias([provider], name)
        if name in self.single:
            return Resolution(self.single[name], name, ("model_only", self.single[name], name))
        return self._alias(sorted(self.aliases), name)


_COMPILED: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _COMPILED:
        _COMPILED[pattern] = re.compile(pattern)
    return _COMPILED[pattern]


def note_examples(note: str) -> list[str]:
    """The example names of an alias note (`e.g. a; b | comment`)."""
    head = note.split("|", 1)[0].strip()
    if not head.startswith("e.g."):
        return []
    return [n.strip().lower() for n in head[4:].split(";") if n.strip()]


# ----------------------------------------------------------------------------- prices


def text(value: Decimal | None) -> str | None:
    """An exact decimal as the seed writes it: plain digits, no exponent, no trailing zeros."""
    return None if value is None else format(value.normalize(), "f")


def _key_prices(price: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(price).items() if v is not None and not k.startswith("_")}


@dataclass
class Catalogued:
    """One genai-prices model under a mapped provider, its price history read into seed rows."""

    provider: str  # gen_ai.provider.name value
    provider_id: str  # genai-prices provider id
    info: Any  # genai_prices.types.ModelInfo
    model: str = ""  # seed model id (genai-prices' id, lower case)
    # (service_tier, min_input_tokens) -> [(start, values or None for "tier absent")], start None = first period
    states: dict[tuple[str, int], list[tuple[date | None, Values | None]]] = field(default_factory=dict)
    # (service_tier, modifier) -> [(start, audio rates or None for "billed as text")], from its first audio price on
    audio: dict[tuple[str, str], list[tuple[date | None, Rates | None]]] = field(default_factory=dict)
    not_modelled: list[str] = field(default_factory=list)
    skipped_variants: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.model = self.info.id.lower()

    @property
    def label(self) -> str:
        return f"{self.provider_id}/{self.info.id}"


def _conditional_prices(info: Any) -> list[tuple[Any, Any]]:
    """[(constraint, ModelPrice)] of a model, a single price as one unconstrained period."""
    from genai_prices import types as gp

    if isinstance(info.prices, gp.ModelPrice):
        return [(None, info.prices)]
    return [(cp.constraint, cp.prices) for cp in info.prices]


def _active(constraint: Any, when: date | None) -> bool:
    return constraint is None or (when is not None and constraint.start_date <= when)


def _tier_values(prices: dict[str, Any]) -> dict[int, Values]:
    from genai_prices import types as gp

    thresholds = sorted({t.start for k in PRICE_COLUMNS if isinstance(prices.get(k), gp.TieredPrices)
                         for t in prices[k].tiers})
    if 0 in thresholds:
        raise NotExpressible("a long-context tier from 0 tokens")

    def at(value: Any, threshold: int) -> Decimal | None:
        if isinstance(value, gp.TieredPrices):
            applicable = [t.price for t in value.tiers if t.start <= threshold]
            return applicable[-1] if threshold and applicable else value.base
        return value  # type: ignore[no-any-return]

    return {t: tuple(text(at(prices.get(k), t)) for k in PRICE_COLUMNS) for t in [0, *thresholds]}


def _audio_rates(prices: dict[str, Any]) -> dict[str, Rates]:
    """modifier -> its rates (RATE_COLUMNS order), for the audio prices a model's prices hold."""
    from genai_prices import types as gp

    found: dict[str, dict[str, str | None]] = defaultdict(dict)
    for key, (modifier, column) in AUDIO_RATES.items():
        if key in prices:
            if isinstance(prices[key], gp.TieredPrices):
                raise NotExpressible(f"{key} by context length")
            found[modifier][column] = text(prices[key])
    if any("usd_per_mtok" not in columns for columns in found.values()):
        raise NotExpressible("a cached audio price without an audio input price")
    return {modifier: tuple(columns.get(c) for c in RATE_COLUMNS) for modifier, columns in found.items()}


def read_history(entry: Catalogued) -> None:
    """Fill entry.states from its genai-prices model (raises NotExpressible)."""
    from genai_prices import types as gp

    info = entry.info
    periods = _conditional_prices(info)
    if any(isinstance(c, gp.TimeOfDateConstraint) for c, _ in periods):
        raise NotExpressible("priced by time of day")
    variants: dict[str, list[Any]] = defaultdict(list)
    for v in info.price_variants or ():
        if not _key_prices(v.prices):
            continue  # e.g. {service_tier: default} with no price: the standard price
        tier = SERVICE_TIERS.get(next(iter(v.when.items()))) if len(v.when) == 1 else None
        if tier is None:
            entry.skipped_variants.append(",".join(f"{k}={val}" for k, val in v.when.items()))
            continue
        if isinstance(v.constraint, gp.TimeOfDateConstraint):
            raise NotExpressible("a service tier priced by time of day")
        variants[tier].append(v)
    starts = sorted({c.start_date for c, _ in periods if c is not None}
                    | {v.constraint.start_date for vs in variants.values() for v in vs if v.constraint is not None})
    if starts and starts[0] <= UNKNOWN_START_DATE:
        raise NotExpressible(f"a dated price on or before {UNKNOWN_START_DATE} (the first period's assumed start)")
    points: list[date | None] = [None, *starts]
    extra: set[str] = set()
    for tier in TIER_ORDER:
        if tier != "standard" and tier not in variants:
            continue
        for when in points:
            prices = _key_prices(next((p for c, p in reversed(periods) if _active(c, when)), periods[0][1]))
            if tier != "standard":
                active = [v for v in variants[tier] if _active(v.constraint, when)]
                if not active:
                    continue  # no such tier yet: its calls fall back to standard (price_fallback)
                overrides: dict[str, Any] = {}
                for v in active:  # per key, the first variant that prices it (genai-prices' ModelInfo.get_prices)
                    for k, val in _key_prices(v.prices).items():
                        overrides.setdefault(k, val)
                prices = {**prices, **overrides}
            blocking = sorted(set(prices) - set(PRICE_COLUMNS) - set(AUDIO_RATES) - NOT_MODELLED)
            if blocking:
                raise NotExpressible(f"priced in {', '.join(blocking)}")
            if "input_mtok" not in prices and "output_mtok" not in prices:
                raise NotExpressible("no input or output token price")
            extra |= set(prices) & NOT_MODELLED
            by_threshold = _tier_values(prices)
            keys = {k for k in entry.states if k[0] == tier} | {(tier, t) for t in by_threshold}
            for key in keys:
                entry.states.setdefault(key, []).append((when, by_threshold.get(key[1])))
            audio = _audio_rates(prices)
            for modifier in AUDIO_MODIFIERS:
                if modifier in audio or (tier, modifier) in entry.audio:
                    entry.audio.setdefault((tier, modifier), []).append((when, audio.get(modifier)))
    entry.not_modelled = sorted(extra)


def history_rows(entry: Catalogued, version: str) -> list[dict[str, str]]:
    """The seed rows of a read model: a row where a (tier, threshold) price starts or changes, a closing row where a
    long-context tier (or a tier) ends."""
    rows = []
    source = f"{SOURCE_PREFIX}{version} ({entry.label})"
    extra = f"; not modelled: {' '.join(entry.not_modelled)}" if entry.not_modelled else ""
    for (tier, threshold), timeline in sorted(entry.states.items(), key=lambda kv: (TIER_ORDER.index(kv[0][0]),
                                                                                      kv[0][1])):
        last: Values | None = None
        for when, values in timeline:
            if values == last:
                continue
            day = (when or UNKNOWN_START_DATE).isoformat()
            row = {"provider": entry.provider, "model": entry.model, "effective_from": day, "service_tier": tier,
                   "min_input_tokens": str(threshold)}
            if values is None:
                row |= dict.fromkeys(PRICE_COLUMNS.values(), "")
                row["source"] = f"{source}; closing row: no >{threshold} tier from this date"
            else:
                row |= {col: v or "" for col, v in zip(PRICE_COLUMNS.values(), values, strict=True)}
                row["source"] = source + (f"; {UNKNOWN_START_NOTE}" if when is None else "") + extra
            rows.append(row)
            last = values
    return rows


def modifier_rows(entry: Catalogued, version: str) -> list[dict[str, str]]:
    """The price_modifiers rows of a read model's audio rates: a row where a tier's audio rates start or change; a row
    with no rates where a later period prices its audio as text again."""
    rows = []
    source = f"{SOURCE_PREFIX}{version} ({entry.label})"
    for (tier, modifier), timeline in sorted(entry.audio.items(), key=lambda kv: (TIER_ORDER.index(kv[0][0]),
                                                                                     AUDIO_MODIFIERS.index(kv[0][1]))):
        last: Rates | None = None
        for when, rates in timeline:
            if rates == last:
                continue
            row = {"provider": entry.provider, "modifier": modifier, "model_pattern": escape(entry.model),
                   "match_pattern": escape(tier), "effective_from": (when or UNKNOWN_START_DATE).isoformat(),
                   "effective_to": "", "rate_multiplier": "", "fee_usd_per_unit": ""}
            row |= {c: v or "" for c, v in zip(RATE_COLUMNS, rates or (None,) * len(RATE_COLUMNS), strict=True)}
            row["source"] = source + ("; audio billed as text from this date" if rates is None
                                      else f"; {UNKNOWN_START_NOTE}" if when is None else "")
            rows.append(row)
            last = rates
    return rows


def latest(entry: Catalogued) -> dict[tuple[str, int], Values]:
    """Its prices in the last period genai-prices knows, per (tier, threshold)."""
    return {key: timeline[-1][1] for key, timeline in entry.states.items() if timeline[-1][1] is not None}


# ----------------------------------------------------------------------------- seeds


def _when(value: str) -> datetime:
    v = value.strip().replace("Z", "+00:00")
    return datetime.fromisoformat(v if ("T" in v or " " in v) else v + "T00:00:00").replace(tzinfo=None)


@dataclass
class Seed:
    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    newline: str
    ends_with_newline: bool

    @classmethod
    def read(cls, path: Path, header: list[str]) -> Seed:
        try:
            raw = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise SyncError(f"no seed file at {path} (run from the project root, or pass --prices and --aliases)"
                            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SyncError(f"cannot read {path}: {exc}") from None
        reader = csv.DictReader(raw.splitlines())
        found = list(reader.fieldnames or [])
        if found != header:
            raise SyncError(f"{path} has columns {','.join(found) or '(none)'}; expected {','.join(header)}")
        rows = [{k: (v or "") for k, v in r.items()} for r in reader]
        return cls(path, found, rows, "\r\n" if "\r\n" in raw else "\n", raw.endswith(("\n", "\r")) or not raw)

    def append(self, rows: Sequence[dict[str, str]]) -> None:
        if not rows:
            return
        with open(self.path, "a", newline="", encoding="utf-8") as f:
            if not self.ends_with_newline:
                f.write(self.newline)
            writer = csv.DictWriter(f, fieldnames=self.header, lineterminator=self.newline,
                                    quoting=csv.QUOTE_MINIMAL)
            writer.writerows(rows)


def _norm(value: str) -> str:
    return value.strip().lower()


def price_key(row: dict[str, str]) -> tuple[str, str, str, int, datetime]:
    return (_norm(row["provider"]), _norm(row["model"]), _norm(row["service_tier"]) or "standard",
            int(row["min_input_tokens"] or 0), _when(row["effective_from"]))


def _values(row: dict[str, str], columns: Iterable[str] = PRICE_COLUMNS.values()) -> tuple[Decimal | None, ...]:
    return tuple(Decimal(row[c]) if row[c].strip() else None for c in columns)


def modifier_key(row: dict[str, str]) -> tuple[str, str, str, str, datetime]:
    return (_norm(row["provider"]), _norm(row["modifier"]), row["model_pattern"].strip(),
            row["match_pattern"].strip(), _when(row["effective_from"]))


def _resolver(prices: Iterable[dict[str, str]], aliases: Iterable[dict[str, str]]) -> Resolver:
    return Resolver({(_norm(r["provider"]), _norm(r["model"])) for r in prices},
                    [(a["pattern"].strip(), _norm(a["provider"]), _norm(a["model"])) for a in aliases])


def universe(prices: Iterable[dict[str, str]], aliases: Iterable[dict[str, str]]) -> set[tuple[str | None, str]]:
    """The (provider or none, name) pairs the seeds were written for: every model id, and every alias's examples
    (its note's and a few its pattern matches), each with its provider and with none."""
    out: set[tuple[str | None, str]] = set()
    for r in prices:
        out |= {(_norm(r["provider"]), _norm(r["model"])), (None, _norm(r["model"]))}
    for a in aliases:
        try:
            names = samples(a["pattern"].strip())
        except NotExpressible:
            names = []
        for n in [*names, *note_examples(a["note"])]:
            out |= {(_norm(a["provider"]), n), (None, n)}
    return out


# ----------------------------------------------------------------------------- the sync


@dataclass
class Alias:
    pattern: str
    provider: str
    model: str
    rule: str
    label: str
    example: str

    def row(self) -> dict[str, str]:
        return {"pattern": self.pattern, "provider": self.provider, "model": self.model,
                "note": f"e.g. {self.example} | {ALIAS_NOTE} ({self.label}: {self.rule})"}


@dataclass
class Report:
    version: str
    providers_mapped: list[str] = field(default_factory=list)
    providers_skipped: list[str] = field(default_factory=list)
    added_rows: list[dict[str, str]] = field(default_factory=list)
    added_aliases: list[dict[str, str]] = field(default_factory=list)
    added_modifiers: list[dict[str, str]] = field(default_factory=list)
    # provider, model, price rows, aliases, audio rules
    added_models: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    skipped_models: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    skipped_aliases: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    skipped_variants: Counter[str] = field(default_factory=Counter)
    review: list[str] = field(default_factory=list)


def sync(prices_path: Path, aliases_path: Path, modifiers_path: Path, *, providers: Sequence[str] | None = None,
         dry_run: bool = False, catalog: Sequence[Any] | None = None, version: str | None = None) -> Report:
    """Append the catalog's new rows, aliases and audio rules to the three seeds (nothing when dry_run) and say what
    was done."""
    if catalog is None:
        try:
            from genai_prices.data import providers as bundled
        except ImportError:
            raise SyncError("genai-prices is not installed: pip install -r requirements.txt") from None
        catalog, version = bundled, version or metadata.version("genai-prices")
    version = version or "unknown"
    prices_seed, alias_seed = Seed.read(prices_path, PRICE_HEADER), Seed.read(aliases_path, ALIAS_HEADER)
    modifier_seed = Seed.read(modifiers_path, MODIFIER_HEADER)
    try:
        existing_modifiers = {modifier_key(r): r for r in modifier_seed.rows}
    except ValueError as exc:
        raise SyncError(f"{modifiers_path} has a row that does not parse ({exc}): run the seed checks") from None
    try:
        existing_keys = {price_key(r) for r in prices_seed.rows}
        by_pair: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        for r in prices_seed.rows:
            by_pair[(_norm(r["provider"]), _norm(r["model"]))].append(r)
    except (ValueError, ArithmeticError) as exc:
        raise SyncError(f"{prices_path} has a row that does not parse ({exc}): run the seed checks") from None
    synced_pairs = {pair for pair, rows in by_pair.items() if all(r["source"].startswith(SOURCE_PREFIX) for r in rows)}
    existing_aliases = {(a["pattern"].strip(), _norm(a["provider"])) for a in alias_seed.rows}
    before = _resolver(prices_seed.rows, alias_seed.rows)

    wanted = _selected(providers, catalog)
    report = Report(version)
    report.providers_mapped = [p.id for p in catalog if p.id in PROVIDERS and p.id in wanted]
    report.providers_skipped = sorted(p.id for p in catalog if p.id not in PROVIDERS)

    new: dict[tuple[str, str], Catalogued] = {}  # models to add
    grown: dict[tuple[str, str], Catalogued] = {}  # models synced before: new dated rows only
    first_match: dict[str, Callable[[str], str | None]] = {}
    for gp_provider in catalog:
        if gp_provider.id not in PROVIDERS or gp_provider.id not in wanted:
            continue
        pv = PROVIDERS[gp_provider.id]
        first_match[pv] = _first_match(gp_provider.models)
        for info in gp_provider.models:
            entry = Catalogued(pv, gp_provider.id, info)
            pair = (pv, entry.model)
            if pair in new or pair in grown:
                report.skipped_models["a second model with the same id"].append(entry.label)
                continue
            resolved = before.resolve(pv, entry.model)
            target = None if resolved is None else (resolved.provider, resolved.model)
            if target is not None and target not in synced_pairs:
                report.skipped_models["in the hand-curated seed"].append(
                    entry.label + ("" if target == pair else f" (as {target[0]}/{target[1]})"))
                try:
                    read_history(entry)
                except NotExpressible:
                    continue
                report.review += _disagreements(entry, target, by_pair[target])
                report.review += _audio_disagreements(entry, target, modifier_seed.rows)
                continue
            if target is not None and target != pair:
                report.skipped_models["already priced as another synced model"].append(
                    f"{entry.label} (as {target[0]}/{target[1]})")
                continue
            try:
                read_history(entry)
            except NotExpressible as exc:
                report.skipped_models[f"not expressible: {exc}"].append(entry.label)
                continue
            (new if target is None else grown)[pair] = entry

    # candidate aliases, in genai-prices' order; a pattern once per provider
    aliases: dict[tuple[str, str], Alias] = {}
    for entry in [*new.values(), *grown.values()]:
        for rule in clause_rules(entry.info.match):
            if isinstance(rule, NotExpressible):
                report.skipped_aliases[f"not expressible: {rule}"].append(entry.label)
                continue
            if rule.pattern == escape(entry.model):
                continue  # its exact row prices it
            key = (rule.pattern, entry.provider)
            if key in existing_aliases:
                continue
            if key in aliases:
                report.skipped_aliases["the same rule on an earlier model (genai-prices takes the first)"].append(
                    f"{entry.label}: {rule.text}")
                continue
            aliases[key] = Alias(rule.pattern, entry.provider, entry.model, rule.text, entry.label,
                                 samples(rule.pattern)[0])

    _settle(report, before, prices_seed, alias_seed, new, aliases, synced_pairs | set(grown), first_match)
    for entry in [*new.values(), *grown.values()]:
        report.skipped_variants.update(entry.skipped_variants)

    def fresh_modifiers(entry: Catalogued) -> list[dict[str, str]]:
        fresh = []
        for row in modifier_rows(entry, version):
            old = existing_modifiers.get(modifier_key(row))
            if old is None:
                fresh.append(row)
            elif _values(old, RATE_COLUMNS) != _values(row, RATE_COLUMNS):
                report.review.append(f"{entry.provider}/{entry.model} {row['modifier']} {row['match_pattern']} from "
                                     f"{row['effective_from']}: genai-prices now says "
                                     f"{_show(_values(row, RATE_COLUMNS), RATE_COLUMNS)}, the seed rule says "
                                     f"{_show(_values(old, RATE_COLUMNS), RATE_COLUMNS)} (kept)")
        report.added_modifiers += fresh
        return fresh

    rows: list[dict[str, str]] = []
    for pair, entry in sorted(new.items()):
        model_rows = history_rows(entry, version)
        n_aliases = sum(1 for a in aliases.values() if (a.provider, a.model) == pair)
        report.added_models.append((pair[0], pair[1], len(model_rows), n_aliases, len(fresh_modifiers(entry))))
        rows += model_rows
    for pair, entry in sorted(grown.items()):
        fresh = []
        for row in history_rows(entry, version):
            row_key = price_key(row)
            if row_key not in existing_keys:
                fresh.append(row)
                continue
            old = next(r for r in by_pair[pair] if price_key(r) == row_key)
            if _values(old) != _values(row):
                report.review.append(f"{pair[0]}/{pair[1]} {row['service_tier']} >{row['min_input_tokens']} from "
                                     f"{row['effective_from']}: genai-prices now says {_show(_values(row))}, the seed "
                                     f"row says {_show(_values(old))} (kept)")
        n_modifiers = len(fresh_modifiers(entry))
        if fresh or n_modifiers:
            n_aliases = sum(1 for a in aliases.values() if (a.provider, a.model) == pair)
            report.added_models.append((pair[0], pair[1], len(fresh), n_aliases, n_modifiers))
        rows += fresh
    report.added_rows = rows
    report.added_aliases = [a.row() for a in sorted(aliases.values(), key=lambda a: (a.provider, a.model, a.pattern))]
    if not dry_run:
        prices_seed.append(report.added_rows)
        alias_seed.append(report.added_aliases)
        modifier_seed.append(report.added_modifiers)
    return report


def _selected(providers: Sequence[str] | None, catalog: Sequence[Any]) -> set[str]:
    ids = {p.id for p in catalog}
    if not providers:
        return ids
    by_value = {v: k for k, v in PROVIDERS.items()}
    out = set()
    for name in providers:
        key = by_value.get(name.strip().lower(), name.strip().lower())
        if key not in PROVIDERS or key not in ids:
            raise SyncError(f"--provider {name}: not a mapped genai-prices provider; one of "
                            f"{', '.join(f'{k} ({v})' for k, v in sorted(PROVIDERS.items()))}")
        out.add(key)
    return out


def _first_match(models: Sequence[Any]) -> Callable[[str], str | None]:
    """genai-prices' model lookup within one provider: the first model whose rule matches (no fallback providers)."""
    cache: dict[str, str | None] = {}

    def find(name: str) -> str | None:
        if name not in cache:
            cache[name] = next((m.id.lower() for m in models if m.is_match(name)), None)
        return cache[name]

    return find


def _settle(report: Report, before: Resolver, prices_seed: Seed, alias_seed: Seed,
            new: dict[tuple[str, str], Catalogued], aliases: dict[tuple[str, str], Alias],
            kept: set[tuple[str, str]], first_match: dict[str, Callable[[str], str | None]]) -> None:
    """Drop new models and aliases until every name resolves as it must: a name the seeds resolve today exactly as
    before, and a name under a mapped provider as genai-prices'
    first-match order does: to that model when it is added here (or was synced before), else to nothing."""
    names = universe(prices_seed.rows, alias_seed.rows)
    for a in aliases.values():
        names |= {(a.provider, n) for n in samples(a.pattern)}
    names |= {(e.provider, e.model) for e in new.values()}
    old = {n: before.resolve(*n) for n in sorted(names, key=lambda n: (n[0] or "", n[1]))}
    old_aliases = [(a["pattern"].strip(), _norm(a["provider"]), _norm(a["model"])) for a in alias_seed.rows]
    while True:
        after = Resolver(before.keys | set(new),
                         old_aliases + [(a.pattern, a.provider, a.model) for a in aliases.values()])
        blamed_models: dict[tuple[str, str], str] = {}
        blamed_aliases: dict[tuple[str, str], str] = {}
        for (ctx, name), was in old.items():
            expected: tuple[str, str] | None
            if was is not None:
                expected = (was.provider, was.model)
            elif ctx is None or ctx not in first_match:
                continue  # a name no one resolves today, with no provider: anything goes
            elif (found := first_match[ctx](name)) is None and (ctx, name) in new:
                expected = (ctx, name)  # a model id no rule of genai-prices matches (a label): its own exact row
            else:
                expected = (ctx, found) if found is not None and ((ctx, found) in new or (ctx, found) in kept) else None
            now = after.resolve(ctx, name)
            if (None if now is None else (now.provider, now.model)) == expected:
                continue
            why = (f"{ctx or 'no provider'}: {name!r} {'resolves' if was is not None else 'must resolve'} to "
                   f"{'nothing' if expected is None else '/'.join(expected)}")
            if now is None:
                if was is not None:  # its model id now under two providers: no longer resolved by the id alone
                    for pair in new:
                        if pair[1] == name:
                            blamed_models.setdefault(pair, why)
                continue
            kind, first, second = now.via
            if kind == "alias" and (first, second) in aliases:
                blamed_aliases.setdefault((first, second), why)
            elif kind in ("exact", "model_only") and (first, second) in new:
                blamed_models.setdefault((first, second), why)
        if not blamed_models and not blamed_aliases:
            return
        for pair, why in blamed_models.items():
            entry = new.pop(pair)
            report.skipped_models["would change how a name resolves"].append(f"{entry.label} ({why})")
            for key in [k for k, a in aliases.items() if (a.provider, a.model) == pair]:
                aliases.pop(key)
        for key, why in blamed_aliases.items():
            if key in aliases:
                dropped = aliases.pop(key)
                report.skipped_aliases["would price a name otherwise"].append(
                    f"{dropped.label}: {dropped.rule} ({why})")


def _disagreements(entry: Catalogued, target: tuple[str, str], rows: list[dict[str, str]]) -> list[str]:
    """genai-prices' latest prices against the seed's latest row of each (tier, threshold) of a hand-curated model."""
    seed_latest: dict[tuple[str, int], tuple[dict[str, str], tuple[Decimal | None, ...]]] = {}
    for r in sorted(rows, key=price_key):
        _, _, tier, threshold, _ = price_key(r)
        seed_latest[(tier, threshold)] = (r, _values(r))
    out = []
    name = _review_name(entry, target)
    for (tier, threshold), values in sorted(latest(entry).items(), key=lambda kv: (TIER_ORDER.index(kv[0][0]),
                                                                                  kv[0][1])):
        ours = tuple(Decimal(v) if v is not None else None for v in values)
        where = f"{tier}" + (f" >{threshold}" if threshold else "")
        found = seed_latest.get((tier, threshold))
        if found is None or all(v is None for v in found[1][:2]):
            out.append(f"{name} {where}: genai-prices has {_show(ours)}; the seed has no such row")
            continue
        row, seed_values = found
        diffs = [f"{col.removesuffix('_usd_per_mtok')} {_one(s)} -> {_one(g)}"
                 for col, s, g in zip(PRICE_COLUMNS.values(), seed_values, ours, strict=True) if s != g]
        if diffs:
            out.append(f"{name} {where} (seed row from {row['effective_from']}): seed -> genai-prices: "
                       + ", ".join(diffs))
    return out


def _review_name(entry: Catalogued, target: tuple[str, str]) -> str:
    return f"{target[0]}/{target[1]}" + ("" if entry.model == target[1] and entry.provider == target[0]
                                         else f" (genai-prices {entry.label})")


def _applicable_rule(rows: Iterable[dict[str, str]], provider: str, model: str, modifier: str, tier: str
                     ) -> dict[str, str] | None:
    """The open rule of price_modifiers that prices a call of (provider, model) at `tier` for `modifier` today, ranked
    as macros/pricing.sql choose_modifier_rows does (a model pattern first, a match pattern first, the latest start)."""
    def matches(pattern: str, value: str) -> bool:
        try:
            return not pattern.strip() or _compiled(pattern.strip()).fullmatch(value) is not None
        except re.error as exc:
            raise SyncError(f"price_modifiers: pattern {pattern.strip()!r} does not parse ({exc}): run the seed checks"
                            ) from None

    candidates = [
        r for r in rows
        if _norm(r["provider"]) == provider and _norm(r["modifier"]) == modifier and not r["effective_to"].strip()
        and matches(r["model_pattern"], model) and matches(r["match_pattern"], tier)
    ]
    return min(candidates, key=lambda r: (not r["model_pattern"].strip(), not r["match_pattern"].strip(),
                                          -_when(r["effective_from"]).timestamp()), default=None)


def _audio_disagreements(entry: Catalogued, target: tuple[str, str], rows: list[dict[str, str]]) -> list[str]:
    """genai-prices' latest audio rates against the rule of price_modifiers that prices a hand-curated model's audio
    tokens today, per service tier."""
    out = []
    for (tier, modifier), timeline in sorted(entry.audio.items()):
        rates = timeline[-1][1]
        theirs = tuple(None if v is None else Decimal(v) for v in rates) if rates is not None else None
        rule = _applicable_rule(rows, target[0], target[1], modifier, tier)
        where = f"{_review_name(entry, target)} {modifier} {tier}"
        if rule is None:
            if theirs is not None:
                out.append(f"{where}: genai-prices has {_show(theirs, RATE_COLUMNS)}; price_modifiers has no such "
                           "rule (such calls are flagged unpriced_modifiers)")
            continue
        ours = _values(rule, RATE_COLUMNS)
        if ours != (theirs or (None,) * len(RATE_COLUMNS)):
            out.append(f"{where} (seed rule from {rule['effective_from']}): seed -> genai-prices: "
                       f"{_show(ours, RATE_COLUMNS)} -> "
                       f"{'audio as text' if theirs is None else _show(theirs, RATE_COLUMNS)}")
    return out


def _one(value: Decimal | None) -> str:
    return "blank" if value is None else text(value) or ""


def _show(values: tuple[Decimal | None, ...], columns: Iterable[str] = PRICE_COLUMNS.values()) -> str:
    return " ".join(f"{c.removesuffix('usd_per_mtok').rstrip('_') or 'rate'}={_one(v)}"
                    for c, v in zip(columns, values, strict=True) if v is not None) or "no prices"


def render(report: Report, *, dry_run: bool, verbose: bool = True) -> str:
    """What the sync did, for people: counts first, then each model added, the skips by reason, the review list."""
    rows = report.added_rows
    tiers = Counter(r["service_tier"] for r in rows)
    audio = Counter(r["modifier"] for r in report.added_modifiers)
    lines = [
        f"genai-prices {report.version}: {len(report.providers_mapped)} providers mapped "
        f"({', '.join(f'{p} -> {PROVIDERS[p]}' for p in report.providers_mapped)}); "
        f"{len(report.providers_skipped)} skipped, no gen_ai.provider.name value: "
        f"{', '.join(report.providers_skipped)}",
        f"{'would add' if dry_run else 'added'} {len(rows)} price rows for {len(report.added_models)} models "
        f"({''.join(f'{t} {tiers[t]}, ' for t in TIER_ORDER if tiers[t])}"
        f"{sum(1 for r in rows if r['min_input_tokens'] != '0' and r['input_usd_per_mtok'])} long-context tier rows, "
        f"{sum(1 for r in rows if not r['input_usd_per_mtok'] and not r['output_usd_per_mtok'])} closing rows, "
        f"{sum(1 for r in rows if UNKNOWN_START_NOTE in r['source'])} first-period rows dated "
        f"{UNKNOWN_START_DATE} for want of a start date), {len(report.added_aliases)} aliases and "
        f"{len(report.added_modifiers)} audio rate rules ({', '.join(f'{m} {n}' for m, n in audio.items()) or 'none'})",
    ]
    if verbose:
        lines += [f"  + {p}/{m}: {n} rows, {a} aliases" + (f", {k} audio rules" if k else "")
                  for p, m, n, a, k in report.added_models]
    skipped = sum(len(v) for v in report.skipped_models.values())
    lines.append(f"skipped {skipped} models:")
    for reason, items in sorted(report.skipped_models.items(), key=lambda kv: -len(kv[1])):
        shown = items if verbose or len(items) <= 5 else [*items[:5], "..."]
        lines.append(f"  {len(items)} {reason}: {', '.join(shown)}")
    if report.skipped_variants:
        lines.append("price variants with no seed service tier (left out): "
                     + ", ".join(f"{k} {n}" for k, n in report.skipped_variants.most_common()))
    alias_skips = sum(len(v) for v in report.skipped_aliases.values())
    if alias_skips:
        lines.append(f"skipped {alias_skips} match rules:")
        for reason, items in sorted(report.skipped_aliases.items(), key=lambda kv: -len(kv[1])):
            shown = items if verbose or len(items) <= 5 else [*items[:5], "..."]
            lines.append(f"  {len(items)} {reason}: {'; '.join(shown)}")
    if report.review:
        lines.append(f"review: {len(report.review)} prices where genai-prices disagrees with the seed "
                     "(the seed is kept; correct it by hand if genai-prices is right, docs/pricing.md):")
        lines += [f"  {r}" for r in report.review]
    if dry_run:
        lines.append("dry run: nothing written")
    return "\n".join(lines)
