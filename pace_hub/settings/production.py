"""Production: everything from the environment; refuses to start without a real secret key."""

import os

from pace_hub.settings.base import *  # noqa: F403
from pace_hub.settings.base import env_bool

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# Static files (issue 16): collectstatic writes each file under a hashed name (its URL changes
# when its content does) with gzip and brotli copies; whitenoise serves the hashed files as
# immutable for a year (max-age=315360000), and anything else for WHITENOISE_MAX_AGE. In front of
# gunicorn, let the proxy serve /static/ from STATIC_ROOT itself (README, Deploying), so that
# assets never wait behind page renders.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
WHITENOISE_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE_SECONDS", str(60 * 60 * 24)))
