"""The senior managers' dashboard beyond the summary: each governance group's latest issued
report and the report it owes next. Two queries whatever the number of groups and reports (one when
there are no groups)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from governance import schedule
from governance.models import GovernanceGroup, Report
from pace_hub.models import Organisation


@dataclass
class GroupReports:
    group: GovernanceGroup
    latest_issued: Report | None
    next_due: schedule.DueReport
    # The report being prepared for the next due period, if one has been asked for.
    next_report: Report | None
    issued_count: int
    # The period just before the ones still to come, when its report was due and never issued.
    overdue: schedule.DueReport | None = None

    @property
    def latest_label(self) -> str:
        """The latest issued report's period, short: "Jul to Sep 2026"."""
        report = self.latest_issued
        return short_label(schedule.Period(report.period_start, report.period_end)) if report else ""

    @property
    def next_label(self) -> str:
        return short_label(self.next_due.period)


def short_label(period: schedule.Period) -> str:
    """ "Jul to Sep 2026", "Apr 2026", "Oct 2026 to Mar 2027": a period for a tight space."""
    start, end = period.start, period.end
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    if start.year == end.year:
        return f"{start:%b} to {end:%b %Y}"
    return f"{start:%b %Y} to {end:%b %Y}"


def _missed(group: GovernanceGroup, *, today: datetime.date, done: set[datetime.date]) -> schedule.DueReport | None:
    """The last report whose due day has passed, if it was never issued and the group already
    existed when it fell due (a group set up last week owes nothing for last year)."""
    upcoming = schedule.period_containing(today - datetime.timedelta(days=group.due_days_after_period), group.cadence)
    due = schedule.due_report(schedule.previous_period(upcoming, group.cadence), group)
    if due.period.start in done or group.created_at.date() > due.due_on:
        return None
    return due


def group_reports(organisation: Organisation, *, today: datetime.date) -> list[GroupReports]:
    # Every row is the organisation's: it is set on each rather than joined and built per row.
    groups = list(
        GovernanceGroup.objects.for_organisation(organisation)
        .filter(active=True)
        .select_related("reporter__user")
        .order_by("name")
    )
    if not groups:
        return []
    reports = (
        Report.objects.for_organisation(organisation)
        .filter(kind=Report.Kind.GOVERNANCE, group__in=groups)
        .order_by("-period_start", "-created_at")
    )
    by_group: dict[int, list[Report]] = {}
    for report in reports:
        report.organisation = organisation
        by_group.setdefault(report.group_id, []).append(report)
    rows = []
    for group in groups:
        group.organisation = organisation
        own = by_group.get(group.pk, [])
        issued = [report for report in own if report.is_issued]
        due = schedule.next_due(group, today=today, done={report.period_start for report in issued})
        overdue = _missed(group, today=today, done={report.period_start for report in issued})
        pending = next((report for report in own if report.period_start == due.period.start), None)
        rows.append(
            GroupReports(
                group=group,
                latest_issued=issued[0] if issued else None,
                next_due=due,
                next_report=pending,
                issued_count=len(issued),
                overdue=overdue,
            )
        )
    return rows
