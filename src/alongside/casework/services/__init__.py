"""Writes for casework, one module per part of the work (ADR 0010). Import from here:
`from alongside.casework import services; services.introduction_create(...)`."""

from .caseloads import MAX_LEVEL2_CAPACITY, capacity_set
from .common import check_can_work, episode_audit
from .community import community_work_record, system_intelligence_record
from .connections import connection_add, connection_update, gap_record, need_terms
from .episodes import (
    TRANSITIONS,
    DiversionEntry,
    IntroductionDetails,
    allowed_transitions,
    episode_assign,
    episode_close,
    episode_level_change,
    episode_transition,
    episode_view_record,
    introduction_create,
    record_change,
    team_for_introduction,
    workers_of,
)
from .plan import (
    action_add,
    action_update,
    agreement_save,
    conversation_save,
    goal_add,
    goal_update,
    relationship_add,
    relationship_remove,
)
from .stories import (
    active_story_consents,
    publication_findings,
    story_approve,
    story_decline,
    story_save,
    story_submit,
    story_withdraw,
)
from .timeline import can_correct, can_mark_done, contact_add, contact_update, escalation_done

__all__ = [
    "MAX_LEVEL2_CAPACITY",
    "capacity_set",
    "TRANSITIONS",
    "DiversionEntry",
    "IntroductionDetails",
    "action_add",
    "action_update",
    "active_story_consents",
    "agreement_save",
    "allowed_transitions",
    "can_correct",
    "can_mark_done",
    "check_can_work",
    "community_work_record",
    "connection_add",
    "connection_update",
    "contact_add",
    "contact_update",
    "conversation_save",
    "episode_assign",
    "episode_audit",
    "episode_close",
    "episode_level_change",
    "episode_transition",
    "episode_view_record",
    "escalation_done",
    "gap_record",
    "goal_add",
    "goal_update",
    "introduction_create",
    "need_terms",
    "publication_findings",
    "record_change",
    "relationship_add",
    "relationship_remove",
    "story_approve",
    "story_decline",
    "story_save",
    "story_submit",
    "story_withdraw",
    "system_intelligence_record",
    "team_for_introduction",
    "workers_of",
]
