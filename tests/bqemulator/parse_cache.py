"""Memoised sqlglot parsing for the BigQuery emulator (the emulator's process only: run_emulator.py installs it).

The emulator hands each query to some twenty rewriters in turn. Each one that finds something to look at parses the
SQL text with sqlglot, and most give the text back unchanged, so the next one parses the same text again. A dbt unit
test of a large model is 40 to 70 KB of SQL, which takes about 0.4 s to parse. Here `sqlglot.parse_one` and
`sqlglot.transpile` remember their result for the exact same arguments: `parse_one` hands out a copy of the tree each
time (a rewriter changes its tree in place, so the cached tree must never be handed out), and `transpile` a new list
of the same strings. Calls with arguments that cannot be a cache key (a dialect object, options) go straight through.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlglot

_parse_one = sqlglot.parse_one
_transpile = sqlglot.transpile


@functools.lru_cache(maxsize=512)
def _parsed(sql: str, read: str | None, dialect: str | None) -> Any:
    return _parse_one(sql, read=read, dialect=dialect)


@functools.lru_cache(maxsize=256)
def _transpiled(sql: str, read: str | None, write: str | None, options: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    return tuple(_transpile(sql, read=read, write=write, **dict(options)))


def _plain(*values: Any) -> bool:
    return all(value is None or isinstance(value, (str, bool, int)) for value in values)


def parse_one(sql: Any, read: Any = None, dialect: Any = None, into: Any = None, **opts: Any) -> Any:
    if isinstance(sql, str) and into is None and not opts and _plain(read, dialect):
        return _parsed(sql, read, dialect).copy()
    return _parse_one(sql, read=read, dialect=dialect, into=into, **opts)


def transpile(sql: Any, read: Any = None, write: Any = None, **opts: Any) -> list[str]:
    if isinstance(sql, str) and _plain(read, write, *opts.values()):
        return list(_transpiled(sql, read, write, tuple(sorted(opts.items()))))
    return list(_transpile(sql, read=read, write=write, **opts))


def install() -> None:
    sqlglot.parse_one = parse_one  # type: ignore[assignment]
    sqlglot.transpile = transpile  # type: ignore[assignment]
