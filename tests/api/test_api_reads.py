"""Read endpoints: the same chart engine and suppression as the pages, pagination, period
filters, ETag / If-None-Match, constant queries."""

import datetime

import pytest
from django.utils import timezone

from api.models import ApiKey
from measures.milestones.pathway import pathway_create_defaults
from measures.models import DataPoint, Measure, Timescale
from measures.selectors import measure_chart_data
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.api.conftest import make_key
from tests.measures.factories import MeasureFactory, MilestoneImportFactory, monthly_points

pytestmark = pytest.mark.django_db

VALUES = [30, 32, 31, 29, 30, 33, 31, 30, 32, 29, 31, 30, 12, 11, 10, 12, 11, 10, 11, 12]


def _derived_waiting(org) -> Measure:
    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.filter(organisation=org).first()
    measure = Measure.objects.get(organisation=org, timescale=timescale, derivation=Measure.Derivation.WAITING)
    for month, value in enumerate([7, 3, 0, 12], start=1):
        DataPoint.objects.create(organisation=org, measure=measure, period=datetime.date(2025, month, 1), value=value)
    return measure


def test_a_measure_has_its_points_and_the_engines_chart_results(cast, read_api) -> None:
    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.XMR, better=Measure.Better.DOWN, target=20)
    monthly_points(measure, VALUES)
    answer = read_api.get(f"/api/v1/measures/{measure.code}/")
    assert answer.status_code == 200
    body = answer.json()
    payload = measure_chart_data(measure, hide_small_counts=True).payload
    assert [point["value"] for point in body["points"]] == [point["y"] for point in payload["points"]]
    phase = payload["phases"][0]
    assert body["points"][0]["centre"] == pytest.approx(phase["centre"][0])
    assert body["points"][0]["ucl"] == pytest.approx(phase["ucl"][0])
    assert body["points"][0]["lcl"] == pytest.approx(phase["lcl"][0])
    assert [signal["kind"] for signal in body["signals"]] == [signal["kind"] for signal in payload["signals"]]
    assert body["signals"], "a shift of 8 points below the centre is a signal"
    assert body["variation"] == payload["variation"] and body["assurance"] == payload["assurance"]
    assert body["reading"] == payload["reading"]
    assert body["latest"]["value"] == 12 and body["latest"]["period"] == "2025-08-01"


def test_the_period_filter_narrows_points_and_signals_not_the_chart(cast, read_api) -> None:
    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.XMR)
    monthly_points(measure, VALUES)
    whole = read_api.get(f"/api/v1/measures/{measure.code}/").json()
    part = read_api.get(f"/api/v1/measures/{measure.code}/?period_from=2024-03-01&period_to=2024-06-01").json()
    assert [point["period"] for point in part["points"]] == ["2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"]
    assert part["points"][0]["centre"] == whole["points"][2]["centre"]
    overlapping = [
        signal for signal in whole["signals"] if signal["start"] <= "2024-06-01" and signal["end"] >= "2024-03-01"
    ]
    assert part["signals"] == overlapping and len(overlapping) < len(whole["signals"])
    wrong = read_api.get(f"/api/v1/measures/{measure.code}/?period_from=2024-06-01&period_to=2024-03-01")
    assert wrong.status_code == 422 and "is after period_to" in wrong.json()["detail"]
    bad = read_api.get(f"/api/v1/measures/{measure.code}/?period_from=March")
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "period_from"


def test_read_keys_see_what_viewers_see(cast, read_api) -> None:
    measure = _derived_waiting(cast.org)
    body = read_api.get(f"/api/v1/measures/{measure.code}/").json()
    assert [(point["value"], point["suppressed"], point["shown_instead"]) for point in body["points"]] == [
        (7, False, ""),
        (None, True, "<5"),
        (0, False, ""),
        (12, False, ""),
    ]
    viewer = cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/measures/{measure.code}/")
    assert [point["value"] for point in body["points"]] == [
        point["y"] for point in viewer.context["chart"].payload["points"]
    ]
    # The latest value of a list entry is withheld the same way.
    DataPoint.objects.filter(measure=measure, period=datetime.date(2025, 4, 1)).update(value=2)
    listed = read_api.get("/api/v1/measures/?source=derived").json()["results"]
    latest = next(item["latest"] for item in listed if item["code"] == str(measure.code))
    assert latest == {"period": "2025-04-01", "value": None, "text": "<5", "suppressed": True, "provisional": False}


