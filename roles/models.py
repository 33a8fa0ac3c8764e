"""Job roles, what each owns (areas of focus and responsibilities), who holds them, and the
cost justification and success check the method asks for."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Department, Membership, Organization


class JustificationKind(models.TextChoices):
    REVENUE = "revenue", _("Creates revenue")
    FREES_CAPACITY = "frees_capacity", _("Frees others to create revenue")
    COMPLIANCE = "compliance", _("Required for compliance")
    NOT_YET = "not_yet", _("Not yet justified")


class Role(models.Model):
    """A job role in a department, filled in top to bottom: purpose, alignment, strategy,
    cost justification, job description, areas of focus, success check."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("department"),
    )
    title = models.CharField(_("title"), max_length=150)
    purpose = models.TextField(
        _("purpose"), blank=True, help_text=_("What is the most valuable outcome of this role?")
    )
    mission_alignment = models.TextField(
        _("alignment with the mission"),
        blank=True,
        help_text=_("How does this role serve the mission and vision?"),
    )
    strategy_contribution = models.TextField(
        _("how it advances the strategy"),
        blank=True,
        help_text=_("A short summary of how the role moves the strategy forward."),
    )
    reports_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_roles",
        verbose_name=_("reports to"),
    )
    annual_cost = models.DecimalField(
        _("annual cost"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    expected_value = models.DecimalField(
        _("expected annual value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    justification_kind = models.CharField(
        _("cost justification"),
        max_length=20,
        choices=JustificationKind.choices,
        default=JustificationKind.NOT_YET,
    )
    justification_target_date = models.DateField(
        _("justified by"),
        null=True,
        blank=True,
        help_text=_("For a role not yet justified: when it should be."),
    )
    justification_note = models.TextField(_("justification"), blank=True)
    job_description = models.TextField(_("job description"), blank=True)
    # The success check: "if every KRA here were executed, is the role a success?"
    success_is_complete = models.BooleanField(_("every KRA executed = success?"), null=True)
    success_missing = models.TextField(_("what is missing?"), blank=True)
    success_unnecessary = models.TextField(_("which KRA is not needed?"), blank=True)
    success_checked_at = models.DateTimeField(null=True, blank=True)
    success_checked_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                "org",
                "department",
                "title",
                name="role_unique_title_per_department",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["org", "department"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("role-detail", kwargs={"org_slug": self.org.slug, "pk": self.pk})


class AreaOfFocus(models.Model):
    """A broad area the role owns; ordered. KRAs of the role sit in one area each."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="areas")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "role", "position"])]

    def __str__(self) -> str:
        return self.title


class Responsibility(models.Model):
    """A task or responsibility within an area of focus, in priority order."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(AreaOfFocus, on_delete=models.CASCADE, related_name="responsibilities")
    description = models.CharField(_("responsibility"), max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "area", "position"])]

    def __str__(self) -> str:
        return self.description


class RoleAssignment(models.Model):
    """A member holds a role from a date, until an optional end date."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="role_assignments"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="role_assignment_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "role"]),
            models.Index(fields=["org", "member"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.role}"
