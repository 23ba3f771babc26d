"""Milestone data (the data home, uploads and their reports, waiting, completeness) and pathway
settings, included from measures/urls.py (under /o/<org>/measures/)."""

from django.urls import path

from measures.milestones.views import benchmark, data, imports, pathway, survival

urlpatterns = [
    path("data/", data.data_home, name="milestone_data"),
    path("data/template.xlsx", imports.template_download, {"kind": "xlsx"}, name="milestone_template_xlsx"),
    path("data/template.csv", imports.template_download, {"kind": "csv"}, name="milestone_template_csv"),
    path("data/imports/", imports.import_list, name="milestone_imports"),
    path("data/imports/new/", imports.import_new, name="milestone_import_new"),
    path("data/imports/<uuid:milestone_import>/", imports.import_detail, name="milestone_import"),
    path("data/imports/<uuid:milestone_import>/progress/", imports.import_progress, name="milestone_import_progress"),
    path("data/imports/<uuid:milestone_import>/commit/", imports.import_commit, name="milestone_import_commit"),
    path("data/imports/<uuid:milestone_import>/rollback/", imports.import_rollback, name="milestone_import_rollback"),
    path("data/imports/<uuid:milestone_import>/retry/", imports.import_retry, name="milestone_import_retry"),
    path(
        "data/imports/<uuid:milestone_import>/annotated.xlsx",
        imports.import_annotated,
        name="milestone_import_annotated",
    ),
    path("data/waiting/", data.waiting, name="milestone_waiting"),
    path("data/waiting.csv", data.waiting_export, name="milestone_waiting_csv"),
    path("data/completeness/", data.completeness, name="milestone_completeness"),
    path("data/completeness.csv", data.completeness_export, name="milestone_completeness_csv"),
    path("data/time-to-permanence/", survival.survival_list, name="milestone_survival"),
    path("data/time-to-permanence/<uuid:timescale>/", survival.survival_detail, name="milestone_survival_timescale"),
    path("benchmark/", benchmark.national, name="benchmark"),
    path("benchmark/sharing/", benchmark.sharing, name="benchmark_sharing"),
    path("benchmark/publish/", benchmark.publish, name="benchmark_publish"),
    path("pathway/", pathway.pathway_settings, name="pathway"),
    path("pathway/references/", pathway.reference_format, name="reference_format"),
    path("pathway/milestones/new/", pathway.milestone_create, name="milestone_create"),
    path("pathway/milestones/<slug:milestone>/edit/", pathway.milestone_edit, name="milestone_edit"),
    path("pathway/milestones/<slug:milestone>/move/", pathway.milestone_move, name="milestone_move"),
    path("pathway/timescales/new/", pathway.timescale_create, name="timescale_create"),
    path("pathway/timescales/<uuid:timescale>/edit/", pathway.timescale_edit, name="timescale_edit"),
]
