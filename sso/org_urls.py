"""The organisation admin's single sign-on settings, under /o/<org>/."""

from django.urls import path

from sso import views

urlpatterns = [path("settings/sign-in/", views.sso_settings, name="sso_settings")]
