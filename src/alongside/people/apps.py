from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "alongside.people"
    label = "people"
    verbose_name = "People: the shared person record"
