"""Review cycles over the API (docs/DOMAIN.md rules R51 to R60): create, read, update and
delete a cycle, launch it (the answer carries the launch's status and progress), close and
reopen it, the tracker (paginated), the calibration figures, and a review's reviewer
delegates. The same services and messages as the pages; HR and org admins only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department, Membership
from orgs.policy import Action
from orgs.tenancy import get_membership_for_member

from ..models import Cadence, ParticipantScope, Review, ReviewCycle, ReviewStatus
from ..selectors_cycles import (
    TrackerFilters,
    calibration,
    deadline_of,
    reviewer_delegates,
    tracker_reviews,
)
from ..services import cycles as services
from ..tasks import launch_progress

# --- serializers ------------------------------------------------------------------------------


class ScalePointSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class BandSerializer(serializers.Serializer):
    at_least = serializers.CharField(
        allow_null=True, help_text="An achievement (1 = the target); null on the last band"
    )
    rating = serializers.IntegerField()


class LaunchSerializer(serializers.Serializer):
    status = serializers.CharField(source="launch_status")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    report = serializers.JSONField(source="launch_report")


class CycleSerializer(serializers.ModelSerializer):
    rating_scale = ScalePointSerializer(many=True)
    achievement_bands = BandSerializer(many=True)
    dimensions = serializers.ListField(child=serializers.CharField())
    departments = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    launch = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCycle
        fields = [
            "id",
            "name",
            "cadence",
            "window_start",
            "window_end",
            "participant_scope",
            "departments",
            "members",
            "self_assessment_due",
            "manager_review_due",
            "acknowledgement_due",
            "rating_scale",
            "dimensions",
            *services.WEIGHT_FIELDS,
            "achievement_bands",
            "status",
            "launch",
            "launched_at",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_departments(self, obj) -> list[int]:
        return sorted(d.department_id for d in obj.departments.all())

    def get_members(self, obj) -> list[int]:
        return sorted(p.member_id for p in obj.participants.all())

    def get_launch(self, obj) -> dict:
        progress = launch_progress(obj)
        return {
            "status": obj.launch_status or "",
            "done": progress["done"],
            "total": progress["total"],
            "percent": progress["percent"],
            "report": obj.launch_report,
        }


class CycleWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    cadence = serializers.ChoiceField(choices=Cadence.choices, required=False)
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    participant_scope = serializers.ChoiceField(choices=ParticipantScope.choices, required=False)
    departments = OrgPrimaryKeyRelatedField(model=Department, many=True, required=False)
    members = OrgPrimaryKeyRelatedField(model=Membership, many=True, required=False)
    self_assessment_due = serializers.DateField()
    manager_review_due = serializers.DateField()
    acknowledgement_due = serializers.DateField()
    rating_scale = serializers.ListField(child=serializers.DictField(), required=False)
    dimensions = serializers.ListField(child=serializers.CharField(), required=False)
    weight_manager = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    weight_achievement = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    weight_self = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    weight_growth = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    achievement_bands = serializers.ListField(child=serializers.DictField(), required=False)


def _service_arguments(data: dict) -> tuple[dict, dict]:
    data = dict(data)
    weights = {name: data.pop(name) for name in services.WEIGHT_FIELDS if name in data}
    return data, weights


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField()


class TrackerRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewee = serializers.IntegerField(source="reviewee_id")
    reviewee_name = serializers.CharField(source="reviewee.user.get_full_name")
    department = serializers.SerializerMethodField()
    reviewer = serializers.IntegerField(source="reviewer_id", allow_null=True)
    reviewer_name = serializers.SerializerMethodField()
    status = serializers.CharField()
    due = serializers.SerializerMethodField()
    is_late = serializers.BooleanField()
    final_score = serializers.SerializerMethodField()

    def get_department(self, obj) -> str:
        return obj.reviewee.department.name if obj.reviewee.department_id else ""

    def get_reviewer_name(self, obj) -> str:
        return obj.reviewer.user.get_full_name() if obj.reviewer_id else ""

    def get_due(self, obj) -> str | None:
        due = deadline_of(obj)
        return due.isoformat() if due else None

    def get_final_score(self, obj) -> str | None:
        return str(obj.final_score) if obj.is_shared and obj.final_score is not None else None


class GroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    gap = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    outlier = serializers.BooleanField()
    distribution = serializers.ListField(child=serializers.IntegerField())


class CalibrationSerializer(serializers.Serializer):
    points = ScalePointSerializer(many=True)
    whole = GroupSerializer()
    departments = GroupSerializer(many=True)
    managers = GroupSerializer(many=True)
    without_score = serializers.IntegerField()


class ReviewerDelegateGrantSerializer(serializers.Serializer):
    delegate = OrgPrimaryKeyRelatedField(model=Membership, help_text="A membership id")


class ReviewerDelegateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The delegate's membership id")
    name = serializers.CharField(source="display_name")
    job_title = serializers.CharField()


TRACKER_PARAMETERS = [
    OpenApiParameter("department", int, description="Reviewees of this department and below"),
    OpenApiParameter("status", str, enum=ReviewStatus.values),
    OpenApiParameter("late", bool, description="Only reviews past their stage's deadline"),
]


# --- the view set -----------------------------------------------------------------------------


@documents_tenant_errors
class ReviewCycleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Review cycles: HR and org admins only."""

    queryset = ReviewCycle.objects.prefetch_related("departments", "participants").order_by(
        "-window_start", "-created_at", "-id"
    )
    serializer_class = CycleSerializer
    required_action = Action.MANAGE_REVIEW_CYCLES
    object_action = Action.MANAGE_REVIEW_CYCLES
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def new_object(self, data):
        return ReviewCycle(org=self.org)

    def _answer(self, cycle, code=status.HTTP_200_OK):
        cycle = self.get_queryset().get(pk=cycle.pk)
        return Response(CycleSerializer(cycle).data, status=code)

    @extend_schema(request=CycleWriteSerializer, responses={201: CycleSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CycleWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self._answer(serializer.instance, status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        arguments, weights = _service_arguments(serializer.validated_data)
        serializer.instance = services.cycle_create(
            org=self.org, actor=self.membership, weights=weights, **arguments
        )

    @extend_schema(request=CycleWriteSerializer, responses=CycleSerializer)
    def update(self, request, *args, **kwargs):
        cycle = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = CycleWriteSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        arguments, weights = _service_arguments(serializer.validated_data)
        services.cycle_update(cycle=cycle, actor=self.membership, weights=weights, **arguments)
        return self._answer(cycle)

    @extend_schema(request=CycleWriteSerializer, responses=CycleSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        """Delete a draft cycle that was never launched."""
        services.cycle_delete(cycle=self.get_object(), actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: LaunchSerializer})
    @action(detail=True, methods=["post"])
    def launch(self, request, org_slug=None, pk=None):
        """Launch the cycle (or again, for the reviews still missing): a task creates the
        reviews; follow ``launch`` on the cycle (GET) for its progress and result."""
        cycle = services.cycle_launch(cycle=self.get_object(), actor=self.membership)
        progress = launch_progress(cycle)
        return Response(
            {
                "status": cycle.launch_status,
                "done": progress["done"],
                "total": progress["total"],
                "percent": progress["percent"],
                "report": cycle.launch_report,
            },
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, org_slug=None, pk=None):
        """Close the cycle: every review in it is locked."""
        cycle = services.cycle_close(cycle=self.get_object(), actor=self.membership)
        return self._answer(cycle)

    @extend_schema(request=ReopenSerializer, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, org_slug=None, pk=None):
        """Reopen a closed cycle, with the reason (kept in the audit trail)."""
        cycle = self.get_object()
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.cycle_reopen(
            cycle=cycle, actor=self.membership, reason=data.validated_data["reason"]
        )
        return self._answer(cycle)

    @extend_schema(parameters=TRACKER_PARAMETERS, responses=TrackerRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def tracker(self, request, org_slug=None, pk=None):
        """Where each review stands, by name, and whether it is late; paginated."""
        cycle = self.get_object()
        filters = TrackerParamsSerializer(
            data=request.query_params, context=self.get_serializer_context()
        )
        filters.is_valid(raise_exception=True)
        reviews = tracker_reviews(cycle, TrackerFilters(**filters.validated_data))
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(TrackerRowSerializer(page, many=True).data)

    @extend_schema(responses=CalibrationSerializer)
    @action(detail=True, methods=["get"], pagination_class=None)
    def calibration(self, request, org_slug=None, pk=None):
        """The stored final scores per department and per manager beside the cycle's."""
        result = calibration(self.get_object())
        return Response(CalibrationSerializer(result).data)


class TrackerParamsSerializer(serializers.Serializer):
    # An id, not a lookup: another organisation's department matches nobody here.
    department = serializers.IntegerField(
        source="department_id", required=False, allow_null=True, min_value=1
    )
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    late = serializers.BooleanField(required=False, default=False)


@documents_tenant_errors
class CycleReviewDelegateViewSet(OrgScopedViewSet):
    """A review's reviewer delegates (django-guardian's ``review_as_reviewer`` on it): HR."""

    queryset = Review.objects.select_related("cycle", "reviewee__user", "reviewer__user")
    serializer_class = ReviewerDelegateSerializer
    required_action = Action.MANAGE_REVIEW_CYCLES
    object_action = Action.MANAGE_REVIEW_CYCLES
    # Reading a review's delegates is HR's too.
    object_actions = {"GET": Action.MANAGE_REVIEW_CYCLES}
    pagination_class = None

    def scope_queryset(self, queryset):
        return queryset.filter(cycle_id=self.kwargs.get("cycle_pk"))

    @extend_schema(methods=["GET"], responses=ReviewerDelegateSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ReviewerDelegateGrantSerializer,
        responses=ReviewerDelegateSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"])
    def delegates(self, request, org_slug=None, cycle_pk=None, pk=None):
        """Who may write this review in the reviewer's place (GET), and letting one more
        active member do so (POST)."""
        review = self.get_object()
        if request.method == "POST":
            data = ReviewerDelegateGrantSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            data.is_valid(raise_exception=True)
            services.review_delegate_reviewer(
                review=review, actor=self.membership, delegate=data.validated_data["delegate"]
            )
        return Response(ReviewerDelegateSerializer(reviewer_delegates(review), many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"delegates/(?P<member_pk>\d+)")
    def revoke(self, request, org_slug=None, cycle_pk=None, pk=None, member_pk=None):
        """Take a delegate's grant back."""
        review = self.get_object()
        delegate = get_membership_for_member(self.membership, int(member_pk))
        services.review_revoke_delegate(review=review, actor=self.membership, delegate=delegate)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = SimpleRouter()
router.register("review-cycles", ReviewCycleViewSet, basename="review-cycle")
router.register(
    r"review-cycles/(?P<cycle_pk>\d+)/reviews",
    CycleReviewDelegateViewSet,
    basename="review-cycle-review",
)
urlpatterns = router.urls
