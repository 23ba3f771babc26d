"""Writes for self-assessments: start one (from the previous ratings), answer a section, link
evidence, raise actions, complete and reopen. Keyword-only, typed, atomic."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from aims.models import Aim
from governance.models import (
    Action,
    AssessmentQuestion,
    AssessmentSection,
    AssessmentTemplate,
    Communication,
    EvidenceLink,
    GovernanceGroup,
    Meeting,
    Newsletter,
    Rating,
    Report,
    SelfAssessment,
    SelfAssessmentAnswer,
)
from governance.selectors.hints import hints_for
from governance.services.actions import action_set_status
from measures.models import Measure, MilestoneImport
from pace_hub.models import Agency, Membership, Organisation, Team
from pdsa.models import ChangeIdea, Feedback, IdeaSubmission, Implementation, PDSACycle, SelfAudit

# The URL argument naming an object → its model: how a pasted link becomes evidence.
EVIDENCE_MODELS: dict[str, type[models.Model]] = {
    "aim": Aim,
    "idea": ChangeIdea,
    "cycle": PDSACycle,
    "feedback": Feedback,
    "submission": IdeaSubmission,
    "implementation": Implementation,
    "audit": SelfAudit,
    "measure": Measure,
    "milestone_import": MilestoneImport,
    "meeting": Meeting,
    "report": Report,
    "group": GovernanceGroup,
    "team": Team,
    "agency": Agency,
    "communication": Communication,
    "newsletter": Newsletter,
    "assessment": SelfAssessment,
}
# What each kind of evidence is called in its link's label.
EVIDENCE_NAMES = {
    "aim": "Aim",
    "idea": "Change idea",
    "cycle": "PDSA cycle",
    "feedback": "Feedback",
    "submission": "Ideas inbox submission",
    "implementation": "Implementation",
    "audit": "Self-audit",
    "measure": "Measure",
    "milestone_import": "Milestone data upload",
    "meeting": "Meeting",
    "report": "Report",
    "group": "Governance group",
    "team": "Group",
    "agency": "Agency",
    "communication": "Communication",
    "newsletter": "Newsletter",
    "assessment": "Self-assessment",
}
MAX_LINKS = 10


def _in_sentence(name: str) -> str:
    """ "Change idea" → "change idea", but "PDSA cycle" stays as it is."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def template_current() -> AssessmentTemplate:
    template = AssessmentTemplate.objects.current()
    if template is None:
        raise ValidationError("The self-assessment template is not loaded: run the database migrations.")
    return template


# ---- Evidence links ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedLink:
    content_type: ContentType
    object_id: int
    label: str
    path: str


def evidence_resolve(*, organisation: Organisation, address: str) -> ResolvedLink:
    """The object a pasted PACE Hub link points at, if it is one of the organisation's own."""
    address = address.strip()
    path = urlsplit(address).path or address
    try:
        match = resolve(path)
    except Resolver404:
        raise ValidationError(
            f"{address} is not a page of PACE Hub: paste the address of an aim, a cycle, a meeting…"
        ) from None
    if match.kwargs.get("org") != organisation.slug:
        raise ValidationError(
            f"{address} is a page of another organisation: evidence must be one of {organisation}'s own."
        )
    found = [(name, value) for name, value in match.kwargs.items() if name in EVIDENCE_MODELS]
    if not found:
        raise ValidationError(
            f"{address} is a list, not one thing: open the aim, cycle or meeting and paste its address."
        )
    name, code = found[0]
    model = EVIDENCE_MODELS[name]
    obj = model._default_manager.filter(organisation=organisation, code=code).first()
    if obj is None:
        if model._default_manager.filter(code=code).exists():
            raise ValidationError(
                f"{address} links to another organisation's {_in_sentence(EVIDENCE_NAMES[name])}: "
                f"evidence must be one of {organisation}'s own."
            )
        raise ValidationError(f"{address}: no such {_in_sentence(EVIDENCE_NAMES[name])}.")
    label = f"{EVIDENCE_NAMES[name]}: {obj}"
    get_url = getattr(obj, "get_absolute_url", None)
    return ResolvedLink(
        ContentType.objects.get_for_model(model), obj.pk, label[:300], (get_url() if get_url else path)[:500]
    )


def evidence_resolve_all(*, organisation: Organisation, text: str) -> list[ResolvedLink]:
    """Each line of `text` as a link; every bad line is reported, not just the first."""
    lines = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if len(lines) > MAX_LINKS:
        raise ValidationError(f"Link at most {MAX_LINKS} things to one answer ({len(lines)} given).")
    links, errors = [], []
    for line in lines:
        try:
            links.append(evidence_resolve(organisation=organisation, address=line))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return links


# ---- Starting an assessment ------------------------------------------------------------------------