def test_lists_are_paginated_with_links(cast, read_api) -> None:
    for number in range(5):
        MeasureFactory(organisation=cast.org, title=f"Measure {number}")
    first = read_api.get("/api/v1/measures/?page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/measures/?page=2&page_size=2"
    last = read_api.get("/api/v1/measures/?page=3&page_size=2").json()
    assert [item["title"] for item in last["results"]] == ["Measure 4"] and last["next"] is None
    beyond = read_api.get("/api/v1/measures/?page=4&page_size=2")
    assert beyond.status_code == 404 and "there are 3 pages" in beyond.json()["detail"]
    assert read_api.get("/api/v1/measures/?page_size=500").status_code == 422


def test_an_etag_answers_304_until_the_data_change(cast, read_api) -> None:
    measure = MeasureFactory(organisation=cast.org)
    monthly_points(measure, [1, 2, 3])
    url = f"/api/v1/measures/{measure.code}/"
    first = read_api.get(url)
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache" and "Authorization" in first["Vary"]
    again = read_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    DataPoint.objects.filter(measure=measure).update(value=5)
    changed = read_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_lists_run_a_constant_number_of_queries(cast, read_api) -> None:
    def count_queries(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        # last_used_at is written at most once a minute: keep that write out of the count.
        ApiKey.objects.filter(pk=read_api.key.pk).update(last_used_at=timezone.now())
        with CaptureQueriesContext(connection) as captured:
            assert read_api.get(url).status_code == 200
        return len(captured)

    pathway_create_defaults(organisation=cast.org)  # made on first use otherwise
    for _ in range(2):
        monthly_points(MeasureFactory(organisation=cast.org), [1, 2, 3])
        AimFactory(organisation=cast.org)
    few = {url: count_queries(url) for url in ("/api/v1/measures/", "/api/v1/aims/", "/api/v1/timescales/")}
    for _ in range(6):
        monthly_points(MeasureFactory(organisation=cast.org), [1, 2, 3, 4])
        AimFactory(organisation=cast.org)
    many = {url: count_queries(url) for url in few}
    assert many == few


def test_aims_have_status_and_progress_score(cast, read_api) -> None:
    outcome = MeasureFactory(organisation=cast.org)
    aim = AimFactory(organisation=cast.org, status="active", progress_score="3.5", outcome_measure=outcome)
    AimFactory(organisation=cast.org, status="draft")
    listed = read_api.get("/api/v1/aims/?status=active").json()
    assert [item["code"] for item in listed["results"]] == [str(aim.code)]
    detail = read_api.get(f"/api/v1/aims/{aim.code}/").json()
    assert (detail["status"], detail["progress_score"], detail["progress_description"]) == (
        "active",
        "3.5",
        "Improvement",
    )
    assert detail["outcome_measure"] == str(outcome.code)


def test_timescales_and_the_pathway(cast, read_api) -> None:
    pathway = read_api.get("/api/v1/pathway/").json()
    assert [milestone["code"] for milestone in pathway["milestones"]][:2] == ["looked_after", "first_review"]
    assert {route["code"] for route in pathway["routes"]} == {"home", "kinship", "po", "poa", "adoption"}
    timescales = read_api.get("/api/v1/timescales/").json()["results"]
    first = timescales[0]
    assert (first["from_milestone"]["code"], first["to_milestone"]["code"], first["target_days"]) == (
        "looked_after",
        "permanence_rec",
        183,
    )
    assert {measure["derivation"] for measure in first["measures"]} >= {"median_days", "within_target", "waiting"}


def test_imports_with_their_status_for_write_keys(cast, write_api, read_api) -> None:
    older = MilestoneImportFactory(organisation=cast.org, status="committed")
    MilestoneImportFactory(organisation=cast.org, status="invalid")
    committed = write_api.get("/api/v1/imports/?status=committed").json()
    assert [item["code"] for item in committed["results"]] == [str(older.code)]
    assert committed["results"][0]["source"] == "upload"
    today = datetime.date.today().isoformat()
    assert write_api.get(f"/api/v1/imports/?created_from={today}").json()["count"] == 2
    assert write_api.get("/api/v1/imports/?created_to=2000-01-01").json()["count"] == 0
    detail = write_api.get(f"/api/v1/imports/{older.code}/").json()
    assert detail["status"] == "committed" and detail["problems"] == []
    # Child-level history is not for read keys (viewers cannot see it either).
    assert read_api.get("/api/v1/imports/").status_code == 403


def test_write_keys_read_no_measures(cast, write_api) -> None:
    assert write_api.get("/api/v1/measures/").status_code == 403
    assert write_api.get("/api/v1/pathway/").status_code == 200  # the codes it must send


def test_keys_of_one_scope_per_organisation(cast) -> None:
    read = make_key(cast.org, ApiKey.Scope.READ, name="board pack")
    assert read.get("/api/v1/aims/").status_code == 200
