"""Opening child-level rows is recorded (who, what, when) and the log is for admins only."""

import datetime

from django.utils import timezone

from measures.milestones import derived
from measures.milestones.pathway import pathway_ensure_defaults
from measures.models import Milestone
from pace_hub.models import ChildDataAccess
from pace_hub.roles import Role
from tests.measures.factories import ChildFactory, MilestoneImportFactory
from tests.measures.milestones.dates import set_date


def _waiting_child(org) -> None:
    pathway_ensure_defaults(org)
    child = ChildFactory(organisation=org, reference="C-40001")
    start = Milestone.objects.get(organisation=org, code="looked_after")
    set_date(child, start, timezone.localdate() - datetime.timedelta(days=400))
    # What the worker does after every change to the dates: the kept counts and rows.
    derived.pathway_summary_refresh(organisation=org)


def test_opening_child_level_rows_is_recorded_with_who_and_what(cast) -> None:
    _waiting_child(cast.org)
    upload = MilestoneImportFactory(organisation=cast.org, original_name="march.csv")
    data = cast.client(Role.DATA)
    base = f"/o/{cast.org.slug}/measures/data/"
    assert data.get(base + "waiting/").status_code == 200
    assert data.get(base + "completeness/").status_code == 200
    assert data.get(base + f"imports/{upload.code}/").status_code == 200
    assert data.get(base + f"imports/{upload.code}/annotated.xlsx").status_code == 200
    log = list(ChildDataAccess.objects.filter(organisation=cast.org).order_by("pk"))
    person = cast.members[Role.DATA].user
    assert [(row.what, row.user_id, row.user_name) for row in log] == [
        (ChildDataAccess.What.WAITING, person.pk, person.get_full_name()),
        (ChildDataAccess.What.IMPORT, person.pk, person.get_full_name()),
        (ChildDataAccess.What.ANNOTATED, person.pk, person.get_full_name()),
    ]  # completeness had no rows to show, so nothing was opened
    assert "march.csv" in log[1].detail and "page 1 of 1" in log[0].detail


def test_viewers_open_no_child_rows_and_leave_no_access_record(cast) -> None:
    _waiting_child(cast.org)
    viewer = cast.client(Role.VIEWER)
    page = viewer.get(f"/o/{cast.org.slug}/measures/data/waiting/").content.decode()
    assert "C-40001" not in page
    viewer.get(f"/o/{cast.org.slug}/measures/data/completeness/")
    assert not ChildDataAccess.objects.exists()


def test_the_access_log_is_shown_to_admins_only_and_keeps_the_name_of_a_deleted_account(cast) -> None:
    _waiting_child(cast.org)
    cast.client(Role.LEAD).get(f"/o/{cast.org.slug}/measures/data/waiting/")
    lead = cast.members[Role.LEAD].user
    name = lead.get_full_name()
    lead.delete()
    url = f"/o/{cast.org.slug}/history/child-data/"
    page = cast.client(Role.ADMIN).get(url).content.decode()
    assert name in page and "Children waiting past target" in page
    for role in (Role.DATA, Role.MEMBER, Role.VIEWER):  # (the lead's account is gone)
        assert cast.client(role).get(url).status_code == 403
    assert cast.client("outsider").get(url).status_code == 404


def test_the_access_log_of_one_organisation_is_not_shown_in_another(cast) -> None:
    _waiting_child(cast.other_org)
    cast.client("outsider").get(f"/o/{cast.other_org.slug}/measures/data/waiting/")
    assert ChildDataAccess.objects.filter(organisation=cast.other_org).count() == 1
    page = cast.client(Role.ADMIN).get(f"/o/{cast.org.slug}/history/child-data/").content.decode()
    assert "Nobody has opened child-level rows yet" in page
