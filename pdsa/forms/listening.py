"""Forms for feedback and the listening log. They turn input into domain values; crispy renders."""

from django import forms

from pace_hub.models import Organisation
from pdsa.forms.widgets import NO_NAMES, DateInput, textarea
from pdsa.models import ChangeIdea, Feedback, PDSACycle


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["voice", "method", "received_on", "how_it_felt", "easier", "too_long", "text", "change_idea", "cycle"]
        widgets = {
            "received_on": DateInput(),
            "how_it_felt": textarea(2),
            "text": textarea(4),
            "easier": forms.RadioSelect,
            "too_long": forms.RadioSelect,
        }
        labels = {
            "voice": "Whose voice",
            "received_on": "Date given",
            "change_idea": "Change idea (optional)",
            "cycle": "PDSA cycle (optional)",
            "how_it_felt": "How did it feel?",
            "easier": "Was it easier or more helpful?",
            "too_long": "Did it take too long?",
        }
        help_texts = {
            "voice": "For infants and non-verbal children, record what was observed.",
            "method": "The participation tool or way of listening, e.g. Mind of My Own, conversation, observation.",
            "text": NO_NAMES,
            "how_it_felt": NO_NAMES,
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_idea"].queryset = ChangeIdea.objects.for_organisation(organisation)
        self.fields["cycle"].queryset = PDSACycle.objects.for_organisation(organisation).select_related("change_idea")
        for name in ("easier", "too_long"):
            self.fields[name].choices = [("", "Not asked"), *Feedback.Answer.choices]

    def clean(self) -> dict:
        data = super().clean()
        cycle, idea = data.get("cycle"), data.get("change_idea")
        if cycle and idea and cycle.change_idea_id != idea.pk:
            self.add_error(
                "cycle", "This cycle tests a different change idea; leave the change idea blank or match it."
            )
        return data


class FeedbackResponseForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["response"]
        widgets = {"response": textarea(3)}
        labels = {"response": '"You said, we did": what we did in response'}
        help_texts = {"response": "Tell them what changed because of what they said. " + NO_NAMES}
