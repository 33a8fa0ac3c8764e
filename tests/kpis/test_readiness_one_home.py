"""Each drafting rule has one home (docs/DOMAIN.md rules R1–R4 and R9): the role's readiness,
the KRA panel, the readiness API, the shipped template library and proposing an agreement
decide through the same functions, so changing the rule in its home changes every one of
them, and the count settings' bounds come from one constant."""

import copy
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kpis import readiness
from kras import library, rules
from kras.api.kras import OrgRulesSerializer
from kras.forms import OrgRulesForm
from kras.org_settings import COUNT_HIGHEST, COUNT_LOWEST
from orgs.org_settings import DEFAULTS, organization_update_rules, rule_settings
from tests.factories import DepartmentFactory
from tests.kras.test_kras_support import make_kpi, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 12, 31)
PANEL_NOTE = "the KRA weights must total 100 before an agreement is proposed"


@pytest.fixture
def role(org_a):
    return make_role(org_a, DepartmentFactory(org=org_a, name="Sales"))


def build_role(org, role, weights):
    objective = make_objective(org, title="Grow recurring revenue 30%")
    for n, weight in enumerate(weights):
        kra = make_kra(
            org, role=role, title=f"Revenue area {n}", weight=weight, objective=objective
        )
        make_kpi(kra, name=f"Close fifteen new accounts {n}", due_date=DUE)


def shipped_content_weighing(total: int) -> dict:
    """A shipped template's content with its KRA weights moved to add up to ``total``."""
    content = copy.deepcopy(library.templates()[0].content)
    kras = content["kras"]
    kras[0]["weight"] = total - sum(Decimal(str(k["weight"])) for k in kras[1:])
    return content


@pytest.fixture
def weights_rule(monkeypatch):
    """Every call of the weights rule, with the total it was asked about."""
    calls = []
    real = rules.weights_complete

    def spy(total):
        calls.append(total)
        return real(total)

    monkeypatch.setattr(rules, "weights_complete", spy)
    return calls


def test_a_template_weighing_90_is_refused_by_the_function_the_proposal_uses(
    org_a, role, weights_rule
):
    # Given a role whose KRA weights total 90, and a shipped template whose do too
    build_role(org_a, role, weights=(40, 30, 20))
    content = shipped_content_weighing(90)

    # When the library checks the template and an agreement is proposed for the role
    problems = library.validate_content(content)
    with pytest.raises(ValidationError) as refused:
        readiness.require_ready_to_propose(readiness.role_readiness(role))

    # Then both refuse, and both asked the one weights rule about 90
    assert "the role: KRA weights total 90, not 100" in problems
    assert "KRA weights total 90 of 100." in refused.value.messages
    assert weights_rule.count(Decimal(90)) >= 2


def test_changing_the_weights_rule_changes_every_caller(
    monkeypatch, login, alice, org_a, role, api
):
    # Given a role and a template whose KRA weights total 90: every caller refuses them
    build_role(org_a, role, weights=(40, 30, 20))
    panel = reverse("role-kras", args=["acme", role.pk])
    readiness_url = reverse("api:role-readiness", args=["acme", role.pk])
    assert PANEL_NOTE in login(alice).get(panel).content.decode()
    assert api(alice).get(readiness_url).json()["ready_to_propose"] is False
    assert library.validate_content(shipped_content_weighing(90))

    # When the rule's one home says any total will do
    monkeypatch.setattr(rules, "weights_complete", lambda total: True)

    # Then the panel, the API, the library and the proposal all agree at once
    assert PANEL_NOTE not in login(alice).get(panel).content.decode()
    body = api(alice).get(readiness_url).json()
    assert [c for c in body["checks"] if c["code"] == "kra_weights"][0]["ok"] is True
    assert body["ready_to_propose"] is True
    assert library.validate_content(shipped_content_weighing(90)) == []
    readiness.require_ready_to_propose(readiness.role_readiness(role))


def test_a_ready_role_may_be_proposed_and_an_unready_one_says_every_reason(org_a, role):
    build_role(org_a, role, weights=(40, 30, 30))
    readiness.require_ready_to_propose(readiness.role_readiness(role))

    organization_update_rules(org=org_a, actor=None, kra_min=4, kra_max=5)
    role.org.refresh_from_db()
    role.kras.filter(title="Revenue area 2").update(weight=0)
    with pytest.raises(ValidationError) as refused:
        readiness.require_ready_to_propose(readiness.role_readiness(role))
    assert [(e.code, e.message) for e in refused.value.error_list] == [
        ("kra_count", "3 KRAs; the organisation asks for 4 to 5."),
        ("kra_weights", "KRA weights total 70 of 100."),
    ]


def test_the_panel_note_follows_the_weights_check_not_its_own_sum(login, alice, org_a, role):
    build_role(org_a, role, weights=(40, 30, 30))
    page = login(alice).get(reverse("role-kras", args=["acme", role.pk])).content.decode()
    assert 'data-testid="kra-weight-total">100<' in page
    assert PANEL_NOTE not in page


def test_the_count_rules_and_the_library_share_one_range_check(org_a, role, monkeypatch):
    # The library holds shipped templates to the settings' default ranges.
    assert library.KRA_RANGE == (DEFAULTS["kra_min"], DEFAULTS["kra_max"])
    assert library.KPI_RANGE == (DEFAULTS["kpi_min"], DEFAULTS["kpi_max"])
    content = copy.deepcopy(library.templates()[0].content)
    build_role(org_a, role, weights=(40, 30, 30))
    assert library.validate_content(content) == []
    readiness.require_ready_to_propose(readiness.role_readiness(role))

    monkeypatch.setattr(rules, "count_within", lambda count, low, high: False)
    assert any("KRAs, not" in p for p in library.validate_content(content))
    codes = {c["code"] for c in readiness.role_readiness(role) if not c["ok"]}
    assert {"kra_count", "kpi_count"} <= codes


def test_the_count_settings_bounds_come_from_one_constant(org_a):
    assert (COUNT_LOWEST, COUNT_HIGHEST) == (0, 20)
    form = OrgRulesForm()
    serializer = OrgRulesSerializer()
    for key in ("kra_min", "kra_max", "kpi_min", "kpi_max"):
        assert (form.fields[key].min_value, form.fields[key].max_value) == (
            COUNT_LOWEST,
            COUNT_HIGHEST,
        )
        field = serializer.fields[key]
        assert (field.min_value, field.max_value) == (COUNT_LOWEST, COUNT_HIGHEST)

    organization_update_rules(org=org_a, actor=None, kra_max=COUNT_HIGHEST)
    with pytest.raises(ValidationError) as refused:
        organization_update_rules(org=org_a, actor=None, kra_max=COUNT_HIGHEST + 1)
    assert refused.value.message_dict["kra_max"] == ["Choose a number from 0 to 20."]
    org_a.refresh_from_db()
    assert rule_settings(org_a)["kra_max"] == COUNT_HIGHEST
