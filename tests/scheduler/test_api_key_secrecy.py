"""An API key's secret is on one page, once: never in a log line, a later page or an error report."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, RequestFactory
from django.views.debug import SafeExceptionReporterFilter
from rest_framework.test import APIClient

from scheduler import apikeys
from scheduler.models import ApiKey
from tests.conftest import Cast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_key_s_whole_life_logs_nothing_of_its_secret(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    web = Client()
    web.force_login(cast.viewer.user)
    created = web.post("/profile/keys/", {"name": "Robot"})
    key = ApiKey.objects.get()
    [secret] = re.findall(r'id="new-key-secret"[^>]* value="([^"]+)"', created.content.decode())
    assert secret.startswith(f"smo_{key.lookup}_")

    api = APIClient(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/posts/").status_code == 200
    assert api.post("/api/v1/posts/", {"text": "x"}, format="json").status_code == 403
    assert api.get("/api/v1/posts/999999/").status_code == 404
    wrong = APIClient(headers={"Authorization": f"Bearer {secret}x"})
    assert wrong.get("/api/v1/posts/").status_code == 401
    web.post(f"/profile/keys/{key.pk}/revoke/")
    assert api.get("/api/v1/posts/").status_code == 401

    later = [
        web.get("/profile/").content.decode(),
        APIClient().get("/api/v1/keys/").content.decode(),
    ]
    hidden = secret.split("_", 2)[2]
    assert caplog.records  # the 4xx answers were logged, only without the key
    for record in caplog.records:
        assert hidden not in record.getMessage()
        assert hidden not in str(record.__dict__)
    for page in later:
        assert hidden not in page


def test_error_reports_hide_the_authorization_header(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Robot")
    request = RequestFactory().get("/api/v1/posts/", HTTP_AUTHORIZATION=f"Bearer {new.secret}")
    meta = SafeExceptionReporterFilter().get_safe_request_meta(request)
    assert meta["HTTP_AUTHORIZATION"] == SafeExceptionReporterFilter.cleansed_substitute


def test_the_admin_shows_keys_without_secret_or_hash_and_revokes_them(cast: Cast) -> None:
    new = apikeys.create(cast.editor, "Robot")
    staff = Client()
    staff.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    pages = [
        staff.get("/admin/scheduler/apikey/").content.decode(),
        staff.get(f"/admin/scheduler/apikey/{new.key.pk}/change/").content.decode(),
    ]
    assert "Robot" in pages[0]
    for page in pages:
        assert new.secret.split("_", 2)[2] not in page
        assert new.key.hashed not in page
    assert staff.get("/admin/scheduler/apikey/add/").status_code == 403
    staff.post(
        "/admin/scheduler/apikey/",
        {"action": "revoke", "_selected_action": [new.key.pk]},
    )
    new.key.refresh_from_db()
    assert new.key.revoked_at is not None
