import datetime

from django import forms
from django.utils import timezone

from api.models import ApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Which system will use it, e.g. “Mosaic nightly export” or “Power BI board pack”."
    )
    scope = forms.ChoiceField(
        choices=ApiKey.Scope.choices,
        widget=forms.RadioSelect,
        help_text="Give each system the least it needs. A read key sees what a viewer sees (counts of 1–4 "
        "children withheld).",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires after",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the key stops working at the end of this day. Leave blank for a key that works until "
        "revoked.",
    )

    def clean_expires_on(self) -> datetime.date | None:
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("The expiry must be today or later.")
        return day

    @property
    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(end)
