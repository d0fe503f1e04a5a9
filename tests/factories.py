from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from channels.models import SocialAccount
from scheduler.models import Campaign, Delivery, Membership, Post, Role, User, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    timezone = "Europe/Stockholm"
    password = factory.django.Password("correct horse battery")


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    timezone = "Europe/Stockholm"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.EDITOR


class SandboxAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    network = "sandbox"
    external_id = factory.LazyFunction(lambda: f"sandbox-{secrets.token_hex(6)}")
    name = factory.Sequence(lambda n: f"Sandbox {n}")
    handle = factory.Sequence(lambda n: f"sandbox_{n}")
    credentials = factory.LazyFunction(lambda: {"token": "sandbox-secret-" + secrets.token_hex(8)})
    options = factory.LazyFunction(dict)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    workspace = factory.SubFactory(WorkspaceFactory)
    text = factory.Sequence(lambda n: f"Post number {n}")
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A delivery of a new post to a new sandbox account in one workspace."""

    class Meta:
        model = Delivery

    post = factory.SubFactory(PostFactory)
    account = factory.SubFactory(
        SandboxAccountFactory, workspace=factory.SelfAttribute("..post.workspace")
    )
    state = Delivery.State.SCHEDULED
    scheduled_at = factory.SelfAttribute("post.scheduled_at")
    due_at = factory.SelfAttribute("post.scheduled_at")
