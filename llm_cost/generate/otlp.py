"""OTLP encoding helpers: the span kinds and one function per attribute type (``S``, ``I``, ``D``, ``B``) that
returns an OTLP KeyValue as compact JSON text, plus the JSON escaper and encoder the span lines are built with."""

from __future__ import annotations

import json

# ----------------------------------------------------------------------------- OTLP attributes

INTERNAL, CLIENT = 1, 3

# Each helper returns one OTLP KeyValue already encoded as compact JSON: a span is then
# assembled by string joins, which is several times faster than json-encoding nested dicts.
# Keys are code constants (plain ASCII); values go through the json module's C escaper.
_q = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_encode = json.JSONEncoder(separators=(",", ":")).encode


def S(key: str, value: str) -> str:
    return f'{{"key":"{key}","value":{{"stringValue":{_q(value)}}}}}'


def I(key: str, value: int) -> str:  # noqa: E743 - OTLP intValue is a decimal string
    return f'{{"key":"{key}","value":{{"intValue":"{int(value)}"}}}}'


def D(key: str, value: float) -> str:
    return f'{{"key":"{key}","value":{{"doubleValue":{float(value)!r}}}}}'


def B(key: str, value: bool) -> str:
    return f'{{"key":"{key}","value":{{"boolValue":{"true" if value else "false"}}}}}'
