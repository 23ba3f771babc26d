"""The worker warms the chart cache after the derived recompute (measures.tasks.charts_warm_task),
so that the first view of the measures list after an import commit or roll-back is a cache hit,
for people who see child-level data and for those who do not (the viewer results)."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from measures import selectors
from measures.chart_cache import chart_key
from measures.milestones.derived import derived_measures_recompute
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Measure, Milestone
from measures.tasks import charts_warm_task
from pace_hub.roles import Role
from tests.measures.factories import ChildFactory, MeasureFactory, monthly_points
from tests.measures.milestones.dates import set_date

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 9, 30)


def _children(org, count: int = 9) -> tuple[Milestone, Milestone]:
    pathway_create_defaults(organisation=org)
    looked_after = Milestone.objects.get(organisation=org, code="looked_after")
    recommended = Milestone.objects.get(organisation=org, code="permanence_rec")
    for index in range(count):
        child = ChildFactory(organisation=org)
        set_date(child, looked_after, datetime.date(2024, 1 + index % 6, 1 + index))
        if index % 3 == 0:
            set_date(child, recommended, datetime.date(2024, 7, 1 + index))
    return looked_after, recommended


def _recompute(org, django_capture_on_commit_callbacks) -> list:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        derived_measures_recompute(organisation=org, today=TODAY)
    return callbacks


@pytest.fixture
def warmed(cast, django_capture_on_commit_callbacks):
    hand = MeasureFactory(organisation=cast.org, chart=Measure.Chart.XMR)
    monthly_points(hand, [40, 42, 38, 41, 39, 43, 40, 42, 38, 41, 39, 42, 30, 28])
    _children(cast.org)
    with mock.patch("measures.tasks.charts_warm", wraps=selectors.charts_warm) as warm:
        _recompute(cast.org, django_capture_on_commit_callbacks)
    assert warm.call_count == 1, "the recompute enqueues one warm, run after commit"
    return cast


@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER, Role.MEMBER])
def test_the_first_list_view_after_a_recompute_computes_no_chart(warmed, role) -> None:
    derived = Measure.objects.filter(organisation=warmed.org, source=Measure.Source.DERIVED)
    assert derived.filter(points__isnull=False).exists(), "the recompute wrote points"
    with (
        mock.patch.object(selectors, "_full_entries", wraps=selectors._full_entries) as compute,
        mock.patch.object(selectors, "mask_payload", wraps=selectors.mask_payload) as mask,
        mock.patch.object(selectors, "sparkline_payload", wraps=selectors.sparkline_payload) as spark,
    ):
        response = warmed.client(role).get(reverse("measures", args=[warmed.org.slug]))
    assert response.status_code == 200
    assert compute.call_count == 0
    assert mask.call_count == 0
    assert spark.call_count == 0, "the rows come from the warmed list entries"
    drawn = derived.filter(points__isnull=False).distinct().count()
    assert response.content.decode().count('class="sparkline"') >= drawn


def test_the_warmed_entries_equal_a_cold_read(warmed) -> None:
    from django.core.cache import cache

    measures = list(Measure.objects.for_organisation(warmed.org).active())
    assert any(measure.source == Measure.Source.DERIVED for measure in measures)
    for measure in measures:
        full = cache.get(chart_key(measure))
        assert full is not None
        assert full == selectors._full_entries([measure], None)[measure.pk]
        viewer = cache.get(chart_key(measure, hide_small_counts=True))
        assert viewer == {**full, "payload": selectors.mask_payload(measure, full["payload"])}
        for hide in (False, True):
            row = cache.get(chart_key(measure, hide_small_counts=hide, part="list"))
            assert row == selectors._list_entries([measure], hide)[measure.pk]
    waiting = [m for m in measures if m.derivation == Measure.Derivation.WAITING]
    # The viewer result differs where small counts are withheld: they are not one entry.
    assert any(chart_key(m) != chart_key(m, hide_small_counts=True) for m in waiting)


def test_a_second_warm_works_nothing_out_and_a_later_write_only_its_measures(
    warmed, django_capture_on_commit_callbacks
) -> None:
    assert charts_warm_task(warmed.org.pk) == 0
    # A child reaches the recommendation: only the measures whose points changed are worked out again.
    looked_after = Milestone.objects.get(organisation=warmed.org, code="looked_after")
    recommended = Milestone.objects.get(organisation=warmed.org, code="permanence_rec")
    child = ChildFactory(organisation=warmed.org)
    set_date(child, looked_after, datetime.date(2024, 2, 2))
    set_date(child, recommended, datetime.date(2024, 4, 1))
    before = dict(Measure.objects.filter(organisation=warmed.org).values_list("pk", "data_version"))
    with mock.patch.object(selectors, "_full_entries", wraps=selectors._full_entries) as compute:
        _recompute(warmed.org, django_capture_on_commit_callbacks)
    after = dict(Measure.objects.filter(organisation=warmed.org).values_list("pk", "data_version"))
    changed = {pk for pk in before if before[pk] != after[pk]}
    assert changed
    assert compute.call_count == 1
    assert {measure.pk for measure in compute.call_args.args[0]} == changed
    assert charts_warm_task(warmed.org.pk) == 0


def test_the_warm_task_for_a_deleted_organisation_does_nothing() -> None:
    assert charts_warm_task(10**9) == 0
