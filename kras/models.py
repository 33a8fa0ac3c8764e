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
