"""Approval steps, review links and step-by-step decisions over the API.

The same rules as the pages (scheduler/workflow.py, review_links.py,
approvals.py): owners and admins set the steps; those who approve make and revoke
review links; a decision is taken at the step a post waits at, by the people of
that step (viewers at client steps, so these endpoints let every role write and
leave the check to approvals.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from scheduler import approvals, review_links, workflow
from scheduler.api.views import Conflict, WorkspaceViewSet
from scheduler.models import ApprovalWorkflow, Post, ReviewLink


class StepSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    by = serializers.ChoiceField(choices=ApprovalWorkflow.By.choices)


class WorkflowSerializer(serializers.Serializer):
    steps = StepSerializer(many=True)  # empty: workflow.check_steps says so
    every_post = serializers.BooleanField(default=False)


class ApprovalStepsViewSet(WorkspaceViewSet):
    """GET the workspace's approval steps; PUT {"steps": [...], "every_post": bool}
    (owners and admins)."""

    serializer_class = WorkflowSerializer
    write_permission = "can_manage_people"

    def retrieve(self, request: Request) -> Response:
        flow = workflow.of(self.membership.workspace_id)
        steps = [{"name": s.name, "by": s.by} for s in flow.steps]
        return Response({"steps": steps, "every_post": flow.every_post})

    def update(self, request: Request) -> Response:
        serializer = WorkflowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            workflow.save(self.membership, [dict(s) for s in data["steps"]], data["every_post"])
        except workflow.WorkflowError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return self.retrieve(request)


class ReviewLinkSerializer(serializers.ModelSerializer):
    post_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, write_only=True
    )
    campaign_id = serializers.IntegerField(required=False, write_only=True)
    days = serializers.IntegerField(
        required=False, write_only=True, default=review_links.DEFAULT_DAYS
    )
    posts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = ReviewLink
        fields = [
            "id",
            "reviewer_name",
            "reviewer_email",
            "posts",
            "post_ids",
            "campaign_id",
            "days",
            "created_by",
            "created_at",
            "expires_at",
            "expired",
        ]
        read_only_fields = ["id", "posts", "created_by", "created_at", "expires_at"]

    def get_expired(self, obj: ReviewLink) -> bool:
        return not obj.is_open


class ReviewLinkViewSet(
    WorkspaceViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Review links not revoked. POST makes one and answers its `url` (only then:
    SMO keeps only a hash of its token); DELETE revokes."""

    serializer_class = ReviewLinkSerializer
    queryset = ReviewLink.objects.none()  # the schema's model; get_queryset scopes
    write_permission = "can_approve"

    def get_queryset(self) -> QuerySet[ReviewLink]:
        return review_links.listed(self.membership.workspace_id).prefetch_related("posts")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            link, token = review_links.create(
                self.membership,
                reviewer_name=data["reviewer_name"],
                reviewer_email=data.get("reviewer_email", ""),
                post_ids=data.get("post_ids"),
                campaign_id=data.get("campaign_id"),
                days=data["days"],
            )
        except review_links.LinkError as exc:
            field = {"posts": "post_ids", "campaign": "campaign_id"}.get(exc.field, exc.field)
            raise ValidationError({field: [exc.message]}) from exc
        body = dict(self.get_serializer(link).data)
        body["url"] = request.build_absolute_uri(reverse("review-page", args=[token]))
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ReviewLink) -> None:
        review_links.revoke(self.membership, instance)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    step = serializers.IntegerField(required=False, min_value=0)
    publish_now = serializers.BooleanField(required=False, default=False)
    new_time = serializers.DateTimeField(required=False)


class ApprovalViewSet(WorkspaceViewSet):
    """POST /approvals/{post id}/approve/ (or request-changes/, reject/): decide at
    the step the post waits at; `step` makes a decision made meanwhile a 409."""

    serializer_class = DecisionSerializer
    write_permission = None
    # Only digits reach the view (anything else is a 404, not a failed lookup), and
    # the schema reads the id's type from the model.
    lookup_value_regex = "[0-9]+"
    queryset = Post.objects.none()

    def _decide(self, request: Request, pk: str | None, kind: str) -> Response:
        post = Post.objects.filter(pk=pk, workspace_id=self.membership.workspace_id).first()
        if post is None:
            raise Http404
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        at_step = data.get("step")
        try:
            if kind == "approve":
                approvals.approve(
                    self.membership,
                    post,
                    publish_now=data["publish_now"],
                    new_time=data.get("new_time"),
                    note=data["comment"],
                    at_step=at_step,
                )
            elif kind == "changes":
                approvals.request_changes(self.membership, post, data["comment"], at_step=at_step)
            else:
                approvals.reject(self.membership, post, data["comment"], at_step=at_step)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except approvals.TimePassed as exc:
            raise ValidationError({"new_time": [exc.message]}) from exc
        except approvals.ReviewError as exc:
            if not data["comment"].strip() and kind != "approve":
                raise ValidationError({"comment": [exc.message]}) from exc
            raise Conflict(exc.message) from exc
        post.refresh_from_db()
        flow = workflow.of(post.workspace_id)
        return Response(
            {
                "id": post.pk,
                "status": Post.objects.prefetch_related("deliveries").get(pk=post.pk).status,
                "approval_step": post.approval_step,
                "step": flow.at(post.approval_step).name,
            }
        )

    @extend_schema(request=DecisionSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, pk, "approve")

    @extend_schema(request=DecisionSerializer, responses={200: None})
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, pk, "changes")

    @extend_schema(request=DecisionSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, pk, "reject")
