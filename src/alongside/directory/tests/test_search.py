"""The search service. The whole suite runs on SQLite and on PostgreSQL (`make test`), so
every expectation here is also a parity check: both engines must give these exact results in
this exact order."""

from __future__ import annotations

import datetime as dt

import pytest

from alongside.directory import services as directory_services
from alongside.directory.models import (
    AccessibilityFeature,
    SearchEntry,
    SearchOccurrence,
    Service,
    TaxonomyTerm,
)
from alongside.directory.search import index, text
from alongside.directory.search.engine import SearchError, SearchQuery, search
from alongside.directory.search.thesaurus import current
from alongside.directory.taxonomies import taxonomies_load

from .api_factories import PublishedServiceFactory
from .conftest import TODAY


def names(result) -> list[str]:
    return [hit.name for hit in result.hits]


def run(**kwargs) -> list[str]:
    return names(search(SearchQuery(today=TODAY, per_page=50, **kwargs)))


def test_only_public_listings_are_indexed(little):
    assert SearchEntry.objects.count() == 5
    assert "Secret Walking Group" not in run(text="walking")


def test_stemming_finds_other_forms_of_a_word(little):
    # "walks" and "walking" both stem to "walk"; the name match ranks above the description.
    assert run(text="walks") == ["Acomb Health Walk", "Evening Choir"]


def test_lonely_finds_befriending_and_lunch_clubs_through_the_needs_map(little):
    # Neither listing says "lonely": the befriending service is found through the word map
    # (lonely -> befriending) and both through their "Loneliness and isolation" need.
    assert run(text="lonely") == ["Friday Lunch Club", "Telephone Befriending"]


def test_money_worries_is_one_phrase_that_finds_debt_advice(little):
    assert run(text="money worries") == ["Debt and Benefits Advice"]


def test_every_word_must_match(little):
    assert run(text="lunch walk") == []
    assert run(text="lunch older") == ["Friday Lunch Club"]


def test_relevance_is_name_then_needs_then_description_with_name_as_tie_break(little):
    result = search(SearchQuery(text="walk", today=TODAY))
    scores = [(hit.name, hit.score) for hit in result.hits]
    # Health Walk: name (4) + its walking-group type's name (2) + description (1).
    assert scores == [("Acomb Health Walk", 7), ("Evening Choir", 1)]


def test_a_misspelt_word_is_corrected(little):
    result = search(SearchQuery(text="befreinding", today=TODAY))
    assert result.corrected_text == "befriending"
    assert names(result) == ["Telephone Befriending"]


def test_a_correct_word_is_not_corrected(little):
    result = search(SearchQuery(text="choir", today=TODAY))
    assert result.corrected_text == ""
    assert names(result) == ["Evening Choir"]


def test_filters(little, york):
    assert run(free=True) == [
        "Acomb Health Walk",
        "Debt and Benefits Advice",
        "Telephone Befriending",
    ]
    assert run(days=("tue",)) == ["Acomb Health Walk", "Evening Choir"]
    assert run(days=("mon", "fri")) == ["Debt and Benefits Advice", "Friday Lunch Club"]
    assert run(times=("evening",)) == ["Evening Choir"]
    assert run(times=("afternoon",)) == ["Friday Lunch Club"]
    assert run(age=14) == []
    assert run(access=("hearing_loop",)) == ["Acomb Health Walk", "Friday Lunch Club"]
    assert run(access=("step_free", "hearing_loop")) == ["Acomb Health Walk", "Friday Lunch Club"]
    assert run(needs=("food",)) == ["Friday Lunch Club"]
    assert run(needs=("food", "money-and-debt")) == [
        "Debt and Benefits Advice",
        "Friday Lunch Club",
    ]
    # Needs and service types are different taxonomies: both must match.
    assert run(needs=("loneliness-and-isolation", "lunch-club")) == ["Friday Lunch Club"]


