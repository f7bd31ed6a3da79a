"""Reference vocabularies for the directory: residents' needs, service types and audiences.

Each term has a plain-English description and the words residents use for it (synonyms),
which search matches as well as the name. Staff may rename terms and edit descriptions and
synonyms: loading again only adds what is missing and never overwrites their changes.

`external_taxonomy`/`external_code` map a term to a published list (such as the LGA lists
used with Open Referral UK). They are left blank here: fill them in only from the published
list itself, never by guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .models import Taxonomy, TaxonomyTerm

NEEDS = "needs"
SERVICE_TYPES = "service-types"
AUDIENCE = "audience"


@dataclass(frozen=True)
class TermSpec:
    code: str
    name: str
    description: str
    synonyms: tuple[str, ...] = ()
    parent: str = ""
    external_taxonomy: str = ""
    external_code: str = ""


@dataclass(frozen=True)
class TaxonomySpec:
    code: str
    name: str
    description: str
    terms: tuple[TermSpec, ...]
    version: str = "1"


T = TermSpec

NEEDS_TAXONOMY = TaxonomySpec(
    code=NEEDS,
    name="Needs",
    description=(
        "What people are looking for help with, in their own words. "
        "Use it to find groups, activities and services by need."
    ),
    terms=(
        T(
            "loneliness-and-isolation",
            "Loneliness and isolation",
            "Meeting people, making friends and feeling part of your community.",
            (
                "lonely",
                "isolated",
                "on my own",
                "alone",
                "no one to talk to",
                "company",
                "making friends",
                "meeting people",
                "social isolation",
            ),
        ),
        T(
            "mental-health",
            "Mental health and wellbeing",
            "Support with how you feel, including stress, worry and low mood.",
            (
                "anxiety",
                "anxious",
                "depression",
                "stress",
                "low mood",
                "feeling down",
                "wellbeing",
                "worried",
                "panic attacks",
                "mental wellbeing",
            ),
        ),
        T(
            "money-and-debt",
            "Money and debt",
            "Help with bills, debts and benefits, and making your money go further.",
            (
                "money worries",
                "debt",
                "skint",
                "broke",
                "bills",
                "benefits",
                "universal credit",
                "cost of living",
                "arrears",
                "budgeting",
                "can't pay",
            ),
        ),
        T(
            "housing",
            "Housing and home",
            "Help to find a home, keep your home, and keep it safe and warm.",
            (
                "homeless",
                "rent",
                "landlord",
                "eviction",
                "repairs",
                "damp",
                "cold home",
                "heating",
                "council house",
                "somewhere to live",
            ),
        ),
        T(
            "carers",
            "Caring for someone",
            "Support if you look after a family member, partner or friend.",
            (
                "carer",
                "caring",
                "looking after someone",
                "young carer",
                "respite",
                "a break from caring",
                "looking after mum",
                "looking after dad",
            ),
        ),
        T(
            "dementia",
            "Dementia and memory",
            "Support for people living with dementia or memory problems, "
            "and for the people close to them.",
            (
                "memory loss",
                "memory problems",
                "forgetful",
                "forgetting things",
                "Alzheimer's",
                "confused",
            ),
        ),
        T(
            "physical-activity",
            "Keeping active",
            "Ways to move more at your own pace, from gentle exercise to sport.",
            (
                "exercise",
                "fitness",
                "keep fit",
                "sport",
                "get moving",
                "gentle exercise",
                "dance",
                "yoga",
                "walking",
                "chair exercise",
            ),
        ),
        T(
            "food",
            "Food",
            "Food banks, pantries, shared meals and help to eat well.",
            (
                "hungry",
                "food bank",
                "food parcel",
                "meals",
                "lunch",
                "cooking",
                "pantry",
                "healthy eating",
                "can't afford food",
            ),
        ),
        T(
            "digital-skills",
            "Getting online",
            "Help using phones, tablets, computers and the internet.",
            (
                "computer",
                "internet",
                "online",
                "tablet",
                "iPad",
                "smartphone",
                "email",
                "wifi",
                "digital",
                "video calls",
            ),
        ),
        T(
            "learning-and-work",
            "Learning and work",
            "Courses and new skills, and help to find work.",
            (
                "job",
                "jobs",
                "employment",
                "training",
                "courses",
                "skills",
                "CV",
                "college",
                "unemployed",
                "back to work",
            ),
        ),
        T(
            "volunteering",
            "Volunteering",
            "Ways to give your time and help others in your community.",
            (
                "volunteer",
                "giving back",
                "helping out",
                "get involved",
                "community action",
                "help my community",
            ),
        ),
        T(
            "families",
            "Families and children",
            "Activities and support for parents, children and families.",
            (
                "parents",
                "kids",
                "children",
                "toddlers",
                "baby",
                "parenting",
                "mums",
                "dads",
                "grandparents",
            ),
        ),
        T(
            "older-people",
            "Later life",
            "Activities and support for people in later life.",
            (
                "older people",
                "elderly",
                "pensioners",
                "retired",
                "retirement",
                "over 60s",
                "OAP",
                "ageing well",
            ),
        ),
        T(
            "disability",
            "Disability",
            "Support and activities for disabled people, including people with a learning "
            "disability, autistic people and people with sight or hearing loss.",
            (
                "disabled",
                "learning disability",
                "autism",
                "autistic",
                "sight loss",
                "blind",
                "hearing loss",
                "deaf",
                "wheelchair user",
                "SEND",
            ),
        ),
        T(
            "bereavement",
            "Bereavement",
            "Support after someone close to you has died.",
            (
                "grief",
                "grieving",
                "loss",
                "death",
                "widowed",
                "lost someone",
                "funeral",
            ),
        ),
        T(
            "physical-health",
            "Physical health",
            "Looking after your body and living well with a health condition.",
            (
                "health",
                "long-term condition",
                "diabetes",
                "heart",
                "COPD",
                "breathing",
                "pain",
                "stroke",
                "weight",
                "blood pressure",
            ),
        ),
        T(
            "substance-use",
            "Alcohol and drugs",
            "Support to cut down or stop drinking or using drugs, and help for families.",
            (
                "alcohol",
                "drinking",
                "drugs",
                "addiction",
                "recovery",
                "sober",
                "cutting down",
            ),
        ),
        T(
            "arts-and-culture",
            "Arts and culture",
            "Creative activities, music, theatre, heritage and museums.",
            (
                "art",
                "music",
                "singing",
                "crafts",
                "painting",
                "drama",
                "creative",
                "culture",
                "heritage",
                "history",
                "museum",
            ),
        ),
        T(
            "nature-and-outdoors",
            "Nature and outdoors",
            "Green spaces, gardening, wildlife and time outdoors.",
            (
                "gardening",
                "outdoors",
                "parks",
                "nature",
                "wildlife",
                "allotment",
                "green space",
                "fresh air",
                "countryside",
            ),
        ),
        T(
            "advice-and-information",
            "Advice and information",
            "Someone to talk things through with, who can point you to the right help.",
            (
                "advice",
                "information",
                "help",
                "signposting",
                "who can help",
                "where to go",
                "drop-in",
                "questions",
            ),
        ),
        T(
            "staying-independent",
            "Staying independent at home",
            "Equipment, small changes and help at home so you can keep doing things yourself.",
            (
                "equipment",
                "adaptations",
                "help at home",
                "mobility",
                "falls",
                "handrails",
                "home help",
                "staying at home",
            ),
        ),
        T(
            "getting-about",
            "Getting about",
            "Community transport and help to get out and about.",
            (
                "transport",
                "bus",
                "lift",
                "community transport",
                "travel",
                "getting out",
                "can't get out",
            ),
        ),
        T(
            "domestic-abuse",
            "Domestic abuse",
            "Safe, confidential help if someone close to you hurts, threatens or controls you.",
            (
                "domestic violence",
                "abusive relationship",
                "controlling partner",
                "unsafe at home",
                "coercive control",
            ),
        ),
    ),
)

SERVICE_TYPES_TAXONOMY = TaxonomySpec(
    code=SERVICE_TYPES,
    name="Service types",
    description="What kind of group, activity or service a listing is.",
    terms=(
        T(
            "befriending",
            "Befriending",
            "A volunteer visits or phones regularly for a chat.",
            ("befriender", "someone to visit", "phone friend", "telephone befriending"),
        ),
        T(
            "social-group",
            "Social group",
            "A friendly group that meets to chat and do things together.",
            ("social club", "coffee morning", "meet up", "get together"),
        ),
        T(
            "peer-support",
            "Peer support group",
            "People with something in common support each other.",
            ("support group", "self-help group", "people like me"),
        ),
        T(
            "advice-service",
            "Advice service",
            "Free, confidential advice from trained staff or volunteers.",
            ("advice drop-in", "advice line", "help desk"),
        ),
        T(
            "lunch-club",
            "Lunch club",
            "A hot meal and company, usually for older people.",
            ("dinner club", "luncheon club", "community lunch"),
        ),
        T(
            "exercise-class",
            "Exercise class",
            "A led class to keep fit, from seated exercise to dance.",
            ("fitness class", "chair exercise", "tai chi", "yoga", "keep fit", "pilates"),
        ),
        T(
            "walking-group",
            "Walking group",
            "A group that walks together at an easy pace.",
            ("health walk", "walks", "rambling", "strolling"),
        ),
        T(
            "craft-group",
            "Craft group",
            "Make things together: knitting, sewing, painting and more.",
            ("knit and natter", "knitting", "sewing", "crochet", "crafts"),
        ),
        T(
            "choir-and-music",
            "Choir and music",
            "Sing or play music with others. No experience needed.",
            ("choir", "singing", "music group", "band", "ukulele"),
        ),
        T(
            "food-bank-and-pantry",
            "Food bank or pantry",
            "Free or low-cost food for people who need it.",
            ("food bank", "food pantry", "community fridge", "food parcel"),
        ),
        T(
            "community-cafe",
            "Community café",
            "A friendly café run for the community, often by volunteers.",
            ("cafe", "café", "pay as you feel café", "tea and coffee"),
        ),
        T(
            "digital-help",
            "Digital help",
            "Help with phones, tablets, computers and getting online.",
            ("computer help", "tech help", "digital drop-in", "IT help"),
        ),
        T(
            "volunteering-opportunity",
            "Volunteering opportunity",
            "A chance to give your time to help others.",
            ("volunteer role", "volunteer opportunity"),
        ),
        T(
            "carers-group",
            "Carers' group",
            "A group for people who look after someone.",
            ("carers group", "carers support", "carers' café"),
        ),
        T(
            "dementia-cafe",
            "Dementia café",
            "A relaxed meeting place for people living with dementia and those close to them.",
            ("memory café", "memory cafe", "dementia friendly"),
        ),
        T(
            "mens-shed",
            "Men's shed",
            "A workshop space to make and mend things and chat. Most are open to everyone.",
            ("mens shed", "shed", "woodwork", "workshop"),
        ),
        T(
            "allotment-and-gardening",
            "Allotment or gardening group",
            "Grow food and flowers and look after green spaces together.",
            ("community garden", "allotment", "gardening club", "growing"),
        ),
        T(
            "stay-and-play",
            "Stay and play",
            "Play sessions for babies and young children with a parent or carer.",
            ("toddler group", "baby group", "playgroup", "parent and toddler"),
        ),
        T(
            "youth-club",
            "Youth club",
            "A safe place for young people to meet, with activities and trips.",
            ("youth group", "teen club", "youth centre"),
        ),
        T(
            "repair-cafe",
            "Repair café",
            "Bring broken things and fix them with volunteers' help.",
            ("fix it", "mend", "repair"),
        ),
        T(
            "reading-group",
            "Reading and book group",
            "Read and talk about books together.",
            ("book club", "book group", "reading"),
        ),
        T(
            "arts-class",
            "Arts class",
            "Learn and practise painting, drawing, drama or other arts.",
            ("art class", "painting class", "drama group", "creative writing"),
        ),
        T(
            "counselling",
            "Counselling and talking support",
            "Talk in confidence to a trained counsellor or listener.",
            ("counsellor", "talking therapy", "listening service"),
        ),
        T(
            "course-or-workshop",
            "Course or workshop",
            "A set of sessions to learn something new.",
            ("class", "training", "workshop", "course"),
        ),
        T(
            "community-event",
            "Community event",
            "A one-off or regular event open to everyone: fairs, talks, parties and days out.",
            ("event", "fair", "fun day", "open day", "talk"),
        ),
        T(
            "warm-space",
            "Warm space",
            "A free, warm, welcoming place to spend time, often with a hot drink.",
            ("warm bank", "warm welcome", "welcome space"),
        ),
        T(
            "green-space",
            "Park or green space",
            "A park, nature area or community garden open to visit.",
            ("park", "nature reserve", "community orchard", "playing field"),
        ),
        T(
            "community-transport",
            "Community transport",
            "Door-to-door transport for people who cannot easily use buses.",
            ("dial a ride", "minibus", "lifts", "door to door"),
        ),
    ),
)

AUDIENCE_TAXONOMY = TaxonomySpec(
    code=AUDIENCE,
    name="Audience",
    description="Who a listing is for.",
    terms=(
        T(
            "children",
            "Children",
            "Children up to the age of 12, usually with a parent or carer.",
            ("kids", "under 12s", "toddlers", "babies"),
        ),
        T(
            "young-people",
            "Young people",
            "Young people aged 13 to 25.",
            ("teenagers", "teens", "youth", "young adults"),
        ),
        T("adults", "Adults", "People aged 18 and over.", ("grown-ups", "over 18s")),
        T(
            "older-people",
            "Older people",
            "People in later life, usually aged 60 and over.",
            ("over 60s", "pensioners", "elderly", "retired"),
        ),
        T(
            "carers",
            "Carers",
            "People who look after a family member, partner or friend.",
            ("carer", "unpaid carers", "young carers"),
        ),
        T(
            "families",
            "Families",
            "Parents, grandparents and children together.",
            ("parents", "family", "grandparents"),
        ),
    ),
)

TAXONOMIES: tuple[TaxonomySpec, ...] = (NEEDS_TAXONOMY, SERVICE_TYPES_TAXONOMY, AUDIENCE_TAXONOMY)


@dataclass
class TaxonomyLoadResult:
    taxonomies_created: int = 0
    terms_created: int = 0
    terms_kept: int = 0
    created_codes: list[str] = field(default_factory=list)


@transaction.atomic
def taxonomies_load(*, taxonomies: tuple[TaxonomySpec, ...] = TAXONOMIES) -> TaxonomyLoadResult:
    """Add any missing taxonomies and terms. Running it again changes nothing, and terms
    already present are kept exactly as staff have them (names, descriptions, synonyms)."""
    result = TaxonomyLoadResult()
    for spec in taxonomies:
        taxonomy = Taxonomy.objects.filter(code=spec.code).first()
        if taxonomy is None:
            taxonomy = Taxonomy(
                code=spec.code,
                name=spec.name,
                description=spec.description,
                version=spec.version,
            )
            taxonomy.full_clean()
            taxonomy.save()
            result.taxonomies_created += 1
        existing = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy=taxonomy)}
        for term_spec in _parents_first(spec.terms):
            if term_spec.code in existing:
                result.terms_kept += 1
                continue
            term = TaxonomyTerm(
                taxonomy=taxonomy,
                code=term_spec.code,
                name=term_spec.name,
                description=term_spec.description,
                synonyms="\n".join(term_spec.synonyms),
                parent=existing.get(term_spec.parent) if term_spec.parent else None,
                external_taxonomy=term_spec.external_taxonomy,
                external_code=term_spec.external_code,
            )
            term.full_clean()
            term.save()
            existing[term.code] = term
            result.terms_created += 1
            result.created_codes.append(f"{spec.code}/{term.code}")
    return result


def _parents_first(terms: tuple[TermSpec, ...]) -> list[TermSpec]:
    by_code = {t.code: t for t in terms}
    ordered: list[TermSpec] = []
    seen: set[str] = set()

    def visit(term: TermSpec) -> None:
        if term.code in seen:
            return
        seen.add(term.code)
        if term.parent and term.parent in by_code:
            visit(by_code[term.parent])
        ordered.append(term)

    for term in terms:
        visit(term)
    return ordered


def terms_by_code() -> dict[tuple[str, str], TaxonomyTerm]:
    """Every loaded term keyed by (taxonomy code, term code), e.g. ("needs", "food")."""
    return {(t.taxonomy.code, t.code): t for t in TaxonomyTerm.objects.select_related("taxonomy")}
