"""aims.services called directly: the rules hold whatever view calls them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from aims import services
from aims.models import Aim, AimVersion
from pace_hub.roles import Role
from tests.aims.factories import AimFactory, AimMeasureFactory, DriverFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "population": "children accommodated",
    "improvement": "will have a permanence recommendation within 6 months",
    "baseline_value": 55.0,
    "baseline_label": "in 2025",
    "target_value": 90.0,
    "unit": "%",
    "by_date": datetime.date(2027, 3, 31),
}


def test_create_refuses_an_incomplete_active_aim_naming_each_part(cast) -> None:
    with pytest.raises(ValidationError) as error:
        services.aim_create(
            organisation=cast.org, data={"title": "x", "status": "active", **PARTS, "unit": "", "by_date": None}
        )
    assert set(error.value.error_dict) == {"unit", "by_date"}
    assert not Aim.objects.exists()


def test_create_refuses_dates_out_of_order_and_foreign_measures(cast) -> None:
    with pytest.raises(ValidationError, match="after its start date"):
        services.aim_create(
            organisation=cast.org, data={"title": "x", **PARTS, "start_date": datetime.date(2028, 1, 1)}
        )
    with pytest.raises(ValidationError, match="another organisation"):
        services.aim_create(
            organisation=cast.org,
            data={"title": "x", **PARTS},
            measures=[AimMeasureFactory(organisation=cast.other_org)],
        )
    assert not Aim.objects.exists()


def test_the_outcome_measure_is_not_also_a_process_measure(cast) -> None:
    outcome = AimMeasureFactory(organisation=cast.org)
    aim = services.aim_create(
        organisation=cast.org, data={"title": "x", **PARTS, "outcome_measure": outcome}, measures=[outcome]
    )
    assert aim.outcome_measure == outcome and aim.measures.count() == 0


def test_update_leaves_the_statement_of_an_active_aim_to_refresh(cast) -> None:
    aim = AimFactory(organisation=cast.org, status="active")
    with pytest.raises(ValidationError, match="Refresh the aim"):
        services.aim_update(aim=aim, data={"target_value": 95.0})
    draft = AimFactory(organisation=cast.org, status="draft")
    services.aim_update(aim=draft, data={"target_value": 95.0})
    draft.refresh_from_db()
    assert draft.statement.startswith("95% of children accommodated")


@pytest.mark.parametrize("order", ["status first", "status last"])
def test_an_active_aim_cannot_slip_back_to_draft_to_dodge_its_history(cast, order) -> None:
    aim = AimFactory(organisation=cast.org, status="active")
    data = {"status": "draft", "target_value": 99.0}
    if order == "status last":
        data = dict(reversed(list(data.items())))
    with pytest.raises(ValidationError):
        services.aim_update(aim=aim, data=data)
    aim.refresh_from_db()
    assert (aim.status, aim.target_value) == ("active", 90)
    assert not AimVersion.objects.filter(aim=aim).exists()


def test_each_refresh_keeps_the_version_before_it(cast) -> None:
    user = cast.members[Role.LEAD].user
    aim = services.aim_create(organisation=cast.org, data={"title": "Six months", "status": "active", **PARTS})
    first = aim.statement
    services.aim_refresh(aim=aim, parts={"target_value": 95.0}, reason="Raised", user=user)
    aim.refresh_from_db()
    second = aim.statement
    services.aim_refresh(
        aim=aim,
        parts={"by_date": datetime.date(2028, 3, 31)},
        reason="More time agreed",
        user=user,
        today=datetime.date(2026, 5, 1),
    )
    aim.refresh_from_db()
    assert aim.version == 3 and aim.last_reviewed == datetime.date(2026, 5, 1)
    assert aim.statement.endswith("by 31 March 2028, from 55% in 2025")
    versions = list(AimVersion.objects.filter(aim=aim).order_by("version"))
    assert [(v.version, v.statement, v.reason) for v in versions] == [
        (1, first, "Raised"),
        (2, second, "More time agreed"),
    ]
    assert versions[1].parts["target_value"] == 95.0 and versions[1].changed_by == user


def test_a_refresh_that_breaks_an_active_aim_keeps_nothing(cast) -> None:
    aim = services.aim_create(organisation=cast.org, data={"title": "x", "status": "active", **PARTS})
    with pytest.raises(ValidationError):
        services.aim_refresh(aim=aim, parts={"population": ""}, reason="Oops", user=None)
    with pytest.raises(ValidationError, match="Say why"):
        services.aim_refresh(aim=aim, parts={"target_value": 99.0}, reason="  ", user=None)
    aim.refresh_from_db()
    assert aim.version == 1 and not AimVersion.objects.exists()


def test_progress_score_must_be_on_the_scale(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    with pytest.raises(ValidationError, match="IHI progress scale"):
        services.aim_set_progress_score(aim=aim, score="6.0")
    services.aim_set_progress_score(aim=aim, score="4.5")
    aim.refresh_from_db()
    assert aim.progress_score == "4.5"


def test_driver_move_renumbers_siblings_only(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    primary = DriverFactory(aim=aim, organisation=cast.org, order=5)
    children = [DriverFactory(aim=aim, organisation=cast.org, parent=primary, order=o) for o in (7, 7, 9)]
    services.driver_move(driver=children[2], up=True)
    ordered = list(primary.children.order_by("order", "pk"))
    assert ordered == [children[0], children[2], children[1]]
    assert [d.order for d in ordered] == [0, 1, 2]
    primary.refresh_from_db()
    assert primary.order == 5
