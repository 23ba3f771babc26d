from urllib.parse import urlparse

from django import forms

from sso.models import IdentityProvider

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label="Your council e-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class IdentityProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again. Leave blank to keep the secret already saved.",
    )

    class Meta:
        model = IdentityProvider
        fields = ["enabled", "issuer", "client_id", "client_secret", "allowed_domains"]

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        parsed = urlparse(issuer)
        # Tokens and secrets travel to the provider: only HTTPS, except a provider on this machine.
        if parsed.scheme != "https" and parsed.hostname not in LOOPBACK_HOSTS:
            raise forms.ValidationError("The issuer must be an https:// address.")
        return issuer

    def clean_allowed_domains(self) -> str:
        domains = [domain.strip().lower().lstrip("@") for domain in self.cleaned_data["allowed_domains"].split(",")]
        domains = [domain for domain in domains if domain]
        if not domains:
            raise forms.ValidationError("Enter at least one e-mail domain, e.g. aberdeencity.gov.uk.")
        bad = [domain for domain in domains if "." not in domain or " " in domain or "@" in domain]
        if bad:
            raise forms.ValidationError(f"These are not e-mail domains: {', '.join(bad)}.")
        return ", ".join(domains)
