"""What changed between two versions, as the diff page computes it from their frozen JSON."""

from __future__ import annotations

import json

from reviews.diff import version_diff


def doc(kras=(), goals=(), period_end="2026-12-31"):
    return json.dumps(
        {
            "agreement": {"period_start": "2026-01-01", "period_end": period_end},
            "kras": list(kras),
            "growth_plan": list(goals),
        }
    )


def kra(title, weight="50", kpis=(), source="role"):
    return {"title": title, "weight": weight, "source": source, "kpis": list(kpis)}


def kpi(name, target="10"):
    return {"name": name, "target": target, "source": "role"}


def test_identical_versions_have_no_difference():
    text = doc([kra("Revenue", kpis=[kpi("Deals")])])
    assert version_diff(text, text).is_empty


def test_added_removed_and_changed_kras_are_told_apart():
    old = doc([kra("Revenue", "60", [kpi("Deals")]), kra("Churn", "40")])
    new = doc([kra("Revenue", "50", [kpi("Deals", "12"), kpi("Calls")]), kra("Mentoring", "50")])
    diff = version_diff(old, new)
    states = {entry.name: entry.state for entry in diff.kras}
    assert states == {"Revenue": "changed", "Mentoring": "added", "Churn": "removed"}
    revenue = next(e for e in diff.kras if e.name == "Revenue")
    assert [(c.label, c.old, c.new) for c in revenue.changes] == [("weight (%)", "60", "50")]
    kpis = {k.name: k for k in revenue.kpis}
    assert kpis["Calls"].state == "added"
    assert [(c.old, c.new) for c in kpis["Deals"].changes] == [("10", "12")]


def test_growth_goals_and_the_period_are_compared_too():
    goal = {"goal": "Speaking", "measurable_target": "two talks", "due_date": "2026-06-01"}
    old = doc(goals=[goal])
    new = doc(goals=[{**goal, "measurable_target": "three talks"}], period_end="2026-09-30")
    diff = version_diff(old, new)
    assert [(c.old, c.new) for c in diff.goals[0].changes] == [("two talks", "three talks")]
    assert [(c.old, c.new) for c in diff.header] == [("2026-12-31", "2026-09-30")]


def test_a_personal_source_reads_as_words():
    diff = version_diff(doc([kra("Revenue")]), doc([kra("Revenue", source="personal")]))
    assert [(c.old, c.new) for c in diff.kras[0].changes] == [("From the role", "Personal")]


def test_an_unreadable_document_is_an_empty_one():
    assert version_diff("not json", "[]").is_empty
