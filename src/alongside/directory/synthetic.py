"""Synthetic directories of any size (10k, 100k, 1M listings) for the search benchmarks.

Unlike the York demo directory (`demo.py`), which is hand-shaped at Live Well York's real
scale, this module makes as many plausible public listings as asked for, quickly and in
bounded memory: it generates and writes one batch at a time (one `executemany` per table).

- Deterministic: the same `seed`, `today` and size give exactly the same rows.
- Plain English from word lists, with themes weighted so that an everyday search word
  ("walking", "coffee", "dementia", "lonely") finds a realistic few per cent of listings,
  not all of them.
- Places are York's real wards and small areas: each location is a point inside a small
  area (picked by population) and inside the ward it is recorded in. Points come from a
  small pool per small area, tested once against the boundaries, so no per-location lookup.
- Recognisable: every object made here has a key starting with `MARK` (see `synthetic_id`),
  so `synthetic_clear()` removes exactly this data and never touches real listings.

Shape: ~1 provider per 4 listings, ~1 location per 3, an address and some accessibility
features per location, 1-2 schedules per listing (mostly weekly, some monthly, ~10% one-off
events within 60 days of `today`), ~55% free, 1-2 needs, one service type and sometimes an
audience.
"""

from __future__ import annotations

import datetime as dt
import inspect
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, models, router, transaction
from django.utils.text import slugify

from alongside.core import geo
from alongside.core.models import SmallArea, Ward

from .demo import BIRDS, PLACE_NAMES, POSTCODE_SECTORS, STREETS, TREES, VILLAGE_WARDS
from .models import (
    AccessibilityFeature,
    Address,
    CostOption,
    Location,
    Phone,
    Provider,
    Schedule,
    SearchEntry,
    SearchOccurrence,
    SearchPlace,
    SearchTerm,
    Service,
    ServiceAtLocation,
)
from .taxonomies import AUDIENCE, NEEDS, SERVICE_TYPES, taxonomies_load, terms_by_code

# The top 64 bits of every synthetic key ("5e7e71c0 da7a 5eed": synthetic data seed). The
# next 8 bits say what kind of object it is and the last 56 count them.
MARK = 0x5E7E71C0DA7A5EED
KIND_BITS = {
    "provider": 1,
    "location": 2,
    "address": 3,
    "access": 4,
    "service": 5,
    "service_at_location": 6,
    "schedule": 7,
    "cost": 8,
    "phone": 9,
}
BATCH_SIZE = 6000  # listings per batch; a multiple of 12 keeps provider/location shares exact
SERVICES_PER_PROVIDER = 4
SERVICES_PER_LOCATION = 3
POINTS_PER_AREA = 256  # distinct points kept per small area
# The themes' own chances of being free average about 72%; this brings the whole directory
# to about 55% free, as the issue asks, while advice services stay the likeliest to be free.
FREE_SCALE = 0.76
SYNTHETIC_NOTE = "Synthetic listing made for benchmarks; not a real organisation."


def synthetic_id(kind: str, n: int) -> uuid.UUID:
    return uuid.UUID(int=(MARK << 64) | (KIND_BITS[kind] << 56) | n)


def _id_range(kind: str | None = None) -> tuple[uuid.UUID, uuid.UUID]:
    if kind is None:
        lo = MARK << 64
        return uuid.UUID(int=lo), uuid.UUID(int=lo | (2**64 - 1))
    lo = (MARK << 64) | (KIND_BITS[kind] << 56)
    return uuid.UUID(int=lo), uuid.UUID(int=lo | (2**56 - 1))


def is_synthetic(pk: uuid.UUID) -> bool:
    return pk.int >> 64 == MARK


# --- vocabulary --------------------------------------------------------------------------------

K = Service.Kind
MORNING = (((9, 30), (11, 30)), ((10, 0), (12, 0)), ((10, 30), (12, 0)))
AFTERNOON = (((13, 30), (15, 30)), ((14, 0), (16, 0)), ((12, 0), (14, 0)))
EVENING = (((18, 30), (20, 0)), ((19, 0), (21, 0)), ((18, 0), (19, 30)))
DAYTIME = MORNING + AFTERNOON
ANY_TIME = MORNING + AFTERNOON + EVENING
OFFICE = (((9, 0), (17, 0)), ((9, 30), (16, 30)), ((10, 0), (16, 0)))
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
ALL_DAYS = WEEKDAYS + ("SA", "SU")
WEEKEND_TOO = WEEKDAYS + ("SA", "SA", "SU")


@dataclass(frozen=True)
class Theme:
    """A kind of listing: names, words to describe it, its terms and when it runs."""

    key: str
    weight: int  # its share of listings, relative to the other themes' weights
    kind: str
    names: tuple[str, ...]
    need: str
    service_type: str
    summaries: tuple[str, ...]
    details: tuple[str, ...]
    also: tuple[str, ...] = ()  # second needs, one of which half of these listings get
    audience: tuple[str, ...] = ()
    ages: tuple[int | None, int | None] = (None, None)
    slots: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ANY_TIME
    days: tuple[str, ...] = WEEKDAYS
    free: float = 0.55  # how likely it is to be free, before FREE_SCALE
    prices: tuple[str, ...] = ("1", "2", "2.50", "3", "4", "5")


