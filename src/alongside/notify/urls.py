"""The staff outbox. Include at /staff/messages/ in config/urls.py:

path("staff/messages/", include("alongside.notify.urls")),
"""

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.outbox_list, name="outbox"),
    path("<uuid:pk>/", views.outbox_detail, name="message"),
    path(
        "<uuid:pk>/files/<uuid:attachment_pk>/",
        views.outbox_attachment,
        name="attachment",
    ),
]
