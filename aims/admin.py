from django.contrib import admin

from aims.models import Aim, AimVersion, Driver
from pace_hub.admin import TenantAdmin


@admin.register(Aim)
class AimAdmin(TenantAdmin):
    list_display = ["title", "organisation", "kind", "status", "lead"]
    list_filter = ["organisation", "kind", "status"]
    search_fields = ["title", "statement"]


@admin.register(AimVersion, Driver)
class AimPartAdmin(TenantAdmin):
    list_select_related = ["aim"]
