"""Testing (PDSA cycles, feedback, spread), implementation and the sharing library, under
/o/<org>/testing/."""

from django.urls import path

from pdsa import views_implementation, views_library, views_testing

urlpatterns = [
    path("ideas/<uuid:idea>/cycles/", views_testing.idea_testing, name="idea_testing"),
    path("ideas/<uuid:idea>/cycles/new/", views_testing.cycle_create, name="cycle_create"),
    path("cycles/<uuid:cycle>/", views_testing.cycle_detail, name="cycle_detail"),
    path("cycles/<uuid:cycle>/plan/", views_testing.cycle_plan, name="cycle_plan"),
    path("cycles/<uuid:cycle>/do/", views_testing.cycle_do, name="cycle_do"),
    path("cycles/<uuid:cycle>/study/", views_testing.cycle_study, name="cycle_study"),
    path("cycles/<uuid:cycle>/act/", views_testing.cycle_act, name="cycle_act"),
    path("listening/", views_testing.listening_log, name="listening_log"),
    path("listening/new/", views_testing.feedback_create, name="feedback_create"),
    path("listening/<uuid:feedback>/respond/", views_testing.feedback_respond, name="feedback_respond"),
    path("listening/<uuid:feedback>/edit/", views_testing.feedback_edit, name="feedback_edit"),
    path("listening/<uuid:feedback>/delete/", views_testing.feedback_delete, name="feedback_delete"),
    path("cycles/<uuid:cycle>/delete/", views_testing.cycle_delete, name="cycle_delete"),
    path("ideas/<uuid:idea>/spread/", views_testing.spread, name="spread"),
    path("ideas/<uuid:idea>/spread/localities/", views_testing.spread_locality_add, name="spread_locality_add"),
    path(
        "spread/localities/<uuid:locality>/remove/",
        views_testing.spread_locality_remove,
        name="spread_locality_remove",
    ),
    path("ideas/<uuid:idea>/spread/voices/", views_testing.spread_voices, name="spread_voices"),
]

urlpatterns += [
    path("ideas/<uuid:idea>/implementation/", views_implementation.implementation_detail, name="implementation_detail"),
    path(
        "ideas/<uuid:idea>/implementation/decide/",
        views_implementation.implementation_decide,
        name="implementation_decide",
    ),
    path("approvals/<uuid:approval>/", views_implementation.approval_decide, name="approval_decide"),
    path("implementations/<uuid:implementation>/package/", views_implementation.package_page, name="package_page"),
    path(
        "implementations/<uuid:implementation>/package/edit/",
        views_implementation.package_edit,
        name="package_edit",
    ),
    path("implementations/<uuid:implementation>/package.pdf", views_implementation.package_pdf, name="package_pdf"),
    path(
        "implementations/<uuid:implementation>/flowchart/",
        views_implementation.flowchart_file,
        name="flowchart_file",
    ),
    path(
        "implementations/<uuid:implementation>/readiness/",
        views_implementation.readiness_edit,
        name="readiness_edit",
    ),
    path(
        "implementations/<uuid:implementation>/training/new/",
        views_implementation.training_add,
        name="training_add",
    ),
    path("implementations/<uuid:implementation>/audits/new/", views_implementation.audit_add, name="audit_add"),
    path("audits/<uuid:audit>/", views_implementation.audit_edit, name="audit_edit"),
    path(
        "implementations/<uuid:implementation>/start/",
        views_implementation.implementation_start,
        name="implementation_start",
    ),
    path(
        "implementations/<uuid:implementation>/live/",
        views_implementation.implementation_go_live,
        name="implementation_go_live",
    ),
]

urlpatterns += [
    path("library/", views_library.library, name="library"),
    path("library/copy/", views_library.library_copy, name="library_copy"),
    path("library/withdraw/", views_library.library_withdraw, name="library_withdraw"),
    path("implementations/<uuid:implementation>/publish/", views_library.publish_package, name="publish_package"),
    path("cycles/<uuid:cycle>/publish/", views_library.publish_cycle, name="publish_cycle"),
]
