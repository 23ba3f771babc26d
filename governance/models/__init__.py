from governance.models.meetings import Action, AgendaItem, Attendance, Meeting
from governance.models.reports import GovernanceGroup, Report

__all__ = ["Action", "AgendaItem", "Attendance", "GovernanceGroup", "Meeting", "Report"]
