"""Governance URLs, under /o/<org>/: the home page, meetings (meetings/), governance groups,
reports and the senior managers' dashboard (governance/), the self-assessment (self-assessment/),
communications and digests (communications/) and the registers (team/registers/)."""

from django.urls import include, path

from governance.views import home

urlpatterns = [
    path("", home.home, name="org_home"),
    path("meetings/", include("governance.urls.meetings")),
    path("governance/", include("governance.urls.reports")),
    path("governance/", include("governance.urls.dashboard")),
    path("self-assessment/", include("governance.urls.self_assessment")),
    path("communications/", include("governance.urls.communications")),
    path("team/registers/", include("governance.urls.registers")),
]
