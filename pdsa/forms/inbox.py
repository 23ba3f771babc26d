"""Forms for the ideas inbox: submitting and triage."""

from django import forms

from pace_hub.models import Organisation
from pdsa.models import ChangeIdea, IdeaSubmission


class SubmissionForm(forms.ModelForm):
    class Meta:
        model = IdeaSubmission
        fields = ["kind", "what", "who_affected", "anonymous"]
        labels = {
            "kind": "Is it a barrier or an idea?",
            "what": "What is the barrier or idea?",
            "anonymous": "Send it anonymously",
        }
        help_texts = {
            "what": "A few sentences are enough: what gets in the way, or what could we try?",
            "who_affected": "e.g. children waiting for a hearing, kinship carers, social workers",
            "anonymous": "The leads group will not see your name. You will still see what happened to it.",
        }
        widgets = {"kind": forms.RadioSelect, "what": forms.Textarea(attrs={"rows": 4})}


class TriageForm(forms.Form):
    class Action:
        ACCEPT = "accept"
        MERGE = "merge"
        DECLINE = "decline"

    action = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (Action.ACCEPT, "Accept as a new change idea"),
            (Action.MERGE, "Merge into an existing change idea"),
            (Action.DECLINE, "Decline, with a reason"),
        ],
    )
    title = forms.CharField(
        label="Title of the new change idea", max_length=200, required=False, help_text="Needed to accept."
    )
    into = forms.ModelChoiceField(
        queryset=ChangeIdea.objects.none(),
        required=False,
        label="Merge into",
        to_field_name="code",
        help_text="Needed to merge.",
    )
    reason = forms.CharField(
        label="Reason or note for the person who sent it",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed to decline; they will see it under “My submissions”.",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = ChangeIdea.objects.for_organisation(organisation).order_by("title")

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == self.Action.ACCEPT and not data.get("title", "").strip():
            self.add_error("title", "Give the new change idea a short title to accept the submission.")
        if action == self.Action.MERGE and not data.get("into"):
            self.add_error("into", "Choose the change idea to merge this submission into.")
        if action == self.Action.DECLINE and not data.get("reason", "").strip():
            self.add_error("reason", "Say why it is declined: the person who sent it will see the reason.")
        return data
