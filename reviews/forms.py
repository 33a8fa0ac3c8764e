"""Forms of the agreement pages. They parse input only: every rule is the services' to
enforce (reviews/services), and their errors come back onto these forms."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.models import Direction, Frequency
from kras.models import KRA, KRALevel, KRAStatus, ObjectiveStatus, StrategicObjective
from orgs.fields import MemberField
from orgs.selectors import fiscal_year_bounds

PERIOD_CURRENT = "current"
PERIOD_NEXT = "next"


class _RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class AgreementCreateForm(forms.Form):
    """A new agreement for one person: a role they hold, and the fiscal year it covers."""

    role = _RoleChoiceField(queryset=None, label=_("Role held"), empty_label=None)
    period = forms.ChoiceField(label=_("Period"), widget=forms.RadioSelect)

    def __init__(self, *args, roles, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
        this_start, this_end = fiscal_year_bounds(org=org)
        next_start, next_end = fiscal_year_bounds(
            org=org, today=this_end + datetime.timedelta(days=1)
        )
        self.bounds = {
            PERIOD_CURRENT: (this_start, this_end),
            PERIOD_NEXT: (next_start, next_end),
        }
        self.fields["period"].choices = [
            (
                PERIOD_CURRENT,
                _("This fiscal year (%(start)s – %(end)s)") % _dates(this_start, this_end),
            ),
            (
                PERIOD_NEXT,
                _("Next fiscal year (%(start)s – %(end)s)") % _dates(next_start, next_end),
            ),
        ]
        self.fields["period"].initial = PERIOD_CURRENT

    def period_bounds(self):
        return self.bounds[self.cleaned_data["period"]]


def _dates(start, end) -> dict:
    return {"start": start.isoformat(), "end": end.isoformat()}


class _KRAChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = obj.department.name if obj.department_id else obj.get_level_display()
        return f"{where} · {obj.title}"


class PersonalKRAForm(forms.Form):
    """A KRA for this person alone, with its first KPI."""

    title = forms.CharField(label=_("KRA title"), max_length=200)
    definition = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(label=_("Weight (%)"), min_value=0, max_value=100, decimal_places=2)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        initial=2,
    )
    parent = _KRAChoiceField(queryset=None, label=_("Ladders up to (KRA)"), required=False)
    objective = forms.ModelChoiceField(
        queryset=None, label=_("Or serves the objective"), required=False
    )
    kpi_name = forms.CharField(label=_("KPI"), max_length=200)
    kpi_unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    kpi_direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            (Direction.INCREASE, Direction.INCREASE.label),
            (Direction.DECREASE, Direction.DECREASE.label),
        ],
    )
    kpi_baseline = forms.DecimalField(
        label=_("Baseline"), required=False, max_digits=16, decimal_places=4
    )
    kpi_target = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=4)
    kpi_frequency = forms.ChoiceField(
        label=_("Measured"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    kpi_due_date = forms.DateField(
        label=_("Due by"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            KRA.objects.filter(org=org, level__in=[KRALevel.ORGANIZATION, KRALevel.DEPARTMENT])
            .exclude(status=KRAStatus.RETIRED)
            .select_related("department")
            .order_by("level", "department__name", "title")
        )
        self.fields["objective"].queryset = StrategicObjective.objects.filter(
            org=org, status=ObjectiveStatus.ACTIVE
        ).order_by("position", "title")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "definition": data["definition"],
            "weight": data["weight"],
            "priority": data["priority"],
            "parent": data["parent"],
            "objective": data["objective"],
            "kpis": [
                {
                    "name": data["kpi_name"],
                    "unit": data["kpi_unit"],
                    "direction": data["kpi_direction"],
                    "baseline": data["kpi_baseline"],
                    "target": data["kpi_target"],
                    "frequency": data["kpi_frequency"],
                    "weight": 100,
                    "due_date": data["kpi_due_date"],
                }
            ],
        }


class KPITargetForm(forms.Form):
    """Another target (or range) for a role KPI, for this person; or back to the role's."""

    target = forms.CharField(label=_("Personal target"), required=False, max_length=40)
    target_low = forms.CharField(label=_("Range from"), required=False, max_length=40)
    target_high = forms.CharField(label=_("Range to"), required=False, max_length=40)
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)
    clear = forms.BooleanField(label=_("Back to the role's target"), required=False)


class GrowthGoalForm(forms.Form):
    goal = forms.CharField(label=_("Development goal"), max_length=300)
    measurable_target = forms.CharField(label=_("Measurable target"), max_length=300)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    measured_by = forms.CharField(label=_("How it will be measured"), max_length=300)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangeRequestForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class SignForm(forms.Form):
    """Re-authentication and the statement of meaning, for the version that was read."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    meaning = forms.BooleanField(required=True)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, statement: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meaning"].label = statement
        self.fields["meaning"].error_messages["required"] = _("Tick the statement to sign.")


class DelegateForm(forms.Form):
    """Someone to countersign in the manager of record's place (picked by search)."""

    delegate = MemberField(label=_("Who may countersign instead"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].limit_to(org)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why is it voided?"), widget=forms.Textarea(attrs={"rows": 3}))
