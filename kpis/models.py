"""KPIs: each KRA's numbers, with targets and time frames (docs/DOMAIN.md section 4)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kras.models import KRA
from orgs.models import Organization


class MeasureType(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percent")
    CURRENCY = "currency", _("Currency")
    BOOLEAN = "boolean", _("Done / not done")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")
    RANGE = "range", _("Within a range")
    BOOLEAN = "boolean", _("Done / not done")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVG = "avg", _("Average")
    LAST = "last", _("Last value")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")


class DataSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")
    API = "api", _("Sent through the API")


class KPI(models.Model):
    """A measurable indicator of one KRA: a target (or range) per period."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kpis")
    kra = models.ForeignKey(KRA, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    measure_type = models.CharField(
        _("measure"), max_length=10, choices=MeasureType.choices, default=MeasureType.NUMBER
    )
    currency_code = models.CharField(_("currency"), max_length=3, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_low = models.DecimalField(
        _("range from"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_high = models.DecimalField(
        _("range to"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    aggregation = models.CharField(
        _("combine a period's values by"),
        max_length=4,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    due_date = models.DateField(_("until"), null=True, blank=True)
    data_source = models.CharField(
        _("data source"), max_length=10, choices=DataSource.choices, default=DataSource.MANUAL
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "KPI"
        indexes = [models.Index(fields=["org", "kra"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kpi-detail", kwargs={"org_slug": self.org.slug, "pk": self.pk})
