"""The ORUK 3.0 API, included at /api/oruk/. Paths are the published openapi.json's (no
trailing slash); a trailing slash is tolerated. Any other path gets a JSON 404."""

from django.urls import path, re_path

from . import views
from .http import unknown_path

app_name = "oruk"

_ID = r"(?P<id>[^/]+)"

urlpatterns = [
    path("", views.api_root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    re_path(r"^services/?$", views.services, name="services"),
    re_path(rf"^services/{_ID}/?$", views.service_detail, name="service"),
    re_path(r"^service_at_locations/?$", views.service_at_locations, name="service-at-locations"),
    re_path(
        rf"^service_at_locations/{_ID}/?$",
        views.service_at_location_detail,
        name="service-at-location",
    ),
    re_path(r"^organizations/?$", views.organizations, name="organizations"),
    re_path(rf"^organizations/{_ID}/?$", views.organization_detail, name="organization"),
    re_path(r"^taxonomies/?$", views.taxonomies, name="taxonomies"),
    re_path(rf"^taxonomies/{_ID}/?$", views.taxonomy_detail, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", views.taxonomy_terms, name="taxonomy-terms"),
    re_path(rf"^taxonomy_terms/{_ID}/?$", views.taxonomy_term_detail, name="taxonomy-term"),
    re_path(r"^.*$", unknown_path, name="unknown"),
]
