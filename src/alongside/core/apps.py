from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "alongside.core"
    label = "core"
    verbose_name = "Core: places and audit"
