"""The Celery app. Without REDIS_URL the settings make every task run eagerly (embedded default).

Two hooks tie the worker to the outbox (pace_hub/background.py): each task that came from the
outbox marks its row done when it has run, and a worker that starts sends whatever the outbox
holds (work asked for while the broker was down), without waiting for beat. A third freezes
each pool process's start-up objects out of the garbage collector (pace_hub/gc_tuning.py).
"""

import logging
import os

from celery import Celery
from celery.signals import task_postrun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")

logger = logging.getLogger(__name__)

app = Celery("pace_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Apps' tasks modules, and those of the domains inside an app (a package of its own).
app.autodiscover_tasks()
app.autodiscover_tasks(["measures.milestones"])


@task_postrun.connect
def _outbox_task_done(task_id: str | None = None, state: str | None = None, **_: object) -> None:
    if state == "RETRY":  # it runs again later, under the same id: done only then
        return
    # Imported here: this module is loaded with the settings, before Django's apps are ready.
    from pace_hub.background import task_done

    try:
        task_done(task_id)
    except Exception:  # the database may be away; the row is then sent again later, harmlessly
        logger.exception("Could not mark background task %s done", task_id)


@worker_ready.connect
def _send_waiting_work(**_: object) -> None:
    from django.db import connections

    from pace_hub.background import outbox_sweep

    try:
        sent = outbox_sweep()
        if sent:
            logger.info("Sent %s background tasks that were waiting in the outbox", sent)
    except Exception:
        logger.exception("Could not send the waiting background tasks; beat will try again")
    finally:
        # The pool forks its processes from this one: none may inherit an open connection.
        connections.close_all()


@worker_process_init.connect
def _freeze_startup_objects(**_: object) -> None:
    from pace_hub.gc_tuning import freeze_startup_objects

    freeze_startup_objects()
