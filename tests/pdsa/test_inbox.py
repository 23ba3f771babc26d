"""The ideas inbox: members send, leads triage, the sender sees what happened."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pace_hub.roles import Role
from pdsa.models import ChangeIdea, IdeaSubmission
from pdsa.services import inbox as services_inbox
from tests.pdsa.factories import ChangeIdeaFactory, IdeaSubmissionFactory

pytestmark = pytest.mark.django_db


def _url(name: str, cast, *args) -> str:
    return reverse(name, args=[cast.org.slug, *args])


def test_member_sends_an_idea_and_follows_it(cast) -> None:
    client = cast.client(Role.MEMBER)
    response = client.post(
        _url("submission_create", cast),
        {"kind": "barrier", "what": "Legal advice meetings take weeks to book", "who_affected": "Social workers"},
    )
    assert response["Location"] == _url("my_submissions", cast)
    submission = IdeaSubmission.objects.get()
    assert submission.submitted_by == cast.members[Role.MEMBER] and submission.status == "new"
    page = client.get(_url("my_submissions", cast)).content.decode()
    assert "Legal advice meetings take weeks to book" in page and "Awaiting triage" in page


def test_empty_submission_is_refused(cast) -> None:
    response = cast.client(Role.MEMBER).post(_url("submission_create", cast), {"kind": "idea", "what": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not IdeaSubmission.objects.exists()


def test_anonymous_submissions_hide_the_sender_from_leads_only(cast) -> None:
    sender = cast.members[Role.MEMBER]
    sender.user.first_name, sender.user.last_name = "Zebedee", "Quill"
    sender.user.save()
    IdeaSubmissionFactory(organisation=cast.org, submitted_by=sender, anonymous=True, what="Anonymous barrier")
    inbox = cast.client(Role.LEAD).get(_url("inbox", cast)).content.decode()
    assert "Anonymous barrier" in inbox and "Sent anonymously" in inbox and "Zebedee" not in inbox
    mine = cast.client(Role.MEMBER).get(_url("my_submissions", cast)).content.decode()
    assert "Anonymous barrier" in mine and "sent anonymously" in mine


def test_lead_accepts_as_a_new_change_idea(cast) -> None:
    submission = IdeaSubmissionFactory(organisation=cast.org, submitted_by=cast.members[Role.MEMBER])
    response = cast.client(Role.LEAD).post(
        _url("submission_triage", cast, submission.code),
        {"action": "accept", "title": "Standing legal advice slots", "reason": "Good idea: testing in March"},
    )
    assert response["Location"] == _url("inbox", cast)
    submission.refresh_from_db()
    idea = ChangeIdea.objects.get()
    assert (submission.status, submission.change_idea, submission.triaged_by) == (
        "accepted",
        idea,
        cast.members[Role.LEAD],
    )
    assert idea.source == "inbox" and idea.description == submission.what
    mine = cast.client(Role.MEMBER).get(_url("my_submissions", cast)).content.decode()
    assert "Accepted as a change idea" in mine and "Standing legal advice slots" in mine and "testing in March" in mine


def test_lead_merges_into_an_existing_idea(cast) -> None:
    existing = ChangeIdeaFactory(organisation=cast.org, title="Legal advice at the 6-week review")
    submission = IdeaSubmissionFactory(organisation=cast.org)
    cast.client(Role.ADMIN).post(
        _url("submission_triage", cast, submission.code), {"action": "merge", "into": existing.code}
    )
    submission.refresh_from_db()
    assert submission.status == "merged" and submission.change_idea == existing
    assert ChangeIdea.objects.count() == 1


def test_decline_needs_a_reason_the_sender_sees(cast) -> None:
    submission = IdeaSubmissionFactory(organisation=cast.org, submitted_by=cast.members[Role.MEMBER])
    client = cast.client(Role.LEAD)
    response = client.post(_url("submission_triage", cast, submission.code), {"action": "decline"})
    assert "Say why it is declined" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "new"
    client.post(
        _url("submission_triage", cast, submission.code),
        {"action": "decline", "reason": "Outside PACE: passed to the fostering team"},
    )
    submission.refresh_from_db()
    assert submission.status == "declined"
    mine = cast.client(Role.MEMBER).get(_url("my_submissions", cast)).content.decode()
    assert "Declined" in mine and "Outside PACE: passed to the fostering team" in mine


def test_accept_and_merge_need_their_details(cast) -> None:
    submission = IdeaSubmissionFactory(organisation=cast.org)
    client = cast.client(Role.LEAD)
    url = _url("submission_triage", cast, submission.code)
    assert "short title" in client.post(url, {"action": "accept", "title": " "}).content.decode()
    assert "Choose the change idea" in client.post(url, {"action": "merge"}).content.decode()
    foreign = ChangeIdeaFactory(organisation=cast.other_org)
    assert "Select a valid choice" in client.post(url, {"action": "merge", "into": foreign.code}).content.decode()
    submission.refresh_from_db()
    assert submission.status == "new"


def test_a_submission_is_triaged_once(cast) -> None:
    submission = IdeaSubmissionFactory(organisation=cast.org)
    lead = cast.members[Role.LEAD]
    services_inbox.submission_decline(submission=submission, by=lead, reason="Duplicate")
    with pytest.raises(ValidationError, match="already triaged"):
        services_inbox.submission_accept(submission=submission, by=lead, title="Again")
    response = cast.client(Role.LEAD).post(
        _url("submission_triage", cast, submission.code), {"action": "accept", "title": "Again"}
    )
    assert response.status_code == 302 and not ChangeIdea.objects.exists()


def test_only_leads_triage_and_viewers_cannot_send(cast) -> None:
    submission = IdeaSubmissionFactory(organisation=cast.org)
    for role in (Role.MEMBER, Role.DATA, Role.VIEWER):
        client = cast.client(role)
        assert client.get(_url("inbox", cast)).status_code == 403
        assert (
            client.post(
                _url("submission_triage", cast, submission.code), {"action": "decline", "reason": "x"}
            ).status_code
            == 403
        )
    assert (
        cast.client(Role.VIEWER).post(_url("submission_create", cast), {"kind": "idea", "what": "x"}).status_code == 403
    )
    assert IdeaSubmission.objects.count() == 1
    submission.refresh_from_db()
    assert submission.status == "new"
    assert cast.client("outsider").get(_url("submission_triage", cast, submission.code)).status_code == 404


def test_inbox_lists_waiting_then_triaged_with_constant_queries(cast, django_assert_num_queries) -> None:
    client = cast.client(Role.LEAD)
    IdeaSubmissionFactory(organisation=cast.org)
    services_inbox.submission_accept(
        submission=IdeaSubmissionFactory(organisation=cast.org), by=cast.members[Role.LEAD], title="First"
    )
    client.get(_url("inbox", cast))
    with django_assert_num_queries(5) as first:
        client.get(_url("inbox", cast))
    for _ in range(3):
        IdeaSubmissionFactory(organisation=cast.org)
        services_inbox.submission_accept(
            submission=IdeaSubmissionFactory(organisation=cast.org), by=cast.members[Role.LEAD], title="Accepted one"
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(_url("inbox", cast))
    assert "Awaiting triage (4)" in response.content.decode()


def test_my_submissions_shows_only_mine_with_constant_queries(cast, django_assert_num_queries) -> None:
    me = cast.members[Role.MEMBER]
    client = cast.client(Role.MEMBER)
    IdeaSubmissionFactory(organisation=cast.org, submitted_by=cast.members[Role.DATA], what="Someone else's")
    services_inbox.submission_accept(
        submission=IdeaSubmissionFactory(organisation=cast.org, submitted_by=me), by=cast.members[Role.LEAD], title="A"
    )
    client.get(_url("my_submissions", cast))
    with django_assert_num_queries(5) as first:
        client.get(_url("my_submissions", cast))
    for _ in range(4):
        services_inbox.submission_accept(
            submission=IdeaSubmissionFactory(organisation=cast.org, submitted_by=me),
            by=cast.members[Role.LEAD],
            title="More",
        )
    with django_assert_num_queries(len(first.captured_queries)):
        content = client.get(_url("my_submissions", cast)).content.decode()
    assert "Someone else" not in content and content.count("Accepted as a change idea") == 5


def test_an_anonymous_submission_is_anonymous_in_the_change_history_too(cast) -> None:
    from pace_hub.history import recent_changes

    sender = cast.members[Role.MEMBER]
    sender.user.first_name, sender.user.last_name = "Zebedee", "Quill"
    sender.user.save()
    cast.client(Role.MEMBER).post(
        _url("submission_create", cast), {"kind": "idea", "what": "Book legal advice sooner", "anonymous": "on"}
    )
    cast.client(Role.MEMBER).post(_url("submission_create", cast), {"kind": "idea", "what": "Named idea"})
    submission = IdeaSubmission.objects.get(what="Book legal advice sooner")
    assert submission.anonymous and submission.history.get().history_user is None  # nothing stored
    changes = {change.object: change.who for change in recent_changes(cast.org) if change.what == "Idea submission"}
    assert changes == {"Book legal advice sooner": "anonymous", "Named idea": "Zebedee Quill"}
    page = cast.client(Role.ADMIN).get(f"/o/{cast.org.slug}/history/").content.decode()
    row = next(row for row in page.split("<tr>") if "Book legal advice sooner" in row)
    assert "anonymous" in row and "Zebedee" not in row


def test_history_written_before_hides_the_author_of_an_anonymous_submission(cast) -> None:
    """Rows recorded with the submitter before submissions were stored without one."""
    from importlib import import_module

    from django.apps import apps

    from pace_hub.history import recent_changes

    sender = cast.members[Role.MEMBER]
    submission = IdeaSubmission(organisation=cast.org, submitted_by=sender, what="Old anonymous", anonymous=True)
    submission._history_user = sender.user
    submission.save()
    named = IdeaSubmission(organisation=cast.org, submitted_by=sender, what="Old named")
    named._history_user = sender.user
    named.save()
    assert next(c.who for c in recent_changes(cast.org) if c.object == "Old anonymous") == "anonymous"
    import_module("pdsa.migrations.0003_anonymous_submissions_keep_no_author").forget_anonymous_authors(apps, None)
    assert submission.history.get().history_user is None
    assert named.history.get().history_user == sender.user
