from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs import policy
from orgs.fields import MemberField
from orgs.models import Membership
from orgs.selectors import department_tree, flatten_tree
from orgs.tenancy import scoped

from .access import placeable_departments
from .models import JustificationKind, Role

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.department_id:
            return f"{obj.title} · {obj.department.name}"
        return obj.title


class RoleForm(forms.ModelForm):
    """The role's top fields, in the order the method fills them in."""

    #: (legend, field names): the page groups the form like the role page.
    FIELDSETS = (
        (_("The role"), ("title", "department", "reports_to")),
        (
            _("Why the role exists"),
            ("purpose", "mission_alignment", "strategy_contribution"),
        ),
        (
            _("Cost justification"),
            (
                "annual_cost",
                "expected_value",
                "currency",
                "justification_kind",
                "justification_target_date",
                "justification_note",
            ),
        ),
        (_("Job description"), ("job_description",)),
    )

    class Meta:
        model = Role
        fields = [
            "title",
            "department",
            "reports_to",
            "purpose",
            "mission_alignment",
            "strategy_contribution",
            "annual_cost",
            "expected_value",
            "currency",
            "justification_kind",
            "justification_target_date",
            "justification_note",
            "job_description",
        ]
        field_classes = {"reports_to": RoleChoiceField}
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "mission_alignment": forms.Textarea(attrs={"rows": 2}),
            "strategy_contribution": forms.Textarea(attrs={"rows": 3}),
            "justification_note": forms.Textarea(attrs={"rows": 2}),
            "job_description": forms.Textarea(attrs={"rows": 8}),
            "justification_target_date": _DATE,
            "annual_cost": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
            "expected_value": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        }
        help_texts = {
            "justification_kind": _(
                "Will the role create more revenue than it costs? If not, does it free "
                "someone else to? Not every role pays for itself at once, but every role "
                "should eventually."
            ),
            "expected_value": _("What the role is expected to bring in or free up per year."),
        }

    def __init__(self, *args, member: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        org = member.org
        department = self.fields["department"]
        allowed = placeable_departments(member)
        department.queryset = allowed
        allowed_ids = set(allowed.values_list("pk", flat=True))
        department.choices = [("", _("(no department)"))] + [
            (node.department.pk, "— " * node.depth + node.department.name)
            for node in flatten_tree(department_tree(org=org))
            if node.department.pk in allowed_ids
        ]
        # Org admins may keep a role outside any department; a department head places it
        # in a department they head.
        department.required = not policy.is_admin(member)
        reports_to = self.fields["reports_to"]
        roles = scoped(Role, org).select_related("department").order_by("title", "id")
        if self.instance.pk:
            roles = roles.exclude(pk=self.instance.pk)
        reports_to.queryset = roles
        reports_to.empty_label = _("(reports to no role)")
        self.fields["justification_kind"].choices = JustificationKind.choices

    def fieldsets(self):
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]


class RoleCreateForm(RoleForm):
    """A new role, optionally built from a template in the same step. The page passes the
    templates on offer (``template_choices``: (group, [(key, name)…]) pairs) and the fiscal
    years the template's KPIs may run over (``time_frames``: (key, label) pairs); a choice of
    year is asked for only when there is more than one."""

    FIELDSETS = ((_("Start from a template"), ("template", "kpi_year")), *RoleForm.FIELDSETS)

    template = forms.ChoiceField(
        label=_("Template"),
        required=False,
        help_text=_(
            "The role gets the template's purpose, areas of focus, KRAs and KPIs at once; "
            "you ladder and adjust them next."
        ),
    )
    kpi_year = forms.ChoiceField(
        label=_("The template's KPIs run over"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Less than a quarter of this fiscal year is left."),
    )

    def __init__(self, *args, member: Membership, template_choices=(), time_frames=(), **kwargs):
        super().__init__(*args, member=member, **kwargs)
        self.fields["template"].choices = [("", _("None: start empty")), *template_choices]
        if len(time_frames) > 1:
            self.fields["kpi_year"].choices = list(time_frames)
            self.fields["kpi_year"].initial = time_frames[-1][0]
        else:
            del self.fields["kpi_year"]

    def clean(self):
        data = super().clean()
        if data.get("template") and "kpi_year" in self.fields and not data.get("kpi_year"):
            self.add_error("kpi_year", _("Choose the fiscal year the KPIs run over."))
        return data


class AreaForm(forms.Form):
    title = forms.CharField(label=_("Area of focus"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResponsibilityForm(forms.Form):
    description = forms.CharField(label=_("Responsibility or task"), max_length=300)


class SuccessCheckForm(forms.Form):
    is_complete = forms.TypedChoiceField(
        label=_("If every KRA on this page were executed, would the role be a success?"),
        choices=[("yes", _("Yes")), ("no", _("No, something is missing"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )
    missing = forms.CharField(
        label=_("What is missing?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unnecessary = forms.CharField(
        label=_("Is any KRA here not needed for success? Which?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def for_role(cls, role: Role, **kwargs):
        initial = {}
        if role.success_is_complete is not None:
            initial = {
                "is_complete": "yes" if role.success_is_complete else "no",
                "missing": role.success_missing,
                "unnecessary": role.success_unnecessary,
            }
        return cls(initial=initial, **kwargs)


class AssignForm(forms.Form):
    member = MemberField(label=_("Member"))
    start_date = forms.DateField(label=_("From"), widget=_DATE)
    end_date = forms.DateField(label=_("Until"), required=False, widget=_DATE)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].limit_to(org)


class AssignmentEndForm(forms.Form):
    end_date = forms.DateField(label=_("Last day"), widget=_DATE)
