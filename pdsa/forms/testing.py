"""Forms for PDSA cycles: plan (with predictions), do, study and act.

They turn input into domain values; crispy renders."""

from django import forms
from django.forms import inlineformset_factory

from pace_hub.models import Membership, Organisation
from pdsa.forms.widgets import DateInput, textarea
from pdsa.models import PDSACycle, Prediction
from pdsa.services.testing import DO_FIELDS, PLAN_FIELDS, PredictionInput


class CyclePlanForm(forms.ModelForm):
    class Meta:
        model = PDSACycle
        fields = PLAN_FIELDS
        widgets = {
            "objective": textarea(2),
            "plan_what": textarea(2),
            "data_to_collect": textarea(2),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        labels = {
            "objective": "Objective of this cycle",
            "lead": "Who leads this cycle",
            "plan_who": "Who will carry out the test",
            "plan_what": "What will be done",
            "plan_when": "When",
            "plan_where": "Where",
            "data_collected_by": "Who collects the data",
            "scale_cases": "Scale: number of cases",
            "scale_teams": "Scale: number of teams",
        }
        help_texts = {
            "objective": "What do you want to find out from this test?",
            "setting": "The team, locality or setting where it is tested, e.g. North locality.",
            "scale_cases": "Start small (one or two cases) and grow the ramp cycle by cycle.",
            "data_to_collect": "Including feedback from the children, parents, carers and colleagues involved.",
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].required = True
        self.fields["lead"].queryset = Membership.objects.for_organisation(organisation).select_related("user")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return data


class PredictionForm(forms.ModelForm):
    class Meta:
        model = Prediction
        fields = ["question", "prediction"]
        labels = {"question": "Question", "prediction": "Prediction"}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("question") and not data.get("prediction"):
            self.add_error("prediction", "Write what you predict will happen for this question.")
        if data.get("prediction") and not data.get("question"):
            self.add_error("question", "Write the question this prediction answers.")
        return data


PredictionFormSet = inlineformset_factory(
    PDSACycle, Prediction, form=PredictionForm, fields=["question", "prediction"], extra=2, can_delete=True
)


def prediction_changes(formset) -> tuple[list[tuple[Prediction, PredictionInput | None]], list[PredictionInput]]:
    """Edited or deleted existing predictions, and new ones, from a valid formset."""
    changed, new = [], []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        existing = form.instance if form.instance.pk else None
        if existing is not None:
            if data.get("DELETE"):
                changed.append((existing, None))
            elif form.has_changed():
                changed.append((existing, PredictionInput(data["question"], data["prediction"])))
        elif not data.get("DELETE") and data.get("question"):
            new.append(PredictionInput(data["question"], data["prediction"]))
    return changed, new


class CycleDoForm(forms.ModelForm):
    class Meta:
        model = PDSACycle
        fields = DO_FIELDS
        widgets = {"what_happened": textarea(3), "observations": textarea(3), "problems": textarea(2)}
        labels = {
            "what_happened": "What happened",
            "observations": "Observations",
            "problems": "Problems or unexpected effects",
        }

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("what_happened", "").strip() or data.get("observations", "").strip()):
            self.add_error("what_happened", "Write what happened when you carried out the test.")
        return data


class CycleStudyForm(forms.Form):
    """The result beside each prediction, and what the group learned."""

    learning = forms.CharField(
        label="What did we learn?",
        widget=textarea(3),
        help_text="Compare the results with the predictions. What surprised you?",
    )

    def __init__(self, *args, predictions: list[Prediction], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.predictions = predictions
        for prediction in predictions:
            self.fields[f"result_{prediction.pk}"] = forms.CharField(
                label=f"Result for: {prediction.question}",
                required=False,
                initial=prediction.result,
                widget=textarea(2),
            )

    def prediction_rows(self) -> list[tuple[Prediction, forms.BoundField]]:
        return [(p, self[f"result_{p.pk}"]) for p in self.predictions]

    def results(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"result_{p.pk}", "") for p in self.predictions}


class CycleActForm(forms.ModelForm):
    class Meta:
        model = PDSACycle
        fields = ["decision", "next_steps"]
        widgets = {"decision": forms.RadioSelect, "next_steps": textarea(3)}
        labels = {"decision": "Decision", "next_steps": "What next"}
        help_texts = {"next_steps": "If adapting or running another cycle: what will change, where and at what scale."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].required = True
        self.fields["decision"].choices = PDSACycle.Decision.choices

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("decision") in {PDSACycle.Decision.ADAPT, PDSACycle.Decision.ANOTHER}
            and not data.get("next_steps", "").strip()
        ):
            self.add_error("next_steps", "Say what the next cycle will change or test.")
        return data


class CycleFilterForm(forms.Form):
    """Filters of the index of every PDSA cycle: status, lead and setting or locality."""

    status = forms.ChoiceField(choices=[("", "Any status"), *PDSACycle.Status.choices], required=False)
    lead = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Anyone", to_field_name="code"
    )
    locality = forms.ChoiceField(label="Setting or locality", choices=[("", "Anywhere")], required=False)

    def __init__(self, *args, organisation: Organisation, localities: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            Membership.objects.for_organisation(organisation).select_related("user").order_by("user__first_name")
        )
        self.fields["locality"].choices = [("", "Anywhere"), *((name, name) for name in localities)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
