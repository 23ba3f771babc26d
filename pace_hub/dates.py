"""Dates in messages written in Python, in the product's one format (pace_hub/formats):
"1 Dec 2026" and "1 Dec 2026, 19:08" — the same text the templates' `|date` filters give."""

import datetime

from django.utils import formats, timezone


def day_text(value: datetime.date) -> str:
    """ "1 Dec 2026"."""
    return formats.date_format(value, "DATE_FORMAT")


def moment_text(value: datetime.datetime) -> str:
    """ "1 Dec 2026, 19:08", in local time."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
