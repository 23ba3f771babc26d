"""Reads for self-assessments: the assessment page (sections, answers and hints), the list with
each section's ratings over time (the heat map), and the comparison of two assessments.

Every page here runs a fixed number of queries whatever the number of assessments, answers,
links and actions (asserted in the tests)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from governance.models import (
    AssessmentSection,
    EvidenceLink,
    Rating,
    SelfAssessment,
    SelfAssessmentAnswer,
)
from governance.models.self_assessment import RATING_SCORE
from governance.selectors.hints import Hint, hints_for
from pace_hub.models import Organisation

RATING_CHOICES = list(Rating.choices)


@dataclass
class AnswerRow:
    answer: SelfAssessmentAnswer
    hints: list[Hint]

    @property
    def moved(self) -> int | None:
        """+1 up, -1 down or 0 the same since the assessment it started from; None when either is unrated."""
        return _movement(self.answer.previous_rating, self.answer.rating)


@dataclass
class SectionBlock:
    section: AssessmentSection
    rows: list[AnswerRow]

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        counts = Counter(row.answer.rating for row in self.rows)
        return [(value, label, counts[value]) for value, label in RATING_CHOICES]

    @property
    def unrated(self) -> int:
        return sum(1 for row in self.rows if not row.answer.rating)

    @property
    def score(self) -> float | None:
        return _mean([row.answer.rating for row in self.rows])


@dataclass
class AssessmentPage:
    assessment: SelfAssessment
    sections: list[SectionBlock]
    hints_as_of: datetime.date
    live_hints: bool
    actions: list = field(default_factory=list)

    @property
    def unrated(self) -> int:
        return sum(block.unrated for block in self.sections)

    @property
    def questions(self) -> int:
        return sum(len(block.rows) for block in self.sections)


def _movement(before: str, after: str) -> int | None:
    if not before or not after:
        return None
    difference = RATING_SCORE[after] - RATING_SCORE[before]
    return (difference > 0) - (difference < 0)


def _mean(ratings: list[str]) -> float | None:
    scores = [RATING_SCORE[rating] for rating in ratings if rating]
    return round(sum(scores) / len(scores), 2) if scores else None


def _answers(assessment: SelfAssessment):
    return (
        SelfAssessmentAnswer.objects.filter(assessment=assessment)
        .select_related("question__section", "answered_by__user", "action__owner__user")
        .prefetch_related(Prefetch("links", queryset=EvidenceLink.objects.order_by("pk")))
        .order_by("question__section__order", "question__order")
    )


def assessment_page(
    assessment: SelfAssessment, *, section_key: str | None = None, hide_small_counts: bool = False
) -> AssessmentPage:
    """The assessment's sections with answers and the hints beside each question: live while it
    is in progress, as they were on completion once complete (with counts of 1–4 children
    withheld when asked). Three queries and the hints'."""
    answers = list(_answers(assessment).filter(**({"question__section__key": section_key} if section_key else {})))
    snapshot = assessment.hints_snapshot or {}
    if assessment.is_complete and snapshot.get("hints") is not None:
        hints = {key: Hint.from_dict(data) for key, data in snapshot["hints"].items()}
        as_of, live = datetime.date.fromisoformat(snapshot["as_of"]), False
    else:
        keys = sorted({key for answer in answers for key in answer.question.hint_keys})
        hints, as_of, live = hints_for(assessment.organisation, keys=keys), timezone.localdate(), True
    if hide_small_counts:
        hints = {key: replace(hint, text=hint.text_for(hide_small_counts=True)) for key, hint in hints.items()}
    blocks: dict[int, SectionBlock] = {}
    for answer in answers:
        section = answer.question.section
        block = blocks.setdefault(section.pk, SectionBlock(section, []))
        block.rows.append(AnswerRow(answer, [hints[key] for key in answer.question.hint_keys if key in hints]))
    actions = [answer.action for answer in answers if answer.action_id]
    return AssessmentPage(assessment, list(blocks.values()), as_of, live, actions)


# ---- The list and the heat map ------------------------------------------------------------------


@dataclass
class HeatCell:
    score: float | None
    rated: int
    questions: int

    @property
    def level(self) -> int | None:
        """The nearest step of the scale (0–3), for the cell's colour."""
        return None if self.score is None else round(self.score)

    @property
    def label(self) -> str:
        return "not rated" if self.score is None else RATING_CHOICES[round(self.score)][1].lower()


