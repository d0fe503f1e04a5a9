"""A campaign's UTM defaults tag every link a post sends, and the composer shows it."""

from __future__ import annotations

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler import content
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory

pytestmark = pytest.mark.django_db
UTM = {"source": "smo", "medium": "social", "campaign": "spring-menu"}
TAGS = "utm_source=smo&utm_medium=social&utm_campaign=spring-menu"


def test_every_link_of_a_campaigns_post_is_tagged_for_the_network() -> None:
    delivery = DeliveryFactory(
        post__text="Menu: https://cafe.example.com/menu?lang=sv.",
        post__link="https://cafe.example.com/",
        post__first_comment="Book at https://cafe.example.com/book",
        post__thread=["More: https://cafe.example.com/more#top"],
        post__campaign=CampaignFactory(utm=UTM),
    )
    sent = content.content_for(delivery)
    assert sent.text == f"Menu: https://cafe.example.com/menu?lang=sv&{TAGS}."
    assert sent.link == f"https://cafe.example.com/?{TAGS}"
    assert sent.first_comment == f"Book at https://cafe.example.com/book?{TAGS}"
    assert sent.thread == (f"More: https://cafe.example.com/more?{TAGS}#top",)


def test_a_post_without_a_campaign_sends_its_links_as_written() -> None:
    delivery = DeliveryFactory(post__text="See https://cafe.example.com/", post__campaign=None)
    assert content.content_for(delivery).text == "See https://cafe.example.com/"


def test_the_composer_preview_shows_the_tagged_link(cast: Cast) -> None:
    campaign = CampaignFactory(workspace=cast.workspace, utm=UTM)
    account = SocialAccount.objects.create(
        workspace=cast.workspace, network="facebook", external_id="1", name="Acme"
    )
    client = Client()
    client.force_login(cast.role("editor").user)
    response = client.post(
        "/compose/check/",
        {
            "text": "Menu: https://cafe.example.com/menu",
            "campaign": campaign.pk,
            "accounts": [account.pk],
        },
    )
    [meter] = response.context["meters"]
    assert meter.text == f"Menu: https://cafe.example.com/menu?{TAGS}"
    assert meter.used == len(meter.text)  # Facebook counts the whole tagged link
