"""The organisation admin's API key pages, under /o/<org>/."""

from django.urls import path

from api import views

urlpatterns = [
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/new/", views.api_key_create, name="api_key_create"),
    path("settings/api-keys/<uuid:api_key>/", views.api_key_detail, name="api_key_detail"),
    path("settings/api-keys/<uuid:api_key>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]
