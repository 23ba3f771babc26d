"""Writes for change ideas and the ideas inbox: keyword-only, typed, atomic (STYLE.md)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.models import Aim, Driver
from pace_hub.models import Membership, Organisation
from pdsa.annotations import sync_annotations_for_idea
from pdsa.models import ChangeIdea, IdeaSubmission

IDEA_FIELDS = ("title", "description", "source", "source_detail", "lead", "status")


def _same_organisation(organisation: Organisation, rows: Iterable, what: str) -> list:
    rows = list(rows)
    if any(row.organisation_id != organisation.id for row in rows):
        raise ValidationError(f"A chosen {what} belongs to another organisation.")
    return rows


def _link(idea: ChangeIdea, aims: Iterable[Aim], drivers: Iterable[Driver]) -> None:
    aims = _same_organisation(idea.organisation, aims, "aim")
    drivers = _same_organisation(idea.organisation, drivers, "driver")
    # A change idea pushing a driver works towards that driver's aim too.
    aim_ids = {aim.pk for aim in aims} | {driver.aim_id for driver in drivers}
    idea.aims.set(aim_ids)
    idea.drivers.set(drivers)
    # The aims it serves decide which charts carry its cycles and go-live date.
    sync_annotations_for_idea(idea)


@transaction.atomic
def change_idea_create(
    *,
    organisation: Organisation,
    data: dict,
    aims: Iterable[Aim] = (),
    drivers: Iterable[Driver] = (),
) -> ChangeIdea:
    idea = ChangeIdea(organisation=organisation)
    for name in IDEA_FIELDS:
        if name in data:
            setattr(idea, name, data[name])
    if idea.lead is not None and idea.lead.organisation_id != organisation.id:
        raise ValidationError({"lead": "The lead must be a member of this organisation."})
    idea.save()
    _link(idea, aims, drivers)
    return idea


@transaction.atomic
def change_idea_update(
    *,
    idea: ChangeIdea,
    data: dict,
    aims: Iterable[Aim] | None = None,
    drivers: Iterable[Driver] | None = None,
) -> ChangeIdea:
    for name in IDEA_FIELDS:
        if name in data:
            setattr(idea, name, data[name])
    if idea.lead is not None and idea.lead.organisation_id != idea.organisation_id:
        raise ValidationError({"lead": "The lead must be a member of this organisation."})
    idea.save()
    if aims is not None or drivers is not None:
        _link(
            idea,
            aims if aims is not None else idea.aims.all(),
            drivers if drivers is not None else idea.drivers.all(),
        )
    return idea


def change_idea_set_status(*, idea: ChangeIdea, status: str) -> ChangeIdea:
    if status not in ChangeIdea.Status.values:
        raise ValidationError(f"{status!r} is not a change-idea status.")
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    return idea


@transaction.atomic
def driver_ideas_set(*, driver: Driver, ideas: Iterable[ChangeIdea]) -> None:
    """Which change ideas push this driver (they are linked to the driver's aim as well)."""
    ideas = _same_organisation(driver.organisation, ideas, "change idea")
    driver.change_ideas.set(ideas)
    for idea in ideas:
        idea.aims.add(driver.aim_id)
        sync_annotations_for_idea(idea)


def submission_create(
    *,
    organisation: Organisation,
    submitted_by: Membership,
    kind: str,
    what: str,
    who_affected: str = "",
    anonymous: bool = False,
) -> IdeaSubmission:
    what = what.strip()
    if not what:
        raise ValidationError({"what": "Describe the barrier or idea."})
    return IdeaSubmission.objects.create(
        organisation=organisation,
        submitted_by=submitted_by,
        kind=kind,
        what=what,
        who_affected=who_affected.strip(),
        anonymous=anonymous,
    )


def _open_for_triage(submission: IdeaSubmission) -> IdeaSubmission:
    submission = IdeaSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != IdeaSubmission.Status.NEW:
        raise ValidationError(f"This submission was already triaged ({submission.get_status_display().lower()}).")
    return submission


def _triaged(submission: IdeaSubmission, *, status: str, by: Membership, idea=None, reason: str = "") -> None:
    submission.status = status
    submission.change_idea = idea
    submission.decision_reason = reason
    submission.triaged_by = by
    submission.triaged_at = timezone.now()
    submission.save()


@transaction.atomic
def submission_accept(
    *, submission: IdeaSubmission, by: Membership, title: str, description: str = "", note: str = ""
) -> ChangeIdea:
    """Accept a submission as a new change idea (source: the ideas inbox)."""
    submission = _open_for_triage(submission)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the new change idea a short title."})
    idea = ChangeIdea.objects.create(
        organisation=submission.organisation,
        title=title,
        description=description.strip() or submission.what,
        source=ChangeIdea.Source.INBOX,
        source_detail=f"Ideas inbox, {timezone.localdate(submission.created_at):%-d %B %Y}",
    )
    _triaged(submission, status=IdeaSubmission.Status.ACCEPTED, by=by, idea=idea, reason=note.strip())
    return idea


@transaction.atomic
def submission_merge(*, submission: IdeaSubmission, by: Membership, into: ChangeIdea, note: str = "") -> ChangeIdea:
    """Merge a submission into an existing change idea it repeats or adds to."""
    submission = _open_for_triage(submission)
    if into.organisation_id != submission.organisation_id:
        raise ValidationError({"into": "Choose a change idea of this organisation."})
    _triaged(submission, status=IdeaSubmission.Status.MERGED, by=by, idea=into, reason=note.strip())
    return into


@transaction.atomic
def submission_decline(*, submission: IdeaSubmission, by: Membership, reason: str) -> None:
    submission = _open_for_triage(submission)
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is declined: the person who sent it will see the reason."})
    _triaged(submission, status=IdeaSubmission.Status.DECLINED, by=by, reason=reason.strip())
