"""The Superset dashboard as code (README "Dashboards and BI tools"): ``llm-cost superset-bundle`` turns the YAML
templates in ``bi/superset/`` into a zip that Superset imports (Dashboards > Import, or ``POST
/api/v1/dashboard/import/``): the database (the published DuckDB file, read-only), the datasets on the marts with
their metrics, the charts and the dashboard.

Two things the templates leave to this module: the database's ``sqlalchemy_uri`` (the absolute path of the published
file) and each chart's ``query_context``, which the templates write as a mapping of the chart's queries and Superset
stores as a JSON string with the datasource and the chart's params (the chart data API and reports run it). The
bundle is checked before it is written: every chart's dataset, every dataset's database and every chart on the
dashboard are in it, and the DuckDB file holds every table a dataset reads.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[1] / "bi" / "superset"
# the zip's top folder: Superset drops the first component of every path in the bundle
ROOT = "llm_cost_superset"
# a fixed time for every entry, so the same templates and path make the same bytes
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class BundleError(Exception):
    """A problem with the input or the templates, reported on one line."""


def sqlalchemy_uri(duckdb_file: Path) -> str:
    """duckdb-engine's URI of a file: ``duckdb:///`` and the absolute path (so four slashes)."""
    path = str(duckdb_file.resolve())
    if any(c in path for c in "?#"):
        raise BundleError(f"{path}: a path with '?' or '#' cannot be written in a SQLAlchemy URI; move the file")
    return f"duckdb:///{path}"


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        import yaml
    except ImportError:  # PyYAML comes with dbt-core in the project venv
        raise BundleError("superset-bundle needs PyYAML: pip install pyyaml") from None
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BundleError(f"{path}: {exc}") from None
    if not isinstance(loaded, dict):
        raise BundleError(f"{path}: not a YAML mapping")
    return loaded


def load_templates(templates: Path = TEMPLATES) -> dict[str, dict[str, Any]]:
    """Every YAML file of the template folder by its path in the bundle (``charts/calls.yaml``, ...)."""
    if not (templates / "metadata.yaml").is_file():
        raise BundleError(f"no Superset templates at {templates} (metadata.yaml): run from a checkout of the project")
    return {path.relative_to(templates).as_posix(): _load_yaml(path) for path in sorted(templates.rglob("*.yaml"))}


def _query_context(chart: dict[str, Any], name: str) -> str | None:
    """The chart's query_context as Superset stores it: JSON with the datasource (the import points it at the
    imported dataset) and the params as form_data; None when the template has no queries."""
    context = chart.get("query_context")
    if context is None:
        return None
    if not isinstance(context, dict) or not isinstance(context.get("queries"), list):
        raise BundleError(f"{name}: query_context must be a mapping with a list of queries")
    full = {"datasource": {"id": 0, "type": "table"}, "force": False, "result_format": "json",
            "result_type": "full", "form_data": chart.get("params", {}), **context}
    return json.dumps(full, sort_keys=True)


def _tables(duckdb_file: Path) -> set[str]:
    import duckdb

    try:
        con = duckdb.connect(str(duckdb_file), read_only=True)
    except duckdb.Error as exc:
        raise BundleError(f"cannot open {duckdb_file} read-only: {exc}") from None
    try:
        return {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()


def build_bundle(duckdb_file: Path, templates: Path = TEMPLATES) -> dict[str, dict[str, Any]]:
    """The bundle's files (path in the bundle -> content) for the published DuckDB file, checked."""
    if not duckdb_file.is_file():
        raise BundleError(f"no DuckDB file at {duckdb_file}: run `make run` first (it publishes the marts to "
                          "llm_cost.published.duckdb)")
    files = load_templates(templates)
    uri = sqlalchemy_uri(duckdb_file)
    databases = {str(c["uuid"]) for n, c in files.items() if n.startswith("databases/")}
    datasets = {str(c["uuid"]): c for n, c in files.items() if n.startswith("datasets/")}
    charts = {str(c["uuid"]) for n, c in files.items() if n.startswith("charts/")}
    if not databases or not datasets or not charts:
        raise BundleError(f"{templates}: the templates need a database, datasets and charts")
    tables = _tables(duckdb_file)
    for name, config in files.items():
        if name.startswith("databases/"):
            config["sqlalchemy_uri"] = uri
            if config.get("extra", {}).get("engine_params", {}).get("connect_args", {}).get("read_only") is not True:
                raise BundleError(f"{name}: the database must be opened read-only (extra.engine_params.connect_args)")
        elif name.startswith("datasets/"):
            if str(config["database_uuid"]) not in databases:
                raise BundleError(f"{name}: database {config['database_uuid']} is not in the bundle")
            if config["table_name"] not in tables:
                raise BundleError(f"{duckdb_file} has no table {config['table_name']} ({name}): is it the published "
                                  "copy of a complete build?")
        elif name.startswith("charts/"):
            if str(config["dataset_uuid"]) not in datasets:
                raise BundleError(f"{name}: dataset {config['dataset_uuid']} is not in the bundle")
            config["query_context"] = _query_context(config, name)
        elif name.startswith("dashboards/"):
            on_it = {str(item["meta"]["uuid"]) for item in config["position"].values()
                     if isinstance(item, dict) and item.get("type") == "CHART"}
            if on_it - charts:
                raise BundleError(f"{name}: charts {sorted(on_it - charts)} are not in the bundle")
    return files


def write_bundle(duckdb_file: Path, out: Path, templates: Path = TEMPLATES) -> list[str]:
    """Write the importable zip to ``out``; returns the paths in the bundle."""
    import yaml

    files = build_bundle(duckdb_file, templates)
    if out.is_dir():
        raise BundleError(f"--out {out} is a directory")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name, config in files.items():
                entry = zipfile.ZipInfo(f"{ROOT}/{name}", date_time=ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(entry, yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120))
    except OSError as exc:
        raise BundleError(f"cannot write {out}: {exc}") from None
    return list(files)
