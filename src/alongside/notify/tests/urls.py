"""The project's URLs with the outbox included, for tests run before config/urls.py
includes it (and harmless after)."""

from django.urls import include, path

from alongside.config import urls as project

handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500

urlpatterns = list(project.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "notify" for pattern in urlpatterns):
    urlpatterns.insert(0, path("staff/messages/", include("alongside.notify.urls")))
