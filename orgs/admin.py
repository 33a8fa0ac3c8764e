"""Django admin for platform staff.

The admin runs as the application role like every page, so row-level security holds here
too: staff see every organisation (the tenant registry has no row-level security) and work in
one organisation at a time, chosen with the "Work in this organisation" action; the tenant
lists below then show that organisation's rows, and writes for an organisation run in its
context. Seeing every organisation's rows at once is for the maintenance role only.

Changes that have a service go through it, so the admin writes the same audit trail as the
product: organisations are created, suspended and reactivated by the organisation services,
their rule settings changed by the rules service (``org_settings``), and a member's role or
activity by the membership services. Secrets (token and invitation
hashes) and the audit trail are read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kra_platform import rls

from . import org_settings, services
from .emails import normalize_email
from .models import (
    ApiToken,
    AuditEvent,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
    User,
)
from .services.organization import PROFILE_FIELDS
from .services.tokens import api_tokens_revoke_all_of_user
from .tenancy import ADMIN_ORG_SESSION_KEY, look_up_account

# --- users -------------------------------------------------------------------------------


class _EmailMixin:
    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        taken = User.objects.filter(email=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("A user with this email already exists."))
        return email


class UserCreationForm(_EmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(_EmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("org", "role", "job_title", "department", "is_active")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("org", "department")


class UserPasswordForm(AdminPasswordChangeForm):
    """Setting someone's password here revokes their API tokens, as the password pages do."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            api_tokens_revoke_all_of_user(user=user, reason="password set by platform staff")
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = UserPasswordForm
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    # Staff flags are the operators' (`KRA_DB_AS_MAINTENANCE=1 manage.py createsuperuser`):
    # the database refuses them to the application role, which the admin runs as.
    readonly_fields = ("date_joined", "last_login", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = [MembershipInline]

    def has_change_permission(self, request, obj=None):
        # Under row-level security an account is changed only by itself (or by the sign-in
        # and reset flows): staff read other accounts here and change them with operator
        # commands (the maintenance role).
        if obj is not None and obj.pk != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # A new account names its email; row-level security shows it back by that email.
        look_up_account(obj.email)
        super().save_model(request, obj, form, change)

    def get_inlines(self, request, obj):
        # A new account has no memberships yet.
        return self.inlines if obj is not None else []


# --- organisations -----------------------------------------------------------------------


class OrganizationCreationForm(forms.ModelForm):
    """Adding a tenant also names its first org admin, as organization_create requires."""

    admin_email = forms.EmailField(
        label=_("First org admin's email"),
        help_text=_("An existing account is reused; a new one gets no password until reset."),
    )
    admin_name = forms.CharField(label=_("First org admin's full name"), required=False)

    class Meta:
        model = Organization
        fields = ("name", "slug", "timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leave empty to derive it from the name.")

    def clean_slug(self):
        slug = slugify(self.cleaned_data.get("slug") or self.data.get("name") or "")[:60]
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError(_("The slug “%(slug)s” is taken.") % {"slug": slug})
        return slug

    def clean_admin_email(self):
        email = normalize_email(self.cleaned_data["admin_email"])
        validate_email(email)
        return email


class OrganizationChangeForm(forms.ModelForm):
    """An organisation's change form. Its rule settings are checked by the rules service's
    own validation (``org_settings.rule_changes``), so the admin refuses what the rules page
    and API refuse, in the same words, and saves nothing then."""

    class Meta:
        model = Organization
        fields = ("settings",)  # the admin adds the fieldsets' own

    def clean_settings(self):
        settings = self.cleaned_data.get("settings")
        try:
            # self.instance still holds the stored settings: the form writes the new ones
            # on it only after cleaning.
            self.rule_changes = org_settings.rule_changes(self.instance, settings or {})
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return settings


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=Organization._meta.get_field("suspended_reason").max_length,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=_("Shown to the organisation's members on every page until it is reactivated."),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "working_in",
        "is_suspended",
        "suspended_reason",
        "created_at",
    )
    list_filter = ("is_suspended", "created_at", "timezone")
    search_fields = ("name", "slug")
    ordering = ("name",)
    date_hierarchy = "created_at"
    # The slug is in every URL and API client of the tenant; the status changes by actions.
    readonly_fields = ("slug", "is_suspended", "suspended_reason", "created_at")
    actions = ["work_in_organization", "suspend_organizations", "reactivate_organizations"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "fiscal_year_start_month", "logo")}),
        (
            _("Strategy"),
            {"fields": ("mission", "vision", "values", "strategy_summary")},
        ),
        (_("Settings"), {"fields": ("settings",)}),
        (
            _("Status"),
            {
                "fields": ("is_suspended", "suspended_reason", "created_at"),
                "description": _("Use the list's actions to suspend or reactivate."),
            },
        ),
    )
    add_fieldsets = ((None, {"fields": ("name", "slug", "timezone", "admin_email", "admin_name")}),)
    form = OrganizationChangeForm

    def changelist_view(self, request, extra_context=None):
        self._request = request
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("working in"), boolean=True)
    def working_in(self, obj):
        request = getattr(self, "_request", None)
        return bool(request and request.session.get(ADMIN_ORG_SESSION_KEY) == obj.pk)

    @admin.action(description=_("Work in this organisation (its members, departments, …)"))
    def work_in_organization(self, request, queryset):
        orgs = list(queryset[:2])
        if len(orgs) != 1:
            self.message_user(request, _("Select exactly one organisation."), messages.ERROR)
            return None
        request.session[ADMIN_ORG_SESSION_KEY] = orgs[0].pk
        self.message_user(
            request,
            _("You now work in %(name)s: the tenant lists show its rows only.")
            % {"name": orgs[0].name},
            messages.SUCCESS,
        )
        return None

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OrganizationCreationForm
        return super().get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deleting a tenant would erase signed agreements and the audit trail: suspend it.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            self._save_changes(request, obj, form)
            return
        org, _admin = services.organization_create(
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            timezone=form.cleaned_data["timezone"],
            admin_email=form.cleaned_data["admin_email"],
            admin_name=form.cleaned_data["admin_name"],
            actor=request.user,
        )
        # The admin goes on with the instance it built (history entry, redirect).
        obj.pk = org.pk
        obj.slug = org.slug
        obj.created_at = org.created_at
        obj._state.adding = False

    def _save_changes(self, request, obj, form):
        profile = {
            name: form.cleaned_data[name] for name in form.changed_data if name in PROFILE_FIELDS
        }
        if profile:
            # A fresh copy: the form already wrote the new values on ``obj``, and the service
            # diffs against what it is given.
            stored = Organization.objects.get(pk=obj.pk)
            with rls.tenant_context(org_id=obj.pk, user_id=request.user.pk):
                services.organization_update_profile(org=stored, actor=request.user, **profile)
        changes = getattr(form, "rule_changes", None)
        if changes:
            # Through the rules service, like the rules page: validated as a whole (again,
            # under its lock), stored and audited.
            with rls.tenant_context(org_id=obj.pk, user_id=request.user.pk):
                org_settings.organization_update_rules(
                    org=Organization.objects.get(pk=obj.pk), actor=request.user, **changes
                )

    @admin.action(description=_("Suspend the selected organisations"))
    def suspend_organizations(self, request, queryset):
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = 0
            for org in queryset:
                with rls.tenant_context(org_id=org.pk, user_id=request.user.pk):
                    services.organization_set_suspended(
                        org=org,
                        suspended=True,
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                    )
                count += 1
            self.message_user(
                request,
                ngettext("%(n)d organisation suspended.", "%(n)d organisations suspended.", count)
                % {"n": count},
                messages.SUCCESS,
            )
            return None
        # An intermediate page asks why; it posts back to this action with the same selection.
        return TemplateResponse(
            request,
            "admin/orgs/organization/suspend.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Suspend organisations"),
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Reactivate the selected organisations"))
    def reactivate_organizations(self, request, queryset):
        count = 0
        for org in queryset.filter(is_suspended=True):
            with rls.tenant_context(org_id=org.pk, user_id=request.user.pk):
                services.organization_set_suspended(org=org, suspended=False, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d organisation reactivated.", "%(n)d organisations reactivated.", count)
            % {"n": count},
            messages.SUCCESS,
        )


