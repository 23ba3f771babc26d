"""A report's frozen snapshot: every figure and chart of its moment, as plain JSON.

The HTML and the PDF are rendered from the snapshot alone (governance/reports/render.py), so a
report never changes after it was built, whatever happens to the data. Board papers are read
by people without access to child-level data, so small numbers are always withheld here
("<5"), as for viewers.

- A governance report freezes the live governance summary (governance.selectors.summary) for
  the group's aims and period, with each aim's outcome chart drawn as SVG and the change of
  its IHI progress score since the group's previous report.
- A meeting data pack freezes the meeting's agenda content (governance.selectors.meetings):
  the aims on the agenda with their charts and what changed, the cycles, the decisions, ideas
  and feedback waiting on the group, and the actions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from aims.models import Aim
from governance import schedule
from governance.models import AgendaItem, Report
from governance.reports.charts import chart_svg
from governance.selectors.meetings import agenda_content
from governance.selectors.summary import governance_summary
from measures.models import Measure
from measures.selectors import measures_with_latest

SNAPSHOT_VERSION = 1
Progress = Callable[[int, str], None]


def _chart(payload: dict[str, Any]) -> dict[str, Any] | None:
    """What a report keeps of a chart: the picture, its reading and the data it was drawn from."""
    if not payload["points"]:
        return None
    return {
        "svg": chart_svg(payload),
        "label": payload["chart_label"],
        "reading": payload["reading"],
        "annotations": payload["annotations"],
        "suppressed": sum(1 for point in payload["points"] if point.get("suppressed")),
        "payload": payload,
    }


def _score_change(score: str, previous: str | None) -> dict[str, Any] | None:
    """The IHI progress score against the group's previous report: up, down or the same."""
    if previous is None:
        return None
    if not score or not previous:
        return {"direction": "unknown", "previous": previous or "not scored", "text": "not comparable"}
    difference = float(score) - float(previous)
    if difference == 0:
        return {"direction": "same", "previous": previous, "text": "no change"}
    direction = "up" if difference > 0 else "down"
    return {"direction": direction, "previous": previous, "text": f"{difference:+.1f} since {previous}"}


def previous_report(report: Report) -> Report | None:
    """The group's built report for the period before this one (the latest earlier one)."""
    return (
        Report.objects.filter(
            organisation=report.organisation,
            group=report.group,
            kind=Report.Kind.GOVERNANCE,
            status=Report.Status.DONE,
            period_start__lt=report.period_start,
        )
        .order_by("-period_start")
        .first()
    )


def governance_snapshot(report: Report, *, today: datetime.date, progress: Progress) -> dict[str, Any]:
    group = report.group
    organisation = report.organisation
    progress(10, "Gathering the figures")
    followed = list(group.aims.all())
    summary = governance_summary(
        organisation,
        viewer=True,
        today=today,
        period_start=report.period_start,
        period_end=report.period_end,
        aims=followed or None,
    )
    data = summary.as_snapshot()

    codes = [row["code"] for row in data["aims"]]
    outcome_ids = {
        str(code): measure_id
        for code, measure_id in Aim.objects.for_organisation(organisation)
        .filter(code__in=codes)
        .values_list("code", "outcome_measure_id")
    }
    measures = Measure.objects.filter(pk__in=[pk for pk in outcome_ids.values() if pk])
    charts = {
        summary.measure.pk: summary.chart.payload
        for summary in measures_with_latest(organisation, measures=measures, hide_small_counts=True)
    }

    before = previous_report(report)
    previous_scores = {}
    if before is not None:
        previous_scores = {row["code"]: row.get("progress_score", "") for row in before.snapshot.get("aims", [])}
    rows = data.pop("aims")
    for number, row in enumerate(rows, start=1):
        progress(10 + int(70 * (number - 1) / max(len(rows), 1)), f"Drawing chart {number} of {len(rows)}")
        payload = charts.get(outcome_ids.get(row["code"]))
        row["chart"] = _chart(payload) if payload else None
        row["score_change"] = _score_change(
            row["progress_score"], previous_scores.get(row["code"]) if before is not None else None
        )
        # The full chart replaces the dashboard's sparkline.
        row.pop("sparkline", None)
        row.pop("sparkline_svg", None)
    return {
        "version": SNAPSHOT_VERSION,
        "kind": Report.Kind.GOVERNANCE,
        "title": report.title,
        "organisation": organisation.name,
        "group": {
            "name": group.name,
            "audience": group.audience,
            "reporter": group.reporter.display_name if group.reporter else "",
            "cadence": group.get_cadence_display(),
            "follows_all": not followed,
        },
        "period": _period(report),
        "built_at": timezone.now().isoformat(),
        "as_at": today.isoformat(),
        "previous": {"title": before.title, "code": str(before.code)} if before else None,
        "aims": rows,
        **data,
    }


def _period(report: Report) -> dict[str, str]:
    if report.period_start is None or report.period_end is None:
        return {"start": "", "end": "", "label": ""}
    label = schedule.Period(report.period_start, report.period_end).label
    return {"start": report.period_start.isoformat(), "end": report.period_end.isoformat(), "label": label}


# Data packs --------------------------------------------------------------------------------------


def _person(membership: Any) -> str:
    return membership.display_name if membership is not None else ""