T = Theme
# fmt: off
THEMES: tuple[Theme, ...] = (
    # -- meeting people
    T(
        "coffee-morning", 7, K.GROUP,
        ("Coffee Morning", "Coffee and Cake Morning", "Community Coffee Morning"),
        "loneliness-and-isolation", "social-group",
        (
            "A relaxed coffee morning where everyone is welcome.",
            "Pop in for a hot drink, a biscuit and a chat with neighbours.",
        ),
        ("Come on your own or bring a friend.", "Home-made cakes most weeks."),
        also=("older-people",), audience=("adults", "older-people"), slots=MORNING, free=0.5,
        prices=("1", "1.50", "2"),
    ),
    T(
        "befriending", 6, K.SERVICE,
        ("Befriending Service", "Telephone Befriending", "Home Visiting Befriending"),
        "loneliness-and-isolation", "befriending",
        (
            "A volunteer befriender visits or phones you for a chat every week.",
            "Regular friendly phone calls for people who feel cut off.",
        ),
        (
            "Volunteers are checked and trained.",
            "We match you with someone who shares your interests.",
        ),
        also=("older-people",), audience=("older-people",), slots=OFFICE, free=0.95,
    ),
    T(
        "lunch-club", 10, K.GROUP,
        ("Lunch Club", "Community Lunch", "Luncheon Club"),
        "food", "lunch-club",
        (
            "A hot two-course lunch and good company.",
            "A freshly cooked lunch shared around big tables.",
        ),
        ("Tell us about any special diet when you book.", "Lunch is cooked on the day."),
        also=("loneliness-and-isolation", "older-people"), audience=("older-people",),
        slots=(((12, 0), (14, 0)),), free=0.1, prices=("3.50", "4", "4.50", "5"),
    ),
    T(
        "social-club", 7, K.GROUP,
        ("Afternoon Social Club", "Over 60s Club", "Friendship Club"),
        "loneliness-and-isolation", "social-group",
        (
            "A weekly get-together with games, speakers and outings.",
            "Make new friends at a friendly club with a varied programme.",
        ),
        ("New members are always welcome.", "We run trips in the summer."),
        also=("older-people", "disability"), audience=("older-people",), slots=AFTERNOON, free=0.4,
        prices=("1.50", "2"),
    ),
    T(
        "games", 4, K.GROUP,
        ("Board Games Group", "Chess Club", "Bridge Club", "Quiz Night"),
        "loneliness-and-isolation", "social-group",
        (
            "Play board games and card games with friendly people.",
            "A friendly evening of games, from beginners to experts.",
        ),
        ("Bring a favourite game or learn a new one.",),
        audience=("adults",), slots=AFTERNOON + EVENING, free=0.6,
    ),
    T(
        "mens-shed", 5, K.GROUP,
        ("Men's Shed", "Woodwork Shed", "Community Shed"),
        "mental-health", "mens-shed",
        (
            "A workshop where people make, mend and share skills.",
            "Work on projects side by side in a fully equipped workshop.",
        ),
        ("Tools and safety equipment are provided.", "Women are welcome too."),
        also=("loneliness-and-isolation",), audience=("adults", "older-people"), slots=DAYTIME,
    ),
    T(
        "knit", 6, K.GROUP,
        ("Knit and Natter", "Crochet Circle", "Sewing Bee", "Patchwork Group"),
        "arts-and-culture", "craft-group",
        (
            "Knit, crochet or sew with others in a friendly group.",
            "Bring something you are working on, or learn from scratch.",
        ),
        ("We have spare needles and wool.", "Beginners are very welcome."),
        also=("loneliness-and-isolation",), audience=("adults", "older-people"), slots=DAYTIME,
    ),
    T(
        "community-cafe", 6, K.ACTIVITY,
        ("Community Café", "Pay as You Feel Café", "Pop-up Café"),
        "food", "community-cafe",
        (
            "A community café serving hot meals, soup and sandwiches.",
            "Good food at prices everyone can afford, made with surplus food.",
        ),
        ("Pay what you can.", "Vegetarian and vegan options every day."),
        also=("money-and-debt",), audience=("adults", "families"), slots=DAYTIME,
        free=0.3,
    ),
    T(
        "warm-space", 6, K.ACTIVITY,
        ("Warm Welcome Space", "Warm Space", "Winter Welcome"),
        "housing", "warm-space",
        (
            "A warm, friendly place to spend time on cold days.",
            "Somewhere warm to sit, read the paper and charge your phone.",
        ),
        ("Free hot drinks and free wifi.", "No need to explain why you are here."),
        also=("money-and-debt",), slots=DAYTIME, free=1.0,
    ),
    # -- mental health and wellbeing
    T(
        "peer-mh", 9, K.GROUP,
        (
            "Wellbeing Peer Support", "Mental Health Support Group", "Anxiety Support Group",
            "Hearing Voices Group",
        ),
        "mental-health", "peer-support",
        (
            "A supportive group for people living with anxiety or low mood.",
            "Meet others who understand, in a safe and confidential group.",
        ),
        (
            "Led by people with lived experience.",
            "You do not have to talk if you would rather listen.",
        ),
        also=("physical-health",), audience=("adults",), free=0.9,
    ),
    T(
        "counselling", 12, K.SERVICE,
        ("Counselling Service", "Low-cost Counselling", "Listening Service", "Talking Therapies"),
        "mental-health", "counselling",
        (
            "Confidential one-to-one counselling with a qualified counsellor.",
            "Short-term talking therapy for stress, anxiety and depression.",
        ),
        ("Sessions last 50 minutes.", "We offer sessions in person, by phone or by video."),
        audience=("adults", "young-people"), slots=OFFICE + EVENING, free=0.5,
        prices=("10", "15", "20", "25"),
    ),
    T(
        "mindfulness", 6, K.ACTIVITY,
        ("Mindfulness Course", "Stress Control Class", "Relaxation Class"),
        "mental-health", "course-or-workshop",
        (
            "Learn simple ways to manage stress and sleep better.",
            "A six-week course in mindfulness for everyday life.",
        ),
        ("Wear comfortable clothes.", "No experience needed."),
        also=("learning-and-work",), audience=("adults",),
    ),
    T(
        "bereavement", 8, K.GROUP,
        ("Bereavement Support Group", "Bereavement Café", "Grief Support Group"),
        "bereavement", "peer-support",
        (
            "A gentle group for anyone who has lost someone close.",
            "Meet others who are grieving, in a calm and caring setting.",
        ),
        ("Trained volunteers are on hand.", "Come as often or as rarely as you like."),
        also=("mental-health",), audience=("adults",), free=0.9,
    ),
    # -- money, housing and advice
    T(
        "debt-advice", 10, K.SERVICE,
        ("Debt Advice", "Money Advice Drop-in", "Debt and Budgeting Advice"),
        "money-and-debt", "advice-service",
        (
            "Free, confidential debt advice from trained advisers.",
            "Help with debts, bills and making a budget that works.",
        ),
        ("Bring any letters from people you owe money to.", "We can talk to creditors for you."),
        also=("advice-and-information",), audience=("adults",), slots=OFFICE, free=1.0,
    ),
    T(
        "benefits-advice", 8, K.SERVICE,
        (
            "Benefits Advice", "Welfare Benefits Help", "Pension Credit Check",
            "Universal Credit Help",
        ),
        "money-and-debt", "advice-service",
        (
            "Check you are getting every benefit you are entitled to.",
            "Help to claim benefits, fill in forms and appeal decisions.",
        ),
        ("Appointments and drop-in sessions.", "Home visits if you cannot get out."),
        also=("advice-and-information",), audience=("adults",), slots=OFFICE, free=1.0,
    ),
    T(
        "energy-advice", 6, K.SERVICE,
        ("Energy Advice", "Warm Homes Advice", "Energy Saving Help"),
        "housing", "advice-service",
        (
            "Help to cut energy bills and keep your home warm.",
            "Advice on heating, insulation and switching supplier.",
        ),
        ("We can visit your home.", "Grants may be available for repairs."),
        also=("money-and-debt",), slots=OFFICE, free=1.0,
    ),
    T(
        "housing-advice", 14, K.SERVICE,
        ("Housing Advice", "Tenancy Support", "Homeless Prevention Service", "Housing Options"),
        "housing", "advice-service",
        (
            "Advice for tenants and anyone at risk of losing their home.",
            "Help with rent arrears, repairs, landlords and finding a home.",
        ),
        ("Phone first if you can.", "Urgent help on the same day if you have nowhere to stay."),
        also=("advice-and-information",), audience=("adults",), slots=OFFICE, free=1.0,
    ),
    T(
        "supported-housing", 12, K.SERVICE,
        ("Supported Housing", "Young People's Supported Housing", "Housing Support Service"),
        "housing", "advice-service",
        (
            "Safe housing with a support worker to help you settle.",
            "Support to manage a tenancy and live independently.",
        ),
        ("Referrals from any agency.", "Staff are on site day and night."),
        audience=("adults", "young-people"), slots=OFFICE, free=0.9,
    ),
    T(
        "legal-advice", 10, K.SERVICE,
        ("Free Legal Advice Clinic", "Advice Drop-in", "Employment Rights Advice"),
        "advice-and-information", "advice-service",
        (
            "Free legal advice from volunteer solicitors.",
            "Independent advice on consumer, work and family problems.",
        ),
        ("Appointments are 20 minutes long.", "Interpreters can be booked."),
        audience=("adults",), slots=OFFICE + EVENING, free=1.0,
    ),
    T(
        "info-point", 18, K.SERVICE,
        ("Community Information Point", "Help Point", "Library Drop-in", "Information Service"),
        "advice-and-information", "advice-service",
        (
            "Find out what is on locally and where to get help.",
            "Friendly staff help you find the right service.",
        ),
        ("Leaflets about local services are available.", "Drop in or phone."),
        slots=OFFICE, free=1.0,
    ),
    T(
        "food-bank", 14, K.SERVICE,
        ("Food Bank", "Community Pantry", "Community Fridge", "Food Share"),
        "food", "food-bank-and-pantry",
        (
            "Emergency food parcels for people in crisis.",
            "Low-cost groceries for members who live nearby.",
        ),
        ("Bring a voucher if you have one.", "Toiletries and baby items are available too."),
        also=("money-and-debt",), slots=DAYTIME, days=WEEKEND_TOO, free=0.6,
        prices=("3.50", "4", "5"),
    ),
    # -- carers and dementia
    T(
        "carers-group", 12, K.GROUP,
        ("Carers' Support Group", "Carers' Drop-in", "Young Carers' Club", "Parent Carers' Group"),
        "carers", "carers-group",
        (
            "A friendly group for people who look after someone.",
            "Time for yourself, with others who understand caring.",
        ),
        ("Replacement care can sometimes be arranged.", "Information about carers' rights."),
        also=("mental-health",), audience=("carers",), free=0.9,
    ),
    T(
        "carers-break", 6, K.SERVICE,
        ("Carers' Break Service", "Respite Sitting Service"),
        "carers", "carers-group",
        (
            "A trained sitter stays with the person you look after while you have a break.",
            "Short breaks for unpaid carers.",
        ),
        ("Book a week ahead.", "Sitters are checked and trained."),
        also=("older-people",), audience=("carers",), slots=OFFICE, free=0.6,
        prices=("5", "10", "12"),
    ),
    T(
        "memory-cafe", 8, K.GROUP,
        ("Memory Café", "Sing and Remember", "Dementia Friendly Tea Party", "Memory Lane Group"),
        "dementia", "dementia-cafe",
        (
            "A welcoming afternoon for people living with dementia and those who support them.",
            "Songs, reminiscence and company for people with memory problems.",
        ),
        ("Carers come free.", "Staff are dementia friends."),
        also=("carers",), audience=("older-people", "carers"), slots=DAYTIME, free=0.8,
    ),
    T(
        "dementia-advice", 6, K.SERVICE,
        ("Dementia Advice Service", "Dementia Carers' Group", "Dementia Support Worker"),
        "dementia", "advice-service",
        (
            "Advice and support after a diagnosis of dementia.",
            "Practical help for families living with dementia.",
        ),
        ("Home visits available.", "Ask your memory clinic to refer you."),
        also=("carers",), audience=("older-people", "carers"), slots=OFFICE, free=1.0,
    ),
    # -- physical activity (kept to a few per cent, as in real directories)
    T(
        "health-walk", 9, K.ACTIVITY,
        ("Health Walk", "Walking Group", "Nature Walk", "Buggy Walk"),
        "physical-activity", "walking-group",
        (
            "A gentle, led walk of about an hour on flat paths.",
            "A friendly walk at an easy pace, finishing with a hot drink.",
        ),
        ("Wear comfortable shoes.", "A trained leader goes at the pace of the slowest walker."),
        also=("nature-and-outdoors",), audience=("adults", "older-people"), slots=DAYTIME,
        days=WEEKEND_TOO, free=0.95,
    ),
    T(
        "chair-exercise", 8, K.ACTIVITY,
        ("Chair-based Exercise", "Seated Exercise", "Strength and Balance Class"),
        "physical-activity", "exercise-class",
        (
            "Gentle exercise you can do sitting down, for strength and balance.",
            "A class to keep you steady on your feet.",
        ),
        ("A qualified instructor leads the class.", "Wear loose, comfortable clothes."),
        also=("older-people", "staying-independent"), audience=("older-people",), slots=DAYTIME,
        free=0.3,
    ),
    T(
        "yoga", 6, K.ACTIVITY,
        ("Gentle Yoga", "Yoga for Beginners", "Pilates", "Tai Chi"),
        "physical-activity", "exercise-class",
        (
            "A calm class for all ages and abilities.",
            "Slow, flowing movements to help balance, breathing and calm.",
        ),
        ("Mats are provided.", "Tell the teacher about any injuries first."),
        also=("mental-health",), audience=("adults",), free=0.2,
    ),
    T(
        "dance", 5, K.ACTIVITY,
        ("Dance for Health", "Ballroom Dancing", "Line Dancing", "Zumba Gold"),
        "physical-activity", "exercise-class",
        (
            "Move to music from every decade in a friendly class.",
            "Learn the steps one at a time; no partner needed.",
        ),
        ("Join in as much as you like.",),
        also=("arts-and-culture",), audience=("adults", "older-people"), free=0.3,
    ),
    T(
        "walking-sports", 3, K.ACTIVITY,
        ("Walking Football", "Walking Netball", "Walking Cricket"),
        "physical-activity", "exercise-class",
        (
            "The game you love at a slower pace, with no running.",
            "A friendly game for people who want to keep playing.",
        ),
        ("Trainers or flat shoes only.",),
        also=("loneliness-and-isolation",), audience=("adults", "older-people"), ages=(50, None),
        free=0.3,
    ),
    T(
        "cycling", 4, K.ACTIVITY,
        ("Cycling for All", "Learn to Ride", "Inclusive Cycling"),
        "physical-activity", "exercise-class",
        (
            "Adapted bikes and trikes so everyone can ride.",
            "Build confidence on a bike with a friendly instructor.",
        ),
        ("Bikes and helmets are provided.",),
        also=("getting-about", "disability"), slots=DAYTIME, days=WEEKEND_TOO, free=0.5,
    ),
    # -- health
    T(
        "stop-smoking", 8, K.SERVICE,
        ("Stop Smoking Service", "Quit Smoking Clinic"),
        "physical-health", "advice-service",
        (
            "Free support and medication to help you stop smoking.",
            "Weekly appointments with a trained adviser for the first weeks.",
        ),
        ("Nicotine replacement is free.",),
        audience=("adults",), slots=OFFICE, free=1.0,
    ),
    T(
        "breathing", 5, K.GROUP,
        ("Better Breathing Group", "Breathe Easy Group"),
        "physical-health", "peer-support",
        (
            "Support and gentle exercise for people with lung conditions.",
            "Learn ways to manage breathlessness with others who understand.",
        ),
        ("Speakers visit every few months.",),
        also=("loneliness-and-isolation",), audience=("adults", "older-people"), slots=DAYTIME,
    ),
    T(
        "long-term-conditions", 7, K.GROUP,
        ("Diabetes Support Group", "Heart Health Group", "Stroke Club", "Parkinson's Group"),
        "physical-health", "peer-support",
        (
            "A group for people living with a long-term condition and their families.",
            "Share tips and support with people living with the same condition.",
        ),
        ("Nurses and speakers visit.",),
        audience=("adults", "older-people"), slots=DAYTIME,
    ),
    T(
        "healthy-eating", 6, K.ACTIVITY,
        ("Weight Management Course", "Healthy Eating Course", "Cook and Eat"),
        "physical-health", "course-or-workshop",
        ("A course on eating well on a budget.", "Learn to cook simple, healthy meals."),
        ("Ingredients are provided.",),
        also=("food",), audience=("adults", "families"),
    ),
    T(
        "health-clinic", 10, K.SERVICE,
        ("NHS Health Check", "Blood Pressure Check", "Hearing Aid Clinic", "Foot Care Clinic"),
        "physical-health", "advice-service",
        (
            "A quick check-up with a health professional.",
            "Appointments with a nurse or practitioner.",
        ),
        ("Bring a list of any medicines you take.",),
        audience=("adults",), slots=OFFICE, free=0.8, prices=("5", "10", "15"),
    ),
    T(
        "recovery", 12, K.GROUP,
        ("Recovery Café", "Alcohol Support Service", "Drug and Alcohol Service", "Recovery Group"),
        "substance-use", "peer-support",
        (
            "Support for anyone worried about their drinking or drug use.",
            "A welcoming space for people in recovery and their families.",
        ),
        ("Confidential and non-judgemental.", "Family members can come too."),
        also=("mental-health",), audience=("adults",), free=1.0,
    ),
    # -- learning and work
    T(
        "job-club", 14, K.ACTIVITY,
        ("Job Club", "Employment Support", "CV and Interview Help", "Back to Work Programme"),
        "learning-and-work", "advice-service",
        (
            "Help with job searches, applications and interviews.",
            "One-to-one support to find work that suits you.",
        ),
        ("Bring your CV if you have one.", "Computers are available to use."),
        also=("digital-skills",), audience=("adults", "young-people"), slots=OFFICE, free=1.0,
    ),
    T(
        "esol", 10, K.ACTIVITY,
        ("English Conversation Class", "ESOL Class", "English for Speakers of Other Languages"),
        "learning-and-work", "course-or-workshop",
        (
            "Practise speaking English in a relaxed class.",
            "Improve your English for everyday life and work.",
        ),
        ("All levels are welcome.", "Childcare may be available."),
        audience=("adults",), free=0.8,
    ),
    T(
        "adult-learning", 15, K.ACTIVITY,
        (
            "Adult Learning Course", "Maths Refresher Course", "First Aid Course", "Cookery Course",
            "Photography Course",
        ),
        "learning-and-work", "course-or-workshop",
        (
            "A short course for adults who want to learn something new.",
            "Friendly tutors, small classes and no exams unless you want them.",
        ),
        ("Enrol online or by phone.", "Some courses lead to a qualification."),
        audience=("adults",), free=0.4, prices=("15", "25", "40", "60"),
    ),
    T(
        "skills-young", 8, K.SERVICE,
        ("Skills for Work Programme", "Training for Young People"),
        "learning-and-work", "course-or-workshop",
        (
            "Training and work experience for young people aged 16 to 24.",
            "Gain skills and qualifications with support from a mentor.",
        ),
        ("Travel costs are paid.",),
        audience=("young-people",), ages=(16, 24), slots=OFFICE, free=1.0,
    ),
    T(
        "digital", 20, K.ACTIVITY,
        ("Digital Drop-in", "Computer Help", "Tablet and Smartphone Help", "Online Skills Course"),
        "digital-skills", "digital-help",
        (
            "Help with computers, tablets and phones from patient volunteers.",
            "Learn to get online, use email and stay safe on the internet.",
        ),
        ("Bring your own device if you have one.", "Tablets can be borrowed."),
        also=("learning-and-work",), audience=("adults", "older-people"), slots=DAYTIME, free=0.85,
    ),
    # -- volunteering
    T(
        "volunteer-roles", 20, K.SERVICE,
        (
            "Volunteer Driver Role", "Shop Volunteer", "Volunteering Opportunities",
            "Event Volunteers",
        ),
        "volunteering", "volunteering-opportunity",
        (
            "Give a few hours a week and make a real difference.",
            "Volunteering roles to suit your time and skills.",
        ),
        ("Expenses are paid.", "Training is provided."),
        audience=("adults",), slots=OFFICE, free=1.0,
    ),
    T(
        "conservation", 8, K.ACTIVITY,
        ("Conservation Volunteers", "Litter Pick", "Tree Planting Day"),
        "volunteering", "volunteering-opportunity",
        ("Help look after local green spaces.", "Practical outdoor tasks with a friendly team."),
        ("Gloves and tools are provided.", "Wear old clothes and sturdy boots."),
        also=("nature-and-outdoors",), slots=DAYTIME, days=WEEKEND_TOO, free=1.0,
    ),
    T(
        "repair", 5, K.ACTIVITY,
        ("Repair Café", "Fix-it Workshop", "Bike Repair Workshop"),
        "money-and-debt", "repair-cafe",
        (
            "Bring broken things and fix them with help from volunteers.",
            "Bikes, clothes, lamps, toys and small electricals.",
        ),
        ("Donations welcome.",),
        also=("volunteering",), slots=DAYTIME, days=WEEKEND_TOO, free=0.9,
    ),
    # -- families and young people
    T(
        "stay-and-play", 22, K.ACTIVITY,
        ("Stay and Play", "Baby and Toddler Group", "Parent and Toddler Group", "Messy Play"),
        "families", "stay-and-play",
        (
            "Play, songs and stories for little ones and their grown-ups.",
            "A friendly session for babies, toddlers and their parents.",
        ),
        ("Buggy parking inside.", "Snacks for the children."),
        audience=("children", "families"), ages=(0, 5), slots=MORNING, free=0.5,
        prices=("1", "1.50", "2"),
    ),
    T(
        "parenting", 14, K.ACTIVITY,
        ("Parenting Course", "Dads' Group", "Breastfeeding Support", "Family Support Service"),
        "families", "course-or-workshop",
        (
            "Support and ideas for parents, from babies to teenagers.",
            "Meet other parents and share what works.",
        ),
        ("Creche places are available.",),
        also=("mental-health",), audience=("families",), free=0.9,
    ),
    T(
        "after-school", 14, K.ACTIVITY,
        ("Holiday Activity Club", "Homework Club", "After-school Club", "Junior Football Club"),
        "families", "youth-club",
        (
            "Activities, games and a healthy snack for school-age children.",
            "A safe, fun place for children after school and in the holidays.",
        ),
        ("Places must be booked.", "Free places for children on free school meals."),
        audience=("children",), ages=(5, 16), slots=AFTERNOON, days=WEEKEND_TOO, free=0.5,
    ),
    T(
        "youth-club", 14, K.GROUP,
        ("Youth Club", "Youth Drop-in", "Teen Club", "Youth Theatre"),
        "families", "youth-club",
        (
            "A place for young people to hang out, try new things and be heard.",
            "Games, music, sport and trips with youth workers.",
        ),
        ("Youth workers are always there.",),
        also=("mental-health",), audience=("young-people",), ages=(11, 18), slots=EVENING, free=0.7,
    ),
    # -- older people and staying independent
    T(
        "day-centre", 12, K.SERVICE,
        ("Day Centre", "Older People's Day Service", "Good Neighbours Scheme"),
        "older-people", "social-group",
        (
            "A day out with activities, a hot meal and company.",
            "Neighbours helping neighbours with small jobs and a friendly visit.",
        ),
        ("Transport can be arranged.",),
        also=("food",), audience=("older-people",), ages=(60, None),
        slots=OFFICE, free=0.4, prices=("5", "8", "12"),
    ),
    T(
        "independent-living", 20, K.SERVICE,
        (
            "Handyperson Service", "Falls Prevention Service", "Home Adaptations Service",
            "Equipment Loan Service",
        ),
        "staying-independent", "advice-service",
        (
            "Help to stay safe and independent at home.",
            "Small repairs, grab rails and equipment to make life easier.",
        ),
        ("Home visits by appointment.", "Ask us about grants."),
        also=("older-people",), audience=("older-people",), slots=OFFICE, free=0.6,
        prices=("10", "15", "20"),
    ),
    T(
        "home-from-hospital", 12, K.SERVICE,
        ("Home from Hospital Service", "Meals on Wheels", "Telecare Service"),
        "staying-independent", "advice-service",
        (
            "Practical help for the first weeks after a hospital stay.",
            "Support so you can keep living in your own home.",
        ),
        ("Referrals from hospital staff or by phone.",),
        also=("older-people", "food"), audience=("older-people",), slots=OFFICE, free=0.6,
        prices=("4", "5", "10"),
    ),
    # -- disability
    T(
        "disability-groups", 18, K.GROUP,
        (
            "Autism Support Group", "Learning Disability Social Club", "Deaf Club",
            "Sight Loss Support",
        ),
        "disability", "peer-support",
        (
            "A welcoming group run with and for disabled people.",
            "Meet others, share information and have fun.",
        ),
        ("Support workers are welcome.", "Quiet space available."),
        also=("mental-health",), free=0.7,
    ),
    T(
        "disability-advice", 14, K.SERVICE,
        ("Disability Advice Service", "Blue Badge Help", "Independent Living Advice"),
        "disability", "advice-service",
        (
            "Advice for disabled people and their families on rights and services.",
            "Help with forms, assessments and appeals.",
        ),
        ("Easy read information on request.",),
        also=("advice-and-information",), audience=("adults",), slots=OFFICE, free=1.0,
    ),
    T(
        "transport", 24, K.SERVICE,
        ("Community Transport", "Dial-a-Ride", "Volunteer Car Scheme", "Shopping Bus"),
        "getting-about", "community-transport",
        (
            "Door-to-door transport for people who cannot use buses easily.",
            "Volunteer drivers take you to appointments, shops and visits.",
        ),
        ("Book at least two days ahead.", "Wheelchair accessible vehicles."),
        also=("older-people", "disability"), slots=OFFICE, free=0.2, prices=("3", "4", "6"),
    ),
    # -- arts and culture
    T(
        "art", 7, K.ACTIVITY,
        ("Art Group", "Watercolour Painting Class", "Art for Wellbeing", "Pottery Class"),
        "arts-and-culture", "arts-class",
        (
            "Try painting, drawing and making in a relaxed class.",
            "Creative sessions for all abilities, with materials provided.",
        ),
        ("Aprons are provided.",),
        also=("mental-health",), audience=("adults",), free=0.3,
    ),
    T(
        "choir", 7, K.GROUP,
        ("Community Choir", "Singing for Wellbeing", "Ukulele Group", "Brass Band"),
        "arts-and-culture", "choir-and-music",
        (
            "A friendly group where everyone can sing or play.",
            "No auditions and no need to read music.",
        ),
        ("Concerts twice a year.",),
        also=("mental-health",), audience=("adults",), slots=AFTERNOON + EVENING,
        free=0.4,
    ),
    T(
        "reading", 6, K.GROUP,
        ("Book Club", "Reading Group", "Creative Writing Group", "Poetry Group"),
        "arts-and-culture", "reading-group",
        (
            "Read and talk about a different book each month.",
            "Share your writing and get friendly feedback.",
        ),
        ("Books can be borrowed from the library.",),
        audience=("adults",), free=0.8,
    ),
    T(
        "history", 4, K.GROUP,
        ("Local History Group", "Heritage Talks", "Family History Help"),
        "arts-and-culture", "social-group",
        (
            "Talks, visits and research into the history of the area.",
            "Find out about your family tree with experienced volunteers.",
        ),
        ("Visitors are welcome.",),
        also=("older-people",), free=0.5,
    ),
    T(
        "drama", 5, K.GROUP,
        ("Drama Group", "Film Club", "Amateur Theatre"),
        "arts-and-culture", "arts-class",
        ("Acting, improvisation and a show every year.", "A classic film on the big screen."),
        ("No experience needed.",),
        audience=("adults", "young-people"), slots=EVENING,
    ),
    # -- nature
    T(
        "gardening", 18, K.ACTIVITY,
        ("Community Garden", "Gardening Club", "Allotment Group", "Wildlife Garden Volunteers"),
        "nature-and-outdoors", "allotment-and-gardening",
        (
            "Grow fruit, vegetables and flowers with friendly people.",
            "Get outdoors and help look after a shared growing space.",
        ),
        ("Tools and gloves are provided.", "Take home some of what you grow."),
        also=("mental-health", "volunteering"), slots=DAYTIME, days=WEEKEND_TOO, free=0.9,
    ),
    T(
        "green-space", 10, K.GREEN_SPACE,
        ("Community Orchard", "Nature Reserve", "Pocket Park", "Recreation Ground", "Meadow"),
        "nature-and-outdoors", "green-space",
        (
            "A green space looked after by local volunteers, with benches and wildflowers.",
            "An open space with paths, trees and places to sit.",
        ),
        ("Open at all times.", "Dogs on leads, please."),
        slots=OFFICE, days=ALL_DAYS, free=1.0,
    ),
    # -- safety
    T(
        "domestic-abuse", 18, K.SERVICE,
        (
            "Domestic Abuse Support", "Freedom Programme", "Safe Space Drop-in",
            "Independent Domestic Violence Advisers",
        ),
        "domestic-abuse", "counselling",
        (
            "Confidential support for anyone affected by domestic abuse.",
            "Help to stay safe, with advice on housing and the law.",
        ),
        ("Call 999 in an emergency.", "Women-only sessions are available."),
        also=("mental-health",), audience=("adults",), slots=OFFICE, free=1.0,
    ),
)
# fmt: on

