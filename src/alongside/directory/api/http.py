"""The HTTP behaviour every ORUK endpoint shares: JSON bodies written byte for byte, errors as
JSON (never an HTML page, never a 500 page), open CORS for reading, and conditional GET with a
strong ETag (a hash of the body) and Last-Modified."""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("alongside.directory.api")

JSON_TYPE = "application/json"
NDJSON_TYPE = "application/x-ndjson"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"

# Clients may keep a copy but must check it is still current (cheap, thanks to the ETag):
# a listing taken down must disappear at once.
CACHE_CONTROL = "public, no-cache"


class ApiError(Exception):
    """A request the API refuses; rendered as {"error": code, "detail": message}."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail


def bad_parameter(detail: str, error: str = "invalid_parameter") -> ApiError:
    return ApiError(400, error, detail)


def not_found(detail: str) -> ApiError:
    return ApiError(404, "not_found", detail)


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def error_response(status: int, error: str, detail: str) -> HttpResponse:
    response = HttpResponse(
        dumps({"error": error, "detail": detail}), status=status, content_type=JSON_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def http_timestamp(moment: datetime | None) -> int | None:
    return None if moment is None else calendar.timegm(moment.utctimetuple())


def json_response(
    request: HttpRequest, payload: Any, *, last_modified: datetime | None = None
) -> HttpResponse:
    """200 with the body, or 304 when the client's copy (by ETag or date) is current."""
    return body_response(request, dumps(payload), JSON_TYPE, last_modified=last_modified)


def body_response(
    request: HttpRequest, body: bytes, content_type: str, *, last_modified: datetime | None = None
) -> HttpResponse:
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    timestamp = http_timestamp(last_modified)
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=timestamp, response=response
    )
    if conditional.status_code == 412:
        return error_response(412, "precondition_failed", "The If-Match condition failed.")
    if request.method == "HEAD" and conditional.status_code == 200:
        conditional.content = b""
        conditional["Content-Length"] = str(len(body))
    return conditional


def ndjson_response(lines: Iterable[Any]) -> StreamingHttpResponse:
    """Every result, one JSON object a line, without paging (the `format=ndjson` option)."""

    def stream() -> Iterable[bytes]:
        try:
            for item in lines:
                yield dumps(item) + b"\n"
        except Exception:
            # The status line has gone; log, and end the stream so the client sees it cut short.
            logger.exception("ORUK API stream failed")

    response = StreamingHttpResponse(stream(), content_type=NDJSON_TYPE)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _add_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, X-Request-ID"
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = (
        "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
    )
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = ALLOWED_METHODS
    return response


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Read-only, public, JSON in every outcome: 400/404 for refused requests, 405 for writes,
    and a logged JSON 500 for anything unexpected."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            return _add_cors(_preflight())
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, "method_not_allowed", "This API is read-only: use GET.")
            response["Allow"] = ALLOWED_METHODS
            return _add_cors(response)
        try:
            response = view(request, *args, **kwargs)
        except ApiError as refused:
            response = error_response(refused.status, refused.error, refused.detail)
        except SuspiciousOperation as suspicious:
            # e.g. a Host header not in ALLOWED_HOSTS: the client's fault, not ours.
            logger.warning("ORUK API refused a suspicious request: %s", suspicious)
            response = error_response(400, "bad_request", "The request could not be accepted.")
        except Exception:
            logger.exception("ORUK API request failed", extra={"path": request.path})
            response = error_response(
                500, "server_error", "Something went wrong on our side. Try again later."
            )
        return _add_cors(response)

    return csrf_exempt(wrapper)


@api_view
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under the API: a JSON 404 rather than the site's HTML page."""
    raise not_found("There is no such endpoint in this API. Start at the API root.")
