"""Pages of one organisation, mounted under /o/<org_slug>/."""

from django.urls import path

from .views import account, audit, departments, home, imports, members, people_search, profile

urlpatterns = [
    path("", home.org_home, name="org-home"),
    path("inbox/", home.inbox, name="inbox"),
    path("inbox/read-all/", home.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/open/", home.notification_open, name="notification-open"),
    path("account/tokens/", account.api_token_list, name="api-token-list"),
    path("account/tokens/<int:pk>/revoke/", account.api_token_revoke, name="api-token-revoke"),
    path("settings/", profile.org_settings, name="org-settings"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/<str:object_type>/<str:object_id>/", audit.audit_object, name="audit-object"),
    path("departments/", departments.department_list, name="department-list"),
    path("departments/new/", departments.department_create, name="department-create"),
    path("departments/<int:pk>/", departments.department_edit, name="department-edit"),
    path("departments/<int:pk>/delete/", departments.department_delete, name="department-delete"),
    path("people/search/", people_search.member_search, name="member-search"),
    path("members/", members.member_list, name="member-list"),
    path("members/<int:pk>/", members.member_detail, name="member-detail"),
    path("members/<int:pk>/edit/", members.member_edit, name="member-edit"),
    path("members/<int:pk>/deactivate/", members.member_deactivate, name="member-deactivate"),
    path("members/<int:pk>/reactivate/", members.member_reactivate, name="member-reactivate"),
    path(
        "members/<int:pk>/sign-in-link/",
        members.member_send_sign_in_link,
        name="member-sign-in-link",
    ),
    path(
        "members/sign-in-links/", members.members_send_sign_in_links, name="members-sign-in-links"
    ),
    path("tokens/", members.org_token_list, name="org-token-list"),
    path("tokens/<int:pk>/revoke/", members.org_token_revoke, name="org-token-revoke"),
    path("invitations/", members.invitation_list, name="invitation-list"),
    path("invitations/new/", members.invitation_create, name="invitation-create"),
    path("invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation-revoke"),
    path("import/", imports.org_chart_import, name="org-chart-import"),
    path("import/result/", imports.org_chart_import_result, name="org-chart-import-result"),
]
