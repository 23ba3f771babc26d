"""The communications log: what was shared, with whom, where; bad input refused; viewers read
only; outsiders see nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import Communication
from governance.services.communications import communication_log
from pace_hub.roles import Role
from tests.governance.assessment_factories import CommunicationFactory, NewsletterFactory

pytestmark = pytest.mark.django_db


def _log(cast, **values) -> Communication:
    defaults = {
        "date": timezone.localdate(),
        "channel": "corporate_parenting",
        "audience": "Corporate Parenting Board",
        "summary": "Permanence timescales and the panel test.",
    }
    return communication_log(
        organisation=cast.org, recorded_by=cast.members[Role.MEMBER].user, **{**defaults, **values}
    )


def test_a_member_logs_a_communication_with_links(cast) -> None:
    client = cast.client(Role.MEMBER)
    response = client.post(
        reverse("communication_create", args=[cast.org.slug]),
        {
            "date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
            "channel": "young_people",
            "audience": "Champions Board",
            "summary": "What we changed in review letters after their feedback.",
            "links": "https://www.celcis.org/\n/o/aberdeen-city/testing/listening/\nhttps://www.celcis.org/",
        },
    )
    assert response.status_code == 302
    item = Communication.objects.get(organisation=cast.org)
    assert (item.channel, item.audience, item.recorded_by) == (
        "young_people",
        "Champions Board",
        cast.members[Role.MEMBER].user,
    )
    assert item.link_list == ["https://www.celcis.org/", "/o/aberdeen-city/testing/listening/"]
    page = client.get(reverse("communications", args=[cast.org.slug])).content.decode()
    assert "Champions Board" in page and "Care-experienced young people&#x27;s group (1)" in page


def test_bad_input_is_refused_with_reasons(cast) -> None:
    with pytest.raises(ValidationError) as error:
        _log(
            cast,
            date=timezone.localdate() + datetime.timedelta(days=1),
            channel="pigeon",
            audience=" ",
            summary="",
            links="not a link\njavascript:alert(1)\n//evil.example/",
        )
    assert error.value.message_dict == {
        "channel": ["Choose one of the channels listed."],
        "date": ["Log what has been shared: the date cannot be in the future."],
        "audience": ["Say who it reached."],
        "summary": ["Say what was shared."],
        "links": [
            "Not a web address: not a link, javascript:alert(1), //evil.example/. "
            "Give one address a line, starting https:// or /o/."
        ],
    }
    foreign = NewsletterFactory(organisation=cast.other_org)
    with pytest.raises(ValidationError) as error:
        _log(cast, newsletter=foreign)
    assert error.value.message_dict == {"newsletter": ["Choose one of Aberdeen City's own newsletters."]}
    assert not Communication.objects.exists()


def test_the_log_filters_by_channel_and_shows_only_the_organisations_own(cast) -> None:
    _log(cast, channel="intranet", audience="All staff")
    _log(cast, channel="corporate_parenting", audience="Corporate Parenting Board")
    CommunicationFactory(organisation=cast.other_org, audience="Renfrewshire staff")
    client = cast.client(Role.VIEWER)
    page = client.get(reverse("communications", args=[cast.org.slug]) + "?channel=intranet").content.decode()
    assert "All staff" in page and "Corporate Parenting Board</td>" not in page and "Renfrewshire" not in page
    assert "Log a communication" not in page


def test_viewers_cannot_log_edit_or_remove_and_members_cannot_remove(cast) -> None:
    item = _log(cast)
    viewer, member = cast.client(Role.VIEWER), cast.client(Role.MEMBER)
    assert viewer.post(reverse("communication_create", args=[cast.org.slug]), {}).status_code == 403
    assert viewer.post(reverse("communication_edit", args=[cast.org.slug, item.code]), {}).status_code == 403
    assert member.post(reverse("communication_delete", args=[cast.org.slug, item.code])).status_code == 403
    assert (
        cast.client(Role.LEAD).post(reverse("communication_delete", args=[cast.org.slug, item.code])).status_code == 302
    )
    assert not Communication.objects.exists()


def test_editing_keeps_the_rules(cast) -> None:
    item = _log(cast)
    url = reverse("communication_edit", args=[cast.org.slug, item.code])
    response = cast.client(Role.MEMBER).post(
        url,
        {
            "date": item.date.isoformat(),
            "channel": "intranet",
            "audience": "Everyone",
            "summary": "x",
            "links": "ftp://x",
        },
    )
    assert "Not a web address: ftp://x" in response.content.decode()
    item.refresh_from_db()
    assert item.channel == "corporate_parenting"
    assert cast.client("outsider").get(url).status_code == 404