def test_age_filter_respects_each_listings_range(little):
    # The factory's listings are for 18 and over, except the choir (16+).
    assert run(age=16) == ["Evening Choir"]
    assert "Evening Choir" in run(age=40)
    # With words, age is matched as the limits a listing must not have (their tokens).
    assert run(text="sing", age=15) == []
    assert run(text="sing", age=16) == ["Evening Choir"]
    assert run(text="gentle", age=17) == []
    assert run(text="gentle", age=18) == ["Acomb Health Walk"]
    assert run(text="gentle", age=120) == ["Acomb Health Walk"]
    little["walk"].maximum_age = 65
    little["walk"].save()
    index.rebuild_all(today=TODAY)
    assert run(text="gentle", age=65) == ["Acomb Health Walk"]
    assert run(text="gentle", age=66) == []


def test_ward_filter_includes_listings_serving_the_whole_area(little, york):
    acomb = york["Acomb"].code
    # The befriending service covers all of York by phone, so it appears in every ward.
    assert run(wards=(acomb,)) == [
        "Acomb Health Walk",
        "Friday Lunch Club",
        "Telephone Befriending",
    ]
    neighbourhood = york["Acomb"].neighbourhood
    if neighbourhood is not None:
        assert set(run(neighbourhoods=(neighbourhood.slug,))) >= {"Acomb Health Walk"}


def test_distance_filter_and_sort(little):
    acomb = little["walk"].at_locations.get().location
    result = search(
        SearchQuery(
            point=(acomb.latitude, acomb.longitude), sort="distance", within_m=500, today=TODAY
        )
    )
    assert names(result) == ["Acomb Health Walk", "Friday Lunch Club"]
    assert result.hits[0].distance_m == pytest.approx(0, abs=1)
    everything = search(
        SearchQuery(point=(acomb.latitude, acomb.longitude), sort="distance", today=TODAY)
    )
    distances = [hit.distance_m for hit in everything.hits]
    assert distances == sorted(distances)
    assert distances[-1] > 2000  # Guildhall is a few kilometres from Acomb


def test_a_need_near_a_point_follows_its_listing_when_the_listing_moves(little):
    """The index copies each listing's place onto its needs, so that a need near a point
    is found from them alone: moving the listing and indexing it again moves them too."""
    walk = little["walk"]
    location = walk.at_locations.get().location
    near_acomb = {
        "point": (location.latitude, location.longitude),
        "within_m": 300,
        "needs": ("physical-activity",),
    }
    assert run(**near_acomb) == ["Acomb Health Walk"]
    location.latitude += 0.05  # about 5.5 km north
    location.save()
    index.index_services(service_ids=[walk.id], today=TODAY)
    assert run(**near_acomb) == []
    moved = {**near_acomb, "point": (location.latitude, location.longitude)}
    assert run(**moved) == ["Acomb Health Walk"]
    rows = SearchEntry.objects.get(service=walk).terms.values_list("latitude", flat=True)
    assert set(rows) == {location.latitude}


def test_pages_by_distance_read_only_the_nearest_and_give_the_full_order(little, monkeypatch):
    """Each page by distance reads only the entries as near as its last one: with ties (two
    listings at Acomb Library, three at Friargate) and a listing without a place (last), every
    page must be what sorting them all gives."""
    from alongside.directory.search import engine

    PublishedServiceFactory(name="Phone Friends", description="We ring you for a chat.")
    index.rebuild_all(today=TODAY)
    acomb = little["walk"].at_locations.get().location

    def pages():
        return [
            (r.total, [(h.name, h.distance_m) for h in r.hits])
            for page in range(1, 8)
            for r in [
                search(
                    SearchQuery(
                        point=(acomb.latitude, acomb.longitude),
                        sort="distance",
                        per_page=2,
                        page=page,
                        today=TODAY,
                    )
                )
            ]
        ]

    nearest_only = pages()
    assert nearest_only[2][1][-1] == ("Phone Friends", None)
    monkeypatch.setattr(engine, "DISTANCE_CUT", False)
    assert pages() == nearest_only


