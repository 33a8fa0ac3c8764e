"""The one way a form picks a member: search as you type, never a list of everyone.

``MemberField`` renders a text input that asks the member search page for at most a few
matches as the person types (htmx, see static/js/app.js for the keyboard), and a hidden
input holding the chosen membership id. Only the chosen person is ever rendered, so the page
weighs the same for ten members as for ten thousand.

Without JavaScript the text input is sent alone: an exact email or employee id picks the
person. Either way the server decides: the id must belong to the form's organisation, and
the person must be active unless they are the value already saved (``keep``), so editing
something else never forces replacing a departed manager.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organization

#: The text input's name is the field's name with this suffix.
SEARCH_SUFFIX = "_search"


def member_label(member: Membership) -> str:
    """What the text input shows for a chosen person."""
    return member.display_name


def member_detail(member: Membership) -> str:
    """The line under the chosen person: enough to tell two namesakes apart."""
    return " · ".join(filter(None, [member.user.email, member.job_title]))


class MemberSearchInput(forms.Widget):
    """A search box plus a hidden id. Its value is ``(id, text)``: ``text`` is None when the
    request carried no text input at all (an API-style post of the id alone)."""

    template_name = "includes/member_field.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search_url = ""
        self.members: QuerySet[Membership] = Membership.objects.none()

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "", data.get(name + SEARCH_SUFFIX))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + SEARCH_SUFFIX not in data

    def _chosen(self, value) -> tuple[str, str, Membership | None]:
        """(id, text, member) for what the form holds: an id, a member, or ``(id, text)``."""
        if isinstance(value, Membership):
            return str(value.pk), member_label(value), value
        text = None
        if isinstance(value, tuple | list):
            value, text = value
        member_id = str(value) if value not in (None, "") else ""
        member = None
        if member_id.isdigit():
            member = self.members.filter(pk=int(member_id)).select_related("user").first()
        if member is None:
            member_id = ""
        if text is None:
            text = member_label(member) if member is not None else ""
        return member_id, text, member

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        member_id, text, member = self._chosen(value)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            member_id=member_id,
            text=text,
            chosen=member,
            detail=member_detail(member) if member is not None else "",
            search_name=name + SEARCH_SUFFIX,
            search_url=self.search_url,
            input_id=widget_id,
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (the default form renderer only sees app templates).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class MemberField(forms.Field):
    """A member of one organisation, picked by search. Call ``limit_to(org, keep=…)`` in the
    form's ``__init__`` before it is rendered or cleaned."""

    widget = MemberSearchInput
    default_error_messages = {
        "invalid_choice": _("Choose a member of this organisation."),
        "inactive": _("%(name)s is deactivated: choose an active member."),
        "not_found": _(
            "Nobody active here has the email or employee id “%(text)s”. Type part of a name "
            "and pick the person from the list."
        ),
        "ambiguous": _("More than one person has the employee id “%(text)s”: use an email."),
    }

    def __init__(self, *, active_only: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.active_only = active_only
        self.org: Organization | None = None
        self.keep_id: int | None = None

    def limit_to(self, org: Organization, *, keep: int | None = None) -> None:
        self.org = org
        self.keep_id = keep
        self.widget.members = Membership.objects.filter(org=org)
        self.widget.search_url = reverse("member-search", kwargs={"org_slug": org.slug})

    def _members(self) -> QuerySet[Membership]:
        if self.org is None:
            raise RuntimeError("MemberField.limit_to(org) was not called")
        return Membership.objects.filter(org=self.org).select_related("user")

    def _by_text(self, text: str) -> Membership:
        matches = list(
            self._members().filter(Q(user__email__iexact=text) | Q(employee_id__iexact=text))[:3]
        )
        active = [m for m in matches if m.is_active or m.pk == self.keep_id]
        if self.active_only:
            matches = active
        by_email = [m for m in matches if m.user.email.casefold() == text.casefold()]
        if by_email:
            return by_email[0]
        if len(matches) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"text": text}
            )
        if not matches:
            raise ValidationError(
                self.error_messages["not_found"], code="not_found", params={"text": text}
            )
        return matches[0]

    def to_python(self, value):
        if isinstance(value, Membership):
            return value
        text = None
        if isinstance(value, tuple | list):
            value, text = value
        member_id = str(value).strip() if value not in (None, "") else ""
        if text is not None:
            text = text.strip()
            if not text:
                # The box was emptied: nobody, whatever the hidden id still says.
                return None
        member = None
        if member_id:
            if not member_id.isdigit():
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            member = self._members().filter(pk=int(member_id)).first()
            if member is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            if text is not None and text.casefold() not in {
                member_label(member).casefold(),
                member.user.email.casefold(),
                (member.employee_id or "").casefold(),
            }:
                # Without JavaScript the hidden id stays as it was while the text changes:
                # the text wins.
                member = None
        if member is None and text:
            member = self._by_text(text)
        return member

    def validate(self, value):
        super().validate(value)
        if (
            value is not None
            and self.active_only
            and not value.is_active
            and value.pk != self.keep_id
        ):
            raise ValidationError(
                self.error_messages["inactive"],
                code="inactive",
                params={"name": value.display_name},
            )

    def has_changed(self, initial, data):
        try:
            chosen = self.to_python(data)
        except ValidationError:
            return True
        initial_id = initial.pk if isinstance(initial, Membership) else initial
        return str(initial_id or "") != str(chosen.pk if chosen else "")
