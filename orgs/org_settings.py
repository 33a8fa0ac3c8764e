"""An organisation's rule settings, kept in ``Organization.settings`` (JSON) with defaults
from docs/DOMAIN.md (the settings table, used by rules R1, R2, R6, R8, R19 and R24). Read
them with ``org_setting`` / ``rule_settings``; change them with
``organization_update_rules``, which validates and audits.

This module is the framework: storage, reading, validation and the one writer. Each app
declares the settings its rules read in its own ``org_settings`` module (kras: KRA and KPI
counts, activity verbs, alignment; kpis: the overachievement cap and the thresholds;
reviews: the HR acknowledgement and the signers' statements) and registers them here from
its ``AppConfig.ready()`` with ``register``. A name such an app module defines
(``COUNT_HIGHEST``, ``STATEMENT_SETTINGS``…) can also be imported from here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import Membership, Organization

#: Why a cleaned value is refused, or None.
Validate = Callable[[Any], "str | None"]
#: Errors (keyed by setting) of the settings taken together, given all of them merged.
Check = Callable[[dict], dict]


@dataclass(frozen=True)
class Setting:
    """One rule setting: its key, its default, ``clean`` (the stored form of an input;
    raises ValueError, TypeError or ArithmeticError with ``unreadable`` as the message when
    it cannot be read) and ``validate`` (why a cleaned value is out of range, or None)."""

    key: str
    default: Any
    clean: Callable[[Any], Any]
    validate: Validate = lambda value: None
    unreadable: str = ""

    @classmethod
    def each(cls, defaults: dict, **common) -> tuple[Setting, ...]:
        """One setting per key of ``defaults``, all read and checked alike."""
        return tuple(cls(key, default, **common) for key, default in defaults.items())


#: Every registered setting's default, in registration order.
DEFAULTS: dict = {}
_SETTINGS: dict[str, Setting] = {}
_CHECKS: list[Check] = []
_MODULES: list[ModuleType] = []


def register(settings: Iterable[Setting], *, check: Check | None = None, module=None) -> None:
    """Make ``settings`` rule settings of every organisation (their defaults join
    ``DEFAULTS``), with ``check`` run over all settings merged on every change. ``module``
    (the app's ``org_settings``) lends its names to this one. Registering again is a no-op."""
    for setting in settings:
        known = _SETTINGS.get(setting.key)
        if known is not None and known != setting:
            raise ImproperlyConfigured(f"rule setting {setting.key} is registered twice")
        _SETTINGS[setting.key] = setting
        DEFAULTS[setting.key] = setting.default
    if check is not None and check not in _CHECKS:
        _CHECKS.append(check)
    if module is not None and module not in _MODULES:
        _MODULES.append(module)


def __getattr__(name: str):
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def rule_settings(org: Organization) -> dict:
    """Every rule setting of ``org``, defaults filled in."""
    stored = org.settings or {}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def org_setting(org: Organization, key: str):
    if key not in DEFAULTS:
        raise KeyError(key)
    return (org.settings or {}).get(key, DEFAULTS[key])


def _clean(values: dict) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    cleaned = {}
    for key, setting in _SETTINGS.items():
        if key not in values:
            continue
        try:
            value = setting.clean(values[key])
        except (TypeError, ValueError, ArithmeticError):
            errors[key] = str(setting.unreadable)
            continue
        refusal = setting.validate(value)
        if refusal:
            errors[key] = refusal
        cleaned[key] = value
    return cleaned, errors


@transaction.atomic
def organization_update_rules(*, org: Organization, actor: Membership | None, **values) -> dict:
    """Change rule settings (keys of DEFAULTS); validated as a whole, audited."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"not rule settings: {sorted(unknown)}")
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = rule_settings(org)
    cleaned = _checked(before, values)
    org.settings = {**(org.settings or {}), **cleaned}
    org.save(update_fields=["settings"])
    after = rule_settings(org)
    changes = audit.diff({k: before[k] for k in cleaned}, {k: after[k] for k in cleaned})
    if changes:
        audit.record(org=org, actor=actor, action="organization.rules", obj=org, changes=changes)
    return after


def _checked(current: dict, values: dict) -> dict:
    """``values`` cleaned; or ValidationError keyed by setting when one is out of its range
    or the settings would disagree with each other (fewest above most, "at risk" above "on
    track")."""
    cleaned, errors = _clean(values)
    merged = {**current, **cleaned}
    for check in _CHECKS:
        errors.update(check(merged))
    if errors:
        raise ValidationError(errors)
    return cleaned


def rule_changes(org: Organization, settings) -> dict:
    """What a whole ``settings`` document (the Django admin edits it as JSON) changes, as
    keyword arguments for ``organization_update_rules``: a setting left out goes back to
    its default. Refuses (ValidationError) anything but an object of rule settings, and
    whatever ``organization_update_rules`` would refuse, with its messages."""
    if not isinstance(settings, dict):
        raise ValidationError(_("Write the settings as a JSON object."))
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise ValidationError(
            _("Not rule settings: %(keys)s.") % {"keys": ", ".join(map(str, unknown))}
        )
    current = rule_settings(org)
    changes = {
        key: settings.get(key, default)
        for key, default in DEFAULTS.items()
        if settings.get(key, default) != current[key]
    }
    _checked(current, changes)
    return changes
