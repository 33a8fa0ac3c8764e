from django import forms
from django.utils.translation import gettext_lazy as _

from .models import KPI


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class KPIForm(forms.ModelForm):
    """The KPI editor. Consistency rules live in kpis.services (shared with the API); this
    form only parses."""

    class Meta:
        model = KPI
        fields = [
            "name",
            "description",
            "measure_type",
            "currency_code",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_low",
            "target_high",
            "frequency",
            "aggregation",
            "weight",
            "start_date",
            "due_date",
            "data_source",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "start_date": _DateInput(),
            "due_date": _DateInput(),
        }
        help_texts = {
            "name": _("Specific, with its number: “Onboard 15 new clients per quarter”."),
            "currency_code": _("For a currency measure: USD, EUR, INR…"),
            "unit": _("What is counted: days, deals, tickets…"),
            "baseline": _("Where it stands today."),
            "target": _("For higher or lower is better."),
            "target_low": _("For a KPI within a range."),
            "weight": _("Its share of the KRA; a KRA's KPI weights total 100."),
            "due_date": _("The end of its time frame: a SMART KPI is time-bound."),
        }

    def _post_clean(self):
        # The service validates the whole KPI with its KRA; the model's own full_clean here
        # would only repeat part of it with other words.
        pass
