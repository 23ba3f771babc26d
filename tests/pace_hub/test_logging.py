"""A refused permission is logged as one line, not as an error with a traceback."""

import logging

from django.urls import reverse

from pace_hub.roles import Role


def test_a_403_is_one_info_line_without_a_traceback(cast, caplog) -> None:
    url = reverse("resource_create", args=[cast.org.slug])
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = cast.client(Role.VIEWER).get(url)
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.INFO and record.exc_info is None
    line = logging.Formatter().format(record)
    assert line == f"Forbidden (Permission denied): {url}" and "Traceback" not in line


def test_a_404_and_server_errors_keep_their_levels(cast, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = cast.client("outsider").get(reverse("resources", args=[cast.org.slug]))
    assert response.status_code == 404
    assert [r.levelno for r in caplog.records if r.name == "django.request"] == [logging.WARNING]


def test_django_records_are_printed_once(settings) -> None:
    # Only the root's console handler prints them (Django's own console handler is not attached).
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate
