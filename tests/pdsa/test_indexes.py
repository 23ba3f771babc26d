"""The Testing section's index pages: every PDSA cycle (filtered by status, lead and locality,
paginated, constant queries) and every implementation (filtered by stage), linked from the
Testing navigation, read by every role and only ever the organisation's own."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pace_hub.roles import Role
from pdsa.models import PDSACycle, ReadinessItem
from pdsa.selectors.indexes import implementation_stage_counts, implementations_for_index
from pdsa.views.indexes import CYCLES_PER_PAGE
from tests.pdsa.factories import ApprovalFactory, ChangeIdeaFactory, ImplementationFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db

S = PDSACycle.Status


def _cycles_url(cast) -> str:
    return f"/o/{cast.org.slug}/testing/cycles/"


def test_every_cycle_of_the_organisation_is_listed_and_no_other(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, title="Book legal advice at the review")
    PDSACycleFactory(change_idea=idea, number=1, setting="North locality")
    PDSACycleFactory(change_idea=idea, number=2, setting="South locality")
    PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.other_org, title="Their idea"), number=1)
    page = cast.client(Role.VIEWER).get(_cycles_url(cast)).content.decode()
    assert "Book legal advice at the review — cycle 1" in page and "— cycle 2" in page
    assert "Their idea" not in page
    assert "2 PDSA cycles." in page


def test_cycles_filter_by_status_lead_and_locality(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, title="Idea")
    lead = cast.members[Role.LEAD]
    PDSACycleFactory(change_idea=idea, number=1, setting="North locality", status=S.COMPLETE, lead=lead)
    PDSACycleFactory(change_idea=idea, number=2, setting="South locality", status=S.DO, lead=lead)
    PDSACycleFactory(change_idea=idea, number=3, setting="South locality", status=S.DO)
    client = cast.client(Role.MEMBER)

    def shown(query: str) -> set[int]:
        response = client.get(_cycles_url(cast) + query)
        assert response.status_code == 200
        return {c.number for c in response.context["page"].object_list}

    assert shown("") == {1, 2, 3}
    assert shown("?status=do") == {2, 3}
    assert shown(f"?lead={lead.code}") == {1, 2}
    assert shown("?locality=South+locality") == {2, 3}
    assert shown(f"?status=do&lead={lead.code}&locality=South+locality") == {2}
    page = client.get(_cycles_url(cast) + "?status=do").content.decode()
    assert "2 PDSA cycles match the filters." in page and "Show all" in page
    # The locality filter offers the settings the cycles name.
    assert '<option value="North locality">North locality</option>' in page


def test_a_filter_from_elsewhere_is_refused_with_a_message(cast) -> None:
    PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org), number=1)
    outsider = cast.outsider
    response = cast.client(Role.MEMBER).get(_cycles_url(cast) + f"?lead={outsider.code}&status=nonsense")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert outsider.display_name not in page


def test_cycles_are_paginated_in_a_constant_number_of_queries(cast, django_assert_max_num_queries) -> None:
    client = cast.client(Role.MEMBER)
    idea = ChangeIdeaFactory(organisation=cast.org)
    PDSACycleFactory(change_idea=idea, number=1, lead=cast.members[Role.LEAD])
    client.get(_cycles_url(cast))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_cycles_url(cast)).status_code == 200
    for n in range(2, CYCLES_PER_PAGE + 6):
        other = ChangeIdeaFactory(organisation=cast.org) if n % 3 == 0 else idea
        PDSACycleFactory(
            change_idea=other,
            number=n,
            lead=cast.members[Role.MEMBER],
            setting=f"Locality {n}",
            start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        )
    with django_assert_max_num_queries(len(few)):
        first = client.get(_cycles_url(cast))
    assert len(first.context["page"].object_list) == CYCLES_PER_PAGE
    body = first.content.decode()
    assert "Page 1 of 2" in body and "page=2" in body
    second = client.get(_cycles_url(cast) + "?status=plan&page=2")
    assert "status=plan&amp;page=1" in second.content.decode()
    assert len(second.context["page"].object_list) == 5


def test_testing_navigation_links_the_index_pages(cast) -> None:
    slug = cast.org.slug
    for role in (Role.VIEWER, Role.MEMBER, Role.LEAD):
        page = cast.client(role).get(f"/o/{slug}/testing/").content.decode()
        assert f'href="/o/{slug}/testing/cycles/"' in page
        assert f'href="/o/{slug}/testing/implementations/"' in page
        assert (f'href="/o/{slug}/testing/inbox/"' in page) == (role == Role.LEAD)
    # Every page of the section carries it, with itself marked as the current one.
    client = cast.client(Role.LEAD)
    for path in ("", "cycles/", "implementations/", "listening/", "library/", "inbox/"):
        page = client.get(f"/o/{slug}/testing/{path}").content.decode()
        assert '<nav aria-label="Testing"' in page, path
        assert f'<a class="nav-link active" href="/o/{slug}/testing/{path}" aria-current="page">' in page, path


def _implementation(org, title: str, **dates):
    return ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=org, title=title), **dates)


def test_implementations_by_stage_with_approvals_and_readiness(cast) -> None:
    today = datetime.date(2026, 6, 1)
    decided = _implementation(cast.org, "Decided idea")
    ApprovalFactory(implementation=decided, decision="approved")
    ApprovalFactory(implementation=decided)
    ReadinessItem.objects.create(organisation=cast.org, implementation=decided, area="training", done=True)
    ReadinessItem.objects.create(organisation=cast.org, implementation=decided, area="documentation")
    _implementation(cast.org, "Started idea", started_on=today)
    _implementation(cast.org, "Live idea", started_on=today, live_on=today)
    _implementation(cast.other_org, "Their idea")

    assert implementation_stage_counts(cast.org) == {"decided": 1, "implementing": 1, "live": 1}
    rows = {row.change_idea.title: row for row in implementations_for_index(cast.org)}
    assert set(rows) == {"Decided idea", "Started idea", "Live idea"}
    assert (rows["Decided idea"].approvals_given, rows["Decided idea"].approvals_total) == (1, 2)
    assert (rows["Decided idea"].readiness_done, rows["Decided idea"].readiness_total) == (1, 2)
    assert [row.stage.value for row in implementations_for_index(cast.org, stage="implementing")] == ["implementing"]

    url = f"/o/{cast.org.slug}/testing/implementations/"
    client = cast.client(Role.VIEWER)
    page = client.get(url).content.decode()
    assert "Every stage (3)" in page and "Live (1)" in page and "Their idea" not in page
    assert "1 of 2 approved" in page and "1 of 2 ready" in page
    live = client.get(url + "?stage=live").content.decode()
    assert "Live idea" in live and "Started idea" not in live and 'aria-current="page">Live (1)' in live
    # An unknown stage shows every stage rather than nothing.
    assert "Started idea" in client.get(url + "?stage=nonsense").content.decode()


def test_implementations_page_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries) -> None:
    url = f"/o/{cast.org.slug}/testing/implementations/"
    client = cast.client(Role.MEMBER)
    _implementation(cast.org, "First")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        row = _implementation(cast.org, f"Idea {n}")
        ApprovalFactory(implementation=row)
    with django_assert_max_num_queries(len(few)):
        assert "Idea 5" in client.get(url).content.decode()


def test_index_pages_are_the_organisations_own(cast) -> None:
    for path in ("cycles/", "implementations/"):
        assert cast.client("outsider").get(f"/o/{cast.org.slug}/testing/{path}").status_code == 404
        assert cast.client(None).get(f"/o/{cast.org.slug}/testing/{path}").status_code == 302
