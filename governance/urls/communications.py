"""Communications URLs, under /o/<org>/communications/: the log, the newsletters and each
member's weekly digest (see governance/urls/__init__.py)."""

from django.urls import path

from governance.views import communications as views

urlpatterns = [
    path("", views.communications, name="communications"),
    path("new/", views.communication_create, name="communication_create"),
    path("<uuid:communication>/edit/", views.communication_edit, name="communication_edit"),
    path("<uuid:communication>/delete/", views.communication_delete, name="communication_delete"),
    path("newsletters/", views.newsletter_list, name="newsletters"),
    path("newsletters/new/", views.newsletter_draft, name="newsletter_draft"),
    path("newsletters/<uuid:newsletter>/", views.newsletter_detail, name="newsletter"),
    path("newsletters/<uuid:newsletter>/edit/", views.newsletter_edit, name="newsletter_edit"),
    path("newsletters/<uuid:newsletter>/newsletter.html", views.newsletter_html, name="newsletter_html"),
    path("newsletters/<uuid:newsletter>/newsletter.pdf", views.newsletter_pdf, name="newsletter_pdf"),
    path("newsletters/<uuid:newsletter>/issue/", views.newsletter_issue, name="newsletter_issue"),
    path("newsletters/<uuid:newsletter>/delete/", views.newsletter_delete, name="newsletter_delete"),
    path("digest/", views.digest_preferences, name="digest_preferences"),
]