EVENT_NAMES = ("Open Day", "Taster Session", "Information Day", "Fun Day", "Drop-in Day")

PROVIDER_NAMES = (
    "{place} Community Association",
    "{place} Good Neighbours",
    "{place} Residents' Association",
    "{place} Methodist Church",
    "St {saint}'s Church, {place}",
    "{place} Community Trust",
    "{tree} Trust",
    "{tree} Community Interest Company",
    "{bird} Project",
    "{place} Wellbeing Network",
    "{place} Youth Project",
    "{place} Age Friendly Group",
    "{tree} House Charity",
    "{bird} Foundation",
    "{place} Health Partnership",
    "{place} Together",
)
SAINTS = ("Mary", "Paul", "Luke", "Chad", "Hilda", "Aidan", "Oswald", "Margaret", "Lawrence")
VENUES = (
    "{place} Community Centre",
    "{place} Community Hub",
    "The {tree} Rooms",
    "{tree} Court Lounge",
    "{place} Scout Hut",
    "{place} Sports Pavilion",
    "{place} Library",
    "{place} Church Hall",
    "{bird} House",
    "{place} Youth Centre",
    "{tree} House",
    "{place} Health Centre",
)
VILLAGE_VENUES = ("{place} Village Hall", "{place} Memorial Hall", "{place} Parish Rooms")
GREEN_VENUES = ("{place} Park", "{place} Green", "{place} Fields", "{tree} Wood")
WHO = {
    "": ("Everyone is welcome.", "Open to anyone who lives or works in York."),
    "children": ("For children and the adults who look after them.",),
    "young-people": ("For young people aged 11 to 25.",),
    "adults": ("For adults of any age.", "For anyone aged 18 or over."),
    "older-people": ("For people aged 60 and over.", "For older people and their families."),
    "carers": ("For unpaid carers of any age.",),
    "families": ("For families with children of any age.",),
}
JOIN = (
    "Just come along. You do not need to book.",
    "Phone to book a place.",
    "Email us to book your place.",
    "Ask your GP, link worker or social worker to refer you, or refer yourself.",
    "Fill in the short form on our website.",
    "Drop in at any time during opening hours.",
)
ACCESS = (  # feature, chance for a building, chance for a green space, detail
    (AccessibilityFeature.Feature.STEP_FREE, 0.7, 0.5, "Level entrance."),
    (AccessibilityFeature.Feature.ACCESSIBLE_TOILET, 0.55, 0.05, "Accessible toilet on site."),
    (AccessibilityFeature.Feature.HEARING_LOOP, 0.3, 0.0, "Hearing loop in the main room."),
    (AccessibilityFeature.Feature.PARKING, 0.45, 0.4, "Car park on site."),
    (AccessibilityFeature.Feature.BLUE_BADGE_PARKING, 0.25, 0.15, "Blue badge spaces."),
    (AccessibilityFeature.Feature.QUIET_SPACE, 0.15, 0.1, "A quiet room you can use."),
    (AccessibilityFeature.Feature.BUS_STOP, 0.6, 0.5, "Bus stop close by."),
    (AccessibilityFeature.Feature.LARGE_PRINT, 0.12, 0.0, "Large print on request."),
    (AccessibilityFeature.Feature.CHANGING_PLACES, 0.03, 0.0, "Changing Places toilet."),
    (AccessibilityFeature.Feature.BSL, 0.03, 0.0, "Some staff use British Sign Language."),
)
ACCESS_PHRASES = {
    AccessibilityFeature.Feature.STEP_FREE: "step-free access",
    AccessibilityFeature.Feature.ACCESSIBLE_TOILET: "an accessible toilet",
    AccessibilityFeature.Feature.HEARING_LOOP: "a hearing loop",
    AccessibilityFeature.Feature.PARKING: "parking",
}


