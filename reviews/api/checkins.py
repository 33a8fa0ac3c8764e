"""Check-ins (1:1s) and their actions over the API: the same services, and the same
messages, as the pages (docs/DOMAIN.md rules R71 to R75).

Lists hold only what the caller may read (reviews/selectors_checkins.py ``readable_by``):
their own check-ins, those of their direct reports, those they held, those of a review's
window they are delegated on, and everyone's for HR and org admins. One they may not read
answers 403; another organisation's 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Membership
from orgs.policy import Action

from ..models import CheckIn, CheckInAction, CheckInTopic
from ..selectors_checkins import readable_by
from ..services import checkins as services
from ..services.checkins import ACTION_MAX_LENGTH, TEXT_MAX_LENGTH, ActionInput

# --- serializers ------------------------------------------------------------------------------


class CheckInTopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckInTopic
        fields = ["agreement_item", "title"]
        read_only_fields = fields


class CheckInActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = CheckInAction
        fields = [
            "id",
            "check_in",
            "employee",
            "description",
            "owner",
            "owner_name",
            "due_date",
            "is_open",
            "done_at",
            "done_by",
            "created_at",
        ]
        read_only_fields = fields


class CheckInSerializer(serializers.ModelSerializer):
    employee_name = serializers.CharField(source="employee.display_name", read_only=True)
    manager_name = serializers.SerializerMethodField()
    topics = CheckInTopicSerializer(many=True, read_only=True)
    actions = CheckInActionSerializer(many=True, read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "employee",
            "employee_name",
            "manager",
            "manager_name",
            "held_on",
            "topics",
            "wins",
            "blockers",
            "notes",
            "actions",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_manager_name(self, obj) -> str:
        return obj.manager.display_name if obj.manager_id else ""


class CheckInActionInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An action of this check-in, to change"
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ACTION_MAX_LENGTH
    )
    owner = OrgPrimaryKeyRelatedField(
        model=Membership, required=False, allow_null=True, help_text="The employee or the manager"
    )
    due_date = serializers.DateField(required=False, allow_null=True)
    remove = serializers.BooleanField(required=False, default=False)


class CheckInWriteSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    kras = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        help_text="Ids of the person's agreed KRAs (agreement items) discussed",
    )
    wins = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    blockers = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    actions = CheckInActionInputSerializer(many=True, required=False, default=list)


class CheckInEditSerializer(CheckInWriteSerializer):
    """A check-in's edit: every field is optional, and an omitted field (the date included)
    stays as it is."""

    # No field keeps the create's default: the schema would document one the edit never uses.
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            field.default = empty
        return fields


class CheckInCreateSerializer(CheckInWriteSerializer):
    employee = OrgPrimaryKeyRelatedField(model=Membership)


class CheckInFilterSerializer(serializers.Serializer):
    employee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    held_from = serializers.DateField(required=False)
    held_to = serializers.DateField(required=False)


class CheckInActionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["open", "done", "all"], required=False, default="open"
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Only the actions the caller owns"
    )
    employee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


def _action_inputs(rows) -> list[ActionInput]:
    return [
        ActionInput(
            id=row.get("id"),
            description=row.get("description", ""),
            owner=row.get("owner"),
            due_date=row.get("due_date"),
            remove=row.get("remove", False),
        )
        for row in rows
    ]


# --- viewsets ---------------------------------------------------------------------------------

_EMPTY = {204: OpenApiResponse(description="Deleted")}


@extend_schema_view(
    list=extend_schema(parameters=[CheckInFilterSerializer]),
    create=extend_schema(request=CheckInCreateSerializer, responses={201: CheckInSerializer}),
    partial_update=extend_schema(
        request=CheckInEditSerializer,
        responses={200: CheckInSerializer},
        description="Change a check-in within its edit window. Omitted fields stay as they "
        "are; ``actions`` lists actions to change (by ``id``), remove (``remove``) or add.",
    ),
    destroy=extend_schema(responses=_EMPTY),
)
@documents_tenant_errors
class CheckInViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Check-ins between a person and their manager (docs/DOMAIN.md rules R71 to R75)."""

    queryset = (
        CheckIn.objects.select_related("employee__user", "manager__user")
        .prefetch_related("topics", "actions__owner__user")
        .order_by("-held_on", "-id")
    )
    serializer_class = CheckInSerializer
    required_action = Action.VIEW_CHECK_INS
    object_actions = {
        "GET": Action.VIEW_CHECK_INS,
        "POST": Action.RECORD_CHECK_IN,
        "PATCH": Action.EDIT_CHECK_IN,
        "DELETE": Action.EDIT_CHECK_IN,
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.action == "create":
            return CheckInCreateSerializer
        if self.action == "partial_update":
            return CheckInEditSerializer
        return CheckInSerializer

    def scope_queryset(self, queryset):
        if self.action != "list":
            return queryset  # one check-in: the object policy answers 403 for one not theirs
        filters = read_query(self.request, CheckInFilterSerializer)
        queryset = queryset.filter(readable_by(self.membership))
        if "employee" in filters:
            queryset = queryset.filter(employee_id=filters["employee"])
        if "held_from" in filters:
            queryset = queryset.filter(held_on__gte=filters["held_from"])
        if "held_to" in filters:
            queryset = queryset.filter(held_on__lte=filters["held_to"])
        return queryset

    def new_object(self, data):
        return CheckIn(org=self.org, employee=data["employee"])

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        check_in = self.queryset.filter(org=self.org).get(pk=pk)
        return Response(CheckInSerializer(check_in).data, status=code)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        self.created = services.check_in_record(
            actor=self.membership,
            employee=data["employee"],
            held_on=data["held_on"],
            kras=data["kras"],
            wins=data["wins"],
            blockers=data["blockers"],
            notes=data["notes"],
            actions=_action_inputs(data["actions"]),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self._answer(self.created.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        check_in = self.get_object()
        data = CheckInEditSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kras = values.get("kras")
        if kras is None:
            kras = [t.agreement_item_id for t in check_in.topics.all() if t.agreement_item_id]
        services.check_in_update(
            check_in=check_in,
            actor=self.membership,
            held_on=values.get("held_on", check_in.held_on),
            kras=kras,
            wins=values.get("wins", check_in.wins),
            blockers=values.get("blockers", check_in.blockers),
            notes=values.get("notes", check_in.notes),
            actions=_action_inputs(values.get("actions", [])),
        )
        return self._answer(check_in.pk)

    def destroy(self, request, *args, **kwargs):
        services.check_in_delete(check_in=self.get_object(), actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(parameters=[CheckInActionFilterSerializer]))
@documents_tenant_errors
class CheckInActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """Actions agreed at check-ins: open until marked done; open ones carry to the next
    check-in (docs/DOMAIN.md rule R72)."""

    queryset = CheckInAction.objects.select_related(
        "owner__user", "check_in__employee", "check_in__manager"
    ).order_by("done_at", "due_date", "id")
    serializer_class = CheckInActionSerializer
    required_action = Action.VIEW_CHECK_INS
    object_actions = {"GET": Action.VIEW_CHECK_INS, "POST": Action.UPDATE_CHECK_IN_ACTION}
    lookup_value_regex = r"\d+"

    def scope_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filters = read_query(self.request, CheckInActionFilterSerializer)
        queryset = queryset.filter(readable_by(self.membership, "check_in__"))
        if filters["mine"]:
            queryset = queryset.filter(owner=self.membership)
        if filters["status"] == "open":
            queryset = queryset.filter(done_at__isnull=True)
        elif filters["status"] == "done":
            queryset = queryset.filter(done_at__isnull=False)
        if "employee" in filters:
            queryset = queryset.filter(employee_id=filters["employee"])
        return queryset

    @extend_schema(request=None, responses={200: CheckInActionSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, org_slug=None, pk=None):
        """Mark the action done (done twice is done once)."""
        row = services.check_in_action_done(action=self.get_object(), actor=self.membership)
        return Response(CheckInActionSerializer(row).data)

    @extend_schema(request=None, responses={200: CheckInActionSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, org_slug=None, pk=None):
        """Open a done action again: it carries to the next check-in once more."""
        row = services.check_in_action_reopen(action=self.get_object(), actor=self.membership)
        return Response(CheckInActionSerializer(row).data)


router = SimpleRouter()
# The actions first: "check-ins/actions/" is not a check-in's id.
router.register("check-ins/actions", CheckInActionViewSet, basename="check-in-action")
router.register("check-ins", CheckInViewSet, basename="check-in")
urlpatterns = router.urls
