"""Editors' pages for residents' feedback, included at /staff/feedback/."""

from django.urls import path

from .views import feedback

app_name = "portal-staff"

urlpatterns = [
    path("", feedback.editor_list, name="ratings"),
    path("<uuid:pk>/accept/", feedback.editor_accept, name="rating-accept"),
    path("<uuid:pk>/reject/", feedback.editor_reject, name="rating-reject"),
]