def _action(action: Any, today: datetime.date) -> dict[str, Any]:
    return {
        "description": action.description,
        "owner": _person(action.owner),
        "due_on": action.due_on.isoformat(),
        "due_text": f"{action.due_on:%-d %b %Y}",
        "status": action.get_status_display(),
        "open": action.status == action.Status.OPEN,
        "overdue": action.status == action.Status.OPEN and action.due_on < today,
    }


def _cycle(cycle: Any) -> dict[str, Any]:
    return {
        "title": str(cycle),
        "idea": cycle.change_idea.title,
        "number": cycle.number,
        "status": cycle.get_status_display(),
        "objective": cycle.objective,
        "setting": cycle.setting,
        "learning": cycle.learning,
        "decision": cycle.get_decision_display() if cycle.decision else "",
        "next_steps": cycle.next_steps,
        "predictions": [
            {"question": p.question, "prediction": p.prediction, "result": p.result} for p in cycle.predictions.all()
        ],
    }


def _review(review: Any) -> dict[str, Any]:
    changes = review.changes
    aim = review.aim
    return {
        "title": aim.title,
        "statement": aim.statement or aim.title,
        "status": aim.get_status_display(),
        "progress_score": aim.get_progress_score_display() if aim.progress_score else "Not scored yet",
        "chart": _chart(review.chart.payload) if review.chart is not None else None,
        "changes": {
            "new_periods": list(changes.new_periods),
            "new_signals": list(changes.new_signals),
            "status": list(changes.status) if changes.status else None,
            "progress": list(changes.progress) if changes.progress else None,
            "new_aim": changes.new_aim,
        },
    }


def _waiting_on_the_group(kind: str, content: Any) -> dict[str, Any]:
    """What the decisions, ideas and listening items bring to the meeting, as the live agenda
    shows it: the decisions awaiting approval or not yet taken, how many ideas wait for triage
    (a count: the pack is read beyond the leads, who alone see the submissions), and the feedback
    still without its "you said, we did" (who spoke, when and about what; the words stay in the
    listening log)."""
    if kind == AgendaItem.Kind.DECISIONS and content.decisions is not None:
        decisions = content.decisions
        return {
            "decisions": {
                "awaiting": [
                    {
                        "idea": implementation.change_idea.title,
                        "decided": f"{implementation.decided_on:%-d %b %Y}",
                        "meeting": implementation.meeting,
                        "waiting_for": list(implementation.waiting_for),
                    }
                    for implementation in decisions.awaiting
                ],
                "ready": [idea.title for idea in decisions.ready_without_decision],
            }
        }
    if kind == AgendaItem.Kind.IDEAS and content.awaiting_triage is not None:
        return {"ideas_waiting": len(content.awaiting_triage)}
    if kind == AgendaItem.Kind.LISTENING and content.unanswered_feedback is not None:
        return {
            "feedback": [
                {
                    "voice": voice.get_voice_display(),
                    "received": f"{voice.received_on:%-d %b %Y}",
                    # Feedback on a cycle is filed under its idea too (pdsa.services.listening.feedback_record).
                    "about": voice.change_idea.title if voice.change_idea is not None else "",
                }
                for voice in content.unanswered_feedback
            ]
        }
    return {}


def data_pack_snapshot(report: Report, *, today: datetime.date, progress: Progress) -> dict[str, Any]:
    meeting = report.meeting
    progress(10, "Reading the agenda")
    content = agenda_content(meeting, hide_small_counts=True)
    entries = []
    reviews = [entry for entry in content.entries if entry.review is not None]
    drawn = 0
    for entry in content.entries:
        item = entry.item
        row: dict[str, Any] = {
            "title": item.title,
            "kind": item.kind,
            "kind_label": item.get_kind_display(),
            "description": item.description,
            "actions": [_action(action, today) for action in entry.actions],
            "review": None,
            "cycle": None,
        }
        if entry.review is not None:
            drawn += 1
            progress(10 + int(70 * (drawn - 1) / max(len(reviews), 1)), f"Drawing chart {drawn} of {len(reviews)}")
            row["review"] = _review(entry.review)
        if entry.cycle is not None and item.kind == AgendaItem.Kind.TESTING:
            row["cycle"] = _cycle(entry.cycle)
        row.update(_waiting_on_the_group(item.kind, content))
        entries.append(row)
    starts = timezone.localtime(meeting.starts_at)
    return {
        "version": SNAPSHOT_VERSION,
        "kind": Report.Kind.DATA_PACK,
        "title": report.title,
        "organisation": report.organisation.name,
        "meeting": {
            "team": meeting.team.name,
            "starts_at": starts.isoformat(),
            "when": f"{starts:%A %-d %B %Y, %H:%M}",
            "place": meeting.place,
            "chair": _person(meeting.chair),
            "since": f"{timezone.localtime(content.window.start):%-d %B %Y}",
        },
        "built_at": timezone.now().isoformat(),
        "as_at": today.isoformat(),
        "entries": entries,
        "open_actions": [_action(action, today) for action in content.carried_open],
        "notes": [
            'Counts of 1–4 children are shown as "<5", and medians or percentages of fewer than 5 children '
            "are not shown, to protect children's privacy."
        ],
    }
