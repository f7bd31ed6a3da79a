"""Casework pages, at /staff/casework/. Each views module lists its own URLs."""

from .views import connections, episodes, grants, partner, plan, referrals, sp_work, stories

app_name = "casework"

urlpatterns = [
    *episodes.urlpatterns,
    *plan.urlpatterns,
    *connections.urlpatterns,
    *stories.urlpatterns,
    *grants.urlpatterns,
    *referrals.urlpatterns,
    *sp_work.urlpatterns,
    *partner.urlpatterns,
]