@dataclass
class HeatMap:
    assessments: list[SelfAssessment]  # oldest first
    rows: list[tuple[str, list[HeatCell]]]  # section title → a cell per assessment


@dataclass
class AssessmentList:
    assessments: list[SelfAssessment]  # newest first, each with .rated and .questions_n
    heat_map: HeatMap
    latest: SelfAssessment | None

    @property
    def next_due_on(self) -> datetime.date | None:
        return self.latest.next_due_on if self.latest else None

    @property
    def overdue(self) -> bool:
        return self.latest is not None and self.latest.next_due_on < timezone.localdate()


def assessment_list(organisation: Organisation) -> AssessmentList:
    """Every assessment with how much is rated, and each section's mean rating at each date. Two
    queries (assessments; answers' ratings by section)."""
    assessments = list(
        SelfAssessment.objects.for_organisation(organisation)
        .select_related("organisation", "team", "started_from")
        .annotate(questions_n=Count("answers"), rated=Count("answers", filter=~Q(answers__rating="")))
        .order_by("-taken_on")
    )
    ratings = SelfAssessmentAnswer.objects.filter(assessment__organisation=organisation).values_list(
        "assessment_id", "question__section__key", "question__section__title", "question__section__order", "rating"
    )
    by_cell: dict[tuple[int, str], list[str]] = defaultdict(list)
    sections: dict[str, tuple[int, str]] = {}
    for assessment_id, key, title, order, rating in ratings:
        by_cell[(assessment_id, key)].append(rating)
        # Sections are matched by key across template versions; the latest title is shown.
        sections[key] = (order, title)
    oldest_first = list(reversed(assessments))
    rows = [
        (
            title,
            [
                HeatCell(
                    _mean(by_cell[(a.pk, key)]),
                    sum(1 for r in by_cell[(a.pk, key)] if r),
                    len(by_cell[(a.pk, key)]),
                )
                for a in oldest_first
            ],
        )
        for key, (order, title) in sorted(sections.items(), key=lambda item: item[1][0])
    ]
    return AssessmentList(assessments, HeatMap(oldest_first, rows), assessments[0] if assessments else None)


# ---- Comparing two assessments --------------------------------------------------------------------


@dataclass
class CompareRow:
    question: str
    before: SelfAssessmentAnswer | None
    after: SelfAssessmentAnswer | None

    @property
    def moved(self) -> int | None:
        return _movement(self.before.rating if self.before else "", self.after.rating if self.after else "")


@dataclass
class CompareSection:
    title: str
    rows: list[CompareRow]

    @property
    def up(self) -> int:
        return sum(1 for row in self.rows if row.moved == 1)

    @property
    def down(self) -> int:
        return sum(1 for row in self.rows if row.moved == -1)


@dataclass
class Comparison:
    before: SelfAssessment
    after: SelfAssessment
    sections: list[CompareSection]

    @property
    def up(self) -> list[CompareRow]:
        return [row for section in self.sections for row in section.rows if row.moved == 1]

    @property
    def down(self) -> list[CompareRow]:
        return [row for section in self.sections for row in section.rows if row.moved == -1]


def compare(first: SelfAssessment, second: SelfAssessment) -> Comparison:
    """The two side by side, the earlier first, question by question (matched by key). One query."""
    before, after = sorted((first, second), key=lambda a: a.taken_on)
    answers = (
        SelfAssessmentAnswer.objects.filter(assessment__in=[before.pk, after.pk])
        .select_related("question__section")
        .order_by("question__section__order", "question__order")
    )
    by_key: dict[str, dict[int, SelfAssessmentAnswer]] = defaultdict(dict)
    order: dict[str, tuple[tuple[int, int], str, str]] = {}
    for answer in answers:
        question = answer.question
        by_key[question.key][answer.assessment_id] = answer
        # The later assessment's wording and place win when the template changed between them.
        if answer.assessment_id == after.pk or question.key not in order:
            order[question.key] = ((question.section.order, question.order), question.section.title, question.text)
    sections: dict[str, CompareSection] = {}
    for key, (_, title, text) in sorted(order.items(), key=lambda item: item[1][0]):
        section = sections.setdefault(title, CompareSection(title, []))
        section.rows.append(CompareRow(text, by_key[key].get(before.pk), by_key[key].get(after.pk)))
    return Comparison(before, after, list(sections.values()))
