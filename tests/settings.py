"""Settings for the test suite: the project's settings in test mode, with their own data dir.

The data dir is ``$BOUNTY_TEST_DATA_DIR`` or ``<repo>/var/test``, never the demo's, so a demo
worker cannot take the tests' messages. ``DATABASE_URL`` / ``REDIS_URL`` pass through.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
os.environ["BOUNTY_TEST"] = "1"
os.environ["BOUNTY_DATA_DIR"] = os.environ.get("BOUNTY_TEST_DATA_DIR") or str(_REPO / "var" / "test")

from bounty.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests read pages right after changing what they show; test_visitor_cache turns the cache on.
BOUNTY_VISITOR_CACHE_SECONDS = 0

# Most tests have no worker to run the pre-check of a submitted pair: the test process runs it (as the
# embedded default does); the tests with a live worker turn this on.
BOUNTY_PRECHECK_ON_WORKER = False
