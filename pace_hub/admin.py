from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pace_hub.models import (
    Agency,
    ChildDataAccess,
    Invitation,
    Membership,
    Organisation,
    OutboxTask,
    Resource,
    Team,
)


class TenantAdmin(SimpleHistoryAdmin):
    """Shared admin for tenant-owned rows: filter by organisation, never edit the code."""

    list_filter = ["organisation"]
    readonly_fields = ["code", "created_at", "updated_at"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "pace_lead", "data_lead"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "organisation", "role", "job_title", "agency", "qi_skill"]
    list_filter = ["organisation", "role", "qi_skill"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(TenantAdmin):
    list_display = ["name", "organisation", "kind", "relationship"]
    list_filter = ["organisation", "kind", "relationship"]


@admin.register(Team)
class TeamAdmin(TenantAdmin):
    list_display = ["name", "organisation", "kind", "meeting_frequency"]
    filter_horizontal = ["members"]


@admin.register(Resource)
class ResourceAdmin(TenantAdmin):
    list_display = ["title", "organisation", "kind"]


@admin.register(Invitation)
class InvitationAdmin(TenantAdmin):
    list_display = ["email", "organisation", "role", "expires_at", "accepted_at"]
    readonly_fields = ["code", "token", "created_at", "updated_at"]


@admin.register(ChildDataAccess)
class ChildDataAccessAdmin(admin.ModelAdmin):
    """The access log is evidence: it can be read, never written or changed by hand."""

    list_display = ["created_at", "organisation", "user_name", "what", "detail"]
    list_filter = ["organisation", "what"]
    readonly_fields = ["organisation", "user", "user_name", "what", "detail", "code", "created_at", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Background work asked for and not yet done (or done this week): what waits for the broker,
    and why. Written only by pace_hub.background."""

    list_display = ["created_at", "task", "args", "attempts", "sent_at", "done_at", "last_error"]
    list_filter = ["task", ("done_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["task", "args", "created_at", "sent_at", "done_at", "attempts", "last_attempt_at", "last_error"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
