"""Viewers never see counts of 1–4 children on derived measures (DESIGN.md §1)."""

import datetime

import pytest

from measures.models import DataPoint, Measure
from pace_hub.roles import Role
from tests.measures.factories import MeasureFactory


def _derived(org, derivation: str, chart: str = Measure.Chart.RUN) -> Measure:
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import Timescale

    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.filter(organisation=org).first()
    return Measure.objects.get(organisation=org, timescale=timescale, derivation=derivation)


def _points(measure: Measure, rows: list[tuple]) -> None:
    measure.points.all().delete()
    for month, (value, numerator, denominator) in enumerate(rows, start=1):
        DataPoint.objects.create(
            organisation=measure.organisation,
            measure=measure,
            period=datetime.date(2025, month, 1),
            value=value,
            numerator=numerator,
            denominator=denominator,
            note=f"{int(denominator)} children" if denominator else "",
        )


@pytest.mark.django_db
def test_waiting_counts_of_one_to_four_are_withheld_from_viewers(cast) -> None:
    measure = _derived(cast.org, Measure.Derivation.WAITING)
    _points(measure, [(7, None, None), (3, None, None), (0, None, None), (12, None, None)])
    url = f"/o/{cast.org.slug}/measures/{measure.code}/"

    viewer = cast.client(Role.VIEWER).get(url)
    rows = [row for row in viewer.context["chart"].rows if row["suppressed"]]
    assert [(row["label"], row["y"], row["shown_instead"]) for row in rows] == [("February 2025", None, "<5")]
    assert [point["y"] for point in viewer.context["chart"].payload["points"]] == [7, None, 0, 12]

    lead = cast.client(Role.LEAD).get(url)
    assert [point["y"] for point in lead.context["chart"].payload["points"]] == [7, 3, 0, 12]


@pytest.mark.django_db
def test_viewers_see_percentages_but_no_cohort_sizes_and_no_small_cohorts(cast) -> None:
    measure = _derived(cast.org, Measure.Derivation.WITHIN_TARGET)
    _points(measure, [(50.0, 5, 10), (100.0, 3, 3), (80.0, 8, 10)])
    viewer = cast.client(Role.VIEWER)

    points = viewer.get(f"/o/{cast.org.slug}/measures/{measure.code}/").context["chart"].payload["points"]
    assert [(p["y"], p["numerator"], p["denominator"]) for p in points] == [
        (50.0, None, None),
        (None, None, None),
        (80.0, None, None),
    ]
    exported = viewer.get(f"/o/{cast.org.slug}/measures/{measure.code}/export.csv").content.decode()
    assert "2025-02-01,not shown," in exported  # a percentage of 3 children: withheld
    assert ",5,10," not in exported and ",5.0,10.0," not in exported
    data_lead_export = cast.client(Role.DATA).get(f"/o/{cast.org.slug}/measures/{measure.code}/export.csv")
    assert ",5.0,10.0," in data_lead_export.content.decode() or ",5,10," in data_lead_export.content.decode()


@pytest.mark.django_db
def test_the_list_shows_small_latest_counts_as_less_than_five_to_viewers(cast) -> None:
    measure = _derived(cast.org, Measure.Derivation.WAITING)
    _points(measure, [(9, None, None), (2, None, None)])

    def latest(role: str) -> str:
        response = cast.client(role).get(f"/o/{cast.org.slug}/measures/")
        return next(s for s in response.context["summaries"] if s.measure == measure).latest_text

    assert latest(Role.VIEWER) == "<5"
    assert latest(Role.LEAD) == "2 children"


@pytest.mark.django_db
def test_measures_entered_by_hand_are_not_masked(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    _points(measure, [(2, None, None), (3, None, None)])
    points = cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/measures/{measure.code}/").context["chart"].payload
    assert [point["y"] for point in points["points"]] == [2, 3]


@pytest.mark.django_db
def test_milestone_data_home_gives_viewers_no_small_counts(cast) -> None:
    median = _derived(cast.org, Measure.Derivation.MEDIAN_DAYS)
    within = _derived(cast.org, Measure.Derivation.WITHIN_TARGET)
    _points(median, [(120.0, None, 3)])
    _points(within, [(75.0, 6, 8)])
    url = f"/o/{cast.org.slug}/measures/data/"

    viewer_page = cast.client(Role.VIEWER).get(url).content.decode()
    assert "120 days" not in viewer_page and "fewer than 5 children" in viewer_page
    assert "75%" in viewer_page and "6 of 8" not in viewer_page

    lead_page = cast.client(Role.LEAD).get(url).content.decode()
    assert "120 days" in lead_page and "6 of 8" in lead_page
