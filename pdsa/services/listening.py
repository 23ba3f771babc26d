"""Writes for feedback and its "you said, we did" response. Keyword-only, typed, atomic."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pdsa.models import ChangeIdea, Feedback, PDSACycle


@transaction.atomic
def feedback_record(
    *,
    organisation,
    recorded_by,
    voice: str,
    received_on: date,
    text: str,
    method: str = "",
    how_it_felt: str = "",
    easier: str = "",
    too_long: str = "",
    cycle: PDSACycle | None = None,
    change_idea: ChangeIdea | None = None,
) -> Feedback:
    if cycle is not None:
        if cycle.organisation_id != organisation.pk:
            raise ValidationError("That PDSA cycle belongs to another organisation.")
        if change_idea is not None and change_idea.pk != cycle.change_idea_id:
            raise ValidationError({"change_idea": "The cycle belongs to a different change idea."})
        change_idea = cycle.change_idea
    if change_idea is not None and change_idea.organisation_id != organisation.pk:
        raise ValidationError("That change idea belongs to another organisation.")
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date the feedback was given cannot be in the future."})
    return Feedback.objects.create(
        organisation=organisation,
        recorded_by=recorded_by,
        voice=voice,
        received_on=received_on,
        text=text,
        method=method,
        how_it_felt=how_it_felt,
        easier=easier,
        too_long=too_long,
        cycle=cycle,
        change_idea=change_idea,
    )


@transaction.atomic
def feedback_respond(*, feedback: Feedback, response: str, user) -> Feedback:
    """ "You said, we did": close the loop (an empty response reopens it)."""
    response = response.strip()
    feedback.response = response
    feedback.responded_at = timezone.now() if response else None
    feedback.responded_by = user if response else None
    feedback.save(update_fields=["response", "responded_at", "responded_by", "updated_at"])
    return feedback


@transaction.atomic
def feedback_update(*, feedback: Feedback, **values: object) -> Feedback:
    """Correct recorded feedback (e.g. remove something that identifies a child)."""
    allowed = {"voice", "method", "received_on", "how_it_felt", "easier", "too_long", "text", "cycle", "change_idea"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown feedback fields {sorted(unknown)}")
    cycle, idea = values.get("cycle"), values.get("change_idea")
    if cycle is not None:
        if cycle.organisation_id != feedback.organisation_id:
            raise ValidationError("That PDSA cycle belongs to another organisation.")
        if idea is not None and idea.pk != cycle.change_idea_id:
            raise ValidationError({"change_idea": "The cycle belongs to a different change idea."})
        values["change_idea"] = cycle.change_idea
    if idea is not None and idea.organisation_id != feedback.organisation_id:
        raise ValidationError("That change idea belongs to another organisation.")
    if values.get("received_on") and values["received_on"] > timezone.localdate():
        raise ValidationError({"received_on": "The date the feedback was given cannot be in the future."})
    for name, value in values.items():
        setattr(feedback, name, value)
    feedback.save()
    return feedback


@transaction.atomic
def feedback_delete(*, feedback: Feedback) -> None:
    feedback.delete()
