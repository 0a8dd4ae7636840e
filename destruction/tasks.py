"""Celery tasks that call services for the destruction app (filled by its issue)."""
