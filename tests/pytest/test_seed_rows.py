"""A bad seed row stops the build before any model is built from it, and the message names the seed file, the row
(by its key) and the value (macros/seed_rows.sql), not only a test name."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import duckdb
import pytest

from dbt_runner import DBT, PROJECT_DIR, DbtProject, copy_project

SPANS = PROJECT_DIR / "tests" / "fixtures" / "emitters" / "openai_v2.jsonl"


def _append(seed: Path, rows: list[dict[str, str]]) -> None:
    with open(seed, newline="") as f:
        fields = csv.DictReader(f).fieldnames
    assert fields
    text = seed.read_text()
    with open(seed, "a", newline="") as f:
        if text and not text.endswith("\n"):
            f.write("\n")
        csv.DictWriter(f, fieldnames=fields, lineterminator="\n").writerows(
            [{k: row.get(k, "") for k in fields} for row in rows])


def _build(work: Path, project: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    db = work / "bad.duckdb"
    env = DbtProject(db, str(SPANS), work / "logs").env()
    result = subprocess.run([str(DBT), "build", "--project-dir", str(project), "--exclude", "test_type:unit",
                             "--vars", f'{{otel_spans_path: "{SPANS}"}}'],
                            cwd=project, env=env, capture_output=True, text=True)
    return result, db


@pytest.fixture(scope="module")
def bad_seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = tmp_path_factory.mktemp("bad_seeds")
    project = copy_project(work / "project")
    price = {"provider": "openai", "service_tier": "standard", "min_input_tokens": "0", "output_usd_per_mtok": "1",
             "source": "test"}
    _append(project / "seeds" / "model_prices.csv", [
        {**price, "model": "typo-model", "effective_from": "2025-01-01", "input_usd_per_mtok": "2.5O"},
        {**price, "model": "negative-model", "effective_from": "2025-01-01", "input_usd_per_mtok": "-1"},
        {**price, "model": "bad-date-model", "effective_from": "2025-13-01", "input_usd_per_mtok": "1"},
        {**price, "model": "twice-model", "effective_from": "2025-01-01", "input_usd_per_mtok": "1"},
        {**price, "model": "twice-model", "effective_from": "2025-01-01", "input_usd_per_mtok": "2"},
    ])
    _append(project / "seeds" / "budgets.csv", [
        {"scope": "team", "scope_key": "*", "period": "day", "limit_usd": "5", "effective_from": "2025-01-01"}])
    _append(project / "seeds" / "contracts.csv", [
        {"provider": "openai", "model_pattern": "gpt-4o", "effective_from": "2025-01-01", "discount_percent": "150",
         "source": "test"},
        {"provider": "openai", "model_pattern": "o3", "effective_from": "2025-01-01", "output_usd_per_mtok": "1,5",
         "source": "test"}])
    _append(project / "seeds" / "price_modifiers.csv", [
        {"provider": "aws.bedrock", "modifier": "bedrock_inference_profile", "model_pattern": "x",
         "match_pattern": "us", "effective_from": "2025-01-01", "rate_multiplier": "1,1", "source": "test"},
        {"provider": "aws.bedrock", "modifier": "bedrock_profile", "model_pattern": "y", "match_pattern": "us",
         "effective_from": "2025-01-01", "rate_multiplier": "1.1", "source": "test"},
        {"provider": "anthropic", "modifier": "web_search_fee", "model_pattern": "z", "effective_from": "2025-02-30",
         "fee_usd_per_unit": "0.01", "source": "test"}])
    return _build(work, project)


@pytest.fixture(scope="module")
def bad_alias_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """An alias to a model with no price: checked against the staged prices, so on its own (a bad price row
    stops the build before that check can run)."""
    work = tmp_path_factory.mktemp("bad_alias")
    project = copy_project(work / "project")
    _append(project / "seeds" / "model_aliases.csv", [
        {"pattern": "my-gpt", "provider": "openai", "model": "gpt-unpriced", "note": "test"}])
    return _build(work, project)


@pytest.fixture(scope="module")
def bad_contract_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Contract rows wrong against each other or the price seed (checked once both seeds parse): two terms for one
    call, an end before the start, a provider the price seed does not have. A blank pattern (every model) beside a
    pattern, and an account of its own beside every account, nest: no error."""
    work = tmp_path_factory.mktemp("bad_contracts")
    project = copy_project(work / "project")
    row = {"provider": "openai", "source": "test", "discount_percent": "10"}
    _append(project / "seeds" / "contracts.csv", [
        {**row, "model_pattern": "gpt-4o", "effective_from": "2025-01-01", "effective_to": "2025-07-01"},
        {**row, "model_pattern": "gpt-4o.*", "effective_from": "2025-06-01"},
        {**row, "effective_from": "2025-01-01"},
        {**row, "account_id": "proj-a", "effective_from": "2025-01-01"},
        {**row, "model_pattern": "o3", "account_id": "proj-a", "effective_from": "2025-03-01",
         "effective_to": "2025-02-01"},
        {**row, "provider": "opnai", "effective_from": "2025-01-01"},
    ])
    modifier = {"modifier": "web_search_fee", "fee_usd_per_unit": "0.01", "source": "test"}
    _append(project / "seeds" / "price_modifiers.csv", [
        {**modifier, "provider": "antropic", "effective_from": "2025-01-01"},
        {**modifier, "provider": "anthropic", "model_pattern": "claude-x", "effective_from": "2025-03-01",
         "effective_to": "2025-03-01"},
        {**modifier, "provider": "anthropic", "model_pattern": "claude-y", "effective_from": "2025-01-01",
         "rate_multiplier": "1.1"},
        {"provider": "openai", "modifier": "data_residency_endpoint", "model_pattern": "gpt-y",
         "effective_from": "2025-01-01", "fee_usd_per_unit": "0.01", "source": "test"},
        # a token rate on a multiplier modifier; a cached rate on audio output (no cached part)
        {"provider": "openai", "modifier": "data_residency_endpoint", "model_pattern": "gpt-w",
         "effective_from": "2025-01-01", "rate_multiplier": "1.1", "usd_per_mtok": "5", "source": "test"},
        {"provider": "openai", "modifier": "audio_output_tokens", "model_pattern": "gpt-v",
         "effective_from": "2025-01-01", "usd_per_mtok": "20", "cache_read_usd_per_mtok": "2", "source": "test"},
        # a rate, and a multiplier, on an image modifier (billed as text: a row records it, nothing more)
        {"provider": "openai", "modifier": "image_input_tokens", "model_pattern": "gpt-u",
         "effective_from": "2025-01-01", "usd_per_mtok": "10", "source": "test"},
        {"provider": "openai", "modifier": "image_output_tokens", "model_pattern": "gpt-t",
         "effective_from": "2025-01-01", "rate_multiplier": "1.5", "source": "test"},
        # two rules for gpt-4o on one residency host from one day: a tie; another host, or a later start, is not
        *[{"provider": "openai", "modifier": "data_residency_endpoint", "model_pattern": pattern,
           "match_pattern": host, "effective_from": start, "rate_multiplier": multiplier, "source": "test"}
          for pattern, host, start, multiplier in [
              ("gpt-4o", "eu[.]api[.]openai[.]com", "2025-05-01", "1.1"),
              ("gpt-4o(-mini)?", "eu[.]api[.]openai[.]com", "2025-05-01", "1.2"),
              ("gpt-4o(-mini)?", "us[.]api[.]openai[.]com", "2025-05-01", "1.2"),
              ("gpt-4o.*", "eu[.]api[.]openai[.]com", "2025-06-01", "1.3")]],
    ])
    return _build(work, project)


