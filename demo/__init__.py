"""A believable demo organisation, of any size, for trying the product and for benchmarks.

It composes every domain app (the organisation and its people in orgs, roles in roles,
objectives and KRAs in kras, KPIs in kpis), so it is an app of its own, right of all of
them: no domain app imports it. Its steps, one module each:

- ``data/``: the fixed content (profile, objectives, departments, names, KRAs, templates);
- ``logins``: the four personas and the demo password;
- ``people``: who works where, reporting to whom, then their accounts and memberships;
- ``structure``: the organisation, its objectives and departments, and their heads;
- ``kras``: organisation and department KRAs with their KPIs (the ladder's upper rungs);
- ``roles``: roles from the KRA template library, their KRAs, and who holds them;
- ``seed``: ``demo_seed``, the whole in one transaction, and the top-up of an old demo.

Roles are built from the KRA template library (``kras/library/``), one per job title and
department, held by everyone with that title. The ladder is complete: organisation and
department KRAs serve the strategic objectives, role KRAs serve their department's KRAs.

Everything is deterministic: the same size gives the same people with the same names.
"""
