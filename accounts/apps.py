from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("组织与账户")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from crm_archive.middleware import idle_time_starts_at_sign_in

        user_logged_in.connect(idle_time_starts_at_sign_in, dispatch_uid="idle_time_starts_at_sign_in")
