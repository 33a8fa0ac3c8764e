"""Forms of the org-chart import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .imports import MAX_BYTES


class OrgChartUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, full name, employee id, department (a path such as "
            "“Sales/Inside Sales”), job title, manager email. Email and full name are required."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class OrgChartConfirmForm(forms.Form):
    # The SHA-256 of the previewed file: it names the copy kept on the server, so what is
    # imported is exactly what was previewed, whatever the browser sends back.
    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
