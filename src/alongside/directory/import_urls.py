from django.urls import path

from . import import_views

app_name = "directory-import"

urlpatterns = [
    path("", import_views.import_start, name="start"),
    path("confirm/", import_views.import_confirm, name="confirm"),
    path("export/", import_views.export_download, name="export"),
    path("template.csv", import_views.template_download, name="template"),
]
