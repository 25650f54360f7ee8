"""What every benchmark script does first: a Django of its own, on a database that is not yours."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def setup_django(sqlite_name: str, **environment: str) -> Path:
    """Configure and start Django for a bench; BENCH_DATABASE_URL picks the database (default: a
    SQLite file under var/). `environment` sets further variables (they win over the caller's)."""
    sys.path.insert(0, str(ROOT))
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / sqlite_name}"
    )
    os.environ.setdefault("DEBUG", "true")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")
    import django

    django.setup()
    return ROOT
