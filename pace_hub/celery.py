"""The Celery app. Without REDIS_URL the settings make every task run eagerly (embedded default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")

app = Celery("pace_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Apps' tasks modules, and those of the domains inside an app (a package of its own).
app.autodiscover_tasks()
app.autodiscover_tasks(["measures.milestones"])
