from django.contrib import admin

from pace_hub.admin import TenantAdmin
from pdsa.models import ChangeIdea, Feedback, IdeaSubmission, PDSACycle, Prediction


@admin.register(ChangeIdea)
class ChangeIdeaAdmin(TenantAdmin):
    list_display = ["title", "organisation", "status", "source", "lead"]
    list_filter = ["organisation", "status", "source"]
    search_fields = ["title"]


@admin.register(PDSACycle)
class PDSACycleAdmin(TenantAdmin):
    list_display = ["change_idea", "number", "status", "setting", "start_date"]
    list_filter = ["organisation", "status"]


@admin.register(IdeaSubmission, Prediction, Feedback)
class PDSAPartAdmin(TenantAdmin):
    pass


# ---- Testing, implementation and sharing -------------------------------------------------------

from pdsa.models import (  # noqa: E402
    Approval,
    Implementation,
    PublishedItem,
    ReadinessItem,
    SelfAudit,
    SpreadLocality,
    SpreadPlan,
    TrainingRecord,
)


@admin.register(Implementation)
class ImplementationAdmin(TenantAdmin):
    list_display = ["change_idea", "organisation", "decided_on", "started_on", "live_on"]
    list_filter = ["organisation"]


@admin.register(PublishedItem)
class PublishedItemAdmin(TenantAdmin):
    list_display = ["title", "kind", "organisation_name", "published_at"]
    list_filter = ["kind", "organisation"]
    search_fields = ["title", "summary"]


@admin.register(Approval, ReadinessItem, SelfAudit, SpreadLocality, SpreadPlan, TrainingRecord)
class ImplementationPartAdmin(TenantAdmin):
    pass
