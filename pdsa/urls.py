"""Testing URLs, under /o/<org>/testing/: change ideas and the ideas inbox, PDSA cycles, the
listening log, spread, implementation and the library shared across Scotland."""

from django.urls import path

from pdsa.views import ideas, implementation, inbox, indexes, library, listening, spread, testing

urlpatterns = [
    path("", ideas.change_ideas, name="change_ideas"),
    path("ideas/new/", ideas.change_idea_create, name="change_idea_create"),
    path("ideas/<uuid:idea>/", ideas.change_idea_detail, name="change_idea_detail"),
    path("ideas/<uuid:idea>/edit/", ideas.change_idea_edit, name="change_idea_edit"),
    path("ideas/<uuid:idea>/status/", ideas.change_idea_status, name="change_idea_status"),
    path("drivers/<uuid:driver>/ideas/", ideas.driver_ideas, name="driver_ideas"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/send/", inbox.submission_create, name="submission_create"),
    path("inbox/mine/", inbox.my_submissions, name="my_submissions"),
    path("inbox/<uuid:submission>/", inbox.submission_triage, name="submission_triage"),
]

urlpatterns += [
    path("cycles/", indexes.cycle_list, name="cycle_list"),
    path("implementations/", indexes.implementation_list, name="implementation_list"),
    path("ideas/<uuid:idea>/cycles/", testing.idea_testing, name="idea_testing"),
    path("ideas/<uuid:idea>/cycles/new/", testing.cycle_create, name="cycle_create"),
    path("cycles/<uuid:cycle>/", testing.cycle_detail, name="cycle_detail"),
    path("cycles/<uuid:cycle>/plan/", testing.cycle_plan, name="cycle_plan"),
    path("cycles/<uuid:cycle>/do/", testing.cycle_do, name="cycle_do"),
    path("cycles/<uuid:cycle>/study/", testing.cycle_study, name="cycle_study"),
    path("cycles/<uuid:cycle>/act/", testing.cycle_act, name="cycle_act"),
    path("listening/", listening.listening_log, name="listening_log"),
    path("listening/new/", listening.feedback_create, name="feedback_create"),
    path("listening/<uuid:feedback>/respond/", listening.feedback_respond, name="feedback_respond"),
    path("listening/<uuid:feedback>/edit/", listening.feedback_edit, name="feedback_edit"),
    path("listening/<uuid:feedback>/delete/", listening.feedback_delete, name="feedback_delete"),
    path("cycles/<uuid:cycle>/delete/", testing.cycle_delete, name="cycle_delete"),
    path("ideas/<uuid:idea>/spread/", spread.spread, name="spread"),
    path("ideas/<uuid:idea>/spread/localities/", spread.spread_locality_add, name="spread_locality_add"),
    path(
        "spread/localities/<uuid:locality>/remove/",
        spread.spread_locality_remove,
        name="spread_locality_remove",
    ),
    path("ideas/<uuid:idea>/spread/voices/", spread.spread_voices, name="spread_voices"),
]

urlpatterns += [
    path("ideas/<uuid:idea>/implementation/", implementation.implementation_detail, name="implementation_detail"),
    path(
        "ideas/<uuid:idea>/implementation/decide/",
        implementation.implementation_decide,
        name="implementation_decide",
    ),
    path("approvals/<uuid:approval>/", implementation.approval_decide, name="approval_decide"),
    path("implementations/<uuid:implementation>/package/", implementation.package_page, name="package_page"),
    path(
        "implementations/<uuid:implementation>/package/edit/",
        implementation.package_edit,
        name="package_edit",
    ),
    path("implementations/<uuid:implementation>/package.pdf", implementation.package_pdf, name="package_pdf"),
    path(
        "implementations/<uuid:implementation>/flowchart/",
        implementation.flowchart_file,
        name="flowchart_file",
    ),
    path(
        "implementations/<uuid:implementation>/readiness/",
        implementation.readiness_edit,
        name="readiness_edit",
    ),
    path(
        "implementations/<uuid:implementation>/training/new/",
        implementation.training_add,
        name="training_add",
    ),
    path("implementations/<uuid:implementation>/audits/new/", implementation.audit_add, name="audit_add"),
    path("audits/<uuid:audit>/", implementation.audit_edit, name="audit_edit"),
    path(
        "implementations/<uuid:implementation>/start/",
        implementation.implementation_start,
        name="implementation_start",
    ),
    path(
        "implementations/<uuid:implementation>/live/",
        implementation.implementation_go_live,
        name="implementation_go_live",
    ),
]

urlpatterns += [
    path("library/", library.library, name="library"),
    path("library/copy/", library.library_copy, name="library_copy"),
    path("library/withdraw/", library.library_withdraw, name="library_withdraw"),
    path("implementations/<uuid:implementation>/publish/", library.publish_package, name="publish_package"),
    path("cycles/<uuid:cycle>/publish/", library.publish_cycle, name="publish_cycle"),
]
