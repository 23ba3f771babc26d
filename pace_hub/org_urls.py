from django.urls import path

from pace_hub import views

urlpatterns = [
    path("team/", views.team_page, name="team"),
    path("team/invite/", views.member_invite, name="member_invite"),
    path("team/invitations/<uuid:invitation>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("team/members/<uuid:member>/edit/", views.member_edit, name="member_edit"),
    path("team/members/<uuid:member>/remove/", views.member_remove, name="member_remove"),
    path("team/groups/", views.teams, name="teams"),
    path("team/groups/new/", views.team_create, name="team_create"),
    path("team/groups/<uuid:team>/edit/", views.team_edit, name="team_edit"),
    path("team/agencies/", views.agencies, name="agencies"),
    path("team/agencies/new/", views.agency_create, name="agency_create"),
    path("team/agencies/<uuid:agency>/", views.agency_detail, name="agency_detail"),
    path("team/agencies/<uuid:agency>/edit/", views.agency_edit, name="agency_edit"),
    path("resources/", views.resources, name="resources"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("settings/", views.organisation_settings, name="organisation_settings"),
    path("history/", views.history, name="history"),
    path("history/child-data/", views.child_data_access_log, name="child_data_access_log"),
]
