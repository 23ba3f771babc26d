"""Implementation of a change idea: the group's decision, approvals, the change package,
readiness, training and self-audits, and the idea's status as it goes live."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from measures.models import Measure
from pace_hub.dates import day_text
from pace_hub.models import Membership, Resource
from pace_hub.roles import Permission
from pace_hub.user_files import UnsafeFile, sanitise_svg
from pdsa.models import (
    Approval,
    ChangeIdea,
    Feedback,
    Implementation,
    PDSACycle,
    ReadinessItem,
    SelfAudit,
    TrainingRecord,
)
from pdsa.services.annotations import sync_annotations_for_idea

FLOWCHART_MAX_BYTES = 5 * 1024 * 1024
FLOWCHART_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


def flowchart_type(upload: UploadedFile) -> str:
    """The file's real type from its content (never its name or the browser's word), or a
    ValidationError saying what is wrong."""
    if upload.size > FLOWCHART_MAX_BYTES:
        limit = FLOWCHART_MAX_BYTES // 1024 // 1024
        raise ValidationError(f"The flowchart is {upload.size / 1024 / 1024:.1f} MB; the limit is {limit} MB.")
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n") or content.startswith(b"\xff\xd8\xff"):
        from io import BytesIO

        from PIL import Image

        try:
            with Image.open(BytesIO(content)) as image:
                image.verify()
                kind = image.format
        except Exception:
            raise ValidationError("The image file is damaged or incomplete.") from None
        return "image/png" if kind == "PNG" else "image/jpeg"
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if (head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")) and b"<svg" in content:
        try:
            sanitise_svg(content)
        except UnsafeFile as error:
            raise ValidationError(f"{error} Or upload a PDF or PNG.") from None
        return "image/svg+xml"
    raise ValidationError("The flowchart must be a PDF, PNG, JPEG or SVG file.")


def flowchart_stored_content(upload: UploadedFile, kind: str) -> File:
    """What is kept of an accepted flowchart: an SVG rebuilt from its allowed parts only (no
    script, link or embedded page survives), any other type as uploaded."""
    if kind != "image/svg+xml":
        return upload
    upload.seek(0)
    return ContentFile(sanitise_svg(upload.read()))


def _readiness_rows(implementation: Implementation) -> None:
    have = set(implementation.readiness.values_list("area", flat=True))
    ReadinessItem.objects.bulk_create(
        ReadinessItem(organisation=implementation.organisation, implementation=implementation, area=area)
        for area in ReadinessItem.Area.values
        if area not in have
    )


@transaction.atomic
def implementation_decide(
    *,
    idea: ChangeIdea,
    decided_by: Membership,
    decided_on: date,
    meeting: str,
    decision_text: str,
    evidence_cycles: list[PDSACycle],
    evidence_feedback: list[Feedback],
    evidence_measure: Measure | None,
    approvers: list[Membership],
) -> Implementation:
    """Record (or revise) the group's decision to implement, with its evidence and approvers."""
    org = idea.organisation
    existing = Implementation.objects.filter(change_idea=idea).first()
    if existing is not None and existing.started_on:
        raise ValidationError("Implementation has already started; the decision can no longer be revised.")
    if idea.status in {ChangeIdea.Status.ABANDONED}:
        raise ValidationError("This change idea was abandoned; reopen it before deciding to implement it.")
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "The decision date cannot be in the future."})
    if any(c.change_idea_id != idea.pk for c in evidence_cycles):
        raise ValidationError({"evidence_cycles": "Choose cycles that tested this change idea."})
    if any(f.change_idea_id != idea.pk for f in evidence_feedback):
        raise ValidationError({"evidence_feedback": "Choose feedback about this change idea."})
    if evidence_measure is not None and evidence_measure.organisation_id != org.pk:
        raise ValidationError({"evidence_measure": "Choose one of your organisation's measures."})
    if not approvers:
        raise ValidationError({"approvers": "Name at least one service leader who must approve it."})
    for person in approvers:
        if person.organisation_id != org.pk or not person.can(Permission.LEAD):
            raise ValidationError({"approvers": f"{person} cannot approve implementation (needs a lead role)."})
    implementation, _ = Implementation.objects.update_or_create(
        change_idea=idea,
        defaults={
            "organisation": org,
            "decided_by": decided_by,
            "decided_on": decided_on,
            "meeting": meeting,
            "decision_text": decision_text,
            "evidence_measure": evidence_measure,
        },
    )
    implementation.evidence_cycles.set(evidence_cycles)
    implementation.evidence_feedback.set(evidence_feedback)
    wanted = {p.pk for p in approvers}
    implementation.approvals.exclude(approver_id__in=wanted).delete()
    # A revised decision goes back to those who declined the earlier one.
    implementation.approvals.filter(decision=Approval.Decision.DECLINED).update(
        decision=Approval.Decision.PENDING, decided_at=None, updated_at=timezone.now()
    )
    have = set(implementation.approvals.values_list("approver_id", flat=True))
    Approval.objects.bulk_create(
        Approval(organisation=org, implementation=implementation, approver=p) for p in approvers if p.pk not in have
    )
    _readiness_rows(implementation)
    if idea.status in {ChangeIdea.Status.PROPOSED, ChangeIdea.Status.TESTING, ChangeIdea.Status.PARKED}:
        idea.status = ChangeIdea.Status.READY
        idea.save(update_fields=["status", "updated_at"])
    return implementation