def test_happening_this_week_and_soonest(little):
    # From Tuesday 1 December: Tuesday's walk and choir, Friday's lunch, Monday's advice.
    result = search(SearchQuery(this_week=True, sort="soonest", today=TODAY))
    assert [(h.name, h.next_date) for h in result.hits] == [
        ("Acomb Health Walk", dt.date(2026, 12, 1)),
        ("Evening Choir", dt.date(2026, 12, 1)),
        ("Friday Lunch Club", dt.date(2026, 12, 4)),
        ("Debt and Benefits Advice", dt.date(2026, 12, 7)),
    ]


def test_facets_count_the_results(little, york):
    result = search(SearchQuery(text="walk", facets=True, today=TODAY))
    assert result.facets["free"] == {"yes": 1}
    assert result.facets["day"]["tue"] == 2
    assert result.facets["time"] == {"morning": 1, "afternoon": 0, "evening": 1}
    assert result.facets["needs"] == {"physical-activity": 1, "arts-and-culture": 1}
    assert result.facets["ward"] == {york["Acomb"].code: 1, york["Guildhall"].code: 1}
    assert result.facets["access"]["step_free"] == 2
    assert result.facets["access"]["hearing_loop"] == 1


def test_paging_is_stable(little):
    first = run(free=True)
    paged = [
        names(search(SearchQuery(free=True, page=page, per_page=2, today=TODAY)))
        for page in (1, 2, 3)
    ]
    assert paged == [first[:2], first[2:], []]
    assert search(SearchQuery(free=True, per_page=2, today=TODAY)).total == 3


def test_no_results_suggests_what_to_change(little, york):
    result = search(SearchQuery(text="choir", wards=(york["Acomb"].code,), today=TODAY))
    assert result.total == 0
    assert result.help["remove_filter"] == [{"filter": "wards", "label": "the ward", "count": 1}]
    assert all(item["count"] > 0 for item in result.help["nearby_wards"])
    # Two filters that each rule it out: dropping either alone still finds nothing.
    both = search(SearchQuery(text="choir", free=True, wards=(york["Acomb"].code,), today=TODAY))
    assert both.total == 0
    assert both.help["remove_filter"] == []


def test_no_results_suggests_related_needs(little):
    result = search(SearchQuery(text="lonely", days=("sun",), today=TODAY))
    assert result.total == 0
    assert {"filter": "days", "label": "the days", "count": 2} in result.help["remove_filter"]


def test_bad_queries_are_refused_with_a_reason(little):
    for query, message in [
        (SearchQuery(days=("someday",)), "Unknown day"),
        (SearchQuery(needs=("no-such-need",)), "Unknown need"),
        (SearchQuery(wards=("E99999999",)), "Unknown ward"),
        (SearchQuery(within_m=100), "needs a place"),
        (SearchQuery(sort="distance"), "needs a place"),
        (SearchQuery(page=0), "Page must be"),
        (SearchQuery(per_page=1000), "between 1 and"),
        (SearchQuery(access=("jetpack",)), "Unknown accessibility"),
        (SearchQuery(text="x" * 201), "characters or fewer"),
    ]:
        with pytest.raises(SearchError, match=message):
            search(query)


def test_a_change_through_the_services_reaches_the_index(little):
    walk = little["walk"]
    walk.name = "Acomb Nordic Walking"
    walk.save()
    directory_services.services_changed(service_ids=[walk.pk])
    assert run(text="nordic") == ["Acomb Nordic Walking"]
    walk.state = Service.State.ARCHIVED
    walk.save()
    directory_services.services_changed(service_ids=[walk.pk])
    assert run(text="nordic") == []
    assert not SearchOccurrence.objects.filter(entry__service=walk).exists()


def test_a_place_change_reaches_every_listing_there(little):
    AccessibilityFeature.objects.create(
        location=little["choir"].at_locations.get().location, feature="hearing_loop"
    )
    directory_services.locations_changed(
        location_ids=[little["choir"].at_locations.get().location_id]
    )
    assert "Evening Choir" in run(access=("hearing_loop",))


def test_staff_synonyms_change_the_thesaurus_at_once(little):
    assert run(text="natter") == []
    term = TaxonomyTerm.objects.get(taxonomy__code="needs", code="loneliness-and-isolation")
    term.synonyms += "\nnatter"
    term.save()
    assert set(run(text="natter")) == {"Telephone Befriending", "Friday Lunch Club"}


