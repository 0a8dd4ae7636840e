"""Input validation for the customers app (filled by its issue)."""
