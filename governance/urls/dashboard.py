"""Dashboard URLs (see governance/urls/__init__.py): the senior managers' dashboard is the root
of /o/<org>/governance/."""

from django.urls import path

from governance.views import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="governance_dashboard"),
]
