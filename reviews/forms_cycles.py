"""The review cycle pages' forms. The cycle form shows the rating scale, the dimensions and
the achievement bands as small editable tables (rows of inputs, prefilled with the defaults);
it only collects them: ``reviews.services.cycles`` checks them (docs/DOMAIN.md rules R52 to
R55) and its messages come back on the table they are about."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.fields import MemberField
from orgs.models import Department, Membership
from orgs.tenancy import scoped

from .models import (
    DEFAULT_ACHIEVEMENT_BANDS,
    DEFAULT_RATING_SCALE,
    Cadence,
    ParticipantScope,
    ReviewStatus,
)
from .services.cycles import DEFAULT_WEIGHTS, MAX_BANDS, MAX_DIMENSIONS, SCALE_MAX_POINTS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEIGHT_LABELS = {
    "weight_manager": _("Manager rating (%)"),
    "weight_achievement": _("KPI achievement (%)"),
    "weight_self": _("Self rating (%)"),
    "weight_growth": _("Growth-plan progress (%)"),
}


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    cadence = forms.ChoiceField(label=_("Cadence"), choices=Cadence.choices, initial=Cadence.ANNUAL)
    window_start = forms.DateField(label=_("Window from"), widget=DATE)
    window_end = forms.DateField(label=_("Window until"), widget=DATE)
    participant_scope = forms.ChoiceField(
        label=_("Who takes part"),
        choices=ParticipantScope.choices,
        widget=forms.RadioSelect,
        initial=ParticipantScope.ORG,
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each with the departments below it."),
    )
    members = forms.CharField(
        label=_("People"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One email or employee id per line."),
    )
    self_assessment_due = forms.DateField(label=_("Self-assessment due"), widget=DATE)
    manager_review_due = forms.DateField(label=_("Manager review due"), widget=DATE)
    acknowledgement_due = forms.DateField(label=_("Acknowledgement due"), widget=DATE)
    # The tables' own errors show beside them (the service keys its refusals by these).
    rating_scale = forms.CharField(required=False, widget=forms.HiddenInput)
    dimensions = forms.CharField(required=False, widget=forms.HiddenInput)
    weights = forms.CharField(required=False, widget=forms.HiddenInput)
    achievement_bands = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, org, cycle=None, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.locked = locked
        self.fields["departments"].queryset = scoped(Department, org).order_by("name")
        for name, label in WEIGHT_LABELS.items():
            self.fields[name] = forms.DecimalField(
                label=label, min_value=0, max_value=100, decimal_places=2, required=False
            )
        self.scale_rows = self._rows(
            "scale",
            ("value", "label"),
            cycle.rating_scale if cycle else DEFAULT_RATING_SCALE,
            SCALE_MAX_POINTS,
        )
        self.band_rows = self._rows(
            "band",
            ("at_least", "rating"),
            cycle.achievement_bands if cycle else DEFAULT_ACHIEVEMENT_BANDS,
            MAX_BANDS,
        )
        names = cycle.dimensions if cycle else []
        self.dimension_rows = [
            {"name": f"dimension_{i}", "value": self._posted(f"dimension_{i}", names, i)}
            for i in range(MAX_DIMENSIONS)
        ]
        # Also when bound: a disabled field (a launched cycle's) takes its initial value.
        if cycle is not None:
            self.initial.update(
                {
                    name: getattr(cycle, name)
                    for name in (
                        "name",
                        "cadence",
                        "window_start",
                        "window_end",
                        "participant_scope",
                        "self_assessment_due",
                        "manager_review_due",
                        "acknowledgement_due",
                        *WEIGHT_LABELS,
                    )
                }
            )
            self.initial["departments"] = [d.department_id for d in cycle.departments.all()]
            self.initial["members"] = "\n".join(
                p.member.user.email for p in cycle.participants.select_related("member__user")
            )
        elif cycle is None and not self.is_bound:
            self.initial.update(DEFAULT_WEIGHTS)
        if locked:
            for name in (
                "cadence",
                "window_start",
                "window_end",
                "participant_scope",
                "departments",
                "members",
                *WEIGHT_LABELS,
            ):
                self.fields[name].disabled = True

    def _posted(self, name, values, index):
        if self.is_bound:
            return self.data.get(name, "")
        if index < len(values):
            value = values[index]
            return "" if value is None else value
        return ""

    def _rows(self, prefix, keys, values, count):
        """The table's rows: those posted, or the values and two empty rows to add to."""
        if self.is_bound:
            posted = [
                i for i in range(count) if any(f"{prefix}_{key}_{i}" in self.data for key in keys)
            ]
            shown = max(posted) + 1 if posted else count
        else:
            shown = min(count, len(values) + 2)
        rows = []
        for i in range(shown):
            row = {}
            for key in keys:
                name = f"{prefix}_{key}_{i}"
                if self.is_bound:
                    value = self.data.get(name, "")
                elif i < len(values):
                    value = values[i].get(key)
                    value = "" if value is None else value
                else:
                    value = ""
                row[key] = {"name": name, "value": value}
            rows.append(row)
        return rows

    def _members(self, text: str) -> list[Membership]:
        wanted = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
        found, missing = [], []
        for entry in wanted:
            person = (
                Membership.objects.filter(org=self.org, is_active=True)
                .filter(Q(user__email__iexact=entry) | Q(employee_id__iexact=entry))
                .first()
            )
            if person is None:
                missing.append(entry)
            else:
                found.append(person)
        if missing:
            self.add_error(
                "members",
                _("Nobody active here has the email or employee id: %(list)s.")
                % {"list": ", ".join(missing)},
            )
        return found

    def service_arguments(self) -> dict:
        """The cleaned input as ``cycle_create`` / ``cycle_update`` take it."""
        data = self.cleaned_data
        scale = [
            {"value": row["value"]["value"].strip(), "label": row["label"]["value"]}
            for row in self.scale_rows
            if str(row["value"]["value"]).strip() or str(row["label"]["value"]).strip()
        ]
        bands = [
            {"at_least": str(row["at_least"]["value"]).strip(), "rating": row["rating"]["value"]}
            for row in self.band_rows
            if str(row["at_least"]["value"]).strip() or str(row["rating"]["value"]).strip()
        ]
        arguments = {
            "name": data["name"],
            "self_assessment_due": data["self_assessment_due"],
            "manager_review_due": data["manager_review_due"],
            "acknowledgement_due": data["acknowledgement_due"],
        }
        if self.locked:
            return arguments
        arguments.update(
            {
                "cadence": data["cadence"],
                "window_start": data["window_start"],
                "window_end": data["window_end"],
                "participant_scope": data["participant_scope"],
                "departments": list(data.get("departments") or []),
                "members": self._members(data.get("members") or ""),
                "rating_scale": scale,
                "dimensions": [row["value"] for row in self.dimension_rows],
                "achievement_bands": bands,
                "weights": {name: data.get(name) for name in WEIGHT_LABELS},
            }
        )
        return arguments


class TrackerFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ReviewStatus.choices], required=False
    )
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scoped(Department, org).order_by("name")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the cycle reopened?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewerDelegateForm(forms.Form):
    delegate = MemberField(label=_("Who may write this review instead"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].limit_to(org)
