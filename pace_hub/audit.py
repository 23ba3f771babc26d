"""Who opened child-level rows: the access log of DESIGN.md §3, written by the pages that show
children's milestone rows (waiting list, completeness, upload reports, annotated downloads) and
read by the organisation's admins."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from pace_hub.models import ChildDataAccess, Organisation


def child_data_access_record(
    *, organisation: Organisation, user: AbstractBaseUser, what: str, detail: str = ""
) -> ChildDataAccess:
    """Record that ``user`` opened child-level rows of ``organisation`` (one row per opening)."""
    name = user.get_full_name() or user.email or user.get_username()
    return ChildDataAccess.objects.create(
        organisation=organisation, user=user, user_name=name[:300], what=what, detail=detail[:300]
    )


def child_data_accesses(organisation: Organisation) -> QuerySet[ChildDataAccess]:
    """The organisation's access log, newest first (one query per page)."""
    return ChildDataAccess.objects.for_organisation(organisation).order_by("-created_at", "-pk")