def test_text_helpers():
    assert text.words("Café O'Neill's — 2 groups!") == ["cafe", "oneills", "2", "groups"]
    assert text.document("Walking walks", "the walk") == " walk "
    assert text.term_token("loneliness-and-isolation") == "xtlonelinessandisolation"
    assert text.damerau_levenshtein("befreind", "befriend") == 1
    assert text.damerau_levenshtein("choir", "chair") == 1
    assert text.damerau_levenshtein("walk", "dementia", limit=3) == 3


def test_thesaurus_matches_the_longest_phrase(db):
    taxonomies_load()
    groups = current().parse("on my own and money worries")
    assert [g.words for g in groups] == ["on my own", "money worries"]
    assert "money-and-debt" in groups[1].term_codes


def test_the_full_text_index_follows_the_table(db):
    """On SQLite, triggers keep the FTS5 table in step; a migration that rebuilds the table
    must re-create them (see migrations 0005 and 0012)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's generated column needs no triggers")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        triggers = {row[0] for row in cursor.fetchall()}
    assert {"directory_search_ai", "directory_search_ad", "directory_search_au"} <= triggers


def test_only_a_change_to_its_words_rewrites_an_entrys_full_text_row(little):
    """On SQLite, bringing next dates up to date must not rewrite the FTS5 rows (tens of
    thousands of them in a large directory, leaving the FTS5 index in pieces); a change to
    the words still reaches the index."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's generated column needs no triggers")
    entry = SearchEntry.objects.get(service=little["walk"])

    def rows_written(**changes) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT total_changes()")
            (before,) = cursor.fetchone()
            SearchEntry.objects.filter(pk=entry.pk).update(**changes)
            cursor.execute("SELECT total_changes()")
            return cursor.fetchone()[0] - before

    assert rows_written(next_date=TODAY + dt.timedelta(days=3)) == 1
    assert rows_written(name_doc=" zither ") > 1
    assert run(text="zither") == ["Acomb Health Walk"]


def test_a_code_in_two_taxonomies_means_either(little):
    """ "carers" is both a need and an audience: asking for it finds listings with either."""
    carers_need = TaxonomyTerm.objects.get(taxonomy__code="needs", code="carers")
    carers_audience = TaxonomyTerm.objects.get(taxonomy__code="audience", code="carers")
    little["walk"].terms.add(carers_need)
    little["choir"].terms.add(carers_audience)
    index.rebuild_all(today=TODAY)
    assert run(needs=("carers",)) == ["Acomb Health Walk", "Evening Choir"]
    # With a service type as well, both groups must match.
    assert run(needs=("carers", "walking-group")) == ["Acomb Health Walk"]
    # With words, "carers" is matched as the token both terms share; one of them asked for
    # by its id is not (the token would find the other's listings too).
    assert run(text="gentle", needs=("carers",)) == ["Acomb Health Walk"]
    assert run(text="sing", needs=("carers",)) == ["Evening Choir"]
    assert run(text="sing", needs=(str(carers_need.pk),)) == []
    assert run(text="sing", needs=(str(carers_audience.pk),)) == ["Evening Choir"]


def test_an_index_built_days_ago_still_answers_this_week_and_soonest(little):
    """Entries keep their next date as of the day they were indexed; a later day's search
    falls back to the table of dates for entries whose next date has passed."""
    fresh = search(SearchQuery(this_week=True, sort="soonest", today=TODAY))
    index.rebuild_all(today=TODAY - dt.timedelta(days=5))
    stale = search(SearchQuery(this_week=True, sort="soonest", today=TODAY))
    assert [(h.name, h.next_date) for h in stale.hits] == [
        (h.name, h.next_date) for h in fresh.hits
    ]


