"""Meetings URLs, under /o/<org>/meetings/ (see governance/urls/__init__.py)."""

from django.urls import path

from governance.views import meetings

urlpatterns = [
    path("", meetings.meetings, name="meetings"),
    path("teams/<uuid:team>/new/", meetings.meeting_create, name="meeting_create"),
    path("<uuid:meeting>/", meetings.meeting_detail, name="meeting_detail"),
    path("<uuid:meeting>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("<uuid:meeting>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path("<uuid:meeting>/held/", meetings.meeting_hold, name="meeting_hold"),
    path("<uuid:meeting>/finalise/", meetings.meeting_finalise, name="meeting_finalise"),
    path("<uuid:meeting>/refresh/", meetings.agenda_refresh, name="agenda_refresh"),
    path("<uuid:meeting>/items/new/", meetings.item_create, name="item_create"),
    path("<uuid:meeting>/print/", meetings.meeting_print, name="meeting_print"),
    path("<uuid:meeting>/agenda-and-minutes.pdf", meetings.meeting_pdf, name="meeting_pdf"),
    path("items/<uuid:item>/edit/", meetings.item_edit, name="item_edit"),
    path("items/<uuid:item>/remove/", meetings.item_delete, name="item_delete"),
    path("items/<uuid:item>/move/", meetings.item_move, name="item_move"),
    path("items/<uuid:item>/minutes/", meetings.item_minutes, name="item_minutes"),
    path("items/<uuid:item>/study/", meetings.item_study, name="item_study"),
    path("items/<uuid:item>/act/", meetings.item_act, name="item_act"),
    path("items/<uuid:item>/actions/new/", meetings.action_create, name="action_create"),
    path("actions/<uuid:action>/edit/", meetings.action_edit, name="action_edit"),
    path("actions/<uuid:action>/status/", meetings.action_status, name="action_status"),
]
