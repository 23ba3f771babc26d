"""Implementation of a change idea: decision, approvals by the named service leaders, the change
package (page, PDF, flowchart upload), readiness, training, self-audits and going live."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from measures.models import Annotation
from pace_hub.roles import Role
from pdsa.models import Approval, ChangeIdea, Implementation, ReadinessItem, SelfAudit, TrainingRecord
from pdsa.services.implementation import (
    approval_record,
    audit_points,
    flowchart_type,
    implementation_decide,
    implementation_go_live,
    implementation_start,
    package_update,
)
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.factories import MembershipFactory, ResourceFactory
from tests.pdsa.factories import (
    ChangeIdeaFactory,
    FeedbackFactory,
    ImplementationFactory,
    PDSACycleFactory,
    SelfAuditFactory,
)

pytestmark = pytest.mark.django_db


def today():
    """Read when used, not when imported: a run that crosses midnight stays right."""
    return timezone.localdate()


def _png(kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format=kind)
    return buffer.getvalue()


def _decide(cast, idea, approvers=None) -> Implementation:
    return implementation_decide(
        idea=idea,
        decided_by=cast.members[Role.LEAD],
        decided_on=today(),
        meeting="Leads group, June",
        decision_text="Implement across all localities.",
        evidence_cycles=list(idea.cycles.all()),
        evidence_feedback=list(idea.feedback.all()),
        evidence_measure=None,
        approvers=approvers if approvers is not None else [cast.members[Role.LEAD], cast.members[Role.ADMIN]],
    )


# ---- Services ----------------------------------------------------------------------------------


def test_decision_creates_approvals_and_the_checklist_and_makes_the_idea_ready(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, status=ChangeIdea.Status.TESTING)
    cycle = PDSACycleFactory(change_idea=idea, number=1)
    implementation = _decide(cast, idea)
    assert list(implementation.evidence_cycles.all()) == [cycle]
    assert set(implementation.approvals.values_list("decision", flat=True)) == {"pending"}
    assert implementation.approvals.count() == 2
    assert sorted(implementation.readiness.values_list("area", flat=True)) == sorted(ReadinessItem.Area.values)
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.READY
    # Revising keeps one implementation and drops approvers no longer named.
    again = _decide(cast, idea, approvers=[cast.members[Role.ADMIN]])
    assert again.pk == implementation.pk and again.approvals.get().approver == cast.members[Role.ADMIN]


def test_decision_refuses_bad_evidence_and_approvers(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    other_cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    with pytest.raises(ValidationError, match="service leader"):
        _decide(cast, idea, approvers=[])
    with pytest.raises(ValidationError, match="lead role"):
        _decide(cast, idea, approvers=[cast.members[Role.VIEWER]])
    with pytest.raises(ValidationError, match="lead role"):
        _decide(cast, idea, approvers=[cast.outsider])
    with pytest.raises(ValidationError, match="cycles that tested"):
        implementation_decide(
            idea=idea,
            decided_by=cast.members[Role.LEAD],
            decided_on=today(),
            meeting="m",
            decision_text="d",
            evidence_cycles=[other_cycle],
            evidence_feedback=[],
            evidence_measure=None,
            approvers=[cast.members[Role.LEAD]],
        )
    assert not Implementation.objects.exists()


def test_only_the_named_approver_records_their_decision(cast) -> None:
    implementation = _decide(cast, ChangeIdeaFactory(organisation=cast.org))
    approval = implementation.approvals.get(approver=cast.members[Role.LEAD])
    with pytest.raises(PermissionDenied):
        approval_record(approval=approval, membership=cast.members[Role.ADMIN], decision="approved", comment="")
    with pytest.raises(ValidationError, match="why you decline"):
        approval_record(approval=approval, membership=cast.members[Role.LEAD], decision="declined", comment=" ")
    approval_record(approval=approval, membership=cast.members[Role.LEAD], decision="approved", comment="Good")
    approval.refresh_from_db()
    assert approval.decision == "approved" and approval.decided_at is not None


def test_start_needs_every_approval_and_a_package_then_goes_live_on_the_charts(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, status=ChangeIdea.Status.TESTING)
    measure = AimMeasureFactory(organisation=cast.org)
    aim = AimFactory(organisation=cast.org, outcome_measure=measure)
    idea.aims.add(aim)
    implementation = _decide(cast, idea)
    with pytest.raises(ValidationError) as error:
        implementation_start(implementation=implementation)
    message = " ".join(error.value.messages)
    assert "Waiting for approval from" in message and "written guidance" in message and "start date" in message
    for approval in implementation.approvals.select_related("approver"):
        approval_record(approval=approval, membership=approval.approver, decision="approved", comment="")
    package_update(
        implementation=implementation,
        guidance_what="Book legal advice at the first review.",
        guidance_why="Saves weeks.",
        contacts="PACE Lead",
        resources=[ResourceFactory(organisation=cast.org)],
        start_date=today(),
    )
    with pytest.raises(ValidationError, match="Start the implementation"):
        implementation_go_live(implementation=implementation)
    implementation_start(implementation=implementation)
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.IMPLEMENTING and implementation.started_on == today()
    implementation_go_live(implementation=implementation)
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.IMPLEMENTED
    mark = Annotation.objects.get(measure=measure)
    assert mark.source_key == f"implementation:{implementation.code}:live" and mark.date == today()


def test_a_declined_approval_blocks_the_start(cast) -> None:
    implementation = _decide(cast, ChangeIdeaFactory(organisation=cast.org), approvers=[cast.members[Role.LEAD]])
    approval = implementation.approvals.get()
    approval_record(approval=approval, membership=approval.approver, decision="declined", comment="Not resourced")
    package_update(
        implementation=implementation, guidance_what="x", guidance_why="", contacts="", resources=[], start_date=today()
    )
    with pytest.raises(ValidationError, match="Declined by"):
        implementation_start(implementation=implementation)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("flow.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("flow.png", None, "image/png"),
        ("flow.jpg", "JPEG", "image/jpeg"),
        ("flow.pdf", "PNG", "image/png"),  # the name does not decide the type: the content does
        ("flow.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "image/svg+xml"),
    ],
)
def test_flowchart_type_is_read_from_the_content(name, content, expected) -> None:
    if content is None or content in {"PNG", "JPEG"}:
        content = _png(content or "PNG")
    upload = SimpleUploadedFile(name, content)
    assert flowchart_type(upload) == expected


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("flow.pdf", b"MZ\x90\x00 an executable", "must be a PDF, PNG, JPEG or SVG"),
        ("flow.png", b"\x89PNG\r\n\x1a\nbroken", "damaged"),
        ("flow.svg", b'<svg onload="alert(1)"></svg>', "not an SVG drawing"),
        ("flow.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg></svg>', "entities"),
        ("flow.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not readable XML"),
    ],
)
def test_flowchart_refuses_wrong_or_unsafe_files(name, content, reason) -> None:
    with pytest.raises(ValidationError, match=reason):
        flowchart_type(SimpleUploadedFile(name, content))


def test_flowchart_size_limit(settings) -> None:
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError, match="limit is 5 MB"):
        flowchart_type(upload)


def test_audit_points_place_done_audits_on_a_line() -> None:
    implementation = Implementation(decided_on=today())
    audits = [
        SelfAudit(implementation=implementation, due_on=today(), done_on=datetime.date(2026, 1, 1), result_percent=50),
        SelfAudit(implementation=implementation, due_on=today(), done_on=datetime.date(2026, 3, 1), result_percent=100),
        SelfAudit(implementation=implementation, due_on=today(), done_on=None, result_percent=None),
    ]
    points = audit_points(audits, width=236, height=136, margin=18)
    assert [(p.x, p.y, p.percent) for p in points] == [(18.0, 68.0, 50), (218.0, 18.0, 100)]
    assert points[0].label == "1 Jan 2026"
    assert audit_points(audits[2:]) == []


# ---- Views -------------------------------------------------------------------------------------


def test_lead_records_the_decision_in_the_form(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    cycle = PDSACycleFactory(change_idea=idea, number=1)
    feedback = FeedbackFactory(organisation=cast.org, change_idea=idea)
    url = f"/o/{cast.org.slug}/testing/ideas/{idea.code}/implementation/decide/"
    assert cast.client(Role.MEMBER).get(url).status_code == 403
    response = cast.client(Role.LEAD).post(
        url,
        {
            "decided_on": today().isoformat(),
            "meeting": "Leads group",
            "decision_text": "Implement",
            "evidence_cycles": [cycle.pk],
            "evidence_feedback": [feedback.pk],
            "approvers": [cast.members[Role.ADMIN].pk],
        },
    )
    assert response.status_code == 302
    implementation = Implementation.objects.get(change_idea=idea)
    assert list(implementation.evidence_feedback.all()) == [feedback]
    page = cast.client(Role.VIEWER).get(response["Location"]).content.decode()
    assert "Leads group" in page and "Awaiting decision" in page and "Record my decision" not in page


def test_approval_view_lets_only_the_named_approver_decide(cast) -> None:
    implementation = _decide(cast, ChangeIdeaFactory(organisation=cast.org), approvers=[cast.members[Role.ADMIN]])
    approval = implementation.approvals.get()
    url = f"/o/{cast.org.slug}/testing/approvals/{approval.code}/"
    assert cast.client(Role.LEAD).post(url, {"decision": "approved"}).status_code == 403
    assert cast.client(Role.MEMBER).post(url, {"decision": "approved"}).status_code == 403
    admin = cast.client(Role.ADMIN)
    assert "Record my decision" in admin.get(implementation.get_absolute_url()).content.decode()
    page = admin.post(url, {"decision": "declined", "comment": ""}, follow=True).content.decode()
    assert "Say why you decline" in page
    assert admin.post(url, {"decision": "approved", "comment": "Yes"}).status_code == 302
    approval.refresh_from_db()
    assert approval.decision == Approval.Decision.APPROVED


def test_package_upload_page_and_pdf(cast) -> None:
    implementation = ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    resource = ResourceFactory(organisation=cast.org, title="Legal advice guidance", url="https://example.org/g")
    base = f"/o/{cast.org.slug}/testing/implementations/{implementation.code}/"
    member = cast.client(Role.MEMBER)
    refused = member.post(
        base + "package/edit/",
        {"guidance_what": "x", "flowchart": SimpleUploadedFile("flow.png", b"GIF89a not allowed")},
    )
    assert refused.status_code == 200 and "must be a PDF, PNG, JPEG or SVG" in refused.content.decode()
    response = member.post(
        base + "package/edit/",
        {
            "guidance_what": "Book legal advice at the first LAC review.",
            "guidance_why": "It saves weeks for children waiting.",
            "contacts": "The PACE Lead",
            "resources": [resource.pk],
            "start_date": "2026-06-01",
            "flowchart": SimpleUploadedFile("flow.png", _png()),
        },
    )
    assert response.status_code == 302
    implementation.refresh_from_db()
    assert implementation.flowchart_type == "image/png" and implementation.start_date == datetime.date(2026, 6, 1)
    viewer = cast.client(Role.VIEWER)
    page = viewer.get(base + "package/").content.decode()
    assert "It saves weeks" in page and "Legal advice guidance" in page and "Monday 1 June 2026" in page
    image = viewer.get(base + "flowchart/")
    assert image["Content-Type"] == "image/png" and "sandbox" in image["Content-Security-Policy"]
    assert image["Content-Disposition"].startswith("attachment;") and image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    pdf = viewer.get(base + "package.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"/Image" in pdf.content  # the flowchart is embedded
    assert member.post(base + "package/edit/", {"guidance_what": "x"}).status_code == 302
    assert cast.client(Role.VIEWER).post(base + "package/edit/", {"guidance_what": "x"}).status_code == 403


def test_readiness_training_and_audits(cast) -> None:
    implementation = _decide(cast, ChangeIdeaFactory(organisation=cast.org))
    base = f"/o/{cast.org.slug}/testing/implementations/{implementation.code}/"
    member = cast.client(Role.MEMBER)
    response = member.post(base + "readiness/", {"done_training": "on", "note_training": "Two briefings held"})
    assert response.status_code == 302
    training = implementation.readiness.get(area="training")
    assert training.done and training.note == "Two briefings held"
    assert not implementation.readiness.get(area="resourcing").done
    bad = member.post(base + "training/new/", {"kind": "training", "date": "2026-05-01", "audience": "SW", "count": 0})
    assert "at least 1" in bad.content.decode()
    member.post(base + "training/new/", {"kind": "training", "date": "2026-05-01", "audience": "North SW", "count": 12})
    assert TrainingRecord.objects.get().count == 12
    no_date = member.post(base + "audits/new/", {"due_on": "2026-06-01", "result_percent": "80"})
    assert "date the audit was done" in no_date.content.decode()
    too_much = member.post(
        base + "audits/new/", {"due_on": "2026-06-01", "done_on": "2026-06-02", "result_percent": "120"}
    )
    assert too_much.status_code == 200 and not SelfAudit.objects.exists()
    member.post(base + "audits/new/", {"due_on": "2026-06-01"})
    audit = SelfAudit.objects.get()
    member.post(
        f"/o/{cast.org.slug}/testing/audits/{audit.code}/",
        {"due_on": "2026-06-01", "done_on": "2026-06-03", "result_percent": "85", "findings": "Mostly followed"},
    )
    audit.refresh_from_db()
    assert audit.result_percent == 85 and audit.findings == "Mostly followed"
    page = cast.client(Role.VIEWER).get(implementation.get_absolute_url()).content.decode()
    assert "Self-audit results over time: 3 Jun 2026, 85%" in page and "North SW" in page


def test_implementation_page_before_any_decision(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    url = f"/o/{cast.org.slug}/testing/ideas/{idea.code}/implementation/"
    assert "Record the decision to implement" in cast.client(Role.LEAD).get(url).content.decode()
    assert "Record the decision to implement" not in cast.client(Role.MEMBER).get(url).content.decode()


def test_start_and_live_buttons_report_what_is_missing(cast) -> None:
    implementation = _decide(cast, ChangeIdeaFactory(organisation=cast.org))
    base = f"/o/{cast.org.slug}/testing/implementations/{implementation.code}/"
    page = cast.client(Role.MEMBER).post(base + "start/", follow=True).content.decode()
    assert "Waiting for approval from" in page
    assert cast.client(Role.VIEWER).post(base + "start/").status_code == 403
    assert cast.client(Role.MEMBER).get(base + "start/").status_code == 405


def test_audit_of_another_organisation_is_not_found(cast) -> None:
    audit = SelfAuditFactory(implementation=ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=cast.org)))
    outsider_lead = MembershipFactory(organisation=cast.other_org, role=Role.LEAD)
    from django.test import Client

    client = Client()
    client.force_login(outsider_lead.user)
    assert client.get(f"/o/{cast.other_org.slug}/testing/audits/{audit.code}/").status_code == 404


def test_implementation_page_runs_a_constant_number_of_queries(cast, django_assert_max_num_queries) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    idea = ChangeIdeaFactory(organisation=cast.org)
    PDSACycleFactory(change_idea=idea, number=1)
    implementation = _decide(cast, idea)
    SelfAuditFactory(implementation=implementation, done_on=today(), result_percent=50)
    client = cast.client(Role.MEMBER)
    client.get(implementation.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(implementation.get_absolute_url())
    for n in range(2, 8):
        PDSACycleFactory(change_idea=idea, number=n)
        SelfAuditFactory(implementation=implementation, done_on=today(), result_percent=50 + n)
        FeedbackFactory(organisation=cast.org, change_idea=idea)
    _decide(cast, idea, approvers=[cast.members[Role.LEAD], cast.members[Role.ADMIN]])
    with django_assert_max_num_queries(len(few)):
        page = client.get(implementation.get_absolute_url())
    assert "PDSA cycle 7" in page.content.decode()


def test_revising_the_decision_asks_those_who_declined_again_until_it_starts(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    implementation = _decide(cast, idea)
    declined = implementation.approvals.get(approver=cast.members[Role.ADMIN])
    approved = implementation.approvals.get(approver=cast.members[Role.LEAD])
    approval_record(approval=declined, membership=declined.approver, decision="declined", comment="Not resourced")
    approval_record(approval=approved, membership=approved.approver, decision="approved", comment="")
    _decide(cast, idea)
    declined.refresh_from_db()
    approved.refresh_from_db()
    assert declined.decision == "pending" and approved.decision == "approved"
    approval_record(approval=declined, membership=declined.approver, decision="approved", comment="Resourced now")
    package_update(
        implementation=implementation, guidance_what="x", guidance_why="", contacts="", resources=[], start_date=today()
    )
    implementation_start(implementation=implementation)
    with pytest.raises(ValidationError, match="already started"):
        _decide(cast, idea)


def test_decision_page_shows_the_spread_readiness_first(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    PDSACycleFactory(change_idea=idea, number=1, setting="North", what_happened="Done")
    page = cast.client(Role.LEAD).get(f"/o/{cast.org.slug}/testing/ideas/{idea.code}/implementation/decide/")
    assert "Spread and scale so far:</strong> Tested in 1 of 1 locality" in page.content.decode()


def test_an_uploaded_svg_flowchart_is_stored_sanitised_and_served_as_a_sandboxed_attachment(cast) -> None:
    implementation = ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    base = f"/o/{cast.org.slug}/testing/implementations/{implementation.code}/"
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/2000/svg" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink"><x:script>alert(1)</x:script>'
        b'<x:foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></x:foreignObject>'
        b'<a xlink:href="javascript&#58;alert(2)"><rect width="9" height="9"/></a><text>Step 1</text></svg>'
    )
    response = cast.client(Role.MEMBER).post(
        base + "package/edit/", {"guidance_what": "x", "flowchart": SimpleUploadedFile("flow.svg", svg)}
    )
    assert response.status_code == 302
    implementation.refresh_from_db()
    assert implementation.flowchart_type == "image/svg+xml"
    with implementation.flowchart.open("rb") as handle:
        stored = handle.read().decode()
    assert "script" not in stored and "foreignObject" not in stored and "javascript" not in stored
    assert "<rect" in stored and "Step 1" in stored
    served = cast.client(Role.VIEWER).get(base + "flowchart/")
    assert served["Content-Type"] == "image/svg+xml"
    assert served["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in served["Content-Security-Policy"] and "default-src 'none'" in served["Content-Security-Policy"]