@transaction.atomic
def approval_record(*, approval: Approval, membership: Membership, decision: str, comment: str) -> Approval:
    """Only the named approver records their own decision."""
    if approval.approver_id != membership.pk:
        raise PermissionDenied(f"Only {approval.approver} can record this approval.")
    if decision not in {Approval.Decision.APPROVED, Approval.Decision.DECLINED}:
        raise ValidationError({"decision": "Choose approve or decline."})
    if decision == Approval.Decision.DECLINED and not comment.strip():
        raise ValidationError({"comment": "Say why you decline, so the group can respond."})
    if approval.implementation.started_on:
        raise ValidationError("Implementation has already started; approvals can no longer change.")
    approval.decision, approval.comment, approval.decided_at = decision, comment.strip(), timezone.now()
    approval.save(update_fields=["decision", "comment", "decided_at", "updated_at"])
    return approval


@transaction.atomic
def package_update(
    *,
    implementation: Implementation,
    guidance_what: str,
    guidance_why: str,
    contacts: str,
    resources: list[Resource],
    start_date: date | None,
    flowchart: UploadedFile | None = None,
    remove_flowchart: bool = False,
) -> Implementation:
    if any(r.organisation_id != implementation.organisation_id for r in resources):
        raise ValidationError({"resources": "Choose your organisation's resources."})
    if flowchart is not None:
        kind = flowchart_type(flowchart)
        if implementation.flowchart:
            implementation.flowchart.delete(save=False)
        implementation.flowchart.save(
            f"{implementation.code}.{FLOWCHART_TYPES[kind]}", flowchart_stored_content(flowchart, kind), save=False
        )
        implementation.flowchart_type = kind
    elif remove_flowchart and implementation.flowchart:
        implementation.flowchart.delete(save=False)
        implementation.flowchart_type = ""
    implementation.guidance_what = guidance_what
    implementation.guidance_why = guidance_why
    implementation.contacts = contacts
    implementation.start_date = start_date
    implementation.save()
    implementation.resources.set(resources)
    return implementation


@transaction.atomic
def readiness_update(*, implementation: Implementation, items: dict[str, tuple[bool, str]]) -> None:
    _readiness_rows(implementation)
    for item in implementation.readiness.all():
        if item.area in items:
            done, note = items[item.area]
            if (item.done, item.note) != (done, note):
                item.done, item.note = done, note
                item.save(update_fields=["done", "note", "updated_at"])


@transaction.atomic
def training_add(
    *, implementation: Implementation, kind: str, date: date, audience: str, count: int, notes: str = ""
) -> TrainingRecord:
    return TrainingRecord.objects.create(
        organisation=implementation.organisation,
        implementation=implementation,
        kind=kind,
        date=date,
        audience=audience,
        count=count,
        notes=notes,
    )


def _check_audit(done_on: date | None, result_percent: float | None) -> None:
    if result_percent is not None and done_on is None:
        raise ValidationError({"done_on": "Enter the date the audit was done to record its result."})
    if done_on and done_on > timezone.localdate():
        raise ValidationError({"done_on": "The audit cannot have been done in the future."})


