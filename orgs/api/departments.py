from rest_framework import mixins

from ..models import Department
from .base import OrgScopedViewSet


class DepartmentViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    queryset = Department.objects.all()
