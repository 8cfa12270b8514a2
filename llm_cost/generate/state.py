"""The generator state ``Gen``: the one random stream every draw comes from (``FastRandom``), span, trace and
other ids, tenant and user picks, weighted choices, the OTLP resources written so far, and timing draws."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence

from llm_cost.generate.catalog import SERVICE_VERSIONS, TENANTS
from llm_cost.generate.otlp import S

# ----------------------------------------------------------------------------- generator state


class FastRandom(random.Random):
    """random.Random with a cheaper randint (one random() call); deterministic all the same."""

    def randint(self, a: int, b: int) -> int:  # type: ignore[override]
        return a + int(self.random() * (b - a + 1))


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.resources: dict[str, str] = {}  # key -> resource JSON
        self.dup_counter = 0
        self._cum: dict[int, list[float]] = {}
        self._tenant_cum: list[int] = []
        total = 0
        for _, w, _ in TENANTS:
            total += w
            self._tenant_cum.append(total)

    def span_id(self) -> str:
        return f"{self.rng.getrandbits(64) | 1 << 60:016x}"

    def trace_id(self) -> str:
        return f"{self.rng.getrandbits(128) | 1 << 124:032x}"

    def hex(self, prefix: str, nbytes: int) -> str:
        return f"{prefix}{self.rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"

    def tenant_user(self) -> tuple[str, str]:
        tenant, _, users = self.rng.choices(TENANTS, cum_weights=self._tenant_cum)[0]
        user = f"{tenant}-user-{int(users * self.rng.random() ** 1.6):03d}"  # a few heavy users
        return tenant, user

    def pick(self, table: Sequence[tuple[str, float]]) -> str:
        """A weighted choice from [(value, weight), ...] (cumulative weights cached per table)."""
        cum = self._cum.get(id(table))
        if cum is None:
            cum = self._cum[id(table)] = list(itertools.accumulate(w for _, w in table))
        return table[bisect.bisect_right(cum, self.rng.random() * cum[-1])][0]

    def resource(self, service: str, **extra: str) -> str:
        key = service + "".join(f"|{k}={v}" for k, v in sorted(extra.items()))
        if key not in self.resources:
            node = service == "web-chat"
            attrs = [S("service.name", service), S("service.version", SERVICE_VERSIONS[service]),
                     S("deployment.environment", "production"),
                     S("telemetry.sdk.language", "nodejs" if node else "python"),
                     S("telemetry.sdk.name", "opentelemetry")]
            attrs += [S(k, v) for k, v in sorted(extra.items())]
            self.resources[key] = '{"attributes":[' + ",".join(attrs) + "]}"
        return key

    # --- timing helpers (microseconds)
    def gap(self) -> int:
        return self.rng.randint(1_000, 12_000)

    def latency(self, out_tokens: int) -> int:
        return 250_000 + out_tokens * self.rng.randint(6_000, 14_000)

    def secret(self, what: str) -> str:
        return f"{what}-SECRET-{self.rng.getrandbits(32):08x}"

