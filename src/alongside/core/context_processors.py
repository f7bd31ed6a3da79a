from django.conf import settings
from django.http import HttpRequest


def council(request: HttpRequest) -> dict[str, object]:
    """The council's names, for headers and titles."""
    return {"council": settings.COUNCIL}
