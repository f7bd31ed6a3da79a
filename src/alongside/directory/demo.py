"""The York demo directory: a made-up living map at Live Well York's scale.

Live Well York listed "over 450 community activities and 75 events per month" (City of York
Council, Health, Housing and Adult Social Care Policy and Scrutiny Committee, 12 December
2018, paragraph 28). This module builds a directory of that size across York's 21 real wards:
about 120 providers, 150 venues (some of them green spaces), 450 activities, groups and
services, and enough one-off and recurring events for about 75 a month.

Everything apart from York's wards and small areas is fictional: provider and venue names are
invented, street numbers are made up, postcodes follow the project's demo convention (a real
outward code and sector with the unit "ZZ"), phone numbers come from Ofcom's ranges reserved
for drama (01632 960xxx and 07700 900xxx) and email addresses and websites use the reserved
example.org domain. Provider descriptions say they are made up for the demo.

The data is generated from a fixed random seed, and every object has a key derived from
what it is (not when it was made), so loading again adds nothing and never overwrites staff
edits. Dates (schedules, checks) are set relative to the month of the first load. One-off
events run for twelve months from the month of loading; each month's events have their own
seed and keys, so loading again in a later month adds only the months not yet there.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.text import slugify

from alongside.accounts.models import Organisation, Programme, Team
from alongside.core.models import SmallArea, Ward
from alongside.core.places import place_for_point

from .models import (
    AccessibilityFeature,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from .search import index as search_index
from .taxonomies import AUDIENCE, NEEDS, SERVICE_TYPES, taxonomies_load, terms_by_code

SEED = 20181212
# Keys for demo objects: uuid5(namespace, "<kind>:<key>"). Fixed so reloading finds them.
NAMESPACE = uuid.UUID("6f1d3c2e-6a4b-5e0f-9a57-0d6e3b7c1a42")

TARGET_PROVIDERS = 120
TARGET_LOCATIONS = 150
TARGET_GREEN_SPACES = 20
TARGET_ACTIVITIES = 450
CITY_WIDE_COUNT = 30  # hand-named providers below
LOCAL_PROVIDERS = TARGET_PROVIDERS - CITY_WIDE_COUNT - TARGET_GREEN_SPACES
RECURRING_EVENTS = 42
ONE_OFF_EVENTS_PER_MONTH = 32
EVENT_MONTHS = 12  # one-off events from the month of loading for a year

COUNCIL = "City of York Council"
EDITOR_TEAM = "Live Well York editors"
FAMILY_EDITOR_TEAM = "Family information editors"
LONDON = ZoneInfo("Europe/London")

# --- Places --------------------------------------------------------------------------------

# Place names used in listing names, by ward: the ward's own name or the villages in it.
PLACE_NAMES: dict[str, tuple[str, ...]] = {
    "Acomb": ("Acomb",),
    "Bishopthorpe": ("Bishopthorpe",),
    "Clifton": ("Clifton",),
    "Copmanthorpe": ("Copmanthorpe",),
    "Dringhouses & Woodthorpe": ("Dringhouses", "Woodthorpe"),
    "Fishergate": ("Fishergate",),
    "Fulford & Heslington": ("Fulford", "Heslington"),
    "Guildhall": ("Groves", "City Centre"),
    "Haxby & Wigginton": ("Haxby", "Wigginton"),
    "Heworth": ("Heworth", "Tang Hall"),
    "Heworth Without": ("Heworth Without",),
    "Holgate": ("Holgate",),
    "Hull Road": ("Hull Road",),
    "Huntington & New Earswick": ("Huntington", "New Earswick"),
    "Micklegate": ("Micklegate", "South Bank"),
    "Osbaldwick & Derwent": ("Osbaldwick", "Dunnington"),
    "Rawcliffe & Clifton Without": ("Rawcliffe", "Clifton Moor"),
    "Rural West York": ("Poppleton", "Rufforth", "Askham Bryan"),
    "Strensall": ("Strensall",),
    "Westfield": ("Westfield", "Chapelfields"),
    "Wheldrake": ("Wheldrake", "Elvington"),
}
VILLAGE_WARDS = {
    "Bishopthorpe",
    "Copmanthorpe",
    "Haxby & Wigginton",
    "Osbaldwick & Derwent",
    "Rural West York",
    "Strensall",
    "Wheldrake",
}
# Demo postcodes: a real outward code and sector for the ward, with the fictional unit "ZZ".
POSTCODE_SECTORS: dict[str, tuple[str, ...]] = {
    "Acomb": ("YO24 3", "YO26 5"),
    "Bishopthorpe": ("YO23 2",),
    "Clifton": ("YO30 6",),
    "Copmanthorpe": ("YO23 3",),
    "Dringhouses & Woodthorpe": ("YO24 1",),
    "Fishergate": ("YO10 4",),
    "Fulford & Heslington": ("YO10 5",),
    "Guildhall": ("YO1 7", "YO31 7"),
    "Haxby & Wigginton": ("YO32 2", "YO32 3"),
    "Heworth": ("YO31 0",),
    "Heworth Without": ("YO31 1",),
    "Holgate": ("YO26 4",),
    "Hull Road": ("YO10 3",),
    "Huntington & New Earswick": ("YO32 9", "YO32 4"),
    "Micklegate": ("YO23 1", "YO1 6"),
    "Osbaldwick & Derwent": ("YO19 5", "YO10 3"),
    "Rawcliffe & Clifton Without": ("YO30 5",),
    "Rural West York": ("YO26 6", "YO23 3"),
    "Strensall": ("YO32 5",),
    "Westfield": ("YO24 2",),
    "Wheldrake": ("YO19 6",),
}
STREETS = (
    "Church Lane",
    "Station Road",
    "Main Street",
    "The Green",
    "Park Avenue",
    "Mill Lane",
    "School Lane",
    "Chapel Street",
    "Orchard Way",
    "Meadow Close",
    "Manor Road",
    "Willow Grove",
    "Beech Avenue",
    "Field Lane",
    "Front Street",
    "Back Lane",
    "Garden Street",
    "Moor Lane",
    "Hall Road",
    "Oak Tree Walk",
)
TREES = ("Larch", "Rowan", "Hazel", "Willow", "Beech", "Alder", "Elm", "Holly", "Juniper")
BIRDS = ("Robin", "Wren", "Kingfisher", "Goldfinch", "Swift", "Blackbird", "Heron")
VENUE_NAMES = (
    "{place} Community Centre",
    "{place} Community Hub",
    "The {tree} Rooms, {place}",
    "{tree} Court Lounge, {place}",
    "{place} Scout Hut",
    "{place} Sports Pavilion",
    "{place} Social Club",
    "{place} Church Hall",
    "The {bird} Café, {place}",
    "{place} Youth Centre",
    "{tree} House, {place}",
)
VILLAGE_VENUE_NAMES = ("{place} Village Hall", "{place} Memorial Hall", "{place} Parish Rooms")
GREEN_NAMES = (
    "{place} Community Orchard",
    "{place} Allotments",
    "{place} Wildlife Garden",
    "{place} Recreation Ground",
    "{place} Pocket Park",
    "{place} Community Garden",
    "{place} Meadow",
    "{place} Millennium Green",
)
VENUE_ABOUT = (
    "A community building with a main hall, a kitchen and a small meeting room.",
    "A friendly meeting place with a large hall and a café area.",
    "A small hall with a kitchen, used by local groups most days of the week.",
    "A modern building with meeting rooms of different sizes.",
    "The residents' lounge of a sheltered housing scheme, open to neighbours for activities.",
)
GREEN_ABOUT = (
    "A green space looked after by local volunteers, with benches and a wildflower area.",
    "A small park with surfaced paths, trees and places to sit.",
    "A growing space with raised beds, fruit trees and a shelter.",
    "An open field with a path around the edge and views across the countryside.",
)

# feature -> (how likely for a venue, for a green space, details to choose from)
ACCESS: dict[str, tuple[float, float, tuple[str, ...]]] = {
    AccessibilityFeature.Feature.STEP_FREE: (
        0.8,
        0.5,
        (
            "Level entrance at the front door.",
            "Ramp at the side entrance.",
            "Flat, surfaced paths.",
        ),
    ),
    AccessibilityFeature.Feature.ACCESSIBLE_TOILET: (
        0.65,
        0.05,
        ("Accessible toilet by the hall.",),
    ),
    AccessibilityFeature.Feature.HEARING_LOOP: (0.35, 0.0, ("Hearing loop in the main hall.",)),
    AccessibilityFeature.Feature.PARKING: (
        0.5,
        0.4,
        ("Free car park.", "On-street parking nearby."),
    ),
    AccessibilityFeature.Feature.BLUE_BADGE_PARKING: (0.3, 0.15, ("Two blue badge spaces.",)),
    AccessibilityFeature.Feature.QUIET_SPACE: (0.2, 0.1, ("A quiet room you can use any time.",)),
    AccessibilityFeature.Feature.BUS_STOP: (0.7, 0.6, ("Bus stop about two minutes' walk away.",)),
    AccessibilityFeature.Feature.LARGE_PRINT: (0.15, 0.0, ("Large print information on request.",)),
    AccessibilityFeature.Feature.CHANGING_PLACES: (0.04, 0.0, ("Changing Places toilet.",)),
    AccessibilityFeature.Feature.BSL: (0.03, 0.0, ("Some staff use British Sign Language.",)),
}
ACCESS_PHRASES = {
    AccessibilityFeature.Feature.STEP_FREE: "step-free access",
    AccessibilityFeature.Feature.ACCESSIBLE_TOILET: "an accessible toilet",
    AccessibilityFeature.Feature.HEARING_LOOP: "a hearing loop",
    AccessibilityFeature.Feature.PARKING: "parking",
    AccessibilityFeature.Feature.CHANGING_PLACES: "a Changing Places toilet",
}

FIRST_NAMES = (
    "Jo",
    "Sam",
    "Pat",
    "Chris",
    "Alex",
    "Val",
    "Mo",
    "Bev",
    "Kath",
    "Des",
    "Lin",
    "Ray",
    "Sue",
    "Raj",
    "Ann",
    "Tess",
    "Gill",
    "Mick",
    "Jan",
    "Ruth",
)

# --- What happens ----------------------------------------------------------------------------

Times = tuple[tuple[int, int], tuple[int, int]]
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


@dataclass(frozen=True)
class ActivitySpec:
    """A kind of regular activity, group or service, with words to describe it."""

    key: str
    name: str
    kind: str
    service_types: tuple[str, ...]
    needs: tuple[str, ...]
    audience: tuple[str, ...]
    summary: str
    detail: tuple[str, ...]
    times: tuple[Times, ...] = (((10, 0), (12, 0)),)
    days: tuple[str, ...] = WEEKDAYS
    # How often it runs: weekly, fortnightly, monthly or office (Monday to Friday).
    patterns: tuple[str, ...] = ("weekly", "weekly", "fortnightly")
    costs: tuple[str, ...] = ("",)  # "" is free; "payf" is pay as you feel
    cost_note: str = "a session"
    who: str = "Everyone is welcome."
    join: str = "Just come along. You do not need to book."
    green: bool = False
    ages: tuple[int | None, int | None] = (None, None)


def A(key: str, name: str, kind: str, **kwargs: Any) -> ActivitySpec:
    return ActivitySpec(key=key, name=name, kind=kind, **kwargs)


K = Service.Kind
ACTIVITIES: dict[str, ActivitySpec] = {
    a.key: a
    for a in (
        A(
            "knit",
            "Knit and Natter",
            K.GROUP,
            service_types=("craft-group", "social-group"),
            needs=("loneliness-and-isolation", "arts-and-culture"),
            audience=("adults", "older-people"),
            summary="A friendly group to knit, crochet and chat over a cup of tea.",
            detail=(
                "Bring something you are working on, or learn from scratch.",
                "We have spare needles and wool.",
            ),
            times=(((10, 0), (12, 0)), ((13, 30), (15, 30))),
            costs=("", "", "1.50", "2"),
        ),
        A(
            "lunch-club",
            "Lunch Club",
            K.GROUP,
            service_types=("lunch-club",),
            needs=("food", "loneliness-and-isolation", "older-people"),
            audience=("older-people",),
            summary="A hot two-course lunch and good company for older people.",
            detail=(
                "Lunch is cooked fresh on the day.",
                "Tell us about any special diet when you book.",
            ),
            times=(((12, 0), (14, 0)),),
            patterns=("weekly",),
            costs=("4", "4.50", "5"),
            cost_note="for lunch",
            who="For people aged 60 and over.",
            join="Phone to book your place by the day before.",
        ),
        A(
            "coffee-morning",
            "Coffee Morning",
            K.GROUP,
            service_types=("social-group",),
            needs=("loneliness-and-isolation", "older-people"),
            audience=("adults", "older-people"),
            summary="A relaxed coffee morning where everyone is welcome.",
            detail=(
                "Pop in for a hot drink, a biscuit and a chat.",
                "Come on your own or bring a friend.",
            ),
            costs=("", "", "1"),
        ),
        A(
            "walking",
            "Health Walk",
            K.ACTIVITY,
            service_types=("walking-group",),
            needs=("physical-activity", "loneliness-and-isolation", "nature-and-outdoors"),
            audience=("adults", "older-people"),
            summary="A gentle, led walk of about an hour on flat paths.",
            detail=(
                "A trained walk leader goes at the pace of the slowest walker.",
                "Wear comfortable shoes and bring a drink.",
            ),
            times=(((10, 0), (11, 30)), ((13, 30), (15, 0))),
            patterns=("weekly",),
            join="Meet at the main entrance. You do not need to book.",
            green=True,
        ),
        A(
            "seated-exercise",
            "Seated Exercise",
            K.ACTIVITY,
            service_types=("exercise-class",),
            needs=("physical-activity", "physical-health", "older-people"),
            audience=("older-people",),
            summary="Gentle exercise you can do sitting down, to help your strength and balance.",
            detail=(
                "A qualified instructor leads the class.",
                "Wear loose, comfortable clothes.",
            ),
            times=(((10, 30), (11, 30)), ((14, 0), (15, 0))),
            patterns=("weekly",),
            costs=("2.50", "3", "4"),
        ),
        A(
            "tai-chi",
            "Tai Chi",
            K.ACTIVITY,
            service_types=("exercise-class",),
            needs=("physical-activity", "mental-health"),
            audience=("adults", "older-people"),
            summary="Slow, flowing movements to help balance, breathing and calm.",
            detail=("Beginners are welcome at any session.", "You can stand or sit."),
            times=(((10, 0), (11, 0)), ((18, 30), (19, 30))),
            patterns=("weekly",),
            costs=("4", "5"),
        ),
        A(
            "dance",
            "Dance for Health",
            K.ACTIVITY,
            service_types=("exercise-class",),
            needs=("physical-activity", "arts-and-culture", "loneliness-and-isolation"),
            audience=("adults", "older-people"),
            summary="Move to music from every decade in a friendly class.",
            detail=("There are no steps to learn in advance.", "Join in as much as you like."),
            times=(((14, 0), (15, 0)),),
            costs=("3", "3.50"),
        ),
        A(
            "yoga",
            "Gentle Yoga",
            K.ACTIVITY,
            service_types=("exercise-class",),
            needs=("physical-activity", "mental-health"),
            audience=("adults",),
            summary="A calm yoga class for all ages and abilities.",
            detail=("Mats are provided.", "Tell the teacher about any injuries before you start."),
            times=(((9, 30), (10, 30)), ((19, 0), (20, 0))),
            patterns=("weekly",),
            costs=("4", "5"),
        ),
        A(
            "walking-football",
            "Walking Football",
            K.ACTIVITY,
            service_types=("exercise-class",),
            needs=("physical-activity", "loneliness-and-isolation"),
            audience=("adults", "older-people"),
            summary="A slower game of football with no running or tackling.",
            detail=("Teams are mixed and friendly.", "Wear trainers and bring water."),
            times=(((10, 0), (11, 30)), ((18, 0), (19, 0))),
            patterns=("weekly",),
            costs=("3",),
            who="For people aged 50 and over.",
            ages=(50, None),
        ),
        A(
            "choir",
            "Community Choir",
            K.GROUP,
            service_types=("choir-and-music",),
            needs=("arts-and-culture", "mental-health", "loneliness-and-isolation"),
            audience=("adults",),
            summary="A choir for anyone who loves to sing.",
            detail=("You do not need to read music.", "We sing pop songs, folk and show tunes."),
            times=(((19, 0), (21, 0)), ((14, 0), (15, 30))),
            patterns=("weekly",),
            costs=("", "2", "3"),
        ),
        A(
            "ukulele",
            "Ukulele Group",
            K.GROUP,
            service_types=("choir-and-music",),
            needs=("arts-and-culture", "loneliness-and-isolation"),
            audience=("adults", "older-people"),
            summary="Learn the ukulele and play songs together.",
            detail=("We can lend you a ukulele.", "Complete beginners are welcome."),
            times=(((19, 0), (20, 30)), ((10, 30), (12, 0))),
            costs=("2", "3"),
        ),
        A(
            "sing-remember",
            "Sing and Remember",
            K.GROUP,
            service_types=("choir-and-music", "dementia-cafe"),
            needs=("dementia", "carers", "arts-and-culture"),
            audience=("older-people", "carers"),
            summary="Singing familiar songs together, for people living with dementia.",
            detail=("Song sheets are in large print.", "Tea and cake after the singing."),
            times=(((14, 0), (15, 30)),),
            patterns=("fortnightly", "monthly"),
            costs=("", "2"),
            who="For people living with dementia and their carers, family and friends.",
        ),
        A(
            "memory-cafe",
            "Memory Café",
            K.GROUP,
            service_types=("dementia-cafe",),
            needs=("dementia", "carers", "loneliness-and-isolation"),
            audience=("older-people", "carers"),
            summary="A relaxed café for people with memory problems and their families.",
            detail=(
                "Staff can answer questions and tell you about other help.",
                "There are activities, but you can just chat if you prefer.",
            ),
            times=(((14, 0), (16, 0)), ((10, 0), (12, 0))),
            patterns=("monthly", "monthly", "fortnightly"),
            costs=("", "2"),
            who="For people living with dementia or memory problems, and their carers.",
        ),
        A(
            "carers-group",
            "Carers' Coffee and Chat",
            K.GROUP,
            service_types=("carers-group", "peer-support"),
            needs=("carers", "mental-health", "loneliness-and-isolation"),
            audience=("carers",),
            summary="Time for yourself with other people who look after someone.",
            detail=("Share tips, have a laugh and find out about support for carers.",),
            patterns=("monthly", "fortnightly"),
            who="For anyone who looks after a family member, partner or friend.",
        ),
        A(
            "young-carers",
            "Young Carers' Club",
            K.GROUP,
            service_types=("carers-group", "youth-club"),
            needs=("carers", "families", "mental-health"),
            audience=("young-people", "carers"),
            summary="Fun, games and trips for young people who help look after someone at home.",
            detail=("A break from caring, with others who understand.",),
            times=(((17, 0), (19, 0)),),
            patterns=("fortnightly", "monthly"),
            who="For young carers aged 8 to 18.",
            join="Phone us first so we can meet you and your family.",
            ages=(8, 18),
        ),
        A(
            "mens-shed",
            "Men's Shed",
            K.GROUP,
            service_types=("mens-shed",),
            needs=("loneliness-and-isolation", "mental-health", "volunteering"),
            audience=("adults", "older-people"),
            summary="A workshop where you can make and mend things, share skills and chat.",
            detail=(
                "Most members are men, but everyone is welcome.",
                "Tools and safety equipment are provided.",
            ),
            times=(((10, 0), (15, 0)),),
            patterns=("weekly",),
            costs=("", "2"),
        ),
        A(
            "growing",
            "Community Growing",
            K.ACTIVITY,
            service_types=("allotment-and-gardening",),
            needs=("nature-and-outdoors", "mental-health", "physical-activity"),
            audience=("adults", "families"),
            summary="Grow fruit, vegetables and flowers with a friendly group.",
            detail=("No gardening experience needed.", "Tools and gloves are provided."),
            times=(((10, 0), (12, 30)),),
            days=("TU", "WE", "TH", "SA"),
            green=True,
        ),
        A(
            "conservation",
            "Conservation Volunteers",
            K.ACTIVITY,
            service_types=("volunteering-opportunity",),
            needs=("volunteering", "nature-and-outdoors", "physical-activity"),
            audience=("adults",),
            summary="Help look after local green spaces, from planting trees to clearing paths.",
            detail=("Wear old clothes and sturdy shoes.", "Tea and biscuits at break time."),
            times=(((10, 0), (13, 0)),),
            days=("WE", "SA", "SU"),
            patterns=("fortnightly", "monthly"),
            green=True,
        ),
        A(
            "befriending",
            "Befriending Service",
            K.SERVICE,
            service_types=("befriending",),
            needs=("loneliness-and-isolation", "older-people"),
            audience=("older-people",),
            summary="A trained volunteer visits or phones you each week for a chat.",
            detail=(
                "We match you with a volunteer who shares your interests.",
                "Our office is open to take calls at the times shown.",
            ),
            times=(((9, 0), (17, 0)), ((9, 30), (16, 30))),
            patterns=("office",),
            who="For people aged 60 and over who feel lonely or cut off.",
            join="Phone us, or ask someone to introduce you. We will arrange a first visit.",
        ),
        A(
            "money-advice",
            "Money Advice Drop-in",
            K.SERVICE,
            service_types=("advice-service",),
            needs=("money-and-debt", "advice-and-information", "housing"),
            audience=("adults",),
            summary="Free, confidential help with debts, bills and benefits.",
            detail=(
                "An adviser can check you are getting all the benefits you are entitled to.",
                "Bring any letters and bills with you.",
            ),
            times=(((10, 0), (13, 0)), ((13, 0), (16, 0))),
            patterns=("weekly", "fortnightly"),
            join="Just drop in, or phone to book a time.",
        ),
        A(
            "housing-advice",
            "Housing and Energy Advice",
            K.SERVICE,
            service_types=("advice-service",),
            needs=("housing", "money-and-debt", "advice-and-information"),
            audience=("adults",),
            summary="Advice on renting, repairs, damp and keeping your home warm for less.",
            detail=("An adviser can help you talk to your landlord or energy supplier.",),
            times=(((10, 0), (12, 0)), ((14, 0), (16, 0))),
            patterns=("fortnightly", "monthly"),
            join="Phone to book a time.",
        ),
        A(
            "carers-advice",
            "Carers' Advice Drop-in",
            K.SERVICE,
            service_types=("advice-service", "carers-group"),
            needs=("carers", "advice-and-information", "money-and-debt"),
            audience=("carers",),
            summary="Information and advice for carers, including help with a carer's assessment.",
            detail=("Ask about carers' breaks, benefits and emergency plans.",),
            patterns=("monthly",),
            join="Just drop in.",
        ),
        A(
            "digital",
            "Digital Drop-in",
            K.ACTIVITY,
            service_types=("digital-help",),
            needs=("digital-skills", "learning-and-work"),
            audience=("adults", "older-people"),
            summary="Friendly help with your phone, tablet or laptop.",
            detail=(
                "Bring your own device, or borrow one of ours.",
                "Ask about anything from email to video calls.",
            ),
            times=(((10, 0), (12, 0)), ((14, 0), (16, 0))),
        ),
        A(
            "job-club",
            "Job Club",
            K.ACTIVITY,
            service_types=("advice-service", "digital-help"),
            needs=("learning-and-work", "digital-skills", "money-and-debt"),
            audience=("adults", "young-people"),
            summary="Help with CVs, job searches and applications.",
            detail=("Computers are available to use.", "Staff can help you practise interviews."),
            times=(((13, 0), (15, 0)), ((10, 0), (12, 0))),
            patterns=("weekly",),
        ),
        A(
            "pantry",
            "Community Pantry",
            K.SERVICE,
            service_types=("food-bank-and-pantry",),
            needs=("food", "money-and-debt"),
            audience=("adults", "families"),
            summary="Choose your own food each week for a small membership fee.",
            detail=(
                "Members save an average of £15 a week on shopping.",
                "There is always fresh fruit and vegetables.",
            ),
            times=(((10, 0), (13, 0)), ((15, 0), (18, 0))),
            patterns=("weekly",),
            costs=("3.50", "4"),
            cost_note="a week",
            who="For anyone living in the area.",
            join="Come along to join. Bring something with your address on it.",
        ),
        A(
            "food-bank",
            "Food Bank",
            K.SERVICE,
            service_types=("food-bank-and-pantry",),
            needs=("food", "money-and-debt"),
            audience=("adults", "families"),
            summary="Emergency food parcels for people in crisis.",
            detail=("Each parcel holds at least three days of food.",),
            times=(((11, 0), (13, 0)), ((16, 0), (18, 0))),
            patterns=("weekly",),
            who="For anyone who cannot afford food right now.",
            join="You need a food bank voucher. Ask an advice service, GP or link worker for one.",
        ),
        A(
            "community-cafe",
            "Community Café",
            K.ACTIVITY,
            service_types=("community-cafe",),
            needs=("loneliness-and-isolation", "food"),
            audience=("adults", "older-people", "families"),
            summary="Low-cost hot drinks, soup and cake in a café run by volunteers.",
            detail=("Sit as long as you like.", "Newspapers and board games are free to use."),
            times=(((10, 0), (14, 0)),),
            patterns=("weekly",),
            costs=("payf",),
        ),
        A(
            "warm-space",
            "Warm Welcome Space",
            K.ACTIVITY,
            service_types=("warm-space",),
            needs=("loneliness-and-isolation", "money-and-debt", "housing"),
            audience=("adults", "older-people", "families"),
            summary="A free, warm place to spend time, with hot drinks and free Wi-Fi.",
            detail=("You can charge your phone here.", "Volunteers can tell you about other help."),
            times=(((10, 0), (15, 0)), ((13, 0), (17, 0))),
            patterns=("weekly",),
        ),
        A(
            "stay-and-play",
            "Stay and Play",
            K.ACTIVITY,
            service_types=("stay-and-play",),
            needs=("families",),
            audience=("children", "families"),
            summary="Play sessions for babies and children under 5, with their parent or carer.",
            detail=(
                "There are toys, songs and a snack for the children.",
                "Parents can chat over a drink.",
            ),
            times=(((9, 30), (11, 30)), ((13, 30), (15, 0))),
            patterns=("weekly",),
            costs=("", "1.50", "2"),
            who="For children under 5 with a parent, grandparent or carer.",
            ages=(0, 5),
        ),
        A(
            "youth-club",
            "Youth Club",
            K.GROUP,
            service_types=("youth-club",),
            needs=("families", "loneliness-and-isolation", "mental-health"),
            audience=("young-people",),
            summary="A safe, friendly place for young people to meet, with games, sport and trips.",
            detail=("Youth workers are there at every session.", "Free snacks."),
            times=(((18, 30), (20, 30)), ((16, 0), (18, 0))),
            patterns=("weekly",),
            costs=("", "1"),
            who="For young people aged 11 to 18.",
            ages=(11, 18),
        ),
        A(
            "cook-and-eat",
            "Cook and Eat",
            K.ACTIVITY,
            service_types=("course-or-workshop",),
            needs=("food", "families", "physical-health"),
            audience=("families", "adults"),
            summary="Learn to cook simple, low-cost meals, then eat together.",
            detail=("All ingredients are provided.", "Take home recipe cards."),
            times=(((10, 0), (12, 0)), ((16, 0), (18, 0))),
            patterns=("fortnightly", "monthly"),
            join="Phone to book. Places are limited.",
        ),
        A(
            "peer-mh",
            "Wellbeing Peer Support",
            K.GROUP,
            service_types=("peer-support",),
            needs=("mental-health", "loneliness-and-isolation"),
            audience=("adults",),
            summary="A safe, friendly group to talk about how you feel and share what helps.",
            detail=("The group is run by people with their own experience of mental ill health.",),
            times=(((18, 0), (19, 30)), ((13, 0), (14, 30))),
            patterns=("weekly", "fortnightly"),
        ),
        A(
            "bereavement",
            "Bereavement Café",
            K.GROUP,
            service_types=("peer-support",),
            needs=("bereavement", "loneliness-and-isolation", "mental-health"),
            audience=("adults",),
            summary="A gentle space to talk with others who have lost someone close.",
            detail=("Trained volunteers are there to listen.", "Come as often as you like."),
            times=(((14, 0), (16, 0)),),
            patterns=("monthly", "fortnightly"),
        ),
        A(
            "recovery",
            "Recovery Café",
            K.GROUP,
            service_types=("peer-support",),
            needs=("substance-use", "mental-health"),
            audience=("adults",),
            summary="Support and company for people in recovery from alcohol or drugs.",
            detail=("An alcohol-free social space.", "Families and friends are welcome too."),
            times=(((18, 0), (20, 0)),),
            patterns=("weekly",),
        ),
        A(
            "breathing",
            "Better Breathing Group",
            K.GROUP,
            service_types=("peer-support", "exercise-class"),
            needs=("physical-health", "loneliness-and-isolation"),
            audience=("adults", "older-people"),
            summary="Support and gentle exercise for people living with a lung condition.",
            detail=("A nurse visits every few months to answer questions.",),
            times=(((14, 0), (15, 30)),),
            patterns=("monthly",),
            costs=("", "1"),
        ),
        A(
            "safe-space",
            "Safe Space Drop-in",
            K.SERVICE,
            service_types=("advice-service", "counselling"),
            needs=("domestic-abuse", "mental-health", "advice-and-information"),
            audience=("adults",),
            summary="Confidential support if you are worried about your relationship.",
            detail=("You do not have to give your name.", "Children can come with you."),
            times=(((10, 0), (12, 0)),),
            patterns=("weekly",),
            join="Just drop in, or phone to arrange a time somewhere else.",
        ),
        A(
            "art",
            "Art for Wellbeing",
            K.ACTIVITY,
            service_types=("arts-class",),
            needs=("arts-and-culture", "mental-health"),
            audience=("adults",),
            summary="Relaxed painting and drawing sessions for all abilities.",
            detail=("All materials are provided.", "No experience needed."),
            times=(((13, 30), (15, 30)), ((10, 0), (12, 0))),
            costs=("3", "4", "5"),
        ),
        A(
            "reading",
            "Reading Group",
            K.GROUP,
            service_types=("reading-group",),
            needs=("arts-and-culture", "loneliness-and-isolation"),
            audience=("adults",),
            summary="Read a book each month and talk about it together.",
            detail=(
                "Books are lent free of charge.",
                "Large print and audio copies are available.",
            ),
            times=(((19, 0), (20, 30)), ((14, 0), (15, 30))),
            patterns=("monthly",),
        ),
        A(
            "history",
            "Local History Group",
            K.GROUP,
            service_types=("social-group",),
            needs=("arts-and-culture", "loneliness-and-isolation", "older-people"),
            audience=("adults", "older-people"),
            summary="Talks, old photos and walks about the history of the area.",
            detail=("Bring your own memories and pictures to share.",),
            times=(((19, 0), (21, 0)), ((14, 0), (16, 0))),
            patterns=("monthly",),
            costs=("2", "3"),
        ),
        A(
            "social-club",
            "Afternoon Social Club",
            K.GROUP,
            service_types=("social-group",),
            needs=("loneliness-and-isolation", "older-people"),
            audience=("older-people",),
            summary="Games, quizzes, a raffle and a cuppa every week.",
            detail=("Members organise trips out in the summer.",),
            times=(((13, 30), (15, 30)),),
            patterns=("weekly",),
            costs=("1.50", "2"),
        ),
        A(
            "friendship-club",
            "Friendship Club",
            K.GROUP,
            service_types=("social-group",),
            needs=("disability", "loneliness-and-isolation"),
            audience=("adults", "young-people"),
            summary="A social club for people with a learning disability, with games and trips.",
            detail=("Support workers and carers are welcome to come too.",),
            times=(((18, 0), (20, 0)),),
            patterns=("weekly", "fortnightly"),
            costs=("2",),
            who="For people aged 16 and over with a learning disability.",
            ages=(16, None),
        ),
        A(
            "transport",
            "Community Transport",
            K.SERVICE,
            service_types=("community-transport",),
            needs=("getting-about", "older-people", "disability"),
            audience=("older-people", "adults"),
            summary="Door-to-door minibus trips for people who find it hard to use buses.",
            detail=("Drivers help you on and off the bus.", "Wheelchairs and walkers are fine."),
            times=(((9, 0), (16, 0)),),
            patterns=("office",),
            costs=("3", "4"),
            cost_note="a trip",
            who="For anyone who finds it hard to use public transport.",
            join="Phone to register and book a trip.",
        ),
        A(
            "handy-help",
            "Handy Help",
            K.SERVICE,
            service_types=("volunteering-opportunity",),
            needs=("staying-independent", "older-people", "housing"),
            audience=("older-people",),
            summary="Volunteers help with small jobs around the home, like fitting grab rails.",
            detail=("Small jobs are free.", "You only pay for materials."),
            times=(((9, 0), (17, 0)),),
            patterns=("office",),
            who="For people aged 60 and over, and disabled people.",
            join="Phone to ask for a visit.",
        ),
    )
}

# Local group names: "<place> <label>", running its own activity and perhaps some others.
LOCAL_LABELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Knit and Natter", "knit", ("coffee-morning",)),
    ("Men's Shed", "mens-shed", ("coffee-morning",)),
    ("Good Neighbours", "befriending", ("coffee-morning", "social-club", "warm-space", "digital")),
    ("Lunch Club", "lunch-club", ("social-club", "seated-exercise")),
    ("Community Choir", "choir", ("ukulele", "sing-remember")),
    ("Walking Friends", "walking", ("coffee-morning", "tai-chi")),
    (
        "Community Association",
        "coffee-morning",
        ("warm-space", "digital", "stay-and-play", "youth-club", "seated-exercise", "art"),
    ),
    ("Community Pantry", "pantry", ("community-cafe", "cook-and-eat", "warm-space")),
    ("Memory Café", "memory-cafe", ("sing-remember", "carers-group")),
    ("Tots", "stay-and-play", ("cook-and-eat",)),
    ("Youth Project", "youth-club", ("cook-and-eat", "art")),
    ("Growers", "growing", ("conservation", "coffee-morning")),
    ("Art Club", "art", ("reading",)),
    ("History Society", "history", ("reading",)),
    ("Digital Buddies", "digital", ("job-club",)),
    ("Over 60s Club", "social-club", ("lunch-club", "seated-exercise")),
    ("Carers Together", "carers-group", ("coffee-morning",)),
    ("Community Café", "community-cafe", ("warm-space", "coffee-morning")),
    ("Ukulele Club", "ukulele", ("choir",)),
    ("Wellbeing Group", "peer-mh", ("art", "walking")),
    ("Book Club", "reading", ()),
    ("Dance Club", "dance", ("tai-chi", "yoga")),
)


@dataclass(frozen=True)
class CityWideSpec:
    name: str
    about: str
    activities: tuple[str, ...]
    enterprise: bool = False


CITY_WIDE: tuple[CityWideSpec, ...] = (
    CityWideSpec(
        "Two Rivers Befriending",
        "Volunteers who visit and phone older people across York.",
        ("befriending", "coffee-morning"),
    ),
    CityWideSpec(
        "Minster Money Matters",
        "Free advice on money, debt and benefits.",
        ("money-advice", "housing-advice"),
    ),
    CityWideSpec(
        "Riverside Carers Circle",
        "Support and advice for unpaid carers of all ages.",
        ("carers-group", "carers-advice", "young-carers"),
    ),
    CityWideSpec(
        "Forget-Me-Not Memory Support",
        "Cafés and singing groups for people living with dementia and their families.",
        ("memory-cafe", "sing-remember"),
    ),
    CityWideSpec(
        "Click and Connect York",
        "Volunteers who help people get online.",
        ("digital", "job-club"),
    ),
    CityWideSpec(
        "Full Plate Community Kitchens",
        "Community cafés and cookery sessions that bring people together over food.",
        ("community-cafe", "cook-and-eat"),
        enterprise=True,
    ),
    CityWideSpec(
        "Brighter Minds Peer Support",
        "Peer support groups run by people with their own experience of mental ill health.",
        ("peer-mh",),
    ),
    CityWideSpec(
        "Step Forward Recovery",
        "Support for people in recovery from alcohol or drugs, and their families.",
        ("recovery",),
    ),
    CityWideSpec(
        "Gentle Moves York",
        "Exercise classes for people who want to get moving at their own pace.",
        ("seated-exercise", "tai-chi", "yoga", "dance"),
        enterprise=True,
    ),
    CityWideSpec(
        "Green Fingers York",
        "Community growing projects across the city.",
        ("growing", "conservation"),
    ),
    CityWideSpec(
        "Stepping Out Walks",
        "Free led walks for all abilities.",
        ("walking",),
    ),
    CityWideSpec(
        "Homewise Handy Help",
        "Volunteers who help older and disabled people stay safe and well at home.",
        ("handy-help",),
    ),
    CityWideSpec(
        "Ridealong Community Transport",
        "Door-to-door minibuses for people who find it hard to get out.",
        ("transport",),
        enterprise=True,
    ),
    CityWideSpec(
        "Safe Harbour Support",
        "Confidential support for people affected by domestic abuse.",
        ("safe-space",),
    ),
    CityWideSpec(
        "Brightside Friendship Clubs",
        "Social clubs for adults with a learning disability.",
        ("friendship-club",),
    ),
    CityWideSpec(
        "Little Steps Family Network",
        "Play sessions and support for families with young children.",
        ("stay-and-play", "cook-and-eat"),
    ),
    CityWideSpec(
        "Youth Horizons",
        "Youth clubs and activities for young people.",
        ("youth-club",),
    ),
    CityWideSpec(
        "Better Breathing Network",
        "Groups for people living with a lung condition.",
        ("breathing",),
    ),
    CityWideSpec(
        "Kindred Bereavement Support",
        "Cafés and groups for people who have lost someone close.",
        ("bereavement",),
    ),
    CityWideSpec(
        "Silver Threads Social Clubs",
        "Social clubs and lunch clubs for people in later life.",
        ("social-club", "lunch-club"),
    ),
    CityWideSpec(
        "Sing Out Together",
        "Choirs and music groups for everyone.",
        ("choir", "ukulele"),
    ),
    CityWideSpec(
        "Warm Hearths Network",
        "Free warm spaces run by volunteers in community buildings.",
        ("warm-space",),
    ),
    CityWideSpec(
        "Canvas and Calm Arts",
        "Creative sessions that help people feel better.",
        ("art", "history"),
        enterprise=True,
    ),
    CityWideSpec(
        "Slow Boots Walking Football",
        "Walking football for over 50s.",
        ("walking-football",),
    ),
    CityWideSpec(
        "Ouse and Foss Food Bank",
        "Emergency food for people in crisis.",
        ("food-bank",),
    ),
    CityWideSpec(
        "Shared Shelves Pantries",
        "Low-cost community pantries.",
        ("pantry",),
        enterprise=True,
    ),
    CityWideSpec(
        "Work Ready Neighbours",
        "Help to find work, training and volunteering.",
        ("job-club", "digital"),
    ),
    CityWideSpec(
        "Ageing Together Partnership",
        "Activities, lunch clubs and befriending for older people.",
        ("lunch-club", "befriending", "coffee-morning", "seated-exercise"),
    ),
    CityWideSpec(
        "Good Turn Volunteers",
        "Volunteering for people who want to help their neighbours.",
        ("conservation", "handy-help"),
    ),
    CityWideSpec(
        "Mend and Make Do",
        "Repair cafés and swap shops that keep things out of landfill.",
        ("coffee-morning",),
        enterprise=True,
    ),
)


@dataclass(frozen=True)
class EventSpec:
    key: str
    name: str
    service_types: tuple[str, ...]
    needs: tuple[str, ...]
    audience: tuple[str, ...]
    summary: str
    detail: tuple[str, ...]
    times: Times
    byday: tuple[str, ...] = ()  # for monthly events, e.g. "-1SA"
    months: tuple[int, ...] = ()  # for one-off events: the months they suit (empty: any)
    costs: tuple[str, ...] = ("",)
    green: bool = False
    sessions: int = 0  # for courses: how many weekly sessions


def E(key: str, name: str, **kwargs: Any) -> EventSpec:
    return EventSpec(key=key, name=name, **kwargs)


ALL_AGES = ("adults", "older-people", "families")
MONTHLY_EVENTS: tuple[EventSpec, ...] = (
    E(
        "repair",
        "Repair Café",
        service_types=("repair-cafe", "community-event"),
        needs=("money-and-debt", "volunteering"),
        audience=("adults", "families"),
        summary="Bring broken things and fix them with help from volunteers.",
        detail=("Bikes, clothes, lamps, toys and small electricals.", "Donations welcome."),
        times=((10, 0), (13, 0)),
        byday=("-1SA", "1SA", "2SA"),
    ),
    E(
        "breakfast",
        "Community Breakfast",
        service_types=("community-event",),
        needs=("food", "loneliness-and-isolation"),
        audience=ALL_AGES,
        summary="A cooked breakfast and a chat with your neighbours.",
        detail=("Vegetarian options are available.",),
        times=((9, 0), (11, 0)),
        byday=("1SA", "3SA"),
        costs=("", "2"),
    ),
    E(
        "tea-dance",
        "Tea Dance",
        service_types=("community-event",),
        needs=("physical-activity", "loneliness-and-isolation", "older-people"),
        audience=("older-people",),
        summary="Dance, or just listen, to music from the 1940s to the 1970s, with tea and cake.",
        detail=("Come on your own or bring a friend.",),
        times=((14, 0), (16, 30)),
        byday=("2SU", "1TH"),
        costs=("4",),
    ),
    E(
        "film",
        "Film Afternoon",
        service_types=("community-event",),
        needs=("arts-and-culture", "loneliness-and-isolation", "older-people"),
        audience=("adults", "older-people"),
        summary="A classic film on the big screen, with an interval for tea.",
        detail=("Lights stay a little up and the sound is not too loud.",),
        times=((14, 0), (16, 30)),
        byday=("3TH", "2WE"),
        costs=("2", "3"),
    ),
    E(
        "quiz",
        "Quiz Night",
        service_types=("community-event",),
        needs=("loneliness-and-isolation",),
        audience=("adults",),
        summary="A friendly quiz in teams of up to six.",
        detail=("Come on your own and we will find you a team.",),
        times=((19, 0), (21, 30)),
        byday=("-1FR", "2FR"),
        costs=("2",),
    ),
    E(
        "market",
        "Makers' Market",
        service_types=("community-event",),
        needs=("arts-and-culture",),
        audience=ALL_AGES,
        summary="Stalls of crafts, cakes and plants made by local people.",
        detail=("Free entry.",),
        times=((10, 0), (15, 0)),
        byday=("1SU",),
    ),
    E(
        "sunday-lunch",
        "Big Sunday Lunch",
        service_types=("community-event", "lunch-club"),
        needs=("food", "loneliness-and-isolation"),
        audience=ALL_AGES,
        summary="A roast dinner and pudding shared around one big table.",
        detail=("Book by the Thursday before.",),
        times=((12, 0), (14, 30)),
        byday=("-1SU",),
        costs=("5", "payf"),
    ),
    E(
        "litter",
        "Litter Pick",
        service_types=("volunteering-opportunity", "community-event"),
        needs=("volunteering", "nature-and-outdoors"),
        audience=("adults", "families"),
        summary="Help keep the neighbourhood tidy with a friendly litter pick.",
        detail=("Pickers, bags and gloves are provided.",),
        times=((10, 0), (12, 0)),
        byday=("2SA",),
        green=True,
    ),
    E(
        "open-mic",
        "Open Mic Night",
        service_types=("community-event", "choir-and-music"),
        needs=("arts-and-culture", "loneliness-and-isolation"),
        audience=("adults",),
        summary="Music, poems and comedy from local people. Perform or just listen.",
        detail=("Sign up to perform on the night.",),
        times=((19, 30), (22, 0)),
        byday=("2FR", "-1TH"),
    ),
    E(
        "pamper",
        "Carers' Pamper Morning",
        service_types=("community-event", "carers-group"),
        needs=("carers", "mental-health"),
        audience=("carers",),
        summary="A relaxing morning for carers, with hand massages and a treat.",
        detail=("Book your place so we know how many to expect.",),
        times=((10, 0), (12, 30)),
        byday=("4WE",),
    ),
    E(
        "games",
        "Board Games Afternoon",
        service_types=("community-event", "social-group"),
        needs=("loneliness-and-isolation",),
        audience=ALL_AGES,
        summary="Play board games and card games with friendly people.",
        detail=("Bring a favourite game or learn a new one.",),
        times=((14, 0), (17, 0)),
        byday=("3SU", "1SA"),
    ),
    E(
        "swap",
        "Clothes Swap",
        service_types=("community-event",),
        needs=("money-and-debt",),
        audience=ALL_AGES,
        summary="Bring clothes you no longer wear and take home something new to you.",
        detail=("Clean clothes only, please.",),
        times=((10, 0), (12, 0)),
        byday=("1SA", "3SA"),
    ),
)

ANY = ()
ONE_OFF_EVENTS: tuple[EventSpec, ...] = (
    E(
        "bring-and-buy",
        "Coffee Morning and Bring and Buy",
        service_types=("community-event",),
        needs=("loneliness-and-isolation",),
        audience=ALL_AGES,
        summary="Coffee, cake and a bring and buy sale.",
        detail=("Money raised goes towards the hall.",),
        times=((10, 0), (12, 0)),
        costs=("", "1"),
    ),
    E(
        "health-fair",
        "Health and Wellbeing Fair",
        service_types=("community-event",),
        needs=("physical-health", "mental-health", "advice-and-information"),
        audience=ALL_AGES,
        summary="Meet local groups and services, and get a free blood pressure check.",
        detail=("Free entry. Drop in at any time.",),
        times=((10, 0), (14, 0)),
    ),
    E(
        "money-check",
        "Benefits and Money Check Day",
        service_types=("community-event", "advice-service"),
        needs=("money-and-debt", "advice-and-information"),
        audience=("adults", "older-people"),
        summary="Find out if you could get more money, with free one-to-one advice.",
        detail=("Bring your latest benefit letters.",),
        times=((10, 0), (15, 0)),
    ),
    E(
        "scams",
        "Scam Awareness Talk",
        service_types=("community-event",),
        needs=("advice-and-information", "older-people", "digital-skills"),
        audience=("adults", "older-people"),
        summary="Learn how to spot scam calls, letters and emails.",
        detail=("Tea and biscuits after the talk.",),
        times=((14, 0), (15, 30)),
    ),
    E(
        "get-online",
        "Get Online Taster Session",
        service_types=("community-event", "digital-help"),
        needs=("digital-skills",),
        audience=("adults", "older-people"),
        summary="Try a tablet for the first time, with patient helpers.",
        detail=("Tablets are provided.",),
        times=((10, 0), (12, 0)),
    ),
    E(
        "open-day",
        "Community Open Day",
        service_types=("community-event",),
        needs=("volunteering", "loneliness-and-isolation"),
        audience=ALL_AGES,
        summary="See what goes on in the building and meet the groups that use it.",
        detail=("Free activities for children.",),
        times=((11, 0), (15, 0)),
    ),
    E(
        "history-talk",
        "Local History Talk",
        service_types=("community-event",),
        needs=("arts-and-culture", "older-people"),
        audience=("adults", "older-people"),
        summary="An illustrated talk about how the area has changed.",
        detail=("Bring your own memories to share.",),
        times=((19, 0), (20, 30)),
        months=(1, 2, 3, 4, 5, 9, 10, 11),
        costs=("2", "3"),
    ),
    E(
        "carers-day",
        "Carers' Information Day",
        service_types=("community-event", "advice-service"),
        needs=("carers", "advice-and-information"),
        audience=("carers",),
        summary="Information stalls, advice and a free lunch for carers.",
        detail=("Ask about replacement care so you can come.",),
        times=((10, 0), (14, 0)),
        months=(6, 11),
    ),
    E(
        "plant-swap",
        "Plant and Seed Swap",
        service_types=("community-event", "allotment-and-gardening"),
        needs=("nature-and-outdoors",),
        audience=ALL_AGES,
        summary="Swap seeds, seedlings and cuttings with other gardeners.",
        detail=("Come even if you have nothing to swap.",),
        times=((10, 0), (12, 0)),
        months=(3, 4, 5),
        green=True,
    ),
    E(
        "picnic",
        "Summer Picnic",
        service_types=("community-event",),
        needs=("loneliness-and-isolation", "nature-and-outdoors", "families"),
        audience=ALL_AGES,
        summary="Bring a picnic and a blanket and join your neighbours outdoors.",
        detail=("Games for children. If it rains, we move indoors.",),
        times=((12, 0), (15, 0)),
        months=(6, 7, 8),
        green=True,
    ),
    E(
        "fun-day",
        "Family Fun Day",
        service_types=("community-event",),
        needs=("families",),
        audience=("families", "children"),
        summary="Games, crafts and a bouncy castle for all the family.",
        detail=("Free entry. Small charge for some activities.",),
        times=((11, 0), (15, 0)),
        months=(4, 5, 7, 8, 10),
    ),
    E(
        "autumn-fair",
        "Autumn Fair",
        service_types=("community-event",),
        needs=("loneliness-and-isolation", "arts-and-culture"),
        audience=ALL_AGES,
        summary="Stalls, a tombola and homemade soup.",
        detail=("Free entry.",),
        times=((10, 0), (13, 0)),
        months=(9, 10, 11),
    ),
    E(
        "apple-day",
        "Apple Day",
        service_types=("community-event",),
        needs=("nature-and-outdoors", "food"),
        audience=ALL_AGES,
        summary="Taste apples, press juice and learn about the orchard.",
        detail=("Bring a bag to take apples home.",),
        times=((11, 0), (15, 0)),
        months=(10,),
        green=True,
    ),
    E(
        "christmas-fair",
        "Christmas Fair",
        service_types=("community-event",),
        needs=("loneliness-and-isolation", "arts-and-culture"),
        audience=ALL_AGES,
        summary="Crafts, mince pies and carols.",
        detail=("Free entry.",),
        times=((11, 0), (15, 0)),
        months=(11, 12),
    ),
    E(
        "christmas-lunch",
        "Christmas Lunch for Older Neighbours",
        service_types=("community-event", "lunch-club"),
        needs=("loneliness-and-isolation", "food", "older-people"),
        audience=("older-people",),
        summary="A free Christmas dinner with entertainment, for older people living alone.",
        detail=("Transport can be arranged. Please book.",),
        times=((12, 0), (15, 0)),
        months=(12,),
    ),
    E(
        "winter-warmer",
        "Winter Warmer Lunch",
        service_types=("community-event", "warm-space"),
        needs=("food", "loneliness-and-isolation", "money-and-debt"),
        audience=ALL_AGES,
        summary="Free soup and a warm place to spend the afternoon.",
        detail=("Advice on keeping warm and saving energy.",),
        times=((12, 0), (15, 0)),
        months=(1, 2, 11, 12),
    ),
    E(
        "pancakes",
        "Pancake Party",
        service_types=("community-event",),
        needs=("families", "loneliness-and-isolation"),
        audience=ALL_AGES,
        summary="Make and eat pancakes with all the toppings.",
        detail=("Gluten-free pancakes are available.",),
        times=((15, 30), (17, 30)),
        months=(2, 3),
        costs=("1",),
    ),
    E(
        "spring-crafts",
        "Spring Craft Afternoon",
        service_types=("community-event", "craft-group"),
        needs=("arts-and-culture", "families"),
        audience=("families", "children"),
        summary="Make spring decorations and cards to take home.",
        detail=("All materials provided.",),
        times=((13, 0), (15, 0)),
        months=(3, 4),
    ),
    E(
        "bulbs",
        "Bulb Planting Day",
        service_types=("community-event", "volunteering-opportunity"),
        needs=("nature-and-outdoors", "volunteering"),
        audience=ALL_AGES,
        summary="Help plant thousands of spring bulbs.",
        detail=("Tools and gloves provided.",),
        times=((10, 0), (12, 0)),
        months=(10, 11),
        green=True,
    ),
    E(
        "nature-trail",
        "Family Nature Trail",
        service_types=("community-event",),
        needs=("nature-and-outdoors", "families"),
        audience=("families", "children"),
        summary="Follow the trail, spot the wildlife and collect a sticker.",
        detail=("Suitable for pushchairs.",),
        times=((10, 0), (13, 0)),
        months=(4, 5, 6, 7, 8, 9),
        green=True,
    ),
    E(
        "tea-and-tech",
        "Tea and Tech",
        service_types=("community-event", "digital-help"),
        needs=("digital-skills", "loneliness-and-isolation"),
        audience=("older-people",),
        summary="Bring your phone or tablet and your questions. We bring the tea.",
        detail=("No question is too small.",),
        times=((14, 0), (16, 0)),
    ),
    E(
        "memory-lane",
        "Memory Lane Afternoon",
        service_types=("community-event", "dementia-cafe"),
        needs=("dementia", "older-people", "arts-and-culture"),
        audience=("older-people", "carers"),
        summary="Old photos, objects and music to spark memories and conversation.",
        detail=("Dementia friendly.",),
        times=((14, 0), (16, 0)),
    ),
    E(
        "volunteer-fair",
        "Volunteering Fair",
        service_types=("community-event", "volunteering-opportunity"),
        needs=("volunteering", "learning-and-work"),
        audience=("adults", "young-people"),
        summary="Meet local groups looking for volunteers and find a role that suits you.",
        detail=("Roles for an hour a month or a day a week.",),
        times=((10, 0), (14, 0)),
    ),
    E(
        "sing-along",
        "Sing-along Afternoon",
        service_types=("community-event", "choir-and-music"),
        needs=("arts-and-culture", "loneliness-and-isolation"),
        audience=("older-people",),
        summary="Songs everyone knows, with a pianist and song sheets.",
        detail=("Tea and cake included.",),
        times=((14, 0), (15, 30)),
        costs=("", "2"),
    ),
    E(
        "falls-talk",
        "Staying Steady Talk",
        service_types=("community-event",),
        needs=("physical-health", "staying-independent", "older-people"),
        audience=("older-people",),
        summary="Simple ways to stay steady on your feet and avoid falls at home.",
        detail=("Try some easy exercises you can do at home.",),
        times=((10, 30), (12, 0)),
    ),
    E(
        "bereavement-evening",
        "Living with Grief Evening",
        service_types=("community-event", "peer-support"),
        needs=("bereavement",),
        audience=("adults",),
        summary="A gentle evening about grief, with time to talk if you want to.",
        detail=("Come on your own or with someone.",),
        times=((18, 30), (20, 0)),
    ),
)

COURSES: tuple[EventSpec, ...] = (
    E(
        "tai-chi-course",
        "Tai Chi Taster Course",
        service_types=("course-or-workshop", "exercise-class"),
        needs=("physical-activity", "mental-health"),
        audience=("adults", "older-people"),
        summary="Six gentle weekly sessions to try tai chi.",
        detail=("Come to as many sessions as you can.",),
        times=((10, 0), (11, 0)),
        sessions=6,
        costs=("", "10"),
    ),
    E(
        "online-course",
        "Get Online: Beginners' Course",
        service_types=("course-or-workshop", "digital-help"),
        needs=("digital-skills", "learning-and-work"),
        audience=("adults", "older-people"),
        summary="Four weekly sessions to learn email, video calls and staying safe online.",
        detail=("Borrow a tablet for the course.",),
        times=((13, 30), (15, 30)),
        sessions=4,
    ),
    E(
        "budget-cooking",
        "Cooking on a Budget Course",
        service_types=("course-or-workshop",),
        needs=("food", "money-and-debt", "physical-health"),
        audience=("adults", "families"),
        summary="Five weekly sessions to cook tasty meals for less.",
        detail=("Take home a bag of ingredients each week.",),
        times=((10, 0), (12, 0)),
        sessions=5,
    ),
    E(
        "confidence-course",
        "Confidence and Wellbeing Course",
        service_types=("course-or-workshop", "peer-support"),
        needs=("mental-health", "learning-and-work"),
        audience=("adults",),
        summary="Six weekly sessions to build confidence and look after your wellbeing.",
        detail=("Small group, friendly tutor.",),
        times=((13, 0), (15, 0)),
        sessions=6,
    ),
)

# Who runs which events, besides local groups: city-wide providers by name.
EVENT_HOSTS: dict[str, tuple[str, ...]] = {
    "repair": ("Mend and Make Do",),
    "swap": ("Mend and Make Do",),
    "pamper": ("Riverside Carers Circle",),
    "carers-day": ("Riverside Carers Circle",),
    "money-check": ("Minster Money Matters",),
    "memory-lane": ("Forget-Me-Not Memory Support",),
    "get-online": ("Click and Connect York",),
    "tea-and-tech": ("Click and Connect York",),
    "bereavement-evening": ("Kindred Bereavement Support",),
    "fun-day": ("Little Steps Family Network",),
    "nature-trail": ("Little Steps Family Network", "Green Fingers York"),
    "spring-crafts": ("Little Steps Family Network",),
    "pancakes": ("Little Steps Family Network",),
    "plant-swap": ("Green Fingers York",),
    "bulbs": ("Green Fingers York", "Good Turn Volunteers"),
    "apple-day": ("Green Fingers York",),
    "litter": ("Good Turn Volunteers",),
    "volunteer-fair": ("Good Turn Volunteers",),
    "tea-dance": ("Ageing Together Partnership", "Silver Threads Social Clubs"),
    "christmas-lunch": ("Ageing Together Partnership", "Silver Threads Social Clubs"),
    "falls-talk": ("Ageing Together Partnership", "Gentle Moves York"),
    "scams": ("Ageing Together Partnership",),
    "film": ("Ageing Together Partnership",),
    "sing-along": ("Sing Out Together",),
    "open-mic": ("Sing Out Together",),
    "winter-warmer": ("Warm Hearths Network",),
    "sunday-lunch": ("Full Plate Community Kitchens",),
    "breakfast": ("Full Plate Community Kitchens",),
    "tai-chi-course": ("Gentle Moves York",),
    "online-course": ("Click and Connect York",),
    "budget-cooking": ("Full Plate Community Kitchens",),
    "confidence-course": ("Brighter Minds Peer Support",),
}
# Local groups that might host events: by the activities they run, or any general group.
EVENT_LOCAL_MATCH: dict[str, set[str]] = {
    "repair": {"mens-shed"},
    "tea-dance": {"dance", "social-club", "lunch-club"},
    "film": {"social-club", "reading", "history"},
    "open-mic": {"choir", "ukulele"},
    "sing-along": {"choir", "ukulele", "sing-remember", "social-club"},
    "litter": {"growing", "walking"},
    "pamper": {"carers-group", "memory-cafe"},
    "carers-day": {"carers-group", "memory-cafe"},
    "memory-lane": {"memory-cafe", "sing-remember", "history"},
    "history-talk": {"history", "reading"},
    "plant-swap": {"growing"},
    "bulbs": {"growing"},
    "apple-day": {"growing"},
    "nature-trail": {"growing", "walking", "stay-and-play"},
    "fun-day": {"stay-and-play", "youth-club"},
    "pancakes": {"stay-and-play", "youth-club"},
    "spring-crafts": {"knit", "art", "stay-and-play"},
    "christmas-fair": {"knit", "art"},
    "market": {"knit", "art"},
    "get-online": {"digital"},
    "tea-and-tech": {"digital"},
    "money-check": {"pantry"},
    "winter-warmer": {"warm-space", "community-cafe", "pantry"},
    "breakfast": {"community-cafe", "pantry"},
    "sunday-lunch": {"community-cafe", "lunch-club"},
    "falls-talk": {"seated-exercise", "social-club"},
    "scams": {"digital", "social-club", "befriending"},
    "christmas-lunch": {"lunch-club", "social-club", "befriending"},
}
GENERAL_LOCAL_LABELS = {
    "Good Neighbours",
    "Community Association",
    "Community Café",
    "Over 60s Club",
    "Community Pantry",
}
GENERAL_HOSTS = ("Ageing Together Partnership", "Warm Hearths Network", "Good Turn Volunteers")

GREEN_SPACE_NEEDS = ("nature-and-outdoors", "physical-activity", "mental-health")
GREEN_SPACE_TYPES = ("green-space",)
GREEN_SPACE_AUDIENCE = ("adults", "older-people", "families")


# --- The result --------------------------------------------------------------------------------


@dataclass
class DemoDirectoryResult:
    """How many of each thing this run added (zero everywhere on a second run)."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n

    @property
    def nothing_new(self) -> bool:
        return not self.created


