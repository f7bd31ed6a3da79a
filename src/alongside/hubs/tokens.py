"""Signed, expiring links in messages: cancel or rebook a booking, take up a place offered
from the waiting list, answer the survey. A token names what it is for, the record and the
record's `token_version`; bumping the version (after a change) makes older links stop
working, and a token older than `HUBS_LINK_DAYS` is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing

_SALT = "alongside.hubs.link"


class BadToken(Exception):
    """The link is altered, for something else, or too old."""


@dataclass(frozen=True)
class TokenData:
    pk: str
    version: int


def make_token(purpose: str, pk: Any, version: int) -> str:
    return signing.dumps([purpose, str(pk), int(version)], salt=_SALT, compress=True)


def read_token(purpose: str, token: str, *, max_age_days: int | None = None) -> TokenData:
    days = settings.HUBS_LINK_DAYS if max_age_days is None else max_age_days
    try:
        value = signing.loads(token, salt=_SALT, max_age=days * 86400)
    except signing.SignatureExpired:
        raise BadToken("This link has expired.") from None
    except signing.BadSignature:
        raise BadToken("This link is not right.") from None
    if not (isinstance(value, list) and len(value) == 3 and value[0] == purpose):
        raise BadToken("This link is not right.")
    return TokenData(pk=value[1], version=int(value[2]))
