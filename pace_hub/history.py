"""The organisation's audit trail, read from django-simple-history's tables.

One query per tracked model (a fixed number), merged in Python: cheaper and simpler than a
UNION across tables with different columns.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from simple_history.models import registered_models

from pace_hub.models import Membership, Organisation

_SKIPPED_FIELDS = {"updated_at", "created_at", "code", "id", "organisation", "data_version"}
_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
NO_ACCOUNT = "system or a deleted account"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    what: str
    object: str
    kind: str
    fields: tuple[str, ...]


def _historical_models() -> list[type[models.Model]]:
    found = []
    for model in registered_models.values():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager and hasattr(model, manager):
            found.append(getattr(model, manager).model)
    return found


def _org_filter(historical: type[models.Model], organisation: Organisation) -> models.Q | None:
    names = {field.name for field in historical._meta.fields}
    if "organisation" in names:
        return models.Q(organisation_id=organisation.pk)
    if historical.instance_type is Organisation:
        return models.Q(id=organisation.pk)
    return None


def _describe(record: models.Model) -> str:
    """The changed object as text; a row whose related rows are gone since (a membership whose
    account was deleted) is named by its number rather than failing the page."""
    if record.history_type == "-":
        return f"#{record.id}"
    try:
        return str(record.instance)
    except ObjectDoesNotExist:
        return f"#{record.id} (refers to something since deleted)"


def _who(record: models.Model, submitters: dict[int, int]) -> str:
    """Who made the change. Anonymous submissions (the ideas inbox's "hide my name") never name
    their submitter, whatever the record says: the history must keep the anonymity too."""
    user = record.history_user
    if getattr(record, "anonymous", False) and (user is None or submitters.get(record.submitted_by_id) == user.pk):
        return ANONYMOUS
    if user is None:
        return NO_ACCOUNT
    return user.get_full_name() or user.email or user.username


def recent_changes(organisation: Organisation, *, limit: int = 100) -> list[Change]:
    changes: list[Change] = []
    # Membership → user, to recognise a submitter's own changes to an anonymous submission.
    submitters = dict(Membership.objects.filter(organisation=organisation).values_list("pk", "user_id"))
    for historical in _historical_models():
        scope = _org_filter(historical, organisation)
        if scope is None:
            continue
        records = list(
            historical.objects.filter(scope).select_related("history_user").order_by("-history_date")[:limit]
        )
        previous_by_object: dict = {}
        # Oldest first, so each record can be compared with the one before it in this batch.
        for record in reversed(records):
            before = previous_by_object.get(record.id)
            fields: tuple[str, ...] = ()
            if before is not None and record.history_type == "~":
                delta = record.diff_against(before)
                fields = tuple(
                    historical.instance_type._meta.get_field(change.field).verbose_name
                    for change in delta.changes
                    if change.field not in _SKIPPED_FIELDS
                )
            previous_by_object[record.id] = record
            changes.append(
                Change(
                    when=record.history_date,
                    who=_who(record, submitters),
                    what=str(historical.instance_type._meta.verbose_name).capitalize(),
                    object=_describe(record),
                    kind=_TYPES[record.history_type],
                    fields=fields,
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]
