"""Pathway settings: defaults, milestones (rename, disable, add, reorder) and timescales."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.milestones import pathway
from measures.models import Child, Measure, Milestone, Timescale
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date, stored_dates


def codes(org) -> list[str]:
    return list(Milestone.objects.filter(organisation=org).order_by("order").values_list("code", flat=True))


def test_defaults_are_the_nine_milestones_six_timescales_and_their_measures(cast):
    assert pathway.pathway_create_defaults(organisation=cast.org) is True
    assert codes(cast.org) == [
        "looked_after",
        "first_review",
        "legal_advice",
        "permanence_rec",
        "panel",
        "adm_decision",
        "hearing_advice",
        "court_lodged",
        "order_granted",
    ]
    targets = {
        (t.from_milestone.code, t.to_milestone.code): t.target_days
        for t in Timescale.objects.filter(organisation=cast.org).select_related("from_milestone", "to_milestone")
    }
    assert targets == {
        ("looked_after", "permanence_rec"): 183,
        ("permanence_rec", "panel"): 84,
        ("panel", "adm_decision"): 14,
        ("adm_decision", "court_lodged"): 84,
        ("court_lodged", "order_granted"): 183,
        ("looked_after", "order_granted"): 548,
    }
    assert (
        "6 months taken as 183 days"
        in Timescale.objects.get(organisation=cast.org, target_days=183, from_milestone__code="looked_after").basis
    )
    assert "reg 13" in Timescale.objects.get(organisation=cast.org, target_days=14).basis
    measures = Measure.objects.filter(organisation=cast.org, source="derived")
    assert measures.count() == 18
    median = measures.get(derivation="median_days", timescale__target_days=14)
    assert (median.chart, median.better, median.unit) == ("run", "down", "days")
    assert pathway.pathway_create_defaults(organisation=cast.org) is False
    assert Milestone.objects.filter(organisation=cast.org).count() == 9


def test_pages_give_an_organisation_made_elsewhere_its_defaults(cast):
    assert not Milestone.objects.filter(organisation=cast.org).exists()
    response = cast.client("viewer").get(reverse("pathway", args=[cast.org.slug]))
    assert response.status_code == 200
    assert "Looked after to permanence recommendation" in response.content.decode()
    assert "Edit" not in response.content.decode()  # viewers read only


def test_renaming_keeps_the_dates_and_disabling_archives_measures(cast):
    org = cast.org
    pathway.pathway_create_defaults(organisation=org)
    milestone = Milestone.objects.get(organisation=org, code="panel")
    set_date(ChildFactory(organisation=org), milestone, date(2024, 1, 1))
    response = cast.client("data").post(
        reverse("milestone_edit", args=[org.slug, "panel"]), {"name": "Adoption panel", "active": ""}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    kept = [code for _, code, _ in stored_dates(org)]
    assert (milestone.name, milestone.active, kept) == ("Adoption panel", False, ["panel"])
    archived = Measure.objects.filter(organisation=org, timescale__to_milestone=milestone)
    assert archived.count() == 3 and all(measure.archived for measure in archived)
    assert [spec.code for spec in pathway.milestone_specs(org)].count("panel") == 0


def test_renaming_to_a_name_in_use_is_refused(cast):
    pathway.pathway_create_defaults(organisation=cast.org)
    response = cast.client("admin").post(
        reverse("milestone_edit", args=[cast.org.slug, "panel"]), {"name": "First LAC review", "active": "on"}
    )
    assert "already used by another milestone" in response.content.decode()


def test_adding_and_reordering_milestones(cast):
    org = cast.org
    pathway.pathway_create_defaults(organisation=org)
    client = cast.client("data")
    after = Milestone.objects.get(organisation=org, code="legal_advice")
    response = client.post(
        reverse("milestone_create", args=[org.slug]),
        {"name": "Sibling assessment", "code": "sibling_assessment", "after": after.pk},
    )
    assert response.status_code == 302
    assert codes(org)[2:5] == ["legal_advice", "sibling_assessment", "permanence_rec"]
    client.post(reverse("milestone_move", args=[org.slug, "sibling_assessment"]), {"direction": "up"})
    assert codes(org)[1:4] == ["first_review", "sibling_assessment", "legal_advice"]
    response = client.post(reverse("milestone_move", args=[org.slug, "looked_after"]), {"direction": "up"}, follow=True)
    assert "cannot move up" in response.content.decode()
    response = client.post(
        reverse("milestone_create", args=[org.slug]), {"name": "Another", "code": "panel", "after": ""}
    )
    assert "already used by another milestone" in response.content.decode()


def test_editing_a_timescale_updates_target_and_validates(cast):
    org = cast.org
    pathway.pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="panel")
    client = cast.client("admin")
    edit = reverse("timescale_edit", args=[org.slug, timescale.code])
    data = {
        "from_milestone": timescale.from_milestone_id,
        "to_milestone": timescale.to_milestone_id,
        "target_days": 70,
        "name": "Recommendation to panel",
        "basis": "Local aim: 10 weeks",
        "active": "on",
    }
    assert client.post(edit, data).status_code == 302
    timescale.refresh_from_db()
    assert (timescale.target_days, timescale.basis) == (70, "Local aim: 10 weeks")
    assert (
        Measure.objects.get(timescale=timescale, derivation="median_days").title
        == "Recommendation to panel: median days"
    )

    backwards = {**data, "from_milestone": timescale.to_milestone_id, "to_milestone": timescale.from_milestone_id}
    assert "must come after" in client.post(edit, backwards).content.decode()
    same = {**data, "to_milestone": timescale.from_milestone_id}
    assert "Choose two different milestones" in client.post(edit, same).content.decode()
    zero = {**data, "target_days": 0}
    assert client.post(edit, zero).status_code == 200
    duplicate = {
        **data,
        "from_milestone": Milestone.objects.get(organisation=org, code="panel").pk,
        "to_milestone": Milestone.objects.get(organisation=org, code="adm_decision").pk,
    }
    assert "already a timescale" in client.post(edit, duplicate).content.decode()


def test_adding_a_timescale_creates_its_measures(cast):
    org = cast.org
    pathway.pathway_create_defaults(organisation=org)
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    timescale = pathway.timescale_save(
        organisation=org,
        timescale=None,
        from_milestone=milestones["first_review"],
        to_milestone=milestones["permanence_rec"],
        target_days=120,
        name="",
        basis="",
        active=True,
    )
    assert Measure.objects.filter(timescale=timescale).count() == 3
    with pytest.raises(ValidationError):
        pathway.milestone_move(milestone=milestones["order_granted"], direction="down")


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_data_leads_and_admins_change_the_pathway(cast, role):
    pathway.pathway_create_defaults(organisation=cast.org)
    client = cast.client(role)
    assert client.post(reverse("milestone_edit", args=[cast.org.slug, "panel"]), {"name": "x"}).status_code == 403
    assert client.get(reverse("timescale_create", args=[cast.org.slug])).status_code == 403
    assert Milestone.objects.get(organisation=cast.org, code="panel").name != "x"


def test_disabling_a_milestone_recomputes_its_run_charts(cast, django_capture_on_commit_callbacks):
    org = cast.org
    pathway.pathway_create_defaults(organisation=org)
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    child = ChildFactory(organisation=org)
    for code, day in (("looked_after", date(2024, 1, 1)), ("permanence_rec", date(2024, 4, 1))):
        set_date(child, milestones[code], day)
    median = Measure.objects.get(timescale__to_milestone__code="permanence_rec", derivation="median_days")
    with django_capture_on_commit_callbacks(execute=True):
        pathway.milestone_update(milestone=milestones["first_review"], name="First LAC review", active=True)
    assert median.points.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        pathway.milestone_update(milestone=milestones["permanence_rec"], name="Permanence rec", active=False)
    assert median.points.count() == 0


def test_data_leads_and_admins_set_the_child_reference_format(cast):
    ChildFactory(organisation=cast.org, reference="C-10001")
    ChildFactory(organisation=cast.org, reference="LEGACY-7")
    url = reverse("reference_format", args=[cast.org.slug])
    response = cast.client("data").post(url, {"child_reference_pattern": r" ^C-\d{5}$ "}, follow=True)
    cast.org.refresh_from_db()
    assert cast.org.child_reference_pattern == r"^C-\d{5}$"
    page = response.content.decode()
    assert "1 references already held do not have this format" in page
    assert r"<code>^C-\d{5}$</code>" in page  # the pathway page says what uploads check
    assert cast.client("admin").post(url, {"child_reference_pattern": ""}).status_code == 302
    cast.org.refresh_from_db()
    assert cast.org.child_reference_pattern == ""
    for role in ("lead", "member", "viewer"):
        assert cast.client(role).post(url, {"child_reference_pattern": "x"}).status_code == 403


@pytest.mark.parametrize(("pattern", "reason"), [("C-[", "not a valid pattern"), ("(a+)+", "very slow")])
def test_a_reference_format_that_is_broken_or_slow_is_explained_and_not_saved(cast, pattern, reason):
    response = cast.client("data").post(
        reverse("reference_format", args=[cast.org.slug]), {"child_reference_pattern": pattern}
    )
    assert response.status_code == 200 and reason in response.content.decode()
    cast.org.refresh_from_db()
    assert cast.org.child_reference_pattern == ""


def test_deleting_a_milestone_deletes_its_dates_so_a_new_one_with_its_code_starts_empty(cast):
    org = cast.org
    pathway.pathway_create_defaults(organisation=org)
    child = ChildFactory(organisation=org)
    other = ChildFactory(organisation=cast.other_org)
    pathway.pathway_create_defaults(organisation=cast.other_org)
    set_date(child, "panel", date(2024, 1, 1))
    set_date(child, "looked_after", date(2023, 6, 1))
    set_date(other, "panel", date(2024, 2, 2))
    Milestone.objects.get(organisation=org, code="panel").delete()
    assert [code for _, code, _ in stored_dates(org)] == ["looked_after"]
    assert [code for _, code, _ in stored_dates(cast.other_org)] == ["panel"]  # another organisation's stay
    again = pathway.milestone_create(organisation=org, code="panel", name="Panel again", after=None)
    assert not Child.objects.filter(organisation=org, dates__has_key=again.code).exists()


def test_a_milestones_code_cannot_be_changed_in_the_admin(cast, rf):
    from django.contrib import admin

    pathway.pathway_create_defaults(organisation=cast.org)
    milestone = Milestone.objects.get(organisation=cast.org, code="panel")
    model_admin = admin.site._registry[Milestone]
    request = rf.get("/")
    assert "code" in model_admin.get_readonly_fields(request, milestone)
    assert "code" not in model_admin.get_readonly_fields(request, None)  # chosen when the milestone is made
