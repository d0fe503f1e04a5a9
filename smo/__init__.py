from __future__ import annotations

# Load the Celery app with Django, so `delay_on_commit` uses its settings.
from smo.celery import app as celery_app

__all__ = ["celery_app"]
