from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "alongside.notify"
    label = "notify"
    verbose_name = "Messages: email and text messages, kept in an outbox"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the check)
