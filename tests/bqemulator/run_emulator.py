"""Start the BigQuery emulator (its `bqemulator` command, same arguments) with sqlglot's parsing memoised
(parse_cache.py): the emulator's own code is unchanged, only repeated parses of one query's text are saved.
Run with the emulator venv's python: .venv-bqemulator/bin/python tests/bqemulator/run_emulator.py start ..."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parse_cache  # found through the path above

parse_cache.install()

from bqemulator.cli import main  # noqa: E402 - after the install, so its modules call the memoised functions

if __name__ == "__main__":
    sys.exit(main())
