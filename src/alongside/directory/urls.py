"""Staff pages for the directory, included at /staff/directory/."""

from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.listing_list, name="listing-list"),
    path("queues/review-due/", views.queue_review_due, name="queue-review-due"),
    path(
        "queues/suggested-changes/",
        views.queue_suggested_changes,
        name="queue-suggested-changes",
    ),
    path("queues/new-listings/", views.queue_new_listings, name="queue-new-listings"),
    path("listings/new/", views.listing_create, name="listing-create"),
    path("listings/<uuid:pk>/", views.listing_detail, name="listing-detail"),
    path("listings/<uuid:pk>/edit/", views.listing_edit, name="listing-edit"),
    path("listings/<uuid:pk>/preview/", views.listing_preview, name="listing-preview"),
    path("listings/<uuid:pk>/submit/", views.listing_submit, name="listing-submit"),
    path("listings/<uuid:pk>/publish/", views.listing_publish, name="listing-publish"),
    path("listings/<uuid:pk>/checked/", views.listing_mark_checked, name="listing-checked"),
    path("listings/<uuid:pk>/archive/", views.listing_archive, name="listing-archive"),
    path("listings/<uuid:pk>/restore/", views.listing_restore, name="listing-restore"),
    path("listings/<uuid:pk>/history/", views.listing_history, name="listing-history"),
    path("suggestions/<uuid:pk>/", views.suggestion_detail, name="suggestion-detail"),
    path("suggestions/<uuid:pk>/accept/", views.suggestion_accept, name="suggestion-accept"),
    path("suggestions/<uuid:pk>/reject/", views.suggestion_reject, name="suggestion-reject"),
    # Partner organisations' pages.
    path("partner/", views.partner_listings, name="partner-listings"),
    path("partner/new/", views.partner_create, name="partner-create"),
    path("partner/<uuid:pk>/update/", views.partner_update, name="partner-update"),
]