@pytest.mark.parametrize(("file", "message"), [
    ("model_prices.csv", "row provider=openai, model=typo-model, service_tier=standard, min_input_tokens=0, "
                         "effective_from=2025-01-01: input_usd_per_mtok '2.5O' is not a non-negative number"),
    ("model_prices.csv", "model=negative-model, service_tier=standard, min_input_tokens=0, effective_from=2025-01-01: "
                         "input_usd_per_mtok '-1' is not a non-negative number"),
    ("model_prices.csv", "model=bad-date-model, service_tier=standard, min_input_tokens=0, "
                         "effective_from=2025-13-01: effective_from '2025-13-01' is not a date"),
    ("model_prices.csv", "model=twice-model, service_tier=standard, min_input_tokens=0, effective_from=2025-01-01: "
                         "provider 'openai', model 'twice-model', service_tier 'standard', min_input_tokens '0', "
                         "effective_from '2025-01-01' appears in more than one row"),
    ("budgets.csv", "row scope=team, scope_key=*, period=day, effective_from=2025-01-01: scope 'team' is not one of "
                    "org, feature, tenant"),
    ("contracts.csv", "row provider=openai, model_pattern=gpt-4o, account_id=(blank), effective_from=2025-01-01: "
                      "discount_percent '150' is more than 100"),
    ("contracts.csv", "row provider=openai, model_pattern=o3, account_id=(blank), effective_from=2025-01-01: "
                      "output_usd_per_mtok '1,5' is not a non-negative number"),
    ("price_modifiers.csv", "row provider=aws.bedrock, modifier=bedrock_inference_profile, model_pattern=x, "
                            "match_pattern=us, effective_from=2025-01-01: rate_multiplier '1,1' is not a non-negative "
                            "number"),
    ("price_modifiers.csv", "row provider=aws.bedrock, modifier=bedrock_profile, model_pattern=y, match_pattern=us, "
                            "effective_from=2025-01-01: modifier 'bedrock_profile' is not one of "
                            "bedrock_inference_profile, data_residency_endpoint, regional_endpoint, web_search_fee, "
                            "audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens"),
    ("price_modifiers.csv", "row provider=anthropic, modifier=web_search_fee, model_pattern=z, "
                            "match_pattern=(blank), effective_from=2025-02-30: effective_from '2025-02-30' is not a "
                            "date"),
])
def test_a_bad_seed_row_is_named_with_its_file_row_and_value(
        bad_seed_build: tuple[subprocess.CompletedProcess[str], Path], file: str, message: str) -> None:
    result, _ = bad_seed_build
    assert result.returncode != 0
    assert f"seeds/{file} has rows to fix before anything is built from it" in result.stdout, result.stdout[-4000:]
    assert message in result.stdout, result.stdout[-6000:]


