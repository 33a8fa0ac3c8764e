"""Users, organisations (the tenant), memberships, departments, invitations, and the
cross-cutting tenant tables: audit trail, notification inbox and API tokens."""

from __future__ import annotations

import unicodedata
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from .emails import normalize_email


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def validate_single_line(value: str) -> None:
    """A name shown in headings, titles and emails: one line, no control characters."""
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value or ""):
        raise ValidationError(
            _("Write the name on one line, without line breaks or control characters."),
            code="single_line",
        )


LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 2000
LOGO_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}


def validate_logo(value) -> None:
    """A new upload only (a stored logo was checked when it came): at most 2 MB and
    2000 × 2000 pixels, and a PNG, JPEG or WebP image by its content, whatever its name."""
    if not value or getattr(value, "_committed", True):
        return
    if value.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s; keep it under 2 MB."),
            params={"size": filesizeformat(value.size)},
            code="logo_too_large",
        )
    from PIL import Image, UnidentifiedImageError

    position = value.tell() if hasattr(value, "tell") else 0
    try:
        value.seek(0)
        with Image.open(value) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image."), code="logo_not_an_image"
        ) from None
    finally:
        value.seek(position)
    if kind not in LOGO_FORMATS:
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image."), code="logo_not_an_image"
        )
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
        raise ValidationError(
            _("The logo is %(width)d × %(height)d pixels; keep it within 2000 × 2000."),
            params={"width": width, "height": height},
            code="logo_too_big",
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address, not only the domain as Django's does: see orgs/emails.py.
        return normalize_email(email)

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        from django.db import connection

        if not connection.get_autocommit():
            # Creating an account names its email: row-level security then shows it back.
            from .tenancy import look_up_account

            look_up_account(user.email)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        # Exact, on the normal form: never the database's case-insensitive comparison,
        # which lets look-alike letters reach an account (orgs/emails.py).
        email = normalize_email(username)
        from django.db import connection

        if not connection.get_autocommit():
            # Row-level security shows an account to a look-up by its exact email only.
            from .tenancy import look_up_account

            look_up_account(email)
        return self.get(email=email)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Email is the login; it is stored in its normal form
    (orgs/emails.py) and matched exactly."""

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

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


def default_org_settings() -> dict:
    return {}


class Organization(models.Model):
    """The tenant. Every tenant-owned row points at one."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
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
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, at most 2 MB and 2000 × 2000 pixels."),
    )
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
    # The organisation made this person's account (an org-chart import): only then may it
    # email them a link to choose a password. An account that existed is invited instead.
    account_created_by_org = models.BooleanField(default=False)
    # Imported as reporting to someone the same import invited: that person becomes the
    # manager when they accept the invitation.
    awaited_manager = models.ForeignKey(
        "Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awaiting_reports",
    )

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


class ReminderStage(models.TextChoices):
    """Where a reminder stands against its deadline (docs/DOMAIN.md rule R45): before it, on
    the day, after it, then escalated to the manager, then to HR."""

    BEFORE = "before", _("Before the deadline")
    DUE = "due", _("On the day")
    AFTER = "after", _("After the deadline")
    MANAGER = "manager", _("Escalated to the manager")
    HR = "hr", _("Escalated to HR")


class Reminder(models.Model):
    """One reminder claimed for one recipient: the unique row decides, before anything is
    sent, that (recipient, kind, object, stage) is reminded once (docs/DOMAIN.md rule R44).
    Written only by orgs/reminders/engine.py (set-based ``INSERT … ON CONFLICT DO NOTHING``);
    the inbox notice it sent is ``notification`` (none when the recipient had muted it)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    # Whose step is awaited (the employee, the KRA's owner): the person the reminder is about.
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("about")
    )
    kind = models.CharField(_("kind"), max_length=60)
    object_key = models.CharField(_("object"), max_length=120)
    stage = models.CharField(_("stage"), max_length=10, choices=ReminderStage.choices)
    deadline = models.DateField(_("deadline"))
    subject = models.CharField(_("subject"), max_length=200)
    url = models.CharField(max_length=500, blank=True)
    muted = models.BooleanField(_("muted"), default=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("claimed"), default=now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "org", "recipient", "kind", "object_key", "stage", name="reminder_once_per_stage"
            )
        ]
        indexes = [
            models.Index(fields=["org", "-created_at"]),
            models.Index(fields=["org", "person", "-created_at"]),
            models.Index(fields=["org", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} {self.stage} → {self.recipient_id}"


class ReminderMute(models.Model):
    """A member who muted their reminders: they still get escalations about others, never
    the before / on the day / after ones (docs/DOMAIN.md rule R46)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="reminder_mute"
    )
    muted_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["org", "member"])]

    def __str__(self) -> str:
        return f"reminders muted for {self.member_id}"