def test_on_the_day_itself_passed_next_dates_are_brought_up_to_date(little, monkeypatch):
    """The first search by date on a later day than the index was built brings the entries
    whose next date has passed up to date, from the table of dates, so later searches read
    next dates directly: the answers and the next dates are those of an index built that
    day. When there are more than one search may update, it looks them up instead."""
    from django.utils import timezone

    from alongside.directory.search import engine

    fresh = search(SearchQuery(this_week=True, sort="soonest", today=TODAY))
    built_today = dict(SearchEntry.objects.values_list("service_id", "next_date"))
    assert fresh.hits
    index.rebuild_all(today=TODAY - dt.timedelta(days=5))
    built_before = dict(SearchEntry.objects.values_list("service_id", "next_date"))
    passed = SearchEntry.objects.filter(next_date__lt=TODAY).count()
    assert passed > 1
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    expected = [(h.name, h.next_date) for h in fresh.hits]
    # More passed than one search may update: each is looked up, and nothing is written.
    monkeypatch.setattr(engine, "REFRESH_AT_MOST", passed - 1)
    now = search(SearchQuery(this_week=True, sort="soonest"))
    assert [(h.name, h.next_date) for h in now.hits] == expected
    assert dict(SearchEntry.objects.values_list("service_id", "next_date")) == built_before
    monkeypatch.setattr(engine, "REFRESH_AT_MOST", passed)
    now = search(SearchQuery(this_week=True, sort="soonest"))
    assert [(h.name, h.next_date) for h in now.hits] == expected
    assert dict(SearchEntry.objects.values_list("service_id", "next_date")) == built_today


def test_pages_put_together_give_the_full_ranking(little):
    """Small pages, read one after another, give exactly the order and total of one big page
    (ties in score are broken the same way every time)."""
    for n in range(6):
        PublishedServiceFactory(name=f"Walk number {n}", description="A gentle stroll.")
        PublishedServiceFactory(name=f"Stroll number {n}", description="We walk slowly.")
    index.rebuild_all(today=TODAY)
    everything = search(SearchQuery(text="walk", per_page=50, today=TODAY))
    assert everything.total == 14
    paged = [
        search(SearchQuery(text="walk", page=page, per_page=3, today=TODAY)) for page in range(1, 6)
    ]
    assert all(result.total == 14 for result in paged)
    assert [(h.name, h.score) for r in paged for h in r.hits] == [
        (h.name, h.score) for h in everything.hits
    ]
    assert everything.hits[0].name == "Acomb Health Walk"  # name and need: 7


@pytest.mark.parametrize(
    "filters",
    [
        {"needs": ("loneliness-and-isolation",)},
        {"wards": ("E05010311",)},
        {"needs": ("loneliness-and-isolation",), "wards": ("E05010318",), "free": True},
        {"sort": "name", "days": ("tue",)},
    ],
)
def test_reading_the_name_index_in_order_gives_the_same_pages(little, monkeypatch, filters):
    """Above a number of matches, a search without words tests needs and places entry by
    entry while reading the name index; every page must be what the lists of matches give."""
    from alongside.directory.search import engine

    def pages():
        return [
            (r.total, names(r))
            for page in (1, 2, 3)
            for r in [search(SearchQuery(today=TODAY, per_page=2, page=page, **filters))]
        ]

    as_lists = pages()
    assert as_lists[0][0] > 0
    monkeypatch.setattr(engine, "INDEX_ORDER_ABOVE", 0)
    assert pages() == as_lists


@pytest.mark.parametrize("words", ["lonely", "walk", "club", "money worries"])
def test_ranking_names_first_gives_the_same_pages_as_scoring_everything(little, monkeypatch, words):
    from alongside.directory.search import engine

    def pages():
        return [
            (r.total, [(h.name, h.score) for h in r.hits])
            for page in (1, 2, 3, 4)
            for r in [search(SearchQuery(text=words, today=TODAY, per_page=1, page=page))]
        ]

    names_first = pages()
    assert names_first[0][0] > 0
    monkeypatch.setattr(engine, "NAME_TIER_FIRST", False)
    assert pages() == names_first


