"""An OTLP attribute list read into the staged map (macro otlp_attributes_to_map, DuckDB): typed values as text, content
keys dropped (by one regular expression built from the prefix list, a user's extra prefixes included, so each character
of a prefix must match itself only), a repeated key keeping its first value, against a Python reading of the lists."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from dbt_runner import DbtProject

# the query, then (after a semicolon) what the Python reading needs: the content prefixes and exceptions, and the type
# an attribute value is parsed into
INLINE = (
    "select cases.case_id, {{ otlp_attributes_to_map('cases.attributes') }} as attributes from cases;"
    "{{ tojson({'prefixes': content_attribute_prefixes(), 'exceptions': content_attribute_exceptions(),"
    " 'value_type': otlp_any_value_type() | trim}) }}"
)

EXTRA_PREFIXES = ["my app.secret (raw)", "a+b"]

Attribute = tuple[str | None, dict[str, Any]]


def _text(value: dict[str, Any]) -> str | None:
    for field in ("stringValue", "intValue", "doubleValue"):
        if value.get(field) is not None:
            return str(value[field])
    if value.get("boolValue") is not None:
        return "true" if value["boolValue"] else "false"
    return None


def _expected(attributes: list[Attribute] | None, prefixes: list[str], exceptions: list[str]) -> dict[str, Any] | None:
    if attributes is None:
        return None
    kept: dict[str, Any] = {}
    for key, value in attributes:
        is_content = key is not None and key.startswith(tuple(prefixes)) and key not in exceptions
        if key is None or is_content or key in kept:
            continue
        kept[key] = _text(value)
    return kept


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("otlp_attributes")
    project = DbtProject(work / "attrs.duckdb", str(work / "no_spans" / "*.json"), work / "logs")
    # prefixes of the user's own, with characters a regular expression reads specially
    extra = {"extra_content_attribute_prefixes": EXTRA_PREFIXES}
    text = project.run("compile", "--quiet", "--inline", INLINE, vars=extra).stdout.strip()
    query, settings = text.split(";", 1)
    return {"query": query, **json.loads(settings)}


def _run(compiled: dict[str, Any], cases: list[list[Attribute] | None]) -> list[dict[str, Any] | None]:
    """The macro over the lists, parsed from OTLP JSON into the type stg_otel__span_records parses them into."""
    import duckdb

    con = duckdb.connect()
    list_type = json.dumps([{"key": "VARCHAR", "value": "VALUE"}]).replace('"VALUE"', compiled["value_type"])
    lines = [
        (number, None if case is None else json.dumps([{"key": key, "value": value} for key, value in case]))
        for number, case in enumerate(cases)
    ]
    con.execute("create table lines (case_id integer, line varchar)")
    con.executemany("insert into lines values (?, ?)", lines)
    con.execute(f"create table cases as select case_id, from_json(line, '{list_type}') as attributes from lines")
    return [attributes for _, attributes in con.execute(f"{compiled['query']} order by case_id").fetchall()]


def test_content_keys_repeats_and_types(compiled: dict[str, Any]) -> None:
    prefixes, exceptions = compiled["prefixes"], compiled["exceptions"]
    cases: list[list[Attribute] | None] = [
        [("gen_ai.request.model", {"stringValue": "gpt-4o"}), ("gen_ai.usage.input_tokens", {"intValue": "12"}),
         ("temperature", {"doubleValue": "0.5"}), ("llm.is_streaming", {"boolValue": False})],
        # a repeated key (invalid OTLP, but seen) keeps its first value, the other keys stay
        [("a", {"stringValue": "first"}), ("b", {"stringValue": "x"}), ("a", {"stringValue": "second"})],
        # content: a prefix at the start of the key; the prompt's name is metadata; a look-alike is not content
        [("gen_ai.prompt.0.content", {"stringValue": "secret"}), ("gen_ai.prompt.name", {"stringValue": "greet"}),
         ("llm.input_messages.0.message.content", {"stringValue": "secret"}),
         ("x.gen_ai.prompt", {"stringValue": "kept"}), ("gen_aiXprompt", {"stringValue": "kept"}),
         ("input.value", {"stringValue": "secret"}), ("inputXvalue", {"stringValue": "kept"})],
        # the user's prefixes match themselves only
        [("my app.secret (raw).0", {"stringValue": "secret"}), ("my appXsecret (raw)", {"stringValue": "kept"}),
         ("a+b.text", {"stringValue": "secret"}), ("aab", {"stringValue": "kept"})],
        # a repeated content key and a null key are dropped without breaking the map
        [("gen_ai.completion", {"stringValue": "s1"}), ("gen_ai.completion", {"stringValue": "s2"}),
         (None, {"stringValue": "no key"}), ("k", {"intValue": "1"})],
        [],
        None,
    ]
    got = _run(compiled, cases)
    assert got == [_expected(case, prefixes, exceptions) for case in cases]
    assert got[1] == {"a": "first", "b": "x"}
    assert got[2] == {"gen_ai.prompt.name": "greet", "x.gen_ai.prompt": "kept", "gen_aiXprompt": "kept",
                      "inputXvalue": "kept"}
    assert got[3] == {"my appXsecret (raw)": "kept", "aab": "kept"}
    assert set(EXTRA_PREFIXES) <= set(prefixes)


def test_random_lists_match_the_python_reading(compiled: dict[str, Any]) -> None:
    prefixes, exceptions = compiled["prefixes"], compiled["exceptions"]
    rng = random.Random(20261207)
    keys = ["a", "b", "gen_ai.system", "tenant.id", *exceptions[:2], *(p + ".0" for p in prefixes[:6]), *prefixes[-3:]]
    values: list[dict[str, Any]] = [
        {"stringValue": "s"}, {"intValue": "7"}, {"doubleValue": "1.5"}, {"boolValue": True}, {},
    ]
    cases: list[list[Attribute] | None] = [
        [(rng.choice(keys), rng.choice(values)) for _ in range(rng.randint(0, 9))] for _ in range(2000)
    ]
    got = _run(compiled, cases)
    expected = [_expected(case, prefixes, exceptions) for case in cases]
    differing = [(case, g, e) for case, g, e in zip(cases, got, expected, strict=True) if g != e]
    assert not differing, f"{len(differing)} lists read differently, e.g. {differing[:3]}"
    assert sum(1 for case in cases if case and len({k for k, _ in case}) < len(case)) > 100, "repeats are covered"
