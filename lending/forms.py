"""Input validation for the lending app (filled by its issue)."""
