"""Factories for accounts. One subclass per role, so tests read as who is acting."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from alongside.accounts import roles
from alongside.accounts.models import Membership, Organisation, Team, User

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.COUNCIL


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with no role. Pass `team=` to put them in a team."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    organisation = factory.SubFactory(OrganisationFactory, name="City of York Council")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_role(obj, create, extracted, **kwargs):  # noqa: N805
        """`UserFactory(with_role="Link worker")` gives the user that role."""
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def team(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            Membership.objects.create(team=extracted, user=obj)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()  # keeps the password set above


def _role_factory(role_name: str) -> type[UserFactory]:
    class RoleFactory(UserFactory):
        @factory.post_generation
        def role(obj, create, extracted, **kwargs):  # noqa: N805
            if create:
                obj.groups.add(Group.objects.get(name=role_name))

    RoleFactory.__name__ = RoleFactory.__qualname__ = (
        f"{role_name.title().replace(' ', '').replace('-', '')}Factory"
    )
    return RoleFactory


AdministratorFactory = _role_factory(roles.ADMINISTRATOR)
DirectoryEditorFactory = _role_factory(roles.DIRECTORY_EDITOR)
FrontDoorOfficerFactory = _role_factory(roles.FRONT_DOOR_OFFICER)
TalkingPointPractitionerFactory = _role_factory(roles.TALKING_POINT_PRACTITIONER)
LocalAreaCoordinatorFactory = _role_factory(roles.LOCAL_AREA_COORDINATOR)
TeamManagerFactory = _role_factory(roles.TEAM_MANAGER)
LinkWorkerFactory = _role_factory(roles.LINK_WORKER)
VolunteerCoordinatorFactory = _role_factory(roles.VOLUNTEER_COORDINATOR)
AnalystFactory = _role_factory(roles.ANALYST)
PartnerFactory = _role_factory(roles.PARTNER)
HealthReferrerFactory = _role_factory(roles.HEALTH_REFERRER)
WelfareCallerFactory = _role_factory(roles.WELFARE_CALLER)

ROLE_FACTORIES = {
    roles.ADMINISTRATOR: AdministratorFactory,
    roles.DIRECTORY_EDITOR: DirectoryEditorFactory,
    roles.FRONT_DOOR_OFFICER: FrontDoorOfficerFactory,
    roles.TALKING_POINT_PRACTITIONER: TalkingPointPractitionerFactory,
    roles.LOCAL_AREA_COORDINATOR: LocalAreaCoordinatorFactory,
    roles.TEAM_MANAGER: TeamManagerFactory,
    roles.LINK_WORKER: LinkWorkerFactory,
    roles.VOLUNTEER_COORDINATOR: VolunteerCoordinatorFactory,
    roles.ANALYST: AnalystFactory,
    roles.PARTNER: PartnerFactory,
    roles.HEALTH_REFERRER: HealthReferrerFactory,
    roles.WELFARE_CALLER: WelfareCallerFactory,
}
