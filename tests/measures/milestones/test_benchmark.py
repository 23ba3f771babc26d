"""Benchmarking across Scotland (DESIGN.md §4d): opting in and being named, publishing
aggregates (never a count of 1–4, never a child row or free text), withdrawing, the national
funnel plots, the pages per role — and that nothing else crosses organisations."""

import ast
import datetime
import uuid
from pathlib import Path

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from measures.milestones import benchmark
from measures.milestones.pathway import pathway_create_defaults
from measures.milestones.survival import TimescaleDurations
from measures.models import BenchmarkAggregate, BenchmarkSharing, Milestone, Timescale
from pace_hub.roles import Role
from tests.factories import OrganisationFactory
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)
ROOT = Path(__file__).resolve().parents[3]


def cohort(days: list[float], reached: list[bool]) -> TimescaleDurations:
    starts = np.array(["2024-06-01"] * len(days), dtype="datetime64[D]")
    return TimescaleDurations(starts, np.array(days, dtype=float), np.array(reached, dtype=bool))


def test_a_cohort_counts_the_children_whose_outcome_is_known() -> None:
    # 6 within 183 days, 5 after it, 5 waiting past it, 2 still waiting within it (not counted).
    days = [50, 60, 70, 80, 90, 100] + [200, 210, 220, 230, 240] + [300, 310, 320, 330, 340] + [20, 30]
    reached = [True] * 11 + [False] * 7

    children, within, median = benchmark.cohort_aggregate(cohort(days, reached), 183)

    assert (children, within) == (16, 6)
    # Kaplan–Meier: 2 censored early, then 16 at risk; S ≤ 0.5 after the 8th event, at 210 days.
    assert median == 210.0


@pytest.mark.parametrize(
    ("days", "reached"),
    [
        ([10, 20, 30, 40], [True] * 4),  # 4 children
        ([10, 20, 30, 200, 210, 220, 230, 240], [True] * 8),  # 3 within target
        ([10, 20, 30, 40, 50, 60, 200], [True] * 7),  # 1 not within target
    ],
)
def test_a_cohort_with_a_group_of_one_to_four_is_withheld(days: list, reached: list) -> None:
    assert benchmark.cohort_aggregate(cohort(days, reached), 183) == (None, None, None)


def test_none_or_all_within_target_can_be_published() -> None:
    assert benchmark.cohort_aggregate(cohort([200, 210, 220, 230, 240], [True] * 5), 183)[:2] == (5, 0)
    assert benchmark.cohort_aggregate(cohort([10, 20, 30, 40, 50], [True] * 5), 183)[:2] == (5, 5)


def test_the_table_itself_refuses_a_small_count() -> None:
    organisation = OrganisationFactory()
    fields = {
        "organisation": organisation,
        "from_code": "looked_after",
        "to_code": "permanence_rec",
        "target_days": 183,
        "period_start": datetime.date(2024, 4, 1),
        "period_label": "2024/25",
        "published_at": timezone.now(),
    }
    for children, within in ((4, 0), (20, 3), (20, 18)):
        with pytest.raises(IntegrityError), transaction.atomic():
            BenchmarkAggregate.objects.create(**fields, children=children, within_target=within)
    BenchmarkAggregate.objects.create(**fields, children=20, within_target=15)


def children(organisation, within: int, late: int, *, year: int = 2024, reference: str = "C") -> None:
    """Children who became looked after in the financial year from April `year`: `within` of
    them reached a permanence recommendation in 100 days, `late` of them in 250."""
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=organisation)}
    for number, days in enumerate([100] * within + [250] * late):
        child = ChildFactory(organisation=organisation, reference=f"{reference}-{year}-{number}")
        start = datetime.date(year, 5, 1) + datetime.timedelta(days=number)
        set_date(child, milestones["looked_after"], start)
        set_date(
            child,
            milestones["permanence_rec"],
            start + datetime.timedelta(days=days),
        )


def sharing(organisation, *, named: bool, letter_key: str | None = None) -> None:
    extra = {"letter_key": uuid.UUID(letter_key)} if letter_key else {}
    BenchmarkSharing.objects.create(organisation=organisation, sharing=True, named=named, **extra)


@pytest.fixture
def authorities(cast):
    """Aberdeen City (ours), Renfrewshire (named) and Fife (unnamed), all sharing."""
    fife = OrganisationFactory(name="Fife", slug="fife")
    for organisation in (cast.org, cast.other_org, fife):
        pathway_create_defaults(organisation=organisation)
    children(cast.org, 30, 10)
    children(cast.other_org, 40, 40, reference="R")
    children(fife, 10, 30, reference="F")
    children(fife, 5, 2, year=2025, reference="F")  # 2025/26: not complete yet
    # Letters follow each organisation's random key: here Aberdeen City's comes first.
    sharing(cast.org, named=False, letter_key="00000000-0000-4000-8000-000000000001")
    sharing(cast.other_org, named=True)
    sharing(fife, named=False, letter_key="00000000-0000-4000-8000-000000000002")
    for organisation in (cast.org, cast.other_org, fife):
        benchmark.benchmark_publish(organisation=organisation, today=TODAY)
    return fife


