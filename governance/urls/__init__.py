"""Governance URLs, under /o/<org>/: the home page, meetings (meetings/), governance groups,
reports and the senior managers' dashboard (governance/)."""

from django.urls import include, path

from governance.views import home

urlpatterns = [
    path("", home.home, name="org_home"),
    path("meetings/", include("governance.urls.meetings")),
    path("governance/", include("governance.urls.reports")),
    path("governance/", include("governance.urls.dashboard")),
]
