"""The shape of the scale tenant (docs/PERFORMANCE.md, "The scale tenant"): everyone holds a
role of their own, a variation of their job title's library template. The numbers below give
about 5 KRAs a person and 2.4 KPIs a KRA, so 10,000 people hold about 50,000 KRAs and
120,000 KPIs."""

from __future__ import annotations

#: From this many employees, ``seed_demo`` builds the scale tenant unless told otherwise.
SCALE_FROM = 1000

#: People handled per round of bulk inserts (roles, areas, KRAs, KPIs, assignments).
CHUNK = 500

#: A role from a template with fewer KRAs gets one more from a sibling template (same
#: family, else same theme) until it has this many; the added KRA weighs this much and the
#: template's own KRAs share the rest in their proportions.
KRAS_PER_ROLE = 5
ADDED_KRA_WEIGHT = 12

#: How many KPIs each KRA ends with (share of KRAs, count); a KRA keeps every KPI of its
#: template, so this is a floor. KPIs added from the library's KPIs of the same theme weigh
#: ``ADDED_KPI_WEIGHT`` each and the KRA's own share the rest.
KPI_COUNTS = ((0.6, 2), (0.4, 3))
ADDED_KPI_WEIGHT = 20

#: Each person's targets differ from the template's by up to this share, always in the
#: direction that keeps them achievable (a higher target where higher is better).
TARGET_SPREAD = 0.10

#: The frequencies the added KPIs are measured at, in turn: more often than the library's
#: mix, so that a year holds about a million values.
ADDED_KPI_FREQUENCIES = ("monthly", "monthly", "weekly", "monthly", "quarterly")
