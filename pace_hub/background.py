"""The one seam through which services ask for background work.

Tasks import services, so a service never imports a tasks module back (that would be a cycle):
it names the task instead. The task runs once the surrounding transaction commits, so the
worker never sees a row that is not saved yet (eagerly, in-process, on the embedded default).
"""

from importlib import import_module
from typing import Any

from django.db import transaction


def enqueue(task: str, *args: Any) -> None:
    """Run the Celery task `task` (its dotted path, e.g. ``"pace_hub.tasks.send_invitation"``)
    with `args` after the current transaction commits (at once outside a transaction)."""
    module_name, _, name = task.rpartition(".")

    def send() -> None:
        getattr(import_module(module_name), name).delay(*args)

    transaction.on_commit(send)
