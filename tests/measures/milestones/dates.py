"""Milestone dates for tests, whatever their layout (today a map on the child row, Child.dates):
tests set and read dates through these, never through the storage."""

from __future__ import annotations

from datetime import date

from measures.milestones.models import date_from_text, date_text
from measures.models import Child, Milestone


def _code(milestone: Milestone | str) -> str:
    return milestone if isinstance(milestone, str) else milestone.code


def set_date(child: Child, milestone: Milestone | str, day: date) -> Child:
    """Give ``child`` the date ``day`` for ``milestone`` (a Milestone or its code), saved."""
    return set_dates(child, {milestone: day})


def set_dates(child: Child, dates: dict) -> Child:
    """Give ``child`` several dates at once ({Milestone or code: date}), saved."""
    child.dates = {**child.dates, **{_code(milestone): date_text(day) for milestone, day in dates.items()}}
    child.save(update_fields=["dates", "updated_at"])
    return child


def dates_of(organisation, reference: str) -> dict[str, date]:
    """{code: date} of the child with this reference ({} if it is not held)."""
    child = Child.objects.filter(organisation=organisation, reference=reference).first()
    return {} if child is None else {code: date_from_text(text) for code, text in child.dates.items()}


def stored_dates(organisation) -> list[tuple[str, str, date]]:
    """(reference, code, date) of every stored date of the organisation, in date order."""
    rows = Child.objects.filter(organisation=organisation).values_list("reference", "dates")
    found = [(reference, code, date_from_text(text)) for reference, dates in rows for code, text in dates.items()]
    return sorted(found, key=lambda row: (row[2], row[0], row[1]))


def date_count(organisation=None) -> int:
    """How many milestone dates are stored (of one organisation, or of all)."""
    children = Child.objects.all() if organisation is None else Child.objects.filter(organisation=organisation)
    return sum(len(dates) for dates in children.values_list("dates", flat=True))
