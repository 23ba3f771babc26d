"""Who may do what. Roles are capability sets, not a ladder: a lead may not upload child data,
a data lead may not approve implementation (DESIGN.md §1)."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEAD = "lead", "Lead"
    DATA = "data", "Data lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Permission(models.TextChoices):
    VIEW = "view", "read the organisation's improvement work"
    EDIT = "edit", "create and edit aims, change ideas, PDSA cycles, feedback and actions"
    MEASURES = "measures", "manage measures and data points"
    CHILD_DATA = "child_data", "see child-level milestone rows"
    UPLOAD = "upload", "upload milestone data and roll back imports"
    PATHWAY = "pathway", "change pathway settings (milestones and timescales)"
    LEAD = "lead", "approve implementation, triage ideas and run meetings"
    ADMIN = "admin", "manage members, roles and deletions"


_ALL = frozenset(Role)
GRANTS: dict[str, frozenset[str]] = {
    Permission.VIEW: _ALL,
    Permission.EDIT: frozenset({Role.ADMIN, Role.LEAD, Role.DATA, Role.MEMBER}),
    Permission.MEASURES: frozenset({Role.ADMIN, Role.LEAD, Role.DATA}),
    Permission.CHILD_DATA: frozenset({Role.ADMIN, Role.LEAD, Role.DATA}),
    Permission.UPLOAD: frozenset({Role.ADMIN, Role.DATA}),
    Permission.PATHWAY: frozenset({Role.ADMIN, Role.DATA}),
    Permission.LEAD: frozenset({Role.ADMIN, Role.LEAD}),
    Permission.ADMIN: frozenset({Role.ADMIN}),
}


def role_has(role: str, permission: str) -> bool:
    return role in GRANTS[permission]
