from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    label = "accounts"
    verbose_name = "Accounts, organisations and teams"
