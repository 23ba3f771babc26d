"""Version 1 of the PACE self-sufficiency and continuous quality improvement template, as data.

Every section of the template and every question in it, each split into one thing to rate and
worded as the product says it, with the template's own words kept beside it. The data lives in
this migration (not imported from the app) so that version 1 never changes once shipped: a new
wording is a new version in a new migration, and questions keep their keys across versions.
"""

import datetime

from django.db import migrations

NAME = "PACE self-sufficiency and continuous quality improvement template"
SOURCE = "CELCIS PACE (Permanence and Care Excellence) programme"

# (section key, section title, [(question key, question, template wording, hint keys)])
SECTIONS = [
    (
        "team",
        "PACE Team/Leads Group",
        [
            ("team-leads-named", "A PACE Lead and a Data Lead are named.",
             "PACE Lead and Data Lead identified (crucial)", ["leads_named"]),
            ("team-membership", "The leads group includes everyone it needs, e.g. solicitors, reviewing officers "
             "and other agencies.",
             "Who else in team do they need? e.g. Solicitors, Reviewing Officers, other agencies", ["leads_group"]),
            ("team-aim-leads", "Every aim has a named lead.", "Is there a Lead for each Aim?", ["aim_leads"]),
            ("team-aims-groups", "Aims groups are in place for the aims that need one.", "Aims groups?",
             ["aims_groups"]),
            ("team-leads-frequency", "The leads group has agreed how often it meets, and meets that often.",
             "How often will the group meet?", ["meeting_frequency"]),
            ("team-aims-frequency", "Aims groups have agreed how often they meet, and meet that often.",
             "How often will Aims groups meet?", ["aims_group_meetings"]),
            ("team-data-at-meetings", "Data is brought to all or most meetings to track progress.",
             "Data for all/most meetings to track progress", ["meetings_with_data"]),
            ("team-distributed-leadership", "Leadership is distributed at all levels: colleagues are still "
             "generating and testing new change ideas.",
             "Do we still have strong \u201cdistributed leadership\u201d at all levels with colleagues who are still "
             "generating and testing new change ideas?", ["distributed_leadership"]),
        ],
    ),
    (
        "governance",
        "Governance",
        [
            ("governance-structure", "A governance and senior leadership structure is in place: we know who "
             "reports, to whom and how often.",
             "Governance and senior leadership structure - who and how often do they report?", ["governance_groups"]),
            ("governance-barriers", "Governance helps us past barriers and hears about new change ideas, testing "
             "and the implementation of new processes and practice.",
             "Need this for getting past any barriers and communication about new change ideas, testing and "
             "implementation of new processes/practice", ["governance_reports"]),
            ("governance-service-planning", "PACE is part of service planning.",
             "Is PACE seen as part of service planning?", []),
            ("governance-authority-structure", "PACE is part of the local authority's structure.",
             "Part of local authority structure?", []),
        ],
    ),
    (
        "relationships",
        "Relationship building",
        [
            ("relationships-all-agencies", "Relationships exist between people representing every agency: social "
             "work, Children's Hearings Scotland, SCRA, local authority legal, health, education and the third "
             "sector.",
             "Do relationships exist between people representing all agencies? (social work, CHS, SCRA, local "
             "authority legal team, health, education, third sector)", ["relationships_by_agency"]),
            ("relationships-needed", "We know which relationships we still need to build.",
             "What relationships do we need to build?", ["relationships_missing"]),
            ("relationships-targeted", "We take a targeted approach to building them: each has a next step, an "
             "owner and a date.",
             "Do we have a targeted approach to building these relationships", ["relationship_next_steps"]),
            ("relationships-qi-mindset", "Our partners are working towards a PACE and QI mind-set.",
             "and working towards having a PACE/QI mind-set?", ["qi_skills_spread"]),
        ],
    ),
    (
        "data",
        "Data",
        [
            ("data-ongoing", "Data is collected continually, for every or most meetings and for governance "
             "updates.",
             "Ongoing collection - for every/most meetings and for governance updates", ["milestone_uploads"]),
            ("data-understood", "We understand what the data is telling us.",
             "we need to understand what the data is telling us", ["meetings_with_data"]),
            ("data-all-milestones", "Data for all the key permanence milestones is being collected.",
             "Is data for all key permanence milestones being collected?", ["milestone_coverage"]),
            ("data-responsibility", "Everyone is clear who is responsible for collecting each milestone.",
             "Is everyone clear on who is responsible for this?", ["data_responsibility"]),
            ("data-team", "A team can pull the data: it does not rely on one person.",
             "Do we have a team available to pull the data (which isn't reliant on one person to do it)?",
             ["uploaders"]),
            ("data-support", "Others in the service and partner agencies can support the data work.",
             "Who else in other parts of the service/agencies can support this?", ["data_people"]),
        ],
    ),
    (
        "listening",
        "Listening",
        [
            ("listening-experiences", "We actively seek to understand the experiences of infants, children, young "
             "people and families.",
             "Do we actively seek to understand the experiences of infants, children, young people and families?",
             ["voices_heard"]),
            ("listening-weight", "We place real weight on lived experience of care and of the edges of care.",
             "Do we place real weight on these lived experiences of care/the edges of care?",
             ["ideas_from_feedback"]),
            ("listening-toolbox", "We have a toolbox of participation resources that helps us listen really well.",
             "Do we have a toolbox of participation resources which enables us to listen really well?",
             ["participation_resources"]),
            ("listening-strengths", "We are strengths-based, working alongside families where possible.",
             "Are we strengths-based in our focus; working alongside families where possible?", []),
            ("listening-quieter-voices", "We actively seek the quieter voices, such as infants and non-verbal "
             "children.",
             "Do we actively seek those \u201cquieter\u201d voices (such as infants or nonverbal children, to name a "
             "couple of examples but not an exhaustive list)", ["quieter_voices"]),
            ("listening-feedback-loop", "There is a clear feedback loop: we tell children, carers and families "
             "what we did with what they said.",
             "Do have a clear feedback loop?", ["you_said_we_did"]),
            ("listening-barriers", "We learn from children, carers and families what the barriers in the system "
             "are, in several ways.",
             "In what ways are we getting feedback from children, carers and families? How are we learning from "
             "them what the barriers are to the system?", ["voices_heard", "ideas_from_feedback"]),
            ("listening-welcome", "We really welcome feedback.", "Do we really welcome feedback?",
             ["you_said_we_did"]),
        ],
    ),
    (
        "communication",
        "Communication",
        [
            ("communication-channels", "We share our work through a newsletter, the intranet and meetings with "
             "other parts of the service and agencies.",
             "Newsletter? Intranet? Meeting other parts of service/agencies?", ["communications_by_channel"]),
            ("communication-ideas-in", "Anyone can send us barriers and change ideas, and we have a PACE e-mail box "
             "(the ideas inbox) to collect them.",
             "Need to be able to get ideas of barriers and change ideas ... PACE email box to collect ideas?",
             ["ideas_inbox"]),
            ("communication-share-testing", "We share what is being tested and the new processes and practice to "
             "be implemented.",
             "and also share what is being tested and any new processes/practice to be implemented",
             ["newsletters"]),
            ("communication-normal-practice", "PACE and QI are becoming part of normal practice.",
             "How will PACE/QI become part of normal practice?", ["qi_skills_spread"]),
            ("communication-standing-item", "PACE is a standing agenda item at meetings.",
             "Do we have PACE as a standing agenda item for meetings?", ["standing_item"]),
            ("communication-other-areas", "We often share our permanence and improvement work with other areas, "
             "in our own authority and across Scotland.",
             "Frequent sharing of permanence/improvement work with other areas (both within own local authority "
             "and across Scotland)", ["communications_other_areas", "library_shared"]),
            ("communication-governance", "We communicate regularly with our governance structure and the corporate "
             "parenting board.",
             "How do we have regular communication with our governance structure and/or corporate parenting board?",
             ["communications_governance"]),
            ("communication-young-people", "We communicate regularly with groups representing the views of children "
             "and young people with care experience.",
             "And with groups representing the views of children and young people with care experience?",
             ["communications_young_people"]),
        ],
    ),
    (
        "aims",
        "Aims",
        [
            ("aims-refresh", "Aims are refreshed regularly to bring back focus and momentum, with a clear "
             "improvement plan.",
             "Refresh Aims on a regular basis to bring back focus, momentum and to have a clear improvement plan",
             ["aims_reviewed"]),
            ("aims-monitor", "Aims are monitored regularly at PACE group meetings, using data and what testing "
             "tells us.",
             "Monitor Aims on a regular basis at PACE group meetings, using data and info from testing",
             ["meetings_with_data"]),
            ("aims-smart", "New aims are set well: clear, with a percentage, from a baseline and by when.",
             "Remind of what is needed for setting new Aims - clear, %, from and by when, etc.", ["aims_smart"]),
            ("aims-outcome-measure", "Each aim has an outcome measure, and we know how it is recorded and analysed "
             "and who does it.",
             "Outcome measure - how will this be recorded/analysed and who will do it?", ["aims_outcome_measures"]),
            ("aims-local", "We set local aims, not just the PACE national aims.", "Set local Aims and not just PACE "
             "Aims", ["local_aims"]),
        ],
    ),
    (
        "testing",
        "Testing",
        [
            ("testing-covid", "We have learned from the innovations made in response to Covid and decided whether "
             "to keep testing or implement them.",
             "What did we learn from innovations as a response to Covid? Do we want to keep testing or implement "
             "these?", []),
            ("testing-hearing-ideas", "We hear from everyone who has an idea for a change to test.",
             "How are we making sure we are hearing from everyone who has an idea of a change to test?",
             ["ideas_inbox"]),
            ("testing-focus", "We focus on the key change ideas, where we think we will make the biggest impact.",
             "Focus on key change ideas to test \u2013 where do you think you will make the biggest impact?",
             ["idea_leads"]),
            ("testing-pdsa-forms", "We use PDSA forms, and do Plan, Study and Act as a group where it helps, with "
             "the people the change was tested with.",
             "Use PDSA forms - can do Plan, Study and Act as a group if helpful, with people who have been tested",
             ["cycles_planned"]),
            ("testing-reflection", "Leads groups have time to reflect on testing and decide next steps (Study and "
             "Act).",
             "Have time at Leads groups to reflect on testing and decide next steps (\u201cStudy\u201d and "
             "\u201cAct\u201d)", ["testing_reflection"]),
            ("testing-idea-leads", "We know who is leading each change idea being tested.",
             "Identify who is leading on each change idea to be tested (helps to co-ordinate evidence)",
             ["idea_leads", "distributed_leadership"]),
            ("testing-qualitative", "We capture qualitative feedback from children, parents, carers and colleagues "
             "wherever possible: how did it feel, was it easier or more helpful, did it take too long?",
             "Capture qualitative data (feedback etc.) from children, parents, carers and colleagues where at all "
             "possible \u2013 e.g. how did it feel? Was it easier/more helpful? Did it take too long?",
             ["cycle_feedback"]),
            ("testing-awareness", "The leads group and aims groups are kept aware of all testing.",
             "Lead and Aims groups lead to be kept aware of all testing", ["testing_reflection"]),
            ("testing-spread", "Before spreading a change we test it in enough settings and localities, adapt it "
             "and have feedback from everyone it affects.",
             "Spread and scale: has it been tested in enough settings? Across all localities? Any other adaptations "
             "to be done? Do we have feedback from everyone who would be affected by it?", ["spread"]),
            ("testing-no-rush", "We do not rush to implement without the evidence and testing in a variety of "
             "situations.",
             "Don't rush to implement without capturing the necessary evidence and testing in a variety of "
             "situations", ["implementation_evidence"]),
        ],
    ),
    (
        "implementation",
        "Implementation of change ideas",
        [
            ("implementation-covid", "The Covid innovations we want to implement have enough data and feedback "
             "behind them.",
             "Do we have innovations as a result of Covid that we want to implement? Do we have enough "
             "data/feedback to do this?", []),
            ("implementation-group-decision", "The PACE group looks at the evidence from PDSAs, feedback and data "
             "and agrees whether to implement.",
             "Look at evidence from PDSAs/feedback/data etc. and agree as PACE group if should implement",
             ["implementation_evidence"]),
            ("implementation-approval", "We get approval from everyone who needs to give it, which may be many "
             "service leaders.",
             "Get approval from whoever needs to - may be many service leaders", ["approvals"]),
            ("implementation-change-package", "Each change has a change package: a flowchart of the new process, "
             "written guidance on what it is and why, who to contact and where the resources are.",
             "What is in your \u201cchange package\u201d? e.g. flowchart of new process; written guidance on why new "
             "process being introduced and what it is; who to contact for more info about it; links to where key "
             "resources are kept; etc.", ["change_packages"]),
            ("implementation-flowchart", "A clear flowchart or outline of the new process or practice is shared.",
             "Clear flowchart of new processes and/or clear outline of what is involved in new practice shared",
             ["change_packages"]),
            ("implementation-readiness", "We consider standardisation, documentation, training, measurement and "
             "resourcing for each implementation.",
             "Consider: standardization of approach; documentation; training; measurement; and appropriate "
             "resourcing for implementation", ["readiness"]),
            ("implementation-training", "Colleagues are aware of and trained in the new practice, with coaching.",
             "Are colleagues aware/trained in the new innovation? Coaching for this?", ["training_records"]),
            ("implementation-communication", "Everyone who needs to know is told of the new practice: where to "
             "find resources, why it is a better way of working and the date it starts.",
             "Communication: tell all who needs to know of new process/practice; where to find resources/more "
             "info; why it is such a positive new way of working; and what date will it start on?",
             ["change_packages", "newsletters"]),
            ("implementation-contacts", "Colleagues know whom to contact for more information or to give feedback.",
             "Who should colleagues contact for more info/feedback?", ["change_packages"]),
            ("implementation-self-audits", "Periodic self-audits check that the new practice is being followed.",
             "Periodic self-audits can be useful determining if new practices are being followed",
             ["self_audits"]),
        ],
    ),
    (
        "qi",
        "QI knowledge",
        [
            ("qi-commitment", "We are committed to continuous improvement.",
             "Are we committed to continuous improvement?", []),
            ("qi-knowledge", "There is good knowledge of QI across the local authority area and the multi-agency "
             "team, and we know how to build it where there is not.",
             "Do we have a good knowledge of QI across the local authority area and multi-agency team? If not, how "
             "do we build this?", ["qi_skills_spread"]),
            ("qi-links", "We make links with colleagues in the local authority who are trained in QI.",
             "How do we make links within our local authority with colleagues who are trained in QI?",
             ["qi_helpers"]),
            ("qi-cpd", "People are ready to learn about QI as part of their continuing professional development.",
             "Do we have people ready to learn about QI as part of their ongoing continued professional "
             "development?", ["qi_training_wanted"]),
        ],
    ),
    (
        "sharing",
        "Sharing knowledge across Scotland",
        [
            ("sharing-networks", "We use our networks to share what we have learned and to learn from others "
             "across Scotland.",
             "How can we use our networks to share what we've learned and learn from others across Scotland?",
             ["library_shared", "communications_other_areas"]),
            ("sharing-other-challenges", "We use our QI knowledge to tackle other challenges.",
             "How can we use our QI knowledge to tackle other challenges?", ["local_aims"]),
            ("sharing-celcis", "We use CELCIS's PACE legacy information and resources.",
             "CELCIS: Information on the CELCIS website - www.celcis.org - with PACE legacy info/resources",
             ["qi_resources"]),
        ],
    ),
]


def load(apps, schema_editor) -> None:
    Template = apps.get_model("governance", "AssessmentTemplate")
    Section = apps.get_model("governance", "AssessmentSection")
    Question = apps.get_model("governance", "AssessmentQuestion")
    if Template.objects.filter(version=1).exists():
        return
    template = Template.objects.create(version=1, name=NAME, source=SOURCE, published_on=datetime.date(2026, 12, 1))
    for section_order, (key, title, questions) in enumerate(SECTIONS, start=1):
        section = Section.objects.create(template=template, key=key, order=section_order, title=title)
        Question.objects.bulk_create(
            Question(
                template=template,
                section=section,
                key=question_key,
                order=order,
                text=text,
                template_wording=wording,
                hint_keys=hints,
            )
            for order, (question_key, text, wording, hints) in enumerate(questions, start=1)
        )


def unload(apps, schema_editor) -> None:
    apps.get_model("governance", "AssessmentTemplate").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_report_queue_and_notify")]

    operations = [migrations.RunPython(load, unload)]
