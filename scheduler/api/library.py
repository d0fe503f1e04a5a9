"""The library in the API: snippets and hashtag groups, account signatures, and
post templates (with POST /templates/{id}/use/ to create a post from one)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from channels.models import SocialAccount
from scheduler import library, posts
from scheduler.api.serializers import PostReadSerializer, PostWriteSerializer
from scheduler.api.views import WorkspaceViewSet, api_fields, post_input
from scheduler.models import AccountSignature, Campaign, Post, PostTemplate, Snippet


class SnippetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Snippet
        fields = ["id", "name", "kind", "body", "created_at"]
        read_only_fields = ["id", "created_at"]


class LibraryViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Saves through scheduler.library, whose errors name the field (400)."""

    def _save(self, serializer: serializers.BaseSerializer) -> None:
        raise NotImplementedError

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer)


class SnippetViewSet(LibraryViewSet):
    """Snippets and hashtag groups (kind "hashtags": each word a #hashtag)."""

    serializer_class = SnippetSerializer
    queryset = Snippet.objects.none()  # the schema's model; get_queryset scopes

    def get_queryset(self) -> QuerySet[Snippet]:
        return Snippet.objects.filter(workspace=self.membership.workspace)

    def _save(self, serializer: serializers.BaseSerializer) -> None:
        try:
            serializer.instance = library.save_snippet(
                self.membership, dict(serializer.validated_data), serializer.instance
            )
        except posts.PostErrors as exc:
            raise ValidationError(exc.errors) from exc


class TemplateSerializer(serializers.ModelSerializer):
    campaign_id = serializers.IntegerField(required=False, allow_null=True)
    account_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    media_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    thread = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False
    )
    overrides = serializers.JSONField(required=False)
    name = serializers.CharField(max_length=200, allow_blank=True)

    class Meta:
        model = PostTemplate
        fields = [
            "id",
            "name",
            "text",
            "link",
            "first_comment",
            "thread",
            "overrides",
            "media_ids",
            "account_ids",
            "campaign_id",
            "track_links",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def validate_overrides(self, value: object) -> dict[str, Any]:
        try:
            return posts.clean_overrides(value)
        except posts.PostErrors as exc:
            raise ValidationError(next(iter(exc.errors.values()))) from exc

    def validate_campaign_id(self, value: int | None) -> int | None:
        workspace = self.context["membership"].workspace
        if (
            value is not None
            and not Campaign.objects.filter(workspace=workspace, pk=value).exists()
        ):
            raise ValidationError(_("No such campaign in this workspace."))
        return value

    def validate_account_ids(self, value: list[int]) -> list[int]:
        workspace = self.context["membership"].workspace
        found = set(
            SocialAccount.objects.filter(workspace=workspace, pk__in=value).values_list(
                "pk", flat=True
            )
        )
        missing = [i for i in value if i not in found]
        if missing:
            raise ValidationError(
                _("No such account in this workspace: %s.") % ", ".join(map(str, missing))
            )
        return list(dict.fromkeys(value))

    def validate_media_ids(self, value: list[int]) -> list[int]:
        from scheduler.models import MediaAsset

        workspace = self.context["membership"].workspace
        found = set(
            MediaAsset.objects.filter(workspace=workspace, pk__in=value).values_list(
                "pk", flat=True
            )
        )
        missing = [i for i in value if i not in found]
        if missing:
            raise ValidationError(
                _("No such media in this workspace: %s.") % ", ".join(map(str, missing))
            )
        return list(dict.fromkeys(value))


class TemplateViewSet(LibraryViewSet):
    """Post templates. POST /templates/{id}/use/ creates a post from one: the
    body takes the fields of POST /posts/, and those not given come from the
    template (its accounts no longer connected and its deleted media are left out)."""

    serializer_class = TemplateSerializer
    queryset = PostTemplate.objects.none()  # the schema's model; get_queryset scopes

    def get_queryset(self) -> QuerySet[PostTemplate]:
        return PostTemplate.objects.filter(workspace=self.membership.workspace)

    def _save(self, serializer: serializers.BaseSerializer) -> None:
        fields = dict(serializer.validated_data)
        name = fields.pop("name", serializer.instance.name if serializer.instance else "")
        if "campaign_id" in fields:
            campaign_id = fields.pop("campaign_id")
            fields["campaign"] = (
                Campaign.objects.get(pk=campaign_id) if campaign_id is not None else None
            )
        try:
            serializer.instance = library.save_template(
                self.membership, name, fields, serializer.instance
            )
        except posts.PostErrors as exc:
            raise ValidationError(exc.errors) from exc

    @extend_schema(request=PostWriteSerializer, responses={201: PostReadSerializer})
    @action(detail=True, methods=["post"])
    def use(self, request: Request, pk: str | None = None) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"body": [_("Send a JSON object.")]})
        template = self.get_object()
        start = library.resolve(template)
        given = {
            "text": template.text,
            "link": template.link,
            "first_comment": template.first_comment,
            "thread": list(template.thread),
            "overrides": dict(template.overrides),
            "track_links": template.track_links,
            "account_ids": [a.pk for a in start.accounts],
            "media_ids": [m.pk for m in start.media],
            "campaign_id": start.campaign.pk if start.campaign else None,
            **request.data,
        }
        serializer = PostWriteSerializer(data=given, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            post = posts.create_post(self.membership, post_input(dict(serializer.validated_data)))
        except posts.PostErrors as exc:
            raise ValidationError(api_fields(exc.errors)) from exc
        fresh = Post.objects.filter(pk=post.pk).prefetch_related("deliveries__account").get()
        body = PostReadSerializer(fresh, context=self.get_serializer_context()).data
        return Response({**body, "left_out": start.dropped}, status=status.HTTP_201_CREATED)


class SignatureSerializer(serializers.ModelSerializer):
    account_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = AccountSignature
        fields = ["account_id", "text", "auto_add", "updated_at"]
        read_only_fields = ["account_id", "updated_at"]


class SignatureViewSet(WorkspaceViewSet, mixins.ListModelMixin):
    """Each account's signature; GET/PUT /signatures/{account id}/ (editors and up)."""

    serializer_class = SignatureSerializer
    # An account id is digits; anything else is a 404 before the view runs.
    lookup_value_regex = "[0-9]+"
    queryset = AccountSignature.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_schedule"
    lookup_field = "account_id"

    def get_queryset(self) -> QuerySet[AccountSignature]:
        return AccountSignature.objects.filter(account__workspace=self.membership.workspace)

    def _account(self, account_id: str) -> SocialAccount:
        return get_object_or_404(
            SocialAccount, pk=int(account_id), workspace=self.membership.workspace
        )

    def retrieve(self, request: Request, account_id: str) -> Response:
        account = self._account(account_id)
        found = AccountSignature.objects.filter(account=account).first()
        found = found or AccountSignature(account=account, text="", auto_add=False)
        return Response(SignatureSerializer(found).data)

    def update(self, request: Request, account_id: str) -> Response:
        account = self._account(account_id)
        serializer = SignatureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved, _created = AccountSignature.objects.update_or_create(
            account=account, defaults=dict(serializer.validated_data)
        )
        return Response(SignatureSerializer(saved).data)
