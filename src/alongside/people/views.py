from django.http import HttpResponse

from alongside.core.permissions import staff_required


@staff_required("people.view_person")
def person_list(request):
    return HttpResponse("TODO")
