"""The public portal (Live Well), at the site root. No sign-in anywhere here."""

from django.urls import path

from .views import events, feedback, listing, mylist, search

app_name = "portal"

urlpatterns = [
    # Finding things (views/search.py)
    path("", search.home, name="home"),
    path("search/", search.results, name="results"),
    path("near-me/", search.near_me, name="near-me"),
    path("map/wards.geojson", search.ward_outlines, name="map-wards"),
    # One listing (views/listing.py)
    path("listings/<uuid:pk>/", listing.detail, name="listing"),
    path("listings/<uuid:pk>/calendar.ics", listing.calendar, name="listing-ics"),
    path("sitemap.xml", listing.sitemap, name="sitemap"),
    # What's on, week by week, and feeds for any search (views/events.py)
    path("whats-on/", events.week, name="whats-on"),
    path("search/calendar.ics", events.search_calendar, name="search-ics"),
    # My list and the booklet (views/mylist.py)
    path("my-list/", mylist.show, name="my-list"),
    path("my-list/add/<uuid:pk>/", mylist.add, name="my-list-add"),
    path("my-list/remove/<uuid:pk>/", mylist.remove, name="my-list-remove"),
    path("my-list/clear/", mylist.clear, name="my-list-clear"),
    path("my-list/booklet/", mylist.booklet, name="booklet"),
    path("my-list/booklet.pdf", mylist.booklet_pdf, name="booklet-pdf"),
    path("my-list/send/", mylist.send, name="my-list-send"),
    # "Is this page useful?" (views/feedback.py)
    path("listings/<uuid:pk>/rate/", feedback.rate, name="rate"),
    path("listings/<uuid:pk>/rate/thanks/", feedback.thanks, name="rate-thanks"),
]
