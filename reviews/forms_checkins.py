"""Forms of the check-in pages. They parse input only: the rules are
reviews/services/checkins.py's, and its errors come back onto these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.checkins import ACTION_MAX_LENGTH, TEXT_MAX_LENGTH, ActionInput

#: Empty action rows a new form offers, and that "Add another action" adds.
EXTRA_ACTION_ROWS = 2


class CheckInForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kras = forms.MultipleChoiceField(
        label=_("KRAs discussed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    wins = forms.CharField(
        label=_("Wins to celebrate"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    blockers = forms.CharField(
        label=_("Blockers"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, kras, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kras"].choices = [(str(item.pk), item.title) for item in kras]


class ActionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("Action"), required=False, max_length=ACTION_MAX_LENGTH)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {m.pk: m for m in owners}
        self.fields["owner"].choices = [(m.pk, m.display_name) for m in owners]

    def action_input(self) -> ActionInput | None:
        data = self.cleaned_data
        if not data.get("id") and not (data.get("description") or "").strip():
            return None  # an empty row
        return ActionInput(
            id=data.get("id") or None,
            description=data.get("description") or "",
            owner=self.owners.get(data.get("owner")),
            due_date=data.get("due_date"),
            remove=bool(data.get("remove")),
        )


def action_formset(data=None, *, owners, initial=None, extra: int = EXTRA_ACTION_ROWS):
    """The action rows: ``initial`` (a check-in's actions) and ``extra`` empty rows."""
    formset_class = forms.formset_factory(ActionForm, extra=extra, max_num=50, absolute_max=50)
    return formset_class(data, initial=initial, prefix="actions", form_kwargs={"owners": owners})


def with_another_row(data):
    """The posted form with one more empty action row (no JavaScript needed)."""
    data = data.copy()
    total = int(data.get("actions-TOTAL_FORMS") or 0)
    data["actions-TOTAL_FORMS"] = str(min(total + 1, 50))
    return data
