"""Writes for a meeting's agenda: the default items from live data, and adding, editing,
removing, reordering and minuting items. Keyword-only, typed, atomic; views call these."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.models import Aim
from aims.selectors import OPEN_STATUSES
from governance.models import AgendaItem, Meeting
from governance.selectors.meetings import Window, cycles_reaching_study_or_act, since_window
from pace_hub.models import Team
from pdsa.models import PDSACycle

K = AgendaItem.Kind


@dataclass(frozen=True)
class ItemSpec:
    """One default agenda item, before it is saved."""

    kind: str
    title: str
    description: str = ""
    aim: Aim | None = None
    cycle: PDSACycle | None = None

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        return (self.kind, self.aim.pk if self.aim else None, self.cycle.pk if self.cycle else None)


def _key(item: AgendaItem) -> tuple[str, int | None, int | None]:
    return (item.kind, item.aim_id, item.cycle_id)


STANDING = ItemSpec(
    K.STANDING_PACE,
    "PACE: standing item",
    "Progress of the PACE programme: the leads group and its aims groups, governance, partner "
    "agencies and anything to escalate.",
)
DECISIONS = ItemSpec(
    K.DECISIONS,
    "Implementation decisions awaiting approval",
    "Changes the group decided to implement that still wait for a service leader's approval, and "
    "tested ideas ready for a decision.",
)
IDEAS = ItemSpec(K.IDEAS, "Ideas inbox awaiting triage", "Barriers and ideas sent in by colleagues.")
LISTENING = ItemSpec(
    K.LISTENING,
    'Listening: feedback awaiting "you said, we did"',
    "What children, families, carers and colleagues told us that has no response yet.",
)
ACTIONS = ItemSpec(K.ACTIONS, "Actions carried over", "Open actions from earlier meetings of this group.")
AOB = ItemSpec(K.AOB, "Any other business")


def _aim_specs(aims: list[Aim], *, with_measures: bool) -> list[ItemSpec]:
    if not aims:
        return [ItemSpec(K.AIM_REVIEW, "Aims and data review", "No active aims yet: agree the group's first aim.")]
    extra = " Its outcome chart and its process and balancing measures." if with_measures else ""
    return [
        ItemSpec(K.AIM_REVIEW, f"Aims and data review: {aim.title}", (aim.statement or aim.title) + extra, aim=aim)
        for aim in aims
    ]


def _cycle_specs(cycles: list[PDSACycle]) -> list[ItemSpec]:
    if not cycles:
        return [
            ItemSpec(
                K.TESTING,
                "Testing reflection (Study and Act)",
                "No PDSA cycle reached Study or Act since the last meeting.",
            )
        ]
    return [
        ItemSpec(
            K.TESTING,
            f"Testing reflection: {cycle.change_idea.title}, cycle {cycle.number}",
            "Study the results against the predictions and decide what to do next, together.",
            cycle=cycle,
        )
        for cycle in cycles
    ]


def default_items(meeting: Meeting, window: Window) -> list[ItemSpec]:
    """The agenda a new meeting of this team opens with (DESIGN.md §9)."""
    org = meeting.organisation
    kind = meeting.team.kind
    if kind == Team.Kind.LEADS:
        aims = list(Aim.objects.for_organisation(org).active().order_by("title"))
        cycles = cycles_reaching_study_or_act(org, window)
        return [
            STANDING,
            *_aim_specs(aims, with_measures=False),
            *_cycle_specs(cycles),
            DECISIONS,
            IDEAS,
            LISTENING,
            ACTIONS,
            AOB,
        ]
    if kind == Team.Kind.AIMS:
        # The group's own aims, their measures and their cycles, then actions.
        aims = list(
            Aim.objects.for_organisation(org)
            .filter(aims_group=meeting.team, status__in=OPEN_STATUSES)
            .order_by("title")
        )
        cycles = cycles_reaching_study_or_act(org, window, aims=aims) if aims else []
        return [*_aim_specs(aims, with_measures=True), *_cycle_specs(cycles), ACTIONS, AOB]
    return [STANDING, ACTIONS, AOB]


def _create(meeting: Meeting, spec: ItemSpec, position: int) -> AgendaItem:
    return AgendaItem(
        organisation=meeting.organisation,
        meeting=meeting,
        position=position,
        kind=spec.kind,
        title=spec.title[:300],
        description=spec.description,
        aim=spec.aim,
        cycle=spec.cycle,
    )


def _renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def agenda_prefill(*, meeting: Meeting, now: datetime.datetime | None = None) -> list[AgendaItem]:
    """Give a meeting with no agenda yet its default items, from live data."""
    if meeting.items.exists():
        raise ValidationError("This meeting already has an agenda; update it from live data instead.")
    specs = default_items(meeting, since_window(meeting, now=now))
    items = [_create(meeting, spec, position) for position, spec in enumerate(specs, start=1)]
    for item in items:
        item.save()
    return items


def _is_blank(item: AgendaItem) -> bool:
    return not (item.minutes.strip() or item.decisions.strip() or item.actions.exists())


@transaction.atomic
def agenda_refresh(*, meeting: Meeting, now: datetime.datetime | None = None) -> list[AgendaItem]:
    """Add items for aims that became active and cycles that reached Study or Act since the agenda
    was made, each next to its kind; the rest of the agenda is left as the chair arranged it.
    Returns the items added."""
    current = list(meeting.items.order_by("position", "pk"))
    by_key = {_key(item): item for item in current}
    specs = default_items(meeting, since_window(meeting, now=now))
    added: list[AgendaItem] = []
    anchor: AgendaItem | None = None
    for spec in specs:
        existing = by_key.get(spec.key)
        if existing is not None:
            anchor = existing
            continue
        if spec.aim is None and spec.cycle is None:
            # Standing items the chair removed stay removed; only live-data items are added.
            continue
        item = _create(meeting, spec, 0)
        item.save()
        current.insert(current.index(anchor) + 1 if anchor is not None else 0, item)
        by_key[spec.key] = item
        added.append(item)
        anchor = item
    # A "nothing to review" item gives way to the real items of its kind, unless it was minuted.
    for kind in {item.kind for item in added}:
        for item in list(current):
            if item.kind == kind and item.aim_id is None and item.cycle_id is None and _is_blank(item):
                current.remove(item)
                item.delete()
    _renumber(current)
    return added


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the item a title."})
    return title


@transaction.atomic
def item_create(*, meeting: Meeting, title: str, description: str = "") -> AgendaItem:
    """Add an item: at the end, but before "Any other business" when that closes the agenda."""
    items = list(meeting.items.order_by("position", "pk"))
    item = AgendaItem(
        organisation=meeting.organisation,
        meeting=meeting,
        kind=K.OTHER,
        title=_check_title(title),
        description=description.strip(),
    )
    item.save()
    at = len(items) - 1 if items and items[-1].kind == K.AOB else len(items)
    items.insert(at, item)
    _renumber(items)
    return item


@transaction.atomic
def item_update(*, item: AgendaItem, title: str, description: str) -> AgendaItem:
    item.title, item.description = _check_title(title), description.strip()
    item.save(update_fields=["title", "description", "updated_at"])
    return item


@transaction.atomic
def item_delete(*, item: AgendaItem) -> None:
    """Remove an item that holds nothing: minutes, decisions and actions are never lost this way."""
    if item.minutes.strip() or item.decisions.strip():
        raise ValidationError("This item has minutes or decisions recorded; clear them before removing it.")
    count = item.actions.count()
    if count:
        raise ValidationError(
            f"This item has {count} action{'s' if count > 1 else ''}; move or delete them before removing it."
        )
    meeting = item.meeting
    item.delete()
    _renumber(list(meeting.items.order_by("position", "pk")))


@transaction.atomic
def item_move(*, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap the item with the one above ("up") or below ("down")."""
    if direction not in {"up", "down"}:
        raise ValidationError("Move an item up or down.")
    items = list(AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id).order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        raise ValidationError(f"This item is already the {'first' if direction == 'up' else 'last'} on the agenda.")
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    item.position = target + 1
    return item


@transaction.atomic
def item_minutes_save(*, item: AgendaItem, minutes: str, decisions: str) -> AgendaItem:
    item.minutes, item.decisions = minutes.strip(), decisions.strip()
    item.save(update_fields=["minutes", "decisions", "updated_at"])
    return item
