"""The reminders' pages, mounted under /o/<org_slug>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("reminders/", views.reminder_log, name="reminder-log"),
    path("reminders/settings/", views.reminder_settings, name="reminder-settings"),
    path("account/reminders/", views.my_reminders, name="my-reminders"),
]
