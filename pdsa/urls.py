"""Change ideas, the ideas inbox, and (from pdsa.testing_urls) PDSA testing, under /o/<org>/testing/."""

from django.urls import include, path

from pdsa import views_ideas

urlpatterns = [
    path("", views_ideas.change_ideas, name="change_ideas"),
    path("ideas/new/", views_ideas.change_idea_create, name="change_idea_create"),
    path("ideas/<uuid:idea>/", views_ideas.change_idea_detail, name="change_idea_detail"),
    path("ideas/<uuid:idea>/edit/", views_ideas.change_idea_edit, name="change_idea_edit"),
    path("ideas/<uuid:idea>/status/", views_ideas.change_idea_status, name="change_idea_status"),
    path("drivers/<uuid:driver>/ideas/", views_ideas.driver_ideas, name="driver_ideas"),
    path("inbox/", views_ideas.inbox, name="inbox"),
    path("inbox/send/", views_ideas.submission_create, name="submission_create"),
    path("inbox/mine/", views_ideas.my_submissions, name="my_submissions"),
    path("inbox/<uuid:submission>/", views_ideas.submission_triage, name="submission_triage"),
    path("", include("pdsa.testing_urls")),
]
