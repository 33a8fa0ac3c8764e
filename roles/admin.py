from django.contrib import admin

from . import services
from .models import AreaOfFocus, Role, RoleAssignment


class AreaOfFocusInline(admin.TabularInline):
    model = AreaOfFocus
    extra = 0
    can_delete = False
    fields = ("position", "title", "description")
    readonly_fields = fields
    ordering = ("position", "id")

    def has_add_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    can_delete = False
    fields = ("member", "start_date", "end_date")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "department", "justification_kind", "updated_at")
    list_filter = ("justification_kind", "org")
    search_fields = ("title", "purpose", "org__slug", "department__name")
    list_select_related = ("org", "department")
    ordering = ("org__name", "title", "id")
    fields = (
        "org",
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
        "success_is_complete",
        "success_missing",
        "success_unnecessary",
        "success_checked_at",
        "created_at",
        "updated_at",
    )
    # Placement (department, reporting line) belongs to the organisation's managers; staff
    # may correct wording and figures.
    readonly_fields = (
        "org",
        "department",
        "reports_to",
        "success_is_complete",
        "success_missing",
        "success_unnecessary",
        "success_checked_at",
        "created_at",
        "updated_at",
    )
    inlines = (AreaOfFocusInline, RoleAssignmentInline)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, so the change is validated and audited like any other.
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if fields:
            services.role_update(role=obj, actor=request.user, **fields)
