from django import forms

from .models import StrategicObjective


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = StrategicObjective
        fields = ["title", "description", "horizon_years"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
