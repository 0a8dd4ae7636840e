from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DestructionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "destruction"
    verbose_name = _("销毁")
