import factory
from django.utils import timezone

from kras.models import StrategicObjective
from orgs.models import Department, Membership, Organization, OrgRole, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    mission = "Help every team know what winning looks like."
    vision = "Fair, data-driven reviews everywhere."


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrgRole.MEMBER
    job_title = "Analyst"
    start_date = factory.LazyFunction(timezone.localdate)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Grow recurring revenue {n}")
    description = "Why it matters."
    horizon_years = 3
    position = factory.Sequence(lambda n: n + 1)
