"""The staff roles. Each is a Group with explicit permissions, created by data migrations
(accounts/migrations/0002_roles.py); later apps add permissions with their own migrations."""

from __future__ import annotations

ADMINISTRATOR = "Administrator"
DIRECTORY_EDITOR = "Directory editor"
FRONT_DOOR_OFFICER = "Front-door officer"
TALKING_POINT_PRACTITIONER = "Talking Point practitioner"
LOCAL_AREA_COORDINATOR = "Local Area Coordinator"
TEAM_MANAGER = "Team manager"
LINK_WORKER = "Link worker"
VOLUNTEER_COORDINATOR = "Volunteer coordinator"
ANALYST = "Analyst"
PARTNER = "Partner"
HEALTH_REFERRER = "Health referrer"
WELFARE_CALLER = "Welfare caller"

ALL_ROLES = [
    ADMINISTRATOR,
    DIRECTORY_EDITOR,
    FRONT_DOOR_OFFICER,
    TALKING_POINT_PRACTITIONER,
    LOCAL_AREA_COORDINATOR,
    TEAM_MANAGER,
    LINK_WORKER,
    VOLUNTEER_COORDINATOR,
    ANALYST,
    PARTNER,
    HEALTH_REFERRER,
    WELFARE_CALLER,
]

ROLE_DESCRIPTIONS = {
    ADMINISTRATOR: "Manages staff accounts, teams, roles and neighbourhoods; handles subject "
    "access requests and lawful erasure.",
    DIRECTORY_EDITOR: "Looks after the community directory and its listings.",
    FRONT_DOOR_OFFICER: "Takes first contacts and finds or adds people to the shared record.",
    TALKING_POINT_PRACTITIONER: "Holds Talking Point conversations in community hubs.",
    LOCAL_AREA_COORDINATOR: "Walks alongside people in their ward.",
    TEAM_MANAGER: "Leads a team: sees its work, who has looked at records, and the audit log.",
    LINK_WORKER: "Social prescribing: takes referrals and connects people to groups.",
    VOLUNTEER_COORDINATOR: "Coordinates volunteers and welfare calls.",
    ANALYST: "Sees reports and figures only, never personal data.",
    PARTNER: "A voluntary group: its own listings and the referrals sent to it.",
    HEALTH_REFERRER: "GP practice, hospital or therapy staff: refer people to social prescribing "
    "and see the status of the referrals they sent.",
    WELFARE_CALLER: "A volunteer or member of staff making welfare calls from their daily list.",
}