def _copy_links(source: list[EvidenceLink], answer: SelfAssessmentAnswer) -> list[EvidenceLink]:
    return [
        EvidenceLink(
            organisation=answer.organisation,
            answer=answer,
            content_type_id=link.content_type_id,
            object_id=link.object_id,
            label=link.label,
            path=link.path,
        )
        for link in source
    ]


@transaction.atomic
def self_assessment_start(
    *,
    organisation: Organisation,
    taken_on: datetime.date,
    created_by,
    team: Team | None = None,
    start_from: SelfAssessment | None = None,
    repeat_months: int = 6,
    notes: str = "",
) -> SelfAssessment:
    """A new assessment with an answer for every question of the current template; started from
    an earlier one, it begins with that one's ratings, evidence and links (matched by question key)."""
    errors: dict[str, str] = {}
    if taken_on > timezone.localdate():
        errors["taken_on"] = "An assessment is taken on a day that has come: the date cannot be in the future."
    elif SelfAssessment.objects.filter(organisation=organisation, taken_on=taken_on).exists():
        errors["taken_on"] = (
            f"There is already a self-assessment dated {taken_on:%-d %B %Y}: open it, or choose another date."
        )
    if team is not None and team.organisation_id != organisation.pk:
        errors["team"] = f"Choose one of {organisation}'s own groups."
    if start_from is not None:
        if start_from.organisation_id != organisation.pk:
            errors["start_from"] = f"Start from one of {organisation}'s own assessments."
        elif start_from.taken_on >= taken_on:
            errors["start_from"] = "Start from an earlier assessment than this one."
    if not 1 <= repeat_months <= 24:
        errors["repeat_months"] = "Repeat it after 1 to 24 months."
    if errors:
        raise ValidationError(errors)
    template = template_current()
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(
                organisation=organisation,
                template=template,
                taken_on=taken_on,
                team=team,
                started_from=start_from,
                repeat_months=repeat_months,
                notes=notes,
                created_by=created_by,
            )
    except IntegrityError:
        # Someone else started one for the same day a moment ago.
        raise ValidationError({"taken_on": f"There is already a self-assessment dated {taken_on:%-d %B %Y}."}) from None
    previous: dict[str, SelfAssessmentAnswer] = {}
    if start_from is not None:
        previous = {
            answer.question.key: answer
            for answer in start_from.answers.select_related("question").prefetch_related("links")
        }
    answers = []
    for question in AssessmentQuestion.objects.filter(template=template).order_by("section__order", "order"):
        before = previous.get(question.key)
        answers.append(
            SelfAssessmentAnswer(
                organisation=organisation,
                assessment=assessment,
                question=question,
                rating=before.rating if before else "",
                previous_rating=before.rating if before else "",
                evidence=before.evidence if before else "",
            )
        )
    SelfAssessmentAnswer.objects.bulk_create(answers)
    links = []
    for answer in answers:
        before = previous.get(answer.question.key)
        if before is not None:
            links.extend(_copy_links(list(before.links.all()), answer))
    EvidenceLink.objects.bulk_create(links)
    return assessment


# ---- Answering ---------------------------------------------------------------------------------------


@dataclass
class AnswerInput:
    """What the leads group says about one question."""

    question_key: str
    rating: str
    evidence: str = ""
    links: str = ""  # one PACE Hub address a line
    action_description: str = ""
    action_owner: Membership | None = None
    action_due_on: datetime.date | None = None


def _check_action(data: AnswerInput, organisation: Organisation, today: datetime.date) -> dict[str, str]:
    errors = {}
    if not data.action_description.strip():
        return errors
    if data.action_owner is None:
        errors["action_owner"] = "An action needs an owner."
    elif data.action_owner.organisation_id != organisation.pk:
        errors["action_owner"] = f"{data.action_owner} is not a member of {organisation}: an action's owner must be."
    if data.action_due_on is None:
        errors["action_due_on"] = "An action needs a due date."
    elif data.action_due_on < today:
        errors["action_due_on"] = "The due date cannot be in the past."
    return errors


def _save_action(answer: SelfAssessmentAnswer, data: AnswerInput, user) -> None:
    description = data.action_description.strip()
    action = answer.action
    if action is not None and action.status == Action.Status.OPEN:
        if not description:
            # Clearing the action on the answer drops it, with the reason on the action.
            action_set_status(
                action=action, status=Action.Status.DROPPED, note="Removed from the self-assessment answer."
            )
            return
        action.description, action.owner, action.due_on = description[:500], data.action_owner, data.action_due_on
        action.save(update_fields=["description", "owner", "due_on", "updated_at"])
        return
    if description and (action is None or action.description != description):
        answer.action = Action.objects.create(
            organisation=answer.organisation,
            meeting=None,
            description=description[:500],
            owner=data.action_owner,
            due_on=data.action_due_on,
            created_by=user,
        )


