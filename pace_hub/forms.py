from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from pace_hub.models import Agency, Invitation, Membership, Organisation, Resource, Team

User = get_user_model()


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role", "job_title"]
        help_texts = {"role": "Viewers read only; data leads upload milestone data; admins manage members."}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(organisation=self.organisation, user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a member of the organisation.")
        return email


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif data.get("password1"):
            validate_password(data["password1"], User(first_name=data.get("first_name", "")))
        return data


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "job_title", "agency", "qi_skill", "wants_qi_training", "qi_cpd_interest"]

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_organisation(organisation)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "kind", "meeting_frequency", "chair", "members", "purpose"]
        widgets = {"members": forms.CheckboxSelectMultiple, "purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        people = Membership.objects.for_organisation(organisation).select_related("user")
        self.fields["chair"].queryset = people
        self.fields["members"].queryset = people

    def validate_unique(self) -> None:
        # The organisation is not a form field, so check the named constraint ourselves.
        super().validate_unique()
        clash = Team.objects.filter(organisation=self.instance.organisation, name=self.cleaned_data.get("name"))
        if clash.exclude(pk=self.instance.pk).exists():
            self.add_error("name", "A team with this name already exists.")


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "kind", "relationship", "contact", "next_step", "next_step_owner", "next_step_due"]
        widgets = {
            "next_step": forms.Textarea(attrs={"rows": 3}),
            "next_step_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"next_step_owner": "Who will take the next step.", "next_step_due": "By when."}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["next_step_owner"].queryset = Membership.objects.for_organisation(organisation).select_related(
            "user"
        )

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("next_step_owner") or data.get("next_step_due")) and not (data.get("next_step") or "").strip():
            self.add_error("next_step", "Say what the next step is before giving it an owner or a due date.")
        return data

    def validate_unique(self) -> None:
        super().validate_unique()
        clash = Agency.objects.filter(organisation=self.instance.organisation, name=self.cleaned_data.get("name"))
        if clash.exclude(pk=self.instance.pk).exists():
            self.add_error("name", "An agency with this name already exists.")


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["title", "kind", "url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "pace_lead", "data_lead", "upload_interval_days"]
        help_texts = {
            "pace_lead": "The template calls a named PACE Lead crucial.",
            "data_lead": "The person responsible for permanence data.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = Membership.objects.for_organisation(self.instance).select_related("user")
        self.fields["pace_lead"].queryset = people
        self.fields["data_lead"].queryset = people
