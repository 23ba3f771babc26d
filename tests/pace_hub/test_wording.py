"""One date format, grammatical counts and "—" for nothing, everywhere."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from pace_hub.dates import day_text, moment_text
from pace_hub.wording import count_text

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EVENING = datetime.datetime(2026, 12, 1, 19, 8, tzinfo=ZoneInfo("Europe/London"))


def _render(source: str, **context) -> str:
    with translation.override("en-gb"):
        return Template(source).render(Context(context))


def test_dates_read_the_same_in_templates_and_in_python() -> None:
    day = datetime.date(2026, 12, 1)
    assert _render("{{ day }}", day=day) == "1 Dec 2026"
    assert _render('{{ day|date }}|{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}', day=day) == (
        "1 Dec 2026|1 Dec 2026|1 Dec 2026"
    )
    assert _render("{{ moment }}", moment=EVENING) == "1 Dec 2026, 19:08"
    assert _render('{{ moment|date:"DATETIME_FORMAT" }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}', moment=EVENING) == (
        "1 Dec 2026, 19:08|1 Dec 2026, 19:08"
    )
    with translation.override("en-gb"):
        assert day_text(day) == "1 Dec 2026"
        assert moment_text(EVENING.astimezone(datetime.UTC)) == "1 Dec 2026, 19:08"  # shown in local time


def test_date_inputs_still_read_day_first() -> None:
    from django import forms

    with translation.override("en-gb"):
        assert forms.DateField().clean("03/02/2025") == datetime.date(2025, 2, 3)


@pytest.mark.parametrize(
    ("count", "singular", "expected"),
    [(1, "child", "1 child"), (2, "child", "2 children"), (0, "child", "0 children"), ("<5", "child", "<5 children"),
     (1, "problem", "1 problem"), (3, "problem", "3 problems"), (1, "person", "1 person"), (7, "person", "7 people")],
)
def test_counts_agree_with_their_noun(count, singular: str, expected: str) -> None:
    assert count_text(count, singular) == expected


def test_templates_use_the_shared_formats_and_the_dash() -> None:
    # Dates as DATE_FORMAT / DATETIME_FORMAT give them (pace_hub/formats: "1 Dec 2026",
    # "1 Dec 2026, 19:08"), never as 01/12/2026 or 1 December 2026; nothing shown as "None".
    own_formats = re.compile(r'\|date:"(d/m/Y[^"]*|[dj] F Y[^"]*|[dj] M Y H[^"]*|d M Y[^"]*)"')
    none_words = re.compile(r'default(_if_none)?:"(None|none|-)"')
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for pattern in (own_formats, none_words)
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []

