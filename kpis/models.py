"""KPIs: each KRA's numbers, with targets and time frames (docs/DOMAIN.md section 4)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
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


class KPIFields(models.Model):
    """What a KPI says: its measure, direction, baseline, target or range, frequency,
    aggregation, weight and dates. Shared by the KPI and the copy an agreement freezes."""

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

    class Meta:
        abstract = True


class KPI(KPIFields):
    """A measurable indicator of one KRA: a target (or range) per period."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="kpis")
    kra = models.ForeignKey(KRA, on_delete=models.CASCADE, related_name="kpis")
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


# --- results over time (docs/DOMAIN.md section 4) -----------------------------------------


class MeasurementStatus(models.TextChoices):
    COUNTED = "counted", _("Counted")
    AWAITING_CONFIRMATION = "awaiting", _("Awaiting the manager's confirmation")


class Measurement(models.Model):
    """One value of one KPI for one person for one of the KPI's periods (weekly, monthly,
    quarterly or annual). A period may hold several values; the KPI's aggregation combines
    them (docs/DOMAIN.md rule R14). A ``source_ref`` makes a repeated send an update of the
    same row, not a second value."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="measurements")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    person = models.ForeignKey(
        "orgs.Membership", on_delete=models.CASCADE, related_name="measurements"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    entered_by = models.ForeignKey(
        "orgs.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements_entered",
    )
    entered_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MeasurementStatus.choices,
        default=MeasurementStatus.COUNTED,
    )
    confirmed_by = models.ForeignKey(
        "orgs.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements_confirmed",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-entered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kpi", "person", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="measurement_source_ref_once",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="measurement_period_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "kpi", "person", "period_start"]),
            models.Index(fields=["org", "person", "period_start"]),
            # The list's order: its first page, and each next one from where the last ended.
            models.Index(
                fields=["org", "-period_start", "-entered_at", "-id"], name="measurement_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.person_id} {self.period_start}: {self.value}"


class ScoreScope(models.TextChoices):
    KPI = "kpi", _("KPI")
    KRA = "kra", _("KRA")
    PERSON = "person", _("Person")
    ROLE = "role", _("Role")
    DEPARTMENT = "department", _("Department")
    ORGANIZATION = "org", _("Organisation")


class ScoreWindow(models.TextChoices):
    PERIOD = "period", _("Period")
    YEAR_TO_DATE = "ytd", _("Year to date")


class Score(models.Model):
    """A precomputed rollup (``kpis/rollups.py``): the achievement of one scope (a KPI or a
    KRA of one person, a person, a role, a department, the organisation) over one window (a
    period, or the fiscal year to date), with its completeness. ``achievement`` None is "no
    data", never zero. Written only by the rollup, by set-based SQL."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scores")
    scope = models.CharField(max_length=10, choices=ScoreScope.choices)
    scope_id = models.BigIntegerField()
    person = models.ForeignKey(
        "orgs.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="scores"
    )
    window = models.CharField(max_length=6, choices=ScoreWindow.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    achievement = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    periods_with_data = models.PositiveIntegerField(default=0)
    periods_expected = models.PositiveIntegerField(default=0)
    completeness = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "scope", "scope_id", "person", "window", "period_start"],
                name="score_once_per_scope_and_period",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["org", "person", "scope", "window", "period_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.scope_id} {self.period_start}: {self.achievement}"


class RollupState(models.Model):
    """When an organisation's scores were last computed (``kpis/rollups.py``): one row per
    organisation, written at the end of each rollup. A score row's own ``computed_at`` is
    when that row last changed, since a run writes only what changed."""

    org = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="rollup_state"
    )
    computed_at = models.DateTimeField()
    #: The day the run's year to date ended on.
    as_of = models.DateField()
    #: The organisation's scores after the run, and how many of them the run wrote or removed.
    scores = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.org_id}: {self.computed_at:%Y-%m-%d %H:%M}"


class RollupInputs(models.Model):
    """What one person's scores were last computed from (``kpis/rollups.py``): a digest of
    every input of their scores (their counted values of the year so far, the roles they held,
    the definitions of their KRAs and KPIs, the organisation's settings and the periods begun).
    A run recomputes the people whose digest changed and no one else. Written only by the
    rollup, in the transaction that writes the scores."""

    person = models.OneToOneField(
        "orgs.Membership", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    #: A sum of 64-bit hashes, one per input (see ``kpis/rollups.py``).
    digest = models.DecimalField(max_digits=40, decimal_places=0)
    #: The groups the person's scores counted in (their department, the roles they held): when
    #: the person is recomputed, the means of these and of their new groups are.
    department_id = models.BigIntegerField(null=True, blank=True)
    role_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id}: {self.digest}"


class ValuesDigest(models.Model):
    """Per person and KPI, a digest of their values (every period, every status): a sum of one
    64-bit hash per value (its id, KPI, period, value, time entered and status). Kept by the
    database, not by the code: statement triggers on ``kpis_measurement`` (migration
    ``kpis/0007``) add each written row's hash and take away each removed one's, whatever
    wrote it. The rollup reads these instead of every value to learn whose values changed
    (``kpis/rollups.py``), and rebuilds them from the values when it recomputes everyone.
    No foreign keys in the database: a cascade that deletes values must not trip over its
    own digest rows."""

    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    person = models.ForeignKey(
        "orgs.Membership",
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    kpi = models.ForeignKey(
        KPI, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    digest = models.DecimalField(max_digits=40, decimal_places=0)
    values = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kpi"], name="values_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.kpi_id}: {self.values}"
