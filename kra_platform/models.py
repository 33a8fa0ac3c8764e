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


class TaskRun(models.Model):
    """A task message that ran to completion in an organisation: its id is claimed in the
    task's own transaction, so a message delivered twice runs once (kra_platform/celery.py).
    A tenant row (row-level security on ``org_id``), kept without a foreign key because this
    app knows no domain model."""

    org_id = models.BigIntegerField()
    task_id = models.CharField(max_length=255)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id", "task_id"], name="taskrun_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.task_id}"