def test_publishing_writes_complete_years_of_the_default_timescales_only(cast, authorities) -> None:
    rows = BenchmarkAggregate.objects.filter(organisation=authorities)

    # 2025/26 is not complete; nobody reached panel, so all are past its 84 days: known outcomes.
    assert {(row.from_code, row.to_code, row.period_label) for row in rows} == {
        ("looked_after", "permanence_rec", "2024/25"),
        ("permanence_rec", "panel", "2024/25"),
    }
    row = rows.get(to_code="permanence_rec")
    assert (row.children, row.within_target, row.target_days, row.withheld) == (40, 10, 183, False)
    assert row.median_days == 250.0
    choice = BenchmarkSharing.objects.get(organisation=authorities)
    assert choice.published_rows == 2 and choice.published_at is not None


def test_timescales_between_an_organisations_own_milestones_are_not_shared(cast, authorities) -> None:
    own = Milestone.objects.create(
        organisation=cast.org, code="sibling_assessment", name="Sibling assessment", order=99
    )
    Timescale.objects.create(
        organisation=cast.org,
        from_milestone=Milestone.objects.get(organisation=cast.org, code="looked_after"),
        to_milestone=own,
        target_days=90,
    )

    benchmark.benchmark_publish(organisation=cast.org, today=TODAY)

    assert not BenchmarkAggregate.objects.filter(to_code="sibling_assessment").exists()


def test_national_view_labels_by_name_letter_and_our_own_name(cast, authorities) -> None:
    view = benchmark.national_view(cast.org, timescale_key="looked_after.permanence_rec.183", period="2024/25")

    labels = {point.label: point for point in view.points}
    # Unnamed authorities are lettered A, B, … by their keys: Aberdeen City is A (but sees its
    # own name), Fife is B.
    assert set(labels) == {"Aberdeen City", "Renfrewshire", "Authority B"}
    assert labels["Aberdeen City"].own and view.points[0].own
    assert view.result.centre == pytest.approx((30 + 40 + 10) / (40 + 80 + 40))
    assert view.timescale.label == (
        "Child became looked after and accommodated → LAC review recommends permanence, within 183 days"
    )
    assert [label for _, label in view.periods] == ["2024/25"]
    assert view.sentences[0] == "Across the 3 authorities shown, 50% of children reached it within 183 days."
    # Renfrewshire sees us as a letter, and itself by name.
    theirs = benchmark.national_view(cast.other_org)
    assert {point.label for point in theirs.points} == {"Renfrewshire", "Authority A", "Authority B"}


def test_letters_stay_the_same_whoever_looks(cast, authorities) -> None:
    def seen_by(organisation) -> set[tuple[str, int]]:
        return {(point.label, point.within_target) for point in benchmark.national_view(organisation).points}

    # Aberdeen City had 30 within target, Renfrewshire 40, Fife 10.
    assert seen_by(cast.org) == {("Aberdeen City", 30), ("Renfrewshire", 40), ("Authority B", 10)}
    assert seen_by(cast.other_org) == {("Authority A", 30), ("Renfrewshire", 40), ("Authority B", 10)}
    assert seen_by(authorities) == {("Authority A", 30), ("Renfrewshire", 40), ("Fife", 10)}


def test_outliers_and_overdispersion(cast, authorities) -> None:
    plain = benchmark.national_view(cast.org)
    adjusted = benchmark.national_view(cast.org, overdispersion=True)

    fife = next(point for point in plain.points if not point.own and not point.named)
    assert fife.outside998  # 25% of 40 against 50%
    assert adjusted.result.phi > 1 and adjusted.result.inflation > 1
    assert any(sentence.startswith("Allowing for overdispersion (φ = ") for sentence in adjusted.sentences)
    assert len(adjusted.result.outside998) <= len(plain.result.outside998)


def test_withheld_cohorts_are_counted_but_never_plotted(cast, authorities) -> None:
    tiny = OrganisationFactory(name="Orkney Islands", slug="orkney")
    pathway_create_defaults(organisation=tiny)
    children(tiny, 3, 4, reference="O")
    sharing(tiny, named=True)
    benchmark.benchmark_publish(organisation=tiny, today=TODAY)

    row = BenchmarkAggregate.objects.get(organisation=tiny, to_code="permanence_rec")
    assert row.withheld and row.children is None and row.within_target is None and row.median_days is None
    view = benchmark.national_view(cast.org)
    assert "Orkney Islands" not in {point.label for point in view.points}
    assert view.withheld == 1
    assert view.sentences[-1] == (
        "1 authority shared figures for this year that are not shown: a count among them is of 1 to 4 children."
    )


