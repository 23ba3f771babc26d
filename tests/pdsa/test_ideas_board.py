"""The change-idea board, change ideas and attaching them to drivers."""

import re

import pytest
from django.urls import reverse

from pace_hub.roles import Role
from pdsa.models import ChangeIdea
from tests.aims.factories import AimFactory, DriverFactory
from tests.pdsa.factories import ChangeIdeaFactory

pytestmark = pytest.mark.django_db


def _url(name: str, cast, *args) -> str:
    return reverse(name, args=[cast.org.slug, *args])


def test_board_has_a_column_per_status_and_constant_queries(cast, django_assert_num_queries) -> None:
    client = cast.client(Role.VIEWER)
    aim = AimFactory(organisation=cast.org, title="Permanence in 6 months")
    driver = DriverFactory(aim=aim, organisation=cast.org, text="Timely legal advice")
    ChangeIdeaFactory(organisation=cast.other_org, title="Not ours")
    ChangeIdeaFactory(organisation=cast.org, title="The first idea").aims.add(aim)
    client.get(_url("change_ideas", cast))
    with django_assert_num_queries(9) as first:
        client.get(_url("change_ideas", cast))
    for status in ChangeIdea.Status:
        idea = ChangeIdeaFactory(
            organisation=cast.org, title=f"Idea {status.label}", status=status, lead=cast.members[Role.LEAD]
        )
        idea.aims.add(aim)
        idea.drivers.add(driver)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(_url("change_ideas", cast))
    content = response.content.decode()
    for status in ChangeIdea.Status:
        assert f'id="column-{status.value}"' in content and f"Idea {status.label}" in content
    assert "Not ours" not in content and "Timely legal advice" in content and "Permanence in 6 months" in content
    assert "Move" not in content and "New change idea" not in content  # viewers read only


def test_board_filters_by_aim_and_my_ideas(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    mine = ChangeIdeaFactory(organisation=cast.org, title="Mine", lead=cast.members[Role.MEMBER])
    mine.aims.add(aim)
    ChangeIdeaFactory(organisation=cast.org, title="Theirs")
    client = cast.client(Role.MEMBER)
    by_aim = client.get(_url("change_ideas", cast), {"aim": aim.code}).content.decode()
    assert "Mine" in by_aim and "Theirs" not in by_aim
    only_mine = client.get(_url("change_ideas", cast), {"mine": "1"}).content.decode()
    assert "Mine" in only_mine and "Theirs" not in only_mine


def test_status_changes_with_a_form_not_only_drag(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    client = cast.client(Role.MEMBER)
    response = client.post(_url("change_idea_status", cast, idea.code), {"status": "testing", "next": "board"})
    assert response["Location"].endswith(f"/testing/#idea-{idea.code}")
    idea.refresh_from_db()
    assert idea.status == "testing"
    client.post(_url("change_idea_status", cast, idea.code), {"status": "finished"})
    idea.refresh_from_db()
    assert idea.status == "testing"
    assert (
        cast.client(Role.VIEWER).post(_url("change_idea_status", cast, idea.code), {"status": "parked"}).status_code
        == 403
    )
    idea.refresh_from_db()
    assert idea.status == "testing"


def test_create_with_drivers_links_their_aims(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    driver = DriverFactory(aim=aim, organisation=cast.org)
    client = cast.client(Role.MEMBER)
    form = client.get(_url("change_idea_create", cast), {"driver": driver.code}).content.decode()
    assert re.search(rf'name="drivers" value="{driver.pk}"[^>]*checked', form)
    response = client.post(
        _url("change_idea_create", cast),
        {
            "title": "Legal advice at the 6-week review",
            "status": "proposed",
            "source": "leads_group",
            "drivers": [driver.pk],
            "lead": cast.members[Role.MEMBER].pk,
        },
    )
    idea = ChangeIdea.objects.get()
    assert response["Location"] == idea.get_absolute_url()
    assert list(idea.aims.all()) == [aim] and list(idea.drivers.all()) == [driver]
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Legal advice at the 6-week review" in page and aim.title in page


def test_create_refuses_a_title_less_idea_and_foreign_aims(cast) -> None:
    foreign = AimFactory(organisation=cast.other_org)
    response = cast.client(Role.MEMBER).post(
        _url("change_idea_create", cast), {"title": "", "status": "proposed", "source": "other", "aims": [foreign.pk]}
    )
    assert response.status_code == 200 and not ChangeIdea.objects.exists()
    assert "This field is required" in response.content.decode()


def test_edit_idea(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, title="Old")
    response = cast.client(Role.DATA).post(
        _url("change_idea_edit", cast, idea.code),
        {"title": "New", "status": "ready", "source": "other_authority", "source_detail": "Fife"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.status, idea.source_detail) == ("New", "ready", "Fife")


def test_attach_change_ideas_to_a_driver(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    driver = DriverFactory(aim=aim, organisation=cast.org)
    first, second = ChangeIdeaFactory(organisation=cast.org), ChangeIdeaFactory(organisation=cast.org)
    client = cast.client(Role.MEMBER)
    url = _url("driver_ideas", cast, driver.code)
    assert client.post(url, {"ideas": [first.pk, second.pk]}).status_code == 302
    assert set(driver.change_ideas.all()) == {first, second}
    assert list(first.aims.all()) == [aim]
    client.post(url, {"ideas": [second.pk]})
    assert list(driver.change_ideas.all()) == [second]
    foreign = ChangeIdeaFactory(organisation=cast.other_org)
    assert client.post(url, {"ideas": [foreign.pk]}).status_code == 200
    assert list(driver.change_ideas.all()) == [second]


def test_idea_detail_has_the_testing_area(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    response = cast.client(Role.VIEWER).get(_url("change_idea_detail", cast, idea.code))
    assert response.status_code == 200
    assert "pdsa/includes/idea_testing.html" in [t.name for t in response.templates]
    assert cast.client("outsider").get(_url("change_idea_detail", cast, idea.code)).status_code == 404


@pytest.mark.parametrize("name", ["change_idea_create", "change_idea_edit", "change_idea_status", "driver_ideas"])
def test_viewers_cannot_change_ideas_and_outsiders_see_nothing(cast, name: str) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, title="Untouched", status="proposed")
    driver = DriverFactory(aim=AimFactory(organisation=cast.org), organisation=cast.org)
    args = {"change_idea_create": [], "driver_ideas": [driver.code]}.get(name, [idea.code])
    url = _url(name, cast, *args)
    data = {"title": "Changed", "status": "testing", "source": "other", "ideas": [idea.pk]}
    assert cast.client(Role.VIEWER).post(url, data).status_code == 403
    assert cast.client("outsider").post(url, data).status_code == 404
    idea.refresh_from_db()
    assert (idea.title, idea.status, ChangeIdea.objects.count(), driver.change_ideas.count()) == (
        "Untouched",
        "proposed",
        1,
        0,
    )
