"""Tests: whatever DATABASE_URL says (SQLite by default), fast hashing, eager tasks.

Tasks run eagerly even when REDIS_URL is set; tests/test_worker.py starts a real worker against
the Redis broker to prove that path.
"""

from pace_hub.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
