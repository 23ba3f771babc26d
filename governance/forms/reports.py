"""Forms for governance groups and their reports: the group, the period to build, the narrative."""

from __future__ import annotations

import datetime

from django import forms

from aims.models import Aim
from governance import schedule
from governance.models import GovernanceGroup, Report
from pace_hub.models import Membership, Organisation
from pace_hub.roles import GRANTS, Permission

NO_NAMES = "Board papers are widely read: never name a child or family, or give details that identify them."


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, membership: Membership) -> str:
        job = f", {membership.job_title}" if membership.job_title else ""
        return f"{membership.display_name}{job}"


class GovernanceGroupForm(forms.ModelForm):
    reporter = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        help_text="Who writes and issues the group's reports. Leads and admins can too.",
    )
    aims = forms.ModelMultipleChoiceField(
        queryset=Aim.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Aims the group follows",
        help_text="Leave them all unticked to follow every active aim, as it is when each report is built.",
    )

    class Meta:
        model = GovernanceGroup
        fields = [
            "name",
            "audience",
            "reporter",
            "cadence",
            "due_days_after_period",
            "draft_days_before_due",
            "aims",
            "active",
        ]
        labels = {"active": "Active (reports are scheduled)"}
        help_texts = {
            "cadence": "Periods follow the financial year from 1 April: quarters are April–June, July–September, "
            "October–December and January–March.",
            "draft_days_before_due": "The draft is built and the reporter e-mailed this many days before it is due.",
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # A reporter writes the report, so viewers (who cannot edit) are not offered.
        self.fields["reporter"].queryset = (
            Membership.objects.for_organisation(organisation)
            .filter(role__in=GRANTS[Permission.EDIT])
            .select_related("user")
            .order_by("user__first_name", "user__last_name")
        )
        self.fields["aims"].queryset = (
            Aim.objects.for_organisation(organisation)
            .filter(status__in=[Aim.Status.DRAFT, Aim.Status.ACTIVE, Aim.Status.ACHIEVED])
            .order_by("title")
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = GovernanceGroup.objects.for_organisation(self.organisation).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"There is already a governance group called “{name}”.")
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        due, draft = cleaned.get("due_days_after_period"), cleaned.get("draft_days_before_due")
        if due is not None and draft is not None and draft > due:
            self.add_error(
                "draft_days_before_due",
                f"The draft cannot be built before the period ends: choose at most {due} days "
                f"(the report is due {due} days after the period).",
            )
        return cleaned


class ReportRequestForm(forms.Form):
    period = forms.TypedChoiceField(
        label="Period",
        coerce=datetime.date.fromisoformat,
        help_text="The report freezes the figures as they are today; activity is counted within the period.",
    )

    def __init__(self, *args, group: GovernanceGroup, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = dict(
            Report.objects.filter(group=group, kind=Report.Kind.GOVERNANCE).values_list("period_start", "status")
        )
        labels = dict(Report.Status.choices)
        choices = []
        for period in schedule.recent_periods(group.cadence, today=today):
            suffix = " (in progress)" if period.contains(today) else ""
            if period.start in existing:
                suffix += f" — already asked for: {labels[existing[period.start]].lower()}"
            choices.append((period.start.isoformat(), period.label + suffix))
        self.fields["period"].choices = choices
        self.fields["period"].initial = schedule.next_due(group, today=today).period.start.isoformat()


class ReportNarrativeForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["narrative", "asks"]
        labels = {"narrative": "Narrative", "asks": "Asks of the board"}
        help_texts = {
            "narrative": "Your account of the period: what the figures show, what was tested and learnt, "
            "and what happens next. " + NO_NAMES,
            "asks": "What you need the board to decide, support or unblock. One ask a line.",
        }
        widgets = {"narrative": forms.Textarea(attrs={"rows": 10}), "asks": forms.Textarea(attrs={"rows": 5})}
