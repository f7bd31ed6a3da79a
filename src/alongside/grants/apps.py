from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "alongside.grants"
    label = "grants"
    verbose_name = "Grants: the Opportunities Fund and other small funds"
