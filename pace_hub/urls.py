"""Root URLs. Every organisation page lives under /o/<org>/ (see pace_hub.tenancy)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pace_hub import views
from pace_hub.auth_forms import EmailAuthenticationForm

organisation_urls = [
    path("", include("governance.urls")),
    path("", include("pace_hub.org_urls")),
    path("measures/", include("measures.urls")),
    path("aims/", include("aims.urls")),
    path("testing/", include("pdsa.urls")),
    path("", include("sso.org_urls")),
    path("", include("api.org_urls")),
]

urlpatterns = [
    # The chooser (governance/views/home.py): it reads aims, uploads and meetings.
    path("", include("governance.urls.root")),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("accounts/sso/", include("sso.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org>/", include(organisation_urls)),
    path("api/", include("api.urls")),
]
