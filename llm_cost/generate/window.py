"""The demo set's time window (30 days from 2025-05-27, in datetimes and unix microseconds), the instants inside
it the shapes and the truth depend on (the o3 price cut, support_bot's switch to v2), and ``iso_us``, the
timestamp format of the truth files and the manifest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# ----------------------------------------------------------------------------- constants

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW_START = datetime(2025, 5, 27, tzinfo=UTC)
WINDOW_DAYS = 30
WINDOW_END = WINDOW_START + timedelta(days=WINDOW_DAYS)
WINDOW_START_US = (WINDOW_START - EPOCH) // timedelta(microseconds=1)
DAY_US = 86_400 * 1_000_000
WINDOW_US = WINDOW_DAYS * DAY_US
O3_PRICE_CUT_US = (datetime(2025, 6, 10, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
AGENT_V2_US = WINDOW_START_US + WINDOW_US // 2  # support_bot v1 -> v2 mid-window

_DAYS: dict[int, str] = {}


def iso_us(us: int) -> str:
    """Unix microseconds -> 2025-06-01T12:00:00.123456Z."""
    secs, frac = divmod(us, 1_000_000)
    day, rem = divmod(secs, 86_400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
    h, rem = divmod(rem, 3600)
    return f"{prefix}{h:02d}:{rem // 60:02d}:{rem % 60:02d}.{frac:06d}Z"
