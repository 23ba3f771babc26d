"""The completeness list a page at a time, and the whole waiting and completeness lists as CSV
for people who may see child-level rows (recorded, formula-safe)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.milestones import derived
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, Timescale
from pace_hub.models import ChildDataAccess
from tests.measures.factories import ChildFactory


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _with_gaps(org, count: int) -> None:
    """Children with a permanence recommendation and no looked-after date: one problem each;
    then the summary and its problem rows worked out, as the worker does after an upload."""
    children = ChildFactory.create_batch(count, organisation=org)
    for child in children:
        child.dates = {"permanence_rec": "2024-05-01"}
    Child.objects.bulk_update(children, ["dates"])
    derived.pathway_summary_refresh(organisation=org)


def test_the_completeness_list_is_paginated_and_the_csv_has_every_problem(cast, org):
    _with_gaps(org, 150)
    client = cast.client("data")
    url = reverse("milestone_completeness", args=[org.slug])
    first = client.get(url).content.decode()
    assert first.count('<th scope="row" class="text-nowrap">') == 100 and "1 to 100 of 150" in first
    assert "?page=2" in first and "<strong>150</strong> missing earlier milestones" in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count('<th scope="row" class="text-nowrap">') == 50
    rows = _rows(client.get(reverse("milestone_completeness_csv", args=[org.slug])))
    assert rows[0] == ["child_ref", "kind", "problem"] and len(rows) == 151
    assert {row[1] for row in rows[1:]} == {"Missing earlier milestone"}
    details = list(
        ChildDataAccess.objects.filter(organisation=org, what="completeness").values_list("detail", flat=True)
    )
    assert details == ["CSV of all 150", "page 2 of 2", "page 1 of 2"]


def test_the_waiting_csv_has_the_whole_list_longest_first(cast, org):
    today = timezone.localdate()
    children = ChildFactory.create_batch(130, organisation=org)
    for index, child in enumerate(children):
        child.dates = {"looked_after": (today - timedelta(days=200 + index)).isoformat()}
    Child.objects.bulk_update(children, ["dates"])
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    url = reverse("milestone_waiting_csv", args=[org.slug]) + f"?timescale={timescale.code}"
    rows = _rows(cast.client("data").get(url))
    assert rows[0] == ["child_ref", "route", "looked_after", "days_waiting", "days_over_target"]
    assert len(rows) == 131 and rows[1][3] == "329" and rows[-1][3] == "200"
    assert rows[1][2] == (today - timedelta(days=329)).isoformat()
    access = ChildDataAccess.objects.get(organisation=org, what="waiting")
    assert access.detail == f"{timescale}: CSV of all 130"
    assert (
        cast.client("data").get(reverse("milestone_waiting_csv", args=[org.slug]) + "?timescale=nope").status_code
        == 404
    )


def test_exported_cells_cannot_run_as_formulas(cast, org):
    child = ChildFactory(organisation=org, reference="=HYPERLINK(1)")
    child.dates = {"permanence_rec": "2024-05-01"}
    child.save()
    derived.pathway_summary_refresh(organisation=org)
    rows = _rows(cast.client("data").get(reverse("milestone_completeness_csv", args=[org.slug])))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_people_who_may_see_child_rows_export_them(cast, org, role):
    _with_gaps(org, 6)
    for name in ("milestone_completeness_csv", "milestone_waiting_csv"):
        response = cast.client(role).get(reverse(name, args=[org.slug]))
        assert response.status_code == (200 if role == "lead" else 403), (name, role)


def test_a_page_of_the_completeness_list_costs_the_same_queries_whatever_the_number_of_children(
    cast, org, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client("data")
    url = reverse("milestone_completeness", args=[org.slug])
    _with_gaps(org, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _with_gaps(org, 300)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
