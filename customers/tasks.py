"""Celery tasks that call services for the customers app (filled by its issue)."""
