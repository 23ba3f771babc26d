"""Widgets and help texts shared by the testing forms."""

from django import forms

NO_NAMES = (
    "Never write a child's name, or anything that identifies a child or family (addresses, dates of birth, "
    "case numbers). Describe what was said or observed."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def textarea(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})