# --- tenant data -------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role", "job_title", "department", "manager", "is_active")
    list_filter = ("role", "is_active", "org")
    search_fields = ("user__email", "user__full_name", "employee_id", "job_title", "org__slug")
    list_select_related = ("user", "org", "department", "manager__user")
    fields = (
        "org",
        "user",
        "role",
        "job_title",
        "employee_id",
        "department",
        "manager",
        "start_date",
        "is_active",
        "deactivated_at",
        "created_at",
    )
    # The org chart (department, manager) is the organisation's own to edit, in the product.
    readonly_fields = ("org", "user", "department", "manager", "deactivated_at", "created_at")

    def has_add_permission(self, request):
        # People join through an invitation or the org-chart import.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Route edits through the services: they keep one active admin per organisation and
        write the audit trail."""
        fields = {
            name: form.cleaned_data[name]
            for name in ("role", "job_title", "employee_id", "start_date")
            if name in form.changed_data
        }
        if fields:
            services.membership_update(membership=obj, actor=request.user, **fields)
        if "is_active" in form.changed_data:
            if obj.is_active:
                services.membership_reactivate(membership=obj, actor=request.user)
            else:
                services.membership_deactivate(membership=obj, actor=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "parent", "head")
    list_filter = ("org",)
    search_fields = ("name", "org__slug")
    list_select_related = ("org", "parent", "head__user")

    # The tree is edited in the product, where moves are checked for cycles and audited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "org", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", "org")
    search_fields = ("email", "org__slug")
    list_select_related = ("org",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "org", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type", "org")
    search_fields = ("actor_label", "action", "object_repr", "object_id")
    list_select_related = ("org",)
    date_hierarchy = "created_at"

    # The trail is append-only: nobody edits or deletes it, not even platform staff.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", "org")
    search_fields = ("title", "recipient__user__email")
    list_select_related = ("org", "recipient__user")
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "org", "created_at", "expires_at", "revoked_at")
    list_filter = ("org",)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user", "org")
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        # The raw key is shown once, to its owner, on their tokens page.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("org"):
            services.api_token_revoke(token=token, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count},
            messages.SUCCESS,
        )
