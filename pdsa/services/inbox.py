"""Writes for the ideas inbox (submit, accept, merge, decline): keyword-only, typed, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pace_hub.models import Membership, Organisation
from pdsa.models import ChangeIdea, IdeaSubmission


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
    submission = IdeaSubmission(
        organisation=organisation,
        submitted_by=submitted_by,
        kind=kind,
        what=what,
        who_affected=who_affected.strip(),
        anonymous=anonymous,
    )
    if anonymous:
        # The change history records no author for an anonymous submission.
        submission._history_user = None
    submission.save()
    return submission


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
