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
