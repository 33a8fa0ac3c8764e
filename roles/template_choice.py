"""The "start from a template" choice of the new-role page. Page-side composition: it lists
the KRA template library (kras) and builds the role through the template service (kpis),
the way the template library's own apply page does; the rules stay in those services."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kpis.template_library import kpi_time_frames, role_create_from_template
from kra_platform.formatting import day
from kras import library
from kras.models import KRATemplate
from kras.template_access import org_template_key, org_templates, resolve_template
from orgs import policy
from orgs.models import Membership
from orgs.policy import Action


@dataclass
class TemplateOptions:
    choices: list[tuple[str, list[tuple[str, str]]]]
    time_frames: list

    @property
    def time_frame_choices(self) -> list[tuple[str, str]]:
        labels = {"current": _("This fiscal year"), "next": _("Next fiscal year")}
        return [
            (frame.key, f"{labels[frame.key]} ({day(frame.start)} – {day(frame.end)})")
            for frame in self.time_frames
        ]

    def create(self, member: Membership, data: dict, *, template_key: str, year: str):
        """Create the role from ``data`` (the role form's fields) and build it from the
        chosen template, with its KPIs in the chosen fiscal year."""
        template = resolve_template(member, template_key)
        department = data.get("department")
        policy.require(member, Action.MANAGE_KRA, department)
        frames = {frame.key: frame for frame in self.time_frames}
        frame = frames.get(year) or frames["current"]
        is_own = isinstance(template, KRATemplate)
        return role_create_from_template(
            org=member.org,
            actor=member,
            template_key=None if is_own else template.key,
            template=template if is_own else None,
            time_frame=frame.bounds,
            **data,
        )


def template_options(member: Membership) -> TemplateOptions:
    """The shipped templates by family, then the organisation's own."""
    choices = [
        (family.category, [(role.key, role.title) for role in family.roles])
        for family in library.families()
    ]
    own = [(org_template_key(t), t.name) for t in org_templates(member)]
    if own:
        choices.append((_("This organisation's templates"), own))
    return TemplateOptions(choices=choices, time_frames=kpi_time_frames(org=member.org))
