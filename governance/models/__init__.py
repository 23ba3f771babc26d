from governance.models.communications import Communication, DigestDelivery, Newsletter, NewsletterSection
from governance.models.meetings import Action, AgendaItem, Attendance, Meeting
from governance.models.reports import GovernanceGroup, Report
from governance.models.self_assessment import (
    AssessmentQuestion,
    AssessmentSection,
    AssessmentTemplate,
    EvidenceLink,
    Rating,
    SelfAssessment,
    SelfAssessmentAnswer,
)

__all__ = [
    "Action",
    "AgendaItem",
    "AssessmentQuestion",
    "AssessmentSection",
    "AssessmentTemplate",
    "Attendance",
    "Communication",
    "DigestDelivery",
    "EvidenceLink",
    "GovernanceGroup",
    "Meeting",
    "Newsletter",
    "NewsletterSection",
    "Rating",
    "Report",
    "SelfAssessment",
    "SelfAssessmentAnswer",
]
