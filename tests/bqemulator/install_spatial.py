"""Install DuckDB's spatial extension from the PyPI wheel's file: the emulator refuses to start without it,
and DuckDB cannot download extensions here (only the package registries are reachable)."""

from pathlib import Path

import duckdb
import duckdb_extension_spatial

files = sorted(Path(duckdb_extension_spatial.__file__).parent.glob("extensions/*/spatial.duckdb_extension"))
if not files:
    raise SystemExit("duckdb-extension-spatial ships no spatial.duckdb_extension file")
duckdb.sql(f"INSTALL '{files[-1]}'")
duckdb.sql("LOAD spatial")
print(f"spatial extension installed from {files[-1]}")
