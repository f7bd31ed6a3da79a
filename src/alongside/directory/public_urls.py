"""Residents' pages for the directory (no sign-in), included at /directory/."""

from django.urls import path

from . import views

app_name = "directory-public"

urlpatterns = [
    path("listings/<uuid:pk>/suggest/", views.suggest_change, name="suggest-change"),
    path("listings/<uuid:pk>/suggest/sent/", views.suggest_sent, name="suggest-sent"),
    path("add-your-group/", views.add_your_group, name="add-your-group"),
    path("add-your-group/sent/", views.add_your_group_sent, name="add-your-group-sent"),
]
