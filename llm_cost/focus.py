"""The FOCUS export (``llm-cost focus export`` / ``llm-cost focus validate``; README "FOCUS export").

``export`` writes the built ``fct_focus_costs`` mart to a Parquet file (types kept: exact decimals, timestamps),
which a FinOps tool loads beside the cloud bills. ``validate`` checks that file with the FinOps Foundation's
FOCUS validator (PyPI ``focus-validator``), which needs Python 3.12+ and pins its own duckdb, numpy and pyarrow,
so it runs from a venv of its own (``make focus-validator`` builds ``.venv-focus``). The validator exits 0 even
when rules fail, so its JUnit report is read instead: any failed or errored rule fails the run. Rules that do
not apply to this dataset (see ``APPLICABILITY``) are reported as skipped, with their count.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from llm_cost.duckdb_lock import open_error

FOCUS_VERSION = "1.2"
MART = "fct_focus_costs"
# What this dataset supports, in the validator's applicability criteria: rules conditional on anything else
# (availability zones, capacity reservations, commitment discounts, regions, resources, several pricing
# categories or account types, another pricing currency, virtual currencies) do not apply and are skipped.
APPLICABILITY = (
    "ACCOUNT_NAMING_SUPPORTED",        # BillingAccountName
    "NEGOTIATED_PRICING_SUPPORTED",    # ContractedUnitPrice / ContractedCost from the contracts seed
    "PUBLIC_PRICE_LIST_SUPPORTED",     # ListUnitPrice / ListCost from the price seed
    "USAGE_MEASUREMENT_SUPPORTED",     # ConsumedQuantity in tokens
    "UNIT_PRICING_SUPPORTED",          # PricingQuantity in 1000000 Tokens
    "SUB_ACCOUNT_SUPPORTED",           # SubAccountId: the tenant
    "TAGGING_SUPPORTED",               # Tags: feature, tenant, agent, run
)
DEFAULT_VALIDATOR = Path(".venv-focus/bin/focus-validator")


class FocusError(Exception):
    """A user-facing problem (file missing, mart not built, validator missing or crashed): printed, no traceback."""


@dataclass
class RuleResult:
    rule: str
    outcome: str  # passed | failed | error | skipped | alternative (an unmet branch of a passing OR rule)
    message: str = ""

    @property
    def rule_id(self) -> str:
        return self.rule.split(" :: ", 1)[0].strip()


@dataclass
class ValidationResult:
    rows: int
    rules: list[RuleResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rules if r.outcome == outcome)

    @property
    def problems(self) -> list[RuleResult]:
        return [r for r in self.rules if r.outcome in ("failed", "error")]

    @property
    def ok(self) -> bool:
        return not self.problems and self.count("passed") > 0

    def report(self, limit: int = 20) -> str:
        lines = [
            f"FOCUS {FOCUS_VERSION} validation of {self.rows:,} rows: {len(self.rules)} rules, "
            f"{self.count('passed')} passed, {self.count('failed')} failed, {self.count('error')} errored "
            f"(a rule whose dependency failed), {self.count('skipped')} skipped (not applicable to this dataset, or "
            f"optional), {self.count('alternative')} unmet alternatives of rules that passed (FOCUS 'either ... or')",
        ]
        for r in self.problems[:limit]:
            lines.append(f"  {r.outcome.upper()} {r.rule}: {r.message}")
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        lines.append("PASS" if self.ok else "FAIL")
        return "\n".join(lines)


def export(duckdb_path: Path, out: Path) -> int:
    """Write fct_focus_costs to ``out`` as Parquet; returns the row count."""
    if not duckdb_path.exists():
        raise FocusError(f"{duckdb_path} does not exist: build it first (make run)")
    try:
        con = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.Error as exc:
        raise FocusError(open_error(duckdb_path, exc)) from None
    try:
        found = con.execute("select count(*) from information_schema.tables where table_name = ?", [MART]).fetchone()
        if not found or found[0] == 0:
            raise FocusError(f"{duckdb_path} has no {MART}: build the marts first (make run)")
        out.parent.mkdir(parents=True, exist_ok=True)
        path = str(out).replace("'", "''")
        con.execute(f"copy (select * from {MART} order by x_ChargeDay, x_ChargeId) to '{path}' (format parquet)")
        row = con.execute(f"select count(*) from {MART}").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def _rules_dir(validator: Path) -> Path:
    """The validator's packaged rules folder (it reads currency_codes.csv relative to the working directory)."""
    python = validator.parent / "python"
    try:
        found = subprocess.run(
            [str(python), "-c", "import focus_validator, os; print(os.path.dirname(focus_validator.__file__))"],
            capture_output=True, text=True, check=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FocusError(f"cannot locate the validator's package next to {validator}: {exc}") from None
    return Path(found.stdout.strip()) / "rules"


def parse_junit(path: Path) -> list[RuleResult]:
    """One RuleResult per testcase of the validator's JUnit report."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as exc:
        raise FocusError(f"the validator wrote no readable report ({exc})") from None
    results = []
    for case in tree.iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = child.get("message") or (child.text or "").strip()
                break
        results.append(RuleResult(rule=case.get("name", "?"), outcome=outcome, message=message))
    return results


def mark_alternatives(results: list[RuleResult], model: dict[str, Any]) -> list[RuleResult]:
    """A rule the specification states as "either A or B" passes when one branch does; the validator still lists
    the other branch as failed. Mark such branches 'alternative' (not a problem) when their OR rule passed."""
    passed = {r.rule_id for r in results if r.outcome == "passed"}
    branches: set[str] = set()
    for rule_id, rule in model.get("ModelRules", {}).items():
        requirement = rule.get("ValidationCriteria", {}).get("Requirement", {})
        if rule_id in passed and requirement.get("CheckFunction") == "OR":
            branches.update(item["ModelRuleId"] for item in requirement.get("Items", [])
                            if item.get("CheckFunction") == "CheckModelRule")
    return [RuleResult(r.rule, "alternative", r.message) if r.outcome == "failed" and r.rule_id in branches else r
            for r in results]


def _load_model(rules: Path) -> dict[str, Any]:
    models = sorted(rules.glob(f"model-{FOCUS_VERSION}*.json"))
    if not models:
        raise FocusError(f"no FOCUS {FOCUS_VERSION} rule model in {rules}")
    return dict(json.loads(models[-1].read_text()))


def validate_file(parquet: Path, validator: Path = DEFAULT_VALIDATOR,
                  applicability: Sequence[str] = APPLICABILITY) -> ValidationResult:
    """Run the FOCUS validator on a Parquet export and read its JUnit report."""
    if not parquet.exists():
        raise FocusError(f"{parquet} does not exist")
    if not validator.exists():
        raise FocusError(f"no FOCUS validator at {validator}: run `make focus-validator` (Python 3.12+ needed)")
    con = duckdb.connect()
    try:
        rows_found = con.execute("select count(*) from read_parquet(?)", [str(parquet)]).fetchone()
    except duckdb.Error as exc:
        raise FocusError(f"{parquet} is not a readable Parquet file: {exc}") from None
    finally:
        con.close()
    rows = int(rows_found[0]) if rows_found else 0
    with tempfile.TemporaryDirectory(prefix="focus-validate-") as work:
        workdir = Path(work)
        rules = workdir / "focus_validator" / "rules"
        shutil.copytree(_rules_dir(validator), rules)
        junit = workdir / "junit.xml"
        command = [
            str(validator.resolve()), "--data-file", str(parquet.resolve()), "--data-format", "parquet",
            "--validate-version", FOCUS_VERSION, "--block-download",
            "--applicability-criteria", ",".join(applicability),
            "--output-type", "unittest", "--output-destination", str(junit),
        ]
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        try:
            run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900, env=env)
        except (OSError, subprocess.SubprocessError) as exc:
            raise FocusError(f"the FOCUS validator did not run: {exc}") from None
        if not junit.exists():
            tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
            raise FocusError(f"the FOCUS validator exited {run.returncode} without a report: " + " | ".join(tail))
        return ValidationResult(rows=rows, rules=mark_alternatives(parse_junit(junit), _load_model(rules)))
