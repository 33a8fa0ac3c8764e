from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.fields import MemberField
from orgs.models import Department, Organization
from roles.models import AreaOfFocus, Role

from .models import KRA, KRALevel, KRAStatus, ObjectiveStatus, StrategicObjective
from .org_settings import COUNT_HIGHEST, COUNT_LOWEST


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = StrategicObjective
        fields = ["title", "description", "horizon_years"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


# --- KRAs -----------------------------------------------------------------------------------


class _KRAChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = obj.department.name if obj.department_id else obj.get_level_display()
        return f"{where} · {obj.title}"


_HIGHER_LEVELS = {
    KRALevel.ROLE: (KRALevel.ORGANIZATION, KRALevel.DEPARTMENT),
    KRALevel.DEPARTMENT: (KRALevel.ORGANIZATION,),
    KRALevel.ORGANIZATION: (),
}


class KRAForm(forms.Form):
    """A KRA's full form. Its level, role and department come from where it is created and
    do not change afterwards; the choices are limited to the organisation's objects."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("An outcome area, not a task: “Revenue generation”, not “Make calls”."),
    )
    definition = forms.CharField(
        label=_("Definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What success in this area looks like."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=True
    )
    area_of_focus = forms.ModelChoiceField(
        label=_("Area of focus"), queryset=AreaOfFocus.objects.none(), required=False
    )
    weight = forms.DecimalField(
        label=_("Weight (%)"), min_value=0, max_value=100, decimal_places=2, initial=0
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        initial=2,
        required=False,
        empty_value=2,
        help_text=_("1 is the highest."),
    )
    objective = forms.ModelChoiceField(
        label=_("Strategic objective it serves"),
        queryset=StrategicObjective.objects.none(),
        required=False,
    )
    parent = _KRAChoiceField(label=_("KRA above it"), queryset=KRA.objects.none(), required=False)
    owner = MemberField(
        label=_("Owner"),
        required=False,
        help_text=_("Only when someone other than the role holder owns it."),
    )

    def __init__(
        self,
        *args,
        org: Organization,
        level: str,
        role: Role | None = None,
        kra: KRA | None = None,
        departments=None,
        **kwargs,
    ):
        if kra is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": kra.title,
                    "definition": kra.definition,
                    "area_of_focus": kra.area_of_focus_id,
                    "weight": kra.weight,
                    "priority": kra.priority,
                    "objective": kra.objective_id,
                    "parent": kra.parent_id,
                    "owner": kra.owner_id,
                },
            )
        super().__init__(*args, **kwargs)
        if kra is not None or level != KRALevel.DEPARTMENT or departments is None:
            # Fixed once created, or given by the page that creates it.
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments
        if level == KRALevel.ROLE and role is not None:
            self.fields["area_of_focus"].queryset = AreaOfFocus.objects.filter(org=org, role=role)
        else:
            del self.fields["area_of_focus"]
        keep_objective = Q(pk=kra.objective_id) if kra and kra.objective_id else Q(pk__in=[])
        self.fields["objective"].queryset = StrategicObjective.objects.filter(org=org).filter(
            Q(status=ObjectiveStatus.ACTIVE) | keep_objective
        )
        if _HIGHER_LEVELS.get(level):
            parents = (
                KRA.objects.filter(org=org, level__in=_HIGHER_LEVELS[level])
                .exclude(status=KRAStatus.RETIRED)
                .select_related("department")
                .order_by("level", "department__name", "position", "id")
            )
            if kra is not None:
                parents = parents.exclude(pk=kra.pk)
            self.fields["parent"].queryset = parents
        else:
            del self.fields["parent"]
        # A departed owner stays valid until someone else is chosen.
        self.fields["owner"].limit_to(org, keep=kra.owner_id if kra else None)


class KRAInlineForm(forms.Form):
    """What the role panel edits in place (and adds with): title, weight, definition."""

    title = forms.CharField(label=_("Title"), max_length=200)
    weight = forms.DecimalField(
        label=_("Weight (%)"), min_value=0, max_value=100, decimal_places=2, initial=0
    )
    definition = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kra: KRA | None = None, **kwargs):
        if kra is not None:
            kwargs.setdefault(
                "initial",
                {"title": kra.title, "weight": kra.weight, "definition": kra.definition},
            )
        super().__init__(*args, **kwargs)


class KRARetireForm(forms.Form):
    children = forms.ChoiceField(
        label=_("The KRAs below it"),
        widget=forms.RadioSelect,
        choices=[
            ("reparent", _("Move them up: they ladder up to what this KRA served")),
            ("retire", _("Retire them too, with everything below them")),
            ("detach", _("Detach them: they keep their objective, if any, and need a new home")),
        ],
    )

    def __init__(self, *args, has_children: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_children:
            del self.fields["children"]


class OrgRulesForm(forms.Form):
    kra_min = forms.IntegerField(
        label=_("Fewest KRAs per role"), min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST
    )
    kra_max = forms.IntegerField(
        label=_("Most KRAs per role"), min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST
    )
    kpi_min = forms.IntegerField(
        label=_("Fewest KPIs per KRA"), min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST
    )
    kpi_max = forms.IntegerField(
        label=_("Most KPIs per KRA"), min_value=COUNT_LOWEST, max_value=COUNT_HIGHEST
    )
    require_alignment = forms.BooleanField(
        label=_(
            "Every KRA must ladder up to a strategic objective before an agreement is proposed"
        ),
        required=False,
    )
    activity_verbs = forms.CharField(
        label=_("Activity verbs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A KRA title starting with one of these is flagged: KRAs are outcomes, not tasks. "
            "Separate them with commas or new lines."
        ),
    )

    # Agreements (docs/DOMAIN.md rules R30 and R31). The statements' limits are the
    # settings' own (checked by organization_update_rules), so a page and the API refuse
    # the same text with the same message.
    require_hr_acknowledgement = forms.BooleanField(
        label=_("HR acknowledges every agreement after the manager's countersignature"),
        required=False,
    )
    statement_employee = forms.CharField(
        label=_("Statement the employee ticks when signing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    statement_manager = forms.CharField(
        label=_("Statement the manager ticks when countersigning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    statement_hr = forms.CharField(
        label=_("Statement HR ticks when acknowledging"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    statement_review = forms.CharField(
        label=_("Statement the employee ticks when acknowledging a review"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    STATEMENTS = ("statement_employee", "statement_manager", "statement_hr", "statement_review")

    def clean_activity_verbs(self):
        text = self.cleaned_data["activity_verbs"]
        return [v.strip().lower() for v in text.replace("\n", ",").split(",") if v.strip()]

    def rule_values(self) -> dict:
        """The settings to save: a statement the form did not send (a client that knows only
        the KRA rules) keeps its value; one sent empty is the service's to refuse."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.STATEMENTS or name in self.data
        }
