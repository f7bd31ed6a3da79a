from django.urls import path

from . import admin_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.otp_verify, name="otp-verify"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.otp_setup, name="otp-setup"),
    # Administration of users, teams and organisations (administrators only).
    path("admin/users/", admin_views.user_list, name="user-list"),
    path("admin/users/new/", admin_views.user_create, name="user-create"),
    path("admin/users/<int:pk>/", admin_views.user_detail, name="user-detail"),
    path("admin/users/<int:pk>/edit/", admin_views.user_edit, name="user-edit"),
    path("admin/teams/", admin_views.team_list, name="team-list"),
    path("admin/teams/new/", admin_views.team_create, name="team-create"),
    path("admin/teams/<uuid:pk>/", admin_views.team_detail, name="team-detail"),
    path("admin/teams/<uuid:pk>/edit/", admin_views.team_edit, name="team-edit"),
    path("admin/organisations/", admin_views.organisation_list, name="organisation-list"),
    path("admin/organisations/new/", admin_views.organisation_create, name="organisation-create"),
    path(
        "admin/organisations/<uuid:pk>/edit/",
        admin_views.organisation_edit,
        name="organisation-edit",
    ),
    path("admin/roles/", admin_views.role_list, name="role-list"),
    path("admin/neighbourhoods/", admin_views.neighbourhood_list, name="neighbourhood-list"),
    path(
        "admin/neighbourhoods/<uuid:pk>/edit/",
        admin_views.neighbourhood_edit,
        name="neighbourhood-edit",
    ),
    path("audit/", admin_views.audit_log, name="audit-log"),
]
