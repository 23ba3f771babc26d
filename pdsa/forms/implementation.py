"""Forms for implementing a change idea."""

from django import forms
from django.core.exceptions import ValidationError

from measures.models import Measure
from pace_hub.models import Membership, Resource
from pace_hub.roles import Role
from pdsa.forms.widgets import DateInput
from pdsa.models import (
    Approval,
    ChangeIdea,
    Feedback,
    Implementation,
    PDSACycle,
    ReadinessItem,
    SelfAudit,
    TrainingRecord,
)
from pdsa.services.implementation import flowchart_type


class CycleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, cycle: PDSACycle) -> str:
        where = f" — {cycle.setting}" if cycle.setting else ""
        return f"Cycle {cycle.number}{where} ({cycle.get_status_display().lower()})"


class FeedbackChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, feedback: Feedback) -> str:
        return f"{feedback.get_voice_display()}, {feedback.received_on:%-d %b %Y}: {feedback.text[:80]}"


class DecisionForm(forms.ModelForm):
    evidence_cycles = CycleChoiceField(
        queryset=PDSACycle.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="PDSA cycles"
    )
    evidence_feedback = FeedbackChoiceField(
        queryset=Feedback.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Feedback"
    )
    approvers = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Service leaders who must approve",
        help_text="Each named person records their own approval or declines with a comment.",
    )

    class Meta:
        model = Implementation
        fields = ["decided_on", "meeting", "decision_text", "evidence_cycles", "evidence_feedback", "evidence_measure"]
        widgets = {"decided_on": DateInput(), "decision_text": forms.Textarea(attrs={"rows": 3})}
        labels = {"evidence_measure": "Chart (measure) that shows the evidence"}
        help_texts = {"decision_text": "What the group agreed, and why the evidence from testing is enough."}

    def __init__(self, *args, idea: ChangeIdea, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        org = idea.organisation
        self.fields["evidence_cycles"].queryset = PDSACycle.objects.filter(change_idea=idea)
        self.fields["evidence_feedback"].queryset = Feedback.objects.filter(change_idea=idea)
        self.fields["evidence_measure"].queryset = Measure.objects.for_organisation(org).filter(archived=False)
        self.fields["approvers"].queryset = (
            Membership.objects.for_organisation(org).filter(role__in=[Role.LEAD, Role.ADMIN]).select_related("user")
        )
        if self.instance.pk:
            self.initial["approvers"] = list(self.instance.approvals.values_list("approver_id", flat=True))


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Approval.Decision.APPROVED, "Approve"), (Approval.Decision.DECLINED, "Decline")],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Comment", help_text="Required if you decline."
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == Approval.Decision.DECLINED and not data.get("comment", "").strip():
            self.add_error("comment", "Say why you decline, so the group can respond.")
        return data


class PackageForm(forms.ModelForm):
    flowchart = forms.FileField(
        required=False,
        label="Flowchart of the new process",
        help_text="PDF, PNG, JPEG or SVG, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.svg"}),
    )
    remove_flowchart = forms.BooleanField(required=False, label="Remove the current flowchart")

    class Meta:
        model = Implementation
        fields = ["guidance_what", "guidance_why", "contacts", "resources", "start_date"]
        widgets = {
            "guidance_what": forms.Textarea(attrs={"rows": 4}),
            "guidance_why": forms.Textarea(attrs={"rows": 3}),
            "contacts": forms.Textarea(attrs={"rows": 2}),
            "resources": forms.CheckboxSelectMultiple,
            "start_date": DateInput(),
        }
        labels = {"guidance_what": "Written guidance: what the new process or practice is", "resources": "Resources"}
        help_texts = {
            "guidance_why": "Why it is such a positive new way of working.",
            "contacts": "Who colleagues contact for more information or to give feedback.",
            "resources": "Where the key resources are kept (from the resource library).",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resources"].queryset = Resource.objects.for_organisation(self.instance.organisation)
        if not self.instance.flowchart:
            del self.fields["remove_flowchart"]

    def clean_flowchart(self):
        upload = self.cleaned_data.get("flowchart")
        if upload:
            try:
                flowchart_type(upload)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return upload


class ReadinessForm(forms.Form):
    def __init__(self, *args, items: list[ReadinessItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"done_{item.area}"] = forms.BooleanField(
                required=False, initial=item.done, label=f"{item.get_area_display()}: done"
            )
            self.fields[f"note_{item.area}"] = forms.CharField(
                required=False, max_length=500, initial=item.note, label=f"{item.get_area_display()}: note"
            )

    def rows(self) -> list[tuple[ReadinessItem, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"done_{i.area}"], self[f"note_{i.area}"]) for i in self.items]

    def values(self) -> dict[str, tuple[bool, str]]:
        return {
            i.area: (self.cleaned_data[f"done_{i.area}"], self.cleaned_data[f"note_{i.area}"].strip())
            for i in self.items
        }


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["kind", "date", "audience", "count", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"kind": "Awareness or training", "count": "Number of people"}

    def clean_count(self) -> int:
        count = self.cleaned_data["count"]
        if count < 1:
            raise forms.ValidationError("Enter how many people took part (at least 1).")
        return count


class AuditForm(forms.ModelForm):
    class Meta:
        model = SelfAudit
        fields = ["due_on", "done_on", "result_percent", "findings"]
        widgets = {"due_on": DateInput(), "done_on": DateInput(), "findings": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"result_percent": "The share of cases audited that followed the new practice, 0 to 100."}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("result_percent") is not None and not data.get("done_on"):
            self.add_error("done_on", "Enter the date the audit was done to record its result.")
        return data
