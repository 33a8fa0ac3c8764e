from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, existing_account: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if existing_account:
            # The account exists: confirm it with its password; nothing else to fill in.
            del self.fields["full_name"]
            del self.fields["password2"]
            self.fields["password"].label = _("Your current password")
            self.fields["password"].help_text = ""

    def clean(self):
        data = super().clean()
        if "password2" in self.fields and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “payroll import”.")
    )
    ttl_days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=365, initial=90
    )


class OrganizationProfileForm(forms.ModelForm):
    class Meta:
        from .models import Organization

        model = Organization
        fields = [
            "name",
            "mission",
            "vision",
            "values",
            "strategy_summary",
            "fiscal_year_start_month",
            "timezone",
            "logo",
        ]
        widgets = {
            "mission": forms.Textarea(attrs={"rows": 2}),
            "vision": forms.Textarea(attrs={"rows": 2}),
            "values": forms.Textarea(attrs={"rows": 3}),
            "strategy_summary": forms.Textarea(attrs={"rows": 4}),
            "fiscal_year_start_month": forms.Select(
                choices=[
                    (i, m)
                    for i, m in enumerate(
                        [
                            "January",
                            "February",
                            "March",
                            "April",
                            "May",
                            "June",
                            "July",
                            "August",
                            "September",
                            "October",
                            "November",
                            "December",
                        ],
                        start=1,
                    )
                ]
            ),
        }
