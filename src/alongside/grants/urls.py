"""Small funds and awards, at /staff/grants/."""

from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("", views.fund_list, name="funds"),
    path("new/", views.fund_create, name="fund-create"),
    path("decisions/", views.decision_queue, name="queue"),
    path("<uuid:pk>/", views.fund_detail, name="fund-detail"),
    path("<uuid:pk>/edit/", views.fund_edit, name="fund-edit"),
    path("awards/<uuid:pk>/", views.award_detail, name="award"),
    path("awards/<uuid:pk>/approve/", views.award_approve, name="award-approve"),
    path("awards/<uuid:pk>/decline/", views.award_decline, name="award-decline"),
    path("awards/<uuid:pk>/paid/", views.award_paid, name="award-paid"),
    path("awards/<uuid:pk>/cancel/", views.award_cancel, name="award-cancel"),
]
