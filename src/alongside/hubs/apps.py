from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "alongside.hubs"
    label = "hubs"
    verbose_name = "Talking Points: the front door and community hub conversations"
