"""The strategy ladder's top (strategic objectives) and, later, KRAs at three levels."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class StrategicObjective(models.Model):
    """A 1–3 year objective of the organisation: the top of every KRA ladder."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    horizon_years = models.PositiveSmallIntegerField(
        _("horizon (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(
        max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "status", "position"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("objective-edit", kwargs={"org_slug": self.org.slug, "pk": self.pk})


class KRALevel(models.TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    DEPARTMENT = "department", _("Department")
    ROLE = "role", _("Role")


class KRAStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    RETIRED = "retired", _("Retired")


class KRA(models.Model):
    """A Key Result Area at one of three levels, on a ladder: its parent KRA and/or the
    strategic objective it serves."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kras")
    level = models.CharField(_("level"), max_length=20, choices=KRALevel.choices)
    title = models.CharField(_("title"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kras",
        verbose_name=_("department"),
    )
    role = models.ForeignKey(
        "roles.Role",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kras",
        verbose_name=_("role"),
    )
    area_of_focus = models.ForeignKey(
        "roles.AreaOfFocus",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kras",
        verbose_name=_("area of focus"),
    )
    owner = models.ForeignKey(
        "orgs.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_kras",
        verbose_name=_("owner"),
        help_text=_("Only when someone other than the role holder owns it."),
    )
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 is the highest."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent KRA"),
    )
    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kras",
        verbose_name=_("strategic objective"),
    )
    status = models.CharField(max_length=20, choices=KRAStatus.choices, default=KRAStatus.ACTIVE)
    needs_review_reason = models.TextField(blank=True)
    needs_review_link = models.CharField(max_length=300, blank=True)
    needs_review_since = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["org", "level", "status"]),
            models.Index(fields=["org", "role"]),
            models.Index(fields=["org", "department"]),
            models.Index(fields=["org", "parent"]),
            models.Index(fields=["org", "objective"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kra-detail", kwargs={"org_slug": self.org.slug, "pk": self.pk})


class KRATemplate(models.Model):
    """An organisation's own saved template: a role's KRAs with their KPIs, as JSON in the
    same shape as the shipped library (kras/library/)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kra_templates")
    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(_("department or family"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    content = models.JSONField(default=list)
    created_by = models.ForeignKey(
        "orgs.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["org", "category"])]

    def __str__(self) -> str:
        return self.name
