from django.http import HttpRequest

MY_LIST_SESSION_KEY = "my_list"  # a list of listing (Service) ids as strings, oldest first


def my_list(request: HttpRequest) -> dict[str, object]:
    """How many listings are in the visitor's My list, for the header. Reads the session only
    when the visitor already has one, so pages stay cookie-free for everyone else."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None and not session.modified:
        return {"my_list_count": 0}
    return {"my_list_count": len(session.get(MY_LIST_SESSION_KEY, []))}
