"""Reviews over the API (docs/DOMAIN.md rules R61 to R70): the same services, the same
messages and the same visibility as the pages. A review answers as
reviews/selectors_reviews.py ``review_view`` shows it to the caller: the manager's part is
hidden from the person until shared, the person's self-ratings from the reviewer until both
have submitted. Who may write which part is the services' to say (403 otherwise)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from orgs.api.base import OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.policy import Action

from ..models import Review, ReviewStatus
from ..review_pdf import review_pdf
from ..selectors_reviews import review_view, reviews_visible_to
from ..services import reviews as services
from .agreements import MeaningField

# --- serializers ------------------------------------------------------------------------------


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Cycle(_Named):
    status = serializers.CharField()


class _ScalePoint(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class _Item(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    weight = serializers.CharField()
    actuals = serializers.ListField(child=serializers.DictField())
    achievement = serializers.CharField(allow_null=True)
    periods_with_data = serializers.IntegerField()
    periods_expected = serializers.IntegerField()
    missed_twice = serializers.BooleanField()
    self_rating = serializers.CharField(allow_null=True)
    self_dimensions = serializers.DictField(child=serializers.IntegerField())
    self_comment = serializers.CharField(allow_blank=True)
    manager_rating = serializers.CharField(allow_null=True)
    manager_dimensions = serializers.DictField(child=serializers.IntegerField())
    manager_comment = serializers.CharField(allow_blank=True)


class _Goal(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.CharField()
    measurable_target = serializers.CharField(allow_blank=True)
    progress = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class _BreakdownRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    weight = serializers.CharField()
    effective_weight = serializers.CharField()
    contribution = serializers.CharField(allow_null=True)


class ReviewSerializer(serializers.Serializer):
    """A review as the caller may see it; what they may not see is null or empty."""

    id = serializers.IntegerField()
    cycle = _Cycle()
    reviewee = _Named()
    reviewer = _Named(allow_null=True)
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    rating_scale = _ScalePoint(many=True)
    dimensions = serializers.ListField(child=serializers.CharField())
    kpi_achievement = serializers.CharField(allow_null=True)
    self_submitted_at = serializers.DateTimeField(allow_null=True)
    manager_submitted_at = serializers.DateTimeField(allow_null=True)
    shared_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    sees_self_part = serializers.BooleanField()
    sees_manager_part = serializers.BooleanField()
    items = _Item(many=True)
    goals = _Goal(many=True)
    lessons_learned = serializers.CharField(allow_blank=True)
    manager_comment = serializers.CharField(allow_blank=True)
    development_needs = serializers.CharField(allow_blank=True)
    final_score = serializers.CharField(allow_null=True)
    breakdown = _BreakdownRow(many=True)
    disagreement = serializers.CharField(allow_blank=True)


class ReviewListItemSerializer(serializers.Serializer):
    """A row of the list: who, which cycle, where it stands."""

    id = serializers.IntegerField(source="pk")
    cycle = serializers.IntegerField(source="cycle_id")
    cycle_name = serializers.CharField(source="cycle.name")
    reviewee = serializers.IntegerField(source="reviewee_id")
    reviewee_name = serializers.CharField(source="reviewee.user.get_full_name")
    reviewer = serializers.IntegerField(source="reviewer_id", allow_null=True)
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    self_submitted_at = serializers.DateTimeField(allow_null=True)
    shared_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class ReviewFilterSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    mine = serializers.ChoiceField(
        choices=[("true", "true"), ("false", "false")],
        required=False,
        help_text="true: only my own reviews; false: only those of others I may open.",
    )


class ItemInputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    dimensions = serializers.DictField(
        child=serializers.CharField(allow_null=True, allow_blank=True), required=False
    )
    comment = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class GoalInputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    progress = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)


class SelfAssessmentSerializer(serializers.Serializer):
    items = ItemInputSerializer(many=True, required=False)
    goals = GoalInputSerializer(many=True, required=False)
    lessons_learned = serializers.CharField(required=False, allow_blank=True)
    submit = serializers.BooleanField(
        default=False, help_text="Submit (every KRA rated) rather than save a draft."
    )


class ManagerReviewSerializer(serializers.Serializer):
    items = ItemInputSerializer(many=True, required=False)
    manager_comment = serializers.CharField(required=False, allow_blank=True)
    development_needs = serializers.CharField(required=False, allow_blank=True)
    submit = serializers.BooleanField(
        default=False, help_text="Submit (every KRA rated) rather than save a draft."
    )


class AcknowledgeSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    meaning = MeaningField()
    disagreement = serializers.CharField(required=False, allow_blank=True, default="")


class DevelopmentGoalsSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    added = serializers.ListField(child=serializers.CharField())


def _by_id(rows, *fields) -> dict:
    out = {}
    for row in rows or []:
        out[row["id"]] = {name: row[name] for name in fields if name in row}
    return out


_READERS = {method: Action.VIEW_REVIEW for method in ("GET", "POST")}
_PDF = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF")}


@extend_schema_view(
    list=extend_schema(parameters=[ReviewFilterSerializer], responses=ReviewListItemSerializer),
    retrieve=extend_schema(responses=ReviewSerializer),
)
@documents_tenant_errors
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """Reviews: the person's self-assessment, the manager's review, sharing and the
    acknowledgement by signing (docs/DOMAIN.md rules R61 to R70)."""

    queryset = Review.objects.select_related(
        "org",
        "cycle",
        "reviewee__user",
        "reviewee__department",
        "reviewer__user",
        "agreement",
        "agreement_version",
    ).order_by("-cycle__window_start", "pk")
    serializer_class = ReviewListItemSerializer
    required_action = Action.VIEW_REVIEW
    object_actions = _READERS

    def scope_queryset(self, queryset):
        if self.action != "list":
            # One review: the object policy answers 403 for one the caller may not open.
            return queryset
        filters = read_query(self.request, ReviewFilterSerializer)
        visible = reviews_visible_to(org=self.org, member=self.membership).values("pk")
        queryset = queryset.filter(pk__in=visible)
        if "cycle" in filters:
            queryset = queryset.filter(cycle_id=filters["cycle"])
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if filters.get("mine") == "true":
            queryset = queryset.filter(reviewee=self.membership)
        elif filters.get("mine") == "false":
            queryset = queryset.exclude(reviewee=self.membership)
        return queryset

    def _detail(self, review: Review) -> Response:
        review = self.get_queryset().get(pk=review.pk)
        return Response(
            ReviewSerializer(review_view(review=review, viewer=self.membership).as_api()).data
        )

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=SelfAssessmentSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request, org_slug=None, pk=None):
        """The person saves their self-assessment as a draft, or submits it."""
        review = self.get_object()
        data = SelfAssessmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        services.review_self_assessment_save(
            review=review,
            actor=self.membership,
            items=_by_id(body.get("items"), "rating", "dimensions", "comment"),
            goals=_by_id(body.get("goals"), "progress", "comment"),
            lessons_learned=body.get("lessons_learned"),
            submit=body["submit"],
        )
        return self._detail(review)

    @extend_schema(request=ManagerReviewSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="manager-review")
    def manager_review(self, request, org_slug=None, pk=None):
        """The reviewer (or their delegate) saves their review as a draft, or submits it."""
        review = self.get_object()
        data = ManagerReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        services.review_manager_save(
            review=review,
            actor=self.membership,
            items=_by_id(body.get("items"), "rating", "dimensions", "comment"),
            manager_comment=body.get("manager_comment"),
            development_needs=body.get("development_needs"),
            submit=body["submit"],
        )
        return self._detail(review)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, org_slug=None, pk=None):
        """The reviewer shares the submitted review with the person (its snapshot frozen)."""
        review = self.get_object()
        services.review_share(review=review, actor=self.membership)
        return self._detail(review)

    @extend_schema(request=AcknowledgeSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, org_slug=None, pk=None):
        """The person acknowledges the shared review by signing: password, the statement of
        meaning, an optional disagreement. A wrong password signs nothing and counts towards
        the login lockout."""
        review = self.get_object()
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_acknowledge(
            review=review,
            actor=self.membership,
            password=data.validated_data["password"],
            meaning=data.validated_data["meaning"],
            # The password check and the login lockout read the Django request.
            request=request._request,
            disagreement=data.validated_data["disagreement"],
        )
        return self._detail(review)

    @extend_schema(request=None, responses=DevelopmentGoalsSerializer)
    @action(detail=True, methods=["post"], url_path="development-goals")
    def development_goals(self, request, org_slug=None, pk=None):
        """The development needs become growth goals of the person's next draft agreement."""
        review = self.get_object()
        added = services.review_development_to_goals(review=review, actor=self.membership)
        draft = services.next_draft_agreement(review)
        return Response(
            DevelopmentGoalsSerializer(
                {"agreement": draft.pk if draft else 0, "added": [g.goal for g in added]}
            ).data
        )

    @extend_schema(responses=_PDF)
    @action(detail=True, methods=["get"])
    def pdf(self, request, org_slug=None, pk=None):
        """The review as a PDF, with what the caller may see of it."""
        review = self.get_object()
        response = HttpResponse(
            review_pdf(review=review, viewer=self.membership), content_type="application/pdf"
        )
        name = slugify(f"{review.reviewee.user.get_full_name()} {review.cycle.name}") or "review"
        response["Content-Disposition"] = f'attachment; filename="review-{name}.pdf"'
        return response


router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
