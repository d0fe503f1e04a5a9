"""/api/v1/feeds/: follow, change, check and delete feeds; errors name the field."""

from __future__ import annotations

import pytest

from scheduler import feeds
from scheduler.models import Feed
from tests.conftest import Cast
from tests.factories import CampaignFactory, SandboxAccountFactory
from tests.fakes.feeds import FeedServer
from tests.scheduler.feeding import feed_server, feed_tasks, follow  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("enqueued")


def test_following_a_feed_reads_it_and_names_it_after_its_title(
    api, cast: Cast, account, server: FeedServer, enqueued: list[int]
) -> None:
    response = api.post(
        "/api/v1/feeds/",
        {"url": server.url("/atom"), "accounts": [account.pk], "mode": "queue"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    feed = Feed.objects.get()
    assert body["id"] == feed.pk and body["name"] == "Acme Blog"
    assert body["accounts"] == [account.pk] and body["mode"] == "queue"
    assert body["template"] == "{title}\n\n{summary}\n\n{link}"
    assert (body["broken"], body["error"], body["item_count"]) == (False, "", 0)
    assert enqueued == [feed.pk]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "/page"}, "url", "This address serves a web page, not an RSS or Atom feed."),
        ({"url": "/gone"}, "url", "The feed's server answered HTTP 404."),
        ({"url": "not a url"}, "url", "Enter a valid URL."),
        (
            {"template": "{title} {author}"},
            "template",
            "Unknown placeholder {author}; use {title}, {link} and {summary}.",
        ),
        ({"accounts": []}, "accounts", "This list may not be empty."),
        ({"mode": "publish"}, "mode", '"publish" is not a valid choice.'),
    ],
)
def test_bad_input_answers_400_naming_the_field(
    api, account, server: FeedServer, data: dict[str, object], field: str, message: str
) -> None:
    server.statuses = {"/gone": 404}
    payload: dict[str, object] = {"url": server.url("/rss"), "accounts": [account.pk], **data}
    if str(payload["url"]).startswith("/"):
        payload["url"] = server.url(str(payload["url"]))

    response = api.post("/api/v1/feeds/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert not Feed.objects.exists()


def test_another_workspaces_account_or_campaign_is_refused(api, cast: Cast, account, server):
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    campaign = CampaignFactory(workspace=cast.outsider.workspace)

    response = api.post(
        "/api/v1/feeds/",
        {"url": server.url("/rss"), "accounts": [theirs.pk], "campaign": campaign.pk},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"accounts", "campaign"}


def test_a_feed_reads_with_its_items_and_its_broken_reason(api, cast: Cast, account, server):
    feed = follow(cast.editor, server.url("/rss"), [account])
    feeds.check(feed.pk)
    server.statuses = {"/rss": 500}
    Feed.objects.filter(pk=feed.pk).update(next_check_at=None)
    feeds.check(feed.pk)

    body = api.as_role("viewer").get(f"/api/v1/feeds/{feed.pk}/").json()

    assert body["broken"] is True and body["failures"] == 1
    assert body["error"] == "The feed's server answered HTTP 500."
    assert body["item_count"] == 3
    posted = [i for i in body["items"] if i["post"]]
    assert [i["guid"] for i in posted] == ["tag:acme,1"] and posted[0]["note"] == ""
    listed = api.get("/api/v1/feeds/").json()
    assert [f["id"] for f in listed["results"]] == [feed.pk]


def test_changing_and_checking_and_deleting(api, cast: Cast, account, enqueued, server) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])

    changed = api.patch(f"/api/v1/feeds/{feed.pk}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert server.requests == []  # the address did not change
    moved = api.patch(f"/api/v1/feeds/{feed.pk}/", {"url": server.url("/page")}, format="json")
    assert moved.json()["errors"] == {
        "url": ["This address serves a web page, not an RSS or Atom feed."]
    }

    checked = api.post(f"/api/v1/feeds/{feed.pk}/check/")
    assert checked.status_code == 202 and enqueued == [feed.pk]

    assert api.delete(f"/api/v1/feeds/{feed.pk}/").status_code == 204
    assert not Feed.objects.exists()


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_only_those_who_schedule_write(api, cast: Cast, account, server, role: str) -> None:
    feed = follow(cast.editor, server.url("/rss"), [account])
    client = api.as_role(role)

    assert client.get("/api/v1/feeds/").status_code == 200
    created = client.post("/api/v1/feeds/", {"url": server.url("/rss")}, format="json")
    assert created.status_code == 403
    assert client.post(f"/api/v1/feeds/{feed.pk}/check/").status_code == 403
    assert client.delete(f"/api/v1/feeds/{feed.pk}/").status_code == 403


def test_another_workspaces_feed_answers_404(api, cast: Cast, account) -> None:
    feed = follow(cast.editor, "https://a.example/rss", [account])
    client = api.as_role("outsider")

    assert client.get(f"/api/v1/feeds/{feed.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/feeds/{feed.pk}/", {"name": "x"}, format="json").status_code == 404
    )
    assert client.post(f"/api/v1/feeds/{feed.pk}/check/").status_code == 404
    assert client.delete(f"/api/v1/feeds/{feed.pk}/").status_code == 404
    assert client.get("/api/v1/feeds/").json()["results"] == []
