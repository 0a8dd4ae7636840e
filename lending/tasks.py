"""Celery tasks that call services for the lending app (filled by its issue)."""
