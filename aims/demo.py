"""Demo aims with driver diagrams for `manage.py seed_demo`. Idempotent: keyed on aim titles.

Measures come from `measures.demo` when it has run; they are looked up by title and skipped
when missing, so the aims demo also works alone.
"""

import datetime

from django.db import transaction

from aims.models import Aim, AimVersion, Driver
from aims.statements import compose_statement
from measures.models import Measure
from pace_hub.models import Team
from pace_hub.roles import Role

OUTCOME_6_MONTHS = "% of children with a permanence recommendation within 6 months"
PANEL_TO_ADM = "Median days from panel to ADM decision"
SUPPORTING = [
    "% of first LAC reviews within 6 weeks",
    "Number of LAC reviews held on time",
    "Placement moves for children awaiting permanence",
]

# (primary driver, [secondary drivers])
SIX_MONTH_DRIVERS = [
    (
        "Timely, good-quality LAC reviews",
        ["First LAC review within 6 weeks of placement", "IRO challenges drift at every review"],
    ),
    (
        "Early legal advice and permanence planning",
        ["Legal advice meeting booked at the first review", "Permanence planning checklist used by social workers"],
    ),
    (
        "Children's and families' voices shape the plan",
        ["Participation tools used with infants and non-verbal children"],
    ),
    ("Shared ownership across agencies", ["SCRA and Children's Hearings Scotland in the leads group"]),
]
ADM_DRIVERS = [
    ("Panel paperwork complete first time", ["Panel checklist agreed with legal services"]),
    ("ADM availability", ["ADM decision slots diarised for the week after panel"]),
]


def _measure(org, title: str) -> Measure | None:
    return Measure.objects.filter(organisation=org, title=title).first()


def _drivers(aim: Aim, tree: list[tuple[str, list[str]]]) -> None:
    for order, (primary_text, secondaries) in enumerate(tree):
        primary = Driver.objects.create(organisation=aim.organisation, aim=aim, text=primary_text, order=order)
        for position, text in enumerate(secondaries):
            Driver.objects.create(organisation=aim.organisation, aim=aim, parent=primary, text=text, order=position)


def _aim(org, title: str, **fields) -> tuple[Aim, bool]:
    aim = Aim.objects.filter(organisation=org, title=title).first()
    if aim is not None:
        return aim, False
    aim = Aim(organisation=org, title=title, **fields)
    aim.statement = compose_statement(
        population=aim.population,
        improvement=aim.improvement,
        baseline_value=aim.baseline_value,
        baseline_label=aim.baseline_label,
        target_value=aim.target_value,
        unit=aim.unit,
        by_date=aim.by_date,
    )
    aim.save()
    return aim, True


@transaction.atomic
def seed(demo) -> None:
    org, people = demo.organisation, demo.people
    today = datetime.date.today()
    six_month_group = Team.objects.filter(organisation=org, kind=Team.Kind.AIMS, name__contains="6 months").first()
    court_group = Team.objects.filter(organisation=org, kind=Team.Kind.AIMS, name__contains="court").first()

    aim, created = _aim(
        org,
        "Permanence recommendation within 6 months",
        kind=Aim.Kind.NATIONAL,
        status=Aim.Status.ACTIVE,
        lead=people[Role.LEAD],
        aims_group=six_month_group,
        population="children who become looked after and accommodated",
        improvement="will have a permanence recommendation within 6 months of becoming looked after",
        baseline_value=55,
        baseline_label="in 2024",
        target_value=90,
        unit="%",
        start_date=datetime.date(2025, 4, 1),
        by_date=datetime.date(2027, 3, 31),
        outcome_measure=_measure(org, OUTCOME_6_MONTHS),
        progress_score="2.5",
        review_interval_days=90,
        last_reviewed=today - datetime.timedelta(days=30),
        version=2,
    )
    if created:
        _drivers(aim, SIX_MONTH_DRIVERS)
        aim.measures.set([m for m in (_measure(org, title) for title in SUPPORTING) if m is not None])
        AimVersion.objects.create(
            organisation=org,
            aim=aim,
            version=1,
            statement="80% of children who become looked after and accommodated will have a permanence "
            "recommendation within 6 months of becoming looked after by 31 March 2026, from 50% in 2023",
            parts={"baseline_value": 50, "baseline_label": "in 2023", "target_value": 80, "by_date": "2026-03-31"},
            reason="Refreshed at the leads group with the 2024 baseline; the target raised to the national aim.",
            changed_by=people[Role.LEAD].user,
        )

    _aim(
        org,
        "Review for children on a CSO for 2 years",
        kind=Aim.Kind.NATIONAL,
        status=Aim.Status.DRAFT,
        lead=people[Role.ADMIN],
        population="children looked after at home on a compulsory supervision order for 2 years or more",
        improvement="will have had their plan reviewed for permanence",
        unit="%",
        target_value=100,
    )

    adm, created = _aim(
        org,
        "ADM decision within 14 days of panel",
        kind=Aim.Kind.LOCAL,
        status=Aim.Status.ACTIVE,
        lead=people[Role.DATA],
        aims_group=court_group,
        population="children recommended for permanence by the panel",
        improvement="the median days from panel to the agency decision maker's decision",
        baseline_value=28,
        baseline_label="in 2024-25",
        target_value=14,
        unit="days",
        start_date=datetime.date(2025, 6, 1),
        by_date=datetime.date(2026, 12, 31),
        outcome_measure=_measure(org, PANEL_TO_ADM),
        review_interval_days=60,
        # Overdue for review, so the home page has something to flag.
        last_reviewed=today - datetime.timedelta(days=75),
    )
    if created:
        _drivers(adm, ADM_DRIVERS)