@pytest.mark.django_db
def test_needs_and_places_alone_and_whole_directory_facets_give_the_same_answers(monkeypatch):
    """On the York demo directory: with only needs and places narrowing a search, the total
    (and for several lists, the list) comes from the side tables; with words, the filters
    the full-text index can answer are matched as tokens (and on PostgreSQL, scored before
    the window that counts them). Every page and total must be what testing each entry
    gives. The whole directory's facets, counted from the side tables
    whole, must be what testing each entry gives."""
    from alongside.directory.demo import demo_directory_load
    from alongside.directory.search import engine

    demo_directory_load(today=TODAY)
    cases = [
        {"needs": ("loneliness-and-isolation",)},
        {"needs": ("carers",)},  # a need and an audience: either
        {"needs": ("physical-activity",), "sort": "name"},  # a parent: its sub-needs too
        {"needs": ("walking-group", "older-people")},  # a type and an audience: both
        {"needs": ("loneliness-and-isolation", "older-people"), "sort": "soonest"},
        {"wards": ("E05010311", "E05010320")},  # places alone
        {"needs": ("physical-activity",), "wards": ("E05010318",)},
        {"needs": ("carers", "older-people"), "neighbourhoods": ("east",), "sort": "name"},
        # Words with filters the full-text index answers as fact tokens.
        {"text": "walk", "free": True},
        {"text": "lonely", "wards": ("E05010311", "E05010320")},
        {"text": "club", "needs": ("older-people",), "times": ("morning", "afternoon")},
        {"text": "group", "needs": ("carers",), "days": ("tue", "thu")},  # either carers
        {"text": "advice", "needs": ("money-and-debt", "housing")},  # either need
        {"text": "support", "neighbourhoods": ("east",), "access": ("step_free",)},
        {"text": "art", "kinds": ("event",), "this_week": True},  # and a filter that stays
        {"text": "club", "age": 8},  # ages as the limits a listing must not have
        {"text": "group", "age": 17, "free": True},
        {"text": "activity", "age": 70},
        # Words in an order the score plays no part in: the page's rows are scored alone.
        {"text": "walk", "point": (53.9560, -1.1260), "sort": "distance"},
        {"text": "club", "free": True, "sort": "name"},
        # By distance: only the entries as near as the page's last one are read.
        {"point": (53.9590, -1.0815), "sort": "distance"},  # venues with several: ties
        {"point": (53.9560, -1.1260), "within_m": 2500, "sort": "distance"},
        {"point": (53.9590, -1.0815), "needs": ("older-people",), "sort": "distance"},
        {"point": (53.9590, -1.0815), "sort": "distance", "per_page": 100},  # no place
        # Needs near a point: only the needs' rows in the circle's box are looked up.
        {"point": (53.9590, -1.0815), "within_m": 2000, "needs": ("carers",)},
        {
            "point": (53.9560, -1.1260),
            "within_m": 3000,
            "needs": ("physical-activity", "older-people"),
            "sort": "distance",
        },
    ]

    def pages(filters):
        return [
            (r.total, [(hit.name, hit.score) for hit in r.hits])
            for page in (1, 2, 5)
            for r in [
                search(SearchQuery(**{"today": TODAY, "per_page": 4, "page": page, **filters}))
            ]
        ]

    from_terms = [pages(filters) for filters in cases]
    assert all(case[0][0] > 4 for case in from_terms), [c[0][0] for c in from_terms]
    monkeypatch.setattr(engine, "LISTS_FROM_SIDE_TABLES", False)
    monkeypatch.setattr(engine, "FILTERS_AS_WORDS", False)
    monkeypatch.setattr(engine, "DISTANCE_CUT", False)
    monkeypatch.setattr(engine, "NEEDS_CARRY_PLACES", False)
    monkeypatch.setattr(engine, "SCORED_BEFORE_WINDOW", False)
    monkeypatch.setattr(engine, "DISTANCE_RINGS", False)
    assert [pages(filters) for filters in cases] == from_terms
    # An intersection with more ids than are read at once is found again for the page.
    monkeypatch.setattr(engine, "LISTS_FROM_SIDE_TABLES", True)
    monkeypatch.setattr(engine, "IDS_AT_MOST", 1)
    assert [pages(filters) for filters in cases] == from_terms

    everything = engine.SearchEntry.objects.all()
    whole = engine._facets(everything, everything=True)
    assert whole["ward"] and whole["neighbourhood"] and whole["needs"]
    assert whole == engine._facets(everything, everything=False)


def test_the_help_for_no_results_looks_up_needs_and_places_once(
    little, django_assert_max_num_queries
):
    """The help re-counts the search with each filter dropped and in nearby wards; the
    needs, wards and date checks it needs (and the term codes and neighbourhood slugs the
    filters matched as words need) are looked up once per search, not per count (30
    queries before, 21 now; PostgreSQL also asks its planner how many match, once)."""
    query = SearchQuery(
        text="choir",
        needs=("food",),
        wards=("E05010311",),
        days=("mon",),
        free=True,
        today=TODAY,
    )
    with django_assert_max_num_queries(22):
        result = search(query)
    assert result.total == 0
    assert "remove_filter" in result.help


@pytest.mark.django_db
def test_counts_stop_at_the_limit_and_the_pages_within_it_stay_the_same(monkeypatch):
    """On the York demo directory, with the count limit lowered to 10: every way of counting
    (FTS5 alone, words with facts, a window, needs and places from the side tables, an
    intersection of them, everything, by distance) gives at most 10 and says when there are
    more; the pages within the limit are the ones an exact count gives; a page starting past
    the limit is refused with a message."""
    from alongside.directory.demo import demo_directory_load
    from alongside.directory.search import engine

    demo_directory_load(today=TODAY)
    cases = [
        {"text": "club"},
        {"text": "group", "free": True},
        {"text": "walk", "this_week": True},  # a column filter: a window counts
        {"text": "money worries"},
        {"needs": ("physical-activity",)},
        {"needs": ("carers", "older-people")},
        {"needs": ("loneliness-and-isolation",), "wards": ("E05010318",)},
        {},
        {"point": (53.9590, -1.0815), "sort": "distance"},
        {"point": (53.9800, -1.0500), "needs": ("older-people",), "sort": "distance"},
        {"text": "choir", "wards": ("E05010318",)},
        {"text": "walk", "free": True, "days": ("sat",)},
        {"needs": ("bereavement",), "wards": ("E05010311",)},
    ]

    def pages(filters):
        return [
            search(SearchQuery(**{"today": TODAY, "per_page": 4, "page": page, **filters}))
            for page in (1, 2, 3)  # the third ends at 12, past the limit
        ]

    # A page reaching past the limit (rows 1 to 20): its rows are counted to its end.
    wide = SearchQuery(point=(53.9560, -1.1260), sort="distance", per_page=20, today=TODAY)
    exact = [pages(filters) for filters in cases]
    wide_exact = search(wide)
    monkeypatch.setattr(engine, "MAX_COUNTED", 10)
    capped = [pages(filters) for filters in cases]
    assert names(search(wide)) == names(wide_exact) and len(wide_exact.hits) == 20
    totals = [case[0].total for case in exact]
    assert min(totals) <= 10 < max(totals), totals
    for filters, whole, limited in zip(cases, exact, capped, strict=True):
        for full, cut in zip(whole, limited, strict=True):
            assert (cut.total, cut.capped) == (min(full.total, 10), full.total > 10), filters
            assert names(cut) == names(full), filters
    # As PostgreSQL counts a broad search: the matches' ids, up to the limit.
    monkeypatch.setattr(engine, "ALWAYS_BROAD", True)
    assert [[names(r) for r in case] for case in map(pages, cases)] == [
        [names(r) for r in case] for case in capped
    ]
    with pytest.raises(SearchError, match="Only the first 10 results can be shown"):
        search(SearchQuery(text="club", today=TODAY, per_page=5, page=3))


@pytest.mark.django_db
def test_name_tiers_read_in_name_order_give_every_page_of_the_full_ranking(monkeypatch):
    """On the York demo directory, every page of one group of words, ranked tier by tier
    (name and needs, then name only, each read in name order), is the page that scoring and
    sorting every match gives, including pages that cross from one tier to the next and
    pages past the name tiers."""
    from alongside.directory.demo import demo_directory_load
    from alongside.directory.search import engine

    demo_directory_load(today=TODAY)
    single = [{"text": "club"}, {"text": "walk", "free": True}, {"text": "advice"}]
    # PostgreSQL also ranks several groups of words, and words with filters, tier by tier.
    several = [
        {"text": "club", "age": 8},
        {"text": "lonely", "times": ("morning",)},
        {"text": "group support"},
        {"text": "walk group", "free": True},
        {"text": "coffee morning"},
    ]
    cases = single + several

    def pages(filters):
        found, page = [], 1
        while True:
            result = search(SearchQuery(today=TODAY, per_page=3, page=page, **filters))
            found.append((result.total, [(h.name, h.score) for h in result.hits]))
            if not result.hits:
                return found
            page += 1

    # As PostgreSQL ranks a broad search: tier by tier even when there are few matches
    # (it would score them among their ids), reading the name index in order as far as
    # each page needs.
    monkeypatch.setattr(engine, "ALWAYS_BROAD", True)
    monkeypatch.setattr(engine, "FEW_SCORED_AMONG_IDS", False)
    tiered = [pages(filters) for filters in cases]
    scores = {score for case in tiered[: len(single)] for _, hits in case for _, score in hits}
    assert scores == {7, 5, 3, 1}, scores
    assert all(len(case) > 3 for case in tiered[len(single) :]), [len(c) for c in tiered]
    # Reading too few entries in name order to fill a page: the tier is read whole.
    monkeypatch.setattr(engine, "WALK_PER_ROW", 1)
    assert [pages(filters) for filters in cases] == tiered
    monkeypatch.setattr(engine, "WALK_IN_NAME_ORDER", False)
    assert [pages(filters) for filters in cases] == tiered
    monkeypatch.setattr(engine, "FEW_SCORED_AMONG_IDS", True)
    assert [pages(filters) for filters in cases] == tiered
    monkeypatch.setattr(engine, "ALWAYS_BROAD", False)  # (the planner's estimate decides)
    assert [pages(filters) for filters in cases] == tiered
    monkeypatch.setattr(engine, "NAME_TIER_FIRST", False)
    assert [pages(filters) for filters in cases] == tiered


@pytest.mark.django_db
@pytest.mark.parametrize("first_ring_m", [20.0, 500.0, 5000.0])
def test_words_by_distance_read_in_growing_circles_give_the_full_order(monkeypatch, first_ring_m):
    """On the York demo directory, words sorted by distance (PostgreSQL reads the matches
    in circles about the point, growing until one holds the page) give every page, and
    each total, that sorting every match gives, from a first circle that holds almost
    nothing, about the page, or everything."""
    from alongside.directory.demo import demo_directory_load
    from alongside.directory.search import engine

    demo_directory_load(today=TODAY)
    acomb, centre = (53.9560, -1.1260), (53.9590, -1.0815)
    cases = [
        {"text": "walk", "point": acomb},
        {"text": "club", "point": centre, "free": True},
        {"text": "group", "point": centre, "within_m": 3000},
        {"text": "advice", "point": acomb, "within_m": 400},
        {"text": "support", "point": (54.2, -0.5)},  # far from everything
    ]

    def pages(filters):
        return [
            (r.total, [(h.name, h.score, round(h.distance_m or -1, 3)) for h in r.hits])
            for page in (1, 2, 4, 9)
            for r in [
                search(SearchQuery(today=TODAY, per_page=4, page=page, sort="distance", **filters))
            ]
        ]

    monkeypatch.setattr(engine, "FIRST_RING_M", first_ring_m)
    in_rings = [pages(filters) for filters in cases]
    assert all(case[0][1] for case in in_rings), in_rings
    assert any(not case[-1][1] for case in in_rings)  # a page past the end
    monkeypatch.setattr(engine, "DISTANCE_RINGS", False)
    assert [pages(filters) for filters in cases] == in_rings