def ensure_not_production() -> None:
    if getattr(settings, "ALONGSIDE_ENVIRONMENT", "") == "production":
        raise ImproperlyConfigured("Demo data cannot be loaded under production settings.")


# --- Generation --------------------------------------------------------------------------------


def _key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


@dataclass
class _Venue:
    key: str
    name: str
    place: str
    ward: Ward
    small_area: SmallArea | None
    lat: float
    lon: float
    green: bool
    street: str
    features: list[str]
    location: Location | None = None


@dataclass
class _Provider:
    key: str
    name: str
    about: str
    repertoire: tuple[str, ...]
    ward: Ward | None = None  # None: works across the city
    place: str = ""
    green: _Venue | None = None
    enterprise: bool = False
    general: bool = False  # a general community group that might host any event
    phone: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.name.replace("'", ""))[:40]


@dataclass
class _Listing:
    service: Service
    venue: _Venue
    provider: _Provider
    needs: tuple[str, ...]
    service_types: tuple[str, ...]
    audience: tuple[str, ...]
    schedules: list[Schedule]
    costs: list[CostOption]
    extra: list[models.Model] = field(default_factory=list)


class _Builder:
    """Generates the whole demo directory in memory, in a fixed order from a fixed seed."""

    def __init__(self, *, today: dt.date) -> None:
        self.rng = random.Random(SEED)
        self.anchor = today.replace(day=1)
        self.wards = list(Ward.objects.order_by("code"))
        self.areas = list(SmallArea.objects.select_related("ward").order_by("code"))
        self.phone_counter = {"01632 960": 0, "07700 900": 0}
        self.venues: list[_Venue] = []
        self.providers: list[_Provider] = []
        self.listings: list[_Listing] = []
        self.names: set[str] = set()
        self.teams: dict[str, Team] = {}

    # -- helpers
    def phone(self, prefix: str) -> str:
        n = self.phone_counter[prefix]
        self.phone_counter[prefix] += 1
        if n > 999:
            raise RuntimeError("Out of drama phone numbers")
        return f"{prefix}{n:03d}"

    def place_names(self, ward: Ward) -> tuple[str, ...]:
        return PLACE_NAMES.get(ward.name, (ward.name,))

    def postcode(self, ward: Ward) -> str:
        sectors = POSTCODE_SECTORS.get(ward.name, ("YO1 9",))
        return f"{self.rng.choice(sectors)}ZZ"

    def unique(self, *candidates: str) -> str:
        for name in candidates:
            if name not in self.names:
                self.names.add(name)
                return name
        base = candidates[-1]
        n = 2
        while f"{base} ({n})" in self.names:
            n += 1
        self.names.add(f"{base} ({n})")
        return f"{base} ({n})"

    # -- venues
    def build_venues(self) -> None:
        by_ward: dict[str, list[SmallArea]] = defaultdict(list)
        for area in self.areas:
            by_ward[area.ward.code].append(area)
        seeds: list[SmallArea] = list(self.areas)
        # Wards with few small areas get extra venues first, then the rest by population.
        for ward in self.wards:
            for i in range(max(0, 3 - len(by_ward[ward.code]))):
                seeds.append(by_ward[ward.code][i % len(by_ward[ward.code])])
        weights = [area.population or 1 for area in self.areas]
        while len(seeds) < TARGET_LOCATIONS:
            seeds.append(self.rng.choices(self.areas, weights=weights)[0])
        seeds = seeds[:TARGET_LOCATIONS]

        green_indices = set(self.rng.sample(range(len(seeds)), TARGET_GREEN_SPACES))
        used_names: set[str] = set()
        for index, area in enumerate(seeds):
            lat, lon, ward, small_area = self._point_near(area)
            green = index in green_indices
            place = self.rng.choice(self.place_names(ward))
            if green:
                templates: Sequence[str] = GREEN_NAMES
            elif ward.name in VILLAGE_WARDS and self.rng.random() < 0.4:
                templates = VILLAGE_VENUE_NAMES
            else:
                templates = VENUE_NAMES
            name = ""
            for _ in range(30):
                name = self.rng.choice(templates).format(
                    place=place, tree=self.rng.choice(TREES), bird=self.rng.choice(BIRDS)
                )
                if name not in used_names:
                    break
            if name in used_names:
                name = f"{name} {index}"
            used_names.add(name)
            features = []
            for feature, (p_venue, p_green, _details) in ACCESS.items():
                if self.rng.random() < (p_green if green else p_venue):
                    features.append(feature)
            self.venues.append(
                _Venue(
                    key=f"venue:{index}",
                    name=name,
                    place=place,
                    ward=ward,
                    small_area=small_area,
                    lat=lat,
                    lon=lon,
                    green=green,
                    street=self.rng.choice(STREETS),
                    features=features,
                )
            )

    def _point_near(self, area: SmallArea) -> tuple[float, float, Ward, SmallArea | None]:
        """A point within about 300 m of the small area's reference point, in the same small
        area where possible, with the ward and small area it falls in."""
        radius = 0.0027  # degrees of latitude, about 300 m
        for attempt in range(12):
            scale = radius * (1 - attempt / 12)
            angle = self.rng.uniform(0, 2 * math.pi)
            distance = scale * math.sqrt(self.rng.random())
            lat = round(area.centre_lat + distance * math.sin(angle), 6)
            # A degree of longitude is shorter than a degree of latitude at York's latitude.
            lon = round(area.centre_lon + distance * math.cos(angle) / 0.59, 6)
            place = place_for_point(lat=lat, lon=lon)
            if place.ward is not None and place.small_area and place.small_area.pk == area.pk:
                return lat, lon, place.ward, place.small_area
        place = place_for_point(lat=area.centre_lat, lon=area.centre_lon)
        return (
            area.centre_lat,
            area.centre_lon,
            place.ward or area.ward,
            place.small_area or area,
        )

    # -- providers
    def build_providers(self) -> None:
        for i, spec in enumerate(CITY_WIDE):
            self.providers.append(
                _Provider(
                    key=f"provider:city:{i}",
                    name=spec.name,
                    about=spec.about,
                    repertoire=spec.activities,
                    enterprise=spec.enterprise,
                    phone=self.phone("01632 960"),
                )
            )
        greens = [v for v in self.venues if v.green]
        for i, venue in enumerate(greens):
            self.providers.append(
                _Provider(
                    key=f"provider:friends:{i}",
                    name=f"Friends of {venue.name}",
                    about=f"Local volunteers who look after {venue.name}.",
                    repertoire=("conservation", "growing", "walking"),
                    ward=venue.ward,
                    place=venue.place,
                    green=venue,
                    phone=self.phone("07700 900"),
                )
            )
        # Local groups: at least two a ward, the rest in proportion to the ward's venues.
        venues_by_ward = self.venues_by_ward()
        wards = [w for w in self.wards if venues_by_ward.get(w.code)]
        share = {w.code: 2 for w in wards}
        spare = LOCAL_PROVIDERS - sum(share.values())
        total_venues = sum(len(venues_by_ward[w.code]) for w in wards)
        for w in wards:
            share[w.code] += int(spare * len(venues_by_ward[w.code]) / total_venues)
        order = sorted(wards, key=lambda w: -len(venues_by_ward[w.code]))
        i = 0
        while sum(share.values()) < LOCAL_PROVIDERS:
            share[order[i % len(order)].code] += 1
            i += 1
        for ward in wards:
            labels = self.rng.sample(LOCAL_LABELS, share[ward.code])
            for j, (label, main, others) in enumerate(labels):
                place = self.rng.choice(self.place_names(ward))
                name = f"{place} {label}"
                if any(p.name == name for p in self.providers):
                    place = next(
                        (
                            p
                            for p in self.place_names(ward)
                            if not any(q.name == f"{p} {label}" for q in self.providers)
                        ),
                        ward.name,
                    )
                    name = f"{place} {label}"
                about = ACTIVITIES[main].summary
                self.providers.append(
                    _Provider(
                        key=f"provider:local:{ward.code}:{j}",
                        name=name,
                        about=f"A local group in {place}. {about}",
                        repertoire=(main, *others),
                        ward=ward,
                        place=place,
                        general=label in GENERAL_LOCAL_LABELS,
                        phone=self.phone("07700 900"),
                    )
                )

    def venues_by_ward(self) -> dict[str, list[_Venue]]:
        grouped: dict[str, list[_Venue]] = defaultdict(list)
        for venue in self.venues:
            grouped[venue.ward.code].append(venue)
        return grouped

    # -- listings
    def build_activities(self) -> None:
        venues_by_ward = self.venues_by_ward()
        buildings_by_ward = {
            code: [v for v in vs if not v.green] or vs for code, vs in venues_by_ward.items()
        }
        greens_by_ward = {code: [v for v in vs if v.green] for code, vs in venues_by_ward.items()}
        all_buildings = [v for v in self.venues if not v.green]
        all_greens = [v for v in self.venues if v.green]
        plan: list[tuple[_Provider, str, _Venue]] = []

        def venue_for(provider: _Provider, spec: ActivitySpec) -> _Venue:
            if provider.green is not None:
                return provider.green
            if provider.ward is not None:
                code = provider.ward.code
                pool = greens_by_ward[code] if spec.green and greens_by_ward[code] else None
                return self.rng.choice(pool or buildings_by_ward[code])
            pool = all_greens if spec.green and self.rng.random() < 0.7 else all_buildings
            return self.rng.choice(pool)

        friends = [p for p in self.providers if p.green is not None]
        local = [p for p in self.providers if p.ward is not None and p.green is None]
        city = [p for p in self.providers if p.ward is None]
        for provider in friends:
            for key in self.rng.sample(provider.repertoire, self.rng.choice((1, 1, 2))):
                plan.append((provider, key, provider.green))
        for provider in local:
            n = self.rng.choice((2, 2, 3, 3, 4, 5))
            keys = [provider.repertoire[0]]
            others = list(provider.repertoire[1:])
            while len(keys) < n:
                keys.append(self.rng.choice(others) if others else provider.repertoire[0])
            for key in keys:
                plan.append((provider, key, venue_for(provider, ACTIVITIES[key])))
        # City-wide providers fill the rest, spread over every ward in turn.
        ward_cycle = [w for w in self.wards if buildings_by_ward.get(w.code)]
        self.rng.shuffle(ward_cycle)
        i = 0
        while len(plan) < TARGET_ACTIVITIES:
            provider = city[i % len(city)]
            key = provider.repertoire[(i // len(city)) % len(provider.repertoire)]
            spec = ACTIVITIES[key]
            ward = ward_cycle[i % len(ward_cycle)]
            if spec.green and greens_by_ward.get(ward.code):
                venue = self.rng.choice(greens_by_ward[ward.code])
            else:
                venue = self.rng.choice(buildings_by_ward[ward.code])
            plan.append((provider, key, venue))
            i += 1
        plan = plan[:TARGET_ACTIVITIES]

        for n, (provider, key, venue) in enumerate(plan):
            self.add_activity(n, provider, ACTIVITIES[key], venue)

    def _state(self) -> str:
        roll = self.rng.random()
        if roll < 0.82:
            return Service.State.PUBLISHED
        if roll < 0.90:
            return Service.State.REVIEW_DUE
        if roll < 0.95:
            return Service.State.IN_REVIEW
        return Service.State.DRAFT

    def _editorial(self, state: str, *, family: bool) -> dict[str, Any]:
        team = self.teams[FAMILY_EDITOR_TEAM if family else EDITOR_TEAM]
        values: dict[str, Any] = {"state": state, "editor_team": team}
        checked_days = {
            Service.State.PUBLISHED: self.rng.randint(3, 330),
            Service.State.REVIEW_DUE: self.rng.randint(366, 600),
            Service.State.IN_REVIEW: self.rng.randint(200, 500),
        }.get(state)
        if checked_days is not None:
            values["last_checked_at"] = self.anchor - dt.timedelta(days=checked_days)
            values["last_checked_by"] = team
        if state in (Service.State.PUBLISHED, Service.State.REVIEW_DUE):
            published = self.anchor - dt.timedelta(
                days=(checked_days or 0) + self.rng.randint(0, 700)
            )
            values["published_at"] = dt.datetime.combine(published, dt.time(10), tzinfo=LONDON)
        return values

    def _costs(self, key: str, choice: str, note: str) -> tuple[bool, str, list[CostOption]]:
        if choice == "":
            return True, "Free.", []
        if choice == "payf":
            option = CostOption(
                id=_key(key, "cost"),
                option="Pay as you feel",
                amount_description="Pay what you can afford.",
            )
            return False, "Pay what you can afford.", [option]
        amount = Decimal(choice)
        text = f"£{amount:.2f}".replace(".00", "")
        options = [
            CostOption(
                id=_key(key, "cost"),
                option="Standard",
                amount=amount,
                amount_description=f"{text} {note}",
            )
        ]
        fees = f"{text} {note}."
        if self.rng.random() < 0.25:
            options.append(
                CostOption(
                    id=_key(key, "cost:carers"),
                    option="Carers",
                    amount=Decimal("0"),
                    amount_description="Carers come free.",
                )
            )
            fees += " Carers come free."
        return False, fees, options

    def _access_sentence(self, venue: _Venue) -> str:
        phrases = [ACCESS_PHRASES[f] for f in venue.features if f in ACCESS_PHRASES]
        if not phrases:
            return ""
        where = "The space" if venue.green else "The venue"
        if len(phrases) > 1:
            return f"{where} has {', '.join(phrases[:-1])} and {phrases[-1]}."
        return f"{where} has {phrases[0]}."

    def _contact(self, key: str, service_id: uuid.UUID, provider: _Provider) -> list[models.Model]:
        first = self.rng.choice(FIRST_NAMES)
        contact = Contact(
            id=_key(key, "contact"),
            service_id=service_id,
            name=first,
            title=self.rng.choice(("Organiser", "Group leader", "Volunteer coordinator")),
            email=f"{first.lower()}@{provider.slug}.example.org",
        )
        return [contact]

    def _weekly_schedule(
        self, key: str, spec_days: Sequence[str], pattern: str, times: Times
    ) -> Schedule:
        (oh, om), (ch, cm) = times
        start = self.anchor - dt.timedelta(days=self.rng.randint(60, 1500))
        values: dict[str, Any] = {
            "opens_at": dt.time(oh, om),
            "closes_at": dt.time(ch, cm),
            "skip_bank_holidays": False,
        }
        if pattern == "office":
            values.update(freq="WEEKLY", byday="MO,TU,WE,TH,FR", skip_bank_holidays=True)
        elif pattern == "monthly":
            day = self.rng.choice(spec_days)
            shape = self.rng.random()
            if shape < 0.6:
                byday = f"{self.rng.choice((1, 2, 3, 4, -1))}{day}"
            elif shape < 0.85:
                first = self.rng.choice((1, 2))
                byday = f"{first}{day},{first + 2}{day}"
            else:
                byday = f"{self.rng.choice((1, 2))}{day}"
            values.update(freq="MONTHLY", byday=byday)
        else:
            day = self.rng.choice(spec_days)
            # Start on that weekday so a fortnightly rule has a clear first week.
            start += dt.timedelta(days=(WEEKDAY_INDEX[day] - start.weekday()) % 7)
            values.update(
                freq="WEEKLY",
                byday=day,
                interval=2 if pattern == "fortnightly" else 1,
                skip_bank_holidays=self.rng.random() < 0.5,
            )
        schedule = Schedule(id=_key(key, "schedule"), dtstart=start, **values)
        if schedule.freq and self.rng.random() < 0.3:
            schedule.exdates = self._christmas_closure(schedule)
            if schedule.exdates:
                schedule.notes = "Closed over Christmas and New Year."
        return schedule

    def _christmas_closure(self, schedule: Schedule) -> list[str]:
        from .schedules import occurrences

        year = self.anchor.year
        start, end = dt.date(year, 12, 22), dt.date(year + 1, 1, 3)
        return [o.date.isoformat() for o in occurrences(schedule, start=start, end=end)]

    def add_activity(self, n: int, provider: _Provider, spec: ActivitySpec, venue: _Venue) -> None:
        key = f"activity:{n}"
        service_id = _key(key)
        pattern = self.rng.choice(spec.patterns)
        times = self.rng.choice(spec.times)
        schedule = self._weekly_schedule(key, spec.days, pattern, times)
        if provider.ward is None:
            name = self.unique(
                f"{spec.name} in {venue.place}",
                f"{spec.name} at {venue.name}",
                f"{spec.name}, {venue.name}, {_weekday_label(schedule)}",
            )
        elif provider.green is not None:
            name = self.unique(f"{spec.name} at {venue.name}", f"{spec.name}, {provider.name}")
        else:
            name = self.unique(
                f"{provider.place} {spec.name}",
                f"{spec.name} at {venue.name}",
                f"{provider.place} {spec.name}, {_weekday_label(schedule)}",
            )
        free, fees, costs = self._costs(key, self.rng.choice(spec.costs), spec.cost_note)
        state = self._state()
        family = "families" in spec.audience or "children" in spec.audience
        status = Service.Status.ACTIVE
        alert = ""
        if state == Service.State.PUBLISHED and self.rng.random() < 0.015:
            status = Service.Status.TEMPORARILY_CLOSED
            alert = "Closed for now while the building is repaired. Phone for news."
        description = "\n\n".join(
            p
            for p in (
                spec.summary,
                " ".join(spec.detail),
                spec.who,
                _cost_sentence(free, fees),
                self._access_sentence(venue),
            )
            if p
        )
        service = Service(
            id=service_id,
            provider_id=_key(provider.key),
            name=name,
            summary=spec.summary,
            description=description,
            kind=spec.kind,
            url=f"https://{provider.slug}.example.org/",
            email=f"hello@{provider.slug}.example.org",
            status=status,
            alert=alert,
            fees=fees,
            is_free=free,
            minimum_age=spec.ages[0],
            maximum_age=spec.ages[1],
            how_to_join=spec.join,
            **self._editorial(state, family=family),
        )
        extra = self._contact(key, service_id, provider) if self.rng.random() < 0.6 else []
        extra.append(Phone(id=_key(key, "phone"), service_id=service_id, number=provider.phone))
        if provider.ward is None:
            extra.append(
                ServiceArea(id=_key(key, "area"), service_id=service_id, name="City of York")
            )
        else:
            extra.append(
                ServiceArea(
                    id=_key(key, "area"),
                    service_id=service_id,
                    name=provider.ward.name,
                    ward_id=provider.ward.pk,
                )
            )
        roll = self.rng.random()
        if roll < 0.04:
            language, code, note = self.rng.choice(
                (
                    ("Polish", "pl", "Some volunteers speak Polish."),
                    ("Arabic", "ar", "An Arabic speaker is usually there."),
                    ("British Sign Language", "bfi", "BSL interpreter on request."),
                )
            )
            extra.append(
                Language(
                    id=_key(key, "language"),
                    service_id=service_id,
                    name=language,
                    code=code,
                    note=note,
                )
            )
        if roll > 0.85 and provider.ward is not None:
            extra.append(
                Funding(
                    id=_key(key, "funding"),
                    service_id=service_id,
                    source=f"{provider.ward.name} ward committee",
                )
            )
        self.listings.append(
            _Listing(
                service=service,
                venue=venue,
                provider=provider,
                needs=spec.needs,
                service_types=spec.service_types,
                audience=spec.audience,
                schedules=[schedule],
                costs=costs,
                extra=extra,
            )
        )

    def build_green_spaces(self) -> None:
        for provider in self.providers:
            if provider.green is None:
                continue
            venue = provider.green
            key = f"green:{venue.key}"
            service_id = _key(key)
            access = self._access_sentence(venue)
            about = self.rng.choice(GREEN_ABOUT)
            description = "\n\n".join(
                p
                for p in (
                    about,
                    f"{provider.name} look after it with help from neighbours.",
                    "It is open all the time and free to visit.",
                    access,
                )
                if p
            )
            service = Service(
                id=service_id,
                provider_id=_key(provider.key),
                name=self.unique(venue.name),
                summary=about,
                description=description,
                kind=Service.Kind.GREEN_SPACE,
                fees="Free.",
                is_free=True,
                how_to_join="Visit at any time.",
                **self._editorial(
                    Service.State.PUBLISHED
                    if self.rng.random() < 0.9
                    else Service.State.REVIEW_DUE,
                    family=False,
                ),
            )
            schedule = Schedule(
                id=_key(key, "schedule"),
                dtstart=self.anchor - dt.timedelta(days=self.rng.randint(400, 3000)),
                freq="DAILY",
                description="Open all the time",
            )
            self.listings.append(
                _Listing(
                    service=service,
                    venue=venue,
                    provider=provider,
                    needs=GREEN_SPACE_NEEDS,
                    service_types=GREEN_SPACE_TYPES,
                    audience=GREEN_SPACE_AUDIENCE,
                    schedules=[schedule],
                    costs=[],
                    extra=[
                        Phone(id=_key(key, "phone"), service_id=service_id, number=provider.phone)
                    ],
                )
            )

    def build_events(self) -> None:
        city = [p for p in self.providers if p.ward is None]
        by_ward: dict[str, list[_Provider]] = defaultdict(list)
        for p in self.providers:
            if p.ward is not None:
                by_ward[p.ward.code].append(p)
        buildings = [v for v in self.venues if not v.green]
        greens = [v for v in self.venues if v.green]

        by_name = {p.name: p for p in city}
        general = [by_name[name] for name in GENERAL_HOSTS]

        def host(venue: _Venue, spec: EventSpec, *, specialist: float = 0.4) -> _Provider:
            """Friends of a green space, a specialist, a local group, or a general charity."""
            if venue.green:
                friends = [p for p in by_ward.get(venue.ward.code, []) if p.green is venue]
                if friends and self.rng.random() < 0.6:
                    return friends[0]
            specialists = [by_name[name] for name in EVENT_HOSTS.get(spec.key, ())]
            if specialists and self.rng.random() < specialist:
                return self.rng.choice(specialists)
            # A local group whose own activities suit the event, or a general community group.
            neighbours = [p for p in by_ward.get(venue.ward.code, []) if p.green is None]
            suited = EVENT_LOCAL_MATCH.get(spec.key, set())
            pool = [p for p in neighbours if suited & set(p.repertoire)] or [
                p for p in neighbours if p.general
            ]
            if pool and self.rng.random() < 0.85:
                return self.rng.choice(pool)
            return self.rng.choice(general)

        def venue_for(spec: EventSpec) -> _Venue:
            return self.rng.choice(greens if spec.green else buildings)

        # Monthly events, running for a while already.
        for n in range(RECURRING_EVENTS):
            spec = MONTHLY_EVENTS[n % len(MONTHLY_EVENTS)]
            venue = venue_for(spec)
            provider = host(venue, spec)
            key = f"event:monthly:{n}"
            (oh, om), (ch, cm) = spec.times
            schedule = Schedule(
                id=_key(key, "schedule"),
                dtstart=self.anchor - dt.timedelta(days=self.rng.randint(30, 900)),
                freq="MONTHLY",
                byday=self.rng.choice(spec.byday),
                opens_at=dt.time(oh, om),
                closes_at=dt.time(ch, cm),
            )
            name = self.unique(f"{venue.place} {spec.name}", f"{spec.name} at {venue.name}")
            self.add_event(key, spec, venue, provider, name, [schedule])

        # One-off events and a course each month, for a year from the month of loading. Each
        # month has its own seed and keys, so a month's events are the same whenever they are
        # first loaded, and loading again in a later month adds the months not yet there.
        main_rng = self.rng
        for month_index in range(EVENT_MONTHS):
            first = _add_months(self.anchor, month_index)
            self.rng = random.Random(f"{SEED}:{first:%Y-%m}")
            days_in_month = (_add_months(first, 1) - first).days
            suitable = [s for s in ONE_OFF_EVENTS if not s.months or first.month in s.months]
            for n in range(ONE_OFF_EVENTS_PER_MONTH):
                spec = self.rng.choice(suitable)
                venue = venue_for(spec)
                provider = host(venue, spec)
                day = first + dt.timedelta(days=self.rng.randrange(days_in_month))
                # Most community events are at the weekend or on a weekday afternoon.
                if self.rng.random() < 0.4 and day.weekday() < 5:
                    day += dt.timedelta(days=5 - day.weekday())
                    if day.month != first.month:
                        day -= dt.timedelta(days=7)
                (oh, om), (ch, cm) = spec.times
                key = f"event:once:{first:%Y-%m}:{n}"
                schedule = Schedule(
                    id=_key(key, "schedule"),
                    dtstart=day,
                    opens_at=dt.time(oh, om),
                    closes_at=dt.time(ch, cm),
                )
                name = f"{spec.name}, {venue.place}"
                self.add_event(key, spec, venue, provider, name, [schedule])

            # A short weekly course starting in the first fortnight of each month.
            spec = COURSES[(first.year * 12 + first.month) % len(COURSES)]
            venue = venue_for(spec)
            provider = host(venue, spec, specialist=1.0)
            start = first + dt.timedelta(days=self.rng.randrange(14))
            if start.weekday() >= 5:
                start += dt.timedelta(days=7 - start.weekday())
            (oh, om), (ch, cm) = spec.times
            key = f"event:course:{first:%Y-%m}"
            schedule = Schedule(
                id=_key(key, "schedule"),
                dtstart=start,
                freq="WEEKLY",
                count=spec.sessions,
                opens_at=dt.time(oh, om),
                closes_at=dt.time(ch, cm),
            )
            name = f"{spec.name}, {venue.place}"
            self.add_event(key, spec, venue, provider, name, [schedule])
        self.rng = main_rng

    def add_event(
        self,
        key: str,
        spec: EventSpec,
        venue: _Venue,
        provider: _Provider,
        name: str,
        schedules: list[Schedule],
    ) -> None:
        service_id = _key(key)
        free, fees, costs = self._costs(key, self.rng.choice(spec.costs), "a person")
        roll = self.rng.random()
        state = (
            Service.State.PUBLISHED
            if roll < 0.93
            else Service.State.IN_REVIEW
            if roll < 0.97
            else Service.State.DRAFT
        )
        description = "\n\n".join(
            p
            for p in (
                spec.summary,
                " ".join(spec.detail),
                _cost_sentence(free, fees),
                self._access_sentence(venue),
            )
            if p
        )
        family = "families" in spec.audience or "children" in spec.audience
        service = Service(
            id=service_id,
            provider_id=_key(provider.key),
            name=name,
            summary=spec.summary,
            description=description,
            kind=Service.Kind.EVENT,
            url=f"https://{provider.slug}.example.org/events/",
            email=f"events@{provider.slug}.example.org",
            fees=fees,
            is_free=free,
            how_to_join="Just come along." if free else "Pay on the door.",
            **self._editorial(state, family=family),
        )
        if state != Service.State.DRAFT:
            # Events are checked when they are added, not on a yearly cycle.
            checked = self.anchor - dt.timedelta(days=self.rng.randint(1, 40))
            service.last_checked_at = checked
            if service.published_at:
                service.published_at = dt.datetime.combine(checked, dt.time(10), tzinfo=LONDON)
        self.listings.append(
            _Listing(
                service=service,
                venue=venue,
                provider=provider,
                needs=spec.needs,
                service_types=spec.service_types,
                audience=spec.audience,
                schedules=schedules,
                costs=costs,
                extra=[Phone(id=_key(key, "phone"), service_id=service_id, number=provider.phone)],
            )
        )

    # -- model objects for providers and venues
    def provider_objects(self) -> list[Provider]:
        objs = []
        for p in self.providers:
            kind = "a city-wide" if p.ward is None else "a local"
            description = (
                f"{p.about}\n\n"
                f"This is {kind} organisation made up for the Alongside demo. It is not real."
            )
            objs.append(
                Provider(
                    id=_key(p.key),
                    name=p.name,
                    description=description,
                    email=f"hello@{p.slug}.example.org",
                    website=f"https://{p.slug}.example.org/",
                    is_community_enterprise=p.enterprise,
                )
            )
        return objs

    def venue_objects(self) -> tuple[list[Location], list[models.Model]]:
        locations: list[Location] = []
        children: list[models.Model] = []
        for v in self.venues:
            location_id = _key(v.key)
            about = self.rng.choice(GREEN_ABOUT if v.green else VENUE_ABOUT)
            bus = AccessibilityFeature.Feature.BUS_STOP in v.features
            locations.append(
                Location(
                    id=location_id,
                    name=v.name,
                    description=about,
                    kind=Location.Kind.GREEN_SPACE if v.green else Location.Kind.VENUE,
                    latitude=v.lat,
                    longitude=v.lon,
                    ward_id=v.ward.pk,
                    small_area_id=v.small_area.pk if v.small_area else None,
                    transport=(
                        f"The nearest bus stop is on {v.street}, about two minutes' walk away."
                        if bus
                        else ""
                    ),
                )
            )
            number = self.rng.randint(1, 120)
            children.append(
                Address(
                    id=_key(v.key, "address"),
                    location_id=location_id,
                    address_1=f"Entrance on {v.street}" if v.green else f"{number} {v.street}",
                    address_2=v.place if v.place not in ("City Centre",) else "",
                    city="York",
                    postal_code=self.postcode(v.ward),
                )
            )
            for feature in v.features:
                children.append(
                    AccessibilityFeature(
                        id=_key(v.key, "access", feature),
                        location_id=location_id,
                        feature=feature,
                        details=self.rng.choice(ACCESS[feature][2]),
                    )
                )
            if not v.green and self.rng.random() < 0.5:
                children.append(
                    Phone(
                        id=_key(v.key, "phone"),
                        location_id=location_id,
                        number=self.phone("01632 960"),
                        description="Bookings and enquiries",
                    )
                )
        return locations, children


WEEKDAY_INDEX = {code: i for i, code in enumerate(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))}
_WEEKDAY_PLURALS = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)


