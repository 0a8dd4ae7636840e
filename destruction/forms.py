"""Input validation for the destruction app (filled by its issue)."""
