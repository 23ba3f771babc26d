from django.urls import path

from aims import views

urlpatterns = [
    path("", views.aim_list, name="aims"),
    path("new/", views.aim_create, name="aim_create"),
    path("statement-preview/", views.aim_statement_preview, name="aim_statement_preview"),
    path("<uuid:aim>/", views.aim_detail, name="aim_detail"),
    path("<uuid:aim>/edit/", views.aim_edit, name="aim_edit"),
    path("<uuid:aim>/refresh/", views.aim_refresh, name="aim_refresh"),
    path("<uuid:aim>/review/", views.aim_review, name="aim_review"),
    path("<uuid:aim>/progress-score/", views.aim_progress_score, name="aim_progress_score"),
    path("<uuid:aim>/drivers/", views.aim_drivers, name="aim_drivers"),
    path("<uuid:aim>/driver-diagram.svg", views.aim_diagram_svg, name="aim_diagram_svg"),
    path("drivers/<uuid:driver>/edit/", views.driver_edit, name="driver_edit"),
    path("drivers/<uuid:driver>/remove/", views.driver_delete, name="driver_delete"),
    path("drivers/<uuid:driver>/move/", views.driver_move, name="driver_move"),
]