def _weekday_label(schedule: Schedule) -> str:
    match = re.search(r"(MO|TU|WE|TH|FR|SA|SU)", schedule.byday or "")
    day = WEEKDAY_INDEX[match.group(1)] if match else schedule.dtstart.weekday()
    return _WEEKDAY_PLURALS[day]


def _cost_sentence(free: bool, fees: str) -> str:
    if free:
        return "It is free."
    if fees.startswith("Pay"):
        return fees
    return f"It costs {fees}"


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


# --- Writing -----------------------------------------------------------------------------------


def _existing_ids(model: type[models.Model], ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(ids)
    found: set[uuid.UUID] = set()
    for i in range(0, len(ids), 500):
        found.update(model.objects.filter(pk__in=ids[i : i + 500]).values_list("pk", flat=True))
    return found


def _create_missing(model: type[models.Model], objs: list[Any]) -> list[Any]:
    existing = _existing_ids(model, (o.pk for o in objs))
    new = [o for o in objs if o.pk not in existing]
    model.objects.bulk_create(new, batch_size=500)
    return new


def _editor_teams() -> dict[str, Team]:
    """The council's directory editors; the same names as the staff demo (`load_demo`)."""
    council, _ = Organisation.objects.get_or_create(
        name=COUNCIL, defaults={"kind": Organisation.Kind.COUNCIL}
    )
    teams = {}
    for name in (EDITOR_TEAM, FAMILY_EDITOR_TEAM):
        team, created = Team.objects.get_or_create(organisation=council, name=name)
        if created:
            team.programmes.set(Programme.objects.filter(code=Programme.Code.DIRECTORY))
        teams[name] = team
    return teams


def demo_directory_plan(*, today: dt.date) -> _Builder:
    """The whole demo directory, generated in memory and not yet saved (the same every time
    for the same month). Needs York's places and creates the editor teams if missing."""
    builder = _Builder(today=today)
    builder.teams = _editor_teams()
    builder.build_venues()
    builder.build_providers()
    builder.build_activities()
    builder.build_green_spaces()
    builder.build_events()
    return builder


@transaction.atomic
def demo_directory_load(*, today: dt.date | None = None) -> DemoDirectoryResult:
    """Load the York demo directory. Running it again adds nothing and changes nothing.

    `today` sets the month the demo is built around (events run for a year from it); it
    only matters the first time, since existing listings are never changed.
    """
    ensure_not_production()
    if not Ward.objects.exists() or not SmallArea.objects.exists():
        raise ImproperlyConfigured("Load York's places first: manage.py load_york_places")
    result = DemoDirectoryResult()
    loaded = taxonomies_load()
    result.add("taxonomy terms", loaded.terms_created)
    terms = terms_by_code()

    builder = demo_directory_plan(today=today or dt.date.today())

    result.add("providers", len(_create_missing(Provider, builder.provider_objects())))

    locations, location_children = builder.venue_objects()
    new_locations = {o.pk for o in _create_missing(Location, locations)}
    result.add("venues", len(new_locations))
    for model, label in (
        (Address, "addresses"),
        (AccessibilityFeature, "accessibility features"),
        (Phone, "phone numbers"),
    ):
        objs = [
            o for o in location_children if isinstance(o, model) and o.location_id in new_locations
        ]
        result.add(label, len(_create_missing(model, objs)))

    new_services = {o.pk for o in _create_missing(Service, [li.service for li in builder.listings])}
    fresh = [li for li in builder.listings if li.service.pk in new_services]
    for kind in Service.Kind:
        n = sum(1 for li in fresh if li.service.kind == kind)
        result.add(f"{kind.label.lower()} listings", n)

    sals = []
    for li in fresh:
        sal = ServiceAtLocation(
            id=_key(li.service.pk, "at", li.venue.key),
            service_id=li.service.pk,
            location_id=_key(li.venue.key),
        )
        sals.append(sal)
        for schedule in li.schedules:
            schedule.service_id = li.service.pk
            schedule.service_at_location_id = sal.pk
    _create_missing(ServiceAtLocation, sals)
    schedules = [s for li in fresh for s in li.schedules]
    result.add("schedules", len(_create_missing(Schedule, schedules)))
    costs = []
    for li in fresh:
        for cost in li.costs:
            cost.service_id = li.service.pk
            costs.append(cost)
    result.add("cost options", len(_create_missing(CostOption, costs)))

    extras: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for li in fresh:
        for obj in li.extra:
            extras[type(obj)].append(obj)
    # Contacts before phones, since a phone may belong to a contact.
    for model, label in (
        (Contact, "contacts"),
        (Phone, "phone numbers"),
        (ServiceArea, "service areas"),
        (Language, "languages"),
        (Funding, "funding sources"),
    ):
        result.add(label, len(_create_missing(model, extras[model])))

    through = Service.terms.through
    links = []
    for li in fresh:
        codes = (
            [(NEEDS, c) for c in li.needs]
            + [(SERVICE_TYPES, c) for c in li.service_types]
            + [(AUDIENCE, c) for c in li.audience]
        )
        for code in dict.fromkeys(codes):
            term = terms.get(code)
            if term is not None:  # staff may have removed a term; skip it
                links.append(through(service_id=li.service.pk, taxonomyterm_id=term.pk))
    through.objects.bulk_create(links, batch_size=1000)
    result.add("term links", len(links))
    if new_services:
        search_index.index_services(service_ids=new_services, today=today)
    return result
