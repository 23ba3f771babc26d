"""Local development: the embedded default (SQLite, eager Celery, console e-mail)."""

from pace_hub.settings.base import *  # noqa: F403
from pace_hub.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
