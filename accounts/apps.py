from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("组织与账户")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from crm_archive import page_cache
        from crm_archive.middleware import idle_time_starts_at_sign_in

        from .models import Department, Notification, User

        user_logged_in.connect(idle_time_starts_at_sign_in, dispatch_uid="idle_time_starts_at_sign_in")
        # A page's reader is read before its view runs (accounts.backends: the user, its
        # department, roles and unread count): a kept page depends on those tables too.
        page_cache.always_depends_on(
            User._meta.db_table,
            User.groups.through._meta.db_table,
            User.groups.field.related_model._meta.db_table,
            Department._meta.db_table,
            Notification._meta.db_table,
        )
