"""Users, organisations (the tenant), memberships, departments, invitations, and the
cross-cutting tenant tables: audit trail, notification inbox and API tokens."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Email is the login; it is stored lower-cased."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


def default_org_settings() -> dict:
    return {}


class Organization(models.Model):
    """The tenant. Every tenant-owned row points at one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    mission = models.TextField(_("mission"), blank=True)
    vision = models.TextField(_("vision"), blank=True)
    values = models.TextField(_("values"), blank=True)
    strategy_summary = models.TextField(_("strategy summary"), blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    settings = models.JSONField(_("settings"), default=default_org_settings, blank=True)
    is_suspended = models.BooleanField(_("suspended"), default=False)
    suspended_reason = models.CharField(_("reason for suspension"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org-home", kwargs={"org_slug": self.slug})


class Department(models.Model):
    """A node of the organisation's department tree."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    head = models.ForeignKey(
        "Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("head"),
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "org",
                "parent",
                Lower("name"),
                name="department_unique_name_per_parent",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["org", "parent"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("department-edit", kwargs={"org_slug": self.org.slug, "pk": self.pk})


class OrgRole(models.TextChoices):
    ADMIN = "admin", _("Org admin")
    HR = "hr", _("HR")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    """A user's place in one organisation: org role, department, manager."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("org role"), max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER
    )
    employee_id = models.CharField(_("employee id"), max_length=60, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint("org", "user", name="membership_unique_user_per_org"),
            models.UniqueConstraint(
                "org",
                "employee_id",
                condition=~Q(employee_id=""),
                name="membership_unique_employee_id_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "manager"]),
            models.Index(fields=["org", "department"]),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def display_name(self) -> str:
        return self.user.get_full_name()


class Invitation(models.Model):
    """An invitation to join an organisation; accepted once through a one-time link."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(
        _("org role"), max_length=10, choices=OrgRole.choices, default=OrgRole.MEMBER
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True)
    manager = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org", "email"])]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEvent(models.Model):
    """Who did what to which object, when, with old and new values. Append-only."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    # PROTECT: audit rows are append-only, so a user with history is deactivated, not deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "object_type", "object_id", "-created_at"]),
            models.Index(fields=["org", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class Notification(models.Model):
    """An in-app inbox entry; the same notice may also be emailed."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A personal API token, valid for one organisation. Only its SHA-256 is stored."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org", "user"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
