"""Reporting periods and due dates for governance groups: pure functions, no database.

Periods are calendar-aligned to the financial year, which starts on 1 April: quarters are
April–June, July–September, October–December and January–March; half-years April–September
and October–March; years April–March; months are calendar months. A period's report is due
``due_days_after_period`` days after the period ends, and its draft is built
``draft_days_before_due`` days before that (never before the period has ended, or the draft
would miss its last days).

The senior managers' dashboard and the group pages both ask ``next_due`` what comes next.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

MONTHS_IN = {"monthly": 1, "quarterly": 3, "six_monthly": 6, "annual": 12}
FINANCIAL_YEAR_START_MONTH = 4


class Schedulable(Protocol):
    """Anything with a group's schedule settings (a GovernanceGroup, or a test double)."""

    cadence: str
    due_days_after_period: int
    draft_days_before_due: int


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def label(self) -> str:
        """ "April to June 2026", "January to March 2027", "April 2026", "April 2026 to March 2027"."""
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{self.start:%B %Y}"
        if self.start.year == self.end.year:
            return f"{self.start:%B} to {self.end:%B %Y}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DueReport:
    """One period's report: when it is due and when its draft is built."""

    period: Period
    due_on: datetime.date
    draft_on: datetime.date


def _months(cadence: str) -> int:
    try:
        return MONTHS_IN[cadence]
    except KeyError:
        raise ValueError(f"Unknown reporting cadence {cadence!r}; expected one of {', '.join(MONTHS_IN)}.") from None


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_containing(day: datetime.date, cadence: str) -> Period:
    """The reporting period of this cadence that contains `day`."""
    length = _months(cadence)
    # Months since the start of the financial year `day` falls in (0 = April).
    into_year = (day.month - FINANCIAL_YEAR_START_MONTH) % 12
    start = _add_months(datetime.date(day.year, day.month, 1), -(into_year % length))
    end = _add_months(start, length) - datetime.timedelta(days=1)
    return Period(start, end)


def period_starting(start: datetime.date, cadence: str) -> Period:
    """The period that starts on `start`; ValueError when no period of this cadence starts then."""
    period = period_containing(start, cadence)
    if period.start != start:
        raise ValueError(f"No {cadence.replace('_', '-')} reporting period starts on {start:%-d %B %Y}.")
    return period


def previous_period(period: Period, cadence: str) -> Period:
    return period_containing(period.start - datetime.timedelta(days=1), cadence)


def next_period(period: Period, cadence: str) -> Period:
    return period_containing(period.end + datetime.timedelta(days=1), cadence)


def due_report(period: Period, group: Schedulable) -> DueReport:
    due_on = period.end + datetime.timedelta(days=group.due_days_after_period)
    draft_on = max(
        due_on - datetime.timedelta(days=group.draft_days_before_due), period.end + datetime.timedelta(days=1)
    )
    return DueReport(period, due_on, draft_on)


def _first_period_not_yet_due(group: Schedulable, today: datetime.date) -> Period:
    """The earliest period whose report can still be due on or after `today`: any earlier period
    ended more than ``due_days_after_period`` days ago."""
    return period_containing(today - datetime.timedelta(days=group.due_days_after_period), group.cadence)


def next_due(group: Schedulable, *, today: datetime.date, done: Collection[datetime.date] = ()) -> DueReport:
    """The next report the group owes: the earliest period whose report is due today or later,
    skipping periods whose report is already issued (their start dates in `done`)."""
    period = _first_period_not_yet_due(group, today)
    while True:
        due = due_report(period, group)
        if due.due_on >= today and period.start not in done:
            return due
        period = next_period(period, group.cadence)


def drafts_due(group: Schedulable, *, today: datetime.date) -> list[DueReport]:
    """The reports whose draft should exist by `today`: their draft day has come and their due
    day has not passed. Usually none or one; a beat run that missed a day finds them the next."""
    found = []
    period = _first_period_not_yet_due(group, today)
    while period.end < today:
        due = due_report(period, group)
        if due.draft_on <= today <= due.due_on:
            found.append(due)
        period = next_period(period, group.cadence)
    return found


def recent_periods(cadence: str, *, today: datetime.date, count: int = 4) -> list[Period]:
    """The period in progress and the `count` completed periods before it, newest first: what a
    reporter may build a report for."""
    periods = [period_containing(today, cadence)]
    for _ in range(count):
        periods.append(previous_period(periods[-1], cadence))
    return periods
