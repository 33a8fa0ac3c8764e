"""Agreements and signatures (docs/DOMAIN.md rules R29 to R36).

An ``Agreement`` is one person's expectations in one role for one period. While it is a
draft its content is rows the manager edits: ``AgreementItem`` (a KRA: the role's, copied
as it is, or one for this person alone) with its ``AgreementKPI`` rows, and ``GrowthGoal``
rows. Proposing freezes that content into an ``AgreementVersion``: the canonical JSON of
everything the document shows and its SHA-256. ``Signature`` rows sign a version; they form
one hash chain per organisation. Versions, signatures and the timeline (``AgreementEvent``)
are append-only in the database.

An amendment is a new ``Agreement`` that ``supersedes`` the one in force; the one in force
stays so until the amendment is fully signed.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpis.models import KPIFields
from kras.models import KRA, StrategicObjective
from orgs.models import Membership, Organization
from roles.models import Role


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Awaiting the employee")
    EMPLOYEE_SIGNED = "employee_signed", _("Awaiting the manager")
    AWAITING_HR = "awaiting_hr", _("Awaiting HR")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")
    VOIDED = "voided", _("Voided")


#: Statuses of an agreement still on its way to being in force.
OPEN_STATUSES = (
    AgreementStatus.DRAFT,
    AgreementStatus.PROPOSED,
    AgreementStatus.EMPLOYEE_SIGNED,
    AgreementStatus.AWAITING_HR,
)
#: Statuses that end an agreement's life.
ENDED_STATUSES = (AgreementStatus.SUPERSEDED, AgreementStatus.VOIDED)


class SignerRole(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    MANAGER = "manager", _("Manager")
    HR = "hr", _("HR")


class ItemSource(models.TextChoices):
    ROLE = "role", _("From the role")
    PERSONAL = "personal", _("Personal")
    OVERRIDE = "override", _("Role KPI, personal target")


def agreement_path(org_slug: str, pk: int, name: str = "agreement-detail", suffix: str = "") -> str:
    """The page of an agreement, once the pages are mounted under ``name``; the path they
    will take until then (notices and PDFs carry it)."""
    try:
        return reverse(name, kwargs={"org_slug": org_slug, "pk": pk})
    except NoReverseMatch:
        return f"/o/{org_slug}/agreements/{pk}/{suffix}"


class Agreement(models.Model):
    """One person, one role, one period (docs/DOMAIN.md rule R29)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agreements")
    employee = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("employee"),
    )
    # The manager when the agreement was made: the one who countersigns, whatever the org
    # chart says later (a delegate needs a per-object grant, reviews.sign_agreement).
    manager = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_agreements",
        verbose_name=_("manager"),
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("role")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
    )
    current_version = models.ForeignKey(
        "AgreementVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amends"),
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When the agreement entered its status: how long it has waited for the next step.
    status_changed_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-created_at", "-id"]
        permissions = [("sign_agreement", "May sign this agreement for its manager")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="agreement_period_in_order",
            ),
            # At most one in force, and one on its way, per person, role and period.
            models.UniqueConstraint(
                "org",
                "employee",
                "role",
                "period_start",
                condition=Q(status="active"),
                name="agreement_one_in_force",
            ),
            models.UniqueConstraint(
                "org",
                "employee",
                "role",
                "period_start",
                condition=Q(status__in=["draft", "proposed", "employee_signed", "awaiting_hr"]),
                name="agreement_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "employee", "status"]),
            models.Index(fields=["org", "manager", "status"]),
            models.Index(fields=["org", "role"]),
            models.Index(fields=["org", "status", "period_start"]),
        ]

    def __str__(self) -> str:
        period = f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"
        return f"{self.employee} · {self.role} · {period}"

    def get_absolute_url(self) -> str:
        return agreement_path(self.org.slug, self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == AgreementStatus.DRAFT


class AgreementItem(models.Model):
    """A KRA of the agreement: the role's (``source`` role, copied as it was) or this
    person's alone (``source`` personal). ``role_weight`` keeps the role's weight when the
    agreement gives the KRA another."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=[(ItemSource.ROLE, ItemSource.ROLE.label), (ItemSource.PERSONAL, _("Personal"))],
    )
    source_kra = models.ForeignKey(
        KRA, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    area_of_focus = models.CharField(_("area of focus"), max_length=150, blank=True)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    role_weight = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # The ladder (docs/DOMAIN.md rule R6): the role KRA's, or chosen for a personal KRA.
    parent = models.ForeignKey(
        KRA,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parent KRA"),
    )
    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("strategic objective"),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "agreement", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def weight_overridden(self) -> bool:
        return self.role_weight is not None and self.role_weight != self.weight


class AgreementKPI(KPIFields):
    """A KPI of an agreement KRA: the role's copied (``source`` role), the role's with a
    target for this person (``override``: the role's target stays beside it), or this
    person's alone (``personal``)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="kpis")
    item = models.ForeignKey(AgreementItem, on_delete=models.CASCADE, related_name="kpis")
    source = models.CharField(_("source"), max_length=10, choices=ItemSource.choices)
    source_kpi = models.ForeignKey(
        "kpis.KPI", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # This person's target, when it differs from the role's.
    override_target = models.DecimalField(
        _("personal target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    override_target_low = models.DecimalField(
        _("personal range from"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    override_target_high = models.DecimalField(
        _("personal range to"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    override_reason = models.CharField(_("why a personal target"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "agreement KPI"
        indexes = [models.Index(fields=["org", "agreement"]), models.Index(fields=["org", "item"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_overridden(self) -> bool:
        return self.source == ItemSource.OVERRIDE

    @property
    def effective_target(self):
        return self.override_target if self.is_overridden else self.target

    @property
    def effective_target_low(self):
        return self.override_target_low if self.is_overridden else self.target_low

    @property
    def effective_target_high(self):
        return self.override_target_high if self.is_overridden else self.target_high


class GrowthGoal(models.Model):
    """One item of the person's growth plan: what they will learn or improve, with a
    measurable target, a due date and how it will be measured."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="growth_goals")
    goal = models.CharField(_("development goal"), max_length=300)
    measurable_target = models.CharField(_("measurable target"), max_length=300)
    due_date = models.DateField(_("due date"))
    measured_by = models.CharField(_("how it will be measured"), max_length=300)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "agreement", "position"])]

    def __str__(self) -> str:
        return self.goal


class AgreementVersion(models.Model):
    """What is signed (docs/DOMAIN.md rule R32): the canonical JSON (RFC 8785) of everything
    the document shows, exactly as hashed, and its SHA-256. Append-only: a version never
    changes."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # The exact text hashed (a JSONB column would reorder and respell it).
    canonical_json = models.TextField()
    content_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                "org", "agreement", "number", name="agreement_version_unique_number"
            ),
        ]
        indexes = [models.Index(fields=["org", "content_hash"])]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.number}"


class Signature(models.Model):
    """A signature of one version (docs/DOMAIN.md rule R33): who, as what, meaning what,
    when, from where, how they authenticated, and the version's content hash; a link of the
    organisation's hash chain (``prev_hash`` → ``row_hash``). Append-only."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # What is signed: an agreement version, or a shared review's snapshot (the employee's
    # acknowledgement); exactly one of the two.
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
    )
    review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
    )
    review_snapshot = models.ForeignKey(
        "reviews.ReviewSnapshot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
    )
    signer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="signatures")
    signer_role = models.CharField(_("signed as"), max_length=10, choices=SignerRole.choices)
    printed_name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    meaning = models.TextField(_("statement of meaning"))
    signed_at = models.DateTimeField(_("signed at"))
    # Text, not inet: hashed exactly as written (an inet column respells IPv6 addresses).
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    auth_method = models.CharField(_("authenticated by"), max_length=20)
    content_hash = models.CharField(max_length=64)
    # The organisation's chain: 1, 2, 3…; each row names the hash of the one before.
    sequence = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint("org", "sequence", name="signature_unique_sequence"),
            # Two rows after the same one would fork the chain.
            models.UniqueConstraint("org", "prev_hash", name="signature_chain_never_forks"),
            models.UniqueConstraint("org", "version", "signer", name="signature_once_per_signer"),
            models.UniqueConstraint(
                "org", "version", "signer_role", name="signature_once_per_signer_role"
            ),
            models.UniqueConstraint(
                "org", "review_snapshot", "signer", name="signature_once_per_review_signer"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        agreement__isnull=False,
                        version__isnull=False,
                        review__isnull=True,
                        review_snapshot__isnull=True,
                    )
                    | Q(
                        agreement__isnull=True,
                        version__isnull=True,
                        review__isnull=False,
                        review_snapshot__isnull=False,
                    )
                ),
                name="signature_signs_one_thing",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "agreement"]),
            models.Index(fields=["org", "review"]),
        ]

    def __str__(self) -> str:
        return f"{self.printed_name} ({self.signer_role}) #{self.sequence}"


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    CHANGE_REQUEST = "change_request", _("Change request")


class AgreementComment(models.Model):
    """A comment on an agreement, or the employee's request for changes."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("kind"), max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["org", "agreement", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    PROPOSED = "proposed", _("Proposed")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SIGNED = "signed", _("Signed by the employee")
    COUNTERSIGNED = "countersigned", _("Countersigned by the manager")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by HR")
    ACTIVATED = "activated", _("In force")
    AMENDED = "amended", _("Amendment started")
    SUPERSEDED = "superseded", _("Superseded")
    VOIDED = "voided", _("Voided")


class AgreementEvent(models.Model):
    """The agreement's timeline, as the PDF's last page shows it. Append-only."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["org", "agreement", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.agreement_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """HR's export of the signed agreements of a department (and those below it) or of the
    whole organisation: one ZIP of PDFs with an index CSV, built by a task. ``errors`` names
    each agreement whose PDF could not be made (the others are still in the ZIP)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    scope_label = models.CharField(_("exported"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # Relative to MEDIA_ROOT: exports/<org>/<job>.zip
    file_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "created_at"])]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.scope_label})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished and not self.total:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
