from django.contrib import admin

from pace_hub.admin import TenantAdmin
from sso.models import IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(TenantAdmin):
    list_display = ["organisation", "enabled", "issuer", "client_id", "allowed_domains"]
    exclude = ["client_secret_encrypted"]
