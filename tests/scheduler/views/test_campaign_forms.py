"""Creating, editing and deleting campaigns: validation, UTM defaults and who may."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from scheduler.models import Campaign, Delivery, Post
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory, PostFactory

pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Spring Menu 2027",
        "color": "#16A34A",
        "starts_on": "2027-03-01",
        "ends_on": "2027-05-31",
        "description": "New drinks for spring.",
        "utm_source": "mastodon",
        "utm_medium": "social",
        "utm_campaign": "",
        "utm_term": "",
        "utm_content": "",
    }
    data.update(changes)
    return data


def errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def test_an_editor_creates_a_campaign_with_utm_defaults(cast: Cast) -> None:
    response = signed_in(cast).post("/campaigns/new/", form(utm_content=" banner "))

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.workspace == cast.workspace
    assert (campaign.name, campaign.color) == ("Spring Menu 2027", "#16a34a")
    assert (campaign.starts_on, campaign.ends_on) == (date(2027, 3, 1), date(2027, 5, 31))
    assert campaign.description == "New drinks for spring."
    assert campaign.utm == {
        "source": "mastodon",
        "medium": "social",
        "campaign": "spring-menu-2027",  # a slug of the name when left empty
        "term": "",
        "content": "banner",
    }


def test_a_campaign_value_given_is_kept(cast: Cast) -> None:
    signed_in(cast).post("/campaigns/new/", form(utm_campaign="spring27"))
    assert Campaign.objects.get().utm["campaign"] == "spring27"


def test_dates_and_description_are_optional(cast: Cast) -> None:
    response = signed_in(cast).post(
        "/campaigns/new/", form(starts_on="", ends_on="", description="", utm_source="")
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.starts_on, campaign.ends_on, campaign.description) == (None, None, "")


def test_the_new_form_shows_a_colour_picker_and_date_inputs(cast: Cast) -> None:
    html = signed_in(cast).get("/campaigns/new/").content.decode()
    assert 'type="color" name="color" value="#4f46e5"' in html
    assert 'type="date" name="starts_on"' in html
    assert 'name="utm_campaign"' in html
    assert "Left empty: the campaign\u2019s name as a slug" in html


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"color": "green"}, {"color": ["Give a colour as #rrggbb."]}),
        ({"color": "#12345"}, {"color": ["Give a colour as #rrggbb."]}),
        ({"color": "#12345g"}, {"color": ["Give a colour as #rrggbb."]}),
        (
            {"starts_on": "2027-03-02", "ends_on": "2027-03-01"},
            {"ends_on": ["The end is before the start."]},
        ),
        ({"starts_on": "2027-02-30"}, {"starts_on": ["Enter a valid date."]}),
        (
            {"utm_source": "x" * 101},
            {"utm_source": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
    ],
)
def test_invalid_campaigns_are_refused_with_a_reason(
    cast: Cast, changes: dict[str, str], expected: dict[str, list[str]]
) -> None:
    response = signed_in(cast).post("/campaigns/new/", form(**changes))
    assert response.status_code == 400
    assert errors(response) == expected
    assert not Campaign.objects.exists()


def test_a_name_is_unique_within_the_workspace_only(cast: Cast) -> None:
    CampaignFactory(workspace=cast.workspace, name="Launch")
    CampaignFactory(workspace=cast.outsider.workspace, name="Elsewhere")
    client = signed_in(cast)

    taken = client.post("/campaigns/new/", form(name=" Launch "))
    assert errors(taken) == {"name": ["A campaign with this name exists."]}
    assert 'aria-invalid="true"' in taken.content.decode()
    assert client.post("/campaigns/new/", form(name="Elsewhere")).status_code == 302


def test_editing_keeps_its_own_name_and_shows_its_utm(cast: Cast) -> None:
    campaign = CampaignFactory(
        workspace=cast.workspace, name="Launch", utm={"source": "newsletter", "campaign": "l1"}
    )
    client = signed_in(cast, "admin")
    html = client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert 'name="utm_source" value="newsletter"' in html
    assert 'value="Launch"' in html

    response = client.post(
        f"/campaigns/{campaign.pk}/edit/", form(name="Launch", utm_campaign="l2", color="#000000")
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.color, campaign.utm["campaign"]) == ("Launch", "#000000", "l2")


def test_deleting_a_campaign_keeps_its_posts(cast: Cast, account) -> None:
    campaign = CampaignFactory(workspace=cast.workspace, name="Launch")
    posts = [PostFactory(workspace=cast.workspace, campaign=campaign) for _ in range(2)]
    DeliveryFactory(post=posts[0], account=account, state=Delivery.State.PUBLISHED)
    client = signed_in(cast, "owner")
    confirm = client.get(f"/campaigns/{campaign.pk}/delete/").content.decode()
    assert "Its 2 posts stay as they are" in confirm

    response = client.post(f"/campaigns/{campaign.pk}/delete/", follow=True)

    assert response.redirect_chain == [("/campaigns/", 302)]
    assert not Campaign.objects.exists()
    assert list(Post.objects.order_by("pk").values_list("pk", "campaign")) == [
        (posts[0].pk, None),
        (posts[1].pk, None),
    ]
    assert Delivery.objects.get().state == Delivery.State.PUBLISHED
    assert "Campaign “Launch” deleted. Its 2 posts stay, without a campaign." in (
        response.content.decode()
    )


@pytest.mark.parametrize("role", ["owner", "admin", "editor"])
def test_owners_admins_and_editors_may_edit(cast: Cast, role: str) -> None:
    campaign = CampaignFactory(workspace=cast.workspace)
    client = signed_in(cast, role)
    assert client.get("/campaigns/new/").status_code == 200
    assert client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 200
    assert f'href="/campaigns/{campaign.pk}/edit/"' in (
        client.get(f"/campaigns/{campaign.pk}/").content.decode()
    )


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_only_read(cast: Cast, role: str) -> None:
    campaign = CampaignFactory(workspace=cast.workspace, name="Launch")
    client = signed_in(cast, role)

    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert f'href="/campaigns/{campaign.pk}/edit/"' not in (
        client.get(f"/campaigns/{campaign.pk}/").content.decode()
    )
    assert client.get("/campaigns/new/").status_code == 403
    assert client.post("/campaigns/new/", form()).status_code == 403
    assert client.post(f"/campaigns/{campaign.pk}/edit/", form(name="Hijacked")).status_code == 403
    assert client.post(f"/campaigns/{campaign.pk}/delete/").status_code == 403
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Launch"]
