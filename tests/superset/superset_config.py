"""Superset's configuration for the BI test (tests/pytest/test_superset.py) and `make superset`: a throwaway instance
on loopback, never a deployment. Superset reads it through SUPERSET_CONFIG_PATH; the metadata database (sqlite) is
LLM_COST_SUPERSET_METADATA, a copy of the template `make superset` prepares (tests/superset/make_metadata.py)."""

import logging
import os

# test only: a fixed key unless one is given (the metadata template's secrets are encrypted with it)
SECRET_KEY = os.environ.get("LLM_COST_SUPERSET_SECRET_KEY", "llm-cost-superset-test-only-not-a-secret")
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.environ["LLM_COST_SUPERSET_METADATA"]
# the test logs in with the login form and posts the bundle with the session cookie
WTF_CSRF_ENABLED = False
AUTH_RATE_LIMITED = False
RATELIMIT_ENABLED = False
LOG_LEVEL = logging.WARNING
CONTENT_SECURITY_POLICY_WARNING = False
FEATURE_FLAGS: dict[str, bool] = {}
# no telemetry: the page may load nothing but its own server's assets (the default policy allows Superset's
# analytics pixel on scarf.sh and map tiles); the test's browser also refuses every request off loopback
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