@transaction.atomic
def audit_save(
    *,
    implementation: Implementation,
    audit: SelfAudit | None = None,
    due_on: date,
    done_on: date | None,
    result_percent: float | None,
    findings: str,
    user,
) -> SelfAudit:
    _check_audit(done_on, result_percent)
    if audit is None:
        audit = SelfAudit(organisation=implementation.organisation, implementation=implementation)
    audit.due_on, audit.done_on, audit.result_percent, audit.findings = due_on, done_on, result_percent, findings
    audit.recorded_by = user
    audit.save()
    return audit


@dataclass(frozen=True)
class StartCheck:
    ready: bool
    problems: list[str]


def start_check(implementation: Implementation, approvals: list[Approval]) -> StartCheck:
    """What still stands between the decision and starting (pure: the caller passes approvals)."""
    problems = []
    if not approvals:
        problems.append("No approvers are named.")
    waiting = [a.approver.display_name for a in approvals if a.decision == Approval.Decision.PENDING]
    declined = [a.approver.display_name for a in approvals if a.decision == Approval.Decision.DECLINED]
    if waiting:
        problems.append(f"Waiting for approval from {', '.join(waiting)}.")
    if declined:
        problems.append(f"Declined by {', '.join(declined)}: revise the decision and ask again.")
    if not implementation.guidance_what.strip():
        problems.append("The change package needs written guidance on what the new process is.")
    if implementation.start_date is None:
        problems.append("The change package needs a start date.")
    return StartCheck(ready=not problems, problems=problems)


@transaction.atomic
def implementation_start(*, implementation: Implementation, on: date | None = None) -> Implementation:
    """Ready → implementing, once every approver has agreed and the package is complete."""
    check = start_check(implementation, list(implementation.approvals.select_related("approver__user")))
    if not check.ready:
        raise ValidationError(" ".join(check.problems))
    if implementation.started_on:
        raise ValidationError("Implementation has already started.")
    started_on = on or implementation.start_date or timezone.localdate()
    if started_on < implementation.decided_on:
        raise ValidationError(
            f"It cannot start ({day_text(started_on)}) before it was decided ({day_text(implementation.decided_on)})."
        )
    implementation.started_on = started_on
    implementation.save(update_fields=["started_on", "updated_at"])
    idea = implementation.change_idea
    idea.status = ChangeIdea.Status.IMPLEMENTING
    idea.save(update_fields=["status", "updated_at"])
    return implementation


@transaction.atomic
def implementation_go_live(*, implementation: Implementation, on: date | None = None) -> Implementation:
    """Implementing → implemented: the new way of working is live; it shows on the charts."""
    if not implementation.started_on:
        raise ValidationError("Start the implementation before marking it live.")
    if implementation.live_on:
        raise ValidationError("This change is already live.")
    on = on or timezone.localdate()
    if on < implementation.started_on:
        raise ValidationError("It cannot go live before it started.")
    implementation.live_on = on
    implementation.save(update_fields=["live_on", "updated_at"])
    idea = implementation.change_idea
    idea.status = ChangeIdea.Status.IMPLEMENTED
    idea.save(update_fields=["status", "updated_at"])
    sync_annotations_for_idea(idea)
    return implementation


@dataclass(frozen=True)
class AuditPoint:
    x: float
    y: float
    label: str
    percent: float


def audit_points(
    audits: list[SelfAudit], *, width: float = 560, height: float = 200, margin: float = 36
) -> list[AuditPoint]:
    """Done audits with a result, placed on an SVG line chart (0–100% up the side, time along)."""
    done = sorted((a for a in audits if a.done_on and a.result_percent is not None), key=lambda a: a.done_on)
    if not done:
        return []
    first, last = done[0].done_on, done[-1].done_on
    span = max((last - first).days, 1)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    points = []
    for audit in done:
        x = margin + (inner_w * (audit.done_on - first).days / span if len(done) > 1 else inner_w / 2)
        y = margin + inner_h * (1 - audit.result_percent / 100)
        points.append(AuditPoint(round(x, 1), round(y, 1), audit.done_on.strftime("%-d %b %Y"), audit.result_percent))
    return points
