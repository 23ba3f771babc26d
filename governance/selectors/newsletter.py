"""What a newsletter is drafted from: the recent learning of a period. Completed PDSA cycles and
what they taught, changes gone live with their change package, "you said, we did", and the
progress of each active aim. Five queries whatever the period holds.

Newsletters leave the product: counts of 1–4 children are withheld (``measures.disclosure``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from aims.models import Aim
from measures.disclosure import latest_text
from measures.models import DataPoint
from pdsa.models import Feedback, Implementation, PDSACycle

MAX_ITEMS = 12


@dataclass
class LearningItem:
    title: str
    text: str
    link: str = ""  # a page of PACE Hub (path)


@dataclass
class RecentLearning:
    start: datetime.date
    end: datetime.date
    cycles: list[LearningItem]
    changes: list[LearningItem]
    you_said: list[LearningItem]
    aims: list[LearningItem]


def _span(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.max)),
    )


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def recent_learning(organisation, *, start: datetime.date, end: datetime.date) -> RecentLearning:
    first, last = _span(start, end)
    cycles = []
    for cycle in (
        PDSACycle.objects.for_organisation(organisation)
        .filter(status=PDSACycle.Status.COMPLETE)
        .filter(Q(end_date__range=(start, end)) | Q(end_date__isnull=True, updated_at__range=(first, last)))
        .select_related("organisation", "change_idea")
        .order_by("change_idea__title", "number")[:MAX_ITEMS]
    ):
        where = f" in {cycle.setting}" if cycle.setting else ""
        text = f"Cycle {cycle.number}{where}. What we learned: {cycle.learning.strip() or 'not written up yet.'}"
        if cycle.decision:
            text += f" Decision: {cycle.get_decision_display().lower()}"
            text += f" — {cycle.next_steps.strip()}" if cycle.next_steps.strip() else "."
        cycles.append(LearningItem(cycle.change_idea.title, text, cycle.get_absolute_url()))

    changes = []
    for implementation in (
        Implementation.objects.for_organisation(organisation)
        .filter(live_on__range=(start, end))
        .select_related("organisation", "change_idea")
        .order_by("live_on")[:MAX_ITEMS]
    ):
        parts = [f"Live from {implementation.live_on:%-d %B %Y}."]
        if implementation.guidance_what.strip():
            parts.append(implementation.guidance_what.strip())
        if implementation.guidance_why.strip():
            parts.append(f"Why: {implementation.guidance_why.strip()}")
        if implementation.contacts.strip():
            parts.append(f"Who to contact: {implementation.contacts.strip()}")
        changes.append(
            LearningItem(
                implementation.change_idea.title,
                " ".join(parts),
                reverse("package_page", args=[organisation.slug, implementation.code]),
            )
        )

    you_said = [
        LearningItem(
            f"{feedback.get_voice_display()} ({feedback.received_on:%B %Y})",
            f"You said: \u201c{feedback.text.strip()}\u201d We did: {feedback.response.strip()}",
        )
        for feedback in Feedback.objects.for_organisation(organisation)
        .filter(responded_at__range=(first, last))
        .exclude(response="")
        .order_by("-responded_at")[:MAX_ITEMS]
    ]

    latest = DataPoint.objects.filter(measure=OuterRef("outcome_measure"), value__isnull=False).order_by("-period")
    aims = []
    for aim in (
        Aim.objects.for_organisation(organisation)
        .active()
        .select_related("organisation", "outcome_measure")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_denominator=Subquery(latest.values("denominator")[:1]),
            latest_period=Subquery(latest.values("period")[:1]),
        )
        .order_by("title")[:MAX_ITEMS]
    ):
        parts = [aim.statement.strip() or aim.title]
        measure = aim.outcome_measure
        if measure is not None and aim.latest_value is not None:
            point = DataPoint(measure=measure, value=aim.latest_value, denominator=aim.latest_denominator)
            unit = measure.unit if measure.unit == "%" else f" {measure.unit}" if measure.unit else ""
            value = latest_text(measure, point, f"{_number(aim.latest_value)}{unit}")
            parts.append(f"Latest: {value} ({aim.latest_period:%B %Y}).")
        if aim.progress_score:
            parts.append(f"Progress: {aim.get_progress_score_display()}.")
        aims.append(LearningItem(aim.title, " ".join(parts), aim.get_absolute_url()))

    return RecentLearning(start, end, cycles, changes, you_said, aims)
