from django.apps import AppConfig


class DestructionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "destruction"
