from django.apps import AppConfig


class CrmArchiveConfig(AppConfig):
    name = "crm_archive"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from . import page_cache

        # Every connection's statements are watched, so a kept page is never given again after a
        # write to a table it read (crm_archive.page_cache).
        connection_created.connect(page_cache.install_on, dispatch_uid="page_cache_install_on")
        for connection in connections.all(initialized_only=True):
            page_cache.install_on(None, connection)
