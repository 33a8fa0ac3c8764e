from django.db import models
from django.utils import timezone


class RlsBypassEvent(models.Model):
    """One use of the named row-level-security bypass: who, why, when. Append-only."""

    actor = models.CharField(max_length=254)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.actor}: {self.reason}"
