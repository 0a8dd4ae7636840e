"""Reads with rules for the destruction app (filled by its issue)."""
