from django import forms
from django.utils.translation import gettext_lazy as _

from roles.models import Role


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, role: Role) -> str:
        if role.department_id:
            return f"{role.title} · {role.department.name}"
        return role.title


class TemplateApplyForm(forms.Form):
    role = RoleChoiceField(queryset=Role.objects.none(), label=_("Role"))
    replace = forms.BooleanField(
        label=_("Replace the role's current KRAs"),
        required=False,
        help_text=_("They are retired (kept in history and in signed agreements)."),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles


class TemplateSaveForm(forms.Form):
    role = RoleChoiceField(queryset=Role.objects.none(), label=_("Role"))
    name = forms.CharField(label=_("Template name"), max_length=150)
    category = forms.CharField(
        label=_("Department or family"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the role's department."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
