"""Forms for change ideas and the driver links."""

from django import forms

from aims.models import Aim, Driver
from pace_hub.models import Membership, Organisation
from pdsa.models import ChangeIdea


class DriverChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, driver: Driver) -> str:
        level = "primary" if driver.parent_id is None else "secondary"
        return f"{driver.aim.title} — {driver.text} ({level})"


class ChangeIdeaForm(forms.ModelForm):
    drivers = DriverChoiceField(
        queryset=Driver.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Which drivers of the driver diagrams does this idea push? Its aims are linked too.",
    )

    class Meta:
        model = ChangeIdea
        fields = ["title", "description", "lead", "status", "source", "source_detail", "aims", "drivers"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "aims": forms.CheckboxSelectMultiple,
        }
        help_texts = {"lead": "Who leads the testing of this idea (helps to co-ordinate the evidence)."}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Membership.objects.for_organisation(organisation).select_related("user")
        self.fields["aims"].queryset = Aim.objects.for_organisation(organisation).order_by("title")
        self.fields["drivers"].queryset = (
            Driver.objects.for_organisation(organisation).select_related("aim").order_by("aim__title", "order", "pk")
        )


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ChangeIdea.Status.choices, label="Status")


class DriverIdeasForm(forms.Form):
    ideas = forms.ModelMultipleChoiceField(
        queryset=ChangeIdea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Change ideas that push this driver",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = ChangeIdea.objects.for_organisation(organisation).order_by("title")
