"""Measures URLs, under /o/<org>/measures/. Milestone data and pathway settings live under
data/ and pathway/ (measures.milestones.urls)."""

from django.urls import include, path

from measures import views

urlpatterns = [
    path("", views.measure_list, name="measures"),
    path("new/", views.measure_create, name="measure_create"),
    path("chart-chooser/", views.measure_chooser, name="measure_chooser"),
    path("<uuid:measure>/", views.measure_detail, name="measure_detail"),
    path("<uuid:measure>/edit/", views.measure_edit, name="measure_edit"),
    path("<uuid:measure>/entry/", views.measure_data, name="measure_data"),
    path("<uuid:measure>/entry/paste/", views.measure_paste, name="measure_paste"),
    path("<uuid:measure>/entry/upload/", views.measure_upload, name="measure_upload"),
    path("<uuid:measure>/entry/point/", views.measure_point_save, name="measure_point_save"),
    path("<uuid:measure>/entry/point/delete/", views.measure_point_delete, name="measure_point_delete"),
    path("<uuid:measure>/annotations/new/", views.annotation_create, name="annotation_create"),
    path("<uuid:measure>/phases/new/", views.phase_create, name="phase_create"),
    path("<uuid:measure>/export.csv", views.measure_export, {"kind": "csv"}, name="measure_export_csv"),
    path("<uuid:measure>/export.xlsx", views.measure_export, {"kind": "xlsx"}, name="measure_export_xlsx"),
    path("annotations/<uuid:annotation>/delete/", views.annotation_delete, name="annotation_delete"),
    path("phases/<uuid:phase>/delete/", views.phase_delete, name="phase_delete"),
    path("", include("measures.milestones.urls")),
]
