"""Forms for the registers: QI skills (one member's), the register's filters, and who collects
each milestone's data."""

from __future__ import annotations

from django import forms

from measures.models import Milestone
from pace_hub.models import Agency, Membership, Organisation


class QISkillsForm(forms.Form):
    qi_skill = forms.ChoiceField(label="QI skill level", choices=Membership.QISkill.choices)
    wants_qi_training = forms.BooleanField(label="I would like QI training", required=False)
    qi_cpd_interest = forms.CharField(
        label="QI learning and CPD interest",
        max_length=300,
        required=False,
        help_text="What you would like to learn or the training you want, e.g. the Scottish Improvement Leader "
        "programme, run charts, facilitating PDSA cycles.",
    )


class QISkillsFilterForm(forms.Form):
    agency = forms.ChoiceField(required=False)
    level = forms.ChoiceField(
        label="QI level", required=False, choices=[("", "Any level"), *Membership.QISkill.choices]
    )
    wants_training = forms.BooleanField(label="Only people who want training", required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.for_organisation(organisation).order_by("name").values_list("pk", "name")
        self.fields["agency"].choices = [
            ("", "Any agency"),
            *((str(pk), name) for pk, name in agencies),
            ("none", "No agency recorded"),
        ]
        self.fields["agency"].widget.attrs["class"] = "form-select"
        self.fields["level"].widget.attrs["class"] = "form-select"
        self.fields["wants_training"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"agency": data["agency"], "level": data["level"], "wants_training": data["wants_training"]}


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, member: Membership) -> str:
        return member.display_name


class DataResponsibilityForm(forms.Form):
    """A "responsible for collecting it" choice for each active milestone."""

    def __init__(self, *args, organisation: Organisation, milestones: list[Milestone], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = Membership.objects.for_organisation(organisation).select_related("user")
        self.milestones = milestones
        for milestone in milestones:
            self.fields[f"milestone-{milestone.code}"] = MemberChoice(
                label=milestone.name,
                queryset=people,
                required=False,
                empty_label="Nobody named",
                initial=milestone.responsible_id,
                error_messages={"invalid_choice": f"Choose a member of {organisation} for {milestone.name}."},
            )

    def assignments(self) -> dict[Milestone, Membership | None]:
        return {milestone: self.cleaned_data.get(f"milestone-{milestone.code}") for milestone in self.milestones}
