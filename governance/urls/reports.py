"""Governance groups, reports and meetings' data packs, under /o/<org>/governance/
(see governance/urls/__init__.py)."""

from django.urls import path

from governance.views import reports

urlpatterns = [
    path("groups/", reports.group_list, name="governance_groups"),
    path("groups/new/", reports.group_new, name="governance_group_new"),
    path("groups/<uuid:group>/", reports.group_detail, name="governance_group"),
    path("groups/<uuid:group>/edit/", reports.group_edit, name="governance_group_edit"),
    path("groups/<uuid:group>/delete/", reports.group_delete, name="governance_group_delete"),
    path("groups/<uuid:group>/reports/new/", reports.report_new, name="report_new"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<uuid:report>/", reports.report_detail, name="report_detail"),
    path("reports/<uuid:report>/progress/", reports.report_progress, name="report_progress"),
    path("reports/<uuid:report>/narrative/", reports.report_narrative, name="report_narrative"),
    path("reports/<uuid:report>/issue/", reports.report_issue, name="report_issue"),
    path("reports/<uuid:report>/retry/", reports.report_retry, name="report_retry"),
    path("reports/<uuid:report>/rebuild/", reports.report_rebuild, name="report_rebuild"),
    path("reports/<uuid:report>/report.pdf", reports.report_pdf, name="report_pdf"),
    path("reports/<uuid:report>/report.html", reports.report_html, name="report_html"),
    path("meetings/<uuid:meeting>/data-pack/", reports.meeting_data_pack, name="meeting_data_pack"),
]
