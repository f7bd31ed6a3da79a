from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("new/check/", views.person_create_check, name="create-check"),
    path("<uuid:pk>/", views.person_detail, name="detail"),
    path("<uuid:pk>/edit/", views.person_edit, name="edit"),
    path("<uuid:pk>/archive/", views.person_archive, name="archive"),
    path("<uuid:pk>/link/", views.person_link, name="link"),
    path("<uuid:pk>/consents/new/", views.consent_add, name="consent-add"),
    path(
        "<uuid:pk>/consents/<uuid:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<uuid:pk>/access-log/", views.person_access_log, name="access-log"),
    path("<uuid:pk>/export/json/", views.person_export_json, name="export-json"),
    path("<uuid:pk>/export/pdf/", views.person_export_pdf, name="export-pdf"),
    path("<uuid:pk>/erase/", views.person_erase, name="erase"),
]
