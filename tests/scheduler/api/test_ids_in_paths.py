"""An id in a path that is not a number is a 404, never a 400 or a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/evergreen/abc/"),
        ("patch", "/api/v1/evergreen/abc/"),
        ("post", "/api/v1/evergreen/abc/fill/"),
        ("get", "/api/v1/signatures/abc/"),
        ("put", "/api/v1/signatures/abc/"),
        ("get", "/api/v1/templates/abc/"),
        ("post", "/api/v1/templates/abc/use/"),
        ("get", "/api/v1/feeds/abc/"),
        ("post", "/api/v1/feeds/abc/check/"),
        ("get", "/api/v1/snippets/abc/"),
        ("delete", "/api/v1/review-links/abc/"),
        ("post", "/api/v1/approvals/abc/approve/"),
    ],
)
def test_a_path_id_that_is_not_a_number_answers_404(api, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    api.as_role("owner")
    assert getattr(api, method)(path).status_code == 404
