"""Check-ins (1:1s): dated notes a manager and their report keep between reviews: the KRAs
discussed, wins to celebrate, blockers, and actions with an owner and a due date. An action
stays open, and shows on every later check-in, until someone marks it done."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Membership, Organization

from .agreements import AgreementItem


class CheckIn(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="check_ins")
    employee = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("employee")
    )
    manager = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins_held",
        verbose_name=_("manager"),
    )
    held_on = models.DateField(_("date"))
    wins = models.TextField(_("wins to celebrate"), blank=True)
    blockers = models.TextField(_("blockers"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "employee", "held_on"])]

    def __str__(self) -> str:
        return f"{self.employee} · {self.held_on:%Y-%m-%d}"


class CheckInTopic(models.Model):
    """A KRA discussed at a check-in: one of the person's agreed KRAs (its title kept as it
    was, should the agreement change)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="topics")
    agreement_item = models.ForeignKey(
        AgreementItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("KRA"), max_length=200)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["org", "check_in"])]

    def __str__(self) -> str:
        return self.title


class CheckInAction(models.Model):
    """An action agreed at a check-in. Open until done; it carries to the next check-ins."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="actions")
    # Denormalised from the check-in: the person whose check-ins carry the action.
    employee = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="check_in_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["org", "employee", "done_at"]),
            models.Index(fields=["org", "owner", "done_at"]),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.done_at is None
