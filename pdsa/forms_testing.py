"""Forms for PDSA cycles, feedback and spread. They turn input into domain values; crispy renders."""

from django import forms
from django.forms import inlineformset_factory

from pace_hub.models import Membership, Organisation
from pdsa.models import ChangeIdea, Feedback, PDSACycle, Prediction
from pdsa.services_testing import DO_FIELDS, PLAN_FIELDS, PredictionInput

NO_NAMES = (
    "Never write a child's name, or anything that identifies a child or family (addresses, dates of birth, "
    "case numbers). Describe what was said or observed."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class CyclePlanForm(forms.ModelForm):
    class Meta:
        model = PDSACycle
        fields = PLAN_FIELDS
        widgets = {
            "objective": _rows(2),
            "plan_what": _rows(2),
            "data_to_collect": _rows(2),
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
        widgets = {"what_happened": _rows(3), "observations": _rows(3), "problems": _rows(2)}
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
        widget=_rows(3),
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
                widget=_rows(2),
            )

    def prediction_rows(self) -> list[tuple[Prediction, forms.BoundField]]:
        return [(p, self[f"result_{p.pk}"]) for p in self.predictions]

    def results(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"result_{p.pk}", "") for p in self.predictions}


class CycleActForm(forms.ModelForm):
    class Meta:
        model = PDSACycle
        fields = ["decision", "next_steps"]
        widgets = {"decision": forms.RadioSelect, "next_steps": _rows(3)}
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


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["voice", "method", "received_on", "how_it_felt", "easier", "too_long", "text", "change_idea", "cycle"]
        widgets = {
            "received_on": DateInput(),
            "how_it_felt": _rows(2),
            "text": _rows(4),
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
        widgets = {"response": _rows(3)}
        labels = {"response": '"You said, we did": what we did in response'}
        help_texts = {"response": "Tell them what changed because of what they said. " + NO_NAMES}


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
