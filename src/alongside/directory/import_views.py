"""Staff pages to import the directory from a file and to download exports.

Who may use them: directory editors (anyone with `directory.add_service` and
`directory.change_service`). An upload is checked with a dry run first; the report lists
every problem, each naming its record. Confirming imports exactly the file that was checked:
the confirm form carries it back compressed and signed (bound to the editor, valid for an
hour), so nothing is kept on the server between the two steps and no worker needs to share
storage. Files up to 5 MB are imported within the request; larger ones with the
`directory_import` command.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.core.permissions import staff_required

from .hsds_export import export_queryset_count, iter_csv, iter_json
from .hsds_import import directory_import_bytes

TEMPLATE = Path(__file__).parent / "data" / "directory_import_template.csv"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TOKEN_MAX_AGE = 60 * 60
SALT = "alongside.directory.import"
EDITOR_PERMS = ("directory.add_service", "directory.change_service")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={"required": "Select a JSON or CSV file to import"},
    )
    draft = forms.BooleanField(
        required=False, label="Add new listings as drafts, for an editor to check and publish"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".json", ".csv")):
            raise forms.ValidationError("The selected file must be a JSON or CSV file")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The selected file must be smaller than 5 MB (import larger files with the "
                "directory_import command)"
            )
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        return upload


def _format_for(name: str) -> str:
    return "csv" if name.lower().endswith(".csv") else "json"


def _salt(request: HttpRequest) -> str:
    return f"{SALT}:{request.user.pk}"


def _page(request: HttpRequest, form: UploadForm, **context) -> HttpResponse:
    return render(
        request,
        "directory/import/start.html",
        {
            "form": form,
            "public_count": export_queryset_count(),
            "all_count": export_queryset_count(all_states=True),
            **context,
        },
    )


@staff_required(*EDITOR_PERMS)
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a file and see what importing it would change (a dry run)."""
    if request.method == "GET":
        return _page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    upload = form.cleaned_data["file"]
    raw = upload.read()
    file_format = _format_for(upload.name)
    draft = form.cleaned_data["draft"]
    report = directory_import_bytes(
        raw=raw,
        file_format=file_format,
        dry_run=True,
        draft=draft,
        actor=request.user,
        source=upload.name,
    )
    token = ""
    if report.ok and report.any_changes:
        token = signing.dumps(
            {
                "name": upload.name,
                "format": file_format,
                "draft": draft,
                "content": raw.decode("utf-8", "replace"),
            },
            salt=_salt(request),
            compress=True,
        )
        if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            token = ""
            report.warnings.insert(
                0,
                "This file is too large to confirm from this page: import it with the "
                "directory_import command.",
            )
    return render(
        request,
        "directory/import/report.html",
        {"report": report, "file_name": upload.name, "token": token, "draft": draft},
    )


@staff_required(*EDITOR_PERMS)
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file that was checked."""
    try:
        data = signing.loads(
            request.POST.get("token", ""), salt=_salt(request), max_age=TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return _page(request, UploadForm(), expired=True)
    report = directory_import_bytes(
        raw=data["content"].encode("utf-8"),
        file_format=data["format"],
        draft=data["draft"],
        actor=request.user,
        source=data["name"],
    )
    return render(
        request,
        "directory/import/report.html",
        {"report": report, "file_name": data["name"], "token": "", "draft": data["draft"]},
    )


@staff_required(*EDITOR_PERMS)
@require_GET
def export_download(request: HttpRequest) -> StreamingHttpResponse:
    """The directory as ORUK JSON or CSV, streamed. `all=1` includes every editorial state."""
    file_format = "csv" if request.GET.get("format") == "csv" else "json"
    all_states = request.GET.get("all") == "1"
    pieces = (iter_csv if file_format == "csv" else iter_json)(all_states=all_states)
    stamp = timezone.localdate().isoformat()
    scope = "all" if all_states else "public"
    response = StreamingHttpResponse(
        pieces,
        content_type="text/csv; charset=utf-8"
        if file_format == "csv"
        else "application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="directory-{scope}-{stamp}.{file_format}"'
    )
    return response


@staff_required(*EDITOR_PERMS)
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """The CSV template, with one example row."""
    response = HttpResponse(TEMPLATE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="directory-import-template.csv"'
    return response
