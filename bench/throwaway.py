"""Django on a throwaway database, for the benchmark scripts that time one page or
one path through the app in-process (calendar_month, inbox_store, redirect)."""

from __future__ import annotations

import os
import tempfile


def setup(name: str, *, use_env: bool = False, embedded_services: bool = False) -> str:
    """Set Django up on a new SQLite database in a temporary folder (or on
    DATABASE_URL as set, with `use_env`), migrated; return the folder.

    `embedded_services` also points the cache and the broker into the folder, so
    the run measures the embedded default whatever the environment says.
    """
    folder = tempfile.mkdtemp(prefix=f"smo-bench-{name}-")
    if not use_env:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        if embedded_services:
            os.environ["CACHE_URL"] = f"filecache://{folder}/cache"
            os.environ["CELERY_BROKER_URL"] = "filesystem://"
            os.environ["SMO_BROKER_DIR"] = f"{folder}/broker"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smo.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # A throwaway Fernet key: nothing secret is stored in a benchmark's database.
    os.environ.setdefault("SMO_ENCRYPTION_KEYS", "GK4b1abWZxT5RYVOjvT5mSMFZ65ddWdfKCJ2UtteZe4=")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    return folder
