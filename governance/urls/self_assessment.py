"""Self-assessment URLs, under /o/<org>/self-assessment/ (see governance/urls/__init__.py)."""

from django.urls import path

from governance.views import self_assessment as views

urlpatterns = [
    path("", views.self_assessments, name="self_assessments"),
    path("new/", views.self_assessment_start, name="self_assessment_start"),
    path("compare/", views.self_assessment_compare, name="self_assessment_compare"),
    path("<uuid:assessment>/", views.self_assessment, name="self_assessment"),
    path("<uuid:assessment>/sections/<slug:section>/", views.self_assessment_section, name="self_assessment_section"),
    path("<uuid:assessment>/complete/", views.self_assessment_complete, name="self_assessment_complete"),
    path("<uuid:assessment>/reopen/", views.self_assessment_reopen, name="self_assessment_reopen"),
    path("<uuid:assessment>/delete/", views.self_assessment_delete, name="self_assessment_delete"),
    path("<uuid:assessment>/export.pdf", views.self_assessment_pdf, name="self_assessment_pdf"),
    path("<uuid:assessment>/export.xlsx", views.self_assessment_xlsx, name="self_assessment_xlsx"),
]
