"""Writes for spread and scale. Keyword-only, typed, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction

from pdsa.models import ChangeIdea, SpreadLocality


@transaction.atomic
def spread_locality_add(*, idea: ChangeIdea, name: str) -> SpreadLocality:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter a setting or locality."})
    locality, _ = SpreadLocality.objects.get_or_create(
        change_idea=idea, name=name, defaults={"organisation": idea.organisation}
    )
    return locality
