"""The composer shows Google Business Profile's post settings (type, event and
offer fields, button) for a ticked location, and keeps what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.models import SocialAccount
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_ticked_location_shows_the_post_type_event_offer_and_button_fields(cast: Cast) -> None:
    account = SocialAccount.objects.create(
        workspace=cast.workspace,
        network="gbp",
        external_id="accounts/1/locations/2",
        name="Acme Bakery (Leeds)",
        credentials={"access_token": "ya29.x", "refresh_token": "1//x"},
    )
    client = Client()
    client.force_login(cast.role("editor").user)
    data = {
        "accounts": [account.pk],
        "opt-gbp-topic": "EVENT",
        "opt-gbp-event_title": "Bun festival",
        "opt-gbp-button": "BOOK",
    }

    html = client.post("/compose/options/", data).content.decode()

    assert '<fieldset class="options-section" data-network="gbp">' in html
    for name in (
        "topic",
        "event_title",
        "event_start",
        "event_end",
        "coupon_code",
        "redeem_url",
        "terms",
        "button",
        "button_url",
    ):
        assert f'name="opt-gbp-{name}"' in html
    assert '<option value="EVENT" selected>Event</option>' in html
    assert '<option value="BOOK" selected>Book</option>' in html
    assert 'value="Bun festival"' in html
