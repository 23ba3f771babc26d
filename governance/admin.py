from django.contrib import admin

from governance.models import (
    Action,
    AgendaItem,
    AssessmentQuestion,
    AssessmentSection,
    AssessmentTemplate,
    Attendance,
    Communication,
    DigestDelivery,
    EvidenceLink,
    GovernanceGroup,
    Meeting,
    Newsletter,
    NewsletterSection,
    Report,
    SelfAssessment,
    SelfAssessmentAnswer,
)
from pace_hub.admin import TenantAdmin


@admin.register(Meeting)
class MeetingAdmin(TenantAdmin):
    list_display = ["team", "starts_at", "status", "organisation"]
    list_filter = ["organisation", "status"]


@admin.register(Action)
class ActionAdmin(TenantAdmin):
    list_display = ["description", "owner", "due_on", "status", "organisation"]
    list_filter = ["organisation", "status"]


@admin.register(Report)
class ReportAdmin(TenantAdmin):
    list_display = ["title", "kind", "status", "progress", "issued_at", "organisation"]
    list_filter = ["organisation", "kind", "status"]
    # A report is a frozen snapshot: its figures are never edited by hand.
    readonly_fields = [*TenantAdmin.readonly_fields, "snapshot", "html_file", "pdf_file", "issued_at", "issued_by"]


@admin.register(
    AgendaItem,
    Attendance,
    GovernanceGroup,
    SelfAssessment,
    SelfAssessmentAnswer,
    EvidenceLink,
    Communication,
    Newsletter,
    NewsletterSection,
)
class GovernancePartAdmin(TenantAdmin):
    pass


@admin.register(AssessmentTemplate, AssessmentSection, AssessmentQuestion)
class AssessmentTemplateAdmin(admin.ModelAdmin):
    """The template's versioned questions, loaded by a data migration: read them, do not edit."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """The log of weekly digests sent (no per-row history: it is itself a log)."""

    list_display = ["membership", "week_of", "items", "organisation"]
    list_filter = ["organisation"]