# --- places ------------------------------------------------------------------------------------


class _Places:
    """Points inside York's small areas (and inside the ward each is recorded in), drawn by
    population. Each small area keeps a pool of up to POINTS_PER_AREA tested points."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.wards = list(Ward.objects.order_by("code"))
        self.areas = list(SmallArea.objects.order_by("code"))
        if not self.areas:
            raise RuntimeError("York's small areas are not loaded.")
        self.ward_by_id = {w.pk: w for w in self.wards}
        self.weights = list(_cumulative([a.population or 1000 for a in self.areas]))
        self.pools: dict[int, list[tuple[float, float, Ward]]] = {}

    def pick_area(self) -> int:
        return self.rng.choices(range(len(self.areas)), cum_weights=self.weights)[0]

    def point(self, index: int) -> tuple[float, float, Ward, SmallArea]:
        area = self.areas[index]
        pool = self.pools.setdefault(index, [])
        if len(pool) < POINTS_PER_AREA:
            found = self._new_point(area)
            if found is not None:
                pool.append(found)
                return (*found, area)
            if not pool:
                ward = self.ward_by_id[area.ward_id]
                pool.append((area.centre_lat, area.centre_lon, ward))
        lat, lon, ward = self.rng.choice(pool)
        return lat, lon, ward, area

    def _new_point(self, area: SmallArea) -> tuple[float, float, Ward] | None:
        box = (area.min_lat, area.max_lat, area.min_lon, area.max_lon)
        if area.boundary is None or None in box:
            return None
        for _ in range(40):
            lat = round(self.rng.uniform(box[0], box[1]), 6)
            lon = round(self.rng.uniform(box[2], box[3]), 6)
            if not geo.contains(area.boundary, lat=lat, lon=lon):
                continue
            ward = self._ward_for(lat, lon, preferred=self.ward_by_id[area.ward_id])
            if ward is not None:
                return lat, lon, ward
        return None

    def _ward_for(self, lat: float, lon: float, *, preferred: Ward) -> Ward | None:
        for ward in (preferred, *self.wards):
            if (
                ward.min_lat <= lat <= ward.max_lat
                and ward.min_lon <= lon <= ward.max_lon
                and geo.contains(ward.boundary, lat=lat, lon=lon)
            ):
                return ward
        return None


def _cumulative(values: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


# --- generation --------------------------------------------------------------------------------


@dataclass
class SyntheticResult:
    services: int = 0
    created: dict[str, int] = field(default_factory=dict)
    indexed: int = 0

    def add(self, what: str, n: int) -> None:
        self.created[what] = self.created.get(what, 0) + n


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT the objects as they are, with one executemany: what bulk_create does, less
    its per-value SQL compiling (most of its time), and with no auto_now stamping, so the
    created_at/modified_at set here are kept."""
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]
    # Table and column names come from the models, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


