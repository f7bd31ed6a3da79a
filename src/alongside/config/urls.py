from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from alongside.directory.api.http import unknown_path
from alongside.directory.api.search_api import api as search_api

urlpatterns = [
    path("", include("alongside.portal.urls")),
    path("", include("alongside.core.urls")),
    path("staff/messages/", include("alongside.notify.urls")),
    path("staff/", include("alongside.accounts.urls")),
    path("staff/people/", include("alongside.people.urls")),
    path("staff/casework/", include("alongside.casework.urls")),
    path("staff/grants/", include("alongside.grants.urls")),
    path("staff/talking-points/", include("alongside.hubs.urls")),
    path("staff/feedback/", include("alongside.portal.staff_urls")),
    path("staff/directory/import/", include("alongside.directory.import_urls")),
    path("staff/directory/", include("alongside.directory.urls")),
    path("directory/", include("alongside.directory.public_urls")),
    path("social-prescribing/", include("alongside.casework.public_urls")),
    path("talking-points/", include("alongside.hubs.public_urls")),
    path("api/oruk/", include("alongside.directory.api.urls")),
    path("api/search/", search_api.urls),
    re_path(r"^api/search/", unknown_path),
    path("django-admin/", admin.site.urls),
]

handler403 = "alongside.core.views.permission_denied"
handler404 = "alongside.core.views.page_not_found"
handler500 = "alongside.core.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
