"""Bulk import of posts from a CSV file: upload, preview row by row, then import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from scheduler import csv_import
from scheduler.views.access import workspace_page

# The preview waits in the session between the upload and the import, per workspace.
SESSION_KEY = "smo-import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _stored(request: HttpRequest) -> dict[str, object] | None:
    stored = request.session.get(SESSION_KEY)
    workspace_id = request.membership.workspace_id  # type: ignore[attr-defined]
    if not isinstance(stored, dict) or stored.get("workspace") != workspace_id:
        return None
    return stored


def _keep(request: HttpRequest, name: str, rows: list[csv_import.Row]) -> None:
    request.session[SESSION_KEY] = {
        "workspace": request.membership.workspace_id,  # type: ignore[attr-defined]
        "name": name,
        "rows": [r.as_dict() for r in rows],
    }


def _page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    stored = _stored(request)
    rows = [csv_import.Row(**r) for r in stored["rows"]] if stored else []  # type: ignore[index, union-attr]
    context = {
        "form": form,
        "rows": rows,
        "file_name": stored["name"] if stored else "",
        "valid": sum(r.ok for r in rows),
        "max_rows": csv_import.MAX_ROWS,
        "max_kb": csv_import.MAX_FILE_BYTES // 1024,
    }
    return render(request, "scheduler/import.html", context, status=status)


@workspace_page("can_write")
def import_posts(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, form)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(csv_import.MAX_FILE_BYTES + 1)
        try:
            rows = csv_import.read(raw)
        except csv_import.ImportRejected as exc:
            form.add_error("file", str(exc))
        else:
            rows = csv_import.check(request.membership, rows)  # type: ignore[attr-defined]
            _keep(request, upload.name, rows)
            # Post/redirect/get: reloading the preview does not upload again.
            return redirect("import-posts")
    return _page(request, form, status=400)


@require_POST
@workspace_page("can_write")
def import_confirm(request: HttpRequest) -> HttpResponse:
    stored = _stored(request)
    if stored is None:
        messages.error(request, gettext_lazy("Upload a file first."))
        return redirect("import-posts")
    rows = [csv_import.Row(**r) for r in stored["rows"]]  # type: ignore[attr-defined]
    try:
        created = csv_import.save(request.membership, rows)  # type: ignore[attr-defined]
    except csv_import.RowsChanged as exc:
        _keep(request, str(stored["name"]), exc.rows)
        messages.error(request, str(exc))
        return redirect("import-posts")
    except csv_import.ImportRejected as exc:
        messages.error(request, str(exc))
        return redirect("import-posts")
    del request.session[SESSION_KEY]
    messages.success(
        request,
        ngettext("Imported %(n)s post.", "Imported %(n)s posts.", len(created))
        % {"n": len(created)},
    )
    return redirect("import-posts")


@require_POST
@workspace_page("can_write")
def import_discard(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("import-posts")


urlpatterns = [
    path("posts/import/", import_posts, name="import-posts"),
    path("posts/import/confirm/", import_confirm, name="import-posts-confirm"),
    path("posts/import/discard/", import_discard, name="import-posts-discard"),
]
