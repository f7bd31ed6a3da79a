"""Public casework pages (no sign-in), at /social-prescribing/: referring yourself."""

from .views import public

app_name = "casework-public"

urlpatterns = [*public.urlpatterns]
