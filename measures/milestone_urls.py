"""Milestone data and pathway settings, included from measures/urls.py (under /o/<org>/measures/)."""

from django.urls import path

from measures import milestone_views as views

urlpatterns = [
    path("data/", views.data_home, name="milestone_data"),
    path("data/template.xlsx", views.template_download, {"kind": "xlsx"}, name="milestone_template_xlsx"),
    path("data/template.csv", views.template_download, {"kind": "csv"}, name="milestone_template_csv"),
    path("data/imports/", views.import_list, name="milestone_imports"),
    path("data/imports/new/", views.import_new, name="milestone_import_new"),
    path("data/imports/<uuid:milestone_import>/", views.import_detail, name="milestone_import"),
    path("data/imports/<uuid:milestone_import>/progress/", views.import_progress, name="milestone_import_progress"),
    path("data/imports/<uuid:milestone_import>/commit/", views.import_commit, name="milestone_import_commit"),
    path("data/imports/<uuid:milestone_import>/rollback/", views.import_rollback, name="milestone_import_rollback"),
    path(
        "data/imports/<uuid:milestone_import>/annotated.xlsx",
        views.import_annotated,
        name="milestone_import_annotated",
    ),
    path("data/waiting/", views.waiting, name="milestone_waiting"),
    path("data/completeness/", views.completeness, name="milestone_completeness"),
    path("pathway/", views.pathway_settings, name="pathway"),
    path("pathway/milestones/new/", views.milestone_create, name="milestone_create"),
    path("pathway/milestones/<slug:milestone>/edit/", views.milestone_edit, name="milestone_edit"),
    path("pathway/milestones/<slug:milestone>/move/", views.milestone_move, name="milestone_move"),
    path("pathway/timescales/new/", views.timescale_create, name="timescale_create"),
    path("pathway/timescales/<uuid:timescale>/edit/", views.timescale_edit, name="timescale_edit"),
]
