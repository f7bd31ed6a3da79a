"""Administration pages (to be completed)."""

from django.http import HttpResponse

from alongside.core.permissions import staff_required


@staff_required("accounts.manage_users")
def user_list(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def user_create(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def user_detail(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def user_edit(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def team_list(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def team_create(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def team_detail(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def team_edit(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def organisation_list(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def organisation_create(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def organisation_edit(request, pk=None):
    return HttpResponse("TODO")


@staff_required("accounts.manage_users")
def role_list(request, pk=None):
    return HttpResponse("TODO")


@staff_required("core.change_neighbourhood")
def neighbourhood_list(request, pk=None):
    return HttpResponse("TODO")


@staff_required("core.change_neighbourhood")
def neighbourhood_edit(request, pk=None):
    return HttpResponse("TODO")


@staff_required("core.search_auditevent")
def audit_log(request, pk=None):
    return HttpResponse("TODO")

