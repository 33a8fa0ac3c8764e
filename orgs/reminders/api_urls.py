"""The reminders' API, mounted under /api/v1/orgs/<org_slug>/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import MyReminderMuteView, ReminderSettingsView, ReminderViewSet

router = SimpleRouter()
router.register("reminders", ReminderViewSet, basename="reminder")

urlpatterns = [
    path("reminder-settings/", ReminderSettingsView.as_view(), name="reminder-settings"),
    path("account/reminders/", MyReminderMuteView.as_view(), name="my-reminders"),
    *router.urls,
]
