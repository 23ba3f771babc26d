"""Forms for spread and scale: settings and localities, and the voices affected."""

from django import forms

from pdsa.models import ChangeIdea, Feedback


class SpreadLocalityForm(forms.Form):
    name = forms.CharField(label="Setting or locality", max_length=200)

    def __init__(self, *args, idea: ChangeIdea, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.idea = idea

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if self.idea.spread_localities.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"{name} is already in the matrix.")
        return name


class AffectedVoicesForm(forms.Form):
    affected_voices = forms.MultipleChoiceField(
        label="Who does this change affect?",
        choices=Feedback.Voice.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The spread summary asks for feedback from each of these before implementing.",
    )
