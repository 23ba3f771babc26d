"""Data for the governance summary and dashboard tests: aims with outcome charts, testing,
implementation, listening and milestone dates, in multiples (to prove constant queries)."""

import datetime

from django.utils import timezone

from aims.models import Aim
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Measure, Milestone
from pace_hub.models import Organisation
from pdsa.models import ChangeIdea, PDSACycle
from tests.aims.factories import AimFactory
from tests.governance.factories import GovernanceGroupFactory, ReportFactory
from tests.measures.factories import ChildFactory, MeasureFactory, monthly_points
from tests.measures.milestones.dates import set_dates
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, ImplementationFactory, PDSACycleFactory

# An outcome that improves: 12 months near 55%, then 12 near 80% (a shift), against a 90% target.
IMPROVING = [(11, 20), (10, 19), (12, 21), (11, 20), (10, 18), (12, 22)] * 2 + [(16, 20), (17, 21), (15, 19)] * 4


def child_dates(org: Organisation, reference: str, route: str = "adoption", **days_ago: int) -> None:
    """A child with milestone dates given as days before today, e.g. looked_after=200."""
    today = timezone.localdate()
    child = ChildFactory(organisation=org, reference=reference, route=route)
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    set_dates(child, {milestones[code]: today - datetime.timedelta(days) for code, days in days_ago.items()})


def outcome_aim(org: Organisation, title: str, *, values=IMPROVING, **fields) -> Aim:
    measure = MeasureFactory(
        organisation=org,
        title=f"% of children: {title}",
        kind=Measure.Kind.OUTCOME,
        unit="%",
        better=Measure.Better.UP,
        chart=Measure.Chart.P,
        target=90,
        baseline_points=12,
    )
    monthly_points(measure, list(values), start=datetime.date(2024, 1, 1))
    defaults = {"status": Aim.Status.ACTIVE, "progress_score": "3.5", "outcome_measure": measure}
    return AimFactory(organisation=org, title=title, **{**defaults, **fields})


def fill(org: Organisation, n: int, *, tag: str = "") -> None:
    """n of everything the summary reads."""
    pathway_create_defaults(organisation=org)
    today = timezone.localdate()
    for i in range(n):
        name = f"{tag}{i}"
        outcome_aim(org, f"Aim {name}")
        idea = ChangeIdeaFactory(organisation=org, title=f"Idea {name}", status=ChangeIdea.Status.TESTING)
        PDSACycleFactory(organisation=org, change_idea=idea, start_date=today - datetime.timedelta(days=10))
        PDSACycleFactory(
            organisation=org,
            change_idea=idea,
            status=PDSACycle.Status.COMPLETE,
            start_date=today - datetime.timedelta(days=60),
            end_date=today - datetime.timedelta(days=30),
        )
        FeedbackFactory(organisation=org, text=f"Feedback {name}", response="We changed the letter.")
        ImplementationFactory(organisation=org, change_idea__organisation=org, change_idea__title=f"Change {name}")
        child_dates(org, f"C-{name}-a", looked_after=300, first_review=260)
        child_dates(org, f"C-{name}-b", looked_after=400, permanence_rec=200, panel=100)
        group = GovernanceGroupFactory(organisation=org, name=f"Board {name}")
        ReportFactory(
            organisation=org,
            group=group,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 3, 31),
            issued_at=timezone.now(),
        )
