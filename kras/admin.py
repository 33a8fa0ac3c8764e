from django.contrib import admin

from . import services
from .models import StrategicObjective


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "horizon_years", "status", "position", "created_at")
    list_filter = ("status", "horizon_years", "org")
    search_fields = ("title", "description", "org__slug")
    list_select_related = ("org",)
    ordering = ("org__name", "position", "id")
    fields = (
        "org",
        "title",
        "description",
        "horizon_years",
        "status",
        "position",
        "created_at",
        "retired_at",
    )
    readonly_fields = ("org", "status", "position", "created_at", "retired_at")

    # Objectives are created, reordered and retired by their organisation's admins in the
    # product; staff may correct the wording.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, so the change is audited like any other.
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if fields:
            services.objective_update(objective=obj, actor=request.user, **fields)
