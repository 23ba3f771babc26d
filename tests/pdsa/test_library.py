"""Sharing across Scotland: published snapshots every organisation can read, and copying one in."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from pace_hub.roles import Role
from pdsa.models import ChangeIdea, PublishedItem
from pdsa.services.library import copy_to_organisation, publish, withdraw
from tests.pdsa.factories import (
    ChangeIdeaFactory,
    FeedbackFactory,
    ImplementationFactory,
    PDSACycleFactory,
    PredictionFactory,
    PublishedItemFactory,
)

pytestmark = pytest.mark.django_db


def _package(org, **extra):
    idea = ChangeIdeaFactory(organisation=org, title="Legal advice at the first review", description="Book it early")
    cycle = PDSACycleFactory(
        change_idea=idea, number=1, setting="North", scale_cases=2, learning="Saved three weeks", decision="adopt"
    )
    FeedbackFactory(organisation=org, change_idea=idea, cycle=cycle, text="Child said Jamie felt scared")
    return ImplementationFactory(
        change_idea=idea, guidance_what="Book legal advice at the review.", guidance_why="Saves weeks.", **extra
    )


def test_publishing_a_change_package_makes_a_snapshot_without_feedback(cast) -> None:
    implementation = _package(cast.org, contacts="PACE Lead")
    item = publish(kind="change_package", source=implementation, membership=cast.members[Role.LEAD])
    assert item.organisation_name == "Aberdeen City" and item.title == "Legal advice at the first review"
    assert "Book legal advice at the review." in item.body and "Cycle 1: North, 2 cases — Adopt" in item.body
    assert "Saved three weeks" in item.body and "Jamie" not in item.body
    assert item.source_code == implementation.code and item.source_idea_code == implementation.change_idea.code
    # Later edits and deletions in the origin do not leak into the snapshot.
    implementation.guidance_what = "Changed"
    implementation.save()
    implementation.change_idea.delete()
    item.refresh_from_db()
    assert "Book legal advice at the review." in item.body


def test_republishing_replaces_the_snapshot(cast) -> None:
    implementation = _package(cast.org)
    first = publish(kind="change_package", source=implementation, membership=cast.members[Role.LEAD])
    implementation.guidance_what = "Version two"
    implementation.save()
    second = publish(kind="change_package", source=implementation, membership=cast.members[Role.LEAD])
    assert first.pk == second.pk and "Version two" in second.body and PublishedItem.objects.count() == 1


def test_publishing_needs_content_and_ownership(cast) -> None:
    empty = ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    with pytest.raises(ValidationError, match="guidance"):
        publish(kind="change_package", source=empty, membership=cast.members[Role.LEAD])
    unstudied = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    with pytest.raises(ValidationError, match="what you learned"):
        publish(kind="cycle_summary", source=unstudied, membership=cast.members[Role.LEAD])
    with pytest.raises(PermissionDenied):
        publish(kind="change_package", source=_package(cast.org), membership=cast.outsider)


def test_cycle_summary_has_predictions_and_results(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org), learning="Quicker", decision="adapt")
    PredictionFactory(cycle=cycle, question="Booked in 2 weeks?", prediction="Yes", result="9 days")
    cycle.what_happened = "Case C-1234 went to panel"
    cycle.save()
    item = publish(kind="cycle_summary", source=cycle, membership=cast.members[Role.LEAD])
    assert "Q: Booked in 2 weeks?\nPredicted: Yes\nResult: 9 days" in item.body
    assert "C-1234" not in item.body and item.summary == "Quicker"


def test_copy_into_own_organisation(cast) -> None:
    item = PublishedItemFactory(organisation=cast.other_org, title="Kinship assessments in parallel")
    idea = copy_to_organisation(item=item, organisation=cast.org, membership=cast.members[Role.MEMBER])
    assert idea.organisation == cast.org and idea.source == ChangeIdea.Source.OTHER_AUTHORITY
    assert idea.title == "Kinship assessments in parallel" and "Renfrewshire" in idea.source_detail
    own = PublishedItemFactory(organisation=cast.org)
    with pytest.raises(ValidationError):
        copy_to_organisation(item=own, organisation=cast.org, membership=cast.members[Role.MEMBER])


def test_only_the_publisher_withdraws(cast) -> None:
    item = PublishedItemFactory(organisation=cast.other_org)
    with pytest.raises(PermissionDenied):
        withdraw(item=item, membership=cast.members[Role.LEAD])
    withdraw(item=item, membership=cast.outsider)
    assert not PublishedItem.objects.exists()


def test_library_lists_every_organisation_and_searches(cast, django_assert_num_queries) -> None:
    PublishedItemFactory(organisation=cast.other_org, title="Kinship assessments in parallel", summary="s")
    PublishedItemFactory(organisation=cast.org, title="Legal advice early", summary="s", kind="cycle_summary")
    client = cast.client(Role.VIEWER)
    url = f"/o/{cast.org.slug}/testing/library/"
    page = client.get(url).content.decode()
    assert "Kinship assessments in parallel" in page and "Legal advice early" in page
    assert "Copy into" not in page  # viewers change nothing
    assert "Read the full change package" in page and "Read the full PDSA cycle summary" in page
    found = client.get(url + "?q=kinship").content.decode()
    assert "Kinship assessments" in found and "Legal advice early" not in found
    assert "Legal advice early" in client.get(url + "?kind=cycle_summary").content.decode()
    member_page = cast.client(Role.MEMBER).get(url).content.decode()
    assert "Copy into Aberdeen City" in member_page
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(10):
        PublishedItemFactory(organisation=cast.other_org, title=f"More {n}")
    with django_assert_num_queries(6):
        client.get(url)


def test_copy_view_and_viewer_refusal(cast) -> None:
    item = PublishedItemFactory(organisation=cast.other_org, title="Parallel planning")
    url = f"/o/{cast.org.slug}/testing/library/copy/"
    assert cast.client(Role.VIEWER).post(url, {"item": item.code}).status_code == 403
    assert cast.client(Role.MEMBER).post(url, {"item": "not-a-code"}).status_code == 404
    response = cast.client(Role.MEMBER).post(url, {"item": item.code})
    idea = ChangeIdea.objects.get(organisation=cast.org)
    assert response.status_code == 302 and str(idea.code) in response["Location"]


def test_publish_pages_preview_then_publish(cast) -> None:
    implementation = _package(cast.org)
    url = f"/o/{cast.org.slug}/testing/implementations/{implementation.code}/publish/"
    assert cast.client(Role.MEMBER).get(url).status_code == 403
    lead = cast.client(Role.LEAD)
    preview = lead.get(url).content.decode()
    assert "Book legal advice at the review." in preview and not PublishedItem.objects.exists()
    assert lead.post(url).status_code == 302
    assert PublishedItem.objects.get().kind == "change_package"
    withdraw_url = f"/o/{cast.org.slug}/testing/library/withdraw/"
    foreign = PublishedItemFactory(organisation=cast.other_org)
    assert lead.post(withdraw_url, {"item": foreign.code}).status_code == 404
    assert lead.post(withdraw_url, {"item": PublishedItem.objects.get(organisation=cast.org).code}).status_code == 302
    assert list(PublishedItem.objects.all()) == [foreign]


def test_copying_the_same_item_twice_is_refused(cast) -> None:
    item = PublishedItemFactory(organisation=cast.other_org, title="Parallel planning")
    copy_to_organisation(item=item, organisation=cast.org, membership=cast.members[Role.MEMBER])
    with pytest.raises(ValidationError, match="already copied"):
        copy_to_organisation(item=item, organisation=cast.org, membership=cast.members[Role.MEMBER])
    assert ChangeIdea.objects.filter(organisation=cast.org).count() == 1


AUDIT_SENTENCE = "Helped Jamie MacLeod (DOB 03/04/2016, CHI 0304161234)"


def test_publishing_text_that_identifies_a_child_is_refused_naming_what_was_found(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org), learning=AUDIT_SENTENCE)
    with pytest.raises(ValidationError) as refusal:
        publish(kind="cycle_summary", source=cycle, membership=cast.members[Role.LEAD])
    message = refusal.value.messages[0]
    assert "“Jamie MacLeod” (a full name) in Summary" in message
    assert "“DOB 03/04/2016” (a date of birth)" in message and "“0304161234” (a CHI number)" in message
    assert not PublishedItem.objects.exists()


def test_the_publish_page_shows_exactly_what_was_found_and_offers_no_publish_button(cast) -> None:
    implementation = _package(cast.org, contacts="Morag Reid, PACE Lead, 01224 522000")
    implementation.guidance_why = "After Mrs Smith's hearing at AB10 1XG we changed it."
    implementation.save()
    url = f"/o/{cast.org.slug}/testing/implementations/{implementation.code}/publish/"
    lead = cast.client(Role.LEAD)
    page = lead.get(url).content.decode()
    assert "This cannot be published yet" in page
    assert "<strong>Why it was introduced</strong>: “Mrs Smith” looks like a full name" in page
    assert "“AB10 1XG” looks like a postcode" in page
    assert "Morag Reid" not in page.split('id="identifying-findings"')[1].split("</div>")[0]  # staff contacts are fine
    assert "Publish to the library</button>" not in page
    refused = lead.post(url, follow=True).content.decode()
    assert "Not published" in refused and not PublishedItem.objects.exists()


def test_staff_named_as_contacts_do_not_stop_a_change_package(cast) -> None:
    implementation = _package(cast.org, contacts="Morag Reid, PACE Lead")
    item = publish(kind="change_package", source=implementation, membership=cast.members[Role.LEAD])
    assert "Morag Reid" in item.body


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a NUL byte fails only on PostgreSQL; run with DATABASE_URL=postgres://...",
)
def test_a_nul_byte_in_the_library_search_is_harmless_on_postgresql(cast) -> None:
    PublishedItemFactory(organisation=cast.other_org, title="Kinship assessments in parallel", summary="s")
    client = cast.client(Role.VIEWER)
    url = f"/o/{cast.org.slug}/testing/library/"
    assert client.get(url + "?q=%00").status_code == 200
    found = client.get(url + "?q=kin%00ship").content.decode()
    assert "Kinship assessments in parallel" in found


def test_a_nul_byte_is_taken_out_of_any_library_search() -> None:
    assert "\x00" not in str(PublishedItem.objects.search("kin\x00ship").query)
