"""Walk every page of the organisation as a viewer and find no value that rests on 1–4 children.

The organisation's derived measures end on a settled month of 3 children with values found
nowhere else (a median of 137.5 days, 33.3% within target, 3 waiting); an aim's outcome is one of
them. Every URL is opened with real objects (those measures and that aim where a page takes a
measure or an aim); no page, fragment, JSON payload or export may show those values, or how far
the aim moved because of them. Data leads, who may see child-level data, do see them.
"""

import datetime

import pytest

from aims.models import Aim
from measures.milestones.pathway import pathway_ensure_defaults
from measures.models import DataPoint, Measure
from pace_hub.roles import Role
from tests.pace_hub.test_tenancy_urls import ROUTES, _arguments, _url
from tests.url_objects import URL_OBJECTS, load_app_registrations

# Values that only a group of 3 children gives here.
MEDIAN = "137.5"
WITHIN = "33.3"
PROGRESS = "29%"  # (33.3 - 10) / (90 - 10) of the way from the aim's baseline to its target
SETTLED = [datetime.date(2025, month, 1) for month in range(1, 13)]


def _points(measure: Measure, big: dict, small: dict) -> None:
    rows = [
        DataPoint(organisation=measure.organisation, measure=measure, period=period, **big) for period in SETTLED[:-1]
    ]
    rows.append(DataPoint(organisation=measure.organisation, measure=measure, period=SETTLED[-1], **small))
    DataPoint.objects.bulk_create(rows)


@pytest.fixture
def small_group(cast):
    pathway_ensure_defaults(cast.org)
    derived = Measure.objects.filter(organisation=cast.org, source=Measure.Source.DERIVED, timescale__isnull=False)
    timescale = derived.order_by("timescale__from_milestone__order").first().timescale
    measures = {measure.derivation: measure for measure in derived.filter(timescale=timescale)}
    _points(
        measures[Measure.Derivation.MEDIAN_DAYS],
        {"value": 160.0, "denominator": 12.0, "note": "12 children"},
        {"value": float(MEDIAN), "denominator": 3.0, "note": "3 children"},
    )
    _points(
        measures[Measure.Derivation.WITHIN_TARGET],
        {"value": 50.0, "numerator": 6.0, "denominator": 12.0},
        {"value": 100 / 3, "numerator": 1.0, "denominator": 3.0},
    )
    _points(measures[Measure.Derivation.WAITING], {"value": 11.0}, {"value": 3.0})
    aim = Aim.objects.create(
        organisation=cast.org,
        title="Permanence recommendations in time",
        outcome_measure=measures[Measure.Derivation.WITHIN_TARGET],
        baseline_value=10,
        target_value=90,
        unit="%",
        statement="90% of children will have a permanence recommendation within 6 months",
        status=Aim.Status.ACTIVE,
    )
    aim.measures.add(measures[Measure.Derivation.MEDIAN_DAYS], measures[Measure.Derivation.WAITING])
    return measures, aim


def _pages(cast, measures: dict, aim: Aim) -> list[str]:
    """Every GET page of the organisation, with the small-group measures and aim where a page
    takes one (each measure in turn), and the other arguments made as the tenancy walk makes them."""
    load_app_registrations()
    urls = []
    for route, _ in ROUTES:
        names = _arguments(route)
        choices = [None]
        if "measure" in names:
            choices = [measure.code for measure in measures.values()]
        for measure_code in choices:
            values = {}
            for name in names:
                if name == "measure":
                    values[name] = measure_code
                elif name == "aim":
                    values[name] = aim.code
                else:
                    values[name] = URL_OBJECTS[name](cast.org)
            urls.append(_url(route, cast.org.slug, values))
    return urls


def _content(response) -> str:
    if response.get("Content-Type", "").startswith(("application/pdf", "image/")):
        return ""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


def test_no_page_shows_a_viewer_a_value_of_fewer_than_five_children(cast, small_group) -> None:
    measures, aim = small_group
    viewer = cast.client(Role.VIEWER)
    seen = 0
    leaks = []
    for url in _pages(cast, measures, aim):
        response = viewer.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        content = _content(response)
        leaks.extend(f"{url}: {value}" for value in (MEDIAN, WITHIN, PROGRESS) if value in content)
    assert seen > 40, "the walk opened too few pages to mean anything"
    assert not leaks, "small-group values shown to a viewer:\n" + "\n".join(leaks)


def test_the_aim_page_says_the_latest_value_is_withheld(cast, small_group) -> None:
    _, aim = small_group
    page = cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/aims/{aim.code}/").content.decode()
    assert "not shown, as it describes fewer than 5 children" in page
    assert 'id="progress-text">Latest 33' not in page


def test_data_leads_see_the_same_values(cast, small_group) -> None:
    _, aim = small_group
    page = cast.client(Role.DATA).get(f"/o/{cast.org.slug}/aims/{aim.code}/").content.decode()
    assert f"Latest {WITHIN}%" in page and f"{PROGRESS} of the way" in page