def _changed(answer: SelfAssessmentAnswer, data: AnswerInput, links: list[ResolvedLink], current: set) -> bool:
    action = answer.action
    action_now = (
        (action.description, action.owner_id, action.due_on)
        if action is not None and action.status == Action.Status.OPEN
        else ("", None, None)
    )
    action_new = (
        (data.action_description.strip(), data.action_owner.pk if data.action_owner else None, data.action_due_on)
        if data.action_description.strip()
        else ("", None, None)
    )
    return (
        answer.rating != data.rating
        or answer.evidence != data.evidence.strip()
        or current != {(link.content_type.pk, link.object_id) for link in links}
        or action_now != action_new
    )


@transaction.atomic
def self_assessment_section_save(
    *,
    assessment: SelfAssessment,
    section: AssessmentSection,
    answers: list[AnswerInput],
    member: Membership,
    user,
) -> int:
    """Save a section's answers; every problem is reported (keyed "<question key>:<field>")
    and nothing is written unless all are right. Returns how many answers changed."""
    if assessment.is_complete:
        raise ValidationError("This self-assessment is complete: reopen it to change its answers.")
    if section.template_id != assessment.template_id:
        raise ValidationError("That section belongs to another version of the template.")
    organisation = assessment.organisation
    today = timezone.localdate()
    rows = {
        answer.question.key: answer
        for answer in SelfAssessmentAnswer.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, question__section=section)
        .select_related("question", "action")
        .prefetch_related("links")
    }
    errors: dict[str, list[str]] = {}
    resolved: dict[str, list[ResolvedLink]] = {}
    for data in answers:
        if data.question_key not in rows:
            errors[f"{data.question_key}:rating"] = ["No such question in this section."]
            continue
        if data.rating not in ("", *Rating.values):
            errors[f"{data.question_key}:rating"] = [
                f"{data.rating!r} is not on the scale: choose not started, started, in place or embedded."
            ]
        for name, message in _check_action(data, organisation, today).items():
            errors[f"{data.question_key}:{name}"] = [message]
        try:
            resolved[data.question_key] = evidence_resolve_all(organisation=organisation, text=data.links)
        except ValidationError as error:
            errors[f"{data.question_key}:links"] = error.messages
    if errors:
        raise ValidationError(errors)
    changed = 0
    now = timezone.now()
    for data in answers:
        answer = rows[data.question_key]
        links = resolved[data.question_key]
        current = {(link.content_type_id, link.object_id) for link in answer.links.all()}
        if not _changed(answer, data, links, current):
            continue
        _save_action(answer, data, user)
        answer.rating, answer.evidence = data.rating, data.evidence.strip()
        answer.answered_by, answer.answered_at = member, now
        answer.save()
        wanted = {(link.content_type.pk, link.object_id): link for link in links}
        answer.links.exclude(
            pk__in=[link.pk for link in answer.links.all() if (link.content_type_id, link.object_id) in wanted]
        ).delete()
        EvidenceLink.objects.bulk_create(
            EvidenceLink(
                organisation=organisation,
                answer=answer,
                content_type=link.content_type,
                object_id=link.object_id,
                label=link.label,
                path=link.path,
            )
            for key, link in wanted.items()
            if key not in current
        )
        changed += 1
    if changed:
        assessment.save(update_fields=["updated_at"])
    return changed


# ---- Completing -------------------------------------------------------------------------------------


@transaction.atomic
def self_assessment_complete(*, assessment: SelfAssessment, user) -> SelfAssessment:
    """Mark it complete and freeze what the live-data hints said that day beside it."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_complete:
        raise ValidationError("This self-assessment is already complete.")
    keys = sorted(
        {
            key
            for keys in AssessmentQuestion.objects.filter(template=assessment.template_id).values_list(
                "hint_keys", flat=True
            )
            for key in keys
        }
    )
    hints = hints_for(assessment.organisation, keys=keys)
    assessment.hints_snapshot = {
        "as_of": timezone.localdate().isoformat(),
        "hints": {key: hint.as_dict() for key, hint in hints.items()},
    }
    assessment.status = SelfAssessment.Status.COMPLETE
    assessment.completed_at, assessment.completed_by = timezone.now(), user
    assessment.save()
    return assessment


@transaction.atomic
def self_assessment_reopen(*, assessment: SelfAssessment) -> SelfAssessment:
    """Back to in progress: the hints are live again until it is completed once more."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_complete:
        raise ValidationError("This self-assessment is still in progress.")
    assessment.status = SelfAssessment.Status.DRAFT
    assessment.hints_snapshot, assessment.completed_at, assessment.completed_by = {}, None, None
    assessment.save()
    return assessment


@transaction.atomic
def self_assessment_delete(*, assessment: SelfAssessment) -> None:
    """Delete an assessment still in progress (e.g. started on the wrong date). Its actions stay."""
    if assessment.is_complete:
        raise ValidationError(
            "A complete self-assessment is part of the record and cannot be deleted: reopen it first."
        )
    assessment.delete()
