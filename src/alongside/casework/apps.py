from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "alongside.casework"
    label = "casework"
    verbose_name = "Casework: Local Area Coordination and social prescribing"
