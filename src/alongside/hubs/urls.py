"""Talking Points staff pages, at /staff/talking-points/. Each views module lists its URLs."""

from .views import bookings, contacts, conversations, dashboard, schedule

app_name = "hubs"

urlpatterns = [
    *contacts.urlpatterns,
    *schedule.urlpatterns,
    *bookings.urlpatterns,
    *conversations.urlpatterns,
    *dashboard.urlpatterns,
]
