from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from .fields import MemberField
from .models import Department, Membership, Organization, OrgRole
from .selectors import department_tree, flatten_tree


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
            self.fields["password"].widget.attrs["autocomplete"] = "current-password"

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
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
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


def _department_field(field: forms.ModelChoiceField, org: Organization) -> None:
    """Limit ``field`` to the organisation's departments, listed as an indented tree."""
    field.queryset = Department.objects.filter(org=org)
    # Labels show the tree so that two "Sales" under different parents can be told apart;
    # validation still goes through the queryset above.
    field.choices = [("", field.empty_label)] + [
        (node.department.pk, "— " * node.depth + node.department.name)
        for node in flatten_tree(department_tree(org=org))
    ]


def _member_field(field: MemberField, org: Organization, keep=None) -> None:
    """Limit ``field`` to the organisation's active members, plus ``keep`` (the current
    value) so that editing something else does not force replacing a departed member."""
    field.limit_to(org, keep=keep)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Inside"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(top level)"),
        help_text=_("Choose another department to move this one under it."),
    )
    head = MemberField(label=_("Head"), required=False)

    def __init__(self, *args, org: Organization, department: Department | None = None, **kwargs):
        if department is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": department.name,
                    "parent": department.parent_id,
                    "head": department.head_id,
                },
            )
        super().__init__(*args, **kwargs)
        _department_field(self.fields["parent"], org)
        _member_field(self.fields["head"], org, keep=department.head_id if department else None)


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Org role"), choices=OrgRole.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    manager = MemberField(label=_("Manager"), required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    employee_id = forms.CharField(label=_("Employee id"), max_length=60, required=False)
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, org: Organization, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "department": membership.department_id,
                "manager": membership.manager_id,
                "job_title": membership.job_title,
                "employee_id": membership.employee_id,
                "start_date": membership.start_date,
            },
        )
        super().__init__(*args, **kwargs)
        _department_field(self.fields["department"], org)
        _member_field(self.fields["manager"], org, keep=membership.manager_id)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Org role"), choices=OrgRole.choices, initial=OrgRole.MEMBER)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    manager = MemberField(label=_("Manager"), required=False)

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        _department_field(self.fields["department"], org)
        _member_field(self.fields["manager"], org)
