"""Single sign-on's sign-in steps, under /accounts/sso/ (outside any organisation, as sign-in is;
the admin's settings page is in sso/org_urls.py)."""

from django.urls import path

from sso import views

urlpatterns = [
    path("", views.sso_start, name="sso_start"),
    path("<slug:org>/login/", views.sso_login, name="sso_login"),
    path("<slug:org>/callback/", views.sso_callback, name="sso_callback"),
]
