"""Review cycles and reviews (docs/DOMAIN.md, the review rules).

HR defines a ``ReviewCycle``: its window, cadence, participants (the whole organisation,
departments through ``CycleDepartment``, or a list through ``CycleParticipant``), deadlines,
rating scale and optional rating dimensions, the final-score components' weights and the
bands that map KPI achievement onto the rating scale. Launching it creates one ``Review``
per participant's agreement in force for the window. A review judges that agreement's
signed version: one ``ReviewItem`` per KRA of the version (actual results prefilled from the
stored scores of the window, then the self and manager ratings and comments) and one
``ReviewGoal`` per growth-plan goal (its progress). When the manager shares the review its
content is frozen into a ``ReviewSnapshot`` (canonical JSON and SHA-256, append-only), and
the employee acknowledges it by signing that snapshot: a ``Signature`` row on the
organisation's one hash chain.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Department, Membership, Organization

from .agreements import Agreement, AgreementItem, AgreementVersion, GrowthGoal


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    ANNUAL = "annual", _("Annual")


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ParticipantScope(models.TextChoices):
    ORG = "org", _("The whole organisation")
    DEPARTMENTS = "departments", _("Departments (and those below them)")
    LIST = "list", _("A list of people")


class LaunchStatus(models.TextChoices):
    NOT_LAUNCHED = "", _("Not launched")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


#: The default rating scale: points and labels, lowest first.
DEFAULT_RATING_SCALE = [
    {"value": 1, "label": "Unsatisfactory"},
    {"value": 2, "label": "Needs improvement"},
    {"value": 3, "label": "Meets expectations"},
    {"value": 4, "label": "Exceeds expectations"},
    {"value": 5, "label": "Outstanding"},
]

#: KPI achievement onto the rating scale: the first band whose ``at_least`` the achievement
#: reaches gives the rating; the last band (``at_least`` None) takes everything below.
DEFAULT_ACHIEVEMENT_BANDS = [
    {"at_least": "1.1", "rating": 5},
    {"at_least": "1.0", "rating": 4},
    {"at_least": "0.9", "rating": 3},
    {"at_least": "0.75", "rating": 2},
    {"at_least": None, "rating": 1},
]


def _default_scale():
    return [dict(point) for point in DEFAULT_RATING_SCALE]


def _default_bands():
    return [dict(band) for band in DEFAULT_ACHIEVEMENT_BANDS]


def _weight(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class ReviewCycle(models.Model):
    """One round of reviews over a window, for a set of people."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="review_cycles")
    name = models.CharField(_("name"), max_length=150)
    cadence = models.CharField(
        _("cadence"), max_length=12, choices=Cadence.choices, default=Cadence.ANNUAL
    )
    window_start = models.DateField(_("window from"))
    window_end = models.DateField(_("window until"))
    participant_scope = models.CharField(
        _("participants"),
        max_length=12,
        choices=ParticipantScope.choices,
        default=ParticipantScope.ORG,
    )
    self_assessment_due = models.DateField(_("self-assessment due"))
    manager_review_due = models.DateField(_("manager review due"))
    acknowledgement_due = models.DateField(_("acknowledgement due"))
    rating_scale = models.JSONField(_("rating scale"), default=_default_scale)
    # Names of the dimensions each KRA is rated on ("Quality", "Timeliness"…); empty: one
    # rating per KRA. A KRA's rating is the mean of its dimensions' ratings.
    dimensions = models.JSONField(_("rating dimensions"), default=list, blank=True)
    # The final score's components (docs/DOMAIN.md): their weights total 100; a weight of 0
    # leaves the component out.
    weight_manager = _weight(_("manager rating (%)"))
    weight_achievement = _weight(_("KPI achievement (%)"))
    weight_self = _weight(_("self rating (%)"))
    weight_growth = _weight(_("growth-plan progress (%)"))
    achievement_bands = models.JSONField(_("achievement bands"), default=_default_bands)
    status = models.CharField(
        _("status"), max_length=8, choices=CycleStatus.choices, default=CycleStatus.DRAFT
    )
    launch_status = models.CharField(
        max_length=8, choices=LaunchStatus.choices, default=LaunchStatus.NOT_LAUNCHED, blank=True
    )
    launch_total = models.PositiveIntegerField(default=0)
    launch_done = models.PositiveIntegerField(default=0)
    # What the launch found: {"created": n, "without_agreement": [{"member": id, "name": …,
    # "reason": …}, …]}; people are listed, never silently skipped.
    launch_report = models.JSONField(default=dict, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    launched_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-window_start", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")),
                name="review_cycle_window_in_order",
            ),
            models.UniqueConstraint("org", "name", name="review_cycle_unique_name"),
        ]
        indexes = [models.Index(fields=["org", "status", "window_start"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == CycleStatus.CLOSED

    @property
    def launch_percent(self) -> int:
        if self.launch_status in (LaunchStatus.DONE, LaunchStatus.FAILED) and not self.launch_total:
            return 100
        return int(100 * self.launch_done / self.launch_total) if self.launch_total else 0


class CycleDepartment(models.Model):
    """A department (with those below it) taking part in a cycle."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "cycle", "department", name="cycle_department_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.department_id}"


class CycleParticipant(models.Model):
    """A person named on a cycle's list of participants."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "cycle", "member", name="cycle_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.member_id}"


class ReviewStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Awaiting self-assessment")
    MANAGER_REVIEW = "manager_review", _("Awaiting manager review")
    READY_TO_SHARE = "ready_to_share", _("Ready to share")
    SHARED = "shared", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class Review(models.Model):
    """One person's review in one cycle: it judges the signed version of their agreement in
    force for the cycle's window. The reviewer is their manager at launch; HR may let
    another member review in their place (a per-object ``review_as_reviewer`` grant)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="reviews")
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="reviews")
    reviewee = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("employee")
    )
    reviewer = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews_to_write",
        verbose_name=_("reviewer"),
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reviews")
    agreement_version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.SELF_ASSESSMENT,
    )
    # The employee's part.
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    self_submitted_at = models.DateTimeField(null=True, blank=True)
    # The manager's part.
    manager_comment = models.TextField(_("overall comment"), blank=True)
    development_needs = models.TextField(_("development needs"), blank=True)
    manager_submitted_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The employee's disagreement, kept with the acknowledgement and visible to HR.
    disagreement = models.TextField(_("disagreement"), blank=True)
    # KPI achievement over the window, from the stored scores, and its completeness.
    kpi_achievement = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    periods_with_data = models.PositiveIntegerField(default=0)
    periods_expected = models.PositiveIntegerField(default=0)
    # The components (on the rating scale) and the final score, with the breakdown shown.
    self_rating = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    manager_rating = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    growth_progress = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    final_score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    breakdown = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cycle", "reviewee", "id"]
        permissions = [("review_as_reviewer", "May write this review for the manager")]
        constraints = [
            models.UniqueConstraint("org", "cycle", "agreement", name="review_once_per_agreement"),
        ]
        indexes = [
            models.Index(fields=["org", "cycle", "status"]),
            models.Index(fields=["org", "reviewee"]),
            models.Index(fields=["org", "reviewer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reviewee} · {self.cycle}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class ReviewItem(models.Model):
    """One KRA of the reviewed agreement version: what was measured over the window, and
    the two ratings. A rating per dimension, when the cycle has dimensions, is kept in the
    ``*_dimensions`` map; the KRA's rating is their mean."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    agreement_item = models.ForeignKey(
        AgreementItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("KRA"), max_length=200)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0)
    # Prefilled from the stored scores of the window: one entry per KPI (name, unit,
    # target, actual, achievement, completeness).
    actuals = models.JSONField(default=list, blank=True)
    achievement = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    periods_with_data = models.PositiveIntegerField(default=0)
    periods_expected = models.PositiveIntegerField(default=0)
    self_rating = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    self_dimensions = models.JSONField(default=dict, blank=True)
    self_comment = models.TextField(_("your comment"), blank=True)
    manager_rating = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    manager_dimensions = models.JSONField(default=dict, blank=True)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    # Missed in this cycle and the one before: a development need.
    missed_twice = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "review", "position"])]

    def __str__(self) -> str:
        return self.title


class ReviewGoal(models.Model):
    """A growth-plan goal of the reviewed agreement and how far it got."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="goals")
    growth_goal = models.ForeignKey(
        GrowthGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goal = models.CharField(_("development goal"), max_length=300)
    measurable_target = models.CharField(_("measurable target"), max_length=300, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.TextField(_("comment"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "review"])]

    def __str__(self) -> str:
        return self.goal


class ReviewSnapshot(models.Model):
    """A shared review as the employee acknowledges it: the canonical JSON (RFC 8785) of
    what the review shows and its SHA-256. Append-only."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="snapshots")
    number = models.PositiveIntegerField(default=1)
    canonical_json = models.TextField()
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint("org", "review", "number", name="review_snapshot_number"),
        ]

    def __str__(self) -> str:
        return f"review {self.review_id} #{self.number}"