class _Generator:
    def __init__(self, *, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.places = _Places(self.rng)
        terms = terms_by_code()
        self.need_ids = {code: t.pk for (tax, code), t in terms.items() if tax == NEEDS}
        self.type_ids = {code: t.pk for (tax, code), t in terms.items() if tax == SERVICE_TYPES}
        self.audience_ids = {code: t.pk for (tax, code), t in terms.items() if tax == AUDIENCE}
        self.themes = THEMES
        self.theme_weights = list(_cumulative([t.weight for t in THEMES]))
        self.counters = dict.fromkeys(KIND_BITS, 0)
        self.term_through = Service.terms.through

    def next_id(self, kind: str) -> uuid.UUID:
        n = self.counters[kind]
        self.counters[kind] = n + 1
        return synthetic_id(kind, n)

    def moment(self, days_ago_min: int, days_ago_max: int) -> dt.datetime:
        day = self.today - dt.timedelta(days=self.rng.randint(days_ago_min, days_ago_max))
        seconds = self.rng.randint(8 * 3600, 18 * 3600)
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)

    def stamps(self) -> dict[str, dt.datetime]:
        created = self.moment(60, 1500)
        modified = created + dt.timedelta(
            days=self.rng.randint(0, 50), hours=self.rng.randint(0, 8)
        )
        return {"created_at": created, "modified_at": modified}

    # -- one batch: services [start, stop)
    def batch(self, start: int, stop: int) -> dict[type[models.Model], list[models.Model]]:
        rng = self.rng
        out: dict[type[models.Model], list[models.Model]] = {
            m: []
            for m in (
                Provider,
                Location,
                Address,
                AccessibilityFeature,
                Service,
                self.term_through,
                ServiceAtLocation,
                Schedule,
                CostOption,
                Phone,
            )
        }
        # Locations: consecutive ones often share a small area, so a provider's few venues
        # tend to be near each other.
        loc_lo = -(-start // SERVICES_PER_LOCATION)
        loc_hi = -(-stop // SERVICES_PER_LOCATION)
        locations: list[tuple[Location, str]] = []
        area = self.places.pick_area()
        for _ in range(loc_lo, loc_hi):
            if rng.random() < 0.5:
                area = self.places.pick_area()
            location, place = self.location(area, out)
            locations.append((location, place))
        prov_lo = -(-start // SERVICES_PER_PROVIDER)
        prov_hi = -(-stop // SERVICES_PER_PROVIDER)
        providers: list[Provider] = []
        for p in range(prov_lo, prov_hi):
            first_service = p * SERVICES_PER_PROVIDER
            home = locations[
                min(len(locations) - 1, first_service // SERVICES_PER_LOCATION - loc_lo)
            ]
            providers.append(self.provider(home[1], out))
        for i in range(start, stop):
            provider = providers[i // SERVICES_PER_PROVIDER - prov_lo]
            location, place = locations[i // SERVICES_PER_LOCATION - loc_lo]
            self.service(provider, location, place, out)
        return out

    def location(
        self, area_index: int, out: dict[type[models.Model], list[models.Model]]
    ) -> tuple[Location, str]:
        rng = self.rng
        lat, lon, ward, small_area = self.places.point(area_index)
        place = rng.choice(PLACE_NAMES.get(ward.name, (ward.name,)))
        green = rng.random() < 0.06
        if green:
            template = rng.choice(GREEN_VENUES)
        elif ward.name in VILLAGE_WARDS and rng.random() < 0.4:
            template = rng.choice(VILLAGE_VENUES)
        else:
            template = rng.choice(VENUES)
        name = template.format(place=place, tree=rng.choice(TREES), bird=rng.choice(BIRDS))
        if "{place}" not in template:
            name = f"{name}, {place}"
        stamps = self.stamps()
        location = Location(
            id=self.next_id("location"),
            name=name,
            kind=Location.Kind.GREEN_SPACE if green else Location.Kind.VENUE,
            location_type=Location.LocationType.PHYSICAL,
            latitude=lat,
            longitude=lon,
            ward_id=ward.pk,
            small_area_id=small_area.pk,
            **stamps,
        )
        out[Location].append(location)
        sectors = POSTCODE_SECTORS.get(ward.name, ("YO1 9",))
        out[Address].append(
            Address(
                id=self.next_id("address"),
                location_id=location.pk,
                address_1=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                address_2=place if place != ward.name else "",
                city="York",
                postal_code=f"{rng.choice(sectors)}ZZ",
                **stamps,
            )
        )
        features = []
        for feature, p_building, p_green, detail in ACCESS:
            if rng.random() < (p_green if green else p_building):
                features.append(feature)
                out[AccessibilityFeature].append(
                    AccessibilityFeature(
                        id=self.next_id("access"),
                        location_id=location.pk,
                        feature=feature,
                        details=detail,
                        **stamps,
                    )
                )
        location._synthetic_features = features  # type: ignore[attr-defined]
        return location, place

    def provider(self, place: str, out: dict[type[models.Model], list[models.Model]]) -> Provider:
        rng = self.rng
        name = rng.choice(PROVIDER_NAMES).format(
            place=place, tree=rng.choice(TREES), bird=rng.choice(BIRDS), saint=rng.choice(SAINTS)
        )
        pk = self.next_id("provider")
        slug = slugify(name)[:40].strip("-") or "group"
        short = pk.hex[-6:]
        provider = Provider(
            id=pk,
            name=name,
            description=f"A community organisation in {place}. {SYNTHETIC_NOTE}",
            email=f"hello@{slug}-{short}.example.org",
            website=f"https://{slug}-{short}.example.org/",
            is_community_enterprise=rng.random() < 0.05,
            **self.stamps(),
        )
        out[Provider].append(provider)
        return provider

    def service(
        self,
        provider: Provider,
        location: Location,
        place: str,
        out: dict[type[models.Model], list[models.Model]],
    ) -> None:
        rng = self.rng
        theme = self.themes[rng.choices(range(len(self.themes)), cum_weights=self.theme_weights)[0]]
        event = theme.kind != K.GREEN_SPACE and rng.random() < 0.10
        base = rng.choice(theme.names)
        if event:
            base = f"{base} {rng.choice(EVENT_NAMES)}"
        shape = rng.random()
        if theme.kind == K.GREEN_SPACE or shape < 0.45:
            name = f"{place} {base}"
        elif shape < 0.8:
            name = f"{base} at {location.name}"
        else:
            name = f"{base}, {provider.name}"
        name = name[:200]

        free = rng.random() < theme.free * FREE_SCALE
        costs: list[CostOption] = []
        service_id = self.next_id("service")
        stamps = self.stamps()
        if free:
            fees = ""
            cost_sentence = rng.choice(("It is free.", "There is no charge.", "Free."))
        elif rng.random() < 0.15:
            fees = "Pay what you can afford."
            cost_sentence = fees
            costs.append(
                CostOption(
                    id=self.next_id("cost"),
                    service_id=service_id,
                    option="Pay as you feel",
                    amount_description=fees,
                    **stamps,
                )
            )
        else:
            amount = Decimal(rng.choice(theme.prices))
            text = f"£{amount:.2f}".replace(".00", "")
            fees = f"{text} a session."
            cost_sentence = fees
            costs.append(
                CostOption(
                    id=self.next_id("cost"),
                    service_id=service_id,
                    option="Standard",
                    amount=amount,
                    amount_description=f"{text} a session",
                    **stamps,
                )
            )
            if rng.random() < 0.2:
                cost_sentence += " Concessions are available."

        audience = ""
        if theme.audience and rng.random() < 0.7:
            audience = rng.choice(theme.audience)
        min_age, max_age = theme.ages
        if min_age is None and max_age is None and audience == "adults" and rng.random() < 0.3:
            min_age = 18
        features = getattr(location, "_synthetic_features", [])
        access_phrases = [ACCESS_PHRASES[f] for f in features if f in ACCESS_PHRASES]
        access_sentence = ""
        if access_phrases:
            listed = (
                f"{', '.join(access_phrases[:-1])} and {access_phrases[-1]}"
                if len(access_phrases) > 1
                else access_phrases[0]
            )
            access_sentence = f"The venue has {listed}."
        summary = rng.choice(theme.summaries)
        details = " ".join(rng.sample(theme.details, rng.randint(1, len(theme.details))))
        who = rng.choice(WHO.get(audience, WHO[""]))
        join = rng.choice(JOIN)
        description = "\n\n".join(
            p for p in (summary, details, who, cost_sentence, access_sentence) if p
        )
        out[Service].append(
            Service(
                id=service_id,
                provider_id=provider.pk,
                name=name,
                summary=summary,
                description=description,
                kind=K.EVENT if event else theme.kind,
                url=provider.website,
                email=provider.email,
                status=Service.Status.ACTIVE,
                fees=fees,
                is_free=free,
                minimum_age=min_age,
                maximum_age=max_age,
                how_to_join=join,
                state=Service.State.PUBLISHED,
                last_checked_at=self.today - dt.timedelta(days=rng.randint(3, 330)),
                published_at=stamps["created_at"],
                **stamps,
            )
        )
        # Terms: 1-2 needs, one service type, sometimes an audience.
        term_ids = [self.need_ids[theme.need]]
        if theme.also and rng.random() < 0.5:
            term_ids.append(self.need_ids[rng.choice(theme.also)])
        term_ids.append(self.type_ids[theme.service_type])
        if audience:
            term_ids.append(self.audience_ids[audience])
        through = self.term_through
        out[through].extend(through(service_id=service_id, taxonomyterm_id=t) for t in term_ids)

        sal = ServiceAtLocation(
            id=self.next_id("service_at_location"),
            service_id=service_id,
            location_id=location.pk,
            **stamps,
        )
        out[ServiceAtLocation].append(sal)
        for schedule in self.schedules(theme, event=event):
            schedule.id = self.next_id("schedule")
            schedule.service_id = service_id
            schedule.service_at_location_id = sal.pk
            schedule.created_at = stamps["created_at"]
            schedule.modified_at = stamps["modified_at"]
            out[Schedule].append(schedule)
        out[CostOption].extend(costs)
        if rng.random() < 0.5:
            out[Phone].append(
                Phone(
                    id=self.next_id("phone"),
                    service_id=service_id,
                    number=f"01632 960{rng.randint(0, 999):03d}",
                    **stamps,
                )
            )

    def schedules(self, theme: Theme, *, event: bool) -> list[Schedule]:
        rng = self.rng
        (oh, om), (ch, cm) = rng.choice(theme.slots)
        opens, closes = dt.time(oh, om), dt.time(ch, cm)
        if event:
            day = self.today + dt.timedelta(days=rng.randint(0, 60))
            return [Schedule(dtstart=day, freq="", opens_at=opens, closes_at=closes)]
        if theme.kind == K.GREEN_SPACE:
            start = self.today - dt.timedelta(days=rng.randint(400, 3000))
            return [Schedule(dtstart=start, freq="DAILY", description="Open all the time")]
        result = []
        pool = ALL_DAYS if rng.random() < 0.08 else theme.days
        first = rng.choice(pool)
        chosen = [first]
        if rng.random() < 0.2:
            chosen.append(rng.choice([d for d in pool if d != first]))
        n = len(chosen)
        for byday in chosen:
            start = self.today - dt.timedelta(days=rng.randint(30, 1200))
            if theme.slots is OFFICE and rng.random() < 0.5 and n == 1:
                result.append(
                    Schedule(
                        dtstart=start,
                        freq="WEEKLY",
                        byday="MO,TU,WE,TH,FR",
                        opens_at=opens,
                        closes_at=closes,
                        skip_bank_holidays=True,
                    )
                )
                break
            if rng.random() < 0.15:
                week = rng.choice((1, 2, 3, 4, -1))
                result.append(
                    Schedule(
                        dtstart=start,
                        freq="MONTHLY",
                        byday=f"{week}{byday}",
                        opens_at=opens,
                        closes_at=closes,
                    )
                )
            else:
                weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(byday)
                start += dt.timedelta(days=(weekday - start.weekday()) % 7)
                result.append(
                    Schedule(
                        dtstart=start,
                        freq="WEEKLY",
                        byday=byday,
                        interval=2 if rng.random() < 0.1 else 1,
                        opens_at=opens,
                        closes_at=closes,
                        skip_bank_holidays=rng.random() < 0.3,
                    )
                )
            # A second session is often at another time of day.
            (oh, om), (ch, cm) = rng.choice(theme.slots)
            opens, closes = dt.time(oh, om), dt.time(ch, cm)
        return result


WRITE_ORDER = (
    Provider,
    Location,
    Address,
    AccessibilityFeature,
    Service,
    Service.terms.through,
    ServiceAtLocation,
    Schedule,
    CostOption,
    Phone,
)


def ensure_reference_data() -> None:
    """York's places and the taxonomies, loaded when missing."""
    from alongside.core.services import places_load

    if not SmallArea.objects.exists():
        places_load()
    taxonomies_load()


def synthetic_count() -> int:
    lo, hi = _id_range("service")
    return Service.objects.filter(id__gte=lo, id__lte=hi).count()


def synthetic_generate(
    *,
    services: int,
    seed: int = 1,
    today: dt.date | None = None,
    batch_size: int = BATCH_SIZE,
    rebuild_index: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SyntheticResult:
    """Add `services` synthetic public listings. Refuses when synthetic data is already
    there (clear it first), so keys never clash."""
    if services < 1:
        raise ValueError("Ask for at least one listing.")
    if batch_size % 12:
        raise ValueError("The batch size must be a multiple of 12.")
    today = today or dt.date.today()
    ensure_reference_data()
    if synthetic_count():
        raise RuntimeError("There is synthetic data already: clear it first.")
    generator = _Generator(seed=seed, today=today)
    result = SyntheticResult(services=services)
    for start in range(0, services, batch_size):
        stop = min(services, start + batch_size)
        rows = generator.batch(start, stop)
        with transaction.atomic():
            for model in WRITE_ORDER:
                objs = rows[model]
                if objs:
                    _insert(model, objs)
                    result.add(model._meta.model_name, len(objs))
        del rows
        if progress:
            progress(stop, services)
    if rebuild_index:
        from .search.index import rebuild_all

        # The index keeps dates from "today": build it around the same day as the data.
        takes_today = "today" in inspect.signature(rebuild_all).parameters
        result.indexed = (rebuild_all(today=today) if takes_today else rebuild_all()) or 0
    return result


def synthetic_clear() -> dict[str, int]:
    """Remove every synthetic object (and the search rows and anything else pointing at
    them), leaving all other data as it was."""
    removed: dict[str, int] = {}
    s_lo, s_hi = _id_range("service")
    entry_ids = SearchEntry.objects.filter(service_id__gte=s_lo, service_id__lte=s_hi).values("id")
    with transaction.atomic():
        for model in (SearchOccurrence, SearchTerm, SearchPlace):
            n = model.objects.filter(entry_id__in=entry_ids)._raw_delete(model.objects.db)
            removed[model._meta.model_name] = n
        removed["searchentry"] = SearchEntry.objects.filter(
            service_id__gte=s_lo, service_id__lte=s_hi
        )._raw_delete(SearchEntry.objects.db)
        _clear_foreign_references(removed)
        through = Service.terms.through
        removed["service_terms"] = through.objects.filter(
            service_id__gte=s_lo, service_id__lte=s_hi
        )._raw_delete(through.objects.db)
        for model, kind in (
            (Phone, "phone"),
            (CostOption, "cost"),
            (Schedule, "schedule"),
            (ServiceAtLocation, "service_at_location"),
            (Service, "service"),
            (AccessibilityFeature, "access"),
            (Address, "address"),
            (Location, "location"),
            (Provider, "provider"),
        ):
            lo, hi = _id_range(kind)
            n = model.objects.filter(id__gte=lo, id__lte=hi)._raw_delete(model.objects.db)
            removed[model._meta.model_name] = n
    return removed


_MINE = {
    Phone,
    CostOption,
    Schedule,
    ServiceAtLocation,
    Service,
    AccessibilityFeature,
    Address,
    Location,
    Provider,
}


def _clear_foreign_references(removed: dict[str, int]) -> None:
    """Rows made elsewhere that point at synthetic objects (a suggestion about a synthetic
    listing, say): delete them if they would cascade, unlink them otherwise."""
    for model, kind in (
        (Service, "service"),
        (ServiceAtLocation, "service_at_location"),
        (Location, "location"),
        (Provider, "provider"),
    ):
        lo, hi = _id_range(kind)
        for rel in model._meta.related_objects:
            if rel.many_to_many or not rel.field.concrete:
                continue
            related = rel.related_model
            attname = rel.field.attname
            qs = related._base_manager.filter(**{f"{attname}__gte": lo, f"{attname}__lte": hi})
            if related in _MINE:
                # Our own rows are removed by key; only others' rows matter here.
                allkinds = _id_range()
                qs = qs.exclude(pk__gte=allkinds[0], pk__lte=allkinds[1])
                if not qs.exists():
                    continue
            elif not qs.exists():
                continue
            if rel.on_delete is models.SET_NULL:
                removed[f"{related._meta.model_name} unlinked"] = qs.update(
                    **{rel.field.name: None}
                )
            else:
                removed[related._meta.model_name] = qs.delete()[0]
