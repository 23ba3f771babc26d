"""Writes for a meeting's actions: who does what by when, linked to the agenda item and
optionally to an aim, a change idea or a PDSA cycle. Open actions come back on every later
agenda of the team until they are done or dropped. Keyword-only, typed, atomic."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.models import Aim
from governance.models import Action, AgendaItem, Meeting
from pace_hub.models import Membership
from pdsa.models import ChangeIdea, PDSACycle


def _check(
    *,
    meeting: Meeting,
    description: str,
    owner: Membership | None,
    due_on: datetime.date | None,
    item: AgendaItem | None,
    aim: Aim | None,
    change_idea: ChangeIdea | None,
    cycle: PDSACycle | None,
) -> str:
    errors: dict[str, str] = {}
    description = description.strip()
    org = meeting.organisation
    if not description:
        errors["description"] = "Say what is to be done."
    if owner is None:
        errors["owner"] = "Choose who owns the action."
    elif owner.organisation_id != org.pk:
        errors["owner"] = f"{owner} is not a member of {org}: an action's owner must be."
    meeting_day = timezone.localtime(meeting.starts_at).date()
    if due_on is None:
        errors["due_on"] = "Give a due date."
    elif due_on < meeting_day:
        errors["due_on"] = f"The due date cannot be before the meeting ({meeting_day:%d %B %Y})."
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = "That agenda item belongs to another meeting."
    for name, linked in (("aim", aim), ("change_idea", change_idea), ("cycle", cycle)):
        if linked is not None and linked.organisation_id != org.pk:
            errors[name] = f"Choose one of {org}'s own."
    if errors:
        raise ValidationError(errors)
    return description


def _defaults(
    item: AgendaItem | None, aim: Aim | None, change_idea: ChangeIdea | None, cycle: PDSACycle | None
) -> tuple[Aim | None, ChangeIdea | None, PDSACycle | None]:
    """An action raised on an aim's or a cycle's item is about that aim or cycle, unless told otherwise."""
    if item is not None:
        aim = aim or item.aim
        cycle = cycle or item.cycle
    if cycle is not None and change_idea is None:
        change_idea = cycle.change_idea
    return aim, change_idea, cycle


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    description: str,
    owner: Membership | None,
    due_on: datetime.date | None,
    item: AgendaItem | None = None,
    aim: Aim | None = None,
    change_idea: ChangeIdea | None = None,
    cycle: PDSACycle | None = None,
    created_by=None,
) -> Action:
    aim, change_idea, cycle = _defaults(item, aim, change_idea, cycle)
    description = _check(
        meeting=meeting,
        description=description,
        owner=owner,
        due_on=due_on,
        item=item,
        aim=aim,
        change_idea=change_idea,
        cycle=cycle,
    )
    return Action.objects.create(
        organisation=meeting.organisation,
        meeting=meeting,
        item=item,
        description=description,
        owner=owner,
        due_on=due_on,
        aim=aim,
        change_idea=change_idea,
        cycle=cycle,
        created_by=created_by,
    )


def _set_status(action: Action, status: str, note: str, at: datetime.datetime) -> None:
    if status not in Action.Status.values:
        raise ValidationError({"status": "Choose open, done or dropped."})
    if status == Action.Status.DROPPED and not note.strip():
        raise ValidationError({"closed_note": "Say why the action is dropped."})
    if status == Action.Status.OPEN:
        action.closed_on, action.closed_at, action.closed_note = None, None, ""
    elif action.status != status or action.closed_on is None:
        action.closed_on, action.closed_at = timezone.localtime(at).date(), at
    if status != Action.Status.OPEN:
        action.closed_note = note.strip()
    action.status = status


@transaction.atomic
def action_update(
    *,
    action: Action,
    description: str,
    owner: Membership | None,
    due_on: datetime.date | None,
    status: str,
    closed_note: str = "",
    item: AgendaItem | None = None,
    aim: Aim | None = None,
    change_idea: ChangeIdea | None = None,
    cycle: PDSACycle | None = None,
) -> Action:
    if action.meeting is None:
        raise ValidationError("This action was not raised at a meeting; change it where it was raised.")
    description = _check(
        meeting=action.meeting,
        description=description,
        owner=owner,
        due_on=due_on,
        item=item,
        aim=aim,
        change_idea=change_idea,
        cycle=cycle,
    )
    _set_status(action, status, closed_note, timezone.now())
    action.description, action.owner, action.due_on = description, owner, due_on
    action.item, action.aim, action.change_idea, action.cycle = item, aim, change_idea, cycle
    action.save()
    return action


@transaction.atomic
def action_set_status(*, action: Action, status: str, note: str = "", at: datetime.datetime | None = None) -> Action:
    """Close an action (done, or dropped with a reason) or reopen it, now or ``at``."""
    _set_status(action, status, note, at or timezone.now())
    action.save(update_fields=["status", "closed_on", "closed_at", "closed_note", "updated_at"])
    return action
