"""Public Talking Points pages (no sign-in), at /talking-points/: booking a conversation,
changing or cancelling it from the link in a message, and the survey afterwards."""

from .views import public, survey

app_name = "hubs-public"

urlpatterns = [*public.urlpatterns, *survey.urlpatterns]
