from django.contrib import admin

from api.models import ApiCall, ApiKey, MilestoneBatch
from pace_hub.admin import TenantAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(TenantAdmin):
    list_display = ["name", "organisation", "scope", "prefix", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "last_used_at"]


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "organisation", "key", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the log is a record, not something to edit


@admin.register(MilestoneBatch)
class MilestoneBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "key", "records", "response_status"]