def test_an_alias_to_an_unpriced_model_is_named_with_its_row(
        bad_alias_build: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = bad_alias_build
    assert result.returncode != 0
    assert "seeds/model_aliases.csv has rows to fix before anything is built from it" in result.stdout
    assert ("row pattern=my-gpt, provider=openai: provider 'openai', model 'gpt-unpriced' has no price row in "
            "seeds/model_prices.csv") in result.stdout, result.stdout[-4000:]


@pytest.mark.parametrize("message", [
    "row provider=openai, model_pattern=gpt-4o, account_id=(blank), effective_from=2025-01-01: effective_to "
    "'2025-07-01' overlaps in time another row of the same provider and account scope",
    "row provider=openai, model_pattern=gpt-4o.*, account_id=(blank), effective_from=2025-06-01: effective_to (blank) "
    "overlaps in time",
    "row provider=openai, model_pattern=o3, account_id=proj-a, effective_from=2025-03-01: effective_to '2025-02-01' "
    "is not after effective_from",
    "row provider=opnai, model_pattern=(blank), account_id=(blank), effective_from=2025-01-01: provider 'opnai' has "
    "no price in seeds/model_prices.csv",
    "row provider=antropic, modifier=web_search_fee, model_pattern=(blank), match_pattern=(blank), "
    "effective_from=2025-01-01: provider 'antropic' has no price in seeds/model_prices.csv",
    "row provider=anthropic, modifier=web_search_fee, model_pattern=claude-x, match_pattern=(blank), "
    "effective_from=2025-03-01: effective_to '2025-03-01' is not after effective_from",
    "row provider=anthropic, modifier=web_search_fee, model_pattern=claude-y, match_pattern=(blank), "
    "effective_from=2025-01-01: rate_multiplier '1.1', fee_usd_per_unit '0.01', usd_per_mtok (blank), "
    "cache_read_usd_per_mtok (blank) do not fit the modifier",
    "row provider=openai, modifier=data_residency_endpoint, model_pattern=gpt-y, match_pattern=(blank), "
    "effective_from=2025-01-01: rate_multiplier (blank), fee_usd_per_unit '0.01', usd_per_mtok (blank), "
    "cache_read_usd_per_mtok (blank) do not fit the modifier",
    "row provider=openai, modifier=data_residency_endpoint, model_pattern=gpt-w, match_pattern=(blank), "
    "effective_from=2025-01-01: rate_multiplier '1.1', fee_usd_per_unit (blank), usd_per_mtok '5', "
    "cache_read_usd_per_mtok (blank) do not fit the modifier",
    "row provider=openai, modifier=audio_output_tokens, model_pattern=gpt-v, match_pattern=(blank), "
    "effective_from=2025-01-01: rate_multiplier (blank), fee_usd_per_unit (blank), usd_per_mtok '20', "
    "cache_read_usd_per_mtok '2' do not fit the modifier",
    "row provider=openai, modifier=image_input_tokens, model_pattern=gpt-u, match_pattern=(blank), "
    "effective_from=2025-01-01: rate_multiplier (blank), fee_usd_per_unit (blank), usd_per_mtok '10', "
    "cache_read_usd_per_mtok (blank) do not fit the modifier",
    "row provider=openai, modifier=image_output_tokens, model_pattern=gpt-t, match_pattern=(blank), "
    "effective_from=2025-01-01: rate_multiplier '1.5', fee_usd_per_unit (blank), usd_per_mtok (blank), "
    "cache_read_usd_per_mtok (blank) do not fit the modifier",
    "row provider=openai, modifier=data_residency_endpoint, model_pattern=gpt-4o, "
    "match_pattern=eu[.]api[.]openai[.]com, effective_from=2025-05-01: effective_from '2025-05-01' starts with "
    "another row of the same provider, modifier and match pattern",
    "row provider=openai, modifier=data_residency_endpoint, model_pattern=gpt-4o(-mini)?, "
    "match_pattern=eu[.]api[.]openai[.]com, effective_from=2025-05-01: effective_from '2025-05-01' starts with",
])
def test_contract_rows_that_conflict_are_named(
        bad_contract_build: tuple[subprocess.CompletedProcess[str], Path], message: str) -> None:
    result, db = bad_contract_build
    assert result.returncode != 0
    seed = "price_modifiers.csv" if "modifier=" in message else "contracts.csv"
    assert f"seeds/{seed} has rows to fix before anything is built from it" in result.stdout
    assert message in result.stdout, result.stdout[-6000:]
    # nested rows (every model beside a pattern, every account beside one of its own) are not named
    assert "model_pattern=(blank), account_id=(blank), effective_from=2025-01-01: effective_to" not in result.stdout
    assert "model_pattern=(blank), account_id=proj-a" not in result.stdout
    # nor are modifier rows for another host or from a later day
    assert "match_pattern=us[.]api[.]openai[.]com, effective_from=2025-05-01: effective_from" not in result.stdout
    assert "match_pattern=eu[.]api[.]openai[.]com, effective_from=2025-06-01" not in result.stdout
    # and nothing is priced with them
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    assert "stg_seeds__contracts" in tables and not {t for t in tables if t.startswith(("fct_", "int_llm_calls__p"))}


def test_bad_seed_rows_stop_the_build_before_any_mart(
        bad_seed_build: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, db = bad_seed_build
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    assert "model_prices" in tables and not {t for t in tables if t.startswith(("fct_", "rpt_", "int_llm"))}
