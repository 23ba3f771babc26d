"""Reporting periods on the financial year from 1 April, due dates and draft days."""

from dataclasses import dataclass
from datetime import date

import pytest

from governance import schedule
from governance.schedule import Period


@dataclass
class Group:
    cadence: str = "quarterly"
    due_days_after_period: int = 21
    draft_days_before_due: int = 10


@pytest.mark.parametrize(
    ("day", "cadence", "start", "end"),
    [
        (date(2026, 4, 1), "quarterly", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), "quarterly", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 8, 15), "quarterly", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), "quarterly", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 2, 28), "quarterly", date(2027, 1, 1), date(2027, 3, 31)),
        (date(2027, 3, 31), "six_monthly", date(2026, 10, 1), date(2027, 3, 31)),
        (date(2026, 9, 30), "six_monthly", date(2026, 4, 1), date(2026, 9, 30)),
        (date(2027, 1, 10), "annual", date(2026, 4, 1), date(2027, 3, 31)),
        (date(2026, 4, 1), "annual", date(2026, 4, 1), date(2027, 3, 31)),
        (date(2024, 2, 29), "monthly", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_periods_follow_the_financial_year(day, cadence, start, end) -> None:
    assert schedule.period_containing(day, cadence) == Period(start, end)


def test_period_labels_read_as_a_board_paper_would() -> None:
    assert Period(date(2026, 4, 1), date(2026, 6, 30)).label == "April to June 2026"
    assert Period(date(2027, 1, 1), date(2027, 3, 31)).label == "January to March 2027"
    assert Period(date(2026, 10, 1), date(2027, 3, 31)).label == "October 2026 to March 2027"
    assert Period(date(2026, 5, 1), date(2026, 5, 31)).label == "May 2026"


def test_previous_and_next_periods_cross_the_year_end() -> None:
    q4 = schedule.period_containing(date(2027, 2, 1), "quarterly")
    assert schedule.next_period(q4, "quarterly") == Period(date(2027, 4, 1), date(2027, 6, 30))
    assert schedule.previous_period(q4, "quarterly") == Period(date(2026, 10, 1), date(2026, 12, 31))


def test_only_real_period_starts_are_accepted() -> None:
    assert schedule.period_starting(date(2026, 7, 1), "quarterly").end == date(2026, 9, 30)
    with pytest.raises(ValueError, match="No quarterly reporting period starts on 1 August 2026"):
        schedule.period_starting(date(2026, 8, 1), "quarterly")
    with pytest.raises(ValueError, match="Unknown reporting cadence 'weekly'"):
        schedule.period_containing(date(2026, 8, 1), "weekly")


def test_a_report_is_due_after_its_period_and_drafted_before_that() -> None:
    due = schedule.due_report(Period(date(2026, 4, 1), date(2026, 6, 30)), Group())
    assert (due.due_on, due.draft_on) == (date(2026, 7, 21), date(2026, 7, 11))


def test_a_draft_is_never_built_before_its_period_ends() -> None:
    due = schedule.due_report(Period(date(2026, 4, 1), date(2026, 6, 30)), Group(due_days_after_period=5))
    assert due.draft_on == date(2026, 7, 1)


@pytest.mark.parametrize(
    ("today", "period_start", "due_on"),
    [
        # Until the first quarter's report is due, it is the next one owed.
        (date(2026, 7, 1), date(2026, 4, 1), date(2026, 7, 21)),
        (date(2026, 7, 21), date(2026, 4, 1), date(2026, 7, 21)),
        # The day after, the second quarter's.
        (date(2026, 7, 22), date(2026, 7, 1), date(2026, 10, 21)),
        (date(2027, 1, 30), date(2027, 1, 1), date(2027, 4, 21)),
    ],
)
def test_next_due(today, period_start, due_on) -> None:
    due = schedule.next_due(Group(), today=today)
    assert (due.period.start, due.due_on) == (period_start, due_on)


def test_next_due_skips_a_report_already_issued() -> None:
    due = schedule.next_due(Group(), today=date(2026, 7, 10), done={date(2026, 4, 1)})
    assert due.period.start == date(2026, 7, 1)


def test_next_due_reaches_back_when_reports_are_due_long_after_the_period() -> None:
    # Monthly, due 45 days after: on 10 March, January's report (due 17 March) comes first.
    due = schedule.next_due(Group(cadence="monthly", due_days_after_period=45), today=date(2027, 3, 10))
    assert (due.period.start, due.due_on) == (date(2027, 1, 1), date(2027, 3, 17))


@pytest.mark.parametrize(
    ("today", "drafts"),
    [
        (date(2026, 7, 10), []),  # the day before the draft day
        (date(2026, 7, 11), [date(2026, 4, 1)]),  # the draft day
        (date(2026, 7, 21), [date(2026, 4, 1)]),  # still wanted up to the due day
        (date(2026, 7, 22), []),  # past due: the next draft is not until October
        (date(2026, 10, 11), [date(2026, 7, 1)]),
    ],
)
def test_drafts_due(today, drafts) -> None:
    assert [due.period.start for due in schedule.drafts_due(Group(), today=today)] == drafts


def test_overlapping_draft_windows_ask_for_both_drafts() -> None:
    group = Group(cadence="monthly", due_days_after_period=45, draft_days_before_due=40)
    starts = [due.period.start for due in schedule.drafts_due(group, today=date(2027, 3, 10))]
    assert starts == [date(2027, 1, 1), date(2027, 2, 1)]


def test_recent_periods_are_the_current_one_and_those_before() -> None:
    periods = schedule.recent_periods("quarterly", today=date(2026, 8, 1), count=2)
    assert [period.start for period in periods] == [date(2026, 7, 1), date(2026, 4, 1), date(2026, 1, 1)]
