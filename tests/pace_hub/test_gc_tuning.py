"""Long-running processes freeze their start-up objects out of the garbage collector."""

import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import worker_process_init

import pace_hub.celery  # noqa: F401  (connects the worker's signal handlers)
from pace_hub import gc_tuning

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "pace_hub" / "gunicorn.conf.py"


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


def test_freezing_leaves_start_up_objects_out_of_later_collections(unfrozen):
    held_since_start_up = [object()]

    frozen = gc_tuning.freeze_startup_objects()
    made_afterwards = [object()]

    # (Not equal to gc.get_freeze_count() later: a frozen object is still freed when its last
    # reference goes, and other threads of the test run may drop one.)
    assert frozen > 0
    # A full collection walks only what is tracked: what was made after the freeze.
    tracked = gc.get_objects()
    assert not any(item is held_since_start_up for item in tracked)
    assert any(item is made_afterwards for item in tracked)
    assert len(tracked) < 0.1 * frozen


def test_freezing_loads_the_views_first():
    # In a fresh process: this one resolved its URLs long ago.
    script = (
        "import sys, django; django.setup(); "
        "print('governance.views' in sys.modules); "
        "from pace_hub.gc_tuning import freeze_startup_objects; freeze_startup_objects(); "
        "print('governance.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pace_hub.settings.test"}
    answer = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=GUNICORN_CONF.parents[1],
        check=True,
    )

    assert answer.stdout.split() == ["False", "True"]


@pytest.fixture
def freezes(monkeypatch):
    calls = []
    monkeypatch.setattr(gc_tuning, "freeze_startup_objects", lambda: calls.append("froze"))
    return calls


def test_each_gunicorn_process_freezes_once_the_application_is_loaded(freezes):
    settings = runpy.run_path(str(GUNICORN_CONF))

    settings["post_worker_init"](object())

    assert freezes == ["froze"]


def test_each_celery_pool_process_freezes_when_it_starts(freezes):
    worker_process_init.send(sender=None)

    assert freezes == ["froze"]