def test_withdrawing_removes_the_aggregates_at_once(cast, authorities, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        benchmark.benchmark_sharing_update(organisation=cast.other_org, sharing=False, named=True, user=None)

    assert callbacks == []
    assert not BenchmarkAggregate.objects.filter(organisation=cast.other_org).exists()
    choice = BenchmarkSharing.objects.get(organisation=cast.other_org)
    assert (choice.sharing, choice.named, choice.published_rows) == (False, False, 0)
    assert "Renfrewshire" not in {point.label for point in benchmark.national_view(cast.org).points}


def test_opting_in_publishes_on_the_worker(cast, django_capture_on_commit_callbacks) -> None:
    pathway_create_defaults(organisation=cast.org)
    children(cast.org, 30, 10)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        benchmark.benchmark_sharing_update(organisation=cast.org, sharing=True, named=False, user=None)

    assert len(callbacks) == 1
    assert BenchmarkAggregate.objects.filter(organisation=cast.org, period_label="2024/25").exists()


def test_a_recompute_republishes_only_for_those_who_share(cast, django_capture_on_commit_callbacks) -> None:
    from measures.milestones.derived import derived_measures_recompute

    pathway_create_defaults(organisation=cast.org)
    with django_capture_on_commit_callbacks() as quiet:
        derived_measures_recompute(organisation=cast.org, today=TODAY)
    sharing(cast.org, named=False)
    with django_capture_on_commit_callbacks() as loud:
        derived_measures_recompute(organisation=cast.org, today=TODAY)

    assert len(loud) == len(quiet) + 1


# Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_member_of_a_sharing_organisation_sees_the_national_page(cast, authorities, role) -> None:
    response = cast.client(role).get(reverse("benchmark", args=[cast.org.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="funnel-figure"' in page
    assert "Aberdeen City (us)" in page and "Renfrewshire" in page and "Fife" not in page
    # Aggregates only: no child reference of any organisation.
    assert "C-2024-0" not in page and "R-2024-0" not in page and "F-2024-0" not in page
    assert ("Sharing settings" in page) == (role == Role.ADMIN)


def test_an_organisation_that_does_not_share_sees_nobody(cast, authorities) -> None:
    BenchmarkSharing.objects.filter(organisation=cast.org).update(sharing=False)

    page = cast.client(Role.LEAD).get(reverse("benchmark", args=[cast.org.slug])).content.decode()

    assert "does not share its aggregates, so this page is closed to it" in page
    assert "Renfrewshire" not in page and "funnel-figure" not in page


def test_an_admin_opts_in_and_chooses_to_be_named(cast, django_capture_on_commit_callbacks) -> None:
    client = cast.client(Role.ADMIN)
    url = reverse("benchmark_sharing", args=[cast.org.slug])
    assert client.get(url).status_code == 200

    refused = client.post(url, {"named": "on"})
    assert refused.status_code == 200
    assert "Only an authority that shares can be named" in refused.content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"sharing": "on", "named": "on"})

    assert response.status_code == 302 and len(callbacks) == 1
    choice = BenchmarkSharing.objects.get(organisation=cast.org)
    assert choice.sharing and choice.named and choice.changed_by == cast.members[Role.ADMIN].user


def test_publish_now_needs_sharing(cast, django_capture_on_commit_callbacks) -> None:
    client = cast.client(Role.ADMIN)
    url = reverse("benchmark_publish", args=[cast.org.slug])
    with django_capture_on_commit_callbacks() as none:
        client.post(url)
    sharing(cast.org, named=False)
    with django_capture_on_commit_callbacks() as one:
        client.post(url)

    assert (len(none), len(one)) == (0, 1)


@pytest.mark.parametrize("role", [Role.LEAD, Role.DATA, Role.MEMBER, Role.VIEWER])
def test_only_admins_change_sharing(cast, role) -> None:
    client = cast.client(role)
    assert client.get(reverse("benchmark_sharing", args=[cast.org.slug])).status_code == 403
    assert client.post(reverse("benchmark_publish", args=[cast.org.slug])).status_code == 403


# Nothing else crosses organisations -------------------------------------------------------------


def _modules_naming(name: str) -> set[str]:
    found = set()
    for app in ("pace_hub", "measures", "aims", "pdsa", "governance"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                named = getattr(node, "id", None) or getattr(node, "name", None) or getattr(node, "attr", None)
                if isinstance(node, ast.Name | ast.alias | ast.ClassDef | ast.Attribute) and named == name:
                    found.add(str(path.relative_to(ROOT)))
    return found


def test_the_national_table_is_read_in_one_module_only() -> None:
    # Besides its model, only the benchmark module reads it, and the Django admin (read-only, for
    # the platform's operators, never a council's page).
    assert _modules_naming("BenchmarkAggregate") == {
        "measures/admin.py",
        "measures/models/__init__.py",
        "measures/models/benchmark.py",
        "measures/milestones/benchmark.py",
    }


def test_every_other_page_shows_nothing_of_the_other_authorities(cast, authorities) -> None:
    client = cast.client(Role.ADMIN)
    for name in ("milestone_data", "milestone_survival", "milestone_waiting", "milestone_completeness", "measures"):
        page = client.get(reverse(name, args=[cast.org.slug])).content.decode()
        assert "Renfrewshire" not in page and "R-2024-0" not in page and "F-2024-0" not in page, name
