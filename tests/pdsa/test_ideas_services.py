"""pdsa.services.ideas called directly: change ideas stay within their organisation."""

import pytest
from django.core.exceptions import ValidationError

from pdsa.models import ChangeIdea
from pdsa.services import ideas as services
from pdsa.services import inbox
from tests.aims.factories import AimFactory, DriverFactory
from tests.factories import MembershipFactory
from tests.pdsa.factories import ChangeIdeaFactory, IdeaSubmissionFactory

pytestmark = pytest.mark.django_db


def test_create_links_the_aims_of_its_drivers(cast) -> None:
    aim, other_aim = AimFactory(organisation=cast.org), AimFactory(organisation=cast.org)
    driver = DriverFactory(aim=aim, organisation=cast.org)
    idea = services.change_idea_create(
        organisation=cast.org, data={"title": "Test it"}, aims=[other_aim], drivers=[driver]
    )
    assert set(idea.aims.all()) == {aim, other_aim}


def test_nothing_from_another_organisation_can_be_linked(cast) -> None:
    foreign_driver = DriverFactory(aim=AimFactory(organisation=cast.other_org), organisation=cast.other_org)
    with pytest.raises(ValidationError, match="another organisation"):
        services.change_idea_create(organisation=cast.org, data={"title": "x"}, drivers=[foreign_driver])
    with pytest.raises(ValidationError):
        services.change_idea_create(
            organisation=cast.org, data={"title": "x", "lead": MembershipFactory(organisation=cast.other_org)}
        )
    assert not ChangeIdea.objects.exists()
    driver = DriverFactory(aim=AimFactory(organisation=cast.org), organisation=cast.org)
    with pytest.raises(ValidationError):
        services.driver_ideas_set(driver=driver, ideas=[ChangeIdeaFactory(organisation=cast.other_org)])
    assert driver.change_ideas.count() == 0


def test_status_must_be_known(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    with pytest.raises(ValidationError):
        services.change_idea_set_status(idea=idea, status="done")
    services.change_idea_set_status(idea=idea, status=ChangeIdea.Status.IMPLEMENTED)
    idea.refresh_from_db()
    assert idea.status == "implemented"


def test_merge_stays_within_the_organisation(cast) -> None:
    submission = IdeaSubmissionFactory(organisation=cast.org)
    with pytest.raises(ValidationError):
        inbox.submission_merge(
            submission=submission, by=cast.outsider, into=ChangeIdeaFactory(organisation=cast.other_org)
        )
    submission.refresh_from_db()
    assert submission.status == "new"


def test_blank_submissions_are_refused(cast) -> None:
    with pytest.raises(ValidationError, match="Describe"):
        inbox.submission_create(organisation=cast.org, submitted_by=cast.outsider, kind="idea", what="   ")
