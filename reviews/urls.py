"""Agreement pages, mounted under /o/<org_slug>/."""

from django.urls import path

from .views import agreements, amendments, documents, figures, my

urlpatterns = [
    path("my/kras/", my.my_kras, name="my-kras"),
    path("my/team/", my.my_team, name="my-team"),
    path(
        "my/team/<int:employee_pk>/new-agreement/",
        my.agreement_create,
        name="agreement-create",
    ),
    path("agreements/figures/", figures.agreement_figures, name="agreement-figures"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/kras/add/", agreements.agreement_add_kra, name="agreement-add-kra"),
    path(
        "agreements/<int:pk>/kras/<int:item_pk>/remove/",
        agreements.agreement_remove_kra,
        name="agreement-remove-kra",
    ),
    path(
        "agreements/<int:pk>/kpis/<int:kpi_pk>/target/",
        agreements.agreement_kpi_target,
        name="agreement-kpi-target",
    ),
    path(
        "agreements/<int:pk>/kpis/<int:kpi_pk>/remove/",
        agreements.agreement_remove_kpi,
        name="agreement-remove-kpi",
    ),
    path("agreements/<int:pk>/goals/add/", agreements.growth_goal_add, name="growth-goal-add"),
    path(
        "agreements/<int:pk>/goals/<int:goal_pk>/edit/",
        agreements.growth_goal_edit,
        name="growth-goal-edit",
    ),
    path(
        "agreements/<int:pk>/goals/<int:goal_pk>/remove/",
        agreements.growth_goal_remove,
        name="growth-goal-remove",
    ),
    path("agreements/<int:pk>/propose/", agreements.agreement_propose, name="agreement-propose"),
    path("agreements/<int:pk>/comment/", agreements.agreement_comment, name="agreement-comment"),
    path(
        "agreements/<int:pk>/request-changes/",
        agreements.agreement_request_changes,
        name="agreement-request-changes",
    ),
    path("agreements/<int:pk>/sign/", agreements.agreement_sign, name="agreement-sign"),
    path("agreements/<int:pk>/void/", agreements.agreement_void, name="agreement-void"),
    path("agreements/<int:pk>/amend/", agreements.agreement_amend, name="agreement-amend"),
    path(
        "agreements/<int:pk>/delegates/",
        agreements.agreement_delegate,
        name="agreement-delegate",
    ),
    path(
        "agreements/<int:pk>/delegates/revoke/",
        agreements.agreement_revoke_delegate,
        name="agreement-revoke-delegate",
    ),
    path(
        "agreements/role/<int:role_pk>/amend/",
        amendments.role_agreements_amend,
        name="role-agreements-amend",
    ),
    path("agreements/<int:pk>/diff/", documents.agreement_diff, name="agreement-diff"),
    path("agreements/<int:pk>/pdf/", documents.agreement_pdf, name="agreement-pdf"),
]
