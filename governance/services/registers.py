"""Writes for the registers: a member's QI skills, and who collects each milestone's data.
Keyword-only, typed, atomic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from measures.models import Milestone
from pace_hub.models import Membership, Organisation


@transaction.atomic
def qi_skills_update(
    *, membership: Membership, qi_skill: str, wants_qi_training: bool, qi_cpd_interest: str = ""
) -> Membership:
    if qi_skill not in Membership.QISkill.values:
        raise ValidationError({"qi_skill": "Choose a level from none yet to improvement advisor."})
    membership.qi_skill, membership.wants_qi_training = qi_skill, wants_qi_training
    membership.qi_cpd_interest = qi_cpd_interest.strip()
    membership.save(update_fields=["qi_skill", "wants_qi_training", "qi_cpd_interest", "updated_at"])
    return membership


@transaction.atomic
def data_responsibility_set(*, organisation: Organisation, assignments: dict[Milestone, Membership | None]) -> int:
    """Name who collects each milestone (None for nobody). Returns how many changed."""
    errors = []
    for milestone, member in assignments.items():
        if milestone.organisation_id != organisation.pk:
            errors.append(f"{milestone} is another organisation's milestone.")
        if member is not None and member.organisation_id != organisation.pk:
            errors.append(f"{member} is not a member of {organisation}: choose one of its members for {milestone}.")
    if errors:
        raise ValidationError(errors)
    changed = 0
    for milestone, member in assignments.items():
        if milestone.responsible_id != (member.pk if member else None):
            milestone.responsible = member
            milestone.save(update_fields=["responsible", "updated_at"])
            changed += 1
    return changed
