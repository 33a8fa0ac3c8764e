"""Reminders that arrive exactly once (docs/DOMAIN.md rules R44 to R47).

orgs knows how to remind (stages, claims, the inbox, emails, muting, the log) but not what
is due: each app that owns the data registers its kinds here from its ``AppConfig.ready()``
(``registry.register``), so orgs imports no app to its right.

- ``registry``      ReminderKind and the registry of kinds
- ``org_settings``  the stage offsets and the local hour (rule settings)
- ``engine``        the daily pass: one set-based statement per kind per batch of people
- ``tasks``         the hourly fan-out, each organisation's pass, the emails
- ``selectors``     the reminder log, a member's mute
- ``services``      muting
- ``policy``        ReminderAction (who reads the log)
"""
