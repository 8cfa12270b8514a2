"""Prepare Superset's metadata database once (`make superset`), so the test only copies it and starts the server.

Run with the Superset venv's Python: ``make_metadata.py OUT.db``. In one process (each `superset` command spends
about 12 s importing): the schema migrations (`superset db upgrade`), the roles and permissions (`superset init`)
and the test's admin user (`superset fab create-admin`), written to a temporary file renamed to OUT.db at the end.
No examples, no databases: the test imports the bundle itself.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the test logs in with these (a throwaway instance on loopback)
ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin"


def main(out: Path) -> None:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="superset-home-", dir=out.parent) as home:
        partial = Path(home) / "superset.db"
        os.environ.update(SUPERSET_CONFIG_PATH=str(HERE / "superset_config.py"), SUPERSET_HOME=home,
                          LLM_COST_SUPERSET_METADATA=str(partial), FLASK_APP="superset")
        from flask_migrate import upgrade
        from superset import db, security_manager
        from superset.app import create_app

        app = create_app()
        with app.app_context():
            upgrade()  # superset db upgrade
            app.appbuilder.add_permissions(update_perms=True)  # superset init
            security_manager.sync_role_definitions()
            admin = security_manager.find_role(security_manager.auth_role_admin)
            if not security_manager.add_user(ADMIN_USER, "Test", "Admin", "admin@localhost", admin, ADMIN_PASSWORD):
                raise SystemExit("make_metadata: could not create the admin user")
            db.session.commit()
            db.engine.dispose()
        partial.replace(out)
    print(f"Superset metadata (migrated, initialised, user {ADMIN_USER}) -> {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_metadata.py OUT.db")
    main(Path(sys.argv[1]))
