"""The Celery app. Without REDIS_URL the settings make every task run eagerly (embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")

app = Celery("pace_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
