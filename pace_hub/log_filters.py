"""Logging filters (settings.LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class RefusedPermissionIsNotAnError(logging.Filter):
    """A 403 is the product saying no, as designed: one INFO line, no traceback.

    Django's request handler logs every PermissionDenied as a warning with the exception's
    traceback; the console then shows a stack for each refused click.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        if isinstance(exception, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.INFO
            record.levelname = logging.getLevelName(logging.INFO)
        return True
